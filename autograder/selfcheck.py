"""The student's self-check, as a pytest plugin.

In the exercise folder, ``pytest`` runs every public check on the saved notebook
(``nn_from_scratch.ipynb``, or the file given with ``--submission``) and ends
with the public score. Each failure's message is the check's teaching message,
printed once in the summary rather than as a traceback.

Where the reference solution and the hidden checks are present (the teaching
staff's repository), the hidden checks run too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .checks import catalogue, expectations, graded_classes, reference, staff_available
from .checks.results import Result
from .inprocess import run_check
from .sandboxed import loader

DEFAULT_SUBMISSION = "nn_from_scratch.ipynb"
_results: dict[str, Result] = {}


def pytest_addoption(parser):
    parser.addoption("--submission", default=None,
                     help=f"the notebook or .py file to check (default: {DEFAULT_SUBMISSION} beside the tests)")


def with_hidden() -> bool:
    return staff_available() and reference.available()


def student_checks():
    return catalogue(include_hidden=with_hidden())


@pytest.fixture(scope="session")
def loaded_submission(request) -> loader.LoadedSubmission:
    path = request.config.getoption("--submission") or Path(str(request.config.rootpath)) / DEFAULT_SUBMISSION
    try:
        return loader.load(path, wanted=graded_classes())
    except loader.SubmissionError as error:
        pytest.exit(f"cannot self-check: {error}", returncode=2)


def grade(check, loaded: loader.LoadedSubmission) -> None:
    """Run one check; fail the test with the teaching message, no traceback."""
    result = run_check(check, loaded, expectations.default())
    _results[check.id] = result
    if not result.passed:
        pytest.fail(result.message, pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("self-check")
    for result in _results.values():
        mark = "PASS" if result.passed else "FAIL"
        write(f"{mark}  {result.name}  ({result.score:g}/{result.check.points})")
        if not result.passed:
            for line in result.message.splitlines():
                write(f"      {line}")


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
