#!/usr/bin/python3
"""grade.py: grade students' executed labs on their own measurements
(make -f Makefile.docs grade SUBMISSION=PATH [STUDENT=ID | CLASS=FILE]).

  grade.py SUBMISSION [--student ID | --class FILE] [--out DIR] [--labs 01,03]
           [--rerun] [--rerun-tolerance 0.5] [--model-reports DIR] [--expect full|zero]

SUBMISSION is one notebook, a student's folder (their labs anywhere under it, with
build/notebooks/ if they handed in their results files), or a class: a folder with one such
folder per student, named by the student's id (--class FILE lists who should be there).
Without --student or --class, a folder that holds labs itself is graded as run without a
handout (an instructor's checkout: every parameter its default, no seed).

For each student, lab and exercise (the exercises and their points come from the instructor
notebooks in notebooks/, course.py): the check points are earned when every check cell of the
exercise passed and its record (labkit's, in the cell's output) holds up: it was made by the
cell as handed out (the cell's source hash), by this lab, from the student's own handout
(seed and parameters recomputed from the id), on evidence that is not the reference run's
(started_at), made on the machine that ran the check, unchanged if the results file was
handed in, and no other student handed in the same results file. The written answers are
gathered for a person (answers-ID.md, with the key beside each). A lab is refused, with the
reason, when its records are the reference data (no build), come from another student's
handout, or are not this lab's. Nothing is re-executed unless --rerun: then each lab runs
again on this machine (in a scratch copy, with the student's handout) and a check whose
numbers differ by more than the tolerance loses its points. --rerun runs the student's code:
do it in a container or a machine you do not mind.

Writes, into DIR (default build/grades): report-ID.md (per exercise: points and why),
answers-ID.md, summary.md, grades.json and grades.csv (one row per student). One bad
submission (a corrupt notebook, a missing lab, a deleted cell) is reported in its row and
never stops the others. Exit status: 0, or 1 when --expect does not hold, 2 for bad use.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import course  # noqa: E402

NO_HANDOUT = "no-handout"
MARKERS = re.compile(r"\s?<!--.*?-->")  # the claims' markers: not for a reader  # the name of a submission graded without a student id
REFERENCE = ROOT / "results" / "reference"


def fail(message: str, status: int = 2):
    print(f"grade.py: {message}", file=sys.stderr)
    sys.exit(status)


# -- what the grader knows before it reads a submission -----------------------------------------


class Lab:
    """An instructor notebook: the key to one lab."""

    def __init__(self, path: Path):
        import nbformat

        self.name, self.path = path.stem, path
        self.nb = nbformat.read(str(path), as_version=4)
        self.exercises = course.exercises(course.student_copy(self.nb)[0])
        self.declared = any(e.points is not None for e in self.exercises)

    def template(self, params: dict):
        """The student copy this student was handed, and its exercises."""
        copy, _ = course.student_copy(self.nb, params)
        return copy, course.exercises(copy)

    def key(self, number: int, params: dict) -> str:
        """The instructor's answer to exercise NUMBER (its solution Markdown), with the
        student's parameters."""
        for e in course.exercises(self.nb):
            if e.number == number:
                return "\n\n".join(MARKERS.sub("", course.substitute_params(
                    self.nb.cells[i].source, params)) for i in e.key)
        return ""


def reference_stamps() -> dict:
    """started_at -> reference file, of every results file and trace in results/reference/:
    evidence with one of these stamps is the reference run, wherever it was copied to."""
    stamps = {}
    for path in REFERENCE.rglob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        stamp = data.get("otherData", data).get("started_at") if "traceEvents" in data \
            else data.get("started_at")
        if stamp:
            stamps[stamp] = str(path.relative_to(ROOT))
    return stamps


# -- results ---------------------------------------------------------------------------------------


class ExerciseGrade:
    def __init__(self, lab: str, number: int, kind: str, points: dict | None):
        self.lab, self.number, self.kind = lab, number, kind
        self.declared = points is not None
        self.check_possible = int((points or {}).get("check", 0))
        self.answer_possible = int((points or {}).get("answer", 0))
        self.check_points = 0
        self.status = "undeclared" if not self.declared else "not run"
        self.why = ""
        self.answer_text = None   # the student's written answer (None: no answer cell)
        self.answered = False
        self.key = ""
        self.records = []         # the check records the points rest on
        self.evidence = []        # (sha256, file) of the results files they name

    def row(self) -> dict:
        return {"points": self.check_points, "possible": self.check_possible,
                "answer_possible": self.answer_possible, "status": self.status, "why": self.why}


class LabGrade:
    def __init__(self, lab: Lab, path: Path | None):
        self.lab, self.path = lab, path
        self.status = "graded"
        self.reason = ""
        self.exercises: list[ExerciseGrade] = []
        self.warnings: list[str] = []

    @property
    def points(self) -> int:
        return 0 if self.status != "graded" else sum(e.check_points for e in self.exercises)

    @property
    def possible(self) -> int:
        return sum(e.check_possible for e in self.exercises)

    @property
    def answer_possible(self) -> int:
        return sum(e.answer_possible for e in self.exercises)

    @property
    def answer_to_read(self) -> int:
        return sum(e.answer_possible for e in self.exercises if e.answered)

    def refuse(self, reason: str):
        if self.status == "graded":
            self.status, self.reason = "refused", reason
        for e in self.exercises:
            e.check_points = 0


