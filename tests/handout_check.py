#!/usr/bin/python3
"""handout_check.py: build two students' handouts in a temporary directory and use them as a
student would (make -f Makefile.docs handout-check-ci, and handout-check with --full).

  handout_check.py          CI's bounded check: the handouts of two students (their contents,
                            seeds, parameters); in the first one, a fresh build of the binaries
                            the labs need and every lab executed on its own (LAB_QUICK=1); its
                            untouched labs graded as that student (zero, nothing refused) and as
                            the other (every lab refused)
  handout_check.py --full   the same for both students, each built and tested with its own
                            `./lab test` (the whole suite) and `./lab demo`, every lab executed

Each step prints how long it took. A failure is one line naming the step and the log to read
(kept with --keep DIR, else in the temporary directory, which is then kept). Exit status 0
when everything held, 1 when something did not, 2 for bad use.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = "/usr/bin/python3"
STUDENTS = ("alice", "bob")  # ids whose parameters differ in every lab that has one


class Failed(Exception):
    pass


class Check:
    def __init__(self, work: Path):
        self.work = work
        self.timings = []

    def run(self, what: str, cmd, cwd: Path, env=None, timeout=3600):
        """Run a step with its output in a log of its own; raise Failed naming the log."""
        log = self.work / f"{len(self.timings) + 1:02d}-{what.replace(' ', '-').replace('/', '-')}.log"
        start = time.monotonic()
        print(f"handout-check: {what} ...", flush=True)
        with open(log, "w") as f:
            try:
                status = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT,
                                        timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                status = "timeout"
        took = time.monotonic() - start
        self.timings.append((what, took))
        print(f"handout-check: {what}: {took:.0f} s", flush=True)
        if status != 0:
            tail = log.read_text().strip().splitlines()[-15:]
            raise Failed(f"{what} failed (status {status}); the last lines of {log}:\n  "
                         + "\n  ".join(tail))
        return log


def expect(condition: bool, message: str):
    if not condition:
        raise Failed(message)


def contents(out: Path, sid: str, other: Path):
    """What a handout must and must not hold."""
    for needed in ("lab", "README.md", "HANDOUT.md", "handout.json", "notebooks/labkit.py",
                   "results/reference/notebooks/01-blocking/io.json"):
        expect((out / needed).exists(), f"{sid}'s handout lacks {needed}")
    for gone in (".git", "notebooks/claims", "notebooks/grade.py", "Makefile.docs", ".ci"):
        expect(not (out / gone).exists(), f"{sid}'s handout holds {gone}")
    info = json.loads((out / "handout.json").read_text())
    theirs = json.loads((other / "handout.json").read_text())
    expect(info["student"] == sid and info["seed"] != theirs["seed"],
           f"{sid}'s handout.json does not have a seed of its own")
    expect(info["params"] != theirs["params"],
           f"{sid} and {theirs['student']} drew the same parameters in every lab")
    for path in sorted((out / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        text = path.read_text()
        expect('"solution"' not in text and "*Answer.*" not in text,
               f"{sid}'s {path.name} holds a solution")
        expect("data-param" not in text, f"{sid}'s {path.name} holds a parameter span")


def execute_labs(check: Check, out: Path, sid: str):
    """Every lab of the handout, executed in place as its student would (LAB_QUICK=1)."""
    env = dict(os.environ, LAB_QUICK="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    for var in ("LAB_ROOT", "LAB_BIN", "LAB_HANDOUT"):
        env.pop(var, None)
    for path in sorted((out / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        check.run(f"{sid} executes {path.stem}",
                  [PY, "-m", "nbconvert", "--ExecutePreprocessor.timeout=600",
                   "--ExecutePreprocessor.kernel_name=python3", "--to", "notebook", "--execute",
                   "--inplace", str(path)], cwd=out / "notebooks", env=env)
        expect("check passed" in path.read_text(),
               f"{sid}'s {path.stem} passed no check of its experiments")


def grade(check: Check, out: Path, as_student: str, dest: Path, expect_arg=None):
    args = [PY, str(ROOT / "notebooks" / "grade.py"), str(out), "--student", as_student,
            "--out", str(dest)] + (["--expect", expect_arg] if expect_arg else [])
    check.run(f"grade {out.name} as {as_student}", args, cwd=ROOT)
    return json.loads((dest / "grades.json").read_text())["students"][0]


def main():
    parser = argparse.ArgumentParser(prog="handout_check.py", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="both students, each with ./lab test and ./lab demo")
    parser.add_argument("--keep", help="work in this (new or empty) directory and keep it")
    args = parser.parse_args()
    if args.keep:
        work = Path(args.keep).resolve()
        if work.exists() and any(work.iterdir()):
            print(f"handout_check.py: --keep {work}: not empty", file=sys.stderr)
            sys.exit(2)
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="lab-handout-check-"))
    os.chmod(work, 0o755)  # lab 7's PostgreSQL runs as user postgres when we are root
    check = Check(work)
    started = time.monotonic()
    ok = False
    try:
        roster = work / "class.txt"
        roster.write_text("\n".join(STUDENTS) + "\n")
        check.run("build the handouts", [PY, str(ROOT / "notebooks" / "handout.py"), "--class",
                                          str(roster), "--out", str(work / "class")], cwd=ROOT)
        outs = {sid: work / "class" / sid for sid in STUDENTS}
        for sid, other in zip(STUDENTS, reversed(STUDENTS)):
            contents(outs[sid], sid, outs[other])
        print("handout-check: contents: no solutions, no .git, a seed and parameters each")
        env = dict(os.environ)
        for var in ("LAB_ROOT", "LAB_BIN", "LAB_HANDOUT"):
            env.pop(var, None)
        for sid in (STUDENTS if args.full else STUDENTS[:1]):
            out = outs[sid]
            if args.full:
                check.run(f"{sid}: ./lab test", ["./lab", "test"], cwd=out, env=env)
                check.run(f"{sid}: ./lab demo", ["./lab", "demo"], cwd=out, env=env)
            else:
                check.run(f"{sid}: cmake configure", ["cmake", "--preset", "release"], cwd=out, env=env)
                check.run(f"{sid}: build the labs' binaries",
                          ["cmake", "--build", "--preset", "release", "--target", "lab-server",
                           "lab-harness", "lab-plot"], cwd=out, env=env)
            execute_labs(check, out, sid)
            mine = grade(check, out, sid, work / f"grades-{sid}", "zero")
            expect(all(v["status"] == "graded" for v in mine["labs"].values()),
                   f"{sid}'s own labs were not all graded: {mine['labs']}")
            expect(mine["checked_points"] == 0 and mine["checked_possible"] > 0,
                   f"{sid}'s untouched labs scored {mine['checked_points']}")
            other = next(s for s in STUDENTS if s != sid)
            theirs = grade(check, out, other, work / f"grades-{sid}-as-{other}")
            expect(all(v["status"] == "refused" and "handout" in v["reason"]
                       for v in theirs["labs"].values()),
                   f"{sid}'s labs graded as {other} were not all refused: {theirs['labs']}")
        ok = True
    except Failed as e:
        print(f"handout-check: {e}", file=sys.stderr)
    finally:
        for out in (work / "class").glob("*"):  # a lab stopped midway may leave its cluster up
            cluster = out / "harness" / "db" / "cluster.sh"
            if (out / "build" / "db" / "data" / "postmaster.pid").is_file():
                subprocess.run([str(cluster), "stop"], capture_output=True, timeout=120)
        total = time.monotonic() - started
        print(f"handout-check: {'passed' if ok else 'FAILED'} in {total / 60:.1f} min"
              + (f"; logs in {work}" if not ok or args.keep else ""))
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
