"""Run a check in this process: the front end for notebooks and the self-check.

In-process results give feedback; they are not trusted for grades (student code
shares the process). The grading CLI runs the same scenarios in isolated workers
(:mod:`autograder.isolation`) and judges them here, with :func:`judge`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import expectations as expected_values
from . import misconceptions
from .checks import Check
from .judges import Failure
from .scenarios import Observations, StudentCodeError, run_scenario


@dataclass
class Result:
    check: Check
    score: float
    message: str = ""  # empty when the check passed
    # What the student's code produced and what the reference did, per case (for pictures).
    observations: list = field(default_factory=list, repr=False)
    expected: list = field(default_factory=list, repr=False)

    @property
    def passed(self) -> bool:
        return self.score == self.check.points

    @property
    def name(self) -> str:
        return self.check.name


def observe(check: Check, namespace: dict) -> list[Observations]:
    """Run the check's scenario on every case, in this process."""
    return run_scenario(check.scenario, check.params, check.cases(), namespace, check.method)


def judge(check: Check, observations: list[Observations], expected: list[Observations]) -> Result:
    """Score one check from observations; student code is not involved here."""
    cases = check.cases()
    if len(observations) != len(cases):
        return Result(check, 0.0, f"{check.method}: results came back for {len(observations)} of {len(cases)} inputs.")
    score, message = float(check.points), ""
    for case, got, want in zip(cases, observations, expected):
        try:
            check.judge(check, case, got, want)
        except Failure as failure:
            score, message = 0.0, str(failure) + misconceptions.diagnose(check, observations, expected)
        except KeyError as missing:  # an observation the judge needs is absent
            score, message = 0.0, f"{check.method}: no result for {missing} (did the code return early?)."
        except Exception as exc:  # malformed observations from a worker
            score, message = 0.0, f"{check.method}: its results could not be compared ({type(exc).__name__})."
        if message:
            break
    return Result(check, score, message, observations, expected)


def run_check(check: Check, namespace: dict, expectations=None) -> Result:
    expectations = expectations or expected_values.default()
    try:
        observations = observe(check, namespace)
    except StudentCodeError as error:
        return Result(check, 0.0, error.with_hint(check.hint))
    return judge(check, observations, expectations.for_check(check))