class StudentGrade:
    def __init__(self, student: str | None, folder: Path | None):
        self.student, self.folder = student, folder
        self.seed = course.seed_of(student) if student else None
        self.labs: list[LabGrade] = []
        self.problems: list[str] = []
        self.status = "graded"
        self.model = None  # the model's grade report (--model-reports), if any

    @property
    def name(self) -> str:
        return self.student or NO_HANDOUT

    def totals(self) -> tuple[float, float, int, int]:
        """Points earned by checks, possible by checks, possible for written answers, and
        the share of those whose answer cell the student filled in (for a person to read)."""
        points = sum(lg.points for lg in self.labs)
        possible = sum(lg.possible for lg in self.labs)
        if self.model:
            points += self.model["points"]
            possible += self.model["possible"]
        return (points, possible, sum(lg.answer_possible for lg in self.labs),
                sum(lg.answer_to_read for lg in self.labs))


# -- reading a submission --------------------------------------------------------------------------


def find_labs(folder: Path, labs: dict) -> tuple[dict, list[str]]:
    """{lab name: notebook path} of a student's folder (labs matched by their two-digit
    prefix, checkpoints skipped), and warnings about doubles."""
    found, warnings = {}, []
    by_prefix = {name[:2]: name for name in labs}
    candidates = sorted(p for p in folder.rglob("[0-9][0-9]-*.ipynb")
                        if ".ipynb_checkpoints" not in p.parts)
    for path in candidates:
        name = by_prefix.get(path.name[:2])
        if name is None:
            continue
        found.setdefault(name, []).append(path)
    chosen = {}
    for name, paths in found.items():
        paths.sort(key=lambda p: (p.stem != name, len(p.parts), str(p)))
        chosen[name] = paths[0]
        if len(paths) > 1:
            warnings.append(f"{len(paths)} notebooks for {name}: graded "
                            f"{paths[0].relative_to(folder)}, not "
                            + ", ".join(str(p.relative_to(folder)) for p in paths[1:]))
    return chosen, warnings


def records(cell, mime: str) -> list[dict]:
    out = []
    for output in cell.get("outputs", []) or []:
        data = output.get("data", {}) if isinstance(output, dict) else {}
        record = data.get(mime)
        if isinstance(record, dict):
            out.append(record)
    return out


def printed(cell) -> str:
    """What a cell printed, as one line (for a reason)."""
    text = []
    for output in cell.get("outputs", []) or []:
        if output.get("output_type") == "stream":
            text.append("".join(output.get("text", "")))
        elif output.get("output_type") == "error":
            text.append(f"{output.get('ename')}: {output.get('evalue')}")
    line = " ".join(" ".join(text).split())
    return line[:300] + ("…" if len(line) > 300 else "")


def error_of(cell):
    for output in cell.get("outputs", []) or []:
        if output.get("output_type") == "error":
            return output.get("ename", "Error"), output.get("evalue", "")
    return None


class Submission:
    """A submitted notebook, its cells findable by the ids of the student copy."""

    def __init__(self, nb):
        self.nb = nb
        self.by_id = {c.get("id"): i for i, c in enumerate(nb.cells) if c.get("id")}

    def find(self, template_cell):
        """(cell, how) of the submission's copy of a template cell: by id, then by its
        source; how is "same", "edited" (the id is there, the source is not) or None."""
        want = course.normalized(template_cell.source)
        i = self.by_id.get(template_cell.get("id"))
        if i is not None:
            cell = self.nb.cells[i]
            if course.normalized(cell.source) == want:
                return cell, "same"
            edited = cell
        else:
            edited = None
        for cell in self.nb.cells:
            if cell.cell_type == template_cell.cell_type and course.normalized(cell.source) == want:
                return cell, "same"
        return (edited, "edited") if edited is not None else (None, None)

    def index(self, cell) -> int:
        return next(i for i, c in enumerate(self.nb.cells) if c is cell)


# -- judging records ------------------------------------------------------------------------------


class Context:
    """What grading one lab of one student needs to know."""

    def __init__(self, student: StudentGrade, lab: Lab, params: dict, stamps: dict,
                 seeds: dict, folder: Path | None, results: Path | None = None):
        self.student, self.lab, self.params = student, lab, params
        self.stamps, self.seeds, self.folder, self.results = stamps, seeds, folder, results

    def whose(self, handout: dict) -> str:
        """Whose handout a record's seed is: a student of the class, or the student the
        record names if the seed is theirs."""
        seed, named = handout.get("seed"), handout.get("student")
        if seed is None:
            return "no handout (an instructor's checkout, or a handout for nobody)"
        if seed in self.seeds:
            return f"{self.seeds[seed]}'s handout"
        if isinstance(named, str) and course.seed_of(named) == seed:
            return f"{named}'s handout"
        return f"a handout of seed {seed}"


