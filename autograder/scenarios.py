"""Scenarios: the code that exercises a submission on given inputs.

A scenario takes a namespace (the student's definitions, or the reference's),
plain parameters and input arrays, calls the code under test, and returns its
*observations*: a dict of float64 arrays. Nothing here decides pass or fail;
:mod:`autograder.judges` compares observations with the reference's.

Because a scenario only needs plain numbers in and gives plain numbers out, the
same scenario runs in the student's notebook, in the pytest self-check and in an
isolated worker process whose results the grader reads back as ``.npy`` data.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from .doubles import CubicActivation, StandInLayer

Observations = dict[str, np.ndarray]


PACKAGE_DIR = str(Path(__file__).resolve().parent)


class ContractError(Exception):
    """The code ran but broke the API contract (returned None, wrong arity, ...)."""


INPUT_NOT_CACHED = ("forgetting to cache the input: Layer.forward must keep x (self.input = x) and the "
                    "pre-activation z for Layer.backward to use.")


class StudentCodeError(Exception):
    """Student code failed while a scenario ran; the message explains it.

    ``wants_hint``: the check's hint (what to look at next) belongs after the message.
    """

    def __init__(self, message: str, wants_hint: bool = False):
        super().__init__(message)
        self.message = message
        self.wants_hint = wants_hint

    def with_hint(self, hint: str) -> str:
        """The message with the hint after its first line, before any 'Likely cause'."""
        if not self.wants_hint:
            return self.message
        head, cause, tail = self.message.partition("\nLikely cause:")
        return f"{head} {hint}{cause}{tail}"


def observed(value, what: str) -> np.ndarray:
    """A student's return value as a float64 array, or a ContractError saying why not."""
    if value is None:
        raise ContractError(f"{what} returned None; it should return a numpy array (did you forget `return`?)")
    if isinstance(value, tuple):
        raise ContractError(f"{what} returned a tuple of {len(value)} items; it should return one numpy array")
    try:
        array = np.asarray(value)
    except Exception as exc:
        raise ContractError(f"{what} returned a {type(value).__name__} that is not an array ({exc})") from None
    if array.dtype.kind not in "biuf":
        raise ContractError(f"{what} returned an array of dtype {array.dtype}; it should hold real numbers")
    return np.array(array, dtype=np.float64)


def _class(ns: dict, name: str):
    if name not in ns:
        raise ContractError(f"your code does not define `{name}`")
    return ns[name]


def _new_layer(ns: dict, weights: np.ndarray, bias: np.ndarray, activation) -> object:
    """The student's Layer, built with its given constructor, then set to known parameters."""
    layer = _class(ns, "Layer")(weights.shape[0], weights.shape[1], activation)
    layer.weights = weights.copy()
    layer.bias = bias.copy()
    return layer


# --- how cases and observations cross between processes ------------------------------

def flatten(per_case: list[dict]) -> dict[str, np.ndarray]:
    """[{name: array}, ...] -> {"<case>/<name>": array}, the layout of the .npz files a worker reads and writes."""
    return {f"{i}/{name}": np.asarray(value) for i, arrays in enumerate(per_case) for name, value in arrays.items()}


def unflatten(arrays: dict, n_cases: int) -> list[dict]:
    """The inverse of :func:`flatten`; keys that name no case below ``n_cases`` are ignored."""
    per_case: list[dict] = [{} for _ in range(n_cases)]
    for key, value in arrays.items():
        index, _, name = key.partition("/")
        if index.isdigit() and int(index) < n_cases:
            per_case[int(index)][name] = value
    return per_case


# --- activations --------------------------------------------------------------

def activation_forward(ns, params, arrays) -> Observations:
    x = arrays["x"].copy()
    out = _class(ns, params["activation"])().forward(x)
    return {"out": observed(out, f"{params['activation']}.forward(x)"), "x_after": x}


def activation_backward(ns, params, arrays) -> Observations:
    x = arrays["x"].copy()
    out = _class(ns, params["activation"])().backward(x)
    return {"out": observed(out, f"{params['activation']}.backward(x)"), "x_after": x}


def activation_gradcheck(ns, params, arrays) -> Observations:
    """forward at x +- h (for a central difference) and backward at x."""
    activation = _class(ns, params["activation"])()
    x, h = arrays["x"], float(arrays["h"])
    name = params["activation"]
    return {
        "f_plus": observed(activation.forward(x + h), f"{name}.forward(x)"),
        "f_minus": observed(activation.forward(x - h), f"{name}.forward(x)"),
        "grad": observed(activation.backward(x.copy()), f"{name}.backward(x)"),
    }


# --- Layer ---------------------------------------------------------------------

