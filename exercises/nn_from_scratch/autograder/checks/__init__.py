"""The check catalogue, and how a check is judged: written once, used by every front end.

A :class:`Check` names the scenario to run (``autograder.sandboxed.scenarios``),
the input cases to run it on, and the judge that compares the student's
observations with the reference's (:mod:`.judges`). Its ``id`` never changes:
nbgrader's ``grade_id``, the notebook's test cells, result files, stored
expectations and ``grades.csv`` columns use it. Its ``name`` is what people
read and may be reworded at any time.

- ``public``          the public checks: inputs shown to students
- ``judges``          compare observations, write the student's message
- ``numerics``        central differences and relative error
- ``results``         a check's score and message from observations (``Result``, ``judge``)
- ``reference``       loads the reference solution from the instructor's notebook
- ``expectations``    what the reference (and each known mistake) produces: live, or stored for students
- ``misconceptions``  names the mistake behind a failure
- ``relations``       how a wrong result relates to the right one (opposite sign, a stray factor, ...)
- ``staff/``          staff only, left out of the student version as a folder: hidden checks, wrong formulas
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# CPU seconds one check may use, wherever it runs: the grading command (grading.isolation.Limits,
# `grade --timeout`) and the student's self-check (inprocess, selfcheck).
SECONDS_PER_CHECK = 10.0

Case = dict[str, np.ndarray]


@dataclass(frozen=True)
class Check:
    id: str  # stable: never changes once released (nbgrader grade_id, result keys, grades.csv columns)
    name: str  # for people: "<Class>.<method>: <what>", or "<task>: <what>"; may be reworded
    points: int
    scenario: str  # a key of autograder.sandboxed.scenarios.SCENARIOS
    cases: Callable[[], list[Case]]  # deterministic: same cases on every call
    judge: Callable  # judge(check, case, got, expected) raises judges.Failure; what it returns on a pass
    # goes to its passing_note(returns) -> str, if it has one (a gradient check's relative error)
    hint: str  # what to look at next when it fails
    params: dict = field(default_factory=dict)
    hidden: bool = False

    @property
    def method(self) -> str:
        """The method or task graded: the part of the name before the colon ("Layer.backward")."""
        return self.name.split(":")[0]

    @property
    def owner(self) -> str | None:
        """The class whose code the check grades ("Layer"), or None for a whole-network task."""
        head = self.method
        return head.split(".")[0] if "." in head else None


def catalogue(include_hidden: bool = True) -> list[Check]:
    """All checks, in teaching order: by method as first listed, public ones first within each."""
    from .public import PUBLIC_CHECKS

    checks = list(PUBLIC_CHECKS)
    if include_hidden:
        checks += hidden_checks()
    order = {name: i for i, name in enumerate(dict.fromkeys(c.method for c in checks))}
    return sorted(checks, key=lambda c: (order[c.method], c.hidden))


def hidden_checks() -> list[Check]:
    """The hidden checks, or [] where the staff folder is absent (a student's copy)."""
    try:
        from .staff.hidden import HIDDEN_CHECKS
    except ImportError:
        return []
    return list(HIDDEN_CHECKS)


def staff_available() -> bool:
    """Whether this copy has the staff folder (hidden checks, wrong formulas)."""
    try:
        from . import staff  # noqa: F401
    except ImportError:
        return False
    return True


def graded_classes(checks: list[Check] | None = None) -> tuple[str, ...]:
    """The classes the checks grade, in teaching order: what a submission is loaded for."""
    return tuple(dict.fromkeys(check.owner for check in (checks or catalogue()) if check.owner))


def by_id(key: str, include_hidden: bool = True) -> Check:
    """The check with this id. A display name is accepted too (test cells released before ids existed)."""
    checks = catalogue(include_hidden)
    for check in checks:
        if check.id == key:
            return check
    for check in checks:
        if check.name == key:
            return check
    raise KeyError(f"no check with id {key!r}")
