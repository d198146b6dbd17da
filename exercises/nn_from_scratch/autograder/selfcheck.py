"""The student's self-check, as a pytest plugin.

In the exercise folder, ``pytest`` runs every public check on the saved notebook
and ends with the public score. Each failure's message is the check's teaching
message, printed once in the summary rather than as a traceback; what went wrong
while loading the notebook (a cell with a syntax error, a statement that failed)
is listed once, before the results.

Which file: ``--submission=PATH`` if given (a notebook, a ``.py`` file, or a folder);
else, in the self-check's folder, ``nn_from_scratch.ipynb``, or the only notebook
there whatever its name (a note says so), as the grading command chooses
(``grading/submissions.py``). No notebook, or several and none of that name, stops
with one line that lists them and says how to name one.

Each check may use ``--seconds-per-check`` seconds of CPU time (default: the grading
command's limit); code still running then is stopped and the check fails, naming
the method that did not return. Not on Windows (no ``signal.setitimer``): there,
Ctrl+C stops the check that is running and the others still run.

Where the reference solution and the hidden checks are present (the teaching
staff's repository), the hidden checks run too.

The exercise folder's ``conftest.py`` imports this module's hooks and fixture (``__all__``)
rather than naming it in ``pytest_plugins``: run from a parent folder, that conftest
is not at pytest's rootdir, and pytest refuses ``pytest_plugins`` there with advice
that would break the folder. Imported hooks load anyway and say where to ``cd``.
Why ``--submission=PATH``, with ``=``: pytest finds its configuration from the paths on
the command line before it reads any conftest, so in ``--submission ../copy.ipynb`` the
path outside this folder is taken for a test path, this folder's ``conftest.py`` and
``pytest.ini`` are never read, and the option is unknown. With ``=`` it is one
argument, and works for any path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .checks import catalogue, expectations, graded_classes, reference, staff_available
from .checks.reference import ASSIGNMENT
from .checks.results import Result
from .checks import SECONDS_PER_CHECK
from .inprocess import CPUTimeExceeded, CPUTimeLimit, run_check
from .sandboxed import loader
from .sandboxed.scenarios import quietly

__all__ = ["loaded_submission", "pytest_addoption", "pytest_collection_modifyitems", "pytest_terminal_summary",
           "pytest_unconfigure"]

DEFAULT_SUBMISSION = f"{ASSIGNMENT}.ipynb"
_results: dict[str, Result] = {}
_session: dict = {"seconds": SECONDS_PER_CHECK, "lines": []}  # what pytest_collection_modifyitems found


def pytest_addoption(parser):
    group = parser.getgroup("self-check")
    group.addoption("--submission", default=None, metavar="PATH",
                    help=f"the notebook or .py file to check, as --submission=PATH (default: {DEFAULT_SUBMISSION}, "
                         "or the only notebook, beside the tests)")
    group.addoption("--seconds-per-check", type=float, default=SECONDS_PER_CHECK, metavar="S",
                    help=f"CPU seconds a check may use before it is stopped (default {SECONDS_PER_CHECK:g}, "
                         "as when your work is graded; 0: no limit)")
    group.addoption("--full-arrays", action="store_true", default=False,
                    help="after each failure, the full arrays behind its message (inputs, expected, yours)")


def with_hidden() -> bool:
    return staff_available() and reference.available()


def student_checks():
    return catalogue(include_hidden=with_hidden())


def pytest_collection_modifyitems(session, config, items):
    """Before any check runs: the self-check's folder, the file to check, and that file loaded."""
    ours = [item for item in items if "loaded_submission" in getattr(item, "fixturenames", ())]
    if not ours or "loaded" in _session:
        return
    folder = Path(ours[0].path).parent
    here = Path(config.invocation_params.dir)
    if config.inipath is None or Path(config.inipath).parent.resolve() != folder.resolve():
        raise pytest.UsageError(f"the self-check runs in its own folder: `cd {_shown(folder, here)}`, then `pytest`")
    path, lines = _submission(config.getoption("submission"), folder, here)
    seconds = config.getoption("seconds_per_check")
    try:
        with CPUTimeLimit(seconds), quietly():
            loaded = loader.load(path, wanted=graded_classes())
    except loader.SubmissionError as error:
        raise pytest.UsageError(f"cannot self-check: {error}") from None
    except CPUTimeExceeded:
        raise pytest.UsageError(f"cannot self-check: reading {_shown(path, here)} took more than {seconds:g} s "
                                "of CPU time") from None
    _session.update(loaded=loaded, seconds=seconds, lines=lines + [f"note: {note}" for note in loaded.notes],
                    full_arrays=config.getoption("full_arrays"))


