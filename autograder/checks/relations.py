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
total is the same, its shape is not). Formula errors of a general kind are named
by what they do: wrong on one side of some point of the input (a threshold moved),
the right value plus a constant, its reciprocal (lost brackets), the right
function at -x or 2x, a derivative's factor written twice or its s made by
another function, a layer's bias multiplying, grad_z made with + for *. Each
:class:`Relation` tests one of these on plain arrays (the inputs, the student's
observation, the reference's) and says what it found in words, never quoting a
value, so hidden checks can use it too.

Two more look beyond one observation: an activation's backward that is exactly
the derivative through the student's own, wrong, forward (:func:`follows_forward`:
the mistake is in forward), and a matrix product whose shapes do not fit, named by
the one change to the student's line that makes them fit (:func:`matmul_fix`).

A relation is named only when it holds on every input case of the check and
no rival of its ``group`` does (on a batch of 2, "times 2" and "times the batch
size" cannot be told apart: neither is named).
"""

from __future__ import annotations

import ast
import copy
import re
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


def _right_function(seen: Seen):
    """(f, x): the one well-known function of x (:data:`FUNCTIONS`) the right result is, or None."""
    x = _x(seen)
    if x is None:
        return None
    found = [f for f, _ in FUNCTIONS.values() if close(seen.expected, f(x))]
    return (found[0], x) if len(found) == 1 else None


def _at_minus_x(seen: Seen) -> bool:
    found = _right_function(seen)
    return found is not None and bool(np.any(seen.got)) and close(seen.got, found[0](-found[1]))


def _at_scaled_x(seen: Seen) -> bool:
    """The right function of 2x or x/2, when that is not simply 2 (or 1/2) times the right value."""
    found = _right_function(seen)
    if found is None or not np.any(seen.got):
        return False
    f, x = found
    return any(close(seen.got, f(c * x)) and not close(seen.got, c * seen.expected) for c in (2.0, 0.5))


def _offset(seen: Seen) -> bool:
    """The right value plus one constant, the same for every entry (a stray term: + 1, - 0.5)."""
    got, expected = seen.got, seen.expected
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return False
    difference = got - expected
    return bool(np.allclose(difference, difference.flat[0], rtol=0, atol=ATOL + RTOL * np.abs(expected).max()))


def _shows_offset(seen: Seen) -> bool:
    """Wrong, in a case with several different right values (one value plus a constant is any value)."""
    return not close(seen.got, seen.expected) and seen.expected.size >= 2 and np.ptp(seen.expected) > 1e-6


def _reciprocal(seen: Seen) -> bool:
    got, expected = seen.got, seen.expected
    return got.shape == expected.shape and bool(np.all(expected != 0)) and close(got * expected, np.ones_like(got))


def _shows_reciprocal(seen: Seen) -> bool:
    return not close(seen.got, seen.expected) and bool(np.any(np.abs(np.abs(seen.expected) - 1) > 1e-6))


def _split(sign: int) -> Callable[[Seen], bool]:
    """Wrong for every input below some value and right above it (sign +1), or the other way round (-1):
    right and wrong entries separated by a point of the input, saturated right entries set aside."""
    def holds(seen: Seen) -> bool:
        x = _x(seen)
        if x is None:
            return False
        if not np.all(np.isfinite(seen.got)):
            return False  # an overflow, not a formula wrong on one side
        right = np.isclose(seen.got, seen.expected, rtol=RTOL, atol=ATOL)
        telling = right & (np.abs(x) < SATURATED) & (np.abs(x) >= NEAR_ZERO)  # formulas often agree at 0
        if right.all() or not right.any():  # one side only: any point beyond these inputs splits them
            return True
        if not telling.any():
            return False
        return bool((sign * x)[~right].max() < (sign * x)[telling].min())

    return holds


def _shows_split(seen: Seen) -> bool:
    x = _x(seen)
    if x is None:
        return False
    right = np.isclose(seen.got, seen.expected, rtol=RTOL, atol=ATOL)  # all zeros is a degenerate answer
    telling = right & (np.abs(x) < SATURATED) & (np.abs(x) >= NEAR_ZERO)
    return bool(np.any(seen.got) and (~right).any() and telling.any())


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


def _derivative_of_another_s(seen: Seen) -> bool:
    """The derivative's formula right, but s another function of x than the activation (tanh, ReLU, x
    itself): s * (1 - s) with s = np.tanh(x), say."""
    x = _x(seen)
    if x is None or not np.any(seen.got):
        return False
    for right, _, _, activation in DERIVATIVE_FORMS:
        if close(seen.expected, right(activation(x))):
            others = [f for f, _ in FUNCTIONS.values()] + [lambda v: v]
            return any(close(seen.got, right(f(x))) for f in others if not close(f(x), activation(x)))
    return False


def _derivative_factor_repeated(seen: Seen) -> bool:
    """One factor of the derivative written twice: s * s, or (1 - s) * (1 - s), for s * (1 - s)."""
    found = _derivative_forms(seen)
    return found is not None and any(close(seen.got, factor(found[0]) ** 2) for factor in found[2])


def _layer(seen: Seen):
    """(x, weights, bias, grad_output or None, z) of a Layer check's case, or None."""
    try:
        x, weights, bias = (np.asarray(seen.case[k], dtype=float) for k in ("x", "weights", "bias"))
        z = x @ weights + bias
    except (KeyError, ValueError):
        return None
    grad_output = seen.case.get("grad_output", seen.case.get("probe"))
    return x, weights, bias, None if grad_output is None else np.asarray(grad_output, dtype=float), z


