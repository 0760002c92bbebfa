#!/usr/bin/python3
"""handout.py: build the standalone repository a student gets (make -f Makefile.docs handout).

  handout.py [--out DIR]                    a handout for nobody in particular (the defaults)
  handout.py --student ID [--out DIR]       a student's handout, with their parameters
  handout.py --class FILE [--out DIR]       one handout per student of FILE (DIR/ID/)

A handout is every file `git ls-files` lists, minus what only an instructor may see
(INSTRUCTOR_ONLY below, and the reference results that only a solution makes: answer_files),
with the student copies of the labs in notebooks/ (course.student_copy: no solution cells,
the points stated, the student's parameters in the text), and two files of its own:
handout.json (student, seed, and the parameters of each lab, which labkit's nb.param reads
and the grader recomputes from the id) and HANDOUT.md (what it is, the parameters, what to
hand in). No .git: the history holds the solutions.

DIR defaults to build/handout (build/handouts with --class). A DIR that exists must be an
earlier handout (it holds handout.json, or class.json) or empty: anything else is refused.
A class FILE has one student id a line (letters, digits, . _ -, at most 64; a line's first
field if it has several; # comments). Bad use is exit status 2, with one line saying why.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import course  # noqa: E402

# What a student never gets, and why: the one list of it. Patterns are fnmatch globs over the
# repository's paths (`*` crosses `/`). The reference results that only a solution cell makes
# (an exercise's own run, its answer) are left out too: see answer_files.
INSTRUCTOR_ONLY = [
    ("notebooks/[0-9][0-9]-*.ipynb", "the instructor notebooks (solutions, keys): the handout "
                                     "has the student copies in their place"),
    ("notebooks/claims/*", "the claims: every figure of the labs' keys with the expression "
                           "that derives it"),
    ("notebooks/grade.py", "the grader: it reads the instructor notebooks"),
    ("notebooks/INSTRUCTORS.md", "the instructor's guide"),
    ("notebooks/instructors.py", "the guide's tables, computed from the instructor notebooks"),
    ("tests/instructors_test.py", "the test of the guide's tables"),
    ("models/solutions/*", "the reference solution of the write-your-own-model assignment"),
    ("notebooks/handout.py", "this builder"),
    ("tests/grade_test.py", "the tests of the grader and of this builder"),
    ("tests/handout_check.py", "the check that builds and runs handouts"),
    ("Makefile.docs", "the instructors' targets: student copies, claims, handouts, grading"),
    (".ci/*", "CI: it re-derives the claims and executes the instructor notebooks"),
]

HANDOUT_FILE = "handout.json"
CLASS_FILE = "class.json"


def fail(message: str, status: int = 2):
    print(f"handout.py: {message}", file=sys.stderr)
    sys.exit(status)


def instructor_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def read(path: Path):
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    return nb


def _strings(source: str):
    """(is_fstring, text) of every string literal in a cell's code; an f-string's fields are
    `*`, so that it reads as a glob. A cell that is not Python (a magic) has none."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((False, node.value))
        elif isinstance(node, ast.JoinedStr):
            found.append((True, "".join(v.value if isinstance(v, ast.Constant) else "*"
                                        for v in node.values)))
    return found


