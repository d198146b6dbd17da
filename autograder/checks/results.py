"""A check's result, from observations: the one place a score and its message are decided.

Both ways of running student code end here: the trusted grader (observations
read back from a worker) and the in-process front ends (notebook, self-check).
Student code is never involved: :func:`judge` sees plain arrays and
:func:`failed_to_run` sees the description of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..sandboxed.errors import StudentCodeError
from ..sandboxed.scenarios import Observations
from . import Check
from .judges import Failure
from .misconceptions import diagnose, diagnose_error


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
    def id(self) -> str:
        return self.check.id

    @property
    def name(self) -> str:
        return self.check.name


@dataclass
class Verdict:
    """A graded submission: every check's result, and notes on how grading went."""

    submission: Path
    results: list[Result]
    seconds: float
    notes: list[str] = field(default_factory=list)  # for the instructor: how grading went
    isolation: str = ""  # how the student's code was isolated (instructors' reports only)

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> int:
        return sum(r.check.points for r in self.results)


def judge(check: Check, observations: list[Observations], expectations) -> Result:
    """Score one check from the student's observations, against ``expectations`` (Live or Stored)."""
    cases = check.cases()
    expected = expectations.expected(check)
    if len(observations) != len(cases):
        return Result(check, 0.0, f"{check.method}: results came back for {len(observations)} of {len(cases)} inputs.")
    score, message = float(check.points), ""
    for case, got, want in zip(cases, observations, expected):
        try:
            check.judge(check, case, got, want)
        except Failure as failure:
            cause = diagnose(check, observations, expected, expectations.predictions(check)) if failure.diagnose else ""
            score, message = 0.0, str(failure) + cause
        except KeyError as missing:  # an observation the judge needs is absent
            score, message = 0.0, f"{check.method}: no result for {missing} (did the code return early?)."
        except Exception as exc:  # malformed observations from a worker
            score, message = 0.0, f"{check.method}: its results could not be compared ({type(exc).__name__})."
        if message:
            break
    return Result(check, score, message, observations, expected)


def failed_to_run(check: Check, error: StudentCodeError) -> Result:
    """Zero points, with the error's explanation, the hint where it fits, and a likely cause where one is known."""
    return Result(check, 0.0, error.with_hint(check.hint) + diagnose_error(check, error))