def layer_forward(ns, params, arrays) -> Observations:
    layer = _new_layer(ns, arrays["weights"], arrays["bias"], CubicActivation())
    x = arrays["x"].copy()
    out = layer.forward(x)
    return {
        "out": observed(out, "Layer.forward(x)"),
        "x_after": x,
        "weights_after": observed(layer.weights, "layer.weights"),
        "bias_after": observed(layer.bias, "layer.bias"),
    }


def _unpack_gradients(result) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        what = "None" if result is None else f"a {type(result).__name__}"
        raise ContractError(
            f"Layer.backward returned {what}; it should return a tuple (grad_input, grad_weights, grad_bias)"
        )
    return tuple(result)


def layer_backward(ns, params, arrays) -> Observations:
    layer = _new_layer(ns, arrays["weights"], arrays["bias"], CubicActivation())
    x = arrays["x"].copy()
    grad_output = arrays["grad_output"].copy()
    layer.forward(x)
    grad_input, grad_weights, grad_bias = _unpack_gradients(layer.backward(grad_output))
    return {
        "grad_input": observed(grad_input, "grad_input from Layer.backward"),
        "grad_weights": observed(grad_weights, "grad_weights from Layer.backward"),
        "grad_bias": observed(grad_bias, "grad_bias from Layer.backward"),
        "weights_after": observed(layer.weights, "layer.weights"),
        "bias_after": observed(layer.bias, "layer.bias"),
        "grad_output_after": grad_output,
        "x_after": x,
    }


def layer_gradcheck(ns, params, arrays) -> Observations:
    """The scalar loss sum(G * forward(x)) at x, W, b each nudged by +-h, and backward(G)."""
    x, weights, bias, probe = arrays["x"], arrays["weights"], arrays["bias"], arrays["probe"]
    h = float(arrays["h"])
    layer = _new_layer(ns, weights, bias, CubicActivation())

    def loss(x_, weights_, bias_) -> float:
        layer.weights, layer.bias = weights_, bias_
        return float(np.sum(probe * observed(layer.forward(x_), "Layer.forward(x)")))

    observations: Observations = {}
    for name, value in (("x", x), ("weights", weights), ("bias", bias)):
        plus, minus = np.empty(value.shape), np.empty(value.shape)
        for index in np.ndindex(value.shape):
            for sign, store in ((+1, plus), (-1, minus)):
                nudged = value.copy()
                nudged[index] += sign * h
                args = {"x": x, "weights": weights, "bias": bias, name: nudged}
                store[index] = loss(args["x"], args["weights"].copy(), args["bias"].copy())
        observations[f"loss_plus_{name}"] = plus
        observations[f"loss_minus_{name}"] = minus
    layer.weights, layer.bias = weights.copy(), bias.copy()
    layer.forward(x.copy())
    grad_input, grad_weights, grad_bias = _unpack_gradients(layer.backward(probe.copy()))
    observations["grad_x"] = observed(grad_input, "grad_input from Layer.backward")
    observations["grad_weights"] = observed(grad_weights, "grad_weights from Layer.backward")
    observations["grad_bias"] = observed(grad_bias, "grad_bias from Layer.backward")
    return observations


# --- NeuralNetwork ----------------------------------------------------------------

def _network_of_stand_ins(ns, arrays) -> tuple[object, list[StandInLayer], list]:
    count = sum(1 for key in arrays if key.startswith("weights_"))
    sizes = [arrays["weights_0"].shape[0]] + [arrays[f"weights_{i}"].shape[1] for i in range(count)]
    log: list = []
    network = _class(ns, "NeuralNetwork")(sizes, [CubicActivation() for _ in range(count)])
    stand_ins = [
        StandInLayer(i, arrays[f"weights_{i}"].copy(), arrays[f"bias_{i}"].copy(), log) for i in range(count)
    ]
    network.layers = list(stand_ins)
    return network, stand_ins, log


def _log_codes(log: list) -> np.ndarray:
    """The call log as numbers: +i+1 for layer i's forward, -(i+1) for its backward."""
    return np.array([(i + 1) if kind == "forward" else -(i + 1) for kind, i in log], dtype=float)


def network_forward(ns, params, arrays) -> Observations:
    network, stand_ins, log = _network_of_stand_ins(ns, arrays)
    x = arrays["x"].copy()
    out = network.forward(x)
    return {"out": observed(out, "NeuralNetwork.forward(x)"), "calls": _log_codes(log), "x_after": x}