def _sweeps(source: str):
    """(is_fstring, name) of every nb.sweep(NAME, ...) the code makes (not one a message
    spells)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "sweep" and node.args):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((False, arg.value))
            elif isinstance(arg, ast.JoinedStr):
                found.append((True, "".join(v.value if isinstance(v, ast.Constant) else "*"
                                            for v in arg.values)))
    return found


def answer_files(nb, lab: str) -> list[str]:
    """The files of results/reference/notebooks/LAB/ that only a solution cell makes (the
    reference run of an exercise: its answer), as patterns of repository paths: a results
    file whose name a solution cell spells (or matches with an f-string) and that no other
    cell sweeps, and its plots folder."""
    sol_names, sol_globs, shown_names, shown_globs = set(), [], set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if course.is_solution(cell):
            for f, text in _strings(cell.source):
                (sol_globs.append(text) if f else sol_names.add(text))
        else:
            for f, text in _sweeps(cell.source):
                (shown_globs.append(text) if f else shown_names.add(text))
    ref = ROOT / "results" / "reference" / "notebooks" / lab
    answers = []
    for path in sorted(ref.glob("*.json")):
        stem = path.stem
        if stem in shown_names:
            continue
        if stem in sol_names or (any(fnmatch.fnmatch(stem, g) for g in sol_globs)
                                 and not any(fnmatch.fnmatch(stem, g) for g in shown_globs)):
            answers.append(stem)
    out = []
    for stem in answers:
        out.append(f"results/reference/notebooks/{lab}/{stem}.json")
        out.append(f"results/reference/notebooks/{lab}/plots/{stem}/*")
    return out


def left_out(labs: dict) -> list[tuple[str, str]]:
    """(pattern, why) of everything a handout leaves out, the answer files of `labs` included."""
    patterns = list(INSTRUCTOR_ONLY)
    for lab, nb in labs.items():
        for pattern in answer_files(nb, lab):
            patterns.append((pattern, f"an exercise's reference run ({lab}): its answer"))
    return patterns


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        fail(f"{ROOT} is not a git checkout (a handout is built from `git ls-files`): {e}", 1)
    return [p for p in out.decode().split("\0") if p]


def revision() -> dict:
    def git(*args):
        r = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    return {"revision": git("rev-parse", "HEAD"),
            "modified": bool(git("status", "--porcelain", "--untracked-files=no"))}


def prepare(out: Path, marker: str):
    """Make OUT an empty directory, removing an earlier handout (or class of them) there;
    anything else that is there is refused."""
    if out.exists():
        if not out.is_dir():
            fail(f"{out} exists and is not a directory")
        if any(out.iterdir()):
            if not (out / marker).is_file():
                fail(f"{out} exists, is not empty and holds no {marker}: not overwriting it "
                     "(give another --out, or remove it)")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def build(out: Path, student: str | None, labs: dict, files: list[str], excluded: list) -> dict:
    """One handout into OUT (which prepare() emptied); returns its handout.json."""
    import nbformat

    seed = course.seed_of(student) if student else None
    params = {lab: course.params_for(seed, lab, nb) for lab, nb in labs.items()}
    copied, dropped = 0, []
    for rel in files:
        if any(fnmatch.fnmatch(rel, pattern) for pattern, _ in excluded):
            dropped.append(rel)
            continue
        src = ROOT / rel
        if not src.exists() and not src.is_symlink():
            continue  # deleted in the working tree but not yet in git
        dst = out / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
        copied += 1
    for lab, nb in labs.items():
        copy, _ = course.student_copy(nb, params[lab])
        nbformat.validate(copy)
        nbformat.write(copy, str(out / "notebooks" / f"{lab}.ipynb"))
    info = {"handout_version": 1, "student": student, "seed": seed, "params": params,
            "labs": sorted(labs), "built_from": revision(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (out / HANDOUT_FILE).write_text(json.dumps(info, indent=1) + "\n")
    (out / "HANDOUT.md").write_text(handout_md(info, labs))
    info["_copied"], info["_dropped"] = copied, dropped
    return info


def handout_md(info: dict, labs: dict) -> str:
    who = info["student"]
    rows = []
    for lab, nb in sorted(labs.items()):
        for name, spec in sorted(course.declared_params(nb).items()):
            rows.append(f"| `{lab}` | `{name}` | {info['params'][lab][name]} | "
                        f"{spec.get('about', '')} |")
    table = ("| lab | parameter | your value | what it is |\n|---|---|---|---|\n"
             + "\n".join(rows)) if rows else "(none)"
    tarball = f"{who or 'my'}-labs.tar.gz"
    return f"""# Your handout of the Concurrency Models Lab

{f"For **{who}** (seed `{info['seed']}`)." if who else "A handout for nobody in particular: every parameter has its default."}
This directory is a repository of its own: the lab's code, the labs in `notebooks/` (without
their solutions), the reference results the labs show, and `./lab`. `README.md` explains the
lab, `notebooks/README.md` the labs; what they say about `Makefile.docs` (student copies,
claims, handouts, grading) is for instructors, whose tools this handout leaves out.

