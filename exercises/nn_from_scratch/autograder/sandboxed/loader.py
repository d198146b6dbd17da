"""Load a submission (a notebook or a ``.py`` file): run exactly what the graded classes need.

The rule, as it stands in the students' README:

    The grader imports your code as a module named ``submission`` (so ``__name__`` is not
    ``"__main__"``) and runs, in file/cell order, every top-level statement that the graded
    classes depend on; the rest (training loops, prints, plots, experiments) is skipped.
    A statement is needed if it assigns a name (import, def, class, ``=`` with any target,
    ``+=``, ``for x``, ``with ... as x``, ``except ... as x``, ``:=``) that a graded class reads
    anywhere (methods, defaults, decorators, base classes, lambdas), or that another needed
    statement reads, wherever it stands. Changing one counts too: ``Layer.forward = f``,
    ``setattr(Layer, ...)``, ``@f.register``. An ``if``/``for``/``try``/``with`` block that
    assigns a needed name runs whole. An ``import`` runs if it assigns a needed name, or imports
    from a package a needed import uses (``import numpy.linalg`` beside ``import numpy as np``),
    or is ``from ... import *``; a failing statement is reported.

Why: running only "definitions" skipped ordinary code (``sigmoid = lambda z: ...``, ``try:
import numpy``, ``A, B = 0, 1``) and failed correct files. Selecting by dependency keeps
training out and runs every line a graded method can reach. What a statement reads comes
from the compiler (``LOAD_NAME``/``LOAD_GLOBAL`` in its code objects, nested ones included):
Python's own scoping, so a method's local ``loss`` never drags in a top-level ``loss = ...``.
"""

# Deliberately here: student code must not inherit it, so every compile() has dont_inherit=True.
from __future__ import annotations

import __future__
import ast
import dis
import io
import json
import keyword
import linecache
import re
import sys
import tokenize
import types
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".ipynb", ".py")
WANTED = ("ReLU", "Sigmoid", "Layer", "NeuralNetwork")
MAX_SOURCE_BYTES = 20 * 1024 * 1024  # a submission's file, or its code in total; checked before parsing


class SubmissionError(Exception):
    """The submission cannot be read at all (missing file, wrong type, bad JSON, too large)."""


@dataclass
class CodeUnit:
    """One piece of source: a notebook code cell or a whole ``.py`` file."""
    label: str  # how a student finds it: "code cell 5 (starting `class Layer:`)" or "my_network.py"
    source: str  # decoded; Python accepts any line endings in it


@dataclass
class LoadedSubmission:
    path: Path
    namespace: dict  # the __dict__ of the module the code ran in
    notes: list[str] = field(default_factory=list)  # what could not be loaded, for messages
    missing_because: dict[str, str] = field(default_factory=dict)  # name -> why it may be missing


@dataclass
class Definition:
    """One top-level statement, compiled, with the names it assigns and reads."""
    label: str  # "code cell 5 (starting `class Layer:`), line 3" or "my_network.py, line 12"
    code: types.CodeType
    binds: frozenset[str] = frozenset()  # names it assigns or changes (Layer in `Layer.f = g`)
    reads: frozenset[str] = frozenset()  # global names read anywhere inside (filled in once selected)
    unit: str = ""  # the unit's label, compile filename and line: where a failure is reported
    filename: str = ""
    line: int = 0
    imports: frozenset[str] = frozenset()  # an import statement's top-level packages ("*" for a star import)
    main_guard: bool = False  # `if __name__ == "__main__":`, to explain why its names are missing


@dataclass
class PreparedSubmission:
    """A submission parsed, compiled and selected, but not yet run."""
    path: Path
    definitions: list[Definition]  # the statements that will run, in source order
    sources: dict[str, str]  # filename -> source, so tracebacks can quote the student's lines
    notes: list[str] = field(default_factory=list)
    missing_because: dict[str, str] = field(default_factory=dict)  # names in units that could not be parsed
    needed: frozenset[str] = frozenset()  # the wanted names and everything they depend on
    skipped: list[str] = field(default_factory=list)  # labels of the statements that will not run


