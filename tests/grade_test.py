#!/usr/bin/python3
"""Tests of the handout builder (notebooks/handout.py) and the grader (notebooks/grade.py).
Run by ctest (tests/docs.cmake) with Debian's python3; needs the release build (./lab build)
for a short sweep, and nbclient with the python3 kernel (./lab setup).

The grader is tested on a small lab of its own (98-grade-test: a recorded measurement, a
sweep and a written answer), executed for real with nbclient, as the instructor (full marks),
as an untouched student copy (zero), and tampered with in each way the grader must catch;
the handout on the real labs, for two students. Executing the real labs is Makefile.docs'
job (grade-check, handout-check-ci)."""

import copy
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))

try:
    import nbclient
    import nbformat
except ImportError:
    sys.exit("grade_test: nbformat or nbclient is missing: run ./lab setup")

import course  # noqa: E402
import labkit  # noqa: E402

GRADE = ROOT / "notebooks" / "grade.py"
HANDOUT = ROOT / "notebooks" / "handout.py"
LAB = "98-grade-test"
SETUP = f'''import sys
from pathlib import Path

root = next(d for d in [Path.cwd(), *Path.cwd().parents] if (d / "notebooks" / "labkit.py").is_file())
sys.path.insert(0, str(root / "notebooks"))
import labkit as lab

nb = lab.Notebook("{LAB}")'''


def md(source, tags=(), lab=None):
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    if lab:
        cell.metadata["lab"] = lab
    return cell


