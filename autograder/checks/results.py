"""A check's result, from observations: the one place a score and its message are decided.

Both ways of running student code end here: the trusted grader (observations
read back from a worker) and the in-process front ends (notebook, self-check).
Student code is never involved: :func:`judge` sees plain arrays and
:func:`failed_to_run` sees the description of an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..sandboxed.errors import StudentCodeError
from ..sandboxed.scenarios import Observations
from . import Check, catalogue, relations
from .judges import Failure
from .misconceptions import diagnose, diagnose_error, likely_cause


@dataclass
class Result:
    check: Check
    score: float
    message: str = ""  # empty when the check passed
    # What the student's code produced and what the reference did, per case (for pictures).
    observations: list = field(default_factory=list, repr=False)
    expected: list = field(default_factory=list, repr=False)
    # The parts of the message: it ends with the hint (if any), then the likely cause (if any).
    hint: str = ""
    cause: str = ""
    details: str = field(default="", repr=False)  # the full arrays behind the message (public inputs only)
    error: StudentCodeError | None = field(default=None, repr=False)  # the crash, when the code did not run
    note: str = ""  # a passed check's one figure, if its judge gives one ("relative error 3e-11 (below 1e-7)")
    out_of_time: bool = False  # stopped by its CPU limit or the wall-clock backstop (a class's last line counts them)

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

    def __post_init__(self):
        self.results = units_first(forward_first(self.results))

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
    measured = []  # what the judge returns for each case it passes (a gradient check: its worst relative error)
    for case, got, want in zip(cases, observations, expected):
        try:
            measured.append(check.judge(check, case, got, want))
        except Failure as failure:
            named = likely_cause("") in str(failure)  # by the judge's own rule: one cause is enough
            cause = diagnose(check, observations, expected, expectations.predictions(check)) \
                if failure.diagnose and not named else ""
            hint = "" if cause or named else failure.hint
            return Result(check, 0.0, with_hint(str(failure), hint) + cause, observations, expected, hint, cause,
                          failure.details)
        except KeyError as missing:  # an observation the judge needs is absent
            return Result(check, 0.0, f"{check.method}: no result for {missing} (did the code return early?).",
                          observations, expected)
        except Exception as exc:  # malformed observations from a worker
            return Result(check, 0.0, f"{check.method}: its results could not be compared ({type(exc).__name__}).",
                          observations, expected)
    passing_note = getattr(check.judge, "passing_note", None)
    note = passing_note(measured) if passing_note else ""
    return Result(check, float(check.points), "", observations, expected, note=note)


def with_hint(text: str, hint: str) -> str:
    """The hint after the text: on a line of its own after a message of several lines."""
    if not hint:
        return text
    return f"{text}\n{hint}" if "\n" in text else f"{text} {hint}"


def failed_to_run(check: Check, error: StudentCodeError) -> Result:
    """Zero points, with the error's explanation, the method's hint where it fits, and a likely cause where one
    is known (then no hint: the cause says what to do)."""
    cause = diagnose_error(check, error)
    hint = "" if cause or not error.wants_hint else method_hint(check)
    return Result(check, 0.0, with_hint(error.message, hint) + cause, hint=hint, cause=cause, error=error)


def method_hint(check: Check) -> str:
    """What to look at when a method crashes: the hint of its first check (its values, the recipe), not a
    contract's or an edge case's. Nothing for a whole-network check: it runs every method."""
    if check.owner is None:
        return ""
    return next((c.hint for c in catalogue(include_hidden=False) if c.method == check.method), check.hint)


# --- an activation's backward, when its forward is wrong ----------------------------------------------

def forward_evidence(check: Check, checks) -> tuple[Check, Check] | None:
    """(a backward value check, the forward value check on the same inputs) that can show this activation
    backward check failing only through the student's own forward: for a value check, itself and its
    partner; for a gradient check (whose inputs no forward check shares), the first public pair."""
    if check.scenario not in ("activation_backward", "activation_gradcheck"):
        return None
    backward = [check] if check.scenario == "activation_backward" else \
        [c for c in checks if c.method == check.method and c.scenario == "activation_backward" and not c.hidden]
    forward = check.method.replace(".backward", ".forward")
    for values in backward:
        if "out" not in getattr(values.judge, "keys", ()):
            continue
        partner = next((c for c in checks if c.method == forward and c.scenario == "activation_forward"
                        and c.cases is values.cases and "out" in getattr(c.judge, "keys", ())), None)
        if partner is not None:
            return values, partner
    return None


def forward_first(results: list[Result]) -> list[Result]:
    """The results, each failed activation-backward check that is right for the student's own forward (which
    fails) blaming forward instead: see :func:`blame_forward`."""
    by_id = {result.check.id: result for result in results}
    checks = [result.check for result in results]
    blamed = []
    for result in results:
        evidence = forward_evidence(result.check, checks)
        blamed.append(blame_forward(result, *(by_id[c.id] for c in evidence)) if evidence else result)
    return blamed


def blame_forward(result: Result, backward: Result, forward: Result) -> Result:
    """A failed backward result names forward as the cause, in place of its hint and cause, when the values of
    ``backward`` (a backward value result: ``result`` itself, or a public one) are the derivative computed
    through the student's own, failing, forward on the same inputs."""
    if result.passed or backward.passed or forward.passed or result.error or backward.error or forward.error:
        return result
    try:
        x = [np.asarray(case["x"], dtype=float) for case in backward.check.cases()]
        got, own = [g["out"] for g in backward.observations], [g["out"] for g in forward.observations]
        expected = [e["out"] for e in backward.expected]
    except (KeyError, TypeError):
        return result
    if not len(x) == len(got) == len(own) == len(expected) or not relations.follows_forward(x, got, own, expected):
        return result
    where = "on the same inputs" if backward is result else f"on the inputs of {backward.check.name}"
    cause = likely_cause(relations.FOLLOWS_FORWARD.format(backward=result.check.method, forward=forward.check.method,
                                                          where=where))
    return replace(result, message=_without_hint_and_cause(result) + cause, cause=cause, hint="")


