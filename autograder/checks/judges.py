"""Judges: compare a submission's observations with the reference's, and explain.

A judge never runs student code. It gets plain float arrays (what the student's
code produced, what the reference produced on the same inputs, and the inputs)
and either returns quietly or raises :class:`Failure` with a message written for
the student: which method, on what input, expected versus got, and what to look
at next. On hidden inputs it says where and by how much, never the values.

Each judge names the observation keys it compares (``keys``): a known mistake
explains a failure only if it reproduces the student's result on those keys.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sandboxed.xor import XOR_X, XOR_Y, network_output
from .misconceptions import INPUT_MODIFIED, INPUT_NOT_CACHED, OUTPUT_NOT_SQUASHED, likely_cause
from .numerics import central_difference, relative_error

RTOL, ATOL = 1e-6, 1e-8
GRADIENT_TOLERANCE = 1e-6  # relative error; the reference reaches below 1e-8


class Failure(Exception):
    """A check failed; the message is for the student.

    ``diagnose``: whether a known mistake of the check's own method may be named after the message
    (not when the message already puts the blame on another method).
    """

    def __init__(self, message: str, diagnose: bool = True):
        super().__init__(message)
        self.diagnose = diagnose


def show(array: np.ndarray) -> str:
    """An array on one line, rounded for reading."""
    array = np.asarray(array)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=4, separator=", ", max_line_width=10**6, threshold=40)


def describe_inputs(case: dict, names: tuple[str, ...], hidden: bool) -> str:
    parts = []
    for name in names:
        value = np.asarray(case[name])
        if hidden and value.ndim == 0:
            parts.append(f"a hidden {name}")
        elif hidden:
            # An order of magnitude, never a value: "|x| up to about 1e+03".
            largest = float(np.max(np.abs(value))) if value.size else 0.0
            size = f"1e{int(np.floor(np.log10(largest))):+03d}" if largest > 0 else "0"
            parts.append(f"{name} of shape {value.shape} (hidden values, |{name}| up to about {size})")
        else:
            parts.append(f"{name} = {show(value)}")
    return ", ".join(parts)


def worst_index(got: np.ndarray, expected: np.ndarray) -> tuple:
    with np.errstate(invalid="ignore"):
        error = np.abs(got - expected)
    error = np.where(np.isfinite(error), error, np.inf)
    return index_of(int(np.argmax(error)), error.shape)


def index_of(flat: int, shape: tuple) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape))


def compare(what: str, got: np.ndarray, expected: np.ndarray, inputs: str, hidden: bool, hint: str) -> None:
    """Raise Failure unless got matches expected in shape and values."""
    if got.shape != expected.shape:
        raise Failure(f"{what} has shape {got.shape}, expected {expected.shape}, for {inputs}. {hint}")
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        raise Failure(
            f"{what} contains {got[index]} at index {index}, for {inputs}; the expected values are all finite. "
            "Large inputs can overflow: check how your formula behaves for large |x|."
        )
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
    if close.all():
        return
    index = worst_index(got, expected)
    wrong = int((~close).sum())
    if hidden:
        raise Failure(
            f"{what} is wrong for {inputs}: {wrong} of {got.size} entries differ; "
            f"the worst is at index {index}, off by {abs(got[index] - expected[index]):.3g}. {hint}"
        )
    raise Failure(
        f"{what} is wrong for {inputs}.\n  expected {show(expected)}\n  got      {show(got)}\n"
        f"  worst entry {index}: expected {expected[index]:.6g}, got {got[index]:.6g}. {hint}"
    )


@dataclass(frozen=True)
class Values:
    """Each observation in ``labels`` matches the reference's.

    Labels whose key the reference did not produce are skipped, so one judge
    serves networks of different depths.
    """

    labels: dict  # observation key -> how the student knows it
    inputs: tuple  # which input arrays to show in messages
    forward_cache: bool = False  # Layer.backward: a failure caused by what Layer.forward kept says so

    @property
    def keys(self) -> list[str]:
        return list(self.labels)

    def __call__(self, check, case, got, expected):
        where = describe_inputs(case, self.inputs, check.hidden)
        try:
            for key, label in self.labels.items():
                if key in expected:
                    compare(label, got[key], expected[key], where, check.hidden, check.hint)
        except Failure as failure:
            raise (blame_forward(failure, case, got) if self.forward_cache else failure) from None


# --- what Layer.forward keeps for Layer.backward ----------------------------------------

def _holds(held: np.ndarray, value: np.ndarray) -> bool:
    """Whether one of the held arrays (stacked on axis 0) equals ``value``."""
    held = np.asarray(held, dtype=float)
    return held.shape[1:] == value.shape and any(
        np.allclose(array, value, rtol=RTOL, atol=ATOL) for array in held)


def pre_activation(case: dict) -> np.ndarray:
    """z = x @ weights + bias for a layer case: what Layer.forward must keep for backward."""
    x, weights, bias = (np.asarray(case[key], dtype=float) for key in ("x", "weights", "bias"))
    return x @ weights + bias


def cache_problem(case: dict, got: dict) -> str:
    """What Layer.forward did not keep, by the observations ``held_in``/``held_out``: "input",
    "pre_activation", or "" when the layer held x and z after forward (under whatever names)."""
    if not _holds(got["held_in"], np.asarray(case["x"], dtype=float)):
        return "input"
    if not _holds(got["held_out"], pre_activation(case)):
        return "pre_activation"
    return ""


FORWARD_BLAME = {
    "input": ("Layer.forward did not keep its input x (after forward, no array the layer holds equals x), "
              "and Layer.backward needs it: fix Layer.forward first."),
    "pre_activation": ("Layer.forward did not keep the right pre-activation z = x @ weights + bias (after "
                       "forward, no array the layer holds equals z: not stored, computed wrongly, or written over), "
                       "and Layer.backward needs it: fix Layer.forward first."),
}


def blame_forward(failure: Failure, case: dict, got: dict) -> Failure:
    """A Layer.backward failure, saying so when Layer.forward did not keep what backward reads
    (then no Layer.backward mistake is named: the cause is not there)."""
    problem = cache_problem(case, got)
    if not problem:
        return failure
    return Failure(f"{failure}\n{FORWARD_BLAME[problem]}", diagnose=False)


@dataclass(frozen=True)
class Caches:
    """After Layer.forward(x), the layer holds x and z = x @ weights + bias, unchanged, under any names.

    Names are free (``self.input``, ``self.z``, a cache object): the observations ``held_in`` and
    ``held_out`` are the arrays of those shapes the layer holds, whatever it calls them.
    """

    inputs: tuple  # which input arrays to show in messages
    keys = ("held_in", "held_out")

    def __call__(self, check, case, got, expected):
        problem = cache_problem(case, got)
        if not problem:
            return
        where = describe_inputs(case, self.inputs, check.hidden)
        if problem == "input":
            raise Failure(
                f"After Layer.forward(x), for {where}, the layer keeps no array equal to x; Layer.backward needs "
                f"the input for grad_weights = input.T @ grad_z. {check.hint}" + likely_cause(INPUT_NOT_CACHED)
            )
        z, held = pre_activation(case), np.asarray(got["held_out"], dtype=float)
        if check.hidden:
            seen = ""
        elif len(held):
            seen = f"\n  expected z {show(z)}\n  it keeps  " + "\n            ".join(show(a) for a in held)
        else:
            seen = f"\n  expected z {show(z)}\n  it keeps no array of that shape"
        raise Failure(
            f"After Layer.forward(x), for {where}, the layer keeps no array equal to the pre-activation "
            f"z = x @ weights + bias; Layer.backward needs z, unchanged, for activation.backward(z).{seen}\n"
            f"{check.hint}"
        )


@dataclass(frozen=True)
class Unchanged:
    """Arrays handed to the code are left as they were (``after`` key -> input key)."""

    pairs: dict
    labels: dict

    @property
    def keys(self) -> list[str]:
        return list(self.pairs)

    def __call__(self, check, case, got, expected):
        for after, original in self.pairs.items():
            before = np.asarray(case[original], dtype=float)
            if got[after].shape != before.shape or not np.array_equal(got[after], before, equal_nan=True):
                cause = likely_cause(INPUT_MODIFIED) if original in ("x", "grad_output") else ""
                raise Failure(f"{self.labels[after]} was changed by {check.method}. {check.hint}{cause}")


@dataclass(frozen=True)
class Gradient:
    """The student's analytic gradients agree with central differences of the *reference's* forward.

    ``pairs`` maps an analytic-gradient key to the input it differentiates with respect to. The
    numerical side comes from the reference's observations (``expected``): its ``plus_<input>`` and
    ``minus_<input>`` hold the function with each entry of that input nudged by +h and -h, made by
    ``reference_scenario``, which runs on the reference only. So a broken forward costs points in the
    forward's checks, not in backward's gradient check; the student's scenario gives the analytic side.
    """

    pairs: dict
    labels: dict
    reference_scenario: str  # a scenario run on the reference only: plus_<input>, minus_<input>
    forward_cache: bool = False  # Layer.backward: a failure caused by what Layer.forward kept says so

    @property
    def keys(self) -> list[str]:
        return list(self.pairs)

    @staticmethod
    def numerical(observations: dict, wrt: str, h: float) -> np.ndarray:
        """The numerical gradient with respect to input ``wrt``, from the reference's observations."""
        return central_difference(observations[f"plus_{wrt}"], observations[f"minus_{wrt}"], h)

    def gradients(self, case: dict, got: dict, expected: dict | None = None):
        """(key, analytic, numerical) for each gradient the check compares: analytic from ``got``, numerical
        from ``expected`` (the reference's observations; ``got`` itself when they are the reference's)."""
        side = got if expected is None else expected
        for key, wrt in self.pairs.items():
            yield key, got[key], self.numerical(side, wrt, float(case["h"]))

    def __call__(self, check, case, got, expected):
        try:
            self._compare(check, case, got, expected)
        except Failure as failure:
            raise (blame_forward(failure, case, got) if self.forward_cache else failure) from None

    def _compare(self, check, case, got, expected):
        for key, analytic, numeric in self.gradients(case, got, expected):
            if analytic.shape != numeric.shape:
                raise Failure(
                    f"{self.labels[key]} has shape {analytic.shape}, but the gradient must have the "
                    f"shape of what it differentiates, {numeric.shape}. {check.hint}"
                )
            error = relative_error(analytic, numeric)
            error = np.where(np.isnan(error), np.inf, error)
            worst = index_of(int(np.argmax(error)), error.shape)
            if error[worst] > GRADIENT_TOLERANCE:
                raise Failure(
                    f"{self.labels[key]} disagrees with the numerical gradient (central differences of a correct "
                    f"{check.owner}.forward, not of yours): relative error "
                    f"{error[worst]:.2g} at index {worst} (analytic {analytic[worst]:.6g}, numerical "
                    f"{numeric[worst]:.6g}); a correct gradient gives below 1e-7. "
                    f"{int((error > GRADIENT_TOLERANCE).sum())} of {error.size} entries are off. {check.hint}"
                )


