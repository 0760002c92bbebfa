#!/usr/bin/python3
"""harness/bench/async-backtraces (issue 17, "Debugging") against this build's lab-server: gdb
stops threads, epoll, libevent and coroutines in the middle of a WORK request, and the stacks
show what the lab says they show: in threads, the client's own thread in blocking_session's
serve_connection; in epoll, the loop calling the connection's handler; in libevent,
event_base_loop calling the model's callback, which calls the same handler; in coroutines,
the client's own coroutine, serve_client, executing the request, resumed by the loop (what
lies below it depends on whether the coroutine had suspended before the WORK arrived, so only
that some CoroLoop resumed it is checked). Frames only, never times. Without gdb, or without
permission to attach, it is skipped (status 77) with the reason, never passed.

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


def function_files(model):
    """The file of each frame's function (a frame's own line can be in a system header)."""
    return [os.path.relpath(f["function_file"], ROOT)
            if f["function_file"] and os.path.isabs(f["function_file"]) else ""
            for f in model["frames"]]


def index_of(names, wanted):
    for i, name in enumerate(names):
        if wanted in name:
            return i
    raise AssertionError(f"no frame {wanted!r} in {names}")


def check_libevent(libevent):
    """event_base_loop (in libevent's library) calls the model's callback, which calls the
    same handler as epoll's loop."""
    names, where, defined = functions(libevent), files(libevent), function_files(libevent)
    frames = libevent["frames"]
    handler = index_of(names, "EventConnection::on_readable")
    assert where[handler] == "shared/event_connection.cpp", where[handler]
    assert index_of(names, "lab::execute") < handler
    callback = handler + 1
    assert "on_readable" in names[callback] and "EventConnection" not in names[callback], names
    assert defined[callback] == "models/libevent_loop.cpp", defined[callback]
    assert not frames[callback]["inlined"], "a callback is a function libevent calls"
    library = [os.path.basename(f["library"] or "") for f in frames]
    assert library[callback + 1].startswith("libevent"), (library, names)
    loop = index_of(names, "event_base_loop")
    assert loop > callback and library[loop].startswith("libevent"), (library, names)
    assert index_of(names, "serve_libevent") > loop
    assert any(line.startswith("[") and "libevent" in line and "event_base_loop" in line
               for line in libevent["stack"]), libevent["stack"]
    assert "serve_connection" not in " ".join(names), "no blocking session in a loop's stack"
    print("libevent: " + " <- ".join(n or "??" for n in names))


def check_coroutines(coroutines):
    """The top reads like threads': the client's own coroutine, serve_client, a frame of its
    own at the line that executes the request; below it, whatever resumed it."""
    names, where = functions(coroutines), files(coroutines)
    frames = coroutines["frames"]
    client = index_of(names, "serve_client")
    assert client == index_of(names, "lab::execute") + 1, ("execute's caller", names)
    assert not frames[client]["inlined"], "the coroutine's own frame"
    assert where[client] == "models/coroutines.cpp", where[client]
    assert frames[client]["line"], frames[client]
    with open(os.path.join(ROOT, where[client])) as f:
        source = f.read().splitlines()[frames[client]["line"] - 1]
    assert "execute(" in source, (frames[client]["line"], source)
    # Between it and the resume, a build that does not turn symmetric transfer into a tail call
    # (the sanitizers' does not; the release build does) shows the coroutines whose end
    # resumed their caller, each a frame of models/coroutines.cpp (receive, then serve_client).
    resumed = client + 1
    while resumed < len(names) and where[resumed] == "models/coroutines.cpp" \
            and "accept_clients" not in (names[resumed] or ""):
        resumed += 1
    assert resumed < len(names) and "coroutine_handle" in names[resumed] \
        and "resume" in names[resumed], names
    # Resumed at once by the accepting coroutine's spawn (the WORK was there at the first read)
    # or later by the loop's dispatch (it had suspended): either way, under the loop's run.
    below = names[client + 1:]
    resumers = [i for i, n in enumerate(below)
                if "CoroLoop::spawn" in n or "CoroLoop::dispatch" in n]
    assert resumers, ("no CoroLoop resumed serve_client", names)
    assert index_of(below, "CoroLoop::run") > resumers[0], names
    assert index_of(names, "serve_coroutines") > client
    stack = coroutines["stack"]
    shown = [i for i, line in enumerate(stack) if "serve_client" in line]
    assert shown and "serve_client  models/coroutines.cpp:" in stack[shown[0]], stack
    after = shown[0] + 1
    while after < len(stack) and "models/coroutines.cpp" in stack[after] \
            and "accept_clients" not in stack[after]:
        after += 1
    assert after < len(stack) and "coroutine_handle::resume" in stack[after], stack
    joined = " ".join(names)
    assert "serve_connection" not in joined and "EventConnection" not in joined, names
    print("coroutines: " + " <- ".join(n for n in names if n))


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
        # Each model is bounded to a minute by the tool (seconds when all is well).
        done = subprocess.run(["/usr/bin/python3", TOOL, "--models",
                               "threads,epoll,libevent,coroutines", "--server-bin", server,
                               "--out", out],
                              capture_output=True, text=True, timeout=330)
        print(done.stdout, done.stderr, sep="")
        if done.returncode == 2 and "cannot attach" in done.stderr:
            print("SKIPPED: gdb may not attach to a process here (ptrace): " + done.stderr)
            return SKIP
        assert done.returncode == 0, f"async-backtraces exited {done.returncode}"
        with open(out) as f:
            doc = json.load(f)
    assert set(doc["models"]) == {"threads", "epoll", "libevent", "coroutines"}, \
        (doc["models"].keys(), doc["skipped"])
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
    check_libevent(doc["models"]["libevent"])
    check_coroutines(doc["models"]["coroutines"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