def identity_problem(record: dict, ctx: Context) -> str | None:
    """Why a record (of a check or of the notebook) is not from this student's run of this
    lab: another lab, another handout, other parameters. None if it is."""
    if record.get("lab") != ctx.lab.name:
        return f"it holds the records of lab {record.get('lab')}, not of {ctx.lab.name}"
    h = record.get("handout") or {}
    seed = h.get("seed")
    if seed != ctx.student.seed:
        if ctx.student.student is None:
            return (f"it was run from {ctx.whose(h)}, and no student was named: grade it "
                    f"with --student {h.get('student') or 'ID'} (STUDENT=)")
        return (f"it was run from {ctx.whose(h)}, not {ctx.student.student}'s (seed "
                f"{ctx.student.seed})")
    got = h.get("params") or {}
    if got != ctx.params and not (seed is None and got == {}):  # no handout.json: no params
        return (f"its parameters {got} are not those of the handout ({ctx.params}): was "
                "handout.json edited?")
    used = h.get("used") or {}
    changed = {k: v for k, v in used.items() if ctx.params.get(k, v) != v}
    if changed:
        return f"it ran with parameters {changed}, not the handout's"
    return None


def record_problem(record: dict, cell, ctx: Context) -> str | None:
    """Why a passed check's record does not hold up; None if it does."""
    if record.get("record_error"):
        return f"its record is incomplete ({record['record_error']})"
    if record.get("cell_sha256") != course.source_sha256(cell.source):
        return ("its record was made by other code than the cell holds (the cell was edited "
                "after it ran, or its output was pasted in)")
    problem = identity_problem(record, ctx)
    if problem:
        return problem
    if record.get("kind") == "check_answer":
        try:
            answer, measured = float(record["answer"]), float(record["measured"])
            tolerance = float(record["tolerance"])
        except (KeyError, TypeError, ValueError):
            return "its record lacks the answer, the measurement or the tolerance"
        if not (math.isfinite(answer) and math.isfinite(measured)) or \
                abs(answer - measured) > tolerance * abs(measured):
            return (f"its record does not add up: the answer {answer:g} is not within "
                    f"±{tolerance:.0%} of the measured {measured:g}")
    host = record.get("hostname")
    evidence = record.get("evidence") or []
    if not evidence:
        return "its record names no evidence"
    for item in evidence:
        kind = item.get("kind")
        name = item.get("file") or item.get("name") or "?"
        if kind == "reference":
            return f"reference data: {name} is the reference run's"
        if kind == "measurement":
            if item.get("hostname") != host:
                return f"the measurement {name} was made on {item.get('hostname')}, the check on {host}"
            continue
        if kind != "file":
            return f"{item.get('repr', name)} is not evidence"
        if item.get("started_at") in ctx.stamps:
            return (f"reference data: {name} is the reference run of "
                    f"{ctx.stamps[item['started_at']]} (same started_at)")
        if not item.get("sha256"):
            return f"{name} has no fingerprint in the record"
        if item.get("hostname") != host:
            return f"{name} was measured on {item.get('hostname')}, the check ran on {host}"
        handed_in = evidence_file(ctx.folder, item, ctx.results)
        if handed_in is not None:
            import hashlib

            if hashlib.sha256(handed_in.read_bytes()).hexdigest() != item["sha256"]:
                return f"{name}, as handed in, is not the file the check read (sha256 differs)"
    return None


def evidence_file(folder: Path | None, item: dict, results: Path | None = None) -> Path | None:
    """The handed-in copy of a results file a record names, if there is one: in RESULTS
    (--results), or the student's folder's build/notebooks/."""
    if not item.get("lab") or not item.get("file"):
        return None
    bases = [results] if results else []
    if folder is not None:
        bases += [folder / "build" / "notebooks", folder]
    for base in bases:
        path = base / item["lab"] / item["file"]
        if path.is_file():
            return path
    return None


# -- grading one lab ------------------------------------------------------------------------------