@dataclass(frozen=True)
class NetworkCalls:
    """The network called its layers in the reference's order; then ``labels`` match as in :class:`Values`."""

    labels: dict
    inputs: tuple

    @property
    def keys(self) -> list[str]:
        return ["calls", *self.labels]

    def __call__(self, check, case, got, expected):
        if not np.array_equal(got["calls"], expected["calls"]):
            raise Failure(
                f"{check.method} called the layers as {describe_calls(got['calls'])}; "
                f"expected {describe_calls(expected['calls'])}. {check.hint}"
            )
        Values(self.labels, self.inputs)(check, case, got, expected)


def describe_calls(codes: np.ndarray) -> str:
    if codes.size == 0:
        return "no calls at all"
    names = [f"layers[{int(abs(c)) - 1}].{'forward' if c > 0 else 'backward'}" for c in codes]
    return ", ".join(names)


@dataclass(frozen=True)
class XorLossCurve:
    """The loss per epoch follows the reference's from the same start."""

    epochs: int
    keys = ("losses",)

    def __call__(self, check, case, got, expected):
        got_losses, expected_losses = got["losses"][: self.epochs], expected["losses"][: self.epochs]
        close = np.isclose(got_losses, expected_losses, rtol=1e-5, atol=1e-8)
        if close.all():
            return
        first = int(np.argmin(close))
        raise Failure(
            f"From the same initial weights, your network's loss leaves the reference's at epoch {first}: "
            f"expected {expected_losses[first]:.6f}, got {got_losses[first]:.6f} "
            f"(epoch 0: expected {expected_losses[0]:.6f}, got {got_losses[0]:.6f}). {check.hint}"
            + output_cause(got)
        )


