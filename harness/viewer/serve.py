#!/usr/bin/python3
"""What `./lab trace FILE` runs: serves speedscope (the trace viewer, as its npm package ships
it: a static site) and one trace on 127.0.0.1 until SIGINT or SIGTERM.

    serve.py --site DIR [--port N] [--no-open] FILE
    serve.py --check FILE            # only check that FILE is a trace (status 0 or 2)
    serve.py --convert FILE          # print the copy speedscope is given, and exit

The first line on standard output is `viewer: URL`, the page that opens FILE (speedscope reads
it from `#profileURL=`). speedscope is handed a converted copy of FILE, never FILE itself:
speedscope reads only the complete (X) and duration (B/E) events of a Chrome trace, so the
copy turns what it would drop or blur into what it reads (for_speedscope below). FILE is read
once, at start. A missing, unreadable or non-JSON FILE, or JSON that is not a Chrome trace,
is one line on stderr and exit status 2; so is a port that cannot be had.

Python's standard library only (Debian's python3), so it runs wherever ./lab does.
"""
import argparse
import http.server
import json
import os
import signal
import sys
import threading
import urllib.parse
import webbrowser

# What a span's frame is called in speedscope: its name, and its task (the client's port)
# where it has one, so that the cpu of task 46578 and the cpu of task 46592 stay apart.
def frame_name(event):
    args = event.get("args") or {}
    task = args.get("task") if isinstance(args, dict) else None
    name = str(event.get("name", "(unnamed)"))
    return f"{name} (task {task})" if task else name


def async_key(event):
    """The identity of an async (b/e) slice: process, category, name and id (id, or id2's
    local or global id), as the trace-event format matches a b with its e."""
    ident = event.get("id")
    if ident is None and isinstance(event.get("id2"), dict):
        ident = event["id2"].get("local", event["id2"].get("global"))
    return (event.get("pid"), event.get("cat"), event.get("name"), ident)


# The thread ids of the async slices' tracks in the copy: 1,000,000,000 and up, past any real
# thread id (at most 2^22, the kernel's pid_max), so they sort after their process's threads.
ASYNC_TID_BASE = 1_000_000_000


def for_speedscope(events):
    """The trace events as speedscope should get them. speedscope makes one profile per
    (pid, tid) from the X, B and E events and ignores every other kind, including the async
    b/e slices (the event loops' simulated I/O `io_wait`, the thread pool's `queue`); it names
    each frame by the event's name followed by its args as JSON (so no two spans share a
    frame) and starts each thread's time axis at that thread's first span. So the copy:
      - turns each async b/e pair into an X event on a track of its own, one per slice name
        and id (here the id is the task, and a task waits for one thing at a time), named
        "NAME of task ID (async)" under its process;
      - names each complete span `NAME (task T)` (frame_name) and leaves the args out;
      - gives every track a zero-length `trace start` and `trace end` span 1 µs before the
        trace's first moment and 1 µs after its last, so every thread is drawn on the same
        time axis (at the very first or last moment they would tie with a span there, which
        speedscope cannot order);
      - keeps the metadata (M) and the B/E events, and leaves out what speedscope ignores.
    Returns the new list; the input is not changed."""
    out, pending, tracks, async_tids = [], {}, {}, {}
    for ev in events:
        ph = ev.get("ph")
        if ph == "M":
            out.append(ev)
        elif ph in ("X", "B", "E"):
            copy = {k: v for k, v in ev.items() if k != "args"}
            if ph == "X":  # a B keeps its bare name, as its E (which has no task) does
                copy["name"] = frame_name(ev)
            out.append(copy)
            tracks.setdefault((ev.get("pid"), ev.get("tid")), None)
        elif ph == "b":
            pending.setdefault(async_key(ev), []).append(ev)
        elif ph == "e":
            begun = pending.get(async_key(ev))
            if not begun:
                continue  # an end without a beginning: nothing to draw
            b = begun.pop(0)
            pid, _, name, ident = async_key(b)
            if (pid, name, ident) not in async_tids:
                # speedscope wants a number; a thread id is at most 2^22 (pid_max).
                tid = ASYNC_TID_BASE + len(async_tids)
                async_tids[(pid, name, ident)] = tid
                tracks[(pid, tid)] = None
                out.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                            "args": {"name": f"{name} of task {ident} (async)"}})
            out.append({"ph": "X", "name": frame_name(b), "cat": b.get("cat"), "pid": pid,
                        "tid": async_tids[(pid, name, ident)], "ts": b["ts"],
                        "dur": round(max(0, ev["ts"] - b["ts"]), 3)})
    # Slices still open at the end (a b without its e) are left out: their end is unknown.
    times = [ev["ts"] for ev in out if ev.get("ph") in ("X", "B", "E") and "ts" in ev]
    ends = [ev["ts"] + ev.get("dur", 0) for ev in out if ev.get("ph") == "X" and "ts" in ev]
    if times:
        first, last = min(times) - 1, max(times + ends) + 1
        for pid, tid in tracks:
            for name, ts in (("trace start", first), ("trace end", last)):
                out.append({"ph": "X", "name": name, "pid": pid, "tid": tid, "ts": ts, "dur": 0})
    return out


