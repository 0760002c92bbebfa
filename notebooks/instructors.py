#!/usr/bin/python3
"""What each lab costs a student, computed from the labs themselves: the tables of
notebooks/INSTRUCTORS.md.

  instructors.py table            print the table (Markdown) of every lab: words to read,
                                  exercises by kind, minutes of measurement, estimated hours
  instructors.py check [FILE]     FILE (notebooks/INSTRUCTORS.md) holds exactly that table, and
                                  the table of every lab's exercises (kind, what it asks first,
                                  graded by a check or only by a reader), between their
                                  markers; exit status 1 if not
  instructors.py write [FILE]     put both tables into FILE between their markers

The estimate is a model, written out below so that an instructor can change it: reading at
READING_WPM words a minute (the student copy's Markdown and code, with the code files it
points to read alongside), MINUTES_PER_EXERCISE by the kind the exercise states, and the
measurement windows of every sweep the lab and its exercises run (from the reference run's
own results files, results/reference/notebooks/LAB/*.json: runs x (warm-up + window)), taken
SETUP_FACTOR times for the cells a student runs again. Errors are one line on stderr and exit
status 2 (bad use) or 1 (a check failed).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "notebooks"
REFERENCE = ROOT / "results" / "reference" / "notebooks"
BEGIN, END = "<!-- hours:begin (instructors.py write) -->", "<!-- hours:end -->"
EX_BEGIN, EX_END = "<!-- exercises:begin (instructors.py write) -->", "<!-- exercises:end -->"

# The model. Technical text read with the code beside it goes slowly.
READING_WPM = 100
# Minutes per exercise, by the first word(s) of the kind in its heading
# ("**Exercise 3 (code and measure).**"): the longest match wins.
MINUTES_PER_EXERCISE = {
    "question": 15,
    "measure": 20,
    "compute": 20,
    "predict, then measure": 25,
    "code": 30,
    "code and measure": 40,
}
SETUP_FACTOR = 3

EXERCISE = re.compile(r"\*\*Exercise (\d+) \(([^)]*)\)")


def fail(message: str, status: int = 1):
    print(f"instructors.py: {message}", file=sys.stderr)
    sys.exit(status)


def is_solution(cell) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def exercise_minutes(kind: str) -> int:
    matches = [k for k in MINUTES_PER_EXERCISE if kind.startswith(k)]
    if not matches:
        fail(f"an exercise of kind {kind!r} has no minutes in MINUTES_PER_EXERCISE")
    return MINUTES_PER_EXERCISE[max(matches, key=len)]


def measured_minutes(lab: str) -> float:
    """Minutes of measurement windows in the lab's reference results (sweeps only)."""
    total_s = 0.0
    for path in sorted((REFERENCE / lab).glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            fail(f"{path}: {e}")
        config = data.get("config") if isinstance(data, dict) else None
        if not isinstance(config, dict) or "runs" not in data:
            continue  # a trace or a recorded measurement, not a sweep
        per_run = (config.get("warmup_s") or 0) + (config.get("duration_s") or 0)
        total_s += per_run * len(data["runs"])
    return total_s / 60


def lab_row(path: Path) -> dict:
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as e:  # nbformat raises several kinds; the message says which
        fail(f"{path}: not a notebook: {str(e).splitlines()[0]}")
    student = [c for c in nb.cells if not is_solution(c)]
    words = sum(len(c.source.split()) for c in student)
    kinds = []
    for c in student:
        if c.cell_type == "markdown":
            kinds += [m.group(2) for m in EXERCISE.finditer(c.source)]
    lab = path.stem
    measuring = measured_minutes(lab)
    minutes = words / READING_WPM + sum(map(exercise_minutes, kinds)) + SETUP_FACTOR * measuring
    return {"lab": lab, "words": words, "kinds": kinds, "measuring": measuring,
            "hours": round(minutes / 60 * 2) / 2}


def first_sentence(text: str, limit: int = 160) -> str:
    text = re.sub(r"<!--.*?-->", "", text).replace("**", "").replace("\n", " ").strip()
    m = re.match(r"(.+?[.?!])(\s|$)", text)
    text = m.group(1) if m else text
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text


def exercises(path: Path) -> list[dict]:
    """Each exercise of a lab: its number, kind, what it asks first, and whether a cell checks
    it on the student's own numbers (check_answer) or only a reader can (prose)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found = []
    for c in nb.cells:
        if is_solution(c):
            continue
        if c.cell_type == "markdown":
            for m in EXERCISE.finditer(c.source):
                rest = c.source[m.end():]
                rest = rest.split("**Exercise ")[0].lstrip(":.* ")
                points = c.metadata.get("lab", {}).get("points", {})
                found.append({"number": int(m.group(1)), "kind": m.group(2),
                              "asks": first_sentence(rest), "checked": False,
                              "points": (points.get("check"), points.get("answer"))})
        elif found and ("check_answer(" in c.source or "lab.check(" in c.source):
            found[-1]["checked"] = True
    return found


def exercise_tables() -> str:
    out = []
    for path in sorted(LABS.glob("[0-9][0-9]-*.ipynb")):
        out += [f"**`{path.stem}`**", "",
                "| exercise | kind | what it asks first | graded by | points: check + answer |",
                "|---|---|---|---|---|"]
        for e in exercises(path):
            graded = "a check on the student's own run, and a reader" if e["checked"] else "a reader"
            asks = e["asks"].replace("|", "\\|")
            check, answer = e["points"]
            points = "undeclared" if check is None or answer is None else f"{check} + {answer}"
            out.append(f"| {e['number']} | {e['kind']} | {asks} | {graded} | {points} |")
        out.append("")
    return "\n".join(out)


def table() -> str:
    rows = [lab_row(p) for p in sorted(LABS.glob("[0-9][0-9]-*.ipynb"))]
    if not rows:
        fail(f"no labs in {LABS}")
    lines = ["| lab | words to read (text and code, to the hundred) | exercises | minutes of measurement | estimated hours |",
             "|---|---:|---|---:|---:|"]
    for r in rows:
        counts = {}
        for k in r["kinds"]:
            counts[k] = counts.get(k, 0) + 1
        exercises = f"{len(r['kinds'])}: " + "; ".join(f"{n} {k}" for k, n in counts.items())
        lines.append(f"| `{r['lab']}` | {round(r['words'], -2):,} | {exercises} | {r['measuring']:.1f} | "
                     f"{r['hours']:g} |")
    total = sum(r["hours"] for r in rows)
    words = {7: "seven", 8: "eight", 9: "nine"}
    lines.append(f"| all {words.get(len(rows), len(rows))} |  |  |  | {total:g} |")
    return "\n".join(lines) + "\n"


def sections() -> list[tuple[str, str, str]]:
    """(begin marker, end marker, generated text) of each part of INSTRUCTORS.md this writes."""
    return [(BEGIN, END, "\n" + table()), (EX_BEGIN, EX_END, "\n" + exercise_tables())]


def between(text: str, path: Path, begin: str, end: str) -> tuple[int, int]:
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        fail(f"{path}: needs one {begin} and one {end} after it")
    return text.index(begin) + len(begin), text.index(end)


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("table", "check", "write") or len(args) > 2 or (
            args[0] == "table" and len(args) > 1):
        fail("usage: instructors.py table | check [FILE] | write [FILE]", 2)
    try:
        import nbformat  # noqa: F401
    except ImportError:
        fail("nbformat is missing: run ./lab setup (Debian: jupyter-nbconvert)")
    if args[0] == "table":
        sys.stdout.write(table())
        return
    path = Path(args[1]) if len(args) > 1 else LABS / "INSTRUCTORS.md"
    try:
        text = path.read_text()
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    stale = []
    for begin, end, wanted in sections():
        start, stop = between(text, path, begin, end)
        if text[start:stop] != wanted:
            stale.append(begin)
            text = text[:start] + wanted + text[stop:]
    if args[0] == "write":
        path.write_text(text)
        print(f"{path}: {len(stale)} of its generated parts rewritten")
    elif stale:
        fail(f"{path}: {', '.join(stale)}: not what the labs give now: run "
             "notebooks/instructors.py write")
    else:
        print(f"{path}: its tables match the labs")


if __name__ == "__main__":
    main()
