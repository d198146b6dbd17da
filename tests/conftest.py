"""Shared helpers: grade a submission in this process against the live reference."""

from __future__ import annotations

import pytest

from autograder import submission
from autograder.checks import catalogue
from autograder.expectations import FromReference
from autograder.runner import Result, run_check


@pytest.fixture(scope="session")
def reference_expectations() -> FromReference:
    return FromReference()


@pytest.fixture(scope="session")
def grade_in_process(reference_expectations):
    """grade(path) -> {check name: Result}, all checks, run in this process."""

    def grade(path) -> dict[str, Result]:
        namespace = submission.load(path).namespace
        return {check.name: run_check(check, namespace, reference_expectations) for check in catalogue()}

    return grade
