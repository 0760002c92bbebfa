#!/usr/bin/python3
"""Grades one model of lab-server: `./lab grade-model NAME` runs this after building.

The cases are the lab's own suites, run against the model NAME alone (LAB_GRADE_MODEL): the
conformance, behaviour, HTTP, WAIT/POST and QUERY cases that the lab's select loop passes
(tests/*.cpp, through gtest's JSON output), and relations measured with lab-harness. Each case
is worth a few points; a failing case is explained in one sentence: what was sent, what was
expected, what came back (tests/exchange_log.hpp keeps the exchange of a test's first failure).
The report is printed, and with --json FILE also written as JSON (tests/grader/README.md).

Exit status: 0 when graded, whatever the score; 2 for bad arguments (an unknown option, a model
the server does not have); 1 when the grading itself could not run (a binary missing, a suite
that did not finish in its time, a database that would not start).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FORMAT = 1  # of the JSON report (tests/grader/README.md)

# Each suite process may run this long; every wait inside a case is bounded on its own (the
# longest case takes about 30 s when everything times out), so only a hang of the test binary
# itself could reach it.
SUITE_TIMEOUT_S = 600
HARNESS_TIMEOUT_S = 120
SHARDS = 2  # the gtest cases run in two processes at once (a 2-core machine: halves the time)

# The io relation: 64 connections each waiting 20 ms of simulated I/O a request can reach
# 64 / 20 ms = 3,200 requests/s at best; a model that serves them at once reaches a good part of
# it, one that serves them a few at a time a small part.
IO_CONNECTIONS = 64
IO_MS = 20
IO_SHARE = 0.5  # of 64 / 20 ms, at least
SHARED_CONNECTIONS = 16


class CannotGrade(Exception):
    """The grading itself could not run (exit status 1)."""


class BadArguments(Exception):
    """Bad arguments (exit status 2)."""


# --------------------------------------------------------------------------------------------
# The cases: (name, possible points, what it checks in the student's words). A gtest case is
# named SUITE.TEST (Models/SUITE.TEST/NAME in the suites); a relation is relation.NAME.
PARTS = [
    ("protocol: each request on its own", [
        ("Conformance.Ping", 1, "PING is answered OK PONG"),
        ("Conformance.Echo", 1, "ECHO returns its text exactly"),
        ("Conformance.Work", 2, "WORK replies OK n and then n body bytes (up to 100,000)"),
        ("Conformance.WorkBodyThenPipelinedRequest", 1,
         "a request sent right behind a WORK is answered after its body"),
        ("Conformance.IncrGet", 1, "INCR and GET count, and all clients share the counters"),
        ("Conformance.TooManyKeys", 1, "the 1,025th INCR key is refused with ERR 422"),
        ("Conformance.StatsFieldsAndTypes", 1, "STATS is one line of JSON with every field"),
        ("Conformance.QuitSaysByeAndCloses", 1, "QUIT says OK BYE, then the server closes"),
    ]),
    ("framing and bad input", [
        ("Conformance.HalfClosedClientGetsItsReplies", 1,
         "a client that shuts down its side still gets every reply, then EOF"),
        ("Conformance.Pipelining200MixedRequests", 2,
         "200 requests sent in one write are all answered, in order"),
        ("Conformance.PipelinedRepliesBeyond64KiB", 2,
         "pipelined requests whose replies pass 64 KiB are all answered"),
        ("Conformance.OneByteAtATime", 1, "a request that arrives one byte at a time is answered"),
        ("Conformance.BadInputKeepsConnectionOpen", 2,
         "every malformed request gets its ERR 400 or 422 and the connection goes on"),
        ("Conformance.LineLengthLimit", 1,
         "a 4,096-byte line is served, a longer one gets ERR 413 and EOF"),
        ("Conformance.OverlongLineGets413ThenEofOthersUnaffected", 1,
         "an overlong line ends only its own connection"),
    ]),
    ("many clients and limits", [
        ("Conformance.ClientResetMidReplyDoesNotHurtServer", 1,
         "a client that resets in the middle of a reply does not hurt the server"),
        ("Conformance.ThreeHundredClientsAllServed", 2, "300 clients at once are all served"),
        ("Conformance.ConcurrentIncrLosesNothing", 1,
         "16 clients' 3,200 INCRs on one key lose none"),
        ("Conformance.MaxClientsRefusesWith503", 1,
         "past --max-clients a client gets ERR 503 and EOF; a freed place is used again"),
        ("Conformance.RefusalAnswersInTheClientsProtocol", 1,
         "a refused HTTP client gets an HTTP 503, a LABP/1 client an ERR 503 line"),
        ("Conformance.ChurnDoesNotLeakCapacity", 1,
         "400 short connections leave every place of --max-clients free"),
        ("Conformance.PipelinedFloodDoesNotStallOthers", 2,
         "a client that pipelines 800 STATS does not hold up another client's PING"),
        ("Behaviour.StalledReaderDoesNotDelayOthers", 2,
         "a client that does not read its 16 MiB reply does not delay another's PING"),
    ]),
    ("timers", [
        ("Conformance.IdleTimeout", 2,
         "a client silent for --idle-timeout gets ERR 408 and EOF; a busy one does not"),
        ("Behaviour.EightSlowClientsOverlapExceptSequential", 2,
         "eight clients' 300 ms of simulated I/O overlap (all done well before 2.4 s)"),
        ("Behaviour.PingDuringSlowWork", 2,
         "a PING is answered at once while another client's WORK waits 1 s of I/O"),
        ("Behaviour.BlockingIoInLoopServesTheWaitsOneByOne", 1,
         "--blocking-io-in-loop makes the waits follow one another (the classic mistake)"),
    ]),
    ("operations", [
        ("Conformance.TraceIsValidChromeTraceJson", 1,
         "--trace writes a valid trace with a span for each client"),
        ("Conformance.SigtermExitsZeroLeavingNoProcess", 1,
         "SIGTERM with clients in every state: exit status 0, every client closed"),
        ("Conformance.SigintToGroupExitsZeroLeavingNoProcess", 1,
         "Ctrl-C (SIGINT to the group): exit status 0, every client closed"),
        ("Conformance.StatsCountsTraffic", 1, "STATS counts requests, errors, bytes, connections"),
        ("Conformance.StatsFileReadableWhileServerBusy", 1,
         "the counter file is right while the server serves"),
    ]),
    ("HTTP", [
        ("Http.CurlEveryRoute", 1, "curl gets every HTTP route right"),
        ("Http.WrkTwoSeconds", 1, "wrk for two seconds: no socket error, every reply a 200"),
    ]),
    ("WAIT and POST", [
        ("Wait.BadRequestsKeepTheConnection", 1, "bad WAIT and POST requests get their errors"),
        ("Wait.PostWakesTheWaiter", 1, "a POST wakes the client waiting on its key"),
        ("Wait.PostWakesEveryWaiterOnItsKey", 1, "a POST wakes every waiter on its key"),
        ("Wait.TimeoutIs408AndTheConnectionGoesOn", 1,
         "a WAIT that no POST ends gets ERR 408 and the connection goes on"),
        ("Wait.HttpWaitAndPost", 1, "WAIT and POST over HTTP"),
        ("Wait.WaiterWhoseClientLeavesIsNotCounted", 1,
         "a waiter whose client left is not woken (nor counted) by a POST"),
    ]),
    ("QUERY (a real PostgreSQL)", [
        ("Query.RowsComeFromTheDatabase", 1, "QUERY's rows come from the database"),
        ("Query.LimitsAndBadNumbersKeepTheConnection", 1,
         "QUERY's limits and bad numbers get their errors, the connection goes on"),
        ("Query.HttpQuery", 1, "QUERY over HTTP"),
        ("Query.StatsCountQueriesAndTheirTime", 1, "STATS counts the queries and their time"),
        ("Query.ConcurrentQueriesShareTheDatabasePool", 1,
         "concurrent queries share the pool of --db-pool connections"),
        ("Query.ClientLeavingMidQueryFreesTheConnection", 1,
         "a client that leaves mid-query gives its database connection back"),
        ("Query.OtherClientsAreServedDuringAQuery", 1,
         "other clients are served while a query runs (the loop watches the pool's sockets)"),
        ("Query.BlockingInLoopMakesEveryoneWait", 1,
         "--db-blocking-in-loop makes everyone wait (the classic mistake)"),
        ("Query.SigtermWhileWaitingAndQuerying", 1,
         "SIGTERM while clients wait and query: a clean exit"),
        ("Query.NoDatabaseIs503AndTheServerGoesOn", 1,
         "without a database QUERY is ERR 503 and everything else goes on"),
    ]),
    ("the design: one thread, a select() loop", [
        ("relation.io_64_clients_at_once", 3,
         "serves 64 I/O-bound clients at once: the io workload at 64 connections reaches at "
         "least half of 64 / 20 ms"),
        ("Behaviour.CpuHeavyRequestStallsOthersOnlyOnOneTask", 3,
         "a CPU-heavy request stalls the others: one thread serves everyone"),
        ("relation.no_lock_taken", 3,
         "no lock taken: one thread serves the shared workload and never waits for a lock"),
        ("Behaviour.PastFdSetsizeEachClientIsServedOrRefused", 3,
         "FD_SETSIZE handled: of 1,100 clients each is served or refused with ERR 503 (past "
         "FD_SETSIZE: 'descriptor over FD_SETSIZE'), no crash"),
    ]),
]


def cases_of(binary):
    """The gtest cases (SUITE.TEST) that run in the suite binary `binary`."""
    found = []
    for _, cases in PARTS:
        for name, _, _ in cases:
            if name.startswith("relation."):
                continue
            in_binary = "db_tests" if name.startswith("Query.") else "server_tests"
            if in_binary == binary:
                found.append(name)
    return found


# --------------------------------------------------------------------------------------------
# Running the suites

def run_suite(binary, model, server_bin, cases, out_dir, extra_env, shards):
    """Runs `cases` of the gtest binary against `model`; returns {SUITE.TEST: gtest's record}."""
    patterns = ":".join("Models/%s/%s" % (case, model) for case in cases)
    env = dict(os.environ, LAB_GRADE_MODEL=model, LAB_GRADE_SERVER=str(server_bin), **extra_env)
    env.pop("GTEST_FILTER", None)
    procs = []
    for shard in range(shards):
        out = out_dir / ("%s.%d.json" % (binary.name, shard))
        log = open(out_dir / ("%s.%d.log" % (binary.name, shard)), "w")
        shard_env = dict(env, GTEST_TOTAL_SHARDS=str(shards), GTEST_SHARD_INDEX=str(shard))
        procs.append((subprocess.Popen(
            [str(binary), "--gtest_filter=" + patterns, "--gtest_output=json:" + str(out)],
            env=shard_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True), out, log))
    deadline = time.monotonic() + SUITE_TIMEOUT_S
    try:
        for proc, _, log in procs:
            proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise CannotGrade("%s did not finish within %d s (see %s)"
                          % (binary.name, SUITE_TIMEOUT_S, log.name))
    finally:  # also when interrupted: nothing of the suites may outlive the grader
        for proc, _, log in procs:
            if proc.poll() is None:
                kill_tree(proc)
            log.close()
    records = {}
    for proc, out, log in procs:
        try:
            doc = json.loads(out.read_text())
        except (OSError, ValueError):
            raise CannotGrade("%s ended (status %s) without its JSON report; its output is in %s"
                              % (binary.name, proc.returncode, log.name))
        for suite in doc.get("testsuites", []):
            suite_name = suite.get("name", "").split("/")[-1]  # Models/Conformance
            for test in suite.get("testsuite", []):
                test_name = test.get("name", "").split("/")[0]  # Ping/student
                records["%s.%s" % (suite_name, test_name)] = test
    missing = [case for case in cases if case not in records]
    if missing:
        raise CannotGrade("%s has no case %s (is the build older than the grader?)"
                          % (binary.name, ", ".join(missing)))
    return records


def kill_tree(proc):
    """Kills a suite process and every server it started: each server runs in a process group
    of its own (its fork children too), and a killed test binary would leave them running."""
    parents = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (ValueError, OSError):
            continue
    tree, queue = [], [proc.pid]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(child for child, parent in parents.items() if parent == pid)
    for pid in tree:
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    proc.wait()


class Database:
    """A PostgreSQL cluster of the grader's own (harness/db/cluster.sh), for the QUERY cases."""

    def __init__(self, build_dir):
        self.dir = Path(tempfile.mkdtemp(prefix="grade-db-", dir=build_dir))
        self.port = str(55440 + os.getpid() % 500)

    def _run(self, command):
        env = dict(os.environ, LAB_DB_DIR=str(self.dir), LAB_DB_PORT=self.port,
                   LAB_DB_MAX_CONNECTIONS="100")
        return subprocess.run(["/bin/bash", str(ROOT / "harness/db/cluster.sh"), command],
                              env=env, capture_output=True, text=True, timeout=120)

    def __enter__(self):
        started = self._run("start")
        if started.returncode != 0:
            self.__exit__(None, None, None)
            raise CannotGrade("the grader's PostgreSQL cluster did not start (./lab setup "
                              "installs postgresql-15): "
                              + (started.stderr or started.stdout).strip())
        return {"LAB_GRADE_DB_DIR": str(self.dir), "LAB_GRADE_DB_PORT": self.port}

    def __exit__(self, *exc):
        try:
            self._run("stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def run_harness(bin_dir, server_bin, model, workload, connections, out):
    """One lab-harness run; returns (its results' only run or None, a reason if none)."""
    command = [str(bin_dir / "lab-harness"), "--server-bin", str(server_bin), "--models", model,
               "--workload", workload, "--connections", str(connections), "--duration", "2s",
               "--warmup", "500ms", "--db", "", "--quiet", "--out", str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=HARNESS_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise CannotGrade("lab-harness did not finish within %d s" % HARNESS_TIMEOUT_S)
    try:
        runs = json.loads(out.read_text())["runs"]
    except (OSError, ValueError, KeyError):
        runs = []
    if not runs:  # the server would not start, or died before the window
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, "no measurement (lab-harness, exit status %d: %s)" % (done.returncode, last)
    return runs[0], ""


# --------------------------------------------------------------------------------------------
# Explaining a failure

def quoted_or_plain(operand, which_is):
    """What an EXPECT_EQ operand stood for: a string literal's text, else its value."""
    if re.fullmatch(r'"(?:[^"\\]|\\.)*"', operand):
        return operand[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if which_is and not re.fullmatch(r"0x[0-9a-f]+", which_is):
        return which_is.strip('"')
    return operand


def shorten(text, most=160):
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most - 3] + "..."


NPOS = "18446744073709551615"  # std::string::npos, as gtest prints a failed find()
# An EXPECT_EQ whose first operand is one of these compares a reply with what was expected.
REPLY_EXPRESSION = re.compile(r"\.request\(|read_line|read_exact|read_until_eof|take_line|"
                              r"^(quick_|http_|slow_|heavy_)?(reply|bytes)$|transcripts\[|"
                              r"body_of\(|status_of\(")


def value(text):
    return "npos (not found)" if text == NPOS else text


def parse_failure(text):
    """gtest's failure message as (where, check, actual, note, context): where it failed, what
    the check expected, the value it found, the test's own words, and its SCOPED_TRACE."""
    lines = text.split("\n")
    where, body = lines[0], lines[1:]
    context = ""
    if "Google Test trace:" in body:
        at = body.index("Google Test trace:")
        traces = [re.sub(r"^\S+:\d+: ", "", t) for t in body[at + 1:] if t.strip()]
        context = traces[0] if traces else ""
        body = body[:at]
    check = actual = ""
    rest = body[1:]
    first = body[0] if body else ""
    if first == "Expected equality of these values:":
        operands = []  # [expression, which_is]
        used = 0
        for line in rest:
            if line.startswith("    Which is: ") and operands:
                operands[-1][1] = line[len("    Which is: "):]
            elif line.startswith("  ") and not line.startswith("    ") and len(operands) < 2:
                operands.append([line[2:], ""])
            else:
                break
            used += 1
        rest = [line for line in rest[used:]
                if not line.startswith(("With diff:", "@@ ", "-", "+"))]
        if len(operands) == 2:
            found = quoted_or_plain(*operands[0])
            wanted = quoted_or_plain(*operands[1])
            if REPLY_EXPRESSION.search(operands[0][0]):
                check, actual = "'%s'" % wanted, "'%s'" % found
            else:
                check = "%s to be %s" % (operands[0][0], value(wanted))
                actual = value(found)
    elif first.startswith("Value of: "):
        check = first[len("Value of: "):]
        for line in rest[:2]:
            match = re.match(r"\s*Actual: \w+(?: \((.*)\))?$", line)
            if match and match.group(1):
                actual = match.group(1)
        rest = rest[2:]
    elif first.startswith("Expected: ("):
        match = re.match(r"Expected: \((.*)\) (\S+) \((.*)\), actual: (.*) vs (.*)$", first)
        if match:
            check = "%s %s %s" % (match.group(1), match.group(2), value(match.group(3)))
            actual = value(match.group(4))
    else:
        rest = body[1:] if first == "Failed" else body
    note = next((line for line in rest if line.strip()), "")
    return where, check, actual, note, context


def explain_test(record, title):
    """One sentence for a failed or skipped gtest case: what was sent, what came back, what was
    expected (the failed check, or else the case's title); then the test's own words and where
    to read the test."""
    if record.get("result") == "SKIPPED":
        return "Not run: %s." % (record.get("grade_skipped") or "the test skipped itself")
    failures = record.get("failures") or []
    if not failures:
        return ""
    where, check, actual, note, context = parse_failure(failures[0].get("failure", ""))
    if not note:  # the first check said nothing more: a later ADD_FAILURE's words may
        for failure in failures[1:]:
            text = failure.get("failure", "")
            if "\nFailed\n" in text:
                note = parse_failure(text)[3]
                break
    parts = []
    sent = record.get("grade_sent", "")
    received = record.get("grade_received", "")
    if sent:
        parts.append("sent '%s'" % shorten(sent, 90))
    if received:
        parts.append("came back %s" % shorten(received))
    if check:
        shown = "" if (not actual or (received and actual.startswith("'"))) \
            else " (it was %s)" % shorten(actual, 60)
        parts.append("expected %s%s" % (shorten(check, 100), shown))
    else:
        parts.append("expected that %s" % title)
    sentence = "; ".join(parts)
    sentence = sentence[0].upper() + sentence[1:] + "."
    if context:
        sentence = "[%s] %s" % (shorten(context, 60), sentence)
    if note:
        note = shorten(note)
        sentence += " %s%s." % (note[0].upper(), note[1:].rstrip("."))
    match = re.search(r"(tests/[^/:]+):(\d+)$", where)
    sentence += " See %s line %s" % match.groups() if match else ""
    if len(failures) > 1:
        sentence += " (and %d more failed checks)" % (len(failures) - 1)
    return sentence + "."


# --------------------------------------------------------------------------------------------
# The relations measured with lab-harness

def errors_of(run):
    errors = run["client"]["errors"]
    return {kind: count for kind, count in errors.items() if count}


def served_cleanly(run, reason):
    """'' if the run served requests without errors and the server lived; else why not."""
    if run is None:
        return reason
    if run.get("server_failed"):
        return "the server failed: %s" % (run.get("failure") or "it died")
    errors = errors_of(run)
    requests = run["client"]["requests"]
    if requests == 0 or errors:
        return "%d requests answered, errors: %s" % (
            requests, ", ".join("%s %d" % kv for kv in errors.items()) or "none")
    return ""


def relation_io(run, reason):
    best = IO_CONNECTIONS * 1000.0 / IO_MS
    what = "the io workload (each request WORK 0 %d 64) on %d connections for 2 s" % (
        IO_MS, IO_CONNECTIONS)
    problem = served_cleanly(run, reason)
    if problem:
        return False, "Sent %s; came back %s; expected every request answered." % (what, problem)
    rate = run["client"]["throughput_rps"]
    if rate >= IO_SHARE * best:
        return True, ""
    return False, ("Sent %s; came back %.0f requests/s; expected at least %.0f (half of 64 / "
                   "%d ms, what serving all 64 at once allows). The clients' waits did not "
                   "overlap." % (what, rate, IO_SHARE * best, IO_MS))


def relation_lock(run, reason):
    what = "the shared workload (INCR on 4 hot keys) on %d connections for 2 s" % (
        SHARED_CONNECTIONS)
    problem = served_cleanly(run, reason)
    if problem:
        return False, "Sent %s; came back %s; expected every request answered." % (what, problem)
    server = run["server"]
    lock_ns = server["blocking_ns"]["lock"]
    threads = server.get("peak_threads")
    if lock_ns == 0 and threads == 1:
        return True, ""
    return False, ("Sent %s; came back %s threads serving and %.3f ms waiting for the INCR "
                   "table's lock; expected one thread that never waits for a lock "
                   "(server.peak_threads 1, server.blocking_ns.lock 0)."
                   % (what, threads, lock_ns / 1e6))


# --------------------------------------------------------------------------------------------
# The report

def grade(args, bin_dir, server_bin, work_dir):
    started = time.monotonic()
    records = run_suite(bin_dir / "server_tests", args.model, server_bin,
                        cases_of("server_tests"), work_dir, {}, SHARDS)
    with Database(bin_dir.parent) as db_env:
        records.update(run_suite(bin_dir / "db_tests", args.model, server_bin,
                                 cases_of("db_tests"), work_dir, db_env, 1))
    io_run = run_harness(bin_dir, server_bin, args.model, "io", IO_CONNECTIONS,
                         work_dir / "io.json")
    lock_run = run_harness(bin_dir, server_bin, args.model, "shared", SHARED_CONNECTIONS,
                           work_dir / "shared.json")
    relations = {"relation.io_64_clients_at_once": relation_io(*io_run),
                 "relation.no_lock_taken": relation_lock(*lock_run)}

    cases = []
    for part, part_cases in PARTS:
        for name, possible, title in part_cases:
            if name in relations:
                passed, explanation = relations[name]
            else:
                record = records[name]
                passed = record.get("result") == "COMPLETED" and not record.get("failures")
                explanation = "" if passed else explain_test(record, title)
            cases.append({"name": name, "part": part, "title": title,
                          "points": possible if passed else 0, "possible": possible,
                          "passed": passed, "explanation": explanation})
    return {
        "format": FORMAT,
        "model": args.model,
        "server": str(server_bin),
        "graded_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(time.monotonic() - started, 1),
        "total": sum(case["points"] for case in cases),
        "possible": sum(case["possible"] for case in cases),
        "cases": cases,
    }


def print_report(report, out):
    print("Grading model %s (%s)" % (report["model"], report["server"]), file=out)
    part = None
    for case in report["cases"]:
        if case["part"] != part:
            part = case["part"]
            got = sum(c["points"] for c in report["cases"] if c["part"] == part)
            most = sum(c["possible"] for c in report["cases"] if c["part"] == part)
            print("\n%s: %d/%d" % (part, got, most), file=out)
        mark = "PASS" if case["passed"] else "FAIL"
        print("  %s %d/%d  %s" % (mark, case["points"], case["possible"], case["title"]), file=out)
        if not case["passed"]:
            print("            %s" % case["explanation"], file=out)
    print("\nScore: %d/%d (%d cases, %d passed; %.0f s)" % (
        report["total"], report["possible"], len(report["cases"]),
        sum(c["passed"] for c in report["cases"]), report["seconds"]), file=out)


# --------------------------------------------------------------------------------------------
# The command line

def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        prog="./lab grade-model", description="Grade one model of lab-server: the lab's suites "
        "and relations, a scored report (tests/grader/README.md).")
    parser.add_argument("model", metavar="NAME", help="the model, e.g. student")
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON here")
    parser.add_argument("--bin-dir", metavar="DIR", default=str(ROOT / "build/release/bin"),
                        help="where the built binaries are (default build/release/bin)")
    parser.add_argument("--server-bin", metavar="PATH",
                        help="the lab-server to grade (default: lab-server in --bin-dir; "
                        "lab-server-solution grades the reference solution)")
    parser.add_argument("--check-arguments", action="store_true", help=argparse.SUPPRESS)

    def error(message):
        raise BadArguments(message)
    parser.error = error
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9_-]{1,31}", args.model):
        raise BadArguments("'%s' is no model name (a-z, 0-9, - and _, at most 31)" % args.model)
    if args.json is not None:
        parent = Path(args.json).resolve().parent
        if not parent.is_dir():
            raise BadArguments("--json %s: no directory %s" % (args.json, parent))
    return args


def listed_models(server_bin):
    try:
        done = subprocess.run([str(server_bin), "--list-models", "--json"], capture_output=True,
                              text=True, timeout=30)
        return [m["name"] for m in json.loads(done.stdout)["models"]]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired) as e:
        raise CannotGrade("%s did not list its models (%s): build it with ./lab build"
                          % (server_bin, e))


