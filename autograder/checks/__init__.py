"""The check catalogue: every graded check, written once, used by every front end.

A :class:`Check` names the scenario to run (:mod:`autograder.scenarios`), the
input cases to run it on, and the judge that compares the student's observations
with the reference's (:mod:`autograder.judges`). The notebook's test cells, the
pytest self-check and the grading CLI all look checks up here by name.

Public checks live in :mod:`.public`; hidden checks in :mod:`.hidden`, which is
left out of everything students receive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

Case = dict[str, np.ndarray]


@dataclass(frozen=True)
class Check:
    name: str  # "<Class>.<method>: <what>", or "XOR training: <what>"
    points: int
    scenario: str  # a key of autograder.scenarios.SCENARIOS
    cases: Callable[[], list[Case]]  # deterministic: same cases on every call
    judge: Callable  # judge(check, case, got, expected) raises judges.Failure
    hint: str  # what to look at next when it fails
    params: dict = field(default_factory=dict)
    hidden: bool = False

    @property
    def method(self) -> str:
        """The method or task graded: the part of the name before the colon."""
        return self.name.split(":")[0]

    @property
    def grade_id(self) -> str:
        """The check's id in nbgrader's metadata and in result files."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")


def catalogue(include_hidden: bool = True) -> list[Check]:
    """All checks, public ones first within each method, in teaching order."""
    from .public import PUBLIC_CHECKS

    checks = list(PUBLIC_CHECKS)
    if include_hidden:
        try:
            from .hidden import HIDDEN_CHECKS
        except ImportError:  # a student's copy has no hidden checks
            HIDDEN_CHECKS = []
        checks += HIDDEN_CHECKS
    order = {name: i for i, name in enumerate(dict.fromkeys(c.method for c in checks))}
    return sorted(checks, key=lambda c: (order[c.method], c.hidden))


def hidden_available() -> bool:
    try:
        from . import hidden  # noqa: F401
    except ImportError:
        return False
    return True


def by_name(name: str, include_hidden: bool = True) -> Check:
    for check in catalogue(include_hidden):
        if check.name == name or check.grade_id == name:
            return check
    raise KeyError(f"no check named {name!r}")
