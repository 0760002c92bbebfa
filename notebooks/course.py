#!/usr/bin/python3
"""course: what the handout builder (handout.py), the grader (grade.py) and the student copies
(docs.py student) share about a lab's exercises.

An instructor notebook declares, in its cells' metadata:

  on each exercise's Markdown cell (the one that begins "**Exercise N (kind).**"):
      "lab": {"exercise": N, "points": {"check": C, "answer": A}}
    C points are earned when every check cell of the exercise passed on the student's own
    measurements (the grader reads the record labkit leaves in the cell's output); A points
    are for the written answer (the cell tagged `answer`), which a person reads. Either may be
    0 or left out. An exercise without this metadata is "undeclared": shown without points,
    and the grader says so and gives it none.

  on the notebook (nb.metadata):
      "lab": {"params": {NAME: {"default": D, "choices": [..], "about": "..."}}}
    the per-student parameters of the lab. A student's handout gives each a value from
    `choices`, drawn from the student's seed (params_for); `nb.param(NAME, D)` in the lab
    reads it (labkit.py), and the text shows it where the instructor wrote
    <span data-param="EXPR">D</span>, EXPR being NAME or arithmetic over the names
    (`16 - cap`): the student copy shows the value (substitute_params).

Everything here is pure: notebooks in, notebooks and dicts out. Uses nbformat (Debian's
jupyter-nbconvert) only through the notebooks it is given.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import html
import operator
import re

SOLUTION_TAG = "solution"
ANSWER_TAG = "answer"
# "**Exercise N (kind).**", or with a title: "**Exercise 3 (code and measure): find it.**"
EXERCISE = re.compile(r"\*\*Exercise (\d+)(?: \(([^)]*)\))?[^*\n]*\*\*")
# A check cell of an exercise: a code cell after the exercise that calls labkit's checks.
CHECK_CALL = re.compile(r"\blab\.(check|check_answer|inconclusive)\(")
PARAM_SPAN = re.compile(r'<span data-param="([^"]+)">([^<]*)</span>')
SEED_DOMAIN = "concurrency-models-lab handout v1"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# The MIME types of labkit's machine-readable records in a cell's outputs (labkit.py).
NOTEBOOK_RECORD = "application/vnd.lab.notebook+json"
CHECK_RECORD = "application/vnd.lab.check+json"


def is_solution(cell) -> bool:
    return SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def is_answer(cell) -> bool:
    return ANSWER_TAG in cell.get("metadata", {}).get("tags", [])


def normalized(source: str) -> str:
    """A cell's source as compared and hashed: trailing spaces and blank lines do not count
    (front ends and IPython's history differ in them)."""
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines()).strip()


def source_sha256(source: str) -> str:
    return hashlib.sha256(normalized(source).encode()).hexdigest()


# -- exercises ---------------------------------------------------------------------------------


class Exercise:
    """One exercise of a lab: its number and kind, where its cells are, and its points."""

    def __init__(self, number: int, kind: str, heading: int):
        self.number, self.kind, self.heading = number, kind, heading
        self.answer = None        # index of the cell tagged `answer`
        self.checks = []          # indices of its check cells (code, not solution)
        self.key = []             # indices of its solution Markdown cells (*Answer.* ...)
        self.points = None        # {"check": C, "answer": A}, or None: undeclared

    @property
    def check_points(self) -> int:
        return int((self.points or {}).get("check", 0))

    @property
    def answer_points(self) -> int:
        return int((self.points or {}).get("answer", 0))

    def __repr__(self):
        return f"Exercise({self.number}, checks={self.checks}, points={self.points})"


def exercises(nb) -> list[Exercise]:
    """The exercises of a notebook (instructor or student copy), in order. A cell belongs to
    the last exercise heading above it; the exercises end at the next `## ` heading that is
    not the exercises' own."""
    found, current = [], None
    for i, cell in enumerate(nb.cells):
        source = cell.source
        if cell.cell_type == "markdown":
            m = EXERCISE.search(source)
            if m and not is_solution(cell) and not is_answer(cell):
                current = Exercise(int(m.group(1)), m.group(2) or "", i)
                meta = cell.metadata.get("lab", {})
                if "points" in meta:
                    current.points = dict(meta["points"])
                found.append(current)
                continue
            if current is None:
                continue
            if source.lstrip().startswith("## ") and "Exercise" not in source.split("\n")[0]:
                current = None  # a section after the exercises ("## Before you leave")
            elif is_answer(cell):
                current.answer = i
            elif is_solution(cell):
                current.key.append(i)
        elif current is not None and cell.cell_type == "code" and not is_solution(cell):
            if CHECK_CALL.search(source):
                current.checks.append(i)
    return found