def check_file(path: Path | str) -> Path:
    """``path`` if it can be a submission (exists, a notebook or a .py file, not too large); else SubmissionError."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file")
    if path.suffix not in SUFFIXES or not path.is_file():
        raise SubmissionError(f"{path}: not a notebook (.ipynb) or a Python file (.py)")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{path}: larger than {MAX_SOURCE_BYTES // 2**20} MB")
    return path


def code_units(path: Path | str, name: str | None = None) -> list[CodeUnit]:
    """The code of a submission, as units in order, decoded as Python would. Raises SubmissionError.

    ``name``: the file name to show (a grading worker reads a copy of the student's file).
    """
    shown = Path(name) if name else Path(path)
    try:
        path = check_file(path)
    except SubmissionError as error:
        raise SubmissionError(str(error).replace(str(path), str(shown), 1)) from None
    data = path.read_bytes()
    path = shown
    if path.suffix == ".py":
        try:  # a UTF-8 BOM or a "# -*- coding: latin-1 -*-" cookie, as the interpreter reads them
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise SubmissionError(f"{path}: cannot be decoded ({exc}); fix or remove its coding line") from None
        # Lenient where Python is strict: a stray non-UTF-8 byte (usually in a comment) costs nothing.
        return [CodeUnit(path.name, _normalise(data.decode(encoding, errors="replace")))]
    # Plain json, not nbformat: importing nbformat costs a second or more per graded submission.
    try:
        notebook = json.loads(data)  # from bytes: json detects UTF-8/16/32 and a BOM itself
        major = int(notebook.get("nbformat", 4))
        if major < 4:
            raise SubmissionError(f"{path}: notebook format {major} is too old; open and save it in Jupyter")
        units, position = [], 0
        cells = [cell for cell in notebook["cells"] if isinstance(cell, dict)]
        last_copy = {_grade_id(cell): cell for cell in cells if is_test_cell(cell)}
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            position += 1  # among code cells, test cells included: the count a student can redo
            # As nbgrader's DeduplicateIds: only the last cell with a test's grade_id is that test;
            # a student's code cell that carries a copy of its metadata is the student's code.
            if not (is_test_cell(cell) and last_copy.get(_grade_id(cell)) is cell):
                source = cell.get("source", "")
                source = _normalise("".join(source) if isinstance(source, list) else str(source))
                units.append(CodeUnit(f"code cell {position} (starting `{_first_line(source)}`)", source))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise SubmissionError(f"{path}: not a readable notebook (broken JSON or no cells)") from None
    except MemoryError:
        raise SubmissionError(f"{path}: a notebook too large or too deeply nested to be read") from None
    return units


def is_test_cell(cell: dict) -> bool:
    """nbgrader's autograder test cells: graded, but not an answer."""
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def _grade_id(cell: dict) -> str | None:
    return ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")


def prepare(path: Path | str, units: list[CodeUnit] | None = None, *,
            wanted: tuple[str, ...] = WANTED) -> PreparedSubmission:
    """Parse a submission (or its already extracted ``units``) and select what ``wanted`` depends on.

    Runs none of its code. A unit with a syntax error is left out whole, as Python refuses it whole.
    """
    path = Path(path)
    units = code_units(path) if units is None else units
    if sum(len(unit.source) for unit in units) > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{path}: more than {MAX_SOURCE_BYTES // 2**20} MB of code")
    prepared = PreparedSubmission(path=path, definitions=[], sources={})
    statements: list[Definition] = []
    flags = 0  # __future__ features so far: they hold for the rest of a file, and (as in IPython) a notebook
    for unit in units:
        filename = f"<{unit.label}>"
        try:
            compiled, flags = _compile_unit(unit, filename, flags)
        except SyntaxError as exc:
            whole = "file" if path.suffix == ".py" else "cell"
            prepared.notes.append(f"{unit.label}, line {exc.lineno}: {type(exc).__name__}: {exc.msg}; "
                                  f"this {whole} was not run")
            for name in _names_in_text(unit.source):
                prepared.missing_because[name] = (f"{unit.label} has a {type(exc).__name__} at line "
                                                  f"{exc.lineno} ({exc.msg}), so nothing in it was run")
            continue
        prepared.sources[filename] = unit.source
        statements.extend(compiled)
    chosen, needed = _closure(statements, wanted)
    prepared.needed = frozenset(needed)
    # An import of a package needed code uses may add to it (`import numpy.linalg` gives `np` its
    # `linalg`), and a star import may bind anything: those run too. The rest (`import matplotlib`
    # for plots, a module that is not installed where grading happens) costs nothing and breaks nothing.
    used_packages = {package for index in chosen for package in statements[index].imports}
    for index, statement in enumerate(statements):
        if index in chosen or statement.imports & (used_packages | {"*", "__future__"}):
            prepared.definitions.append(statement)
        else:
            prepared.skipped.append(statement.label)
    return prepared


_REGISTERED: set[str] = set()  # names this loader put in sys.modules, so may replace


def execute(prepared: PreparedSubmission, namespace_name: str = "submission") -> LoadedSubmission:
    """Run the selected statements, in order, in a fresh module registered in ``sys.modules``.

    A real, registered module (with ``__file__``) is what dataclasses, pickle,
    ``typing.get_type_hints`` and friends look up through ``cls.__module__``. A failing
    statement is noted, the names it assigns get a ``missing_because``, and loading goes on.
    """
    if namespace_name in sys.modules and namespace_name not in _REGISTERED:
        raise ValueError(f"namespace_name {namespace_name!r} is an imported module's name; choose another")
    for filename, source in prepared.sources.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    module = types.ModuleType(namespace_name)
    module.__file__ = str(prepared.path)
    sys.modules[namespace_name] = module
    _REGISTERED.add(namespace_name)
    namespace = module.__dict__
    loaded = LoadedSubmission(prepared.path, namespace, list(prepared.notes), dict(prepared.missing_because))
    for definition in prepared.definitions:
        try:
            exec(definition.code, namespace)
        except BaseException as exc:  # SystemExit in a class body is the student's problem, not ours
            where, message = _where(definition, exc), f"{type(exc).__name__}: {exc}"
            loaded.notes.append(f"{where}: {message}")
            reason = f"{where} failed: {message}"
            cause = loaded.missing_because.get(getattr(exc, "name", None) or "")
            if isinstance(exc, NameError) and cause:
                reason += f" (`{exc.name}` is missing because {cause})"
            for name in definition.binds:
                loaded.missing_because[name] = reason
    for definition in prepared.definitions:  # ran, yet a needed name it assigns is not there
        for name in (definition.binds & prepared.needed) - namespace.keys() - loaded.missing_because.keys():
            loaded.missing_because[name] = (
                f"it is assigned only under `if __name__ == \"__main__\":` ({definition.label}), which does "
                "not run when the grader imports your code" if definition.main_guard else
                f"{definition.label} ran but did not assign it (a condition was false, or it was deleted)")
    return loaded


def load(path: Path | str, namespace_name: str = "submission", *,
         wanted: tuple[str, ...] = WANTED) -> LoadedSubmission:
    """Read, select and run a submission: ``execute(prepare(path, wanted=wanted), namespace_name)``."""
    return execute(prepare(path, wanted=wanted), namespace_name)


# --- reading -------------------------------------------------------------------------------------

def _normalise(text: str) -> str:
    """CRLF and lone CR become LF, as Python's file reading does (for our regexes); a BOM goes."""
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


def _first_line(source: str, width: int = 40) -> str:
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def _names_in_text(source: str) -> set[str]:
    """Best guess at the names a unit that cannot be parsed would have assigned."""
    found = re.findall(r"^(?:(?:async\s+)?def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=(?!=)", source, re.MULTILINE)
    return {name for pair in found for name in pair if name and not keyword.iskeyword(name)}


def _parse(source: str, filename: str) -> ast.Module:
    """Python first; IPython's syntax (``%matplotlib inline``, ``!pip ...``) only if Python fails."""
    if re.match(r"%%(time|capture)\b", source):  # cell magics that run the cell as it is
        source = "\n" + source.partition("\n")[2]  # (a blank line keeps the line numbers)
    try:
        return ast.parse(source, filename)
    except SyntaxError as error:
        try:
            from IPython.core.inputtransformer2 import TransformerManager
        except ImportError:
            raise error from None
        transformed = TransformerManager().transform_cell(source)
        if transformed.rstrip() == source.rstrip():
            raise  # no magics: Python's own message
    return ast.parse(transformed, filename)  # an error here is past the magics; lines are kept


_MAIN_GUARDS = ("__name__ == '__main__'", "'__main__' == __name__")


def _compile_unit(unit: CodeUnit, filename: str, flags: int) -> tuple[list[Definition], int]:
    """Each top-level statement compiled on its own (so one can fail and the rest run).

    Raises SyntaxError for the unit as a whole, including what only the compiler
    finds (``return`` outside a function, a late ``from __future__ import``).
    """
    tree = _parse(unit.source, filename)
    if any(_is_future(statement) for statement in tree.body):
        compile(tree, filename, "exec", flags=flags, dont_inherit=True)  # are they at the top?
    compiled, walrus = [], ":=" in unit.source
    for statement in tree.body:
        code = compile(ast.Module([statement], []), filename, "exec", flags=flags, dont_inherit=True)
        if _is_future(statement):
            for alias in statement.names:
                flags |= getattr(__future__, alias.name).compiler_flag
        compiled.append(Definition(
            f"{unit.label}, line {statement.lineno}", code, frozenset(_binds(statement, walrus)),
            frozenset(), unit.label, filename, statement.lineno,
            _imported_packages(statement),
            isinstance(statement, ast.If) and ast.unparse(statement.test) in _MAIN_GUARDS))
    return compiled, flags


# --- selecting -----------------------------------------------------------------------------------

def _closure(statements: list[Definition], wanted) -> tuple[set[int], set[str]]:
    """The statements that assign a needed name, and the needed names: ``wanted`` plus what those read."""
    assigning: dict[str, list[int]] = defaultdict(list)
    for index, statement in enumerate(statements):
        for name in statement.binds:
            assigning[name].append(index)
    chosen, needed, todo = set(), set(), list(wanted)
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        for index in set(assigning[name]) - chosen:
            chosen.add(index)
            statements[index].reads = frozenset(_reads(statements[index].code))  # only when needed: slow
            todo.extend(statements[index].reads)
    return chosen, needed


_READS = {"LOAD_NAME", "LOAD_GLOBAL", "LOAD_FROM_DICT_OR_GLOBALS"}  # the last one: Python 3.12+


def _reads(code: types.CodeType) -> set[str]:
    """Global names read by a statement's code and every code object nested in it."""
    names, todo = set(), [code]
    while todo:
        code = todo.pop()
        names.update(ins.argval for ins in dis.get_instructions(code) if ins.opname in _READS)
        todo.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return names


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _binds(statement: ast.stmt, walrus: bool = True) -> set[str]:
    """Names a top-level statement assigns in the module, or changes (the root of ``Layer.f = g``).

    Without ``walrus`` (no ``:=`` in the unit) only targets can assign, so other
    expressions are not searched: most of the time spent here otherwise.
    """
    names, todo = set(), [statement]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)  # =, +=, for, with ... as, :=, del, starred and tuple targets
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(node.ctx, ast.Load):
            names.add(_root(node))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and node.value.args
              and isinstance(node.value.func, ast.Name) and node.value.func.id in ("setattr", "delattr")):
            names.add(_root(node.value.args[0]))
        if isinstance(node, _SCOPES):  # its body runs in its own scope: only its name counts here
            if not isinstance(node, ast.Lambda):
                names.add(node.name)
                names.update(_root(d.func if isinstance(d, ast.Call) else d)  # `@f.register` changes f
                             for d in node.decorator_list if isinstance(d, ast.Attribute)
                             or isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute))
            continue
        if not walrus and isinstance(node, ast.expr) and isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            continue
        for name, value in ast.iter_fields(node):
            if not (isinstance(node, ast.comprehension) and name == "target"):  # its variable is its own
                todo.extend(child for child in (value if isinstance(value, list) else [value])
                            if isinstance(child, ast.AST))
    names.discard("")
    return names


