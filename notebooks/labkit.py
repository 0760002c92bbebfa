"""labkit: what every lab notebook shares.

It finds the lab's binaries, runs them with small, bounded parameters, reads the results
JSON they write, shows lab-plot's figures, and checks answers against the student's own
measurements. It uses the Python standard library and IPython only (Debian's python3 and
python3-ipykernel), so a notebook runs on any machine that ran `./lab setup`.

When the binaries are not built, a notebook says how to build them and shows the reference
results committed under results/reference/notebooks/ instead, saying so.

In a student's handout (handout.json at the root: notebooks/handout.py), nb.param() gives the
student's own values of the parameters an exercise asks about. Every check leaves a
machine-readable record of its outcome in the cell's output for notebooks/grade.py.

Read it: nothing here is magic. A run is `lab-harness ... --out FILE`; a figure is
`lab-plot FILE --out DIR`; a table is fields picked out of the JSON that results/SCHEMA.md
describes.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
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


class LabCheckError(Exception):
    """A check that is wrongly written: it cannot fail, or names no evidence. The lab's
    author must fix it; a student never sees this in a released lab."""


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


# -- checks: only the student's own measurements count ---------------------------------------
#
# Every check names its evidence: the results files, traces and recorded measurements its
# numbers come from. Evidence counts only when this lab's own run made it on this machine
# (see own_run_problem); the reference results are shown but never graded. A relation is
# probed before it is tested: one that holds whatever the numbers (`v >= 0`) is a broken
# check, not a passed one.

NOT_GRADED = "reference data: not graded"


def _evidence_list(evidence):
    if evidence is None:
        raise LabCheckError("a check must name its evidence: the Results, Trace or measurement "
                            "(nb.record) its numbers come from")
    items = list(evidence) if isinstance(evidence, (list, tuple)) else [evidence]
    if not items:
        raise LabCheckError("a check must name at least one piece of evidence")
    return items


def _judge_evidence(evidence):
    """None when every piece of evidence is the student's own run; NOT_GRADED when any is
    reference data; otherwise raises LabCheckFailed saying which piece is not theirs."""
    reference = False
    for item in _evidence_list(evidence):
        problem = own_run_problem(item)
        if problem == NOT_GRADED:
            reference = True
        elif problem:
            raise LabCheckFailed(f"check failed: {problem}")
    return NOT_GRADED if reference else None


def _probes(values: dict):
    """Alternative values a measurement might have taken: each number alone set to 0, a
    thousandth, a thousand times itself, a tiny and a huge value; and all of them at once
    set to each of those. (Measurements here are never negative, so no negative probes.)"""
    numeric = [k for k, v in values.items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)]
    for k in numeric:
        v = float(values[k])
        for alt in (0.0, v / 1000, v * 1000, 1e-9, 1e12):
            yield {**values, k: alt}
    for alt in (0.0, 1e-9, 1.0, 1e12):
        yield {**values, **{k: alt for k in numeric}}
    for i, a in enumerate(numeric):  # each pair exchanged
        for b in numeric[i + 1:]:
            yield {**values, a: values[b], b: values[a]}


def _falsifiable(relation, values: dict) -> bool:
    for probe in _probes(values):
        try:
            if not relation(**probe):
                return True
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return True  # a probe it cannot even evaluate is one it does not accept
    return False


def check(relation, values: dict, *, evidence, passed: str, failed: str) -> bool:
    """Check a relation over the student's own measurements: `relation(**values)`, e.g.
    `check(lambda thr, seq: thr > 3 * seq, {"thr": thr, "seq": seq}, evidence=io, ...)`.

    `evidence` is the Results, Trace or recorded measurement (or a list of them) the values
    were read from. Reference data is shown as NOT_GRADED and passes nothing; evidence that is
    not this lab's own run on this machine fails, saying why. The relation must be able to
    fail: it is tried on other values first, and one that holds for all of them is refused
    (LabCheckError). Write the tolerance into `passed`/`failed`, where the student sees it.
    Returns True when the check passed (False: reference data, not graded). Whatever the
    outcome, the cell's output keeps a record of it for the grader (see _CheckRecord)."""
    if not callable(relation) or not isinstance(values, dict) or not values:
        raise LabCheckError("check(relation, values, ...): a function and the dict of the "
                            "measured values it takes")
    if not _falsifiable(relation, values):
        raise LabCheckError(f"this check holds for any values, so it cannot fail: {passed}")
    record = _CheckRecord("check", evidence=evidence, values=values, relation=relation)
    try:
        judged = _judge_evidence(evidence)
    except LabCheckFailed as e:
        record.emit("failed", str(e))
        raise
    if judged == NOT_GRADED:
        return record.done("not graded",
                           f"{NOT_GRADED}: {passed} (run the lab on your own build for it to count)")
    if relation(**values):
        return record.done("passed", f"check passed: {passed}")
    record.emit("failed", f"check failed: {failed}")
    raise LabCheckFailed(f"check failed: {failed}")


