#!/usr/bin/python3
"""harness/bench/async-loc (issue 17, "Writing"): it finds every form's marked region in this
tree, counts code and not comments, sees a line added, and says what is wrong with a broken
region or a bad flag."""

import json
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "harness" / "bench" / "async-loc"
PY = "/usr/bin/python3"
# The files of the three forms the copied trees hold: the coroutine's (models/coroutines.cpp)
# is left out, so that a test can add it, or see it reported missing.
FILES = ["shared/blocking_session.cpp", "shared/event_connection.hpp",
         "shared/event_connection.cpp", "models/libevent_loop.cpp"]


def run(*args):
    return subprocess.run([PY, str(TOOL), *args], capture_output=True, text=True, timeout=60)


def counts(root):
    result = run("--root", str(root), "--json", "-")
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return {f["form"]: f for f in json.loads(result.stdout)["forms"]}


class Tree:
    """A copy of the files the regions are in, to change without touching the real tree."""

    def __init__(self, files=FILES):
        self.dir = tempfile.TemporaryDirectory()
        self.root = Path(self.dir.name)
        for name in files:
            (self.root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, self.root / name)

    def insert_after_marker(self, name, marker, text):
        path = self.root / name
        lines = path.read_text().split("\n")
        at = lines.index(marker)
        lines.insert(at + 1, text)
        path.write_text("\n".join(lines))

    def replace(self, name, old, new):
        path = self.root / name
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))

    def assertIn(self, a, b):
        if a not in b:
            raise AssertionError(f"{a!r} not in the file")


class Regions(unittest.TestCase):
    def tree(self):
        tree = Tree()
        self.addCleanup(tree.dir.cleanup)
        return tree

    def test_every_form_of_this_tree_is_found_and_counted(self):
        forms = counts(ROOT)
        self.assertEqual(set(forms), {"blocking session", "state machine", "callbacks",
                                      "coroutine"})
        for name in ["blocking session", "state machine", "callbacks"]:
            with self.subTest(form=name):
                self.assertIsNone(forms[name]["missing"])
                self.assertGreater(forms[name]["lines"], 0)
                self.assertTrue(all(r["lines"] > 0 for r in forms[name]["regions"]))
        self.assertIn("serve_connection", forms["blocking session"]["regions"][0]["functions"])
        machine = {r["file"]: r for r in forms["state machine"]["regions"]}
        self.assertIn("EventConnection::out_", machine["shared/event_connection.hpp"]["fields"])
        self.assertIn("EventConnection::on_readable",
                      machine["shared/event_connection.cpp"]["functions"])
        callbacks = forms["callbacks"]
        self.assertEqual(len(callbacks["regions"][0]["pieces"]), 3)
        for handler in ["on_readable", "on_writable", "on_alarm"]:
            self.assertIn(handler, callbacks["regions"][0]["functions"])
        self.assertIn("Client::connection", callbacks["regions"][0]["fields"])
        # The callbacks drive the state machine: their total counts it.
        self.assertEqual(callbacks["lines_with_calls"],
                         callbacks["lines"] + forms["state machine"]["lines"])
        coroutine = forms["coroutine"]
        self.assertIsNone(coroutine["missing"])
        self.assertGreater(coroutine["lines"], 0)
        self.assertIn("serve_client", coroutine["regions"][0]["functions"])

    def test_a_line_of_code_is_counted_and_a_comment_is_not(self):
        tree = self.tree()
        before = counts(tree.root)
        marker = "// loc-begin: blocking-session"
        tree.insert_after_marker("shared/blocking_session.cpp", marker, "int added_line = 0;")
        after = counts(tree.root)
        self.assertEqual(after["blocking session"]["lines"],
                         before["blocking session"]["lines"] + 1)
        self.assertEqual(after["state machine"]["lines"], before["state machine"]["lines"])
        tree.insert_after_marker("shared/blocking_session.cpp", marker, "// a comment")
        tree.insert_after_marker("shared/blocking_session.cpp", marker, "/* a block")
        tree.insert_after_marker("shared/blocking_session.cpp", "/* a block", "   comment */")
        tree.insert_after_marker("shared/blocking_session.cpp", marker, "")
        self.assertEqual(counts(tree.root)["blocking session"]["lines"],
                         after["blocking session"]["lines"])
        # A line in the callbacks changes the callbacks and their total, not the state machine.
        tree.insert_after_marker("models/libevent_loop.cpp", "// loc-begin: callbacks",
                                 "int one_more = 1;")
        again = counts(tree.root)
        self.assertEqual(again["callbacks"]["lines"], before["callbacks"]["lines"] + 1)
        self.assertEqual(again["callbacks"]["lines_with_calls"],
                         before["callbacks"]["lines_with_calls"] + 1)

    def test_a_coroutine_file_is_counted_when_it_lands(self):
        tree = self.tree()
        # Missing is said with its reason, and its counts are null, never 0.
        missing = counts(tree.root)["coroutine"]
        self.assertIn("models/coroutines.cpp", missing["missing"])
        self.assertIsNone(missing["lines"])
        self.assertIsNone(missing["lines_with_calls"])
        path = tree.root / "models" / "coroutines.cpp"
        path.write_text("// a coroutine model\nnamespace lab {\n// loc-begin: coroutine\n"
                        "struct Session {\n    int fd;\n};\n"
                        "Task serve(int fd) {\n    // waits here\n    co_await readable(fd);\n}\n"
                        "// loc-end: coroutine\n}  // namespace lab\n")
        coroutine = counts(tree.root)["coroutine"]
        self.assertIsNone(coroutine["missing"])
        self.assertEqual(coroutine["lines"], 6)
        self.assertEqual(coroutine["regions"][0]["functions"], ["serve"])
        self.assertEqual(coroutine["regions"][0]["fields"], ["Session::fd"])
        # There without its markers: an error, not a missing form.
        path.write_text("Task serve(int fd) { co_await readable(fd); }\n")
        result = run("--root", str(tree.root))
        self.assertEqual(result.returncode, 1)
        self.assertIn("loc-begin: coroutine", result.stderr)

    def test_a_broken_region_is_status_1_with_the_place(self):
        cases = [
            ("// loc-end: blocking-session\n", "", "has no loc-end"),
            ("// loc-begin: blocking-session\n", "", "without a loc-begin"),
        ]
        for old, new, reason in cases:
            with self.subTest(reason=reason):
                tree = self.tree()
                tree.replace("shared/blocking_session.cpp", old, new)
                result = run("--root", str(tree.root))
                self.assertEqual(result.returncode, 1, result.stdout)
                self.assertIn("shared/blocking_session.cpp", result.stderr)
                self.assertIn(reason, result.stderr)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1)
        tree = self.tree()
        tree.replace("models/libevent_loop.cpp", "// loc-begin: callbacks",
                     "// loc-begin: something-else")
        result = run("--root", str(tree.root))
        self.assertEqual(result.returncode, 1)

    def test_bad_use_is_status_2(self):
        for args in (["--bogus"], ["--root"], ["--root", "/nonexistent/tree"], ["extra"]):
            with self.subTest(args=args):
                result = run(*args)
                self.assertEqual(result.returncode, 2, args)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)


if __name__ == "__main__":
    unittest.main()