def _layer_output_from(seen: Seen, alternatives) -> bool:
    """A layer's output (the checks' test activation) computed from z with x @ weights and the bias combined
    otherwise than added: ``alternatives(product, bias)`` -> the z each way gives."""
    parts = _layer(seen)
    if parts is None:
        return False
    x, weights, bias, _, z = parts
    f, product = CubicActivation.forward, x @ weights
    if product.shape != seen.expected.shape or not close(seen.expected, f(z)):
        return False
    return any(close(seen.got, f(other)) for other in alternatives(product, bias))


def _term_sign_flipped(seen: Seen) -> bool:
    """One term's sign flipped: x @ weights - bias, or bias - x @ weights."""
    return _layer_output_from(seen, lambda product, bias: [product - bias, bias - product])


def _bias_not_added(seen: Seen) -> bool:
    """The bias multiplying (or dividing) x @ weights instead of added."""
    return seen.key == "out" and _layer_output_from(
        seen, lambda product, bias: [product * bias] + ([product / bias] if np.all(bias != 0) else []))


GRADIENT_KEYS = {"grad_input": "input", "grad_x": "input", "grad_weights": "weights", "grad_bias": "bias"}


def _from_grad_z(grad_z: np.ndarray, key: str, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """What Layer.backward returns as ``key`` from this grad_z, every other step right."""
    return {"input": lambda: grad_z @ weights.T, "weights": lambda: x.T @ grad_z,
            "bias": lambda: grad_z.sum(axis=0, keepdims=True)}[GRADIENT_KEYS[key]]()


def _grad_z_combined_wrong(seen: Seen) -> bool:
    """Layer.backward's grad_z made from grad_output and the activation's derivative by another operation
    than the product (+, -, /), every later step right."""
    parts = _layer(seen)
    if parts is None or seen.key not in GRADIENT_KEYS or parts[3] is None:
        return False
    x, weights, _, grad_output, z = parts
    derivative = CubicActivation.backward(z)
    if grad_output.shape != z.shape or not close(seen.expected, _from_grad_z(grad_output * derivative, seen.key,
                                                                                  x, weights)):
        return False
    return any(close(seen.got, _from_grad_z(grad_z, seen.key, x, weights))
               for grad_z in (grad_output + derivative, grad_output - derivative, grad_output / derivative))


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


def _not_summed(seen: Seen) -> bool:
    """A sum over the batch (shape (1, out)) not taken: one row per example, whose sum is the right one."""
    got, expected = seen.got, seen.expected
    if seen.elementwise or expected.ndim != 2 or expected.shape[0] != 1 or got.ndim != 2 or got.shape[0] < 2:
        return False
    return got.shape[1] == expected.shape[1] and close(got.sum(axis=0, keepdims=True), expected)


def _right_values_other_shape(seen: Seen) -> bool:
    """Every value right, in the right order, in an array of another shape (flattened, or an axis lost)."""
    got, expected = seen.got, seen.expected
    return got.shape != expected.shape and got.size == expected.size > 1 and close(got.ravel(), expected.ravel())


def _layer_gradient_from(seen: Seen, alternatives) -> bool:
    """A Layer.backward result computed by its right formula with one array replaced: ``alternatives(parts,
    grad_z)`` -> the arrays the observation would then be, for the observation keys it applies to."""
    parts = _layer(seen)
    if parts is None or seen.key not in GRADIENT_KEYS or parts[3] is None:
        return False
    x, weights, _, grad_output, z = parts
    if grad_output.shape != z.shape:
        return False
    grad_z = grad_output * CubicActivation.backward(z)
    if not close(seen.expected, _from_grad_z(grad_z, seen.key, x, weights)):
        return False
    return any(close(seen.got, value) for value in alternatives(GRADIENT_KEYS[seen.key], x, weights, z, grad_z))


def _weights_gradient_from_another_array(seen: Seen) -> bool:
    return _layer_gradient_from(seen, lambda kind, x, weights, z, grad_z: (
        [z.T @ grad_z, CubicActivation.forward(z).T @ grad_z] if kind == "weights" else []))


def _input_gradient_through_another_matrix(seen: Seen) -> bool:
    return _layer_gradient_from(seen, lambda kind, x, weights, z, grad_z: (
        [grad_z @ (x.T @ grad_z).T] if kind == "input" else []))


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
    Relation("wrong_below_a_point", "{what} is wrong for every input below some point and right above it "
             "(the point is not 0): look at what your formula gives there (its threshold, or the value it takes).",
             _split(+1), shows=_shows_split),
    Relation("wrong_above_a_point", "{what} is wrong for every input above some point and right below it "
             "(the point is not 0): look at what your formula gives there (its threshold, or the value it takes).",
             _split(-1), shows=_shows_split),
    Relation("offset", "{what} is the right value plus the same constant in every entry: a stray term added "
             "or subtracted (+ 1, - 1/2) in the formula.", _offset, shows=_shows_offset),
    Relation("reciprocal", "{what} is 1 divided by the right value: the fraction is upside down, or its "
             "denominator lost its brackets (1 / (1 + e) is not 1 / 1 + e).", _reciprocal, shows=_shows_reciprocal),
    Relation("at_minus_x", "{what} is the right function evaluated at -x instead of x: a minus sign on the input "
             "too many (or one missing).", _at_minus_x),
    Relation("at_scaled_x", "{what} is the right function evaluated at a multiple of x (2x or x/2): a stray "
             "factor on the input, inside the function.", _at_scaled_x),
    Relation("keeps_the_other_part", "{what} is x minus the right value: it keeps the part of x it should drop; "
             "check which way the comparison (or max/min) goes.", _keeps_the_other_part),
    *(Relation(f"is_{name}", f"{{what}} has the values of {text}, not this method's: check which function your "
               "formula computes.",
               _is_function(name), group=FUNCTION) for name, (_, text) in FUNCTIONS.items()),
    Relation("derivative_sign_inside", "{what} is the derivative's formula with the sign inside flipped: "
             "s * (1 + s) for s * (1 - s) (or 1 + s**2 for 1 - s**2), with s the activation's output.",
             _derivative_sign_inside),
    Relation("derivative_factor_missing", "{what} is one factor of the derivative without the other: with s "
             "the activation's output, the derivative is s * (1 - s), both factors.", _derivative_factor_missing),
    Relation("derivative_of_another_s", "{what} is the derivative's formula with s computed by another function "
             "(tanh, ReLU or x itself): s must be this activation's own output, s = sigmoid(x).",
             _derivative_of_another_s),
    Relation("derivative_factor_repeated", "{what} repeats one factor of the derivative: with s the activation's "
             "output, the derivative is s * (1 - s), one factor of each (not s * s).", _derivative_factor_repeated),
    Relation("bias_not_added", "{what} is what z gives with the bias multiplying (or dividing) x @ weights: "
             "z = x @ weights + bias, the bias added.", _bias_not_added),
    Relation("grad_z_combined_wrong", "{what} follows from grad_z = grad_output combined with the activation's "
             "derivative by + (or - or /): grad_z = grad_output * activation.backward(z), a product entry by entry.",
             _grad_z_combined_wrong),
    Relation("term_sign_flipped", "{what} is what z with one term's sign flipped gives (x @ weights - bias, or "
             "bias - x @ weights): z = x @ weights + bias, both terms added.", _term_sign_flipped),
    Relation("summed_over_wrong_axis", "{what} is summed over the wrong axis (the same total, the wrong shape): "
             "sum over the batch, axis=0 with keepdims=True, one entry per output unit.", _summed_over_wrong_axis),
    Relation("not_summed", "{what} has one row per example: it is never summed over the batch (sum over axis 0 "
             "with keepdims=True).", _not_summed),
    Relation("right_values_other_shape", "{what} holds the right values in another shape: keep the axes the "
             "result should have (keepdims=True; no .flatten(), .ravel() or reshape).", _right_values_other_shape),
    Relation("weights_gradient_from_another_array", "{what} is computed from another of the layer's arrays (z, "
             "or the output f(z)) where its input x belongs: grad_weights = input.T @ grad_z.",
             _weights_gradient_from_another_array),
    Relation("input_gradient_through_another_matrix", "{what} goes through grad_weights where the weights "
             "belong: grad_input = grad_z @ self.weights.T.", _input_gradient_through_another_matrix),
]
BY_NAME = {relation.name: relation for relation in RELATIONS}