def check_answer(answer, measured, *, evidence, tolerance: float, what: str,
                 relation=None, values=None, passed: str = "", failed: str = "") -> bool:
    """Check a number the student typed (`answer`) against the value their own run
    measured (`measured`, read in the check cell from `evidence`), within a relative
    `tolerance` (0.1 = ±10%) that the message states; then, if given, a relation over their
    own values as check() does. An answer still at None is reported as not answered yet, so
    a student copy runs top to bottom before the exercises are done. A typed constant, inf,
    NaN or anything not a number fails; so does an answer that only the reference machine
    measured. Returns True when the check passed; the cell's output keeps a record of the
    outcome for the grader."""
    record = _CheckRecord("check_answer", evidence=evidence, values=values, relation=relation,
                          answer=answer, measured=measured, tolerance=tolerance, what=what)
    if answer is None:
        return record.done("not answered", "not answered yet: fill in the exercise's cell above "
                           "and run this one again")
    if relation is not None and not _falsifiable(relation, values or {}):
        raise LabCheckError(f"this check holds for any values, so it cannot fail: {what}")

    def fail(message):
        record.emit("failed", message)
        raise LabCheckFailed(message) from None

    try:
        judged = _judge_evidence(evidence)
    except LabCheckFailed as e:
        fail(str(e))
    if judged == NOT_GRADED:
        return record.done("not graded",
                           f"{NOT_GRADED}: {what} (run the lab on your own build for it to count)")
    try:
        typed = float(answer)
    except (TypeError, ValueError):
        fail(f"check failed: {what}: your answer {answer!r} is not a number")
    if measured is None or not math.isfinite(float(measured)):
        fail(f"check failed: {what}: your run measured no value ({measured!r}); run the "
             "experiment's cell again")
    measured = float(measured)
    if not math.isfinite(typed) or abs(typed - measured) > tolerance * abs(measured):
        fail(f"check failed: {what}: your answer {_fmt(typed)} is not what your own run "
             f"measured ({_fmt(measured)}, within ±{tolerance:.0%})")
    if relation is not None and not relation(**values):
        fail(f"check failed: {failed or what}")
    return record.done("passed", f"check passed: {what}: {_fmt(typed)} matches your run's "
                       f"{_fmt(measured)} (±{tolerance:.0%})" + (f"; {passed}" if passed else ""))


def inconclusive(reason: str) -> bool:
    """Say that an exercise's check could not judge this run (a machine too disturbed for the
    relation to mean anything) instead of passing or failing it: prints "not checked: REASON"
    and records it for the grader, which leaves the exercise to a person. Returns False."""
    return _CheckRecord("inconclusive").done("inconclusive", f"not checked: {reason}")


