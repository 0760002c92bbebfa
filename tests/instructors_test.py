#!/usr/bin/python3
"""notebooks/INSTRUCTORS.md against the labs (issue 15): its generated tables (hours,
exercises) are what notebooks/instructors.py computes from the labs now, the check catches a
stale table, and every lab's first cell states its time and what to do before it."""

import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "notebooks" / "instructors.py"
GUIDE = ROOT / "notebooks" / "INSTRUCTORS.md"
PY = "/usr/bin/python3"

sys.path.insert(0, str(ROOT / "notebooks"))
import instructors  # noqa: E402


def run(*args):
    return subprocess.run([PY, str(TOOL), *args], capture_output=True, text=True, timeout=60)


class Guide(unittest.TestCase):
    def test_tables_match_the_labs(self):
        result = run("check")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_a_stale_table_is_caught(self):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "INSTRUCTORS.md"
            shutil.copy(GUIDE, copy)
            text = copy.read_text()
            # One lab's estimated hours changed by hand.
            start = text.index(instructors.BEGIN)
            row = text.index("| `04-when-async-wins` |", start)
            end = text.index("\n", row)
            cells = text[row:end].split("|")
            cells[-2] = " 99 "
            copy.write_text(text[:row] + "|".join(cells) + text[end:])
            result = run("check", str(copy))
            self.assertEqual(result.returncode, 1, result.stdout)
            self.assertIn("not what the labs give now", result.stderr)
            self.assertEqual(run("write", str(copy)).returncode, 0)
            self.assertEqual(run("check", str(copy)).returncode, 0)
            # Without its markers the file cannot be checked: said, status 1.
            copy.write_text(text.replace(instructors.EX_END, ""))
            result = run("check", str(copy))
            self.assertEqual(result.returncode, 1)
            self.assertIn("needs one", result.stderr)

    def test_bad_use_is_status_2(self):
        for args in ([], ["grade"], ["table", "extra"], ["check", "a", "b"]):
            result = run(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_every_lab_has_hours_exercises_and_a_header(self):
        import nbformat

        labs = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
        self.assertGreaterEqual(len(labs), 7)
        table = instructors.table()
        for path in labs:
            row = next(line for line in table.splitlines() if f"`{path.stem}`" in line)
            hours = float(row.split("|")[-2])
            self.assertTrue(1 <= hours <= 10, f"{path.stem}: {hours} hours")
            found = instructors.exercises(path)
            self.assertTrue(found, path.stem)
            self.assertEqual([e["number"] for e in found], list(range(1, len(found) + 1)),
                             f"{path.stem}: exercises out of order or missing")
            self.assertTrue(any(e["checked"] for e in found),
                            f"{path.stem}: no exercise is checked on the student's own run")
            first = nbformat.read(str(path), as_version=4).cells[0].source
            self.assertIn("**Time:**", first, path.stem)
            self.assertIn("**Before this lab:**", first, path.stem)

    def test_unknown_exercise_kind_is_refused(self):
        result = subprocess.run(
            [PY, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import instructors; "
                       "instructors.exercise_minutes('dance')", str(ROOT / "notebooks")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn("'dance'", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