def output_cause(got: dict) -> str:
    output = got.get("output")
    if output is not None and (np.any(output < 0) or np.any(output > 1)):  # NaN compares False
        return likely_cause(OUTPUT_NOT_SQUASHED)
    return ""


def xor_predictions(got: dict) -> np.ndarray:
    """Predictions recomputed here, by a plain forward pass with the trained weights."""
    return network_output(got, XOR_X)


@dataclass(frozen=True)
class XorLearns:
    """After training, every XOR input is on the right side of 0.5."""

    keys = ("weights_0", "bias_0", "weights_1", "bias_1")

    def __call__(self, check, case, got, expected):
        shapes_ok = all(got[k].shape == expected[k].shape for k in ("weights_0", "bias_0", "weights_1", "bias_1"))
        if not shapes_ok:
            raise Failure(
                "After training, the layers' weights or biases have the wrong shape "
                f"(weights {got['weights_0'].shape}, {got['weights_1'].shape}; "
                f"expected {expected['weights_0'].shape}, {expected['weights_1'].shape}). {check.hint}"
            )
        predictions = xor_predictions(got)
        right = (predictions > 0.5) == (XOR_Y > 0.5)
        if right.all() and np.isfinite(predictions).all():
            return
        rows = ", ".join(
            f"{XOR_X[i].astype(int).tolist()} -> {predictions[i, 0]:.3f} (want {int(XOR_Y[i, 0])})" for i in range(4)
        )
        raise Failure(
            f"After {case['epochs']:.0f} epochs the network gets {int(right.sum())} of 4 XOR inputs right: {rows}; "
            f"final loss {got['losses'][-1]:.4f} (the reference reaches {expected['losses'][-1]:.4f} "
            f"from the same start). {check.hint}" + output_cause(got)
        )