def main(argv):
    # SIGTERM (an autograder's time limit) unwinds like Ctrl-C: the suites' processes are
    # killed and the grader's database is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        args = parse_arguments(argv)
        if args.check_arguments:
            return 0
        bin_dir = Path(args.bin_dir).resolve()
        server_bin = Path(args.server_bin).resolve() if args.server_bin else bin_dir / "lab-server"
        for needed in (server_bin, bin_dir / "server_tests", bin_dir / "db_tests",
                       bin_dir / "lab-harness"):
            if not os.access(needed, os.X_OK):
                raise CannotGrade("no %s: build the lab first (./lab build)" % needed)
        models = listed_models(server_bin)
        if args.model not in models:
            raise BadArguments("%s has no model '%s' (it has %s)"
                               % (server_bin.name, args.model, ", ".join(models)))
        work_dir = Path(tempfile.mkdtemp(prefix="lab-grade-"))
        try:
            report = grade(args, bin_dir, server_bin, work_dir)
        except CannotGrade as e:  # the suites' logs are kept: they may say why
            raise CannotGrade("%s (the suites' logs are in %s)" % (e, work_dir))
        except BaseException:
            shutil.rmtree(work_dir, ignore_errors=True)
            raise
        shutil.rmtree(work_dir, ignore_errors=True)
    except BadArguments as e:
        print("lab: grade-model: %s" % e, file=sys.stderr)
        return 2
    except CannotGrade as e:
        print("lab: grade-model: cannot grade: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lab: grade-model: interrupted: nothing graded", file=sys.stderr)
        return 130
    print_report(report, sys.stdout)
    if args.json:
        tmp = Path(args.json + ".tmp")
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        tmp.replace(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
