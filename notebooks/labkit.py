"""labkit: what every lab notebook shares.

It finds the lab's binaries, runs them with small, bounded parameters, reads the results
JSON they write, shows lab-plot's figures, and checks answers against the student's own
measurements. It uses the Python standard library and IPython only (Debian's python3 and
python3-ipykernel), so a notebook runs on any machine that ran `./lab setup`.

When the binaries are not built, a notebook says how to build them and shows the reference
results committed under results/reference/notebooks/ instead, saying so.

Read it: nothing here is magic. A run is `lab-harness ... --out FILE`; a figure is
`lab-plot FILE --out DIR`; a table is fields picked out of the JSON that results/SCHEMA.md
describes.
"""

from __future__ import annotations

import html
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path


def _find_root() -> Path:
    """The lab's checkout: $LAB_ROOT, or the first parent of the working directory that
    holds the `lab` script and notebooks/labkit.py."""
    if os.environ.get("LAB_ROOT"):
        return Path(os.environ["LAB_ROOT"]).resolve()
    here = Path.cwd().resolve()
    for d in [here, *here.parents]:
        if (d / "lab").is_file() and (d / "notebooks" / "labkit.py").is_file():
            return d
    return Path(__file__).resolve().parent.parent


ROOT = _find_root()
BIN = Path(os.environ.get("LAB_BIN", ROOT / "build" / "release" / "bin"))
REFERENCE = ROOT / "results" / "reference"

# LAB_QUICK=1 (CI sets it): every experiment shrinks so a notebook runs in well under a
# minute. The relations the checks test still hold; the figures are noisier.
QUICK = os.environ.get("LAB_QUICK", "") not in ("", "0")

# The longest any one command may take before the notebook gives up on it.
COMMAND_TIMEOUT_S = 300


class LabCheckFailed(AssertionError):
    """A check of the student's measurements did not hold."""


def pick(full, quick):
    """`full` normally, `quick` under LAB_QUICK=1."""
    return quick if QUICK else full


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def _display(obj):
    """Show a rich object in the notebook; outside one, print its text."""
    if _in_notebook():
        from IPython.display import display

        display(obj)
    else:
        print(getattr(obj, "data", obj))


def say(markdown: str):
    """Show a line of Markdown in the notebook (plain text outside one)."""
    if _in_notebook():
        from IPython.display import Markdown

        _display(Markdown(markdown))
    else:
        print(markdown)


def check(condition: bool, passed: str, failed: str):
    """A check against the student's own measurements: a relation with a wide margin, never
    a fixed number. Prints what held, or stops the notebook with what did not and why."""
    if condition:
        print(f"check passed: {passed}")
        return
    raise LabCheckFailed(f"check failed: {failed}")


def check_answer(answer, test, passed: str, failed: str):
    """Check an exercise's answer (a value the student's cell sets) with `test(answer)`.
    An answer still at None is reported as not done yet instead of failing, so a student
    copy runs top to bottom before the exercises are solved. (Messages are built before the
    call: format the answer in them with {answer}, not {answer:.2f}, which None refuses.)"""
    if answer is None:
        print("not answered yet: fill in the exercise's cell above and run this one again")
        return
    check(bool(test(answer)), passed, failed)