def declaration_problems(nb) -> list[str]:
    """What is wrong with a lab's points and parameters, as sentences (empty: all good). A lab
    with no points at all is not wrong here (the grader warns); one that declares some must
    declare every exercise."""
    problems = []
    exs = exercises(nb)
    declared = [e for e in exs if e.points is not None]
    if declared and len(declared) != len(exs):
        missing = [e.number for e in exs if e.points is None]
        problems.append(f"exercises {missing} declare no points while others do")
    for e in declared:
        heading = nb.cells[e.heading]
        meta = heading.metadata.get("lab", {})
        if meta.get("exercise") != e.number:
            problems.append(f"exercise {e.number}: its metadata says exercise {meta.get('exercise')}")
        extra = set(e.points) - {"check", "answer"}
        if extra:
            problems.append(f"exercise {e.number}: unknown points {sorted(extra)} (check, answer)")
        for k, v in e.points.items():
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                problems.append(f"exercise {e.number}: points.{k} must be a whole number >= 0")
        if e.check_points and not e.checks:
            problems.append(f"exercise {e.number}: {e.check_points} check points but no check cell")
        if e.checks and not e.check_points:
            problems.append(f"exercise {e.number}: has a check cell but no check points")
        if e.answer_points and e.answer is None:
            problems.append(f"exercise {e.number}: answer points but no answer cell")
        if e.check_points + e.answer_points == 0:
            problems.append(f"exercise {e.number}: worth no points")
    params = declared_params(nb)
    for name, spec in params.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            problems.append(f"parameter {name!r}: a name is lower case letters, digits and _")
        choices = spec.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            problems.append(f"parameter {name}: needs at least two choices")
        elif spec.get("default") not in choices:
            problems.append(f"parameter {name}: its default {spec.get('default')!r} is not one of "
                            f"its choices {choices}")
        elif len({type(c) for c in choices}) != 1:
            problems.append(f"parameter {name}: its choices are of different types")
    defaults = {n: s.get("default") for n, s in params.items()}
    for i, cell in enumerate(nb.cells):
        for m in PARAM_SPAN.finditer(cell.source):
            try:
                value = evaluate(m.group(1), defaults)
            except ValueError as e:
                problems.append(f"cell {i}: {e}")
                continue
            if m.group(2) != format_value(value):
                problems.append(f"cell {i}: <span data-param=\"{m.group(1)}\"> shows {m.group(2)!r}, "
                                f"but with the defaults it is {format_value(value)!r}")
        for m in re.finditer(r"\bnb\.param\(\s*\"([^\"]+)\"\s*,\s*([^)]+)\)", cell.source):
            name, default = m.group(1), m.group(2).strip()
            if name not in params:
                problems.append(f"cell {i}: nb.param(\"{name}\", ...) is not declared in the "
                                "notebook's metadata (lab.params)")
            elif default != repr(params[name].get("default")):
                problems.append(f"cell {i}: nb.param(\"{name}\", {default}) but the declared "
                                f"default is {params[name].get('default')!r}")
    return problems


def points_text(points: dict) -> str:
    """How the student copy states an exercise's points."""
    check, answer = int(points.get("check", 0)), int(points.get("answer", 0))
    total = check + answer
    unit = "point" if total == 1 else "points"
    if check and answer:
        return f"*({total} {unit}: {check} for the check, {answer} for your written answer)*"
    if check:
        return f"*({total} {unit}, for the check)*"
    return f"*({total} {unit}, for your written answer)*"


# -- parameters --------------------------------------------------------------------------------


def declared_params(nb) -> dict:
    return dict(nb.metadata.get("lab", {}).get("params", {}))


def seed_of(student: str) -> str:
    """A student's seed: a function of the id alone, so the grader recomputes it. It tells one
    student's handout from another's; it is not a secret."""
    return hashlib.sha256(f"{SEED_DOMAIN}\n{student}".encode()).hexdigest()[:16]


def params_for(seed: str | None, lab: str, nb) -> dict:
    """The values of a lab's parameters for a seed: each drawn from its choices by a hash of
    seed, lab and name. No seed (an instructor's checkout, a handout for nobody): the defaults."""
    values = {}
    for name, spec in sorted(declared_params(nb).items()):
        if seed is None:
            values[name] = spec["default"]
        else:
            digest = hashlib.sha256(f"{seed}/{lab}/{name}".encode()).hexdigest()
            choices = spec["choices"]
            values[name] = choices[int(digest, 16) % len(choices)]
    return values


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv}


def evaluate(expr: str, values: dict):
    """EXPR of a <span data-param="EXPR">: a parameter's name, a number, or + - * / // over
    them, with parentheses. Anything else is a ValueError naming it."""
    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"data-param {expr!r}: no parameter {node.id!r}")
            return values[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"data-param {expr!r}: only names, numbers and + - * / //")

    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ValueError(f"data-param {expr!r} is not an expression") from None
    return walk(tree)


def format_value(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def substitute_params(source: str, values: dict) -> str:
    """The text with every <span data-param="EXPR">DEFAULT</span> replaced by EXPR's value for
    these parameters, as plain text."""
    return PARAM_SPAN.sub(lambda m: html.escape(format_value(evaluate(m.group(1), values))),
                          source)


def plain_params(source: str) -> str:
    """The text with every parameter span replaced by what it shows (its default): what the
    claims check reads."""
    return PARAM_SPAN.sub(lambda m: m.group(2), source)


# -- student copies ----------------------------------------------------------------------------


def student_copy(nb, params: dict | None = None, *, points: bool = True):
    """A student's copy of an instructor notebook: every cell tagged `solution` removed,
    outputs cleared, each exercise's points stated after its heading, and the parameter spans
    showing `params` (the defaults when None). Cell ids are kept: the grader finds a
    submission's cells by them. Returns (copy, number of cells removed)."""
    nb = copy.deepcopy(nb)
    values = params if params is not None else {
        n: s["default"] for n, s in declared_params(nb).items()}
    kept = [c for c in nb.cells if not is_solution(c)]
    removed = len(nb.cells) - len(kept)
    for cell in kept:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.source = substitute_params(cell.source, values)
        lab_meta = cell.metadata.get("lab", {})
        if points and cell.cell_type == "markdown" and "points" in lab_meta:
            m = EXERCISE.search(cell.source)
            if m:
                cell.source = (cell.source[:m.end()] + " " + points_text(lab_meta["points"])
                               + cell.source[m.end():])
    nb.cells = kept
    nb.metadata["lab_student_copy"] = True
    return nb, removed