def code(source, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def instructor_lab():
    """The test lab: exercise 1 checks a recorded measurement against a typed prediction
    (its parameter `count` is in the text), exercise 2 a relation over a sweep, exercise 3 is
    a question."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["lab"] = {"params": {"count": {"default": 3, "choices": [2, 3, 4, 5, 6, 7],
                                               "about": "exercise 1's count"}}}
    nb.cells = [
        md("# Lab 98: a lab to test the grader\n\n**Learning goals.** None."),
        code(SETUP),
        md("## Exercises\n\n**Exercise 1 (measure).** Record <span data-param=\"count\">3</span> "
           "as `value` with `nb.record` and predict it.", lab={"exercise": 1,
                                                              "points": {"check": 2, "answer": 1}}),
        md("**Your answer (exercise 1).** Say what you recorded.", ["answer"]),
        code('COUNT = nb.param("count", 3)\nvalue = None      # nb.record("value", ...)\n'
             "predicted = None  # your prediction"),
        code('value = nb.record("value", float(COUNT))\npredicted = COUNT', ["solution"]),
        code('if value is None:\n    print("not measured yet: record value as the exercise says")\n'
             "else:\n    lab.check_answer(predicted, value, evidence=value, tolerance=0.1,\n"
             '                     what="the count you recorded")'),
        md("*Answer.* It was <span data-param=\"count\">3</span>.", ["solution"]),
        md("**Exercise 2 (measure).** Run a sweep named `ping`.",
           lab={"exercise": 2, "points": {"check": 2, "answer": 1}}),
        md("**Your answer (exercise 2).** Your requests/s.", ["answer"]),
        code('if nb.live:\n    nb.sweep("ping", models=["threads"], workload="ping", connections=[1],\n'
             '             duration="300ms", warmup="100ms")', ["solution"]),
        code('res = nb.results("ping")\nif res is None:\n    print("not run yet: run the ping sweep")\n'
             'else:\n    rps = res.value("client.throughput_rps", model="threads")\n'
             '    lab.check(lambda rps: rps > 10, {"rps": rps}, evidence=res,\n'
             '              passed=f"{rps:.0f} requests/s, over 10", failed=f"{rps:.0f} requests/s, under 10")'),
        md("*Answer.* Thousands.", ["solution"]),
        md("**Exercise 3 (question).** Why?", lab={"exercise": 3, "points": {"answer": 2}}),
        md("**Your answer (exercise 3).** Why.", ["answer"]),
        md("*Answer.* Because.", ["solution"]),
    ]
    nbformat.validate(nb)
    return nb


def execute(nb, env=None):
    """Run a notebook as a student would (its kernel in notebooks/, errors kept in the
    outputs); returns the executed copy."""
    nb = copy.deepcopy(nb)
    saved = dict(os.environ)
    os.environ.update({"PYDEVD_DISABLE_FILE_VALIDATION": "1", **(env or {})})
    try:
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def handout_json(path: Path, student: str, lab_nb) -> Path:
    seed = course.seed_of(student)
    path.write_text(json.dumps({"student": student, "seed": seed,
                                "params": {LAB: course.params_for(seed, LAB, lab_nb)}}))
    return path


def check_cell_of(nb, number):
    exercises = {e.number: e for e in course.exercises(nb)}
    return nb.cells[exercises[number].checks[0]]


class Grader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (labkit.BIN / "lab-harness").is_file():
            raise AssertionError(f"{labkit.BIN / 'lab-harness'} is not built: ./lab build first")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        shutil.rmtree(ROOT / "build" / "notebooks" / LAB, ignore_errors=True)
        cls.key = cls.dir / "key"
        cls.lab = instructor_lab()
        write(cls.lab, cls.key / f"{LAB}.ipynb")
        # Two students whose parameter differs.
        cls.alice, cls.beth = "alice", "beth"
        cls.params = {s: course.params_for(course.seed_of(s), LAB, cls.lab) for s in ("alice", "beth")}
        assert cls.params["alice"] != cls.params["beth"], cls.params
        cls.handouts = {s: handout_json(cls.dir / f"{s}.json", s, cls.lab) for s in ("alice", "beth")}
        alice_env = {"LAB_HANDOUT": str(cls.handouts["alice"])}
        # The runs a class would hand in; those that run no sweep first, so that they find no
        # results file of an earlier run in build/notebooks/98-grade-test/.
        student_copy, _ = course.student_copy(cls.lab, cls.params["alice"])
        cls.untouched = execute(student_copy, alice_env)                  # alice, nothing done
        typed = copy.deepcopy(student_copy)
        for cell in typed.cells:
            if cell.source.startswith('COUNT = nb.param("count", 3)'):
                cell.source = ('COUNT = nb.param("count", 3)\nvalue = float(COUNT)  # typed, not recorded\n'
                               "predicted = COUNT")
        cls.typed = execute(typed, alice_env)
        cls.reference = execute(cls.lab, {**alice_env, "LAB_BIN": str(cls.dir / "no-binaries")})
        cls.instructor = execute(cls.lab)                                  # no handout
        cls.solved = execute(cls.lab, alice_env)                          # alice, every exercise done

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        shutil.rmtree(ROOT / "build" / "notebooks" / LAB, ignore_errors=True)

    def grade(self, submission, *args, expect=None):
        out = Path(tempfile.mkdtemp(dir=self.dir))
        cmd = [sys.executable, str(GRADE), str(submission), "--instructor", str(self.key),
               "--out", str(out), *args] + (["--expect", expect] if expect else [])
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        grades = None
        if (out / "grades.json").is_file():
            grades = json.loads((out / "grades.json").read_text())
        return result, grades, out

    def student_folder(self, name, nb):
        folder = self.dir / "class" / name
        write(nb, folder / "notebooks" / f"{LAB}.ipynb")
        return folder

    def exercise(self, grades, number, student=None):
        row = next(r for r in grades["students"] if r["student"] == student) if student \
            else grades["students"][0]
        return row["exercises"][f"{LAB}/{number}"]

    # -- full marks and zero --

    def test_the_instructor_run_scores_full_marks(self):
        path = write(self.instructor, self.dir / "instructor" / f"{LAB}.ipynb")
        result, grades, out = self.grade(path.parent, expect="full")
        self.assertEqual(result.returncode, 0, result.stderr)
        row = grades["students"][0]
        self.assertEqual((row["checked_points"], row["checked_possible"]), (4, 4))
        self.assertEqual(row["answer_points_possible"], 4)
        report = (out / "report-no-handout.md").read_text()
        self.assertIn("**Total: 4 of 4 points by checks**", report)
        self.assertIn("check passed: the count you recorded", report)

    def test_a_students_solutions_score_full_marks_as_that_student(self):
        folder = self.student_folder("alice-solved", self.solved)
        result, grades, _ = self.grade(folder, "--student", "alice", expect="full")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(grades["students"][0]["checked_points"], 4)
        self.assertEqual(grades["students"][0]["seed"], course.seed_of("alice"))

    def test_the_untouched_student_copy_scores_zero(self):
        for nb in (course.student_copy(self.lab, self.params["alice"])[0], self.untouched):
            with self.subTest(executed=nb is self.untouched):
                folder = self.student_folder("alice-untouched", nb)
                result, grades, out = self.grade(folder, "--student", "alice", expect="zero")
                self.assertEqual(result.returncode, 0, result.stderr)
                row = grades["students"][0]
                self.assertEqual((row["checked_points"], row["checked_possible"]), (0, 4))
                self.assertEqual(row["labs"][LAB]["status"], "graded")
                self.assertEqual(row["answer_points_to_read"], 0)
                ex1, ex2 = self.exercise(grades, 1), self.exercise(grades, 2)
                if nb is self.untouched:
                    self.assertEqual(ex1["status"], "no check")
                    self.assertIn("not measured yet", ex1["why"])
                    self.assertIn("not run yet: run the ping sweep", ex2["why"])
                else:
                    self.assertEqual(ex1["status"], "not run")
                report = (out / "report-alice.md").read_text()
                self.assertIn("**Total: 0 of 4 points by checks**", report)

    # -- what must score zero, and the refusals --

    def test_a_typed_constant_scores_zero(self):
        folder = self.student_folder("alice-typed", self.typed)
        result, grades, _ = self.grade(folder, "--student", "alice")
        self.assertEqual(result.returncode, 0, result.stderr)
        ex1 = self.exercise(grades, 1)
        self.assertEqual((ex1["points"], ex1["status"]), (0, "failed"))
        self.assertIn("is not evidence", ex1["why"])

    def test_reference_data_is_refused(self):
        folder = self.student_folder("alice-reference", self.reference)
        result, grades, _ = self.grade(folder, "--student", "alice")
        self.assertEqual(result.returncode, 0, result.stderr)
        lab = grades["students"][0]["labs"][LAB]
        self.assertEqual(lab["status"], "refused")
        self.assertIn("reference data", lab["reason"])
        self.assertEqual(grades["students"][0]["checked_points"], 0)

    def test_evidence_stamped_as_the_reference_run_is_refused(self):
        stamp = json.loads((ROOT / "results" / "reference" / "notebooks" / "01-blocking"
                            / "io.json").read_text())["started_at"]
        nb = copy.deepcopy(self.solved)
        for output in check_cell_of(nb, 2).outputs:
            record = output.get("data", {}).get(course.CHECK_RECORD)
            if record:
                record["evidence"][0]["started_at"] = stamp
        folder = self.student_folder("alice-ref-stamp", nb)
        _, grades, _ = self.grade(folder, "--student", "alice")
        ex2 = self.exercise(grades, 2)
        self.assertEqual((ex2["points"], ex2["status"]), (0, "refused"))
        self.assertIn("reference data: ping.json is the reference run of "
                      "results/reference/notebooks/01-blocking/io.json", ex2["why"])

    def test_another_students_seed_is_refused(self):
        folder = self.student_folder("alice-as-beth", self.solved)
        result, grades, _ = self.grade(folder, "--student", "beth")
        self.assertEqual(result.returncode, 0, result.stderr)
        lab = grades["students"][0]["labs"][LAB]
        self.assertEqual(lab["status"], "refused")
        self.assertIn(f"it was run from alice's handout, not beth's (seed {course.seed_of('beth')})",
                      lab["reason"])
        self.assertEqual(grades["students"][0]["checked_points"], 0)
        # In a class, the grader names whose handout it was.
        klass = self.dir / "named"
        write(self.solved, klass / "beth" / f"{LAB}.ipynb")
        write(self.solved, klass / "alice" / f"{LAB}.ipynb")
        _, grades, _ = self.grade(klass)
        beth = next(r for r in grades["students"] if r["student"] == "beth")
        self.assertIn("it was run from alice's handout, not beth's", beth["labs"][LAB]["reason"])

    def test_a_run_without_handout_is_refused_for_a_student(self):
        folder = self.student_folder("instructor-as-alice", self.instructor)
        _, grades, _ = self.grade(folder, "--student", "alice")
        self.assertIn("run from no handout", grades["students"][0]["labs"][LAB]["reason"])

    def test_edited_parameters_are_refused(self):
        nb = copy.deepcopy(self.solved)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                for mime in (course.CHECK_RECORD, course.NOTEBOOK_RECORD):
                    record = output.get("data", {}).get(mime)
                    if record:
                        record["handout"]["params"] = {"count": 99}
        folder = self.student_folder("alice-params", nb)
        _, grades, _ = self.grade(folder, "--student", "alice")
        self.assertIn("are not those of the handout", grades["students"][0]["labs"][LAB]["reason"])

    def test_a_record_that_does_not_match_its_cell(self):
        nb = copy.deepcopy(self.solved)
        check_cell_of(nb, 1).source += "\n# edited after it ran"
        folder = self.student_folder("alice-edited", nb)
        _, grades, _ = self.grade(folder, "--student", "alice")
        ex1 = self.exercise(grades, 1)
        self.assertEqual((ex1["points"], ex1["status"]), (0, "edited"))
        # The record moved into another cell (pasted output): made by other code.
        nb = copy.deepcopy(self.solved)
        check_cell_of(nb, 1).outputs = copy.deepcopy(check_cell_of(nb, 2).outputs)
        _, grades, _ = self.grade(self.student_folder("alice-pasted", nb), "--student", "alice")
        ex1 = self.exercise(grades, 1)
        self.assertEqual(ex1["points"], 0)
        self.assertIn("made by other code than the cell holds", ex1["why"])
        # A record whose numbers were changed no longer adds up.
        nb = copy.deepcopy(self.solved)
        for output in check_cell_of(nb, 1).outputs:
            record = output.get("data", {}).get(course.CHECK_RECORD)
            if record:
                record["measured"] = 1000.0
        _, grades, _ = self.grade(self.student_folder("alice-numbers", nb), "--student", "alice")
        self.assertIn("does not add up", self.exercise(grades, 1)["why"])

    def test_a_results_file_changed_after_the_check(self):
        folder = self.student_folder("alice-results", self.solved)
        results = folder / "build" / "notebooks" / LAB
        results.mkdir(parents=True)
        shutil.copy(ROOT / "build" / "notebooks" / LAB / "ping.json", results)
        _, grades, _ = self.grade(folder, "--student", "alice")
        self.assertEqual(self.exercise(grades, 2)["status"], "passed")
        data = json.loads((results / "ping.json").read_text())
        data["runs"][0]["client"]["throughput_rps"] *= 10
        (results / "ping.json").write_text(json.dumps(data))
        _, grades, _ = self.grade(folder, "--student", "alice")
        self.assertIn("is not the file the check read", self.exercise(grades, 2)["why"])

    def test_a_deleted_cell_costs_its_exercise_only(self):
        nb = copy.deepcopy(self.solved)
        nb.cells.remove(check_cell_of(nb, 1))
        answer = next(c for c in nb.cells if c.source.startswith("**Your answer (exercise 3).**"))
        nb.cells.remove(answer)
        folder = self.student_folder("alice-deleted", nb)
        _, grades, out = self.grade(folder, "--student", "alice")
        ex1, ex2 = self.exercise(grades, 1), self.exercise(grades, 2)
        self.assertEqual((ex1["points"], ex1["status"]), (0, "missing cell"))
        self.assertIn("deleted?", ex1["why"])
        self.assertEqual((ex2["points"], ex2["status"]), (2, "passed"))
        self.assertIn("(no answer cell: deleted, or the lab is missing)",
                      (out / "answers-alice.md").read_text())

    def test_written_answers_are_gathered_with_the_key(self):
        nb = copy.deepcopy(self.untouched)
        answer = next(c for c in nb.cells if c.source.startswith("**Your answer (exercise 3).**"))
        answer.source += "\n\nBecause the loop never blocks."
        folder = self.student_folder("alice-wrote", nb)
        _, grades, out = self.grade(folder, "--student", "alice")
        self.assertEqual(grades["students"][0]["answer_points_to_read"], 2)
        text = (out / "answers-alice.md").read_text()
        self.assertIn("> Because the loop never blocks.", text)
        self.assertIn("> *Answer.* Because.", text)
        # The key shows the student's own parameter.
        self.assertIn(f"> *Answer.* It was {self.params['alice']['count']}.", text)

    # -- a class: bad input is reported per student, and never stops the others --

    def test_a_class_with_bad_submissions(self):
        klass = self.dir / "klass"
        write(self.solved, klass / "alice" / "notebooks" / f"{LAB}.ipynb")
        (klass / "carol").mkdir(parents=True)
        (klass / "carol" / f"{LAB}.ipynb").write_text('{"cells": [')          # corrupt
        (klass / "dave").mkdir()                                              # no lab at all
        erin = course.student_copy(self.lab, course.params_for(course.seed_of("erin"), LAB, self.lab))[0]
        write(erin, klass / "erin" / f"{LAB} (1).ipynb")                     # renamed by a browser
        roster = self.dir / "roster.txt"
        roster.write_text("alice\nbeth  # never handed in\ncarol\ndave\nerin\n")
        result, grades, out = self.grade(klass, "--class", str(roster))
        self.assertEqual(result.returncode, 0, result.stderr)
        rows = {r["student"]: r for r in grades["students"]}
        self.assertEqual(list(rows), ["alice", "beth", "carol", "dave", "erin"])
        self.assertEqual(rows["alice"]["checked_points"], 4)
        self.assertEqual(rows["beth"]["status"], "no submission")
        self.assertEqual(rows["carol"]["labs"][LAB]["status"], "unreadable")
        self.assertIn("not a notebook", rows["carol"]["labs"][LAB]["reason"])
        self.assertEqual(rows["dave"]["labs"][LAB]["status"], "missing")
        self.assertEqual(rows["erin"]["labs"][LAB]["status"], "graded")
        with open(out / "grades.csv") as f:
            table = list(csv.DictReader(f))
        self.assertEqual([r["student"] for r in table], list(rows))
        self.assertEqual(table[0]["checked_points"], "4")
        self.assertEqual(table[0][f"{LAB}/1"], "2")
        self.assertEqual(table[2][LAB], "unreadable")
        for name in rows:
            self.assertTrue((out / f"report-{name}.md").is_file())
            self.assertTrue((out / f"answers-{name}.md").is_file())
        self.assertIn("| [alice](report-alice.md) | 4 / 4 |", (out / "summary.md").read_text())

    def test_two_students_with_the_same_results_file(self):
        # Beth hands in alice's run with every record rewritten to her seed and parameters.
        beth = copy.deepcopy(self.solved)
        for cell in beth.cells:
            for output in cell.get("outputs", []):
                for mime in (course.CHECK_RECORD, course.NOTEBOOK_RECORD):
                    record = output.get("data", {}).get(mime)
                    if record:
                        record["handout"].update(seed=course.seed_of("beth"),
                                                 student="beth", params=self.params["beth"])
                        record["handout"]["used"] = {k: v for k, v in self.params["beth"].items()
                                                     if k in record["handout"].get("used", {})}
        klass = self.dir / "copied"
        write(self.solved, klass / "alice" / f"{LAB}.ipynb")
        write(beth, klass / "beth" / f"{LAB}.ipynb")
        _, grades, _ = self.grade(klass)
        for student, other in (("alice", "beth"), ("beth", "alice")):
            ex2 = self.exercise(grades, 2, student)
            self.assertEqual((ex2["points"], ex2["status"]), (0, "refused"))
            self.assertIn(f"on the same results file (ping.json", ex2["why"])
            self.assertIn(f"as {other}'s submission", ex2["why"])

    # -- rerun --

    def test_rerun_confirms_an_honest_run_and_catches_changed_numbers(self):
        folder = self.student_folder("alice-rerun", self.solved)
        result, grades, _ = self.grade(folder, "--student", "alice", "--rerun")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(grades["students"][0]["checked_points"], 4, grades)
        self.assertIn("reproduced on this machine", self.exercise(grades, 1)["why"])
        nb = copy.deepcopy(self.solved)
        for output in check_cell_of(nb, 1).outputs:
            record = output.get("data", {}).get(course.CHECK_RECORD)
            if record:  # numbers that add up, but are not what the cell measures
                record["answer"] = record["measured"] = 100.0
        folder = self.student_folder("alice-rerun-tampered", nb)
        _, grades, _ = self.grade(folder, "--student", "alice", "--rerun")
        ex1 = self.exercise(grades, 1)
        self.assertEqual((ex1["points"], ex1["status"]), (0, "not reproduced"))
        self.assertIn("the measurement was 100 in the submission", ex1["why"])

    # -- undeclared exercises, bad use --

    def test_an_exercise_without_points_is_reported_undeclared(self):
        lab = instructor_lab()
        for cell in lab.cells:
            cell.metadata.pop("lab", None)
        key = self.dir / "key-undeclared"
        write(lab, key / "97-undeclared.ipynb")
        copy_, _ = course.student_copy(lab)
        path = write(copy_, self.dir / "undeclared" / "97-undeclared.ipynb")
        result = subprocess.run([sys.executable, str(GRADE), str(path), "--instructor", str(key),
                                 "--out", str(self.dir / "out-undeclared")],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        grades = json.loads((self.dir / "out-undeclared" / "grades.json").read_text())
        row = grades["students"][0]
        self.assertEqual(row["checked_possible"], 0)
        self.assertEqual(row["exercises"]["97-undeclared/1"]["status"], "undeclared")
        self.assertIn("declares no points", row["labs"]["97-undeclared"]["warnings"][0])

    def test_bad_use_is_status_2(self):
        for args in (["/no/such/folder"], [str(self.key), "--student", "../x"],
                     [str(self.key), "--frobnicate"], [str(self.key), "--rerun-tolerance", "0"],
                     [str(self.key), "--student", "a", "--class", "f"]):
            with self.subTest(args=args):
                result = subprocess.run([sys.executable, str(GRADE), *args, "--instructor",
                                         str(self.key)], capture_output=True, text=True, timeout=60)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertTrue(result.stderr.strip().splitlines()[-1].startswith("grade.py:"),
                                result.stderr)


class Handouts(unittest.TestCase):
    """Two students' handouts of the real labs: standalone, without what only an instructor
    sees, each with its own seed, parameters and text. (Building and running one is
    Makefile.docs' handout-check-ci.)"""

    @classmethod
    def setUpClass(cls):
        # A handout is built from `git ls-files`: a source tree unpacked from an archive (as
        # `./lab check-clean-root` tests it) has no history to build one from, and says so.
        if shutil.which("git") is None or subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "--verify", "-q", "HEAD"],
                capture_output=True).returncode != 0:
            raise unittest.SkipTest(f"{ROOT} is not a git checkout: handout.py builds a handout from "
                                    "`git ls-files`, so there is none to build here")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.ids = ("alice", "bob")
        cls.out = {}
        for sid in cls.ids:
            out = cls.dir / sid
            result = subprocess.run([sys.executable, str(HANDOUT), "--student", sid, "--out",
                                     str(out)], capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                raise AssertionError(result.stderr)
            cls.out[sid] = out
        cls.info = {s: json.loads((cls.out[s] / "handout.json").read_text()) for s in cls.ids}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_it_holds_what_a_student_needs_and_nothing_an_instructor_keeps(self):
        for sid, out in self.out.items():
            with self.subTest(student=sid):
                for needed in ("lab", "README.md", "CMakeLists.txt", "notebooks/labkit.py",
                               "notebooks/01-blocking.ipynb", "results/reference/notebooks/01-blocking/io.json",
                               "harness/workloads/io.json", "HANDOUT.md", "handout.json"):
                    self.assertTrue((out / needed).exists(), needed)
                self.assertTrue(os.access(out / "lab", os.X_OK))
                for gone in (".git", "notebooks/claims", "notebooks/grade.py", "notebooks/handout.py",
                             "Makefile.docs", ".ci", "tests/grade_test.py",
                             "results/reference/notebooks/01-blocking/io-long.json",
                             "results/reference/notebooks/07-real-backends/db-pool-mine.json"):
                    self.assertFalse((out / gone).exists(), gone)
                for path in sorted((out / "notebooks").glob("[0-9][0-9]-*.ipynb")):
                    nb = nbformat.read(str(path), as_version=4)
                    self.assertFalse([c for c in nb.cells if course.is_solution(c)], path.name)
                    self.assertFalse([c for c in nb.cells if "*Answer.*" in c.source], path.name)
                    self.assertFalse([c for c in nb.cells if course.PARAM_SPAN.search(c.source)])
                    self.assertTrue(nb.metadata.get("lab_student_copy"))
                result = subprocess.run([sys.executable, str(out / "notebooks" / "docs.py"),
                                         "check-student", *map(str, sorted(
                                             (out / "notebooks").glob("[0-9][0-9]-*.ipynb")))],
                                        capture_output=True, text=True, timeout=120)
                self.assertEqual(result.returncode, 0, result.stderr)

    def test_each_student_has_a_seed_and_parameters_of_their_own(self):
        a, b = self.info["alice"], self.info["bob"]
        self.assertEqual(a["seed"], course.seed_of("alice"))
        self.assertNotEqual(a["seed"], b["seed"])
        self.assertNotEqual(a["params"], b["params"])
        labs_with_params = [lab for lab, p in a["params"].items() if p]
        self.assertGreaterEqual(len(labs_with_params), 3)
        # The text shows the student's own value: lab 7's pool, in the exercise and the README.
        for sid in self.ids:
            pool = self.info[sid]["params"]["07-real-backends"]["pool"]
            nb = nbformat.read(str(self.out[sid] / "notebooks" / "07-real-backends.ipynb"), as_version=4)
            exercise = next(c.source for c in nb.cells if c.source.startswith("**Exercise 1"))
            self.assertIn(f"Your pool size is {pool},", exercise)
            self.assertIn("*(5 points: 3 for the check, 2 for your written answer)*", exercise)
            self.assertIn(f"| `07-real-backends` | `pool` | {pool} |",
                          (self.out[sid] / "HANDOUT.md").read_text())

    def test_the_labs_read_the_students_parameters(self):
        script = ("import labkit as lab\n"
                  "nb = lab.Notebook('07-real-backends')\n"
                  "print('pool', nb.param('pool', 6))\n"
                  "nb = lab.Notebook('01-blocking')\n"
                  "print('cap', nb.param('cap', 4))\n")
        for sid, out in self.out.items():
            with self.subTest(student=sid):
                env = dict(os.environ, LAB_BIN=str(self.dir / "no-binaries"))
                env.pop("LAB_ROOT", None)
                env.pop("LAB_HANDOUT", None)
                result = subprocess.run([sys.executable, "-c", script], cwd=out / "notebooks",
                                        env=env, capture_output=True, text=True, timeout=60)
                self.assertEqual(result.returncode, 0, result.stderr)
                p = self.info[sid]["params"]
                self.assertIn(f"pool {p['07-real-backends']['pool']}\n", result.stdout)
                self.assertIn(f"cap {p['01-blocking']['cap']}\n", result.stdout)
                self.assertIn(f"Handout for **{sid}**", result.stdout)

    def test_its_untouched_labs_grade_to_zero_and_to_another_student_they_are_refused(self):
        out = self.dir / "grades"
        result = subprocess.run([sys.executable, str(GRADE), str(self.out["alice"]), "--student",
                                 "alice", "--out", str(out), "--expect", "zero"],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        row = json.loads((out / "grades.json").read_text())["students"][0]
        self.assertEqual(row["checked_points"], 0)
        self.assertGreater(row["checked_possible"], 0)
        self.assertTrue(all(v["status"] == "graded" for v in row["labs"].values()), row["labs"])

    def test_bad_use(self):
        taken = self.dir / "taken"
        taken.mkdir()
        (taken / "notes.txt").write_text("mine")
        for args, reason in ((["--student", "a/b"], "an id is"), (["--out", str(taken)], "not overwriting"),
                             (["--student", "a", "--class", "x"], "not allowed")):
            with self.subTest(args=args):
                result = subprocess.run([sys.executable, str(HANDOUT), *args], capture_output=True,
                                        text=True, timeout=60)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(reason, result.stderr)
        self.assertEqual((taken / "notes.txt").read_text(), "mine")

    def test_a_class_gets_one_handout_each(self):
        roster = self.dir / "class.txt"
        roster.write_text("# section A\ncarol, Carol C.\ndave\n")
        out = self.dir / "section-a"
        result = subprocess.run([sys.executable, str(HANDOUT), "--class", str(roster), "--out",
                                 str(out)], capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)
        summary = json.loads((out / "class.json").read_text())["students"]
        self.assertEqual(sorted(summary), ["carol", "dave"])
        for sid in ("carol", "dave"):
            info = json.loads((out / sid / "handout.json").read_text())
            self.assertEqual(info["seed"], course.seed_of(sid))
            self.assertEqual(info["params"], summary[sid]["params"])
        # Building it again replaces it.
        again = subprocess.run([sys.executable, str(HANDOUT), "--class", str(roster), "--out",
                                str(out)], capture_output=True, text=True, timeout=300)
        self.assertEqual(again.returncode, 0, again.stderr)


class Declarations(unittest.TestCase):
    """The real labs' points and parameters, as course.py reads them."""

    def test_every_lab_declares_its_points_and_parameters_consistently(self):
        for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
            with self.subTest(lab=path.stem):
                nb = nbformat.read(str(path), as_version=4)
                self.assertEqual(course.declaration_problems(nb), [])

    def test_problems_are_found(self):
        lab = instructor_lab()
        lab.cells[2].metadata["lab"]["points"]["check"] = 0     # a check cell worth nothing
        lab.cells[8].metadata.pop("lab")                         # undeclared beside declared
        lab.cells[7].source = "*Answer.* It was <span data-param=\"count\">4</span>."
        lab.cells[4].source = lab.cells[4].source.replace('nb.param("count", 3)', 'nb.param("count", 5)')
        problems = " | ".join(course.declaration_problems(lab))
        self.assertIn("exercises [2] declare no points while others do", problems)
        self.assertIn("exercise 1: has a check cell but no check points", problems)
        self.assertIn("shows '4', but with the defaults it is '3'", problems)
        self.assertIn('nb.param("count", 5) but the declared default is 3', problems)

    def test_parameters_from_a_seed(self):
        lab = instructor_lab()
        self.assertEqual(course.params_for(None, LAB, lab), {"count": 3})
        seen = {course.params_for(course.seed_of(f"s{i}"), LAB, lab)["count"] for i in range(40)}
        self.assertEqual(seen, {2, 3, 4, 5, 6, 7})  # every choice is drawn by some id
        self.assertEqual(course.substitute_params('<span data-param="16 - count">13</span> left',
                                                  {"count": 4}), "12 left")
        with self.assertRaises(ValueError):
            course.evaluate("__import__('os')", {})

    def test_labkit_and_course_hash_a_cell_alike(self):
        for source in ("x = 1\n", "  a  \n\n b\t\n\n", "", "print('é')  \n"):
            self.assertEqual(labkit._normalized(source), course.normalized(source))


if __name__ == "__main__":
    unittest.main(verbosity=2)
