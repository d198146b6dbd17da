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

import re
from dataclasses import dataclass, field

import numpy as np

from ..sandboxed.xor import XOR_X, XOR_Y, network_output
from .misconceptions import INPUT_MODIFIED, INPUT_NOT_CACHED, OUTPUT_NOT_SQUASHED, likely_cause, output_not_squashed
from .numerics import central_difference, relative_error

RTOL, ATOL = 1e-6, 1e-8
GRADIENT_TOLERANCE = 1e-6  # relative error; the reference reaches below 1e-8
CORRECT_GRADIENT = 1e-7  # the relative error a correct gradient stays below (what messages quote as the target)


class Failure(Exception):
    """A check failed; the message is for the student.

    ``diagnose``: whether a known mistake of the check's own method may be named after the message
    (not when the message already puts the blame on another method).
    ``hint``: what to look at next, shown after the message unless a known mistake is named (its
    text says what to do). ``details``: the full arrays behind a short message, for whoever asks
    (the HTML report, ``pytest --full-arrays``); public inputs only.
    """

    def __init__(self, message: str, diagnose: bool = True, hint: str = "", details: str = ""):
        super().__init__(message)
        self.diagnose = diagnose
        self.hint = hint
        self.details = details


def show(array: np.ndarray) -> str:
    """An array on one line, rounded for reading."""
    array = np.asarray(array)
    if array.ndim == 0:
        return f"{float(array):.6g}"
    return np.array2string(array, precision=4, separator=", ", max_line_width=10**6, threshold=40)


def tiny(number: float) -> str:
    """A small positive number to one digit, as people write it: 3e-11, 1e-7 (not Python's 1e-07), 0.002."""
    return re.sub(r"e([+-])0(\d)", r"e\1\2", f"{number:.1g}")


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


ELEMENTWISE = ("activation_forward", "activation_backward")  # scenarios whose entry i depends on x[i] alone
LARGE = 30.0  # |x| from which exp(|x|) is far beyond what float64 resolves next to 1
MASK_AT_MOST = 60  # entries: a larger array's wrong entries are counted, not drawn


def wrong_entries(close: np.ndarray) -> str:
    """Which entries are wrong, drawn small: x wrong, . right, one bracket per row ("[[x . x], [. . x]]")."""
    rows = close.reshape(-1, close.shape[-1]) if close.ndim >= 2 else close.reshape(1, -1)
    return "[" + ", ".join("[" + " ".join("." if ok else "x" for ok in row) + "]" for row in rows) + "]"


def entry_at(case: dict, names: tuple, index: tuple, elementwise: bool) -> str:
    """ " where x = -6" for a method that works entry by entry on its one input; "" otherwise."""
    if not elementwise or len(names) != 1:
        return ""
    value = np.asarray(case[names[0]], dtype=float)
    return f" (where {names[0]} = {value[index]:.6g})" if value.ndim == len(index) else ""


def overflow_hint(case: dict, index: tuple, elementwise: bool, text: str = "") -> str:
    """Why a non-finite entry appears, when its input is large (``text``, or a general word on overflow);
    "" when nothing says it is an overflow. No input value is named: it may be hidden."""
    x = np.asarray(case.get("x", np.nan), dtype=float)
    if elementwise and x.ndim == len(index) and abs(x[index]) >= LARGE:
        return text or ("At so large an |x|, exp(x) or exp(-x) overflows to inf: choose the form whose overflow "
                        "still gives the right limit (1 / (1 + inf) = 0), not inf / inf = nan.")
    return ""


def compare(what: str, got: np.ndarray, expected: np.ndarray, case: dict, names: tuple, hidden: bool,
            hint: str, elementwise: bool = False, overflow: str = "") -> None:
    """Raise Failure unless got matches expected in shape and values.

    The message is short: the worst entry and, for public inputs, which entries are wrong; the full
    arrays go in the failure's ``details``. Hidden inputs: where and by how much, never a value.
    """
    inputs = describe_inputs(case, names, hidden)
    details = "" if hidden else f"{what}, for {inputs}:\n  expected {show(expected)}\n  got      {show(got)}"
    if got.shape != expected.shape:
        raise Failure(f"{what} has shape {got.shape}, expected {expected.shape}, for {brief(case, names, hidden)}.",
                      hint=hint, details=details)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        at = "" if hidden else entry_at(case, names, index, elementwise)
        raise Failure(
            f"{what} contains {got[index]} at index {index}{at}, for {brief(case, names, hidden)}; the expected "
            "values are all finite.", hint=overflow_hint(case, index, elementwise, overflow) or hint,
            details=details)
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True)
    if close.all():
        return
    index = worst_index(got, expected)
    wrong = int((~close).sum())
    if hidden:
        raise Failure(
            f"{what} is wrong for {brief(case, names, hidden)}: {wrong} of {got.size} entries differ; "
            f"the worst is at index {index}, off by {abs(got[index] - expected[index]):.3g}.", hint=hint)
    mask = ""
    if wrong < got.size and elementwise and len(names) == 1:
        x = np.asarray(case[names[0]], dtype=float)[~close]
        mask = f"\n  wrong where {names[0]} = " + ", ".join(f"{v:.6g}" for v in x[:8]) + (", ..." if x.size > 8 else "")
    elif wrong < got.size <= MASK_AT_MOST:
        mask = f"\n  wrong entries (x): {wrong_entries(close)}"
    raise Failure(
        f"{what} is wrong in {wrong} of {got.size} entries, for {brief(case, names, hidden)}.\n"
        f"  worst entry {index}{entry_at(case, names, index, elementwise)}: expected {expected[index]:.6g}, "
        f"got {got[index]:.6g}{mask}", hint=hint, details=details)