def network_backward(ns, params, arrays) -> Observations:
    network, stand_ins, log = _network_of_stand_ins(ns, arrays)
    # Prime the stand-ins' caches directly, so this check does not depend on
    # the student's NeuralNetwork.forward.
    current = arrays["x"]
    for layer in stand_ins:
        current = layer.forward(current)
    log.clear()
    grad_output = arrays["grad_output"].copy()
    network.backward(grad_output, float(arrays["learning_rate"]))
    observations: Observations = {"calls": _log_codes(log), "grad_output_after": grad_output}
    for layer in stand_ins:
        i = layer.index
        observations[f"weights_{i}"] = observed(layer.weights, f"layer {i}'s weights")
        observations[f"bias_{i}"] = observed(layer.bias, f"layer {i}'s bias")
        # The gradient each layer was first handed (zeros if it was never asked).
        received = layer.grad_outputs[0] if layer.grad_outputs else np.zeros((0,))
        observations[f"received_{i}"] = observed(received, f"the gradient handed to layer {i}")
    return observations


# --- whole network ---------------------------------------------------------------

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def binary_cross_entropy(output: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(y * np.log(output + 1e-15) + (1 - y) * np.log(1 - output + 1e-15)))


def binary_cross_entropy_grad(output: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -(y / (output + 1e-15) - (1 - y) / (1 - output + 1e-15)) / len(y)


def xor_training(ns, params, arrays) -> Observations:
    """The given training loop, from explicitly set initial weights (no global RNG)."""
    hidden = arrays["weights_0"].shape[1]
    network = _class(ns, "NeuralNetwork")([2, hidden, 1], [_class(ns, "ReLU")(), _class(ns, "Sigmoid")()])
    for i, layer in enumerate(network.layers):
        layer.weights = arrays[f"weights_{i}"].copy()
        layer.bias = arrays[f"bias_{i}"].copy()
    learning_rate = float(arrays["learning_rate"])
    epochs = int(arrays["epochs"])
    losses = np.empty(epochs)
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            output = observed(network.forward(XOR_X.copy()), "NeuralNetwork.forward(X)")
            losses[epoch] = binary_cross_entropy(output, XOR_Y)
            network.backward(binary_cross_entropy_grad(output, XOR_Y), learning_rate)
        output = observed(network.forward(XOR_X.copy()), "NeuralNetwork.forward(X)")
    observations: Observations = {"losses": losses, "output": output}
    for i, layer in enumerate(network.layers):
        observations[f"weights_{i}"] = observed(layer.weights, f"layer {i}'s weights")
        observations[f"bias_{i}"] = observed(layer.bias, f"layer {i}'s bias")
    return observations


SCENARIOS: dict[str, Callable[[dict, dict, dict], Observations]] = {
    f.__name__: f
    for f in (
        activation_forward,
        activation_backward,
        activation_gradcheck,
        layer_forward,
        layer_backward,
        layer_gradcheck,
        network_forward,
        network_backward,
        xor_training,
    )
}


@contextlib.contextmanager
def quietly():
    """Keep warnings and prints from student code out of the output (nbgrader gives 0 to
    a test cell that writes to stderr). Errors still surface as exceptions."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield


def run_scenario(name: str, params: dict, cases: list[dict], namespace: dict, method: str) -> list[Observations]:
    """Run a scenario on every case; raise StudentCodeError with an explanation."""
    scenario = SCENARIOS[name]
    observations = []
    for case in cases:
        try:
            with quietly():
                observations.append(scenario(namespace, params, {k: np.array(v) for k, v in case.items()}))
        except ContractError as exc:
            raise StudentCodeError(f"{method}: {exc}.") from None
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, pytest's skip: all failures here
            raise StudentCodeError(*explain(exc, method)) from None
    return observations


def explain(exc: BaseException, method: str) -> tuple[str, bool]:
    """One line on what went wrong in the student's code and where; and whether a hint should follow."""
    where = _student_frame(exc)
    if isinstance(exc, NotImplementedError):
        return (f"not implemented yet: {where[0] if where else method} still raises NotImplementedError; "
                "replace the stub with your code."), False
    if isinstance(exc, KeyboardInterrupt):
        return (f"{method}: your code was interrupted: it ran out of time (an endless loop?) or was stopped "
                "by hand.", False)
    if isinstance(exc, SystemExit):
        return f"{method}: your code called exit() (a method must return its result, not end the program).", False
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(text) > 300:
        text = text[:297] + "..."
    cause = ""
    if method.startswith("Layer.backward") and isinstance(exc, (AttributeError, TypeError)) and "NoneType" in text:
        cause = "\nLikely cause: " + INPUT_NOT_CACHED
    if where:
        qualname, line = where
        who = "it" if qualname == method else qualname
        return f"{method}: {who} raised {text}" + (f" at `{line}`" if line else "") + "." + cause, True
    return f"{method}: your code raised {text}." + cause, True


def _student_frame(exc: BaseException) -> tuple[str, str] | None:
    """(qualified name, source line) of the innermost frame outside the grader and libraries."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        filename = code.co_filename
        if not filename.startswith(PACKAGE_DIR) and "site-packages" not in filename and "/lib/python3" not in filename:
            found = (code.co_qualname, linecache.getline(filename, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found