def read_notebook(path: Path):
    """The notebook, or a one-line reason why it is none."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as e:  # nbformat raises several kinds: say which and go on
        return None, f"not a notebook ({type(e).__name__}: {str(e).splitlines()[0][:200]})"
    if not isinstance(nb.get("cells"), list):
        return None, "not a notebook (no list of cells)"
    return nb, None


def grade_lab(ctx: Context, path: Path | None) -> LabGrade:
    lab = ctx.lab
    grade = LabGrade(lab, path)
    template, exercises = lab.template(ctx.params)
    for e in exercises:
        eg = ExerciseGrade(lab.name, e.number, e.kind, e.points)
        eg.key = lab.key(e.number, ctx.params)
        if not eg.declared:
            eg.why = "the instructor notebook declares no points for it"
        grade.exercises.append(eg)
    if not lab.declared:
        grade.warnings.append(f"{lab.name} declares no points: its exercises are not graded "
                              "(add \"lab\": {\"exercise\", \"points\"} to each exercise's cell)")
    if path is None:
        grade.status, grade.reason = "missing", "no notebook of this lab in the submission"
        for eg in grade.exercises:
            eg.status = "missing" if eg.declared else eg.status
        return grade
    nb, problem = read_notebook(path)
    if nb is None:
        grade.status, grade.reason = "unreadable", problem
        for eg in grade.exercises:
            eg.status = "unreadable" if eg.declared else eg.status
        return grade
    sub = Submission(nb)
    found = sum(1 for c in template.cells if sub.find(c)[0] is not None)
    if found < len(template.cells) // 2:
        grade.warnings.append(f"only {found} of the {len(template.cells)} cells of the handed-out "
                              f"{lab.name} are in it: another version of the lab, or another lab?")
    if any(course.is_solution(c) for c in nb.cells) and ctx.student.student:
        grade.warnings.append("it holds cells tagged 'solution' (an instructor's notebook?)")

    # The records of the whole notebook: whose run, which lab, built or not.
    all_checks = [(c, r) for c in nb.cells for r in records(c, course.CHECK_RECORD)]
    setup = [r for c in nb.cells for r in records(c, course.NOTEBOOK_RECORD)]
    for record in setup + [r for _, r in all_checks]:
        problem = identity_problem(record, ctx)
        if problem:
            grade.refuse(problem)
            break
    if grade.status == "graded":
        if any(r.get("live") is False for r in setup):
            grade.refuse("reference data: the lab ran without a build, so every check "
                         "shows the reference results (\"reference data: not graded\")")
        elif all_checks and all(r.get("outcome") == "not graded" for _, r in all_checks):
            grade.refuse("reference data: every check said \"reference data: not graded\"")
    hosts = sorted({r.get("hostname") for r in setup + [r for _, r in all_checks]} - {None})
    if len(hosts) > 1:
        grade.warnings.append(f"run on several machines: {', '.join(hosts)}")

    for e, eg in zip(exercises, grade.exercises):
        grade_answer(sub, template, e, eg)
        if eg.declared and e.checks and eg.check_possible:
            grade_checks(sub, template, e, eg, ctx)
        elif eg.declared:
            eg.status = "answer only"
            eg.why = "a written answer: needs a person"
        if grade.status != "graded" and eg.declared:
            eg.check_points = 0
            if eg.check_possible:
                eg.status, eg.why = grade.status, grade.reason
    return grade


def grade_answer(sub: Submission, template, e, eg: ExerciseGrade):
    if e.answer is None:
        return
    want = template.cells[e.answer]
    cell, how = sub.find(want)
    if cell is None:
        prefix = f"**Your answer (exercise {e.number}).**"
        cell = next((c for c in sub.nb.cells if c.cell_type == "markdown"
                     and c.source.lstrip().startswith(prefix)), None)
        how = "edited" if cell is not None else None
    if cell is None:
        eg.answer_text = None
        return
    texts = [cell.source]
    template_ids = {c.get("id") for c in template.cells}
    for later in sub.nb.cells[sub.index(cell) + 1:]:  # markdown cells the student added after it
        if later.get("id") in template_ids or later.cell_type != "markdown" \
                or course.is_solution(later):
            break
        texts.append(later.source)
    eg.answer_text = "\n\n".join(texts)
    eg.answered = how == "edited" or len(texts) > 1


def grade_checks(sub: Submission, template, e, eg: ExerciseGrade, ctx: Context):
    outcomes = []
    for i in e.checks:
        want = template.cells[i]
        cell, how = sub.find(want)
        if cell is None:
            eg.status, eg.why = "missing cell", ("its check cell is not in the notebook (deleted?): "
                                                 "nothing to grade")
            return
        if how == "edited":
            eg.status, eg.why = "edited", ("its check cell was edited: a check counts only as "
                                           "handed out")
            return
        recs = records(cell, course.CHECK_RECORD)
        error = error_of(cell)
        if not recs:
            if cell.get("execution_count") is None and not cell.get("outputs"):
                eg.status, eg.why = "not run", "its check cell was not run"
            elif error:
                eg.status, eg.why = "error", f"its check cell stopped: {error[0]}: {error[1][:200]}"
            else:
                eg.status, eg.why = "no check", f"no check ran; the cell said: {printed(cell) or '(nothing)'}"
            return
        outcomes.append((cell, recs))
    order = ["failed", "inconclusive", "not graded", "not answered"]
    for status in order:
        for cell, recs in outcomes:
            for r in recs:
                if r.get("outcome") == status:
                    eg.status = {"not graded": "reference data"}.get(status, status)
                    eg.why = r.get("message") or status
                    if status == "inconclusive":
                        eg.why += " (needs a person, or a rerun)"
                    return
    for cell, recs in outcomes:
        for r in recs:
            if r.get("outcome") != "passed":
                eg.status, eg.why = "failed", f"unknown outcome {r.get('outcome')!r} in its record"
                return
            problem = record_problem(r, cell, ctx)
            if problem:
                eg.status = "refused"
                eg.why = f"the check passed, but {problem}"
                return
    eg.status = "passed"
    eg.records = [r for _, recs in outcomes for r in recs]
    eg.evidence = [(item["sha256"], item.get("file")) for r in eg.records
                   for item in r.get("evidence", []) if item.get("kind") == "file"]
    eg.why = "; ".join(r.get("message", "") for r in eg.records)
    eg.check_points = eg.check_possible


# -- re-running a lab on this machine --------------------------------------------------------------


def rerun_lab(ctx: Context, grade: LabGrade, tolerance: float, timeout: int):
    """Execute the submitted notebook again in a scratch copy of this checkout, with the
    student's handout, and take the points of every passed check whose numbers the rerun does
    not reproduce within `tolerance` (relative)."""
    import nbclient

    passed = [eg for eg in grade.exercises if eg.status == "passed"]
    if grade.status != "graded" or not passed:
        return
    nb, _ = read_notebook(grade.path)
    scratch = Path(tempfile.mkdtemp(prefix="lab-rerun-"))
    try:
        os.chmod(scratch, 0o755)  # the lab's PostgreSQL runs as another user when we are root
        for entry in ROOT.iterdir():
            if entry.name not in ("build", "notebooks", "handout.json", ".git"):
                (scratch / entry.name).symlink_to(entry)
        (scratch / "notebooks").mkdir()
        for entry in (ROOT / "notebooks").iterdir():
            if entry.suffix != ".ipynb":
                (scratch / "notebooks" / entry.name).symlink_to(entry)
        (scratch / "build").mkdir()
        (scratch / "build" / "release").symlink_to(ROOT / "build" / "release")
        (scratch / "handout.json").write_text(json.dumps({
            "student": ctx.student.student, "seed": ctx.student.seed,
            "params": {ctx.lab.name: ctx.params}}))
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": str(scratch / "notebooks")}})
        env_before = dict(os.environ)
        os.environ["LAB_ROOT"] = str(scratch)
        os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the kernel's debugger, quiet
        os.environ.pop("LAB_HANDOUT", None)
        os.environ.pop("LAB_BIN", None)
        try:
            client.execute()
        except Exception as e:  # a kernel that died: every check of the lab is unconfirmed
            for eg in passed:
                eg.check_points, eg.status = 0, "not reproduced"
                eg.why = f"the rerun on this machine stopped: {type(e).__name__}: {str(e)[:200]}"
            return
        finally:
            os.environ.clear()
            os.environ.update(env_before)
    finally:
        remove_scratch(scratch)
    again = {}
    for cell in nb.cells:
        recs = records(cell, course.CHECK_RECORD)
        if recs:
            again[course.source_sha256(cell.source)] = recs
    for eg in passed:
        problem = compare_runs(eg.records, again, tolerance)
        if problem:
            eg.check_points, eg.status = 0, "not reproduced"
            eg.why = f"rerun on this machine: {problem}"
        else:
            eg.why += f" (reproduced on this machine within ±{tolerance:.0%})"


def remove_scratch(scratch: Path):
    """Stop a database cluster the rerun left behind (lab 7 stops its own at its end, but a
    rerun that failed midway may not reach that cell), then remove the scratch copy."""
    import subprocess

    cluster = ROOT / "harness" / "db" / "cluster.sh"
    if (scratch / "build" / "db" / "data" / "postmaster.pid").is_file() and cluster.is_file():
        subprocess.run([str(cluster), "stop"], env=dict(os.environ, LAB_DB_DIR=str(
            scratch / "build" / "db")), capture_output=True, timeout=120)
    shutil.rmtree(scratch, ignore_errors=True)


def compare_runs(submitted: list, again: dict, tolerance: float) -> str | None:
    """Why the rerun does not confirm the submitted records (None if it does): each check cell
    must pass again, and a typed answer's measurement (check_answer's `measured`) must agree
    within `tolerance`. The other values of a record (counts, shares) are shown, not compared:
    they vary more between machines than the relation that the check tests."""
    for r in submitted:
        reruns = [x for x in again.get(r.get("cell_sha256"), []) if x.get("kind") == r.get("kind")]
        if not reruns:
            return "its check cell made no check"
        other = reruns[0]
        if other.get("outcome") != "passed":
            return f"the check said: {other.get('message')}"
        mine, theirs = r.get("measured"), other.get("measured")
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and \
                abs(mine - theirs) > tolerance * max(abs(mine), abs(theirs), 1e-12):
            return (f"the measurement was {mine:.4g} in the submission and {theirs:.4g} here "
                    f"(over ±{tolerance:.0%})")
    return None


# -- the class --------------------------------------------------------------------------------------


def grade_student(student: StudentGrade, labs: dict, paths: dict, stamps: dict, seeds: dict,
                  args) -> StudentGrade:
    for name, lab in labs.items():
        params = course.params_for(student.seed, name, lab.nb)
        ctx = Context(student, lab, params, stamps, seeds, student.folder,
                      Path(args.results) if args.results else None)
        lg = grade_lab(ctx, paths.get(name))
        if args.rerun:
            rerun_lab(ctx, lg, args.rerun_tolerance, args.timeout)
        student.labs.append(lg)
    if args.model_reports:
        student.model = model_report(Path(args.model_reports) / f"{student.name}.json", student)
    return student


def model_report(path: Path, student: StudentGrade):
    """The hook for the write-your-own-model part: the JSON that `./lab grade-model NAME
    --json FILE` writes, run by the instructor on the student's model and kept as
    DIR/ID.json. Its cases (name, points, possible, passed, explanation) count beside the
    labs. Absent: nothing; unreadable: a problem of the student's row."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        cases = [{"name": str(c["name"]), "points": float(c["points"]),
                  "possible": float(c["possible"]), "passed": bool(c.get("passed")),
                  "explanation": str(c.get("explanation", ""))} for c in data["cases"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        student.problems.append(f"model report {path} unreadable: {type(e).__name__}: {e}")
        return None
    return {"file": str(path), "cases": cases,
            "points": sum(c["points"] for c in cases), "possible": sum(c["possible"] for c in cases)}


def shared_evidence(students: list[StudentGrade]):
    """Two students who handed in checks on the same results file (the same sha256) both
    lose those checks' points: a run is one student's."""
    owners = {}
    for s in students:
        for lg in s.labs:
            for eg in lg.exercises:
                for sha, name in eg.evidence:
                    owners.setdefault(sha, {}).setdefault(s.name, []).append((eg, name))
    for sha, by_student in owners.items():
        if len(by_student) < 2:
            continue
        for name, uses in by_student.items():
            others = ", ".join(sorted(set(by_student) - {name}))
            for eg, file in uses:
                if eg.status == "passed":
                    eg.check_points, eg.status = 0, "refused"
                    eg.why = (f"the check passed, but on the same results file ({file}, sha256 "
                              f"{sha[:12]}…) as {others}'s submission")


# -- reports -----------------------------------------------------------------------------------------


def md_escape_block(text: str) -> str:
    return "\n".join("> " + line for line in (text or "").splitlines()) or "> (empty)"


def write_report(s: StudentGrade, out: Path, rerun: bool):
    points, possible, answers, to_read = s.totals()
    lines = [f"# Grade report: {s.student or '(no handout: an instructor run)'}", ""]
    if s.seed:
        lines.append(f"Seed `{s.seed}`. ")
    lines += [f"**Total: {points:g} of {possible:g} points by checks**"
              + (f"; written answers are worth {answers} more, and those answered ({to_read} "
                 f"points) await a reader: `answers-{s.name}.md`." if answers else "."), ""]
    lines.append("Checks were judged from the records in the notebooks"
                 + (", and re-run on the grader's machine." if rerun else
                    " (nothing was re-run: `grade.py --rerun` confirms the numbers)."))
    for p in s.problems:
        lines.append(f"- **problem:** {p}")
    for lg in s.labs:
        lines += ["", f"## {lg.lab.name}: {lg.points} of {lg.possible} points by checks"
                  + (f", {lg.answer_possible} for answers" if lg.answer_possible else "")]
        if lg.path:
            lines.append(f"`{lg.path}`")
        if lg.status != "graded":
            lines.append(f"\n**{lg.status}:** {lg.reason}")
        for w in lg.warnings:
            lines.append(f"\n*warning:* {w}")
        if lg.exercises:
            lines += ["", "| exercise | checks | answer | status | why |", "|---|---|---|---|---|"]
        for eg in lg.exercises:
            check = f"{eg.check_points} / {eg.check_possible}" if eg.check_possible else "–"
            answer = (f"needs a person ({eg.answer_possible})" if eg.answer_possible and eg.answered
                      else f"not answered (0 / {eg.answer_possible})" if eg.answer_possible
                      else "–")
            why = eg.why.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {eg.number} ({eg.kind}) | {check} | {answer} | {eg.status} | {why} |")
    if s.model:
        lines += ["", f"## The model: {s.model['points']:g} of {s.model['possible']:g} points",
                  f"`{s.model['file']}`", "", "| case | points | passed | explanation |",
                  "|---|---|---|---|"]
        for c in s.model["cases"]:
            lines.append(f"| {c['name']} | {c['points']:g} / {c['possible']:g} | "
                         f"{'yes' if c['passed'] else 'no'} | {c['explanation']} |")
    (out / f"report-{s.name}.md").write_text("\n".join(lines) + "\n")


def write_answers(s: StudentGrade, out: Path):
    lines = [f"# Written answers: {s.student or '(no handout)'}", "",
             "Each exercise's answer cell as handed in, with the key beside it (the instructor "
             "notebook's *Answer.*, with this student's parameters). Score them by hand.", ""]
    for lg in s.labs:
        lines.append(f"## {lg.lab.name}" + (f" ({lg.status}: {lg.reason})" if lg.status != "graded"
                                              else ""))
        for eg in lg.exercises:
            pts = f"{eg.answer_possible} points" if eg.declared else "no points declared"
            lines += ["", f"### Exercise {eg.number} ({eg.kind}): {pts}", "", "**The student:**", ""]
            if eg.answer_text is None:
                lines.append("> (no answer cell: deleted, or the lab is missing)")
            elif not eg.answered:
                lines.append("> (not answered: the cell is as handed out)")
            else:
                lines.append(md_escape_block(eg.answer_text))
            lines += ["", "**The key:**", "", md_escape_block(eg.key or "(no key)")]
        lines.append("")
    (out / f"answers-{s.name}.md").write_text("\n".join(lines) + "\n")


def row(s: StudentGrade) -> dict:
    points, possible, answers, to_read = s.totals()
    return {
        "student": s.student, "seed": s.seed, "status": s.status,
        "checked_points": points, "checked_possible": possible,
        "answer_points_possible": answers, "answer_points_to_read": to_read,
        "labs": {lg.lab.name: {"status": lg.status, "reason": lg.reason, "points": lg.points,
                               "possible": lg.possible, "answer_possible": lg.answer_possible,
                               "warnings": lg.warnings} for lg in s.labs},
        "exercises": {f"{eg.lab}/{eg.number}": eg.row() for lg in s.labs for eg in lg.exercises},
        "model": s.model and {"points": s.model["points"], "possible": s.model["possible"]},
        "problems": s.problems,
    }


def write_tables(students: list[StudentGrade], labs: dict, out: Path, args):
    rows = [row(s) for s in students]
    (out / "grades.json").write_text(json.dumps({
        "graded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rerun": bool(args.rerun), "students": rows}, indent=1) + "\n")
    ex_cols = [f"{lab}/{e.number}" for lab, L in labs.items() for e in L.exercises if e.points]
    with open(out / "grades.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "seed", "status", "checked_points", "checked_possible",
                    "answer_points_possible", "answer_points_to_read", *labs, "model", *ex_cols,
                    "problems"])
        for r in rows:
            w.writerow([r["student"] or NO_HANDOUT, r["seed"] or "", r["status"],
                        r["checked_points"], r["checked_possible"], r["answer_points_possible"],
                        r["answer_points_to_read"],
                        *[(r["labs"][lab]["points"] if r["labs"].get(lab, {}).get("status") == "graded"
                           else r["labs"].get(lab, {}).get("status", "")) for lab in labs],
                        r["model"]["points"] if r["model"] else "",
                        *[r["exercises"].get(c, {}).get("points", "") for c in ex_cols],
                        " | ".join(r["problems"] + [f"{lab}: {v['reason']}" for lab, v in
                                                    r["labs"].items() if v["status"] != "graded"])])
    summary = ["# Grades", "", "| student | checks | written answers (answered / worth) | labs refused or missing |",
               "|---|---|---|---|"]
    for s, r in zip(students, rows):
        bad = [f"{lab} ({v['status']})" for lab, v in r["labs"].items() if v["status"] != "graded"]
        summary.append(f"| [{s.student or '(no handout)'}](report-{s.name}.md) | "
                       f"{r['checked_points']:g} / {r['checked_possible']:g} | "
                       f"{r['answer_points_to_read']} / {r['answer_points_possible']} "
                       f"([answers](answers-{s.name}.md)) | "
                       f"{', '.join(bad + r['problems']) or '–'} |")
    (out / "summary.md").write_text("\n".join(summary) + "\n")