# -- the records a check leaves for the grader ------------------------------------------------
#
# Every check (check, check_answer, inconclusive) prints its outcome for the student and
# leaves, in the cell's output, a record for notebooks/grade.py: a display_data of MIME type
# CHECK_RECORD holding the outcome, the values, the relation's text, each piece of evidence
# (a results file's sha256, started_at, hostname and command line; a recorded measurement's
# value), the handout's student, seed and parameters, and the sha256 of the cell's own source.
# The grader trusts it only after cross-checking it (grade.py says how); re-running the lab on
# the grader's machine (grade.py --rerun) is what confirms the numbers. Notebook() leaves a
# NOTEBOOK_RECORD in the setup cell: which lab, whose handout, which machine, built or not.

NOTEBOOK_RECORD = "application/vnd.lab.notebook+json"
CHECK_RECORD = "application/vnd.lab.check+json"
RECORD_VERSION = 1
_CURRENT_NOTEBOOK = None  # the lab's Notebook, made by its setup cell


def _normalized(source: str) -> str:
    """A cell's source as the grader hashes it (course.normalized: the same rule)."""
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines()).strip()


def _current_cell_sha256():
    """sha256 of the source of the cell running now (IPython's input history), or None."""
    try:
        from IPython import get_ipython

        source = get_ipython().history_manager.input_hist_raw[-1]
    except Exception:  # not in IPython, or no history: the record says None
        return None
    return hashlib.sha256(_normalized(source).encode()).hexdigest()


