#!/usr/bin/python3
"""Tests of the notebooks' tools: docs.py (student copies, their check), labkit.py (results,
traces, checks, the fall-back to the reference results) and the form of every lab notebook.
Run by ctest (tests/docs.cmake) with Debian's python3."""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "notebooks" / "docs.py"
sys.path.insert(0, str(ROOT / "notebooks"))

try:
    import nbformat
except ImportError:
    sys.exit("docs_test: nbformat is missing: run ./lab setup (Debian: jupyter-nbconvert)")

import docs as docs_module  # noqa: E402
import labkit as lab  # noqa: E402

LABS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# A student's handout (make -f Makefile.docs handout) has handout.json at its root, the student
# copies of the labs and no claims: there the labs are checked as student copies.
HANDOUT = (ROOT / "handout.json").is_file()
INSTRUCTOR_ONLY = "a student's handout holds the student copies, without solutions or claims"


def notebook(cells):
    """A notebook from (kind, source, tags) triples."""
    nb = nbformat.v4.new_notebook()
    for kind, source, tags in cells:
        cell = (nbformat.v4.new_markdown_cell(source) if kind == "md"
                else nbformat.v4.new_code_cell(source))
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def docs(*args):
    return subprocess.run([sys.executable, str(DOCS), *args], capture_output=True, text=True,
                          timeout=60)