def read_trace(path):
    """The trace in FILE as a trace-event object, or exits 2 with one line saying why."""
    def refuse(why):
        print(f"lab: trace: {path}: {why}", file=sys.stderr)
        sys.exit(2)
    try:
        with open(path, "rb") as f:
            doc = json.load(f)
    except FileNotFoundError:
        refuse("no such file")
    except IsADirectoryError:
        refuse("is a directory, not a trace file")
    except OSError as e:
        refuse(f"cannot read it ({e.strerror})")
    except (ValueError, UnicodeDecodeError) as e:
        refuse("an empty file, not JSON" if os.path.getsize(path) == 0 else f"not JSON ({e})")
    # The trace-event format's two forms: an object with traceEvents, or a bare array.
    events = doc.get("traceEvents") if isinstance(doc, dict) else doc
    if not isinstance(events, list) or not all(isinstance(e, dict) and "ph" in e for e in events):
        refuse("not a Chrome trace (no traceEvents list of events; lab-server --trace and "
               "lab-harness timeline write one)")
    if not events:
        refuse("a Chrome trace with no events")
    return doc if isinstance(doc, dict) else {"traceEvents": events}


def converted(doc):
    copy = dict(doc)
    copy["traceEvents"] = for_speedscope(doc["traceEvents"])
    return copy


class Handler(http.server.SimpleHTTPRequestHandler):
    """speedscope's files from the site directory, and the converted trace at trace_path."""
    trace_path = "/trace/"  # set per server: /trace/NAME
    trace_body = b""

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == self.trace_path:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(self.trace_body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.trace_body)
            return
        super().do_GET()

    def log_message(self, format, *args):
        pass  # a page load is a dozen requests: not worth a line each


def main():
    parser = argparse.ArgumentParser(prog="lab trace", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", metavar="FILE", help="a Chrome trace (lab-server --trace)")
    parser.add_argument("--site", help="speedscope's static site (its dist/release)")
    parser.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    parser.add_argument("--no-open", action="store_true", help="only print the URL")
    parser.add_argument("--check", action="store_true", help="only check FILE, and exit")
    parser.add_argument("--convert", action="store_true",
                        help="print the converted copy on stdout and exit")
    args = parser.parse_args()
    doc = read_trace(args.file)
    if args.check:
        return 0
    if args.convert:
        json.dump(converted(doc), sys.stdout)
        print()
        return 0
    if not args.site or not os.path.isfile(os.path.join(args.site, "index.html")):
        print(f"lab: trace: no speedscope site at {args.site} (./lab trace installs it)",
              file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"lab: trace: --port {args.port}: give 0 to 65535", file=sys.stderr)
        return 2

    copy = converted(doc)
    if not any(ev.get("ph") != "M" for ev in copy["traceEvents"]):
        print(f"lab: trace: {args.file} has no spans: speedscope will have nothing to show",
              file=sys.stderr)
    name = urllib.parse.quote(os.path.basename(args.file))
    handler = type("TraceHandler", (Handler,), {
        "trace_path": f"/trace/{name}",
        "trace_body": json.dumps(copy).encode(),
    })
    site = os.path.abspath(args.site)
    try:
        # Loopback only: the viewer is for this machine's user.
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", args.port), lambda *a: handler(*a, directory=site))
    except OSError as e:
        print(f"lab: trace: cannot listen on 127.0.0.1:{args.port} ({e.strerror})",
              file=sys.stderr)
        return 2
    port = server.server_address[1]
    trace_url = f"http://127.0.0.1:{port}/trace/{name}"
    # No `&title=`: speedscope would show it in place of each thread's name.
    url = f"http://127.0.0.1:{port}/#profileURL={urllib.parse.quote(trace_url, safe='')}"
    print(f"viewer: {url}", flush=True)

    # SIGTERM stops it like Ctrl-C: shutdown() from another thread, as serve_forever wants.
    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if not args.no_open:
        if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
            if not webbrowser.open(url):
                print("lab: trace: found no browser to open it: open the URL above",
                      file=sys.stderr)
        else:
            print("lab: trace: no display here: open the URL above in a browser on this machine",
                  file=sys.stderr)
    print("lab: trace: serving until Ctrl-C", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