CALLS_REVERSED = "the layers are called in reverse order: forward runs layers[0] first, backward the last layer first."
CALLS_MISSING = "{which} never called: the loop over self.layers must visit every layer."
CALLS_REPEATED = "{which} called more than once: the loop over self.layers must visit each layer once."


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
        last = int(np.abs(e).max()) if len(e) else 0
        missing = sorted(set(np.abs(e).astype(int)) - set(np.abs(g).astype(int)))
        if missing and np.array_equal(g, e[~np.isin(np.abs(e), missing)]):
            names = ["the last layer" if i == last else f"layers[{i - 1}]" for i in missing]
            texts.add(CALLS_MISSING.format(which=" and ".join(names) + (" are" if len(names) > 1 else " is")))
            continue
        repeated = sorted({int(abs(c)) for c in g if list(g).count(c) > 1})
        first_calls = [c for i, c in enumerate(g) if c not in g[:i]]
        if repeated and len(g) > len(e) and np.array_equal(first_calls, e):
            names = ["the last layer" if i == last else f"layers[{i - 1}]" for i in repeated]
            texts.add(CALLS_REPEATED.format(which=" and ".join(names) + (" are" if len(names) > 1 else " is")))
            continue
        return ""
    return texts.pop() if len(texts) == 1 else ""


