"""Mistakes nobody catalogued: how a student's wrong result relates to the right one.

When no known mistake (``staff/wrong_formulas.py``) reproduces a failure, the
student's result may still be the right one transformed: with the opposite
sign, times a constant (2, the batch size, the learning rate), transposed,
another output's value, the input itself, right on part of the input only
(where x > 0, say); a parameter update may be the right step transformed
(without the learning rate, twice as large); the network may call its layers
in reverse, or skip one. An activation's result may be another well-known
function of x (tanh where the sigmoid belongs), x minus the right value (the
part that should be dropped kept), or its derivative's formula with the sign
inside flipped or a factor left out; a layer's output may be that of z with a
term's sign flipped; a sum over the batch may be taken over the wrong axis (its
total is the same, its shape is not). Each :class:`Relation` tests one of these on plain
arrays (the inputs, the student's observation, the reference's) and says what
it found in words, never quoting a value, so hidden checks can use it too.

A relation is named only when it holds on every input case of the check and
no rival of its ``group`` does (on a batch of 2, "times 2" and "times the batch
size" cannot be told apart: neither is named).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..sandboxed.doubles import CubicActivation

RTOL, ATOL = 1e-6, 1e-8
SATURATED = 10.0  # |x| beyond which activations are flat: agreeing there is no evidence
NEAR_ZERO = 1e-3  # |x| below which a wrong formula may still agree within the tolerance (0.01 * x, say)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


@dataclass(frozen=True)
class Seen:
    """One observation of one case: the student's value, the reference's, and what the check knows."""

    got: np.ndarray
    expected: np.ndarray
    case: dict  # the inputs
    key: str  # the observation's key
    others: dict  # the reference's other observations of this case (key -> array)
    elementwise: bool  # the observation is computed entry by entry from x (an activation)

    @property
    def before(self) -> np.ndarray | None:
        """The value an update started from (``weights_1`` before NeuralNetwork.backward), if any."""
        value = self.case.get(self.key)
        return None if value is None else np.asarray(value, dtype=float)

    @property
    def batch(self) -> int:
        x = np.asarray(self.case.get("x", np.zeros((1, 1))))
        return len(x) if x.ndim else 1

    @property
    def learning_rate(self) -> float | None:
        value = self.case.get("learning_rate")
        return None if value is None else float(value)


@dataclass(frozen=True)
class Relation:
    name: str
    text: str  # "{what}": the observations it was seen in, as the student knows them
    holds: Callable[[Seen], bool]  # true in every case: the relation may explain the results
    # true in some case: the results show it (by default, a case where the result is wrong)
    shows: Callable[[Seen], bool] = lambda seen: not close(seen.got, seen.expected)
    group: str = ""  # relations of one group are rivals: when two hold, neither is named
    updates: bool = False  # about a parameter update (the observation has a value before it)


def _scaled(factor: Callable[[Seen], float | None]) -> Callable[[Seen], bool]:
    def holds(seen: Seen) -> bool:
        c = factor(seen)
        return c is not None and close(seen.got, c * seen.expected)

    return holds


def _step_scaled(factor: Callable[[Seen], float | None]) -> Callable[[Seen], bool]:
    def holds(seen: Seen) -> bool:
        c, before = factor(seen), seen.before
        if c is None or before is None or before.shape != seen.got.shape:
            return False
        return close(seen.got - before, c * (seen.expected - before))

    return holds


def _sides(seen: Seen, sign: int):
    """(right entries, entries on the side kept, entries on the other side, x), or None when the observation
    is not computed entry by entry from x."""
    x = np.asarray(seen.case.get("x", ()), dtype=float)
    if not seen.elementwise or x.shape != seen.got.shape or x.shape != seen.expected.shape:
        return None
    return np.isclose(seen.got, seen.expected, rtol=RTOL, atol=ATOL), sign * x >= 0, sign * x < 0, x


def _right_except_where(sign: int) -> Callable[[Seen], bool]:
    """Right wherever sign * x >= 0, wrong wherever sign * x < 0 (bar entries too close to 0 to tell)."""
    def holds(seen: Seen) -> bool:
        sides = _sides(seen, sign)
        if sides is None:
            return False
        right, kept, other, x = sides
        return bool(right[kept].all() and not right[other & (np.abs(x) >= NEAR_ZERO)].any())

    return holds


def _wrong_where(sign: int) -> Callable[[Seen], bool]:
    """Wrong somewhere sign * x < 0, and right where it tells: far from 0 a sigmoid is 0 or 1 whatever the
    formula, so right there alone shows nothing."""
    def shows(seen: Seen) -> bool:
        sides = _sides(seen, sign)
        if sides is None:
            return False
        right, kept, other, x = sides
        return bool((kept & (np.abs(x) < SATURATED) & (x != 0)).any() and not right[other].all())

    return shows


def _is_the_input(seen: Seen) -> bool:
    x = np.asarray(seen.case.get("x", ()), dtype=float)
    return close(seen.got, x)


def _transposed(seen: Seen) -> bool:
    return seen.got.ndim == 2 and close(seen.got, seen.expected.T)


def _another_output(seen: Seen) -> bool:
    return any(close(seen.got, value) for key, value in seen.others.items() if key != seen.key)


def _unchanged(seen: Seen) -> bool:
    before = seen.before
    return before is not None and close(seen.got, before)


def _set_to_the_step(seen: Seen) -> bool:
    before = seen.before
    if before is None or before.shape != seen.got.shape:
        return False
    step = seen.expected - before
    return close(seen.got, step) or close(seen.got, -step)


def _x(seen: Seen) -> np.ndarray | None:
    """x, when the observation is computed entry by entry from it (an activation), else None."""
    x = np.asarray(seen.case.get("x", ()), dtype=float)
    return x if seen.elementwise and x.shape == seen.got.shape == seen.expected.shape else None


def _keeps_the_other_part(seen: Seen) -> bool:
    x = _x(seen)  # all zeros is a degenerate answer (x - relu(x) for x > 0, say), not evidence
    return x is not None and bool(np.any(seen.got)) and close(seen.got, x - seen.expected)


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(x / 2))  # the same function; never the exercise's own line (students receive this file)


# Well-known functions of x, each the right result somewhere in this course (or a chapter beside it).
FUNCTIONS = {
    "tanh": (np.tanh, "tanh(x)"),
    "sigmoid": (_sigmoid, "the sigmoid 1 / (1 + exp(-x))"),
    "relu": (lambda x: np.maximum(0.0, x), "ReLU's max(0, x)"),
    "relu_derivative": (lambda x: np.where(x > 0, 1.0, 0.0), "ReLU's derivative (1 where x > 0, else 0)"),
    "sigmoid_derivative": (lambda x: _sigmoid(x) * (1 - _sigmoid(x)), "the sigmoid's derivative s * (1 - s)"),
    "tanh_derivative": (lambda x: 1 - np.tanh(x) ** 2, "tanh's derivative 1 - tanh(x)**2"),
}


def _is_function(name: str) -> Callable[[Seen], bool]:
    def holds(seen: Seen) -> bool:
        x = _x(seen)  # all zeros is a degenerate answer (ReLU of x <= 0, say), not evidence
        return x is not None and bool(np.any(seen.got)) and close(seen.got, FUNCTIONS[name][0](x))

    return holds


# Derivatives written through the activation's output s: (the right form, the form with the sign inside
# flipped, the factors of the right form).
DERIVATIVE_FORMS = [
    (lambda s: s * (1 - s), lambda s: s * (1 + s), (lambda s: s, lambda s: 1 - s), _sigmoid),
    (lambda s: 1 - s ** 2, lambda s: 1 + s ** 2, (lambda s: 1 - s, lambda s: 1 + s), np.tanh),
]


def _derivative_forms(seen: Seen):
    """(s, its derivative's forms) for the activation whose derivative this observation is, or None."""
    x = _x(seen)
    if x is None:
        return None
    for right, flipped, factors, activation in DERIVATIVE_FORMS:
        s = activation(x)
        if close(seen.expected, right(s)):
            return s, flipped, factors
    return None


def _derivative_sign_inside(seen: Seen) -> bool:
    found = _derivative_forms(seen)
    return found is not None and close(seen.got, found[1](found[0]))


def _derivative_factor_missing(seen: Seen) -> bool:
    found = _derivative_forms(seen)
    return found is not None and any(close(seen.got, factor(found[0])) for factor in found[2])


def _term_sign_flipped(seen: Seen) -> bool:
    """A layer's output (the checks' test activation) computed from z = x @ weights + bias with one term's sign
    flipped: x @ weights - bias, or bias - x @ weights."""
    try:
        x, weights, bias = (np.asarray(seen.case[k], dtype=float) for k in ("x", "weights", "bias"))
        product = x @ weights
    except (KeyError, ValueError):
        return False
    f = CubicActivation.forward
    if product.shape != seen.expected.shape or not close(seen.expected, f(product + bias)):
        return False
    return close(seen.got, f(product - bias)) or close(seen.got, f(bias - product))


def _summed_over_wrong_axis(seen: Seen) -> bool:
    """A sum over the batch (shape (1, out)) taken over the features, or over everything: the same total, one
    entry per row (or one in all) instead of one per column."""
    got, expected, batch = seen.got, seen.expected, seen.batch
    if seen.elementwise or expected.ndim != 2 or expected.shape[0] != 1 or batch < 2 and expected.shape[1] < 2:
        return False
    if got.shape == expected.shape or got.size not in (1, batch) or not np.all(np.isfinite(got)):
        return False
    if got.size == expected.size and close(got.ravel(), expected.ravel()):
        return False  # the right values in another shape: not a wrong axis
    return bool(np.isclose(got.sum(), expected.sum(), rtol=RTOL, atol=ATOL))


def _batch(seen: Seen) -> float:
    return float(seen.batch)


def _inverse(factor):
    def inverse(seen: Seen) -> float | None:
        c = factor(seen)
        return None if not c else 1.0 / c

    return inverse


def _learning_rate(seen: Seen) -> float | None:
    return seen.learning_rate


STEP, FACTOR, FUNCTION = "a factor in a step", "a factor", "another function"

# Most specific first: the first relation that holds is the one named (unless a rival holds too).
# The opposite step is a catalogued mistake (gradient ascent).
RELATIONS = [
    # parameter updates: the step taken against the right step
    Relation("unchanged", "{what} never changed: that update is missing, or the loop never reaches that layer.",
             _unchanged, updates=True),
    Relation("step_without_learning_rate", "{what} changed by the gradient itself: the learning rate is missing "
             "from that update (-= learning_rate * gradient).", _step_scaled(_inverse(_learning_rate)),
             group=STEP, updates=True),
    Relation("step_learning_rate_twice", "{what} changed by learning_rate times the right step: the learning "
             "rate is applied twice.", _step_scaled(_learning_rate), group=STEP, updates=True),
    Relation("step_times_2", "{what} changed by twice the right step: a factor 2 too many in that update.",
             _step_scaled(lambda s: 2.0), group=STEP, updates=True),
    Relation("step_halved", "{what} changed by half the right step: a stray factor 1/2 in that update.",
             _step_scaled(lambda s: 0.5), group=STEP, updates=True),
    Relation("step_divided_by_batch", "{what} changed by the right step divided by the batch size: the "
             "gradients already carry the 1/n of the loss; do not divide again.", _step_scaled(_inverse(_batch)),
             group=STEP, updates=True),
    Relation("step_times_batch", "{what} changed by the right step times the batch size.", _step_scaled(_batch),
             group=STEP, updates=True),
    Relation("set_to_the_step", "{what} was set to the step alone: keep the old value and subtract the step "
             "from it (-=), do not assign it (=).", _set_to_the_step, updates=True),
    # values
    Relation("is_the_input", "{what} returned its input x unchanged: the result is never computed "
             "(or x is returned in its place).", _is_the_input),
    Relation("swapped", "{what} holds what another of the results should: they are returned (or "
             "assigned) in the wrong order.", _another_output),
    Relation("negated", "{what} has the right size but the opposite sign everywhere: a minus sign too many "
             "(or one missing) in the formula.", _scaled(lambda s: -1.0)),
    Relation("transposed", "{what} is the right result transposed: check the order of a matrix product "
             "and any .T.", _transposed),
    Relation("times_2", "{what} is twice the right value: a stray factor 2.", _scaled(lambda s: 2.0), group=FACTOR),
    Relation("halved", "{what} is half the right value: a stray factor 1/2.", _scaled(lambda s: 0.5), group=FACTOR),
    Relation("divided_by_batch", "{what} is the right value divided by the batch size (the number of "
             "rows): do not divide by it here.", _scaled(_inverse(_batch)), group=FACTOR),
    Relation("times_batch", "{what} is the right value times the batch size (the number of rows).",
             _scaled(_batch), group=FACTOR),
    Relation("times_learning_rate", "{what} is the right value times the learning rate.",
             _scaled(_learning_rate), group=FACTOR),
    Relation("wrong_where_negative", "{what} is right where x > 0 and wrong wherever x < 0: look at what your "
             "formula gives for negative inputs.", _right_except_where(+1), shows=_wrong_where(+1)),
    Relation("wrong_where_positive", "{what} is right where x < 0 and wrong wherever x > 0: look at what your "
             "formula gives for positive inputs.", _right_except_where(-1), shows=_wrong_where(-1)),
    Relation("keeps_the_other_part", "{what} is x minus the right value: it keeps the part of x it should drop; "
             "check which way the comparison (or max/min) goes.", _keeps_the_other_part),
    *(Relation(f"is_{name}", f"{{what}} is {text}: another function's formula where this one's belongs.",
               _is_function(name), group=FUNCTION) for name, (_, text) in FUNCTIONS.items()),
    Relation("derivative_sign_inside", "{what} is the derivative's formula with the sign inside flipped: "
             "s * (1 + s) for s * (1 - s) (or 1 + s**2 for 1 - s**2), with s the activation's output.",
             _derivative_sign_inside),
    Relation("derivative_factor_missing", "{what} is one factor of the derivative without the other: with s "
             "the activation's output, the derivative is s * (1 - s), both factors.", _derivative_factor_missing),
    Relation("term_sign_flipped", "{what} is what z with one term's sign flipped gives (x @ weights - bias, or "
             "bias - x @ weights): z = x @ weights + bias, both terms added.", _term_sign_flipped),
    Relation("summed_over_wrong_axis", "{what} is summed over the wrong axis (the same total, the wrong shape): "
             "sum over the batch, axis=0 with keepdims=True, one entry per output unit.", _summed_over_wrong_axis),
]
BY_NAME = {relation.name: relation for relation in RELATIONS}

CALLS_REVERSED = "the layers are called in reverse order: forward runs layers[0] first, backward the last layer first."
CALLS_MISSING = "{which} never called: the loop over self.layers must visit every layer."


def describe(name: str, labels) -> str:
    """The text of relation ``name`` seen in the observations with these labels."""
    return BY_NAME[name].text.format(what=", ".join(labels))


def holding(seen_in_each_case: list[Seen]) -> list[Relation]:
    """The relations that explain the results in every case and show in one, most specific first."""
    if not seen_in_each_case:
        return []
    updates = seen_in_each_case[0].before is not None
    with np.errstate(all="ignore"):
        return [relation for relation in RELATIONS if relation.updates == updates
                and all(relation.holds(seen) for seen in seen_in_each_case)
                and any(relation.shows(seen) for seen in seen_in_each_case)]


def relation_of(seen_in_each_case: list[Seen]) -> Relation | None:
    """The first relation that holds, or None when none does or a rival of its group does too."""
    found = holding(seen_in_each_case)
    if not found or (found[0].group and any(r.group == found[0].group for r in found[1:])):
        return None
    return found[0]


def calls_relation(got: list[np.ndarray], expected: list[np.ndarray]) -> str:
    """What is wrong with the order a network called its layers in, the same in every case, or ''."""
    texts = set()
    for g, e in zip(got, expected):
        if np.array_equal(g, e):
            continue
        if len(e) > 1 and np.array_equal(g, e[::-1]):
            texts.add(CALLS_REVERSED)
            continue
        missing = sorted(set(np.abs(e).astype(int)) - set(np.abs(g).astype(int)))
        if missing and np.array_equal(g, e[~np.isin(np.abs(e), missing)]):
            last = int(np.abs(e).max())
            names = ["the last layer" if i == last else f"layers[{i - 1}]" for i in missing]
            texts.add(CALLS_MISSING.format(which=" and ".join(names) + (" are" if len(names) > 1 else " is")))
            continue
        return ""
    return texts.pop() if len(texts) == 1 else ""