def brief(case: dict, names: tuple, hidden: bool) -> str:
    """The inputs in a few words: their values when they are few, else their shapes (the values are in
    the failure's details). Hidden inputs: one array as :func:`describe_inputs` gives it (its order of
    magnitude says whether large inputs are involved); several by their shapes alone."""
    arrays = [name for name in names if np.ndim(case[name])]
    if hidden and len(arrays) > 1:
        scalars = [f"a hidden {name}" for name in names if name not in arrays]
        return "hidden inputs " + ", ".join([f"{name} {np.shape(case[name])}" for name in arrays] + scalars)
    if hidden:
        return describe_inputs(case, names, hidden)
    parts = []
    for name in names:
        value = np.asarray(case[name])
        one_row = value.size <= 8 and (value.ndim <= 1 or value.size == value.shape[-1])
        parts.append(f"{name} = {show(value)}" if one_row else f"{name} of shape {value.shape}")
    return "the public " + ", ".join(parts)


@dataclass(frozen=True)
class Values:
    """Each observation in ``labels`` matches the reference's.

    Labels whose key the reference did not produce are skipped, so one judge
    serves networks of different depths.
    """

    labels: dict  # observation key -> how the student knows it
    inputs: tuple  # which input arrays to show in messages
    forward_cache: bool = False  # Layer.backward: a failure caused by what Layer.forward kept says so
    hints: dict = field(default_factory=dict)  # observation key -> the hint when that one is wrong (else check.hint)
    # A hint that fits only a failure at large |x| (overflow): shown when every entry at smaller |x| is right.
    large_input_hint: str = ""

    @property
    def keys(self) -> list[str]:
        return list(self.labels)

    def __call__(self, check, case, got, expected):
        elementwise = check.scenario in ELEMENTWISE
        try:
            for key, label in self.labels.items():
                if key in expected:
                    hint = self.hints.get(key, check.hint)
                    if self.large_input_hint and only_large_inputs_wrong(case, got[key], expected[key]):
                        hint = self.large_input_hint
                    compare(named(check, label), got[key], expected[key], case, self.inputs, check.hidden, hint,
                            elementwise, self.large_input_hint)
        except Failure as failure:
            raise (blame_forward(failure, case, got) if self.forward_cache else failure) from None


def named(check, label: str) -> str:
    """A label that says which method it is about ("Layer.backward: grad_bias"): a message may be read alone."""
    return label if check.method in label else f"{check.method}: {label}"