class StudentCopies(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, cells):
        path = self.dir / name
        nbformat.write(notebook(cells), str(path))
        return path

    def test_removes_exactly_the_solution_cells_and_clears_outputs(self):
        src = self.write("01-x.ipynb", [
            ("md", "# Lab\n**Exercise 1 (question).** Why?", []),
            ("md", "**Your answer (exercise 1).** Say why.", ["answer"]),
            ("code", "answer = None", []),
            ("code", "answer = 42", ["solution"]),
            ("md", "*Answer.* Because.", ["solution", "other"]),
            ("code", "print(answer)", ["keep"]),
        ])
        nb = nbformat.read(str(src), as_version=4)
        nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x")]
        nb.cells[2].execution_count = 3
        nbformat.write(nb, str(src))
        out = self.dir / "student"
        result = docs("student", str(src), "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        copy = nbformat.read(str(out / "01-x.ipynb"), as_version=4)
        self.assertEqual([c.source for c in copy.cells],
                         ["# Lab\n**Exercise 1 (question).** Why?",
                          "**Your answer (exercise 1).** Say why.", "answer = None",
                          "print(answer)"])
        self.assertEqual(copy.cells[2].outputs, [])
        self.assertIsNone(copy.cells[2].execution_count)
        check = docs("check-student", str(out / "01-x.ipynb"))
        self.assertEqual(check.returncode, 0, check.stderr)

    def test_points_and_parameters_in_a_student_copy(self):
        src = self.write("08-x.ipynb", [
            ("md", "**Exercise 1 (measure).** Use <span data-param=\"pool\">6</span>, "
                   "<span data-param=\"pool * 2\">12</span> in all.", []),
            ("md", "**Your answer (exercise 1).**", ["answer"]),
            ("code", 'pool = nb.param("pool", 6)\nlab.check_answer(None, 1, evidence=None, '
                     'tolerance=0.1, what="x")', []),
            ("md", "*Answer.* <span data-param=\"pool\">6</span>.", ["solution"]),
        ])
        nb = nbformat.read(str(src), as_version=4)
        nb.metadata["lab"] = {"params": {"pool": {"default": 6, "choices": [3, 6]}}}
        nb.cells[0].metadata["lab"] = {"exercise": 1, "points": {"check": 3, "answer": 2}}
        nbformat.write(nb, str(src))
        handout = self.dir / "handout.json"
        handout.write_text(json.dumps({"params": {"08-x": {"pool": 3}}}))
        for args, shown in (([], "Use 6, 12 in all."), (["--handout", str(handout)], "Use 3, 6 in all.")):
            with self.subTest(args=args):
                result = docs("student", str(src), "--out", str(self.dir / "s"), *args)
                self.assertEqual(result.returncode, 0, result.stderr)
                copy = nbformat.read(str(self.dir / "s" / "08-x.ipynb"), as_version=4)
                self.assertEqual(copy.cells[0].source, "**Exercise 1 (measure).** *(5 points: 3 for "
                                 "the check, 2 for your written answer)* " + shown)
                self.assertEqual(docs("check-student", str(self.dir / "s" / "08-x.ipynb")).returncode, 0)
        nb.cells[2].source = nb.cells[2].source.replace('"pool", 6', '"pool", 7')
        nbformat.write(nb, str(src))
        result = docs("student", str(src), "--out", str(self.dir / "s"))
        self.assertEqual(result.returncode, 1)
        self.assertIn('nb.param("pool", 7) but the declared default is 6', result.stderr)

    def test_a_notebook_without_solutions_is_refused(self):
        src = self.write("02-x.ipynb", [("md", "**Exercise 1.** Q", [])])
        result = docs("student", str(src), "--out", str(self.dir / "s"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("no cell is tagged 'solution'", result.stderr)

    def test_check_finds_a_solution_left_in(self):
        bad = self.write("03-x.ipynb", [("md", "**Exercise 1.** Q", []),
                                        ("code", "x = 1", ["solution"])])
        result = docs("check-student", str(bad))
        self.assertEqual(result.returncode, 1)
        self.assertIn("cell 1 is tagged 'solution'", result.stderr)

    def test_check_finds_an_untagged_answer(self):
        bad = self.write("04-x.ipynb", [("md", "**Exercise 1.** Q", []),
                                        ("md", "*Answer.* 42", [])])
        result = docs("check-student", str(bad))
        self.assertEqual(result.returncode, 1)
        self.assertIn("answer without the 'solution' tag", result.stderr)

    def test_check_finds_an_exercise_without_its_answer_cell(self):
        for cells, reason in [
            ([("md", "**Exercise 1.** Q", []), ("md", "**Exercise 2.** R", []),
              ("md", "**Your answer (exercise 2).**", ["answer"])],
             "exercise 1 has no answer cell"),
            ([("md", "**Exercise 1.** Q", []), ("md", "My answer", ["answer"])],
             "does not begin with '**Your answer (exercise 1).**'"),
        ]:
            with self.subTest(reason=reason):
                bad = self.write("06-x.ipynb", cells)
                result = docs("check-student", str(bad))
                self.assertEqual(result.returncode, 1)
                self.assertIn(reason, result.stderr)

    def test_check_refuses_an_invalid_notebook(self):
        bad = self.dir / "05-x.ipynb"
        bad.write_text('{"cells": "not a list"}')
        result = docs("check-student", str(bad))
        self.assertEqual(result.returncode, 1)
        self.assertIn("not a valid notebook", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1)

    def test_bad_usage_is_exit_status_2(self):
        self.assertEqual(docs("student").returncode, 2)
        self.assertEqual(docs("frobnicate").returncode, 2)


class EveryLab(unittest.TestCase):
    """The form each lab must have: valid, a setup cell that loads labkit by the lab's own
    name, exercises with solutions, checks of the student's measurements."""

    def test_there_are_labs(self):
        self.assertGreaterEqual(len(LABS), 1)

    @unittest.skipIf(HANDOUT, INSTRUCTOR_ONLY)
    def test_form(self):
        for path in LABS:
            with self.subTest(lab=path.name):
                nb = nbformat.read(str(path), as_version=4)
                nbformat.validate(nb)
                self.assertEqual(nb.metadata.get("kernelspec", {}).get("name"), "python3")
                code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
                markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
                self.assertIn(f'lab.Notebook("{path.stem}")', code)
                self.assertIn("Learning goals", markdown)
                self.assertIn("**Exercise", markdown)
                self.assertIn("lab.check", code)
                solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
                self.assertGreater(len(solutions), 0)
                self.assertEqual(docs_module.answer_cells_problems(nb), [])
                for cell in nb.cells:
                    if cell.cell_type == "markdown" and cell.source.startswith("*Answer.*"):
                        self.assertIn("solution", cell.metadata.get("tags", []), cell.source)
                # Committed without outputs: they come from the student's own run.
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        self.assertEqual(cell.outputs, [], f"{path.name}: outputs committed")


    @unittest.skipUnless(HANDOUT, "an instructor's checkout: test_form checks the labs")
    def test_form_of_a_handouts_student_copies(self):
        for path in LABS:
            with self.subTest(lab=path.name):
                nb = nbformat.read(str(path), as_version=4)
                nbformat.validate(nb)
                code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
                self.assertIn(f'lab.Notebook("{path.stem}")', code)
                self.assertIn("lab.check", code)
                self.assertTrue(nb.metadata.get("lab_student_copy"))
                self.assertEqual(docs_module.answer_cells_problems(nb), [])
                result = docs("check-student", str(path))
                self.assertEqual(result.returncode, 0, result.stderr)


class Labkit(unittest.TestCase):
    def test_results_and_fields(self):
        res = lab.Results(ROOT / "results" / "reference" / "demo.json")
        self.assertEqual(len(res.select(model="threads", workload="io")), 3)
        rps = res.value("client.throughput_rps", model="threads", workload="io", connections=16)
        self.assertGreater(rps, 0)
        self.assertIsNone(lab.get(res.runs[0], "client.no.such.field"))
        with self.assertRaises(KeyError):
            res.one(model="no-such-model")

    def test_window_median_reads_only_the_window(self):
        run = {"timeseries": [{"t_s": -0.2, "accept_queue": 40},  # warm-up: left out
                              {"t_s": 0.0, "accept_queue": 0},
                              {"t_s": 0.1, "accept_queue": 7},  # one burst
                              {"t_s": 0.2, "accept_queue": 0},
                              {"t_s": 0.3, "accept_queue": None}]}
        self.assertEqual(lab.window_median(run, "accept_queue"), 0)
        run["timeseries"].append({"t_s": 0.4, "accept_queue": 9})
        self.assertEqual(lab.window_median(run, "accept_queue"), 3.5)
        self.assertIsNone(lab.window_median({"timeseries": []}, "accept_queue"))
        self.assertIsNone(lab.window_median({"timeseries": run["timeseries"][:1]}, "accept_queue"))
        res = lab.Results(ROOT / "results" / "reference" / "notebooks" / "01-blocking" / "io.json")
        self.assertGreater(lab.window_median(res.one(model="sequential", connections=16), "accept_queue"),
                           lab.window_median(res.one(model="threads", connections=16), "accept_queue"))

    def test_refuses_an_unknown_schema_version(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"schema_version": 99, "runs": []}, f)
            f.flush()
            with self.assertRaisesRegex(ValueError, "schema_version 99"):
                lab.Results(f.name)

    def test_traces_show_the_four_pictures(self):
        ref = ROOT / "results" / "reference" / "timelines"
        sync = lab.Trace(ref / "sequential-cpu.json")
        self.assertEqual(len(sync.threads("cpu")), 1)
        self.assertEqual(sync.most_at_once("cpu", "server"), 1)
        threaded = lab.Trace(ref / "threads-cpu.json")
        self.assertEqual(len(threaded.threads("cpu")), 3)
        self.assertGreaterEqual(threaded.most_at_once("cpu", "server"), 2)
        asynchronous = lab.Trace(ref / "select-io.json")
        self.assertEqual(len(asynchronous.threads("cpu")), 1)
        self.assertEqual(len(asynchronous.spans("io_wait", "timer")), 9)
        self.assertEqual(asynchronous.most_at_once("io_wait", "timer"), 3)
        blocking = lab.Trace(ref / "sequential-io.json")
        self.assertEqual(blocking.most_at_once("io_wait", "server"), 1)

    def test_async_ids_old_and_new(self):
        events = [{"ph": "b", "cat": "timer", "name": "io_wait", "id": 7, "pid": 1, "tid": 1,
                   "ts": 10.0, "args": {"task": 7}},
                  {"ph": "e", "cat": "timer", "name": "io_wait", "id": 7, "pid": 1, "tid": 1,
                   "ts": 30.0},
                  {"ph": "b", "cat": "timer", "name": "io_wait", "id2": {"local": 8},
                   "pid": 1, "tid": 1, "ts": 20.0, "args": {"task": 8}},
                  {"ph": "e", "cat": "timer", "name": "io_wait", "id2": {"local": 8},
                   "pid": 1, "tid": 1, "ts": 40.0}]
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"traceEvents": events}, f)
            f.flush()
            trace = lab.Trace(f.name)
        self.assertEqual([s[:2] for s in trace.spans("io_wait")], [(10.0, 30.0), (20.0, 40.0)])
        self.assertEqual(trace.most_at_once("io_wait"), 2)

    def test_show_reference_says_whose_run_it_is(self):
        out = io.StringIO()
        with redirect_stdout(out):
            shown = lab.show_reference("plots/demo/throughput-io.png")
            absolute = lab.show_reference(ROOT / "results" / "reference" / "plots" / "demo"
                                          / "throughput-io.png")
            missing = lab.show_reference("plots/no-such-figure.png")
        self.assertTrue(shown)
        self.assertTrue(absolute)
        self.assertFalse(missing)
        self.assertIn("The reference machine's run (`results/reference/plots/demo/throughput-io.png`",
                      out.getvalue())
        self.assertIn("results/reference/plots/no-such-figure.png: not in this checkout",
                      out.getvalue())

    def test_without_binaries_it_falls_back_to_the_reference(self):
        script = ("import labkit as lab\n"
                  "nb = lab.Notebook('01-blocking')\n"
                  "assert not nb.live\n"
                  "t = nb.timeline('sequential', 'cpu')\n"
                  "print(t)\n")
        result = run_without_binaries(script)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("reference results", result.stdout)
        self.assertIn(str(ROOT / "results" / "reference" / "timelines"), result.stdout)


