"""Scenarios: the code that exercises a submission on given inputs.

A scenario takes a namespace (the student's definitions, or the reference's),
plain parameters and input arrays, calls the code under test, and returns its
*observations*: a dict of float64 arrays. Nothing here decides pass or fail;
``autograder.checks.judges`` compares observations with the reference's.

Each scenario's docstring lists its inputs and observations with their shapes
(``n``: batch size; ``in``/``out``: a layer's input and output sizes; ``L``:
the number of layers). Because a scenario needs only plain numbers in and gives
plain numbers out, the same one runs in the student's notebook, in the pytest
self-check and in a grading worker, whose results cross back as float64 arrays
(``wire.pack_arrays``).

Two scenarios run on the reference only, never on a submission: the numerical
side of a gradient check (:func:`activation_nudged`, :func:`layer_nudged`). A
gradient check thus differentiates a correct forward, and the student's
scenario gives only what their backward returns.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Callable

import numpy as np

from .doubles import CubicActivation, StandInLayer
from .errors import ContractError, explain, observed
from .xor import XOR_X, XOR_Y, binary_cross_entropy, binary_cross_entropy_grad

Observations = dict[str, np.ndarray]


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


HELD_AT_MOST = 16  # arrays of one shape a layer may be seen to hold (more are not looked at)


def _members(obj) -> list:
    """The values an object holds: its ``__dict__`` and its ``__slots__`` (never its properties)."""
    values = []
    try:
        values.extend(vars(obj).values())
    except TypeError:
        pass
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in ("__dict__", "__weakref__"):
                try:
                    values.append(getattr(obj, slot))
                except AttributeError:
                    pass
    return values


def _held(layer, shapes: tuple[tuple, ...]) -> list[np.ndarray]:
    """Copies of the arrays of these shapes a layer holds besides its parameters, under any name: its
    attributes, and one level into a dict, list, tuple or object it holds (``self.cache = (x, z)``)."""
    found = []
    for value in _members(layer)[:64]:
        if value is getattr(layer, "weights", None) or value is getattr(layer, "bias", None):
            continue
        if isinstance(value, np.ndarray):
            inner = [value]
        elif isinstance(value, dict):
            inner = list(value.values())
        elif isinstance(value, (list, tuple)):
            inner = list(value)
        elif callable(value):  # a function, a class, an activation's method
            inner = []
        else:  # an object of the student's, a dataclass holding the cache say
            inner = _members(value)
        for item in inner[:64]:
            if isinstance(item, np.ndarray) and item.shape in shapes and item.dtype.kind in "biuf":
                found.append(np.array(item, dtype=np.float64))
    return found


def _held_of_shape(held: list[np.ndarray], shape: tuple) -> np.ndarray:
    """The distinct held arrays of this shape, stacked (k, *shape), in order of their values (not of names)."""
    distinct: list[np.ndarray] = []
    for array in held:
        if array.shape == shape and not any(np.array_equal(array, d, equal_nan=True) for d in distinct):
            distinct.append(array)
    distinct.sort(key=lambda a: tuple(np.round(np.nan_to_num(a), 9).ravel().tolist()))
    return np.array(distinct[:HELD_AT_MOST]).reshape(-1, *shape) if distinct else np.zeros((0, *shape))


def _cache(layer, x: np.ndarray, n_out: int) -> Observations:
    """What a layer holds after forward(x), whatever it calls it: ``held_in`` (k, n, in), the distinct
    arrays of x's shape, and ``held_out`` (m, n, out), those of the output's shape (z and f(z), say)."""
    shapes = (tuple(x.shape), (x.shape[0], n_out))
    held = _held(layer, shapes)
    return {"held_in": _held_of_shape(held, shapes[0]), "held_out": _held_of_shape(held, shapes[1])}


# --- activations --------------------------------------------------------------

def activation_forward(ns, params, arrays) -> Observations:
    """``<activation>.forward(x)``; params: ``activation`` (a class name).

    Inputs: ``x`` any shape S.
    Observations: ``out`` S (the return value), ``x_after`` S (the caller's x afterwards).
    """
    x = arrays["x"].copy()
    out = _class(ns, params["activation"])().forward(x)
    return {"out": observed(out, f"{params['activation']}.forward(x)"), "x_after": x}


def activation_backward(ns, params, arrays) -> Observations:
    """``<activation>.backward(x)``, the derivative at the pre-activation x.

    Inputs: ``x`` any shape S.
    Observations: ``out`` S, ``x_after`` S.
    """
    x = arrays["x"].copy()
    out = _class(ns, params["activation"])().backward(x)
    return {"out": observed(out, f"{params['activation']}.backward(x)"), "x_after": x}


def activation_gradcheck(ns, params, arrays) -> Observations:
    """``<activation>.backward(x)``, for a gradient check: only what backward gives.

    Inputs: ``x`` (r, c), ``h`` scalar.
    Observations: ``grad`` (r, c) = backward(x). The numerical side it is compared with, ``plus_x`` and
    ``minus_x`` (r, c) = forward(x + h) and forward(x - h), is the reference's (:func:`activation_nudged`,
    run on the reference only): a broken forward costs this check nothing.
    """
    x = arrays["x"].copy()
    return {"grad": observed(_class(ns, params["activation"])().backward(x), f"{params['activation']}.backward(x)")}


def activation_nudged(ns, params, arrays) -> Observations:
    """forward at x + h and x - h: the numerical side of :func:`activation_gradcheck`, run on the reference.

    Inputs: ``x`` (r, c), ``h`` scalar.
    Observations: ``plus_x`` (r, c) = forward(x + h), ``minus_x`` (r, c) = forward(x - h).
    """
    activation = _class(ns, params["activation"])()
    x, h = arrays["x"], float(arrays["h"])
    name = params["activation"]
    return {
        "plus_x": observed(activation.forward(x + h), f"{name}.forward(x)"),
        "minus_x": observed(activation.forward(x - h), f"{name}.forward(x)"),
    }


# --- Layer ---------------------------------------------------------------------

def layer_forward(ns, params, arrays) -> Observations:
    """``Layer.forward(x)`` with the test activation f(z) = z + z**3/3.

    Inputs: ``x`` (n, in), ``weights`` (in, out), ``bias`` (1, out), (``grad_output`` (n, out): unused).
    Observations: ``out`` (n, out), ``x_after`` (n, in), ``weights_after`` (in, out), ``bias_after`` (1, out);
    what the layer holds afterwards for backward, under any names: ``held_in`` (k, n, in) and ``held_out``
    (m, n, out) (see :func:`_cache`).
    """
    layer = _new_layer(ns, arrays["weights"], arrays["bias"], CubicActivation())
    x = arrays["x"].copy()
    out = layer.forward(x)
    return {
        "out": observed(out, "Layer.forward(x)"),
        "x_after": x,
        "weights_after": observed(layer.weights, "layer.weights"),
        "bias_after": observed(layer.bias, "layer.bias"),
        **_cache(layer, x, arrays["weights"].shape[1]),
    }


def _unpack_gradients(result) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        what = "None" if result is None else f"a {type(result).__name__}"
        raise ContractError(
            f"Layer.backward returned {what}; it should return a tuple (grad_input, grad_weights, grad_bias)"
        )
    return tuple(result)


def layer_backward(ns, params, arrays) -> Observations:
    """``Layer.forward(x)`` then ``Layer.backward(grad_output)``, test activation f(z) = z + z**3/3.

    Inputs: ``x`` (n, in), ``weights`` (in, out), ``bias`` (1, out), ``grad_output`` (n, out).
    Observations: ``grad_input`` (n, in), ``grad_weights`` (in, out), ``grad_bias`` (1, out);
    ``weights_after`` (in, out), ``bias_after`` (1, out), ``grad_output_after`` (n, out), ``x_after`` (n, in);
    ``held_in`` (k, n, in), ``held_out`` (m, n, out): what the layer held between forward and backward.
    """
    layer = _new_layer(ns, arrays["weights"], arrays["bias"], CubicActivation())
    x = arrays["x"].copy()
    grad_output = arrays["grad_output"].copy()
    layer.forward(x)
    held = _cache(layer, x, arrays["weights"].shape[1])
    grad_input, grad_weights, grad_bias = _unpack_gradients(layer.backward(grad_output))
    return {
        "grad_input": observed(grad_input, "grad_input from Layer.backward"),
        "grad_weights": observed(grad_weights, "grad_weights from Layer.backward"),
        "grad_bias": observed(grad_bias, "grad_bias from Layer.backward"),
        "weights_after": observed(layer.weights, "layer.weights"),
        "bias_after": observed(layer.bias, "layer.bias"),
        "grad_output_after": grad_output,
        "x_after": x,
        **held,
    }


def layer_gradcheck(ns, params, arrays) -> Observations:
    """``Layer.forward(x)`` then ``Layer.backward(probe)``, for a gradient check of the loss sum(probe * forward(x)).

    Inputs: ``x`` (n, in), ``weights`` (in, out), ``bias`` (1, out), ``probe`` (n, out), ``h`` scalar.
    Observations: ``grad_x`` (n, in), ``grad_weights`` (in, out), ``grad_bias`` (1, out) from backward;
    ``held_in`` (k, n, in), ``held_out`` (m, n, out) as in :func:`layer_backward`. The numerical side,
    ``plus_<p>`` and ``minus_<p>`` of p's shape for p in x, weights, bias (the loss with that entry nudged up
    or down), is the reference's (:func:`layer_nudged`, run on the reference only): the student's forward
    runs once, for the cache backward reads, and is not differentiated.
    """
    x, weights, bias, probe = arrays["x"], arrays["weights"], arrays["bias"], arrays["probe"]
    layer = _new_layer(ns, weights, bias, CubicActivation())
    x = x.copy()
    layer.forward(x)
    held = _cache(layer, x, weights.shape[1])
    grad_input, grad_weights, grad_bias = _unpack_gradients(layer.backward(probe.copy()))
    return {
        "grad_x": observed(grad_input, "grad_input from Layer.backward"),
        "grad_weights": observed(grad_weights, "grad_weights from Layer.backward"),
        "grad_bias": observed(grad_bias, "grad_bias from Layer.backward"),
        **held,
    }


def layer_nudged(ns, params, arrays) -> Observations:
    """The loss sum(probe * forward(x)) with each entry of x, W, b nudged by +-h: the numerical side of
    :func:`layer_gradcheck`, run on the reference, test activation f(z) = z + z**3/3.

    Inputs: ``x`` (n, in), ``weights`` (in, out), ``bias`` (1, out), ``probe`` (n, out), ``h`` scalar.
    Observations: ``plus_<p>``, ``minus_<p>`` of p's shape for p in x, weights, bias.
    """
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
        observations[f"plus_{name}"] = plus
        observations[f"minus_{name}"] = minus
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
    """``NeuralNetwork.forward(x)`` over L stand-in layers.

    Inputs: ``x`` (n, sizes[0]), ``weights_<i>`` (sizes[i], sizes[i+1]) and ``bias_<i>`` (1, sizes[i+1])
    for i < L, (``grad_output``, ``learning_rate``: unused).
    Observations: ``out`` (n, sizes[L]), ``calls`` (k,) the call log (+i+1: layer i's forward,
    -(i+1): its backward), ``x_after`` (n, sizes[0]).
    """
    network, stand_ins, log = _network_of_stand_ins(ns, arrays)
    x = arrays["x"].copy()
    out = network.forward(x)
    return {"out": observed(out, "NeuralNetwork.forward(x)"), "calls": _log_codes(log), "x_after": x}


def network_backward(ns, params, arrays) -> Observations:
    """``NeuralNetwork.backward(grad_output, learning_rate)`` over L stand-in layers, their caches primed.

    Inputs: as :func:`network_forward`, plus ``grad_output`` (n, sizes[L]) and ``learning_rate`` scalar.
    Observations: ``calls`` (k,), ``grad_output_after`` (n, sizes[L]); for each layer i, ``weights_<i>``
    and ``bias_<i>`` after the update, and ``received_<i>`` (n, sizes[i+1]): the gradient first handed to
    its backward ((0,) if never asked).
    """
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
        received = layer.grad_outputs[0] if layer.grad_outputs else np.zeros((0,))
        observations[f"received_{i}"] = observed(received, f"the gradient handed to layer {i}")
    return observations


# --- whole network ---------------------------------------------------------------

def xor_training(ns, params, arrays) -> Observations:
    """The given training loop on XOR, from explicitly set initial weights (no global RNG).

    Builds ``NeuralNetwork([2, hidden, 1], [ReLU(), Sigmoid()])`` from the student's classes.
    Inputs: ``weights_0`` (2, hidden), ``bias_0`` (1, hidden), ``weights_1`` (hidden, 1), ``bias_1`` (1, 1),
    ``learning_rate`` scalar, ``epochs`` scalar E.
    Observations: ``losses`` (E,) the loss before each epoch's update, ``output`` (4, 1) after training,
    ``weights_<i>``, ``bias_<i>`` after training.
    """
    hidden = arrays["weights_0"].shape[1]
    network = _class(ns, "NeuralNetwork")([2, hidden, 1], [_class(ns, "ReLU")(), _class(ns, "Sigmoid")()])
    for i, layer in enumerate(network.layers):
        layer.weights = arrays[f"weights_{i}"].copy()
        layer.bias = arrays[f"bias_{i}"].copy()
    learning_rate = float(arrays["learning_rate"])
    epochs = int(arrays["epochs"])
    losses = np.empty(epochs)
    # Each epoch's output (a copy) is kept and the losses computed at the end, all at once: the same
    # values, in a fraction of the time. An output of another shape broadcasts: its loss is computed at once.
    outputs, kept = np.zeros((epochs, *XOR_Y.shape)), np.zeros(epochs, dtype=bool)
    with np.errstate(all="ignore"):
        for epoch in range(epochs):
            output = observed(network.forward(XOR_X.copy()), "NeuralNetwork.forward(X)")
            if output.shape == XOR_Y.shape:
                outputs[epoch], kept[epoch] = output, True
            else:
                losses[epoch] = binary_cross_entropy(output, XOR_Y)
            network.backward(binary_cross_entropy_grad(output, XOR_Y), learning_rate)
        output = observed(network.forward(XOR_X.copy()), "NeuralNetwork.forward(X)")
        losses[kept] = binary_cross_entropy(outputs[kept], XOR_Y, axis=(1, 2))
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
        activation_nudged,
        layer_forward,
        layer_backward,
        layer_gradcheck,
        layer_nudged,
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
    """Run a scenario on every case; raise StudentCodeError with an explanation.

    ``namespace``: the code under test, a dict, or a ``LoadedSubmission`` (then an error
    also says what went wrong while loading the names it mentions).
    """
    loaded = namespace if hasattr(namespace, "missing_because") else None
    namespace = loaded.namespace if loaded is not None else namespace
    scenario = SCENARIOS[name]
    observations = []
    for case in cases:
        try:
            with quietly():
                observations.append(scenario(namespace, params, {k: np.array(v) for k, v in case.items()}))
        except BaseException as exc:  # SystemExit, KeyboardInterrupt, pytest's skip: all failures here
            error = explain(exc, method)
            if loaded is not None:
                error.explained_by_loading(loaded.missing_because, loaded.notes)
            raise error from None
    return observations
