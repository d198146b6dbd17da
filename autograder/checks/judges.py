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
from .misconceptions import INPUT_MODIFIED, OUTPUT_NOT_SQUASHED, likely_cause
from .numerics import central_difference, relative_error

RTOL, ATOL = 1e-6, 1e-8
GRADIENT_TOLERANCE = 1e-6  # relative error; the reference reaches below 1e-8


class Failure(Exception):
    """A check failed; the message is for the student."""


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

    @property
    def keys(self) -> list[str]:
        return list(self.labels)

    def __call__(self, check, case, got, expected):
        where = describe_inputs(case, self.inputs, check.hidden)
        for key, label in self.labels.items():
            if key in expected:
                compare(label, got[key], expected[key], where, check.hidden, check.hint)


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
    """Analytic gradients agree with central differences of the same code's forward.

    ``pairs`` maps an analytic-gradient key to the input it differentiates with
    respect to: the observations ``plus_<input>`` and ``minus_<input>`` hold the
    function with each entry of that input nudged by +h and -h.
    """

    pairs: dict
    labels: dict

    @property
    def keys(self) -> list[str]:
        return list(self.pairs)

    @staticmethod
    def numerical(got: dict, wrt: str, h: float) -> np.ndarray:
        """The numerical gradient with respect to input ``wrt``, from a scenario's observations."""
        return central_difference(got[f"plus_{wrt}"], got[f"minus_{wrt}"], h)

    def gradients(self, case: dict, got: dict):
        """(key, analytic, numerical) for each gradient the check compares."""
        for key, wrt in self.pairs.items():
            yield key, got[key], self.numerical(got, wrt, float(case["h"]))

    def __call__(self, check, case, got, expected):
        for key, analytic, numeric in self.gradients(case, got):
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
                    f"{self.labels[key]} disagrees with the numerical gradient: relative error "
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
