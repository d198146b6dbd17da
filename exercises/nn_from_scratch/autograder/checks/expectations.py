"""What the reference produces for each check, and what each known mistake produces: one store.

Where the reference notebook is present (the teaching staff's repository, the
Gradescope autograder), both are computed by running each check's scenario on
the reference (:class:`Live`) and on each wrong formula of ``staff/``.
Students' copies have neither; for the public checks they read
``data/public_reference.npz`` (:class:`Stored`), which ``python -m autograder
refresh`` writes from the live values (a test keeps the two in step). Its keys::

    <check id>/<case>/expected/<observation>          the reference's observations (a gradient check's: with
                                                      its numerical side, ``judge.reference_scenario``'s)
    <check id>/<case>/mistake/<mistake>/<observation> a known mistake's, on the keys the judge compares
    hidden_points                                     how many points the hidden checks are worth
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..sandboxed.scenarios import SCENARIOS, Observations
from . import Check, catalogue, hidden_checks, reference
from .misconceptions import described

STORE = Path(__file__).resolve().parents[1] / "data" / "public_reference.npz"


def _run(namespace: dict, check: Check, case: dict, scenario: str = "") -> Observations:
    with np.errstate(all="ignore"):
        return SCENARIOS[scenario or check.scenario](namespace, check.params,
                                                     {k: np.array(v) for k, v in case.items()})


def _run_reference(namespace: dict, check: Check, case: dict) -> Observations:
    """The check's scenario on the reference, and the scenario its judge needs run on the reference only
    (``judge.reference_scenario``: a gradient check's numerical side), their observations together."""
    observations = _run(namespace, check, case)
    extra = getattr(check.judge, "reference_scenario", "")
    if extra:
        observations.update(_run(namespace, check, case, extra))
    return observations


class Live:
    """Expectations and predictions computed from the reference solution, in this process."""

    def __init__(self, namespace: dict | None = None):
        self.namespace = namespace if namespace is not None else reference.namespace()
        self._expected: dict[str, list[Observations]] = {}
        self._predictions: dict[str, list[dict[str, Observations]]] = {}
        self._mistakes: dict[str, dict] | None = None

    def expected(self, check: Check) -> list[Observations]:
        if check.id not in self._expected:
            self._expected[check.id] = [_run_reference(self.namespace, check, case) for case in check.cases()]
        return self._expected[check.id]

    def mistakes(self) -> dict[str, dict]:
        """Known mistake -> the reference's namespace with that mistake made ({} without the staff folder)."""
        if self._mistakes is None:
            try:
                from .staff.wrong_formulas import WRONG_FORMULAS
            except ImportError:
                WRONG_FORMULAS = {}
            self._mistakes = {key: make(self.namespace) for key, make in WRONG_FORMULAS.items()}
        return self._mistakes

    def predictions(self, check: Check) -> list[dict[str, Observations]]:
        """Per case: known mistake (of the check's method) -> what it produces."""
        if check.id not in self._predictions:
            per_case = []
            for case in check.cases():
                predicted = {}
                for key, namespace in self.mistakes().items():
                    if described(key)[0] != check.method:
                        continue
                    try:
                        predicted[key] = _run(namespace, check, case)
                    except Exception:  # the mistake makes this scenario crash: nothing to compare
                        pass
                per_case.append(predicted)
            self._predictions[check.id] = per_case
        return self._predictions[check.id]

    def hidden_points(self) -> int:
        return sum(check.points for check in hidden_checks())


class Stored:
    """Expectations and predictions of the public checks, as stored for students."""

    def __init__(self, path: Path = STORE):
        with np.load(path, allow_pickle=False) as data:
            self.arrays = {key: data[key] for key in data.files}

    def _case(self, check: Check, index: int, kind: str) -> dict[str, np.ndarray]:
        prefix = f"{check.id}/{index}/{kind}/"
        return {k[len(prefix):]: v for k, v in self.arrays.items() if k.startswith(prefix)}

    def expected(self, check: Check) -> list[Observations]:
        if check.hidden:
            raise LookupError(f"{check.name}: hidden checks need the reference solution")
        return [self._case(check, index, "expected") for index in range(len(check.cases()))]

    def predictions(self, check: Check) -> list[dict[str, Observations]]:
        per_case = []
        for index in range(len(check.cases())):
            predicted: dict[str, Observations] = {}
            for name, value in self._case(check, index, "mistake").items():
                key, _, observation = name.partition("/")
                predicted.setdefault(key, {})[observation] = value
            per_case.append(predicted)
        return per_case

    def hidden_points(self) -> int:
        return int(self.arrays["hidden_points"])


_lock = threading.Lock()


@lru_cache(maxsize=None)
def _default() -> Live | Stored:
    return Live() if reference.available() else Stored()


def default() -> Live | Stored:
    """The reference where it exists, else the stored public values (one per process, thread-safe)."""
    with _lock:
        return _default()


default.cache_clear = _default.cache_clear


def computed_for(checks: list[Check]) -> Live | Stored:
    """:func:`default`, with every value these checks need computed now (before threads share it)."""
    values = default()
    with _lock:
        for check in checks:
            if not (check.hidden and isinstance(values, Stored)):
                values.expected(check)
            values.predictions(check)
    return values


def write_store(path: Path = STORE) -> Path:
    """Store the reference's and the known mistakes' observations for every public check."""
    live = Live()
    arrays = {"hidden_points": np.array(live.hidden_points())}
    for check in catalogue(include_hidden=False):
        for index, observations in enumerate(live.expected(check)):
            for key, value in observations.items():
                arrays[f"{check.id}/{index}/expected/{key}"] = np.asarray(value, dtype=np.float64)
        for index, predicted in enumerate(live.predictions(check)):
            for mistake, observations in predicted.items():
                for key in check.judge.keys:
                    if key in observations:
                        arrays[f"{check.id}/{index}/mistake/{mistake}/{key}"] = np.asarray(observations[key], float)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path