def run_without_binaries(script):
    """Runs a Python script in notebooks/ as a lab would run on a machine without a build."""
    env = dict(os.environ, LAB_BIN="/nonexistent", LAB_ROOT=str(ROOT))
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=60, cwd=ROOT / "notebooks")


def quiet(fn, *args, **kwargs):
    """fn's result and what it printed."""
    out = io.StringIO()
    with redirect_stdout(out):
        result = fn(*args, **kwargs)
    return result, out.getvalue()


class ChecksNeedTheStudentsOwnRun(unittest.TestCase):
    """Each kind of check (a relation over measurements, a typed answer against the
    measured value, either on a results file, a trace or a recorded measurement) fails for a
    typed constant, for the reference data and for a relation true for anything, and passes
    for an honest run made here."""

    NAME = "99-check-test"

    @classmethod
    def setUpClass(cls):
        if not (lab.BIN / "lab-harness").is_file():
            raise AssertionError(f"{lab.BIN / 'lab-harness'} is not built: ./lab build first")
        shutil.rmtree(ROOT / "build" / "notebooks" / cls.NAME, ignore_errors=True)
        with redirect_stdout(io.StringIO()):
            cls.nb = lab.Notebook(cls.NAME)
            cls.own = cls.nb.sweep("io", models=["sequential", "threads"], workload="io",
                                   connections=[4], duration="600ms", warmup="100ms")
            cls.trace = lab.Trace(cls.nb.timeline("sequential", "cpu"))
        cls.seq = cls.own.value("client.throughput_rps", model="sequential")
        cls.thr = cls.own.value("client.throughput_rps", model="threads")
        cls.reference = lab.Results(ROOT / "results" / "reference" / "notebooks" / "01-blocking"
                                    / "io.json", from_reference=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(ROOT / "build" / "notebooks" / cls.NAME, ignore_errors=True)

    def relation(self, evidence, thr=None, seq=None):
        return lab.check(lambda thr, seq: thr > 2 * seq,
                         {"thr": self.thr if thr is None else thr,
                          "seq": self.seq if seq is None else seq},
                         evidence=evidence, passed="threads over 2x sequential",
                         failed="threads not over 2x sequential")

    # -- a relation over measurements --

    def test_relation_passes_for_an_honest_run(self):
        passed, out = quiet(self.relation, self.own)
        self.assertTrue(passed)
        self.assertIn("check passed: threads over 2x sequential", out)

    def test_relation_fails_when_it_does_not_hold(self):
        with self.assertRaisesRegex(lab.LabCheckFailed, "not over 2x"):
            quiet(self.relation, self.own, thr=self.seq)

    def test_relation_on_reference_data_is_not_graded(self):
        passed, out = quiet(self.relation, self.reference)
        self.assertFalse(passed)
        self.assertIn("reference data: not graded", out)
        self.assertNotIn("check passed", out)

    def test_reference_copied_into_the_lab_is_refused(self):
        copy = self.nb.dir / "copied.json"
        shutil.copy(self.reference.path, copy)
        with self.assertRaisesRegex(lab.LabCheckFailed, "not written by this lab's own run"):
            quiet(self.relation, lab.Results(copy))

    def test_an_edited_run_is_refused(self):
        edited = self.nb.dir / "edited.json"
        shutil.copy(self.own.path, edited)
        registry = json.loads((self.nb.dir / lab.REGISTRY).read_text())
        registry["files"]["edited.json"] = dict(registry["files"]["io.json"])
        (self.nb.dir / lab.REGISTRY).write_text(json.dumps(registry))
        data = json.loads(edited.read_text())
        data["runs"][0]["client"]["throughput_rps"] *= 10
        edited.write_text(json.dumps(data))
        with self.assertRaisesRegex(lab.LabCheckFailed, "has changed since"):
            quiet(self.relation, lab.Results(edited))

    def test_relation_true_for_anything_is_refused(self):
        for relation in (lambda v: v >= 0, lambda v: v == v, lambda a, b: a + b >= 0,
                         lambda v: True):
            values = {"v": self.thr} if relation.__code__.co_argcount == 1 else {
                "a": self.thr, "b": self.seq}
            with self.subTest(relation=relation), self.assertRaises(lab.LabCheckError):
                quiet(lab.check, relation, values, evidence=self.own, passed="p", failed="f")

    def test_a_check_without_evidence_is_refused(self):
        with self.assertRaises(lab.LabCheckError):
            quiet(lab.check, lambda v: v > 1, {"v": 3.0}, evidence=None, passed="p", failed="f")

    # -- a typed answer against the student's measured value --

    def answer(self, typed, evidence=None):
        return lab.check_answer(typed, self.thr, evidence=evidence or self.own, tolerance=0.10,
                                what="threads' requests/s at 4 connections")

    def test_answer_passes_for_the_students_own_value(self):
        passed, out = quiet(self.answer, round(self.thr))
        self.assertTrue(passed)
        self.assertIn("check passed", out)

    def test_answer_fails_for_a_typed_constant_and_nonsense(self):
        # 200/s is what the io workload's arithmetic predicts at 4 connections; the answer
        # must be the student's measurement, and these are all far from it or no number.
        for typed in (self.thr * 3, self.thr / 3, float("inf"), float("nan"), -1, "fast",
                      self.seq):
            with self.subTest(typed=typed), self.assertRaises(lab.LabCheckFailed):
                quiet(self.answer, typed)

    def test_answer_on_reference_data_is_not_graded(self):
        ref_thr = self.reference.value("client.throughput_rps", model="threads", connections=4)
        passed, out = quiet(lab.check_answer, ref_thr, ref_thr, evidence=self.reference,
                            tolerance=0.1, what="threads' requests/s")
        self.assertFalse(passed)
        self.assertIn("reference data: not graded", out)

    def test_unanswered_is_not_a_failure_and_not_a_pass(self):
        passed, out = quiet(self.answer, None)
        self.assertFalse(passed)
        self.assertIn("not answered yet", out)

    # -- traces and recorded measurements as evidence --

    def test_own_trace_counts_and_the_reference_trace_does_not(self):
        self.assertIsNone(lab.own_run_problem(self.trace))
        reference = lab.Trace(ROOT / "results" / "reference" / "timelines" / "sequential-cpu.json")
        self.assertEqual(lab.own_run_problem(reference), lab.NOT_GRADED)

    def test_recorded_measurements(self):
        measured = self.nb.record("idle_wait_s", 2.5)
        passed, _ = quiet(lab.check, lambda w: w > 1, {"w": measured}, evidence=measured,
                          passed="p", failed="f")
        self.assertTrue(passed)
        typed = lab.Measured(2.5, "never_recorded", self.nb)
        with self.assertRaisesRegex(lab.LabCheckFailed, "not recorded"):
            quiet(lab.check, lambda w: w > 1, {"w": typed}, evidence=typed, passed="p",
                  failed="f")


class OwnDocumentsAndFigures(unittest.TestCase):
    """Notebook.keep/kept (a scripted client's figures, as lab 8 keeps them) and
    Notebook.draw (a gnuplot figure of them): made in this run, read back; without a build,
    the reference run's, or none and why."""

    NAME = "99-draw-test"

    def setUp(self):
        shutil.rmtree(ROOT / "build" / "notebooks" / self.NAME, ignore_errors=True)
        with redirect_stdout(io.StringIO()):
            self.nb = lab.Notebook(self.NAME)

    def tearDown(self):
        shutil.rmtree(ROOT / "build" / "notebooks" / self.NAME, ignore_errors=True)

    def test_keep_and_kept(self):
        if not self.nb.live:
            self.skipTest("not built: kept() reads the reference run")
        self.assertIsNone(self.nb.kept("story"))
        self.assertEqual(self.nb.keep("story", {"stall_ms": 12.5}), {"stall_ms": 12.5})
        self.assertEqual(self.nb.kept("story"), {"stall_ms": 12.5})

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot is not installed")
    def test_draw_makes_a_png_from_its_data(self):
        if not self.nb.live:
            self.skipTest("not built: draw() shows the reference run's figure")
        figures = self.nb.draw("bars", "plot 'bars.dat' using 1:2 with boxes notitle",
                               {"bars.dat": "1 3\n2 5\n"}, size=(300, 200))
        png = figures["bars"]
        self.assertEqual(png, ROOT / "build" / "notebooks" / self.NAME / "plots" / "bars" / "bars.png")
        self.assertEqual(png.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")
        with self.assertRaisesRegex(RuntimeError, "gnuplot could not draw"):
            self.nb.draw("broken", "plot 'missing.dat' using 1:2", {})
        with self.assertRaisesRegex(ValueError, "plain name"):
            self.nb.draw("escape", "plot 'x'", {"../x.dat": "1 1\n"})

    def test_without_a_build_no_reference_figure_says_why(self):
        script = ("import labkit as lab\n"
                  f"nb = lab.Notebook('{self.NAME}')\n"
                  "f = nb.draw('bars', 'plot x', {})\n"
                  "assert not f and f.reason == 'no reference figure', (dict(f), f.reason)\n"
                  "lab.show(f, 'bars')\n"
                  "assert nb.kept('story') is None\n"
                  "f = lab.Notebook('08-past-readiness').draw('stall', 'plot x', {})\n"
                  "assert list(f) == ['stall'] and f['stall'].is_file(), dict(f)\n")
        result = run_without_binaries(script)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("figure bars was not drawn: no reference figure", result.stdout)


class Claims(unittest.TestCase):
    """docs.py claims: every figure marked; a declared claim re-derived from the reference
    results, failing with lab, claim, stated and measured value."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        (self.dir / "claims").mkdir()
        ref = self.dir / "reference" / "notebooks" / "01-x"
        ref.mkdir(parents=True)
        shutil.copy(ROOT / "results" / "reference" / "notebooks" / "01-blocking" / "io.json", ref)

    def tearDown(self):
        self.tmp.cleanup()

    def claims(self, markdown, toml):
        nb = notebook([("md", markdown, [])])
        nbformat.write(nb, str(self.dir / "01-x.ipynb"))
        (self.dir / "claims" / "01-x.toml").write_text(toml)
        return docs("claims", str(self.dir / "01-x.ipynb"), "--claims-dir",
                    str(self.dir / "claims"), "--reference", str(self.dir / "reference"))

    def p99(self):
        res = lab.Results(self.dir / "reference" / "notebooks" / "01-x" / "io.json")
        return res.value("client.latency_ns.p99", model="sequential", connections=16) / 1e9

    CLAIM = ('[[claim]]\nid = "seq-p99"\ntext = "{text}"\nvalue = {value}\ntolerance = "20%"\n'
             'measured = "run(\'io.json\', model=\'sequential\', connections=16)'
             '[\'{field}\'] / 1e9"\n')

    def test_a_true_claim_holds(self):
        p99 = self.p99()
        result = self.claims(f"The p99 is {p99:.1f} s<!-- claim: seq-p99 --> at 16, for "
                             "20 ms<!-- given --> requests.",
                             self.CLAIM.format(text=f"{p99:.1f} s", value=round(p99, 1),
                                               field="client.latency_ns.p99"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("all 1 claims hold", result.stdout)

    def test_a_wrong_value_names_lab_claim_stated_and_measured(self):
        result = self.claims("The p99 is 320 ms<!-- claim: seq-p99 -->.",
                             self.CLAIM.format(text="320 ms", value=0.32,
                                               field="client.latency_ns.p99"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("01-x: claim seq-p99 ('320 ms'): stated 0.32, measured "
                      f"{self.p99():.4g} (tolerance ±20%)", result.stderr)

    def test_a_field_that_does_not_exist(self):
        result = self.claims("The p99 is 2.5 s<!-- claim: seq-p99 -->.",
                             self.CLAIM.format(text="2.5 s", value=2.5,
                                               field="client.latency_ns.p98"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("has no field client.latency_ns.p98", result.stderr)

    def test_a_relation_that_does_not_hold(self):
        result = self.claims(
            "Sequential is never faster than threads<!-- claim: order -->.",
            '[[claim]]\nid = "order"\ntext = "never faster than threads"\nholds = "run('
            "'io.json', model='sequential', connections=16)['client.throughput_rps'] > run("
            "'io.json', model='threads', connections=16)['client.throughput_rps']\"\n")
        self.assertEqual(result.returncode, 1)
        self.assertIn("claim order ('never faster than threads') does not hold", result.stderr)

    def test_an_unmarked_figure_fails(self):
        result = self.claims("The p99 is about 2.5 s at 16 connections.", "")
        self.assertEqual(result.returncode, 1)
        self.assertIn("figure '2.5 s' is neither a declared claim nor marked given",
                      result.stderr)

    def test_a_marker_and_a_declaration_must_meet(self):
        result = self.claims("The p99 is 2.5 s<!-- claim: other -->.",
                             self.CLAIM.format(text="2.5 s", value=2.5,
                                               field="client.latency_ns.p99"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("claim seq-p99 ('2.5 s') is declared but no <!-- claim: seq-p99 -->",
                      result.stderr)
        self.assertIn("<!-- claim: other --> marks a claim that", result.stderr)

    @unittest.skipIf(HANDOUT, INSTRUCTOR_ONLY)
    def test_every_lab_holds_its_claims(self):
        result = docs("claims", *map(str, LABS), str(ROOT / "README.md"),
                      str(ROOT / "results" / "reference" / "README.md"))
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