def only_large_inputs_wrong(case: dict, got: np.ndarray, expected: np.ndarray) -> bool:
    """Whether the result is right wherever |x| < LARGE, so that what is wrong shows at large |x| only."""
    x = np.asarray(case.get("x", np.nan), dtype=float)
    if x.shape != got.shape or got.shape != expected.shape:
        return False
    moderate = np.abs(x) < LARGE
    with np.errstate(invalid="ignore"):
        return bool(np.isclose(got[moderate], expected[moderate], rtol=RTOL, atol=ATOL).all())


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
    return Failure(f"{failure}\n{FORWARD_BLAME[problem]}", diagnose=False, details=failure.details)


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
                f"After Layer.forward(x), for {brief(case, self.inputs, check.hidden)}, the layer keeps no array "
                "equal to x; Layer.backward needs the input for grad_weights = input.T @ grad_z."
                + likely_cause(INPUT_NOT_CACHED)
            )
        z, held = pre_activation(case), np.asarray(got["held_out"], dtype=float)
        if check.hidden:
            seen = ""
        elif len(held):
            seen = (f"For {where}:\n  expected z {show(z)}\n  it keeps  "
                    + "\n            ".join(show(a) for a in held))
        else:
            seen = f"For {where}:\n  expected z {show(z)}\n  it keeps no array of that shape"
        count = f" (it keeps {len(held)} of z's shape {z.shape}, none equal to z)" if len(held) else ""
        raise Failure(
            f"After Layer.forward(x), for {brief(case, self.inputs, check.hidden)}, the layer keeps no array equal "
            f"to the pre-activation z = x @ weights + bias{count}; Layer.backward needs z, unchanged, for "
            "activation.backward(z).", hint=check.hint, details=seen
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
                raise Failure(f"{self.labels[after]} was changed by {check.method}.{cause}",
                              hint="" if cause else check.hint)


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
    hints: dict = field(default_factory=dict)  # gradient key -> the hint when that one is wrong (else check.hint)

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

    def __call__(self, check, case, got, expected) -> float:
        """Raises :class:`Failure`, or returns the worst relative error of this case (for :meth:`passing_note`)."""
        try:
            return self._compare(check, case, got, expected)
        except Failure as failure:
            raise (blame_forward(failure, case, got) if self.forward_cache else failure) from None

    @staticmethod
    def passing_note(worst_errors: list[float]) -> str:
        """What a passed gradient check says, as CS231n's notebooks print it: the relative error and its target."""
        worst = max(worst_errors, default=0.0)
        target = (f"below {tiny(CORRECT_GRADIENT)}" if worst < CORRECT_GRADIENT else
                  f"a correct gradient gives below {tiny(CORRECT_GRADIENT)}; the check passes up to "
                  f"{tiny(GRADIENT_TOLERANCE)}")
        return f"relative error {tiny(worst)} ({target})"

    def _compare(self, check, case, got, expected) -> float:
        worst_error = 0.0
        for key, analytic, numeric in self.gradients(case, got, expected):
            hint, label = self.hints.get(key, check.hint), named(check, self.labels[key])
            if analytic.shape != numeric.shape:
                raise Failure(
                    f"{label} has shape {analytic.shape}, but the gradient must have the "
                    f"shape of what it differentiates, {numeric.shape}.", hint=hint
                )
            error = relative_error(analytic, numeric)
            error = np.where(np.isnan(error), np.inf, error)
            worst = index_of(int(np.argmax(error)), error.shape)
            if error[worst] > GRADIENT_TOLERANCE:
                off = error > GRADIENT_TOLERANCE
                details = "" if check.hidden else (
                    f"{label}, for {describe_inputs(case, tuple(self.pairs.values()), False)}:\n"
                    f"  numerical {show(numeric)}\n  yours     {show(analytic)}")
                raise Failure(
                    f"{label} disagrees with the numerical gradient (central differences of a correct "
                    f"{check.owner}.forward, not of yours) in {int(off.sum())} of {error.size} entries; the worst, "
                    f"index {worst}: yours {analytic[worst]:.6g}, numerical {numeric[worst]:.6g} (relative error "
                    f"{error[worst]:.2g}; a correct gradient gives below {tiny(CORRECT_GRADIENT)}).", hint=hint,
                    details=details
                )
            worst_error = max(worst_error, float(error[worst]))
        return worst_error


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
                f"expected {describe_calls(expected['calls'])}.", hint=check.hint
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
            f"(epoch 0: expected {expected_losses[0]:.6f}, got {got_losses[0]:.6f}).{not_a_number(got)}"
            + output_cause(got), hint=check.hint
        )


def output_cause(got: dict) -> str:
    if output_not_squashed(got):
        return likely_cause(OUTPUT_NOT_SQUASHED)
    return ""


def not_a_number(got: dict) -> str:
    """ " The loss is nan from epoch 12 on." when the training produced nan or inf; "" otherwise."""
    losses = np.asarray(got.get("losses", ()), dtype=float)
    bad = ~np.isfinite(losses)
    if not bad.any():
        return ""
    return f" The loss is {losses[bad][0]:g} from epoch {int(np.argmax(bad))} on: nan or inf is never a right answer."


def xor_predictions(got: dict) -> np.ndarray:
    """Predictions recomputed here, by a plain forward pass with the trained weights."""
    return network_output(got, XOR_X)


def xor_right(predictions: np.ndarray) -> np.ndarray:
    """Which XOR inputs a network gets right: on the label's side of 0.5, and a number (nan never is)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(predictions) & ((predictions > 0.5) == (XOR_Y > 0.5))


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
                f"expected {expected['weights_0'].shape}, {expected['weights_1'].shape}).", hint=check.hint
            )
        predictions = xor_predictions(got)
        right = xor_right(predictions)
        if right.all():
            return
        rows = ", ".join(
            f"{XOR_X[i].astype(int).tolist()} -> {predictions[i, 0]:.3f} (want {int(XOR_Y[i, 0])})" for i in range(4)
        )
        raise Failure(
            f"After {case['epochs']:.0f} epochs the network gets {int(right.sum())} of 4 XOR inputs right: {rows}; "
            f"final loss {got['losses'][-1]:.4f} (the reference reaches {expected['losses'][-1]:.4f} "
            f"from the same start).{not_a_number(got)}" + output_cause(got), hint=check.hint
        )