# --- a backward right for the student's own forward -----------------------------------------------------

FOLLOWS_FORWARD = ("{backward} is the right derivative for the s that your {forward} gives {where}, "
                   "and {forward}'s checks fail: the mistake is in {forward} (backward gets s from it); fix "
                   "forward and this check follows.")


def follows_forward(x: list[np.ndarray], backward: list[np.ndarray], forward: list[np.ndarray],
                    expected: list[np.ndarray]) -> bool:
    """Whether, in every case, the student's backward(x) is the derivative computed through the student's own
    forward(x), that forward is wrong somewhere, and the backward result wrong where it is."""
    with np.errstate(all="ignore"):
        for derivative, _, _, activation in DERIVATIVE_FORMS:  # the derivative through the output s
            if not all(close(e, derivative(activation(np.asarray(v, dtype=float)))) for v, e in zip(x, expected)):
                continue
            return all(f.shape == b.shape and bool(np.allclose(b, derivative(f), rtol=RTOL, atol=ATOL, equal_nan=True))
                       for b, f in zip(backward, forward)) and \
                any(not close(f, activation(np.asarray(v, dtype=float))) for v, f in zip(x, forward)) and \
                any(not close(b, e) for b, e in zip(backward, expected))
    return False


# --- a matrix product whose shapes do not fit -------------------------------------------------------------

ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def _fits(a: tuple, b: tuple) -> bool:
    """Whether numpy broadcasts these shapes together."""
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _fits_in(a: tuple, b: tuple) -> bool:
    """Whether these shapes broadcast into one of them (a bias row onto a batch), not into a larger array
    (a column times a row): only the first is a layer's formula."""
    return _fits(a, b) and np.broadcast_shapes(a, b) in (tuple(a), tuple(b))


