#!/usr/bin/python3
"""harness/bench/async-backtraces (issue 17, "Debugging") against this build's lab-server: gdb
stops threads and epoll in the middle of a WORK request, and the stacks show what the lab says
they show: in threads, the client's own thread in blocking_session's serve_connection; in epoll,
the loop calling the connection's handler. Without gdb, or without permission to attach, it
is skipped (status 77) with the reason, never passed.

  tests/async_backtraces_test.py LAB_SERVER
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "harness", "bench", "async-backtraces")
SKIP = 77


def functions(model):
    return [f["function"] or "" for f in model["frames"]]


def files(model):
    return [os.path.relpath(f["file"], ROOT) if f["file"] and os.path.isabs(f["file"]) else ""
            for f in model["frames"]]


def index_of(names, wanted):
    for i, name in enumerate(names):
        if wanted in name:
            return i
    raise AssertionError(f"no frame {wanted!r} in {names}")


def main():
    if len(sys.argv) != 2:
        print("usage: async_backtraces_test.py LAB_SERVER", file=sys.stderr)
        return 2
    server = sys.argv[1]
    if shutil.which("gdb") is None:
        print("SKIPPED: gdb is not installed (apt-get install gdb; ./lab setup installs it)")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "stacks.json")
        done = subprocess.run(["/usr/bin/python3", TOOL, "--models", "threads,epoll",
                               "--server-bin", server, "--out", out],
                              capture_output=True, text=True, timeout=240)
        print(done.stdout, done.stderr, sep="")
        if done.returncode == 2 and "cannot attach" in done.stderr:
            print("SKIPPED: gdb may not attach to a process here (ptrace): " + done.stderr)
            return SKIP
        assert done.returncode == 0, f"async-backtraces exited {done.returncode}"
        with open(out) as f:
            doc = json.load(f)
    assert set(doc["models"]) == {"threads", "epoll"}, doc["models"].keys()
    for name, model in doc["models"].items():
        assert "error" not in model, (name, model.get("error"))
        assert model["reply"].startswith("OK 8\n"), (name, model["reply"])
        names = functions(model)
        # Stopped where WORK burns its CPU, called by execute.
        assert "burn_cpu" in names[0], (name, names[0])
        assert index_of(names, "lab::execute") > 0
        assert model["stack"][0].startswith("lab::burn_cpu"), model["stack"]
    # threads: the client's own thread, in the blocking session, started by the threads model.
    threads = doc["models"]["threads"]
    names, where = functions(threads), files(threads)
    session = index_of(names, "serve_connection")
    assert where[session] == "shared/blocking_session.cpp", where[session]
    assert index_of(names, "lab::execute") < session
    assert "models/threads.cpp" in where[session:], where
    assert len(threads["threads"]) >= 2, "a listening thread and the client's"
    # epoll: the loop calls the handler, which runs the state machine that executes the request.
    epoll = doc["models"]["epoll"]
    names, where = functions(epoll), files(epoll)
    handler = index_of(names, "EventConnection::on_readable")
    assert where[handler] == "shared/event_connection.cpp", where[handler]
    assert index_of(names, "lab::execute") < handler
    assert "models/epoll_loop.cpp" in where[handler + 1:], where
    assert "serve_connection" not in " ".join(names), "no blocking session in a loop's stack"
    print("epoll: " + " <- ".join(n for n in names if n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