```sh
./lab setup && ./lab build        # the compiler, Jupyter, PostgreSQL, ... then the binaries
./lab notebook                    # the labs in Jupyter (or open notebooks/ in any front end)
```

## Your parameters

Some exercises ask about values that differ from student to student; the labs read yours from
`handout.json` (leave it as it is: the grader recomputes them from your id) and the exercises'
text shows them.

{table}

## Handing in

Run each lab from the top on your own build, do its exercises, and save it. Every check cell
leaves a record of its outcome, your numbers and the results files they came from; hand in
the notebooks with those results files:

```sh
tar czf {tarball} notebooks/[0-9][0-9]-*.ipynb build/notebooks
```

Reference results (a lab run without a build) are never graded, and a lab from another
student's handout is refused.
"""


def read_class(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        fail(f"cannot read the class list {path}: {e.strerror}")
    ids = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sid = re.split(r"[,;\s]", line, maxsplit=1)[0]
        if not course.STUDENT_ID.match(sid):
            fail(f"{path}:{n}: {sid!r} is not a student id (letters, digits, . _ -, at most 64)")
        if sid in ids:
            fail(f"{path}:{n}: {sid} is listed twice")
        ids.append(sid)
    if not ids:
        fail(f"{path} lists no student")
    return ids


def main():
    parser = argparse.ArgumentParser(prog="handout.py", description=__doc__.splitlines()[0])
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--student", help="the student's id")
    who.add_argument("--class", dest="class_file", help="a file of student ids, one a line")
    parser.add_argument("--out", help="where (build/handout; build/handouts with --class)")
    args = parser.parse_args()
    if args.student is not None and not course.STUDENT_ID.match(args.student):
        fail(f"--student {args.student!r}: an id is letters, digits, . _ - (at most 64)")
    try:
        import nbformat  # noqa: F401
    except ImportError:
        fail("nbformat is missing: run ./lab setup (Debian: jupyter-nbconvert)", 1)

    labs = {}
    for path in instructor_notebooks():
        try:
            labs[path.stem] = read(path)
        except Exception as e:  # a broken instructor notebook: say which, stop
            fail(f"{path}: not a valid notebook: {str(e).splitlines()[0]}", 1)
    if not labs:
        fail(f"no labs in {ROOT / 'notebooks'}", 1)
    for lab, nb in labs.items():
        problems = course.declaration_problems(nb)
        if problems:
            fail(f"{lab}: {problems[0]}", 1)
    files, excluded = tracked_files(), left_out(labs)

    if args.class_file:
        students = read_class(Path(args.class_file))
        root = Path(args.out or ROOT / "build" / "handouts")
        prepare(root, CLASS_FILE)
        summary = {}
        for sid in students:
            info = build(root / sid, sid, labs, files, excluded)
            summary[sid] = {"seed": info["seed"], "params": info["params"]}
            print(f"{root / sid}: {sid} (seed {info['seed']}), {info['_copied']} files")
        same = {}
        for sid, s in summary.items():
            same.setdefault(json.dumps(s["params"], sort_keys=True), []).append(sid)
        for group in same.values():
            if len(group) > 1 and any(course.declared_params(nb) for nb in labs.values()):
                print(f"note: {', '.join(group)} drew the same parameters")
        (root / CLASS_FILE).write_text(json.dumps({"students": summary}, indent=1) + "\n")
        print(f"{root}: {len(students)} handouts; parameters of each in {root / CLASS_FILE}")
        return
    out = Path(args.out or ROOT / "build" / "handout")
    prepare(out, HANDOUT_FILE)
    info = build(out, args.student, labs, files, excluded)
    whose = f"{args.student} (seed {info['seed']})" if args.student else "nobody in particular"
    print(f"{out}: the handout for {whose}: {info['_copied']} files and {len(labs)} student "
          f"labs; left out {len(info['_dropped'])} instructor files:")
    for pattern, why in excluded:
        hits = [d for d in info["_dropped"] if fnmatch.fnmatch(d, pattern)]
        if hits:
            print(f"  {pattern} ({len(hits)}): {why}")


if __name__ == "__main__":
    main()
