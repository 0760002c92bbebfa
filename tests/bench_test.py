#!/usr/bin/env python3
"""harness/bench/nginx-vs-loops without servers: its bad flags (one line, exit status 2) and
how it turns runs into medians, ratios and aims (which decide its exit status); and how it
starts a lab-server, against a stand-in that writes megabytes to stderr (which must go to a log
file, not a pipe nobody reads), one that never prints its port and one that fails at once. The
benchmark itself is run by hand (it needs nginx and minutes)."""
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import re
import subprocess
import sys
import tempfile
import types
import unittest
from unittest import mock

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "harness", "bench", "nginx-vs-loops")


def load_bench():
    sys.dont_write_bytecode = True  # no __pycache__ beside the script
    loader = importlib.machinery.SourceFileLoader("nginx_vs_loops", SCRIPT)
    spec = importlib.util.spec_from_loader("nginx_vs_loops", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


bench = load_bench()


def run(rps, cpu_us, client_us=7.0):
    """One client run as run_wrk makes it, from a rate and CPU figures (5 s window)."""
    window = 5.0
    requests = int(rps * window)
    cpu_s = cpu_us * requests / 1e6
    return bench.figures(None, requests, window, 0, 100.0, client_us * rps / 1e6,
                         (0.0, 0.0), (0.1 * cpu_s, 0.9 * cpu_s))


class Usage(unittest.TestCase):
    def check_refused(self, *flags):
        done = subprocess.run([sys.executable, SCRIPT, *flags], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertEqual(done.stdout, "")
        lines = done.stderr.splitlines()
        self.assertEqual(len(lines), 1, done.stderr)
        self.assertTrue(lines[0].startswith("nginx-vs-loops: "), lines[0])

    def test_bad_flags(self):
        self.check_refused("--bogus")
        self.check_refused("--runs", "0")
        self.check_refused("--loops", "65")
        self.check_refused("--duration", "5")
        self.check_refused("--connections", "64,x")
        self.check_refused("--connections", "64,64")
        self.check_refused("--pin", "both")
        self.check_refused("--servers", "epoll,uring")  # no nginx: nothing to compare with

    def test_help(self):
        done = subprocess.run([sys.executable, SCRIPT, "--help"], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(done.returncode, 0)
        self.assertIn("--pin shared|split", done.stdout)


class Figures(unittest.TestCase):
    def test_cpu_per_request_and_bound(self):
        row = run(50000, 8.0, client_us=6.0)
        self.assertAlmostEqual(row["server_cpu_us_per_request"], 8.0)
        self.assertAlmostEqual(row["server_user_us_per_request"], 0.8)
        self.assertAlmostEqual(row["client_cpu_us_per_request"], 6.0)
        cores = os.cpu_count()
        self.assertAlmostEqual(row["cores_bound_rps"], cores * 1e6 / 14.0)

    def test_runqueue_share(self):
        row = bench.figures(None, 1000, 5.0, 0, 100.0, 0.5, (0.0, 0.0), (0.1, 0.2), 7.5)
        self.assertAlmostEqual(row["server_runqueue_share"], 1.5)  # summed over tasks
        self.assertIsNone(run(1000, 8.0)["server_runqueue_share"])  # not measured: null
        self.assertAlmostEqual(bench.summarize([row, row])["server_runqueue_share"], 1.5)

    def test_no_requests_is_null_not_zero(self):
        row = bench.figures(None, 0, 5.0, 3, 0.0, 0.5, (0.0, 0.0), (0.1, 0.2))
        self.assertIsNone(row["server_cpu_us_per_request"])
        self.assertIsNone(row["cores_bound_rps"])
        self.assertIsNone(bench.summarize([row])["server_cpu_us_per_request"])


class Aims(unittest.TestCase):
    def measure(self, figures, connections="64"):
        """figures: {server: [(rps, cpu_us), ...]}, one a round, both clients alike."""
        each = {name: {connections: {"wrk": [run(*f) for f in runs],
                                     "harness": [run(*f) for f in runs]}}
                for name, runs in figures.items()}
        table = {name: {c: {k: bench.summarize(r) for k, r in by.items()}
                        for c, by in at.items()} for name, at in each.items()}
        bench.add_ratios(table, each)
        aims = bench.judge(each, [int(connections)])
        return table, {(a["server"], a["aim"]): a for a in aims}

    def test_medians_ratios_and_rounds(self):
        table, aims = self.measure({
            "nginx": [(100000, 8.0), (90000, 8.0), (110000, 10.0)],
            "epoll-reuseport": [(120000, 7.0), (80000, 7.0), (105000, 11.0)],
            "epoll": [(100000, 7.0)] * 3,
            "uring": [(99000, 6.0), (101000, 8.0), (99500, 6.0)]})
        row = table["epoll-reuseport"]["64"]["wrk"]
        self.assertAlmostEqual(row["rps"], 105000)  # the median run
        # Round by round: 1.2, 0.889, 0.955: the median of the ratios, not of the rates.
        self.assertAlmostEqual(row["rps_vs_nginx"], 105000 / 110000)
        self.assertAlmostEqual(table["nginx"]["64"]["harness"]["rps_vs_nginx"], 1.0)
        thrown = aims[("epoll-reuseport", "throughput >= 1.0x nginx's")]
        self.assertFalse(thrown["met"])
        self.assertAlmostEqual(thrown["value"], row["rps_vs_nginx"])
        self.assertEqual(thrown["rounds_met"], "1 of 3")
        cpu = aims[("epoll-reuseport", "CPU per request <= nginx's")]
        self.assertAlmostEqual(cpu["value"], 7.0 / 8.0)  # 0.875, 0.875, 1.1
        self.assertTrue(cpu["met"])
        self.assertEqual(cpu["rounds_met"], "2 of 3")
        uring = aims[("uring", "throughput >= 1.0x nginx's")]
        # 0.99, 1.12, 0.90: a median of 1.0 would be met (at least 1.0x), 0.99 is not.
        self.assertEqual((uring["met"], uring["rounds_met"]), (False, "1 of 3"))
        self.assertAlmostEqual(uring["value"], 0.99)
        self.assertAlmostEqual(aims[("uring", "CPU per request <= one-loop epoll's")]["value"],
                               6.0 / 7.0)
        self.assertNotIn(("epoll", "throughput >= 1.0x nginx's"), aims)  # epoll has no aim

    def test_aim_three_needs_64_connections(self):
        _, aims = self.measure({name: [(1000, 10.0)] for name in ("nginx", "epoll", "uring")},
                               connections="1")
        self.assertEqual({aim for _, aim in aims},
                         {"throughput >= 1.0x nginx's", "CPU per request <= nginx's"})


# A stand-in for lab-server (any flags): its first line on stdout gives the port; then, by
# $FAKE_SERVER, "noisy" writes NOISE bytes to stderr at the start and at every request (a
# pipe holds 64 KiB: past that a server whose stderr nobody reads blocks) and answers PONG;
# "silent" never prints its port; "crash" says why on stderr and exits 1.
NOISE = 256 * 1024
FAKE_SERVER = f"""#!{sys.executable}
import os, socket, sys, time
mode = os.environ["FAKE_SERVER"]
if mode == "crash":
    sys.stderr.write("lab-server: cannot start: no such model\\n")
    sys.exit(1)
if mode == "silent":
    time.sleep(60)
    sys.exit(0)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(f"listening on 127.0.0.1:{{listener.getsockname()[1]}} model=fake pid={{os.getpid()}}")
print("stats file (anonymous)", flush=True)
noise = b"lab-server: a message nobody reads\\n" * ({NOISE} // 35 + 1)
sys.stderr.buffer.write(noise)
sys.stderr.flush()
while True:
    client, _ = listener.accept()
    client.recv(4096)
    sys.stderr.buffer.write(noise)
    sys.stderr.flush()
    client.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 4\\r\\nConnection: close\\r\\n\\r\\nPONG")
    client.close()
"""


class StartModel(unittest.TestCase):
    """start_model against the stand-in: the server's stderr goes to WORK/NAME.stderr."""

    def setUp(self):
        self.bin = tempfile.TemporaryDirectory()
        self.work = tempfile.TemporaryDirectory()
        path = os.path.join(self.bin.name, "lab-server")
        with open(path, "w") as f:
            f.write(FAKE_SERVER)
        os.chmod(path, 0o755)
        self.args = types.SimpleNamespace(loops=2, connections=[64])
        self.log = os.path.join(self.work.name, "epoll.stderr")

    def tearDown(self):
        self.bin.cleanup()
        self.work.cleanup()

    def start(self, mode, timeout_s=bench.START_TIMEOUT_S):
        with mock.patch.object(bench, "BIN", self.bin.name), \
                mock.patch.object(bench, "START_TIMEOUT_S", timeout_s), \
                mock.patch.object(bench, "keep_work", False), \
                mock.patch.dict(os.environ, {"FAKE_SERVER": mode}):
            return bench.start_model("epoll", self.args, [], self.work.name)

    def refused(self, mode, timeout_s=bench.START_TIMEOUT_S):
        """start_model's one-line message and exit status, for a stand-in that fails."""
        error = io.StringIO()
        with contextlib.redirect_stderr(error), self.assertRaises(SystemExit) as exited:
            self.start(mode, timeout_s)
        self.assertEqual(exited.exception.code, 2)
        lines = error.getvalue().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(f"(its log: {self.log}", lines[0])
        return lines[0]

    def test_stderr_that_nobody_reads_does_not_stall_the_server(self):
        server = self.start("noisy")
        try:
            self.assertEqual(server.log, self.log)
            for _ in range(8):  # 2 MiB more: a pipe would have blocked the server long ago
                self.assertIn("PONG", bench.http_get(server.port))
            self.assertTrue(server.alive())
            self.assertGreaterEqual(os.path.getsize(self.log), 9 * NOISE)
            self.assertEqual(bench.log_tail(self.log), "lab-server: a message nobody reads")
        finally:
            server.stop()

    def test_no_port_within_the_timeout(self):
        line = self.refused("silent", timeout_s=1)
        self.assertIn("printed no port within 1 s", line)
        self.assertTrue(line.endswith(", empty)"), line)

    def test_failed_start_names_the_log_and_its_last_line(self):
        line = self.refused("crash")
        self.assertIn("did not start: it exited", line)
        self.assertTrue(line.endswith(": lab-server: cannot start: no such model)"), line)
        self.assertTrue(os.path.exists(self.log))


class Profile(unittest.TestCase):
    def test_samples_rounded_past_999(self):
        self.assertEqual(bench.perf_samples("680"), 680)
        self.assertEqual(bench.perf_samples("1K"), 1000)
        self.assertEqual(bench.perf_samples("12M"), 12000000)
        self.assertIsNone(bench.perf_samples("1.2K"))

    def test_groups(self):
        def group(symbol):
            return next(g for g, p in bench.GROUPS if re.match(p, symbol))
        self.assertEqual(group("io_submit_sqes"), "io_uring")
        self.assertEqual(group("__io_run_local_work_loop"), "io_uring")
        self.assertEqual(group("ep_send_events"), "epoll")
        self.assertEqual(group("do_syscall_64"), "system call entry and exit")
        self.assertEqual(group("tcp_sendmsg_locked"), "TCP/IP and sockets")
        self.assertEqual(group("finish_task_switch.isra.0"), "scheduler and wake-ups")
        self.assertEqual(group("read_tsc"), "other kernel")


if __name__ == "__main__":
    unittest.main()
