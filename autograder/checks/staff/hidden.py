"""Hidden checks: random inputs that students never see.

Teaching staff only: the ``staff`` folder is left out of everything students receive. Messages from these checks describe inputs by shape and size,
never by value (see ``judges.describe_inputs``).
"""

from __future__ import annotations

import numpy as np

from ..judges import NetworkCalls, Values
from .. import Check
from ..public import LAYER_BACKWARD, LAYER_FORWARD, LAYER_GRADIENTS, NETWORK_BACKWARD, NETWORK_FORWARD, RELU_BACKWARD, \
    RELU_FORWARD, SIGMOID_BACKWARD, SIGMOID_FORWARD

SEED = 20261125


def _wide_values(rng, shape) -> np.ndarray:
    """Ordinary values mixed with large ones, |x| up to 1000, never exactly 0."""
    x = rng.normal(0, 3, size=shape)
    large = rng.random(shape) < 0.3
    x[large] = rng.uniform(-1000, 1000, size=int(large.sum()))
    x[np.abs(x) < 1e-3] = 0.5
    return x


def activation_cases():
    rng = np.random.default_rng(SEED)
    return [{"x": _wide_values(rng, shape)} for shape in ((1, 7), (9, 4), (5, 1))]


def layer_cases():
    rng = np.random.default_rng(SEED + 1)
    cases = []
    for batch, n_in, n_out in ((1, 5, 2), (7, 2, 6), (4, 3, 3)):
        cases.append({
            "x": rng.uniform(-1.5, 1.5, size=(batch, n_in)),
            "weights": rng.uniform(-0.8, 0.8, size=(n_in, n_out)),
            "bias": rng.uniform(-0.5, 0.5, size=(1, n_out)),
            "grad_output": rng.uniform(-2, 2, size=(batch, n_out)),
        })
    return cases


def network_cases():
    rng = np.random.default_rng(SEED + 2)
    cases = []
    for batch, sizes in ((1, [4, 3]), (5, [2, 5, 1]), (3, [3, 2, 4, 2, 3])):
        case = {"x": rng.uniform(-1, 1, size=(batch, sizes[0])),
                "grad_output": rng.uniform(-1, 1, size=(batch, sizes[-1])),
                "learning_rate": np.array(rng.uniform(0.02, 0.3))}
        for i in range(len(sizes) - 1):
            case[f"weights_{i}"] = rng.uniform(-1, 1, size=(sizes[i], sizes[i + 1]))
            case[f"bias_{i}"] = rng.uniform(-1, 1, size=(1, sizes[i + 1]))
        cases.append(case)
    return cases


# Last layer first: that is where backward starts, and where its mistakes show first.
NETWORK_UPDATES = {f"{kind}_{i}": f"layers[{i}].{kind} after backward" for i in (3, 2, 1, 0) for kind in ("weights", "bias")}


HIDDEN_CHECKS = [
    Check("relu_forward_hidden_random_inputs", "ReLU.forward: hidden random inputs", 2, "activation_forward", activation_cases,
          Values({"out": "ReLU.forward(x)"}, ("x",)), RELU_FORWARD, {"activation": "ReLU"}, hidden=True),
    Check("relu_backward_hidden_random_inputs", "ReLU.backward: hidden random inputs", 2, "activation_backward", activation_cases,
          Values({"out": "ReLU.backward(x)"}, ("x",)), RELU_BACKWARD, {"activation": "ReLU"}, hidden=True),
    Check("sigmoid_forward_hidden_random_inputs", "Sigmoid.forward: hidden random inputs", 2, "activation_forward", activation_cases,
          Values({"out": "Sigmoid.forward(x)"}, ("x",)), SIGMOID_FORWARD, {"activation": "Sigmoid"}, hidden=True),
    Check("sigmoid_backward_hidden_random_inputs", "Sigmoid.backward: hidden random inputs", 2, "activation_backward", activation_cases,
          Values({"out": "Sigmoid.backward(x)"}, ("x",)), SIGMOID_BACKWARD, {"activation": "Sigmoid"}, hidden=True),
    Check("layer_forward_hidden_random_batches", "Layer.forward: hidden random batches", 4, "layer_forward", layer_cases,
          Values({"out": "Layer.forward(x)"}, ("x", "weights", "bias")), LAYER_FORWARD, hidden=True),
    Check("layer_backward_hidden_random_batches", "Layer.backward: hidden random batches", 6, "layer_backward", layer_cases,
          Values({"grad_input": "grad_input", "grad_weights": "grad_weights", "grad_bias": "grad_bias"},
                 ("x", "weights", "bias", "grad_output"), forward_cache=True, hints=LAYER_GRADIENTS),
          LAYER_BACKWARD, hidden=True),
    Check("neuralnetwork_forward_hidden_random_networks", "NeuralNetwork.forward: hidden random networks", 3, "network_forward", network_cases,
          NetworkCalls({"out": "NeuralNetwork.forward(x)"}, ("x",)),
          NETWORK_FORWARD, hidden=True),
    Check("neuralnetwork_backward_hidden_random_networks", "NeuralNetwork.backward: hidden random networks", 3, "network_backward", network_cases,
          Values(NETWORK_UPDATES, ("x", "grad_output", "learning_rate")),
          NETWORK_BACKWARD, hidden=True),
]
