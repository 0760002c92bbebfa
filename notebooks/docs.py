#!/usr/bin/python3
"""The notebooks' documentation tool, run by Makefile.docs (see `make -f Makefile.docs help`).

  docs.py student NOTEBOOK... --out DIR [--handout FILE]
                                          student copies: every cell tagged `solution` removed,
                                          outputs cleared, each exercise's points stated, the
                                          parameters shown with FILE's values (a handout.json;
                                          without it, the defaults): see course.py
  docs.py check-student NOTEBOOK...       each is a valid notebook holding no solution
  docs.py site --out DIR --labs DIR       the HTML site: index, README, PROTOCOL, SCHEMA,
                                          reference results and plots, the rendered labs
  docs.py claims NOTEBOOK|MARKDOWN...     every figure a lab (or README.md) states is marked,
                                          and every declared claim (notebooks/claims/LAB.toml)
                                          still holds on results/reference/

It uses Debian's nbformat (with jupyter-nbconvert) and python3-markdown. Errors are one line
on stderr and exit status 2 (bad use) or 1 (a check failed).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import course  # noqa: E402  (the exercises' structure, points and parameters)

SOLUTION_TAG = course.SOLUTION_TAG


def fail(message: str, status: int = 1):
    print(f"docs.py: {message}", file=sys.stderr)
    sys.exit(status)


def read_notebook(path: Path):
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # nbformat raises several kinds; the message says which
        fail(f"{path}: not a valid notebook: {str(e).splitlines()[0]}")
    return nb


is_solution = course.is_solution


def cmd_student(args):
    import nbformat

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    params = {}
    if args.handout:
        try:
            params = json.loads(Path(args.handout).read_text()).get("params", {})
        except (OSError, ValueError) as e:
            fail(f"{args.handout}: not a readable handout.json: {e}", 2)
    for src in map(Path, args.notebooks):
        nb = read_notebook(src)
        problems = course.declaration_problems(nb)
        if problems:
            fail(f"{src}: {problems[0]}")
        copy, removed = course.student_copy(nb, params.get(src.stem) if args.handout else None)
        if removed == 0:
            fail(f"{src}: no cell is tagged '{SOLUTION_TAG}': is this an instructor notebook?")
        nbformat.validate(copy)
        nbformat.write(copy, str(out / src.name))
        print(f"{out / src.name}: {len(copy.cells)} cells ({removed} solution cells removed)")


EXERCISE = re.compile(r"\*\*Exercise (\d+)")
ANSWER_TAG = "answer"


def answer_cells_problems(nb) -> list[str]:
    """Every exercise needs its own Markdown cell tagged `answer` (where the student writes,
    and where a grader finds it), beginning "**Your answer (exercise N).**", after the
    exercise and before the next one."""
    problems, current, answered = [], None, set()
    exercises = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            m = EXERCISE.search(cell.source)
            if m and not is_solution(cell) and ANSWER_TAG not in cell.metadata.get("tags", []):
                current = int(m.group(1))
                exercises.append(current)
            if ANSWER_TAG in cell.metadata.get("tags", []):
                want = f"**Your answer (exercise {current}).**"
                if current is None or not cell.source.lstrip().startswith(want):
                    problems.append(f"cell {i} is tagged '{ANSWER_TAG}' but does not begin "
                                    f"with {want!r}")
                else:
                    answered.add(current)
    for n in exercises:
        if n not in answered:
            problems.append(f"exercise {n} has no answer cell (Markdown, tagged "
                            f"'{ANSWER_TAG}', beginning **Your answer (exercise {n}).**)")
    if len(set(exercises)) != len(exercises):
        problems.append("two exercises have the same number")
    return problems


def cmd_check_student(args):
    if not args.notebooks:
        fail("no student notebooks to check (run: make -f Makefile.docs student)")
    for path in map(Path, args.notebooks):
        nb = read_notebook(path)
        for i, cell in enumerate(nb.cells):
            if is_solution(cell):
                fail(f"{path}: cell {i} is tagged '{SOLUTION_TAG}'")
            if cell.cell_type == "markdown" and cell.source.lstrip().startswith("*Answer.*"):
                fail(f"{path}: cell {i} is an answer without the '{SOLUTION_TAG}' tag")
            if course.PARAM_SPAN.search(cell.source):
                fail(f"{path}: cell {i} still holds a parameter span (<span data-param=...>): "
                     "a student copy shows the values")
        exercises = sum(bool(EXERCISE.search(c.source)) for c in nb.cells
                        if c.cell_type == "markdown")
        if exercises == 0:
            fail(f"{path}: holds no exercise")
        problems = answer_cells_problems(nb)
        if problems:
            fail(f"{path}: {problems[0]}")
        print(f"{path}: valid, {exercises} exercises each with an answer cell, no solutions")


# -- claims: the figures a lab states, re-derived from the reference results -----------------
#
# A lab's Markdown marks every figure it states with an HTML comment right after it (Jupyter
# does not show comments):
#   <!-- claim: ID -->  a measured figure or relation, declared in notebooks/claims/LAB.toml
#                       with its value and tolerance (or the relation) and the expression over
#                       results/reference/ it comes from; `claims` re-derives it
#   <!-- given -->      a figure that is not a measurement: a workload's parameter, a design
#                       constant, arithmetic over those, a fact outside this lab's results
#   <!-- noted -->      a measurement from a run whose results were not kept, which the text
#                       must say in words; `claims` counts and lists them, so what is not
#                       re-derived stays in sight (a lab should have none)
# A marker covers the figures between it and the previous marker on the same line. A figure
# (a number with a unit of time, rate, size, a percentage or a multiple) left unmarked fails.
# See notebooks/README.md, "Claims".

CLAIMS_DIR = ROOT / "notebooks" / "claims"
REFERENCE = ROOT / "results" / "reference"
MARKER = re.compile(r"<!--\s*(claim:\s*([\w.-]+)|given|noted)\s*-->")
NOTED = re.compile(r"<!--\s*noted\s*-->")
FIGURE = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?\s?(?:ns|µs|us|ms|s|min|requests?/s|/s|%|×|x|MiB|KiB|GiB|"
    r"MB|KB|kB|GB|bytes|B)(?![\w])")
CODE_SPAN = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")


class ClaimError(Exception):
    """A claim's expression names something the reference results do not have."""