@pytest.fixture(scope="session")
def loaded_submission() -> loader.LoadedSubmission:
    if "loaded" not in _session:
        pytest.fail("the self-check did not load a submission (run `pytest` in the exercise folder)", pytrace=False)
    return _session["loaded"]


def grade(check, loaded: loader.LoadedSubmission) -> None:
    """Run one check; fail the test with the teaching message, no traceback."""
    # A whole-network check names the unit checks that fail: from the results at hand once every one has run.
    units = [_results[c.id] for c in student_checks() if c.owner is not None and c.id in _results]
    every_unit_ran = len(units) == sum(1 for c in student_checks() if c.owner is not None)
    result = run_check(check, loaded, expectations.default(), seconds=_session["seconds"],
                       units=units if every_unit_ran else None)
    _results[check.id] = result
    if not result.passed:
        pytest.fail(result.message, pytrace=False)


def _submission(given: str | None, folder: Path, here: Path) -> tuple[Path, list[str]]:
    """The file to check, and a line that names it (none for the notebook named for the assignment).

    The rule of ``grading/submissions.py`` for one folder's notebooks: the named notebook, else
    the only one. (Its last resort, the only ``.py`` file, does not apply: this folder holds the
    self-check's own.)
    """
    if given:
        path = here / Path(given).expanduser()
        if not path.exists():
            raise pytest.UsageError(f"cannot self-check {given}: no such file.{_listing(folder, here)}")
        if not path.is_dir():
            return path, [f"Checked {given}."]
        folder = path
    notebooks = _notebooks(folder)
    named = [path for path in notebooks if path.name == DEFAULT_SUBMISSION]
    if named:
        return named[0], []
    if len(notebooks) == 1:
        only = (f"Checked {_shown(notebooks[0], here)}, the only notebook in {_folder(folder, here)} "
                f"(it is not named {DEFAULT_SUBMISSION}).")
        return notebooks[0], [only]
    if not notebooks:
        raise pytest.UsageError(f"cannot self-check: there is no notebook in {_folder(folder, here)}. Save yours "
                                f"there as {DEFAULT_SUBMISSION}, or name the file to check: "
                                "pytest --submission=path/to/notebook.ipynb")
    names = ", ".join(_quoted(_shown(path, here)) for path in notebooks)
    raise pytest.UsageError(f"cannot self-check: there is no {DEFAULT_SUBMISSION} in {_folder(folder, here)}, and "
                            f"{len(notebooks)} other notebooks: {names}. Name the one to check, as in: "
                            f"pytest --submission={_quoted(_shown(notebooks[0], here))}")


def _notebooks(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.ipynb") if path.is_file() and not path.name.startswith("."))


def _listing(folder: Path, here: Path) -> str:
    notebooks = _notebooks(folder)
    if not notebooks:
        return ""
    return f" Notebooks in {_folder(folder, here)}: " + ", ".join(_quoted(_shown(p, here)) for p in notebooks) + "."


def _shown(path: Path, here: Path) -> str:
    """``path`` as the student would type it from where they ran pytest."""
    try:
        return os.path.relpath(path, here)
    except ValueError:  # another drive (Windows)
        return str(path)


def _folder(folder: Path, here: Path) -> str:
    return "this folder" if folder.resolve() == here.resolve() else _shown(folder, here)


def _quoted(text: str) -> str:
    """Quoted when a shell would split or expand it (double quotes work in sh, cmd and PowerShell)."""
    return text if re.fullmatch(r"[\w./\\:+-]+", text) else f'"{text}"'


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("self-check")
    for line in _session["lines"]:
        write(line)
    for result in _results.values():
        mark = "PASS" if result.passed else "FAIL"
        write(f"{mark}  {result.name}  ({result.score:g}/{result.check.points})")
        if result.note:
            write(f"      {result.note}")
        if not result.passed:
            for line in result.message.splitlines():
                write(f"      {line}")
            if result.details and _session.get("full_arrays"):
                for line in result.details.splitlines():
                    write(f"        {line}")
    if not _session.get("full_arrays") and any(r.details for r in _results.values()):
        write("(The full arrays behind these messages: pytest --full-arrays)")


def pytest_unconfigure(config):
    """The score comes last, after pytest's own count of passed and failed tests."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if not _results or reporter is None:
        return
    earned = sum(r.score for r in _results.values())
    total = sum(r.check.points for r in _results.values())
    if with_hidden():
        reporter.write_line(f"Score: {earned:g}/{total} (public and hidden checks)")
    else:
        hidden_points = expectations.default().hidden_points()
        reporter.write_line(f"Public score: {earned:g}/{total}. The hidden checks ({hidden_points} more points) "
                            "are not in your folder; they run when your work is graded.")