def _root(node: ast.AST) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


GRADER_PACKAGE = "autograder"  # the notebook's own check cells import it; it is not the student's code


def _imports_the_grader(statement: ast.stmt) -> bool:
    """``from autograder.notebook import ...``: left out (a grading worker has no such package)."""
    if isinstance(statement, ast.ImportFrom):
        return statement.level == 0 and (statement.module or "").split(".")[0] == GRADER_PACKAGE
    return any(alias.name.split(".")[0] == GRADER_PACKAGE for alias in statement.names)


def _imported_packages(statement: ast.stmt) -> frozenset[str]:
    """The top-level packages an import statement imports (with "*" for a star import); none for others."""
    if not isinstance(statement, (ast.Import, ast.ImportFrom)) or _imports_the_grader(statement):
        return frozenset()
    if isinstance(statement, ast.ImportFrom):
        star = {"*"} if any(alias.name == "*" for alias in statement.names) else set()
        return frozenset({(statement.module or "").split(".")[0] if statement.level == 0 else ".", *star})
    return frozenset(alias.name.split(".")[0] for alias in statement.names)


def _is_future(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.ImportFrom) and statement.module == "__future__"


def _where(definition: Definition, exc: BaseException) -> str:
    """The statement's unit and the line, in it, where the failure happened (deepest frame there)."""
    line, tb = definition.line, exc.__traceback__
    while tb is not None:
        line = tb.tb_lineno if tb.tb_frame.f_code.co_filename == definition.filename else line
        tb = tb.tb_next
    return f"{definition.unit}, line {line}"
