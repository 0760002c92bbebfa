#!/usr/bin/python3
"""The grader (tests/grader/grade_model.py, what `./lab grade-model` runs) is tested like a server:
the reference solution scores full marks, the untouched skeleton scores zero with a sentence
for every case, and bad arguments get one line and exit status 2 (tests/grade.cmake).

usage: grade_model_test.py full|zero|usage --bin-dir DIR [--server-bin PATH]
  full   grades the model `student` of --server-bin (lab-server-solution): every case passes
  zero   grades it in --server-bin (lab-server, the skeleton): every case fails, explained
  usage  bad arguments: exit status 2 and one line, before anything is graded
Exit status 0 when the expectation holds, 1 (with the reasons) when it does not.
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "tests" / "grader" / "grade_model.py"
CASE_FIELDS = {"name": str, "part": str, "title": str, "points": int, "possible": int,
               "passed": bool, "explanation": str}

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def grade(bin_dir, server_bin, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        command = ["/usr/bin/python3", str(GRADER), "student", "--bin-dir", bin_dir,
                   "--json", str(out), *extra]
        if server_bin:
            command += ["--server-bin", server_bin]
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        report = json.loads(out.read_text()) if out.exists() else None
    return done, report


def check_form(done, report):
    """What any report must be, whatever the score."""
    if not check(done.returncode == 0, "the grader exited %d, not 0:\n%s%s"
                 % (done.returncode, done.stdout, done.stderr)):
        return False
    if not check(report is not None, "no JSON report written"):
        return False
    check(report.get("format") == 1, "format is %r, not 1" % report.get("format"))
    check(report.get("model") == "student", "model is %r" % report.get("model"))
    cases = report.get("cases", [])
    check(len(cases) > 0, "no cases")
    names = [case.get("name") for case in cases]
    check(len(set(names)) == len(names), "a case name twice")
    for case in cases:
        for field, kind in CASE_FIELDS.items():
            check(isinstance(case.get(field), kind) and not (kind is int and
                                                             isinstance(case.get(field), bool)),
                  "case %s: %s is %r, not a %s" % (case.get("name"), field, case.get(field),
                                                   kind.__name__))
        check(case.get("points") in (0, case.get("possible")),
              "case %s: %s points of %s" % (case.get("name"), case.get("points"),
                                            case.get("possible")))
        check(case.get("possible", 0) > 0, "case %s is worth nothing" % case.get("name"))
    check(report.get("total") == sum(c.get("points", 0) for c in cases), "total is not the sum")
    check(report.get("possible") == sum(c.get("possible", 0) for c in cases),
          "possible is not the sum")
    score = "Score: %s/%s" % (report.get("total"), report.get("possible"))
    check(score in done.stdout, "the printed report has no '%s':\n%s" % (score, done.stdout))
    return True


def expect_full(bin_dir, server_bin):
    done, report = grade(bin_dir, server_bin)
    if not check_form(done, report):
        return
    for case in report["cases"]:
        check(case["passed"] and case["explanation"] == "",
              "the reference solution fails %s: %s" % (case["name"], case["explanation"]))
    check(report["total"] == report["possible"], "the reference solution scores %d of %d"
          % (report["total"], report["possible"]))


def expect_zero(bin_dir, server_bin):
    done, report = grade(bin_dir, server_bin)
    if not check_form(done, report):
        return
    for case in report["cases"]:
        explanation = case["explanation"]
        check(not case["passed"], "the untouched skeleton passes %s" % case["name"])
        # One line a student can act on, saying what was expected.
        check(explanation.endswith(".") and "\n" not in explanation
              and "expected" in explanation.lower(),
              "case %s: explanation %r is not one line saying what was expected"
              % (case["name"], explanation))
    check(report["total"] == 0, "the untouched skeleton scores %d" % report["total"])
    # The first case, in full: what was sent, what was expected, what came back.
    ping = next((c for c in report["cases"] if c["name"] == "Conformance.Ping"), None)
    if check(ping is not None, "no case Conformance.Ping"):
        check(re.search(r"Sent 'PING\\n'; came back .*; expected 'OK PONG'", ping["explanation"]),
              "Conformance.Ping's explanation: %r" % ping["explanation"])


def expect_usage_errors(bin_dir, server_bin):
    for extra, says in [(["--frobnicate"], "unrecognized arguments"),
                        (["--json", "/nonexistent-dir/report.json"], "no directory")]:
        done, _ = grade(bin_dir, server_bin, *extra)
        check(done.returncode == 2, "%s: exit status %d, not 2" % (extra, done.returncode))
        check(done.stderr.count("\n") == 1 and says in done.stderr,
              "%s: stderr %r is not one line saying %r" % (extra, done.stderr, says))
        check(done.stdout == "", "%s: printed %r" % (extra, done.stdout))
    for model, says in [("no_such_model", "has no model 'no_such_model'"),
                        ("Bad Name", "is no model name")]:
        done = subprocess.run(["/usr/bin/python3", str(GRADER), model, "--bin-dir", bin_dir,
                               "--server-bin", server_bin], capture_output=True, text=True,
                              timeout=60)
        check(done.returncode == 2 and done.stderr.count("\n") == 1 and says in done.stderr,
              "%s: exit status %d, stderr %r (expected 2 and one line saying %r)"
              % (model, done.returncode, done.stderr, says))


def main(argv):
    if len(argv) < 3 or argv[0] not in ("full", "zero", "usage") or argv[1] != "--bin-dir":
        print("usage: grade_model_test.py full|zero|usage --bin-dir DIR [--server-bin PATH]",
              file=sys.stderr)
        return 2
    expectation, bin_dir = argv[0], argv[2]
    server_bin = argv[4] if len(argv) >= 5 and argv[3] == "--server-bin" else \
        str(Path(bin_dir) / "lab-server")
    {"full": expect_full, "zero": expect_zero, "usage": expect_usage_errors}[expectation](
        bin_dir, server_bin)
    for problem in problems:
        print("FAIL:", problem)
    if not problems:
        print("grade_model_test %s: as expected" % expectation)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
