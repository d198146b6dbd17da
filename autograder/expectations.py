"""What the reference produces for each check: computed live, or read from storage.

Where the reference notebook is present (the teaching staff's repository, the
Gradescope autograder), expectations are computed by running each scenario on
the reference. Students' copies have no reference; for the public checks they
read ``data/public_expected.npz``, which ``python -m autograder expected``
writes from the reference (a test keeps it in step).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from . import reference
from .checks import Check, catalogue
from .scenarios import SCENARIOS, Observations

STORE = Path(__file__).resolve().parent / "data" / "public_expected.npz"


class FromReference:
    """Expectations computed by running the scenario on the reference solution."""

    def __init__(self, namespace: dict | None = None):
        self.namespace = namespace if namespace is not None else reference.namespace()
        self._cache: dict[str, list[Observations]] = {}

    def for_check(self, check: Check) -> list[Observations]:
        if check.name not in self._cache:
            scenario = SCENARIOS[check.scenario]
            with np.errstate(all="ignore"):
                self._cache[check.name] = [
                    scenario(self.namespace, check.params, {k: v.copy() for k, v in case.items()})
                    for case in check.cases()
                ]
        return self._cache[check.name]


class Stored:
    """Expectations of the public checks, as stored in ``public_expected.npz``."""

    def __init__(self, path: Path = STORE):
        with np.load(path, allow_pickle=False) as data:
            self.arrays = {key: data[key] for key in data.files}

    def for_check(self, check: Check) -> list[Observations]:
        if check.hidden:
            raise LookupError(f"{check.name}: hidden checks need the reference solution")
        result = []
        for index in range(len(check.cases())):
            prefix = f"{check.grade_id}/{index}/"
            result.append({k[len(prefix):]: v for k, v in self.arrays.items() if k.startswith(prefix)})
        return result


@lru_cache(maxsize=None)
def default():
    """The reference where it exists, else the stored public expectations."""
    return FromReference() if reference.available() else Stored()


def write_store(path: Path = STORE) -> Path:
    """Store the reference's observations for every public check (run after changing a check)."""
    live = FromReference()
    arrays = {}
    for check in catalogue(include_hidden=False):
        for index, observations in enumerate(live.for_check(check)):
            for key, value in observations.items():
                arrays[f"{check.grade_id}/{index}/{key}"] = np.asarray(value, dtype=np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path