def _plain(value):
    """A value as JSON can hold it: non-finite floats as strings, unknown objects as repr."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else str(float(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)[:200]


def _relation_text(relation):
    if relation is None:
        return None
    import inspect

    try:
        text = inspect.getsource(relation).strip()
    except (OSError, TypeError):
        return None
    return text[:600]


def _describe(item) -> dict:
    """One piece of evidence as the record keeps it."""
    if isinstance(item, Measured):
        entry = item.notebook._registry().get("measurements", {}).get(item.name, {})
        return {"kind": "reference" if item.from_reference else "measurement", "name": item.name,
                "value": _plain(float(item)), "hostname": entry.get("hostname"),
                "at": entry.get("at")}
    path = getattr(item, "path", None)
    if path is None:
        return {"kind": "not evidence", "repr": repr(item)[:80]}
    path = Path(path).resolve()
    if getattr(item, "from_reference", False) or REFERENCE.resolve() in path.parents:
        try:
            name = str(path.relative_to(REFERENCE.resolve()))
        except ValueError:
            name = path.name
        return {"kind": "reference", "file": name}
    data = getattr(item, "data", {})
    stamp = data.get("otherData", data) if isinstance(item, Trace) else data
    lab_dir = path.parent
    while lab_dir.parent != lab_dir and lab_dir.parent.name != "notebooks":
        lab_dir = lab_dir.parent
    rel = str(path.relative_to(lab_dir)) if lab_dir in path.parents else path.name
    entry = _read_registry(lab_dir / REGISTRY).get("files", {}).get(rel, {})
    return {"kind": "file", "lab": lab_dir.name, "file": rel,
            "sha256": _sha256(path) if path.is_file() else None,
            "started_at": stamp.get("started_at"),
            "hostname": stamp.get("hostname") if isinstance(item, Trace)
            else get(data, "machine.hostname"),
            "command": entry.get("command")}


def _emit_record(mime: str, record: dict):
    """Leave a record in the running cell's output (nothing outside a notebook). Its text
    form is empty: the student reads the printed line, the grader the record."""
    if not _in_notebook():
        return
    from IPython.display import display

    display({mime: record, "text/plain": ""}, raw=True)


class _CheckRecord:
    """The record of one check, filled as the check learns its outcome."""

    def __init__(self, kind: str, *, evidence=None, values=None, relation=None, **answer):
        self.kind, self.evidence, self.values, self.relation = kind, evidence, values, relation
        self.answer = answer

    def emit(self, outcome: str, message: str):
        nb = _CURRENT_NOTEBOOK
        record = {"version": RECORD_VERSION, "kind": self.kind, "outcome": outcome,
                  "message": message, "lab": nb.name if nb else None}
        try:
            items = [] if self.evidence is None else (
                list(self.evidence) if isinstance(self.evidence, (list, tuple))
                else [self.evidence])
            record.update({
                "values": _plain(self.values), "relation": _relation_text(self.relation),
                **{k: _plain(v) for k, v in self.answer.items()},
                "evidence": [_describe(e) for e in items],
                "handout": _handout_identity(nb),
                "hostname": _hostname(),
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "cell_sha256": _current_cell_sha256()})
        except Exception as e:  # the check's outcome matters more than a complete record
            record["record_error"] = f"{type(e).__name__}: {e}"
        _emit_record(CHECK_RECORD, record)

    def done(self, outcome: str, message: str) -> bool:
        print(message)
        self.emit(outcome, message)
        return outcome == "passed"


# -- the handout: who this copy of the lab is for, and their parameters -----------------------
#
# A student's handout (make -f Makefile.docs handout STUDENT=ID) has handout.json at its root:
# the student's id, seed and, per lab, the values of the parameters its exercises ask about.
# nb.param(NAME, DEFAULT) reads them; an instructor's checkout has no handout.json, and every
# parameter is its default. $LAB_HANDOUT names another file (tests use it).

_HANDOUT_CACHE = {}


def handout_path() -> Path:
    return Path(os.environ.get("LAB_HANDOUT", ROOT / "handout.json"))


def handout() -> dict:
    """The handout's contents, or {} without one. A handout.json that is not one is an
    error naming the file (a student who edited it should hear so at once)."""
    path = handout_path()
    key = str(path)
    if key not in _HANDOUT_CACHE:
        if not path.is_file():
            _HANDOUT_CACHE[key] = {}
        else:
            try:
                data = json.loads(path.read_text())
                if not isinstance(data, dict) or not isinstance(data.get("params", {}), dict):
                    raise ValueError("not a handout")
            except (OSError, ValueError) as e:
                raise ValueError(f"{path} is not a readable handout ({e}); restore it from "
                                 "your handout") from None
            _HANDOUT_CACHE[key] = data
    return _HANDOUT_CACHE[key]


def _handout_identity(nb) -> dict:
    h = handout()
    lab = nb.name if nb else None
    return {"student": h.get("student"), "seed": h.get("seed"),
            "params": h.get("params", {}).get(lab, {}) if lab else {},
            "used": dict(nb.params) if nb else {}}


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _hostname() -> str:
    return os.uname().nodename


def own_run_problem(evidence):
    """Why `evidence` does not count as the student's own measurement of this lab: None
    when it does, NOT_GRADED for reference data, else a sentence. Own means: written by
    this lab's run (nb.sweep, nb.timeline or nb.record, which register what they make in
    build/notebooks/LAB/own-runs.json), unchanged since, made on this machine by a build
    without sanitizers, with the command line that the lab ran, and not the reference
    run's file."""
    if isinstance(evidence, Measured):
        if evidence.from_reference:
            return NOT_GRADED
        entry = evidence.notebook._registry().get("measurements", {}).get(evidence.name)
        if entry is None or entry.get("value") != float(evidence):
            return f"the measurement {evidence.name!r} was not recorded by this lab's run"
        if entry.get("hostname") != _hostname():
            return f"the measurement {evidence.name!r} was made on another machine"
        return None
    path = getattr(evidence, "path", None)
    if path is None:
        return f"{evidence!r} is not evidence (Results, Trace or nb.record's measurement)"
    path = Path(path).resolve()
    if getattr(evidence, "from_reference", False) or REFERENCE.resolve() in path.parents:
        return NOT_GRADED
    data = evidence.data
    stamp = data.get("otherData", data) if isinstance(evidence, Trace) else data
    started_at = stamp.get("started_at")
    hostname = stamp.get("hostname") if isinstance(evidence, Trace) else get(
        data, "machine.hostname")
    lab_dir = path.parent
    while lab_dir.parent != lab_dir and lab_dir.parent.name != "notebooks":
        lab_dir = lab_dir.parent
    registry = _read_registry(lab_dir / REGISTRY)
    entry = registry.get("files", {}).get(str(path.relative_to(lab_dir))
                                         if lab_dir in path.parents else "")
    if entry is None:
        return (f"{path.name} was not written by this lab's own run (run the experiment's "
                "cell; a copied file does not count)")
    if entry.get("sha256") != _sha256(path):
        return f"{path.name} has changed since the lab's run wrote it"
    if not started_at:
        return (f"{path.name} does not say when it was made (a harness older than this lab: "
                "./lab build, then run the cell again)")
    if hostname != _hostname():
        return f"{path.name} was made on another machine ({hostname}, this is {_hostname()})"
    if get(data, "tool.sanitized"):
        return f"{path.name} comes from a sanitizer build, whose figures are not representative"
    if entry.get("started_at") != started_at:
        return f"{path.name} is not the run the lab registered"
    if not isinstance(evidence, Trace) and get(data, "config.command_line") != entry.get("command"):
        return f"{path.name} was made by another command than this lab's"
    lab_name = lab_dir.name
    reference_copy = REFERENCE / "notebooks" / lab_name / path.relative_to(lab_dir)
    # (While LAB_SAVE_REFERENCE=1 makes the reference, the copy is this very run.)
    if reference_copy.is_file() and not Notebook._saving_reference():
        try:
            with open(reference_copy) as f:
                ref = json.load(f)
        except (OSError, ValueError):
            ref = {}
        ref_stamp = ref.get("otherData", ref) if isinstance(evidence, Trace) else ref
        if ref_stamp.get("started_at") == started_at:
            return NOT_GRADED
    return None