class StrictRun(dict):
    """One run of a reference results file; r["client.latency_ns.p99"] is the field, and a
    field that is missing or null is an error naming it (a claim over nothing is no claim)."""

    def __init__(self, run: dict, where: str):
        super().__init__(run)
        self.where = where

    def __getitem__(self, dotted):
        obj = dict(self)
        for part in dotted.split("."):
            if isinstance(obj, dict) and part in obj:
                obj = obj[part]
            elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
                obj = obj[int(part)]
            else:
                raise ClaimError(f"{self.where} has no field {dotted}")
        if obj is None:
            raise ClaimError(f"{self.where}: {dotted} is null")
        return obj


def _reference_path(lab: str, name: str) -> Path:
    """A lab's FILE is under results/reference/notebooks/LAB/; '/FILE', and any file named by
    a Markdown document's claims (README.md: lab "README"), under results/reference/."""
    if name.startswith("/"):
        return REFERENCE / name[1:]
    if not lab[:2].isdigit():
        return REFERENCE / name
    return REFERENCE / "notebooks" / lab / name


def _claims_env(lab: str):
    """The names a claim's expression may use."""
    import statistics

    sys.path.insert(0, str(ROOT / "notebooks"))
    import labkit

    cache = {}

    def load(name: str) -> dict:
        path = _reference_path(lab, name)
        if path not in cache:
            if not path.is_file():
                raise ClaimError(f"no reference results file {path}")
            with open(path) as f:
                cache[path] = json.load(f)
        return cache[path]

    def runs(name: str, **where):
        doc = load(name)
        found = [StrictRun(r, f"{name} run {where}") for r in doc.get("runs", [])
                 if all(r.get(k) == v for k, v in where.items())]
        if not found:
            raise ClaimError(f"{name} has no run with {where}")
        return found

    def run(name: str, **where):
        found = runs(name, **where)
        found.sort(key=lambda r: (r.get("client") or {}).get("throughput_rps") or 0)
        return found[len(found) // 2]

    def results(name: str):
        return StrictRun(load(name), name)

    def trace(name: str):
        path = _reference_path(lab, name)
        if not path.is_file():
            raise ClaimError(f"no reference trace {path}")
        return labkit.Trace(path)

    return {"run": run, "runs": runs, "results": results, "trace": trace, "min": min,
            "max": max, "abs": abs, "sum": sum, "len": len, "sorted": sorted, "round": round,
            "all": all, "any": any, "mean": statistics.mean, "median": statistics.median,
            "MS": 1e-6, "US": 1e-3, "S": 1e-9}


def _tolerance(claim) -> tuple[float, str]:
    tol = claim.get("tolerance")
    if isinstance(tol, str) and tol.endswith("%"):
        rel = float(tol[:-1]) / 100
        return abs(claim["value"]) * rel, f"±{tol}"
    if isinstance(tol, (int, float)):
        return float(tol), f"±{tol}"
    raise ClaimError("tolerance must be a number (absolute) or a string like \"20%\"")


def load_claims(lab: str) -> list[dict]:
    import tomllib

    path = CLAIMS_DIR / f"{lab}.toml"
    if not path.is_file():
        return []
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        fail(f"{path}: {e}")
    claims = data.get("claim", [])
    for c in claims:
        missing = [k for k in ("id", "text") if k not in c]
        if missing or (("value" in c) == ("holds" in c)):
            fail(f"{path}: claim {c.get('id', '?')}: needs id, text, and "
                 "either value + tolerance + measured, or holds")
    return claims


def markdown_lines(nb):
    """(cell index, line) of every Markdown line outside fenced code."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for line in cell.source.splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
                continue
            if not fenced:
                yield i, line


def unmarked_figures(nb):
    """[(cell, figure, line)] of figures no marker covers, and {id: preceding text} of the
    claim markers."""
    unmarked, markers = [], {}
    for i, line in markdown_lines(nb):
        plain = LINK_TARGET.sub("]", CODE_SPAN.sub("", course.plain_params(line)))
        pos = 0
        for m in MARKER.finditer(plain):
            if m.group(2):
                markers.setdefault(m.group(2), []).append(plain[pos:m.start()])
            pos = m.end()
        tail = MARKER.sub("", plain[pos:])
        for fig in FIGURE.finditer(tail):
            unmarked.append((i, fig.group(0), line.strip()))
    return unmarked, markers


def claims_name(path: Path) -> str:
    """A lab's name (its file's stem), or for a Markdown document its path in the
    repository with '-' for '/' (results/reference/README.md: results-reference-README): the
    name of its claims file in notebooks/claims/."""
    if path.suffix != ".md":
        return path.stem
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        rel = Path(path.name)
    return "-".join(rel.with_suffix("").parts)


def markdown_document(path: Path):
    """A Markdown file (README.md) as a notebook of one Markdown cell, so that its figures
    are marked and its claims declared the same way as a lab's."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(path.read_text()))
    return nb