MATMUL_DETAIL = re.compile(r"a's last axis has length (\d+), b's first axis length (\d+)")


def _known_shapes(case: dict) -> dict[str, tuple]:
    """The shapes of what a Layer method sees, by the names the exercise gives them."""
    try:
        x, weights, bias = (np.shape(case[k]) for k in ("x", "weights", "bias"))
    except KeyError:
        return {}
    z = (x[0], weights[-1]) if len(x) == 2 and len(weights) == 2 else None
    shapes = {"x": x, "self.input": x, "self.weights": weights, "self.bias": bias,
              "self.activation_input": z, "self.output": z}
    grad_output = case.get("grad_output", case.get("probe"))
    if grad_output is not None:
        shapes["grad_output"] = np.shape(grad_output)
    return {name: shape for name, shape in shapes.items() if shape is not None and len(shape) == 2}


def _shape(node: ast.AST, known: dict[str, tuple]) -> tuple | None:
    """The shape of an operand the exercise names (x, self.weights, ...), transposed (.T, np.transpose) or
    passed through the activation (self.activation.forward(z) has z's shape); None for anything else."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        inner = _shape(node.value, known)
        return None if inner is None else inner[::-1]
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        name = ast.unparse(node.func)
        if name in ("np.transpose", "numpy.transpose"):
            inner = _shape(node.args[0], known)
            return None if inner is None else inner[::-1]
        if name in ("self.activation.forward", "self.activation.backward"):
            return _shape(node.args[0], known)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, *ELEMENTWISE)):
        left, right = _shape(node.left, known), _shape(node.right, known)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.MatMult):
            return (left[0], right[-1]) if len(left) == len(right) == 2 and left[-1] == right[0] else None
        return np.broadcast_shapes(left, right) if _fits(left, right) else None
    return known.get(ast.unparse(node))


def _named(node: ast.AST) -> bool:
    """An operand a .T could be added to or dropped from as the fix: a name or attribute (x, self.weights.T),
    not an expression computed on the line."""
    return isinstance(node, (ast.Name, ast.Attribute))


def _unknowable(node: ast.AST, known: dict[str, tuple]) -> bool:
    """An operand whose shape nothing here tells, and that is not a plain name either (a call, an expression):
    what it is meant to be is anyone's guess, so no change to the other operand is named."""
    return _shape(node, known) is None and not isinstance(node, (ast.Name, ast.Attribute))


MATMUL_ORDER = "the operands of the matrix product are in the wrong order: `{fix}` fits."
TIMES_FOR_MATMUL = "the matrix product (@, np.dot) is not entry by entry; `*` is: `{fix}` fits."
MATMUL_TRANSPOSE = "a .T {which} on {operand}: `{fix}` fits."


def _t_wrong(operand: str, fix: str) -> str:
    if operand.endswith(".T"):
        return MATMUL_TRANSPOSE.format(which="too many", operand=operand.removesuffix(".T"), fix=fix)
    return MATMUL_TRANSPOSE.format(which="missing", operand=operand, fix=fix)