# -- main --------------------------------------------------------------------------------------------


def holds_labs(folder: Path) -> bool:
    return any(p for p in folder.glob("[0-9][0-9]-*.ipynb")) or \
        any(p for p in folder.glob("notebooks/[0-9][0-9]-*.ipynb"))


def read_class(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        fail(f"cannot read the class list {path}: {e.strerror}")
    ids = []
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if line:
            sid = re.split(r"[,;\s]", line, maxsplit=1)[0]
            if not course.STUDENT_ID.match(sid):
                fail(f"{path}:{n}: {sid!r} is not a student id")
            ids.append(sid)
    return ids


def main():
    parser = argparse.ArgumentParser(prog="grade.py", description=__doc__.splitlines()[0])
    parser.add_argument("submission", help="a notebook, a student's folder, or a class folder")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--student", help="the student's id (their seed and parameters)")
    who.add_argument("--class", dest="class_file", help="a file of the class's ids, one a line")
    parser.add_argument("--out", default=str(ROOT / "build" / "grades"))
    parser.add_argument("--instructor", default=str(ROOT / "notebooks"),
                        help="the instructor notebooks, the key (default: notebooks/)")
    parser.add_argument("--labs", help="the labs to grade, by number: 01,03 (default: all)")
    parser.add_argument("--rerun", action="store_true",
                        help="re-execute each lab here and compare the numbers (runs student code)")
    parser.add_argument("--rerun-tolerance", type=float, default=0.5,
                        help="relative difference allowed between the two runs' numbers (0.5)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may take (rerun)")
    parser.add_argument("--results", help="where the results files the records name are "
                        "(default: the submission's build/notebooks/); one student only")
    parser.add_argument("--model-reports", help="a folder of ID.json from ./lab grade-model")
    parser.add_argument("--expect", choices=["full", "zero"],
                        help="exit 1 unless every student got full marks by checks (inconclusive "
                             "checks excepted) and nothing was refused, or zero")
    args = parser.parse_args()

    sub = Path(args.submission)
    if not sub.exists():
        fail(f"{sub}: no such file or folder")
    if args.student is not None and not course.STUDENT_ID.match(args.student):
        fail(f"--student {args.student!r}: an id is letters, digits, . _ - (at most 64)")
    if not 0 < args.rerun_tolerance < 10:
        fail("--rerun-tolerance must be between 0 and 10")
    if args.results and not Path(args.results).is_dir():
        fail(f"--results {args.results}: not a folder")
    if args.results and args.class_file:
        fail("--results is for one student's submission, not a class")
    if args.model_reports and not Path(args.model_reports).is_dir():
        fail(f"--model-reports {args.model_reports}: not a folder")
    try:
        import nbformat  # noqa: F401
    except ImportError:
        fail("nbformat is missing: run ./lab setup (Debian: jupyter-nbconvert)", 1)

    wanted = set(args.labs.split(",")) if args.labs else None
    labs = {}
    instructor = Path(args.instructor)
    for path in sorted(instructor.glob("[0-9][0-9]-*.ipynb")):
        if wanted is None or path.name[:2] in wanted:
            try:
                labs[path.stem] = Lab(path)
            except Exception as e:  # the key itself is broken: nothing can be graded
                fail(f"{path}: not a valid instructor notebook: {str(e).splitlines()[0]}", 1)
            problems = course.declaration_problems(labs[path.stem].nb)
            if problems:
                fail(f"{path}: {problems[0]}", 1)
    if not labs:
        fail(f"no instructor labs {'matching --labs ' + args.labs + ' ' if wanted else ''}"
             f"in {instructor}")

    # Who is in this submission.
    if sub.is_file():
        if sub.suffix != ".ipynb":
            fail(f"{sub}: give a notebook (.ipynb) or a folder")
        name = next((n for n in labs if n[:2] == sub.name[:2]), None)
        if name is None:
            fail(f"{sub}: its name does not start with the number of a lab ({', '.join(labs)})")
        labs = {name: labs[name]}
        plan = [(args.student, None, {name: sub})]
    elif args.class_file or (args.student is None and not holds_labs(sub)):
        ids = read_class(Path(args.class_file)) if args.class_file else sorted(
            d.name for d in sub.iterdir() if d.is_dir() and course.STUDENT_ID.match(d.name))
        if not ids:
            fail(f"{sub}: no lab notebooks, and no folder per student in it")
        plan = [(sid, sub / sid, None) for sid in ids]
    else:
        plan = [(args.student, sub, None)]

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamps = reference_stamps()
    seeds = {course.seed_of(sid): sid for sid, _, _ in plan if sid}
    students = []
    for sid, folder, paths in plan:
        s = StudentGrade(sid, folder)
        try:
            if paths is None:
                if not folder.is_dir():
                    s.status = "no submission"
                    s.problems.append(f"no folder {folder}")
                    paths = {}
                else:
                    paths, warnings = find_labs(folder, labs)
                    s.problems += warnings
            grade_student(s, labs, paths, stamps, seeds, args)
        except Exception as e:  # one student's bad input (or a bug) must not stop the class
            s.status = "error"
            s.problems.append(f"grader error: {type(e).__name__}: {e}")
            print(f"grade.py: {s.name}: {type(e).__name__}: {e}", file=sys.stderr)
            traceback.print_exc(limit=3)
        students.append(s)
    if len(students) > 1:
        shared_evidence(students)
    for s in students:
        write_report(s, out, args.rerun)
        write_answers(s, out)
    write_tables(students, labs, out, args)

    for s in students:
        points, possible, answers, to_read = s.totals()
        bad = [f"{lg.lab.name} {lg.status}" for lg in s.labs if lg.status != "graded"]
        print(f"{s.student or '(no handout)'}: {points:g} of {possible:g} points by checks; "
              f"written answers: {to_read} of {answers} points answered, to read"
              + (f"; {', '.join(bad)}" if bad else "") + (f"; {s.status}" if s.status != "graded" else ""))
    print(f"reports in {out}: summary.md, report-ID.md, answers-ID.md, grades.json, grades.csv")

    if args.expect:
        sys.exit(0 if expectation_holds(students, args.expect) else 1)


def expectation_holds(students: list[StudentGrade], expect: str) -> bool:
    ok = True
    for s in students:
        for lg in s.labs:
            for eg in lg.exercises:
                if not eg.declared or not eg.check_possible:
                    continue
                if expect == "full":
                    if eg.status == "inconclusive":
                        print(f"note: {s.name} {lg.lab.name} exercise {eg.number}: inconclusive "
                              f"(tolerated): {eg.why}")
                    elif eg.check_points != eg.check_possible:
                        print(f"expected full marks: {s.name} {lg.lab.name} exercise {eg.number}: "
                              f"{eg.status}: {eg.why}", file=sys.stderr)
                        ok = False
                elif eg.check_points:
                    print(f"expected zero: {s.name} {lg.lab.name} exercise {eg.number} earned "
                          f"{eg.check_points}: {eg.why}", file=sys.stderr)
                    ok = False
        if expect == "full" and (s.status != "graded" or any(lg.status != "graded" for lg in s.labs)):
            print(f"expected full marks: {s.name}: "
                  + "; ".join([f"{lg.lab.name} {lg.status}: {lg.reason}" for lg in s.labs
                               if lg.status != "graded"] + s.problems), file=sys.stderr)
            ok = False
    return ok


if __name__ == "__main__":
    main()