def get(obj, dotted: str, default=None):
    """`get(run, "client.latency_ns.p99")`: a field by its dotted path, or `default`."""
    for part in dotted.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return default
    return obj


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows, columns):
    """An HTML table. `rows` are dicts (runs); `columns` are (heading, dotted path or
    function of the row) pairs."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns)
    body = []
    for row in rows:
        cells = []
        for _, how in columns:
            value = how(row) if callable(how) else get(row, how)
            cells.append(f"<td>{html.escape(_fmt(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    markup = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if _in_notebook():
        from IPython.display import HTML

        _display(HTML(markup))
    else:
        for row in rows:
            print({h: (how(row) if callable(how) else get(row, how)) for h, how in columns})


# Columns most tables want; pass your own for anything else.
MS = 1e-6  # ns -> ms
COLUMNS = [
    ("model", "model"),
    ("workload", "workload"),
    ("connections", "connections"),
    ("requests/s", "client.throughput_rps"),
    ("p50 ms", lambda r: get(r, "client.latency_ns.p50", 0) * MS),
    ("p99 ms", lambda r: get(r, "client.latency_ns.p99", 0) * MS),
    ("errors", lambda r: sum(get(r, "client.errors", {}).values())),
    ("CPU µs/req", "per_request.cpu_us"),
    ("threads", "server.peak_threads"),
    ("processes", "server.peak_processes"),
]


class Results:
    """One results file of lab-harness (schema: results/SCHEMA.md)."""

    def __init__(self, path: Path, from_reference: bool = False):
        self.path = Path(path)
        self.from_reference = from_reference
        with open(self.path) as f:
            self.data = json.load(f)
        if self.data.get("schema_version") != 1:
            raise ValueError(f"{self.path}: schema_version {self.data.get('schema_version')}"
                             " is not 1; this labkit reads version 1")
        self.runs = self.data.get("runs", [])

    def select(self, **where):
        """The runs whose fields equal the given values, e.g. select(model="threads")."""
        return [r for r in self.runs if all(r.get(k) == v for k, v in where.items())]

    def one(self, **where):
        """The single run matching `where` (the median-throughput one if repeated)."""
        runs = self.select(**where)
        if not runs:
            raise KeyError(f"{self.path.name}: no run with {where}")
        runs.sort(key=lambda r: get(r, "client.throughput_rps", 0))
        return runs[len(runs) // 2]

    def value(self, dotted: str, **where):
        """One field of the run matching `where`, e.g. value("client.throughput_rps",
        model="select", connections=64)."""
        return get(self.one(**where), dotted)

    def table(self, columns=None, **where):
        table(self.select(**where) if where else self.runs, columns or COLUMNS)


class Notebook:
    """One lab's working area: build/notebooks/NAME/ for its results and plots, and
    results/reference/notebooks/NAME/ for the committed reference run."""

    def __init__(self, name: str):
        self.name = name
        self.dir = ROOT / "build" / "notebooks" / name
        self.reference = REFERENCE / "notebooks" / name
        self.live = (BIN / "lab-harness").is_file() and (BIN / "lab-server").is_file()
        self.can_plot = (BIN / "lab-plot").is_file() and shutil.which("gnuplot") is not None
        self.dir.mkdir(parents=True, exist_ok=True)
        where = f"`{BIN}`"
        if self.live:
            say(f"**{name}**: using the binaries in {where}"
                + (" (LAB_QUICK=1: short runs)" if QUICK else "") + ".")
        else:
            say(f"**{name}**: the lab is not built (no `lab-harness` in {where}). Build it with "
                f"`./lab build` in `{ROOT}` and run this notebook again. Until then every "
                f"experiment below shows the **reference results** in "
                f"`results/reference/notebooks/{name}/`, measured on the machine that "
                "`results/reference/README.md` describes, not on yours.")

    # -- running ------------------------------------------------------------------------

    @staticmethod
    def _saving_reference() -> bool:
        return os.environ.get("LAB_SAVE_REFERENCE", "") not in ("", "0")

    def _save_reference(self, path: Path):
        """LAB_SAVE_REFERENCE=1 (used once to make results/reference/notebooks/) keeps a
        copy of each results file, and of the PNGs of its plots, as the reference."""
        if self._saving_reference():
            target = self.reference / path.relative_to(self.dir)
            if path.is_dir():
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(path, target, ignore=shutil.ignore_patterns("*.svg", "*.gp"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)

    def _reference_copy(self, filename: str) -> Path:
        ref = self.reference / filename
        if not ref.is_file():
            raise FileNotFoundError(f"{ref} does not exist: build the lab (./lab build) and "
                                    "run this notebook to measure it yourself")
        return ref

    def sweep(self, name: str, *, models, workload, connections, duration="2s",
              warmup="500ms", repeat=1, rate=None, server_args=(), extra=()) -> Results:
        """Run `lab-harness` once (a sweep over models x connections) into
        build/notebooks/NB/NAME.json and return its results. Prints the command line."""
        out = self.dir / f"{name}.json"
        if not self.live:
            say(f"*{name}: showing the reference run (the lab is not built).*")
            return Results(self._reference_copy(out.name), from_reference=True)
        cmd = [str(BIN / "lab-harness"), "--quiet",
               "--models", ",".join(models) if not isinstance(models, str) else models,
               "--workload", workload,
               "--connections", ",".join(str(c) for c in connections),
               "--duration", str(duration), "--warmup", str(warmup),
               "--repeat", str(repeat), "--out", str(out)]
        if rate is not None:
            cmd += ["--rate", str(rate)]
        cmd += [f"--server-arg={a}" for a in server_args]
        cmd += list(extra)
        run_command(cmd)
        self._save_reference(out)
        return Results(out)

    def timeline(self, model: str, scenario: str) -> Path:
        """`lab-harness timeline`: three clients against MODEL with --trace; the trace file."""
        out = self.dir / "timelines" / f"{model}-{scenario}.json"
        if not self.live:
            ref = REFERENCE / "timelines" / out.name
            say(f"*timeline {model} {scenario}: showing the reference trace (not built).*")
            return ref
        out.parent.mkdir(parents=True, exist_ok=True)
        run_command([str(BIN / "lab-harness"), "timeline", "--model", model,
                     "--scenario", scenario, "--out", str(out)])
        return out

    # -- figures --------------------------------------------------------------------------

    def plot(self, results: Results) -> dict:
        """Draw lab-plot's figures of a results file; returns {figure-name: PNG path}.
        Without lab-plot, the reference plots of a reference run are used if there are any."""
        stem = results.path.stem
        if self.can_plot and not results.from_reference:
            folder = self.dir / "plots" / stem
            shutil.rmtree(folder, ignore_errors=True)  # no stale figure of an earlier run
            try:
                run_command([str(BIN / "lab-plot"), "--out", str(self.dir / "plots"),
                             str(results.path)])
            except RuntimeError as e:
                # A run too short or too disturbed to draw (say, one time-series sample):
                # the notebook goes on with its tables; show() says why a figure is missing.
                print(f"lab-plot could not draw {results.path.name}: {e}")
                return Figures(reason=str(e).strip().splitlines()[-1])
            self._save_reference(folder)
        else:
            folder = self.reference / "plots" / stem
        return Figures({p.stem: p for p in sorted(folder.glob("*.png"))})

    def plot_timelines(self, traces) -> dict:
        """lab-plot timeline: the Gantt charts of some traces; {chart-name: PNG path}."""
        traces = [Path(t) for t in traces]
        live = self.can_plot and all(REFERENCE not in t.parents for t in traces)
        folder = self.dir / "plots" / "timelines"
        if live:
            run_command([str(BIN / "lab-plot"), "timeline", "--out", str(folder),
                         *map(str, traces)])
        else:
            folder = REFERENCE / "plots" / "timelines"
        return {p.stem: p for p in sorted(folder.glob("*.png"))}


class Figures(dict):
    """{figure-name: PNG path} from plot(); `reason` says why there are none, if lab-plot
    refused the results file."""

    def __init__(self, figures=(), reason: str = ""):
        super().__init__(figures)
        self.reason = reason


def show(pngs: dict, name: str, width: int = 760):
    """Show the figure `name` (e.g. "throughput-io") of a dict from plot()."""
    if name not in pngs and getattr(pngs, "reason", ""):
        print(f"figure {name} was not drawn: {pngs.reason}")
        return
    if name not in pngs:
        raise KeyError(f"no figure {name!r}; there are: {', '.join(pngs) or 'none'}")
    if _in_notebook():
        from IPython.display import Image

        _display(Image(filename=str(pngs[name]), width=width))
    else:
        print(pngs[name])


def show_reference(png, width: int = 760) -> bool:
    """Show a PNG of the committed reference run (a path, or one relative to
    results/reference/), saying plainly that it is the reference machine's measurement, not
    the student's. Says so and returns False when this checkout has no such file."""
    path = Path(png)
    if not path.is_absolute():
        path = REFERENCE / path
    try:
        shown = path.relative_to(ROOT)
    except ValueError:
        shown = path
    if not path.is_file():
        print(f"{shown}: not in this checkout (the reference run has no such figure)")
        return False
    say(f"*The reference machine's run (`{shown}`, see `results/reference/README.md`), "
        "not yours:*")
    if _in_notebook():
        from IPython.display import Image

        _display(Image(filename=str(path), width=width))
    else:
        print(path)
    return True


