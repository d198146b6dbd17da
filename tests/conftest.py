"""Shared helpers: grade a submission in this process against the live reference."""

from __future__ import annotations

import pytest

from autograder.checks import catalogue, graded_classes
from autograder.checks.expectations import Live
from autograder.checks.results import Result
from autograder.inprocess import run_check
from autograder.sandboxed import loader


@pytest.fixture(scope="session")
def reference_expectations() -> Live:
    return Live()


@pytest.fixture(scope="session")
def grade_in_process(reference_expectations):
    """grade(path) -> {check id: Result}, all checks, run in this process (as the self-check runs them)."""

    def grade(path) -> dict[str, Result]:
        loaded = loader.load(path, wanted=graded_classes())
        return {check.id: run_check(check, loaded, reference_expectations) for check in catalogue()}

    return grade


# Measurements a test prints after the run (pytest's terminal summary, so CI logs show them without -s).
MEASURED = pytest.StashKey[list]()


@pytest.fixture
def report_measure(request):
    """report_measure(line): print ``line`` in the terminal summary of this run."""
    return request.config.stash.setdefault(MEASURED, []).append


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(MEASURED, [])
    if lines:
        terminalreporter.section("measured")
        for line in lines:
            terminalreporter.write_line(line)