def check_claims(path: Path) -> list[str]:
    """Problems with the claims of one lab (or Markdown document): each a line naming lab,
    claim, stated and measured value."""
    lab = claims_name(path)
    nb = markdown_document(path) if path.suffix == ".md" else read_notebook(path)
    problems = []
    unmarked, markers = unmarked_figures(nb)
    for cell, figure, line in unmarked:
        problems.append(f"{lab}: cell {cell}: figure '{figure}' is neither a declared claim nor "
                        f"marked given: {line[:120]}")
    claims = load_claims(lab)
    ids = [c["id"] for c in claims]
    for dup in {i for i in ids if ids.count(i) > 1}:
        problems.append(f"{lab}: claim {dup} is declared twice")
    env = _claims_env(lab)
    for claim in claims:
        cid, text = claim["id"], claim["text"]
        if cid not in markers:
            problems.append(f"{lab}: claim {cid} ('{text}') is declared but no "
                            f"<!-- claim: {cid} --> marks it in the lab")
        elif not any(text in before for before in markers[cid]):
            problems.append(f"{lab}: claim {cid}: the lab does not say '{text}' right before "
                            "its marker")
        try:
            if "holds" in claim:
                if not eval(claim["holds"], {"__builtins__": {}, **env}):  # noqa: S307 (repo file)
                    problems.append(f"{lab}: claim {cid} ('{text}') does not hold on the "
                                    f"reference results: {claim['holds']}")
            else:
                measured = float(eval(claim["measured"], {"__builtins__": {}, **env}))  # noqa: S307
                tol, shown = _tolerance(claim)
                if abs(measured - claim["value"]) > tol:
                    problems.append(f"{lab}: claim {cid} ('{text}'): stated {claim['value']:g}, "
                                    f"measured {measured:.4g} (tolerance {shown})")
        except ClaimError as e:
            problems.append(f"{lab}: claim {cid} ('{text}'): {e}")
        except KeyError as e:
            problems.append(f"{lab}: claim {cid}: missing {e} in the claims file")
        except Exception as e:  # a claim that does not even evaluate: say which and why
            problems.append(f"{lab}: claim {cid} ('{text}'): cannot evaluate: "
                            f"{type(e).__name__}: {e}")
    for cid in markers:
        if cid not in ids:
            problems.append(f"{lab}: <!-- claim: {cid} --> marks a claim that "
                            f"notebooks/claims/{lab}.toml does not declare")
    return problems