def run_command(cmd, timeout=COMMAND_TIMEOUT_S) -> str:
    """Run a command, print it, and return its standard output. Its error output is shown
    when it fails, and the notebook stops there."""
    shown = " ".join(str(c).replace(str(BIN) + "/", "") for c in cmd)
    print(f"$ {shown}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{shown}\nexited with status {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


# -- talking to a server directly -------------------------------------------------------


class Server:
    """A lab-server started by the notebook (see `server()`): its port, pid, and `stats()`."""

    def __init__(self, proc: subprocess.Popen, port: int):
        self.proc = proc
        self.port = port
        self.pid = proc.pid

    def connect(self, timeout: float = 5.0) -> "Client":
        return Client(self.port, timeout)

    def stats(self, timeout: float = 5.0) -> dict:
        """STATS over a fresh connection (a busy sequential server answers it late, or not
        within `timeout`: then a TimeoutError)."""
        with self.connect(timeout) as c:
            line = c.request("STATS")
        if not line.startswith("OK "):
            raise RuntimeError(f"STATS answered {line!r}")
        return json.loads(line[3:])


class Client:
    """One LABP/1 connection: request("PING") -> "OK PONG". Replies are read up to LF."""

    def __init__(self, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def line(self) -> str:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buf += chunk
            if len(self.buf) > 1 << 20:
                raise RuntimeError("reply line over 1 MiB")
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def request(self, text: str) -> str:
        self.send(text.encode() + b"\n")
        return self.line()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@contextmanager
def server(model: str, *args: str, timeout: float = 10.0):
    """`with server("sequential", "--idle-timeout", "2") as s:` starts lab-server on a free
    loopback port and stops it (SIGTERM, then SIGKILL) when the block ends."""
    if not (BIN / "lab-server").is_file():
        raise FileNotFoundError(f"{BIN / 'lab-server'} is not built: run ./lab build")
    proc = subprocess.Popen([str(BIN / "lab-server"), "--model", model, "--port", "0",
                             "--no-stats-file", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        first = proc.stdout.readline() if ready else ""  # "listening on 127.0.0.1:PORT ..."
        if not first.startswith("listening on "):
            proc.kill()
            raise RuntimeError(f"lab-server did not start: {first!r} {proc.stderr.read()}")
        port = int(first.split()[2].rsplit(":", 1)[1])
        yield Server(proc, port)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def accept_queue(port: int) -> int:
    """Connections waiting in the listen backlog of 127.0.0.1:PORT: the rx_queue of its
    LISTEN row in /proc/net/tcp (state 0A), as the server's STATS reads it."""
    want = f":{port:04X}"
    with open("/proc/net/tcp") as f:
        next(f)
        for row in f:
            fields = row.split()
            if fields[1].endswith(want) and fields[3] == "0A":
                return int(fields[4].split(":")[1], 16)
    return 0


# -- traces -------------------------------------------------------------------------------


def _async_id(event):
    """An async event's id: process-local ("id2": {"local": N}) or plain ("id": N)."""
    return event["id2"]["local"] if "id2" in event else event["id"]


class Trace:
    """A trace of `lab-server --trace` or `lab-harness timeline` (Chrome trace JSON).
    Spans are `X` events (server phases: accept, read, cpu, io_wait, lock, write, wait; and
    the clients' `request`s); the select loop's simulated I/O are `b`/`e` pairs (cat
    `timer`). Times are in microseconds."""

    def __init__(self, path):
        self.path = Path(path)
        with open(self.path) as f:
            self.data = json.load(f)
        self.events = self.data["traceEvents"]
        self.info = self.data.get("otherData", {})

    def spans(self, name=None, cat=None):
        """[(start_us, end_us, pid, tid, task)] of the spans (and async pairs) named `name`
        (a string or a tuple of them) in category `cat`, ordered by start."""
        names = (name,) if isinstance(name, str) else name
        out, open_async = [], {}
        for e in self.events:
            if names and e.get("name") not in names or cat and e.get("cat") != cat:
                continue
            task = e.get("args", {}).get("task")
            if e["ph"] == "X":
                out.append((e["ts"], e["ts"] + e["dur"], e["pid"], e["tid"], task))
            elif e["ph"] == "b":
                open_async[(e.get("cat"), _async_id(e))] = e
            elif e["ph"] == "e" and (e.get("cat"), _async_id(e)) in open_async:
                b = open_async.pop((e.get("cat"), _async_id(e)))
                out.append((b["ts"], e["ts"], b["pid"], b["tid"], b.get("args", {}).get("task")))
        return sorted(out)

    def threads(self, name=None, cat="server"):
        """The (pid, tid) pairs that ran spans named `name`."""
        return {(pid, tid) for _, _, pid, tid, _ in self.spans(name, cat)}

    def most_at_once(self, name=None, cat=None):
        """The largest number of these spans in progress at the same moment."""
        edges = []
        for start, end, *_ in self.spans(name, cat):
            edges += [(start, 1), (end, -1)]
        best = now = 0
        for _, step in sorted(edges):  # an end before a start at the same instant
            now += step
            best = max(best, now)
        return best

    def busy_us(self, name=None, cat="server"):
        """Total duration of these spans, in microseconds."""
        return sum(end - start for start, end, *_ in self.spans(name, cat))