def _fixes(product: ast.BinOp, a_last: int, b_first: int, known: dict[str, tuple]) -> list[tuple[str, ast.AST]]:
    """How this product, if it is the one that failed, fits with one change: its operands swapped, or one
    of them transposed (only what the known shapes show); each as (text, the product changed)."""
    left, right = _shape(product.left, known), _shape(product.right, known)
    if _unknowable(product.left, known) or _unknowable(product.right, known):
        return []
    if (left is None and right is None) or (left is not None and left[-1] != a_last) or \
            (right is not None and right[0] != b_first):
        return []  # not this product: its shapes do not give the error's lengths
    fixes = []
    if left is not None and right is not None and right[-1] == left[0]:
        swapped = ast.BinOp(product.right, ast.MatMult(), product.left)
        fixes.append((MATMUL_ORDER.format(fix=ast.unparse(swapped)), swapped))
    if left is not None and left == right:  # same shapes: entry by entry fits too, and nothing tells which
        times = ast.BinOp(product.left, ast.Mult(), product.right)
        fixes.append((TIMES_FOR_MATMUL.format(fix=ast.unparse(times)), times))
    if left is not None and _named(product.left) and left[0] == b_first:
        changed = ast.BinOp(_t_toggled(product.left), ast.MatMult(), product.right)
        fixes.append((_t_wrong(ast.unparse(product.left), ast.unparse(changed)), changed))
    if right is not None and _named(product.right) and right[-1] == a_last:
        changed = ast.BinOp(product.left, ast.MatMult(), _t_toggled(product.right))
        fixes.append((_t_wrong(ast.unparse(product.right), ast.unparse(changed)), changed))
    return fixes


def _parsed(line: str) -> ast.AST | None:
    """The student's source line as a syntax tree (a compound statement's header completed), products and
    entry-by-entry operations written as numpy calls (np.dot(a, b), a.dot(b), np.multiply(a, b)) turned into
    operators, or None."""
    text = line.strip()
    if not text or len(text) > 1000:
        return None
    try:
        return _AsOperators().visit(ast.parse(text + " pass" if text.endswith(":") else text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


NUMPY_OPERATORS = {"dot": ast.MatMult, "matmul": ast.MatMult, "multiply": ast.Mult, "add": ast.Add,
                   "subtract": ast.Sub, "divide": ast.Div, "true_divide": ast.Div}


class _AsOperators(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        node = self.generic_visit(node)
        if node.keywords or not isinstance(node.func, ast.Attribute):
            return node
        name, owner = node.func.attr, ast.unparse(node.func.value)
        if owner in ("np", "numpy") and name in NUMPY_OPERATORS and len(node.args) == 2:
            return ast.BinOp(node.args[0], NUMPY_OPERATORS[name](), node.args[1])
        if name == "dot" and len(node.args) == 1 and owner not in ("np", "numpy"):  # a.dot(b)
            return ast.BinOp(node.func.value, ast.MatMult(), node.args[0])
        return node


def _replaced(tree: ast.AST, old: ast.AST, new: ast.AST) -> ast.AST:
    """A copy of ``tree`` with the node ``old`` (by identity) replaced by ``new``."""
    class Replace(ast.NodeTransformer):
        def visit(self, node):
            return new if node is old else super().visit(node)

    return Replace().visit(copy.deepcopy(tree, memo={id(old): old, id(new): new}))


def _whole_line_fits(tree: ast.AST, known: dict[str, tuple]) -> bool:
    """Whether every product and operation of the line whose operands' shapes are known fits, and the value
    has the shape of the known array it is assigned to."""
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, *ELEMENTWISE)):
            if _shape(node.left, known) is not None and _shape(node.right, known) is not None and \
                    _shape(node, known) is None:
                return False
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = known.get(ast.unparse(node.targets[0])), _shape(node.value, known)
            if target is not None and value is not None and tuple(value) != tuple(target):
                return False
    return True


def _one_fix(tree: ast.AST, candidates_by_case) -> str:
    """The one fix text every case agrees on, among candidates that make the whole line fit, or ''."""
    texts = set()
    for known, candidates in candidates_by_case:
        for node, fixes in candidates:
            texts |= {text for text, changed in fixes if _whole_line_fits(_replaced(tree, node, changed), known)}
    return texts.pop() if len(texts) == 1 else ""


def matmul_fix(line: str, detail: str, cases: list[dict]) -> str:
    """For a matrix product at ``line`` whose shapes did not fit (numpy's text in ``detail``), the one change
    that makes them fit in every case where the line's known operands give the error's lengths (and leaves
    the rest of the line fitting), in words, or ''. Only the student's own code is quoted: no shape or value
    of a hidden input."""
    found = MATMUL_DETAIL.search(detail)
    tree = _parsed(line) if found else None
    if tree is None:
        return ""
    a_last, b_first = int(found.group(1)), int(found.group(2))
    products = [node for node in ast.walk(tree) if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)]
    by_case = []
    for case in cases:
        known = _known_shapes(case)
        by_case.append((known, [(product, _fixes(product, a_last, b_first, known)) for product in products]))
    return _one_fix(tree, by_case)