def _without_hint_and_cause(result: Result) -> str:
    """A failed result's message without the hint and the likely cause it ends with (to put others there)."""
    text = result.message.removesuffix(result.cause)
    return text.removesuffix(result.hint).rstrip() if result.hint else text


# --- whole-network results, when unit checks fail too ------------------------------------------------

FIX_FIRST = "Fix the unit checks that fail first:"
NAMED_AT_MOST = 6  # failing unit checks named one by one; more are named by their methods


def units_first(results: list[Result]) -> list[Result]:
    """The results, each failed whole-network one saying which unit checks to fix first when some fail."""
    return [fix_units_first(result, results) if result.check.owner is None else result for result in results]


def fix_units_first(result: Result, units) -> Result:
    """A failed whole-network result, in the light of the unit checks' results (``units``, any results):
    when some fail, the message names them as the ones to fix first, in place of the whole-network hint;
    a crash inside a method whose own checks pass is not quoted as if that method were wrong."""
    units = [unit for unit in units if unit.check.owner is not None]
    failing = [unit for unit in units if not unit.passed]
    # The public ones, which the student can run; the hidden ones only when they alone fail.
    failing = [unit for unit in failing if not unit.check.hidden] or failing
    if result.passed or not failing or (result.error and result.error.exception == "NotImplementedError") \
            or FIX_FIRST in result.message:
        return result
    methods: dict[str, list[str]] = {}
    for unit in failing:
        methods.setdefault(unit.check.method, []).append(unit.check.name.partition(": ")[2])
    if len(failing) <= NAMED_AT_MOST:
        which = "; ".join(f"{method} ({', '.join(names)})" for method, names in methods.items())
    else:  # a long list says less than the methods it comes from
        which = f"those of {', '.join(methods)} ({len(failing)} checks)"
    first = f"{FIX_FIRST} {which}. The XOR training runs every method, so a bug in one shows here too."
    error = result.error
    own = [unit for unit in units if error and unit.check.method == error.where]
    if error and own and all(unit.passed for unit in own):
        text = (f"{result.check.method}: the training stopped with a {error.exception} inside {error.where}, whose "
                f"own checks pass: it was most likely handed an array it cannot use by a method whose checks fail. "
                f"{first}")
        return replace(result, message=text + result.cause, hint="")
    return replace(result, message=with_hint(_without_hint_and_cause(result), first) + result.cause, hint="")