def cmd_claims(args):
    global CLAIMS_DIR, REFERENCE
    if not args.notebooks:
        fail("no notebooks to check", 2)
    if args.claims_dir:
        CLAIMS_DIR = Path(args.claims_dir).resolve()
    if args.reference:
        REFERENCE = Path(args.reference).resolve()
    problems, total = [], 0
    for path in map(Path, args.notebooks):
        found = check_claims(path)
        n = len(load_claims(claims_name(path)))
        nb = markdown_document(path) if path.suffix == ".md" else read_notebook(path)
        noted = [line.strip() for _, line in markdown_lines(nb) if NOTED.search(line)]
        if noted and path.suffix != ".md":
            found.append(f"{claims_name(path)}: a lab states figures from runs not kept "
                         f"(<!-- noted -->): {noted[0][:100]}")
        total += n
        problems += found
        print(f"{claims_name(path)}: {n} claims, "
              + (f"{len(found)} problems" if found else "all hold")
              + (f"; {len(noted)} lines state figures from runs not kept, not re-derived "
                 "(<!-- noted -->)" if noted else ""))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        fail(f"{len(problems)} claims or figures do not hold (above)")
    print(f"claims: all {total} claims hold on results/reference/, and every figure is marked")


# -- the site --------------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
code, pre { font-family: ui-monospace, monospace; background: #f4f4f4; }
pre { padding: .6rem; overflow-x: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .5rem; }
img { max-width: 100%; } nav { margin-bottom: 1.5rem; } nav a { margin-right: 1rem; }
"""


def page(title: str, body: str, depth: int) -> str:
    up = "../" * depth
    nav = (f'<nav><a href="{up}index.html">Index</a><a href="{up}README.html">README</a>'
           f'<a href="{up}shared/PROTOCOL.html">Protocol</a>'
           f'<a href="{up}results/SCHEMA.html">Results schema</a></nav>')
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{nav}{body}</body></html>\n")


LINK = re.compile(r'(href|src)="([^"#:]+)(#[^"]*)?"')


def render_markdown(src: Path, out_root: Path) -> Path:
    """SRC (a Markdown file of the repository) as HTML at the same relative path under
    OUT_ROOT. Relative links to .md files point at their .html; other files the page links to
    (images, sources) are copied beside it so the site stands alone."""
    import markdown

    rel = src.relative_to(ROOT)
    dest = out_root / rel.with_suffix(".html")
    dest.parent.mkdir(parents=True, exist_ok=True)
    body = markdown.markdown(src.read_text(), extensions=["tables", "fenced_code", "toc"])

    def relink(m):
        attr, target, anchor = m.group(1), m.group(2), m.group(3) or ""
        linked = (src.parent / target).resolve()
        if ROOT not in linked.parents or not linked.exists():
            return m.group(0)
        if linked.suffix == ".md":
            return f'{attr}="{Path(target).with_suffix(".html").as_posix()}{anchor}"'
        if linked.is_file() and linked.stat().st_size <= 4 << 20:
            copy = out_root / linked.relative_to(ROOT)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(linked, copy)
        return m.group(0)

    body = LINK.sub(relink, body)
    title = src.read_text().splitlines()[0].lstrip("# ").strip() if src.read_text() else rel.name
    dest.write_text(page(title, body, len(rel.parts) - 1))
    return dest


def lab_title(path: Path) -> str:
    nb = read_notebook(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def cmd_site(args):
    out, labs = Path(args.out), Path(args.labs)
    out.mkdir(parents=True, exist_ok=True)
    for md in ["README.md", "shared/PROTOCOL.md", "results/SCHEMA.md",
               "results/reference/README.md", "harness/workloads/README.md"]:
        render_markdown(ROOT / md, out)
    # The reference results: their JSON, traces and plots, as committed.
    shutil.copytree(ROOT / "results" / "reference", out / "results" / "reference",
                    dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))

    items = []
    for rendered in sorted(labs.glob("[0-9]*.html")):
        shutil.copy(rendered, out / rendered.name)
        source = ROOT / "notebooks" / rendered.with_suffix(".ipynb").name
        title = lab_title(source) if source.exists() else rendered.stem
        student = f"student/{rendered.with_suffix('.ipynb').name}"
        items.append(f'<li><a href="{rendered.name}">{html.escape(title)}</a>'
                     + (f' (<a href="{student}">student notebook</a>)'
                        if (out / student).exists() else "") + "</li>")
    if not items:
        fail(f"no rendered labs in {labs}")

    plots = sorted((out / "results" / "reference" / "plots").rglob("*.png"))
    figures = "".join(
        f'<li><a href="{p.relative_to(out).as_posix()}">{html.escape(p.relative_to(out / "results" / "reference" / "plots").as_posix())}</a></li>'
        for p in plots)
    results = "".join(
        f'<li><a href="{p.relative_to(out).as_posix()}">{html.escape(p.relative_to(out / "results" / "reference").as_posix())}</a></li>'
        for p in sorted((out / "results" / "reference").rglob("*.json"))
        if "plots" not in p.relative_to(out).parts)
    body = f"""<h1>The Concurrency Models Lab</h1>
<p>One network server written several ways, measured side by side. Start with the
<a href="README.html">README</a>; the protocol the servers speak is in
<a href="shared/PROTOCOL.html">PROTOCOL</a>, and every figure of a results file is explained in
<a href="results/SCHEMA.html">the results schema</a>.</p>
<h2>Labs</h2><p>Each lab executed on the machine that built this site (the figures are its
measurements). The student notebooks hold no solutions.</p><ol>{''.join(items)}</ol>
<h2>Reference results</h2><p>One run on a documented machine:
<a href="results/reference/README.html">how they were made</a>.</p>
<details><summary>{len(plots)} plots</summary><ul>{figures}</ul></details>
<details><summary>results files and traces</summary><ul>{results}</ul></details>
"""
    (out / "index.html").write_text(page("The Concurrency Models Lab", body, 0))
    print(f"{out / 'index.html'}: {len(items)} labs, {len(plots)} reference plots")


def main():
    parser = argparse.ArgumentParser(prog="docs.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("student", help="write student copies without solution cells")
    p.add_argument("notebooks", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--handout", default=None, help="a handout.json whose parameters to show")
    p.set_defaults(run=cmd_student)
    p = sub.add_parser("check-student", help="check student copies")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(run=cmd_check_student)
    p = sub.add_parser("claims", help="re-derive every lab's claims from results/reference/")
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--claims-dir", default=None, help="where LAB.toml are (notebooks/claims)")
    p.add_argument("--reference", default=None, help="the reference results (results/reference)")
    p.set_defaults(run=cmd_claims)
    p = sub.add_parser("site", help="build the HTML site")
    p.add_argument("--out", required=True)
    p.add_argument("--labs", required=True, help="directory of the labs rendered as HTML")
    p.set_defaults(run=cmd_site)
    args = parser.parse_args()
    try:
        import markdown  # noqa: F401
        import nbformat  # noqa: F401
    except ImportError as e:
        fail(f"{e.name} is missing: run ./lab setup (Debian: jupyter-nbconvert python3-markdown)")
    args.run(args)


if __name__ == "__main__":
    main()