REGISTRY = "own-runs.json"


def _read_registry(path: Path) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Measured(float):
    """A number the lab measured itself (a stopwatch around a request, a STATS reading),
    recorded with nb.record() so that a check can tell it from a typed one."""

    def __new__(cls, value, name: str, notebook, from_reference: bool = False):
        obj = super().__new__(cls, value)
        obj.name, obj.notebook, obj.from_reference = name, notebook, from_reference
        return obj


def get(obj, dotted: str, default=None):
    """`get(run, "client.latency_ns.p99")`: a field by its dotted path, or `default`."""
    for part in dotted.split("."):
        if isinstance(obj, dict) and part in obj:
            obj = obj[part]
        else:
            return default
    return obj


def window_median(run, field: str):
    """The median of one `timeseries` field (results/SCHEMA.md) over the samples inside the
    window (t_s >= 0), e.g. window_median(run, "accept_queue"); None when no sample inside
    the window has it. A maximum catches one moment (a burst of reconnections on a busy
    machine); the median says where the run spent its window."""
    values = sorted(p[field] for p in run.get("timeseries") or []
                    if p.get("t_s") is not None and p["t_s"] >= 0 and p.get(field) is not None)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    mean = (values[middle - 1] + values[middle]) / 2
    return int(mean) if mean.is_integer() else mean  # a queue of 7, not 7.0


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


def scaled(row, dotted: str, factor: float):
    """A field times `factor` (ns -> ms: MS), or None when the field is missing or null (a
    figure the harness could not know: results/SCHEMA.md says when), shown as "–"."""
    value = get(row, dotted)
    return None if value is None else value * factor


