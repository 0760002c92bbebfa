#!/usr/bin/python3
"""Tests of the notebooks' tools: docs.py (student copies, their check), labkit.py (results,
traces, checks, the fall-back to the reference results) and the form of every lab notebook.
Run by ctest (tests/docs.cmake) with Debian's python3."""

import io
import json
import os
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

import labkit as lab  # noqa: E402

LABS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


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
            ("code", "answer = None", []),
            ("code", "answer = 42", ["solution"]),
            ("md", "*Answer.* Because.", ["solution", "other"]),
            ("code", "print(answer)", ["keep"]),
        ])
        nb = nbformat.read(str(src), as_version=4)
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x")]
        nb.cells[1].execution_count = 3
        nbformat.write(nb, str(src))
        out = self.dir / "student"
        result = docs("student", str(src), "--out", str(out))
        self.assertEqual(result.returncode, 0, result.stderr)
        copy = nbformat.read(str(out / "01-x.ipynb"), as_version=4)
        self.assertEqual([c.source for c in copy.cells],
                         ["# Lab\n**Exercise 1 (question).** Why?", "answer = None",
                          "print(answer)"])
        self.assertEqual(copy.cells[1].outputs, [])
        self.assertIsNone(copy.cells[1].execution_count)
        check = docs("check-student", str(out / "01-x.ipynb"))
        self.assertEqual(check.returncode, 0, check.stderr)

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
                for cell in nb.cells:
                    if cell.cell_type == "markdown" and cell.source.startswith("*Answer.*"):
                        self.assertIn("solution", cell.metadata.get("tags", []), cell.source)
                # Committed without outputs: they come from the student's own run.
                for cell in nb.cells:
                    if cell.cell_type == "code":
                        self.assertEqual(cell.outputs, [], f"{path.name}: outputs committed")


class Labkit(unittest.TestCase):
    def test_results_and_fields(self):
        res = lab.Results(ROOT / "results" / "reference" / "demo.json")
        self.assertEqual(len(res.select(model="threads", workload="io")), 3)
        rps = res.value("client.throughput_rps", model="threads", workload="io", connections=16)
        self.assertGreater(rps, 0)
        self.assertIsNone(lab.get(res.runs[0], "client.no.such.field"))
        with self.assertRaises(KeyError):
            res.one(model="no-such-model")

    def test_refuses_an_unknown_schema_version(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"schema_version": 99, "runs": []}, f)
            f.flush()
            with self.assertRaisesRegex(ValueError, "schema_version 99"):
                lab.Results(f.name)

    def test_checks_pass_quietly_and_fail_loudly(self):
        out = io.StringIO()
        with redirect_stdout(out):
            lab.check(True, "fine", "broken")
            lab.check_answer(None, lambda v: True, "p", "f")
        self.assertIn("check passed: fine", out.getvalue())
        self.assertIn("not answered yet", out.getvalue())
        with self.assertRaisesRegex(lab.LabCheckFailed, "check failed: broken"):
            lab.check(False, "fine", "broken")
        with self.assertRaises(lab.LabCheckFailed):
            lab.check_answer(3, lambda v: v > 5, "p", "f")

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
        env = dict(os.environ, LAB_BIN="/nonexistent", LAB_ROOT=str(ROOT))
        script = ("import labkit as lab\n"
                  "nb = lab.Notebook('01-blocking')\n"
                  "assert not nb.live\n"
                  "t = nb.timeline('sequential', 'cpu')\n"
                  "print(t)\n")
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                text=True, timeout=60, cwd=ROOT / "notebooks")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("reference results", result.stdout)
        self.assertIn(str(ROOT / "results" / "reference" / "timelines"), result.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
