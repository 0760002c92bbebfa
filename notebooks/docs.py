#!/usr/bin/python3
"""The notebooks' documentation tool, run by Makefile.docs (see `make -f Makefile.docs help`).

  docs.py student NOTEBOOK... --out DIR   student copies: every cell tagged `solution` removed,
                                          outputs cleared
  docs.py check-student NOTEBOOK...       each is a valid notebook holding no solution
  docs.py site --out DIR --labs DIR       the HTML site: index, README, PROTOCOL, SCHEMA,
                                          reference results and plots, the rendered labs

It uses Debian's nbformat (with jupyter-nbconvert) and python3-markdown. Errors are one line
on stderr and exit status 2 (bad use) or 1 (a check failed).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_TAG = "solution"


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


def is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def cmd_student(args):
    import nbformat

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for src in map(Path, args.notebooks):
        nb = read_notebook(src)
        kept = [c for c in nb.cells if not is_solution(c)]
        removed = len(nb.cells) - len(kept)
        if removed == 0:
            fail(f"{src}: no cell is tagged '{SOLUTION_TAG}': is this an instructor notebook?")
        for cell in kept:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nb.cells = kept
        nb.metadata["lab_student_copy"] = True
        nbformat.validate(nb)
        nbformat.write(nb, str(out / src.name))
        print(f"{out / src.name}: {len(kept)} cells ({removed} solution cells removed)")


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
        exercises = sum("**Exercise" in c.source for c in nb.cells if c.cell_type == "markdown")
        if exercises == 0:
            fail(f"{path}: holds no exercise")
        print(f"{path}: valid, {exercises} exercises, no solutions")


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
    p.set_defaults(run=cmd_student)
    p = sub.add_parser("check-student", help="check student copies")
    p.add_argument("notebooks", nargs="*")
    p.set_defaults(run=cmd_check_student)
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
