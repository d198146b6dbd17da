"""Load a submission (a notebook or a ``.py`` file) into a namespace of definitions.

Grading needs the student's classes, not their training runs or plots, so only
the *definitions* are executed, in order:

- ``import`` and ``from ... import`` statements,
- ``def`` and ``class`` statements,
- assignments whose right-hand side uses only names defined so far and calls
  nothing the submission itself defines (``EPS = 1e-12``, ``X = np.array(...)``),
  so a line like ``losses = train(network)`` is skipped.

Everything else (loops, prints, ``plt.show()``, ``if __name__ == "__main__"``) is
skipped. The same loader reads the reference solution notebook, so student code
and reference code are loaded the same way.
"""

from __future__ import annotations

import ast
import builtins
import json
import linecache
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".ipynb", ".py")


class SubmissionError(Exception):
    """The submission cannot be read at all (missing file, wrong type, bad JSON)."""


@dataclass
class CodeUnit:
    """One piece of source: a notebook cell or a whole ``.py`` file."""

    label: str  # how a student finds it: "cell 7" or "my_network.py"
    source: str


@dataclass
class LoadedSubmission:
    path: Path
    namespace: dict
    notes: list[str] = field(default_factory=list)  # what could not be loaded, for messages


def code_units(path: Path) -> list[CodeUnit]:
    """The code of a submission, as units in order. Raises SubmissionError."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if path.suffix not in SUFFIXES or not path.is_file():
        raise SubmissionError(f"{path}: not a notebook (.ipynb) or a Python file (.py)")
    if path.suffix == ".py":
        return [CodeUnit(path.name, path.read_text(encoding="utf-8", errors="replace"))]
    # Plain json, not nbformat: importing nbformat pulls in its schema validator's
    # dependencies (a second or more), paid on every graded submission.
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        major = int(nb.get("nbformat", 4))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise SubmissionError(f"{path}: not a readable notebook (broken JSON or no cells)") from None
    if major < 4:
        raise SubmissionError(f"{path}: notebook format {major} is too old; open and save it in Jupyter")
    units = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_test_cell(cell):
            continue
        source = cell.get("source", "")
        units.append(CodeUnit(f"{path.name}, cell {index}", "".join(source) if isinstance(source, list) else str(source)))
    return units


def is_test_cell(cell: dict) -> bool:
    """nbgrader's autograder test cells: graded, but not an answer."""
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


@dataclass
class Definition:
    label: str  # where it came from, for messages: "nn_from_scratch.ipynb, cell 5, line 3"
    code: object  # a compiled code object, ready to exec


@dataclass
class PreparedSubmission:
    """A submission's definitions, parsed and compiled but not yet run."""

    path: Path
    definitions: list[Definition]
    sources: dict[str, str]  # filename -> source, so tracebacks can quote the student's lines
    notes: list[str] = field(default_factory=list)


def prepare(path: Path | str, units: list[CodeUnit] | None = None) -> PreparedSubmission:
    """Parse a submission (or its already extracted ``units``) and pick out its definitions.

    Runs none of its code.
    """
    path = Path(path)
    units = code_units(path) if units is None else units
    prepared = PreparedSubmission(path=path, definitions=[], sources={})
    known: set[str] = set()  # names bound by the definitions kept so far
    own_names: set[str] = set()  # functions and classes the submission defines
    for unit in units:
        tree = _parse(unit, prepared.notes)
        if tree is None:
            continue
        filename = f"<{unit.label}>"
        prepared.sources[filename] = unit.source
        for statement in tree.body:
            if not _is_definition(statement, known, own_names):
                continue
            module = ast.Module(body=[statement], type_ignores=[])
            prepared.definitions.append(
                Definition(f"{unit.label}, line {statement.lineno}", compile(module, filename, "exec"))
            )
            known.update(_bound_names(statement))
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own_names.add(statement.name)
    return prepared


def execute(prepared: PreparedSubmission, namespace_name: str = "submission") -> LoadedSubmission:
    """Run the definitions into a fresh namespace. A failing one is noted and skipped."""
    for filename, source in prepared.sources.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict = {"__name__": namespace_name, "__builtins__": builtins}
    loaded = LoadedSubmission(path=prepared.path, namespace=namespace, notes=list(prepared.notes))
    for definition in prepared.definitions:
        try:
            exec(definition.code, namespace)
        except BaseException as exc:  # SystemExit in a class body is the student's problem, not ours
            loaded.notes.append(f"{definition.label}: {type(exc).__name__}: {exc}")
    return loaded


def load(path: Path | str, namespace_name: str = "submission") -> LoadedSubmission:
    """Execute the definitions of a submission into a fresh namespace."""
    return execute(prepare(path), namespace_name)


def _parse(unit: CodeUnit, notes: list[str]) -> ast.Module | None:
    try:
        return ast.parse(unit.source)
    except SyntaxError:
        pass
    # Notebook cells may hold IPython syntax (%matplotlib inline, !pip ...).
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(unit.source))
    except ImportError:
        pass
    except SyntaxError as exc:
        notes.append(f"{unit.label}, line {exc.lineno}: SyntaxError: {exc.msg} (this code was skipped)")
        return None
    try:
        ast.parse(unit.source)
    except SyntaxError as exc:
        notes.append(f"{unit.label}, line {exc.lineno}: SyntaxError: {exc.msg} (this code was skipped)")
    return None


def _is_definition(statement: ast.stmt, known: set[str], own_names: set[str]) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if statement.value is None or not all(isinstance(t, ast.Name) for t in targets):
            return False
        return _uses_only_known_names(statement.value, known, own_names)
    return False


def _bound_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _uses_only_known_names(expr: ast.expr, known: set[str], own_names: set[str]) -> bool:
    for node in ast.walk(expr):
        if isinstance(node, (ast.Lambda, ast.comprehension)):
            return False  # keep the rule simple: no hidden loops or deferred code
        if isinstance(node, ast.Call):
            func = node.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Name) and func.id in own_names:
                return False
        if isinstance(node, ast.Name) and node.id not in known and not hasattr(builtins, node.id):
            return False
    return True