# Columns most tables want; pass your own for anything else.
MS = 1e-6  # ns -> ms
COLUMNS = [
    ("model", "model"),
    ("workload", "workload"),
    ("connections", "connections"),
    ("requests/s", "client.throughput_rps"),
    ("p50 ms", lambda r: scaled(r, "client.latency_ns.p50", MS)),
    ("p99 ms", lambda r: scaled(r, "client.latency_ns.p99", MS)),
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
            banner = (
                f"REFERENCE DATA, NOT YOUR MEASUREMENTS. The lab is not built (no "
                f"<code>lab-harness</code> in <code>{html.escape(str(BIN))}</code>), so every "
                f"experiment below shows the reference results in "
                f"<code>results/reference/notebooks/{html.escape(name)}/</code>, measured on the "
                "machine that <code>results/reference/README.md</code> describes. "
                f"<b>No check in this notebook is graded</b>: each says \"{NOT_GRADED}\". "
                f"Build the lab with <code>./lab build</code> in <code>{html.escape(str(ROOT))}"
                "</code> and run the notebook again from the top.")
            if _in_notebook():
                from IPython.display import HTML

                _display(HTML('<div style="border:3px solid #b00;background:#fee;padding:.8em;'
                              f'font-size:1.15em"><b>&#9888; </b>{banner}</div>'))
            else:
                print("!!! " + re.sub(r"<[^>]+>", "", banner).replace("&#9888; ", ""))
            # The same words as before, for tools that look for them (Makefile.docs fallback).
            print("showing the reference results: nothing below is your measurement")
        self.params = {}
        h = handout()
        if h:
            mine = h.get("params", {}).get(name, {})
            say(f"*Handout for **{html.escape(str(h.get('student') or 'no one in particular'))}**"
                + (": your parameters in this lab are "
                   + ", ".join(f"`{k}` = {v}" for k, v in sorted(mine.items())) if mine else "")
                + ".*")
        global _CURRENT_NOTEBOOK
        _CURRENT_NOTEBOOK = self
        _emit_record(NOTEBOOK_RECORD, {
            "version": RECORD_VERSION, "lab": name, "handout": _handout_identity(self),
            "hostname": _hostname(), "live": self.live, "quick": QUICK,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cell_sha256": _current_cell_sha256()})

    def param(self, name: str, default):
        """This student's value of the lab's parameter NAME, from the handout; `default` (the
        instructor's value, the one the notebook's metadata declares) without a handout. The
        value has the default's type; the record of every later check names it."""
        mine = handout().get("params", {}).get(self.name, {})
        value = mine.get(name, default)
        if handout() and name not in mine:
            print(f"your handout has no parameter {name!r} for {self.name}: using {default!r}")
        if type(value) is not type(default):
            raise ValueError(f"handout parameter {self.name}/{name} is {value!r}, not a "
                             f"{type(default).__name__} like {default!r}")
        self.params[name] = value
        return value

    # -- what this lab's own run made ------------------------------------------------------

    def _registry(self) -> dict:
        return _read_registry(self.dir / REGISTRY)

    def _register(self, kind: str, key: str, entry: dict):
        """Note in build/notebooks/LAB/own-runs.json what this run made, so that checks can
        tell it from a copied or edited file (own_run_problem)."""
        registry = self._registry()
        registry.setdefault(kind, {})[key] = entry
        temp = self.dir / (REGISTRY + ".tmp")
        temp.write_text(json.dumps(registry, indent=1))
        temp.replace(self.dir / REGISTRY)

    def _register_file(self, path: Path, command):
        with open(path) as f:
            data = json.load(f)
        stamp = data.get("otherData", data) if "traceEvents" in data else data
        self._register("files", str(path.relative_to(self.dir)), {
            "sha256": _sha256(path), "started_at": stamp.get("started_at"),
            "command": " ".join(map(str, command))})

    def record(self, name: str, value) -> "Measured":
        """Keep a number this lab measured itself (not through lab-harness: a stopwatch
        around a request, a STATS field) as evidence for checks; returns it as a Measured,
        which behaves as a float. Without a build there is nothing to record: the value is
        marked as reference data."""
        if value is None:
            raise ValueError(f"record({name!r}, None): nothing was measured")
        if not self.live:
            return Measured(value, name, self, from_reference=True)
        self._register("measurements", name, {"value": float(value), "hostname": _hostname(),
                                              "at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())})
        return Measured(value, name, self)

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
        self._register_file(out, cmd)
        self._save_reference(out)
        return Results(out)

    def keep(self, name: str, data: dict) -> dict:
        """Keep a document this lab made itself without lab-harness (a scripted client's
        timings, say) as build/notebooks/LAB/NAME.json, to read and, with
        LAB_SAVE_REFERENCE=1, as the reference. Returns `data`. It is not evidence: a check
        takes its numbers through record()."""
        path = self.dir / f"{name}.json"
        path.write_text(json.dumps(data, indent=1) + "\n")
        self._save_reference(path)
        return data

    def kept(self, name: str):
        """What keep() stored as NAME in this run, or None; without a build, the reference
        run's copy (saying so), or None when the reference has none."""
        path = (self.dir if self.live else self.reference) / f"{name}.json"
        if not path.is_file():
            return None
        if not self.live:
            say(f"*{name}: showing the reference run (the lab is not built).*")
        return json.loads(path.read_text())

    def results(self, name: str):
        """The results of this lab's sweep NAME (build/notebooks/LAB/NAME.json) if it has been
        run, else None: what an exercise's check reads when the student ran the sweep the
        exercise names. Without a build, the reference run's file (marked as reference)."""
        if not self.live:
            ref = self.reference / f"{name}.json"
            return Results(ref, from_reference=True) if ref.is_file() else None
        path = self.dir / f"{name}.json"
        return Results(path) if path.is_file() else None

    def timeline(self, model: str, scenario: str) -> Path:
        """`lab-harness timeline`: three clients against MODEL with --trace; the trace file."""
        out = self.dir / "timelines" / f"{model}-{scenario}.json"
        if not self.live:
            ref = REFERENCE / "timelines" / out.name
            say(f"*timeline {model} {scenario}: showing the reference trace (not built).*")
            return ref
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [str(BIN / "lab-harness"), "timeline", "--model", model, "--scenario", scenario,
               "--out", str(out)]
        run_command(cmd)
        self._register_file(out, cmd)
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

    def draw(self, name: str, script: str, data: dict, size=(900, 420)) -> "Figures":
        """A figure lab-plot does not draw (a scripted client's timings, say), drawn by
        gnuplot: `data` maps file names to their text, which `script` (gnuplot's commands,
        without terminal or output: this sets a PNG of `size` pixels) reads by those names.
        Returns {name: PNG} in build/notebooks/LAB/plots/NAME/, kept as the reference with
        LAB_SAVE_REFERENCE=1. Without a build or gnuplot, the reference run's figure, or no
        figure and the reason (show() says it)."""
        folder = self.dir / "plots" / name
        if not (self.live and shutil.which("gnuplot")):
            folder = self.reference / "plots" / name
            reason = "" if (folder / f"{name}.png").is_file() else "no reference figure"
            return Figures({p.stem: p for p in sorted(folder.glob("*.png"))}, reason=reason)
        shutil.rmtree(folder, ignore_errors=True)  # no stale figure of an earlier run
        folder.mkdir(parents=True)
        for filename, text in data.items():
            if Path(filename).name != filename:
                raise ValueError(f"draw({name!r}): data file {filename!r} must be a plain name")
            (folder / filename).write_text(text)
        (folder / f"{name}.gp").write_text(
            f"set terminal pngcairo size {int(size[0])},{int(size[1])} font 'sans,10'\n"
            f"set output '{name}.png'\n{script}\n")
        proc = subprocess.run(["gnuplot", f"{name}.gp"], cwd=folder, capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT_S)
        png = folder / f"{name}.png"
        if proc.returncode != 0 or not png.is_file() or png.stat().st_size == 0:
            raise RuntimeError(f"gnuplot could not draw {name}: {proc.stderr.strip()[-500:]}")
        if self._saving_reference():
            target = self.reference / "plots" / name
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(png, target / png.name)
        return Figures({name: png})

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