BROADCAST_DETAIL = re.compile(r"operands could not be broadcast together with shapes ((?:\([\d, ]*\) ?){2,})")
MATMUL_FOR_TIMES = "`*` multiplies entry by entry; the matrix product is `@`: `{fix}` fits."


def _broadcast_fixes(operation: ast.BinOp, shapes: list[tuple], known: dict[str, tuple]) -> list[tuple[str, ast.AST]]:
    """How this operation, if it is the one that failed, fits with one change (`@` for `*`, a .T added or
    removed). An operand named but of no known shape has the one numpy reported for it."""
    left, right = _shape(operation.left, known), _shape(operation.right, known)
    if left is None and right is None:
        return []
    left = left if left is not None else (shapes[0] if _named(operation.left) else None)
    right = right if right is not None else (shapes[1] if _named(operation.right) else None)
    if left is None or right is None or [tuple(left), tuple(right)] != shapes[:2]:
        return []  # not this operation: its shapes are not the error's
    fixes = []
    if isinstance(operation.op, ast.Mult) and len(left) == len(right) == 2 and left[-1] == right[0]:
        product = ast.BinOp(operation.left, ast.MatMult(), operation.right)
        fixes.append((MATMUL_FOR_TIMES.format(fix=ast.unparse(product)), product))
    if len(left) == 2 and _named(operation.left) and _fits_in(left[::-1], right):
        changed = ast.BinOp(_t_toggled(operation.left), operation.op, operation.right)
        fixes.append((_t_wrong(ast.unparse(operation.left), ast.unparse(changed)), changed))
    if len(right) == 2 and _named(operation.right) and _fits_in(left, right[::-1]):
        changed = ast.BinOp(operation.left, operation.op, _t_toggled(operation.right))
        fixes.append((_t_wrong(ast.unparse(operation.right), ast.unparse(changed)), changed))
    return fixes


def broadcast_fix(line: str, detail: str, cases: list[dict]) -> str:
    """For an entry-by-entry operation at ``line`` whose shapes numpy could not broadcast (its text in
    ``detail``), the one change that makes them fit in every case where the line's operands give the
    error's shapes (and leaves the rest of the line fitting): `@` for `*`, or a .T added or removed; in
    words, or ''."""
    found = BROADCAST_DETAIL.search(detail)
    tree = _parsed(line) if found else None
    if tree is None:
        return ""
    shapes = [tuple(int(n) for n in group.split(",") if n.strip())
              for group in re.findall(r"\(([\d, ]*)\)", found.group(1))]
    operations = [node for node in ast.walk(tree) if isinstance(node, ast.BinOp) and isinstance(node.op, ELEMENTWISE)]
    by_case = []
    for case in cases:
        known = _known_shapes(case)
        by_case.append((known, [(operation, _broadcast_fixes(operation, shapes, known)) for operation in operations]))
    return _one_fix(tree, by_case)


def _t_toggled(node: ast.AST) -> ast.AST:
    """The operand with a .T added, or its .T removed."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        return node.value
    return ast.Attribute(node, "T", ast.Load())
