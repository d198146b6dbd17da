"""Public checks: their inputs are fixed and shown to students in every message.

Each check's id, name, points, inputs and hint sit together here: this is the
one place they are written. The notebook's test cells, the stored expectations
and the exercise are generated from it by ``python -m autograder refresh``.
"""

from __future__ import annotations

import numpy as np

from .judges import Caches, Gradient, NetworkCalls, Unchanged, Values, XorLearns, XorLossCurve
from . import Check

H = np.array(1e-5)  # step for central differences, in float64


def _a(rows) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


# --- inputs -------------------------------------------------------------------------

def near_zero_case():
    # Just above and just below 0: a threshold other than 0 (x > 1e-4, say) shows here.
    return {"x": _a([[1e-9, -1e-9, 1e-6, -1e-6, 1e-4, -1e-4]])}


def relu_forward_cases():
    return [{"x": _a([[-3.0, -0.5, 0.0, 0.25, 2.0], [1.5, -1e-3, 4.0, -2.0, 0.0]])}, near_zero_case()]


def relu_backward_cases():
    # No exact zeros: the derivative at the kink is a convention, not graded.
    return [{"x": _a([[-3.0, -0.5, 0.25, 2.0], [1.5, -1e-3, 4.0, -2.0]])}, near_zero_case()]


def relu_gradcheck_cases():
    rng = np.random.default_rng(101)
    x = rng.uniform(0.1, 3.0, size=(3, 4)) * rng.choice([-1.0, 1.0], size=(3, 4))  # away from the kink
    return [{"x": x, "h": H}]


def sigmoid_cases():
    return [{"x": _a([[-4.0, -1.0, 0.0, 0.5, 3.0], [2.0, -0.25, 1.0, -6.0, 0.1]])}]


def sigmoid_large_cases():
    return [{"x": _a([[-1000.0, -100.0, -30.0, 0.0, 30.0, 100.0, 1000.0]])}]


def sigmoid_gradcheck_cases():
    rng = np.random.default_rng(102)
    return [{"x": rng.uniform(-5.0, 5.0, size=(3, 4)), "h": H}]


def layer_case():
    # Non-square weights and a non-zero bias: a missing `+ bias` or a transpose shows.
    return {
        "x": _a([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]),
        "weights": _a([[0.2, -0.4, 0.1, 0.3], [0.5, 0.05, -0.2, 0.4], [-0.3, 0.2, 0.25, -0.1]]),
        "bias": _a([[0.1, -0.2, 0.3, 0.05]]),
        "grad_output": _a([[1.0, -0.5, 0.25, 2.0], [-1.5, 0.75, 1.0, -0.25]]),
    }


def layer_cases():
    return [layer_case()]


def layer_gradcheck_cases():
    rng = np.random.default_rng(103)
    return [{
        "x": rng.uniform(-1, 1, size=(3, 4)),
        "weights": rng.uniform(-1, 1, size=(4, 2)),
        "bias": rng.uniform(-1, 1, size=(1, 2)),
        "probe": rng.uniform(-1, 1, size=(3, 2)),
        "h": H,
    }]


def network_case():
    rng = np.random.default_rng(104)
    sizes = [3, 4, 2, 3]
    case = {"x": rng.uniform(-1, 1, size=(2, 3)), "grad_output": rng.uniform(-1, 1, size=(2, 3)),
            "learning_rate": np.array(0.05)}
    for i in range(3):
        case[f"weights_{i}"] = rng.uniform(-1, 1, size=(sizes[i], sizes[i + 1]))
        case[f"bias_{i}"] = rng.uniform(-1, 1, size=(1, sizes[i + 1]))
    return case


def network_cases():
    return [network_case()]


XOR_HIDDEN, XOR_EPOCHS, XOR_LEARNING_RATE = 16, 1000, 0.5
XOR_SEED, XOR_HIDDEN_BIAS = 7, 0.1  # the start: numpy's default_rng(XOR_SEED); the notebook states these figures


def xor_start(seed: int = XOR_SEED) -> dict:
    """A He-initialised 2-16-1 start, set explicitly so no global RNG is involved."""
    rng = np.random.default_rng(seed)
    return {
        "weights_0": rng.standard_normal((2, XOR_HIDDEN)) * np.sqrt(2 / 2),
        "bias_0": np.full((1, XOR_HIDDEN), XOR_HIDDEN_BIAS),
        "weights_1": rng.standard_normal((XOR_HIDDEN, 1)) * np.sqrt(2 / XOR_HIDDEN),
        "bias_1": np.zeros((1, 1)),
        "learning_rate": np.array(XOR_LEARNING_RATE),
        "epochs": np.array(XOR_EPOCHS),
    }


def xor_cases():
    return [xor_start()]


# --- hints: what to look at next ----------------------------------------------------------

RELU_FORWARD = "ReLU.forward(x) is max(0, x) entry by entry: np.maximum(0, x), with 0 itself as the threshold."
RELU_BACKWARD = ("ReLU.backward(x) is the derivative at the pre-activation x: 1 where x > 0, however small x is, "
                 "0 where x < 0 (not ReLU(x) itself).")
SIGMOID_FORWARD = "Sigmoid.forward(x) is 1 / (1 + exp(-x)), entry by entry."
SIGMOID_BACKWARD = ("Sigmoid.backward(x) is s * (1 - s) with s = Sigmoid.forward(x): evaluate it at the "
                    "pre-activation x, not at an output.")
UNCHANGED = "Compute a new array (np.maximum, arithmetic) instead of assigning into the caller's array."
LAYER_CACHE = ("Layer.forward must keep what Layer.backward reads: x (self.input = x) and the pre-activation "
               "z = x @ self.weights + self.bias (self.activation_input = z), and must not write into them "
               "afterwards: compute the output into a new array, self.output = self.activation.forward(z).")
NETWORK_FORWARD_UNCHANGED = ("NeuralNetwork.forward hands x to the first layer, which keeps it for backward: "
                             "never write into x (no x[...] = ..., x *= ..., x.fill(...)).")
NETWORK_BACKWARD_UNCHANGED = ("NeuralNetwork.backward reads grad_output and passes gradients on; it must not "
                              "write into the grad_output it is given (no grad_output[...] = ..., "
                              "grad_output *= ..., grad_output.fill(...)), even after using it.")
LAYER_FORWARD = ("Layer.forward computes z = x @ self.weights + self.bias (shape (batch, out)), caches x and z, "
                 "and returns self.activation.forward(z).")
LAYER_BACKWARD = ("In Layer.backward: grad_z = grad_output * self.activation.backward(z) with the cached "
                  "pre-activation z; grad_weights = input.T @ grad_z; grad_bias = grad_z summed over the batch "
                  "with keepdims=True; grad_input = grad_z @ self.weights.T.")
GRAD_Z = "with grad_z = grad_output * self.activation.backward(z) at the cached pre-activation z"
# When one gradient is wrong, the part of the recipe that makes it.
LAYER_GRADIENTS = {
    "grad_input": f"grad_input = grad_z @ self.weights.T (shape (batch, in)), {GRAD_Z}.",
    "grad_weights": f"grad_weights = input.T @ grad_z (the weights' shape (in, out)), {GRAD_Z}.",
    "grad_bias": f"grad_bias = grad_z summed over the batch with keepdims=True (shape (1, out)), {GRAD_Z}.",
}
LAYER_TEST_ACTIVATION = " (These checks give the layer a test activation f(z) = z + z**3/3, f'(z) = 1 + z**2.)"
SIGMOID_FORWARD_LARGE = ("For x = -1000, exp(-x) overflows to inf and 1 / (1 + inf) = 0.0 is still right (numpy only "
                         "warns); a formula like exp(x) / (1 + exp(x)) gives inf / inf = nan.")
SIGMOID_BACKWARD_LARGE = ("For x = -1000, s = 1 / (1 + exp(1000)) = 1 / inf = 0.0 and s * (1 - s) = 0.0 is right "
                          "(numpy only warns); a form like exp(-x) / (1 + exp(-x))**2 gives inf / inf = nan. Compute "
                          "s = Sigmoid.forward(x) first, then s * (1 - s) (if Sigmoid.forward fails its large-input "
                          "check, fix that first: s comes from it).")
LAYER_UNCHANGED = ("Layer.backward only computes gradients: it must not change self.weights or self.bias "
                   "(NeuralNetwork.backward does the update) nor the arrays it is given.")
NETWORK_FORWARD = "NeuralNetwork.forward feeds x through self.layers in order and returns the last layer's output."
NETWORK_BACKWARD = ("NeuralNetwork.backward walks self.layers in reverse: call layer.backward(grad) once, then "
                    "update layer.weights -= learning_rate * grad_weights and layer.bias -= learning_rate * "
                    "grad_bias, and pass grad_input on to the previous layer.")
# Shown only when no unit check fails (else the XOR messages name those): what the unit checks cannot see.
XOR = ("The unit checks grade each class alone, so look at what only the whole network does: NeuralNetwork.__init__ "
       "(one Layer per pair of sizes, each with its own activation, in order) and real layers working together "
       "(nothing shared between them, such as a cache kept on the class instead of on self).")


PUBLIC_CHECKS = [
    Check("relu_forward_public_values", "ReLU.forward: public values", 2, "activation_forward", relu_forward_cases,
          Values({"out": "ReLU.forward(x)"}, ("x",)), RELU_FORWARD, {"activation": "ReLU"}),
    Check("relu_forward_leaves_its_input_unchanged", "ReLU.forward: leaves its input unchanged", 1, "activation_forward", relu_forward_cases,
          Unchanged({"x_after": "x"}, {"x_after": "The input x"}), UNCHANGED, {"activation": "ReLU"}),
    Check("relu_backward_public_values", "ReLU.backward: public values", 2, "activation_backward", relu_backward_cases,
          Values({"out": "ReLU.backward(x)"}, ("x",)), RELU_BACKWARD, {"activation": "ReLU"}),
    Check("relu_backward_gradient_check", "ReLU.backward: gradient check", 2, "activation_gradcheck", relu_gradcheck_cases,
          Gradient({"grad": "x"}, {"grad": "ReLU.backward(x)"}, "activation_nudged"), RELU_BACKWARD,
          {"activation": "ReLU"}),
    Check("relu_backward_leaves_its_input_unchanged", "ReLU.backward: leaves its input unchanged", 1, "activation_backward", relu_backward_cases,
          Unchanged({"x_after": "x"}, {"x_after": "The input x"}), UNCHANGED, {"activation": "ReLU"}),

    Check("sigmoid_forward_public_values", "Sigmoid.forward: public values", 3, "activation_forward", sigmoid_cases,
          Values({"out": "Sigmoid.forward(x)"}, ("x",)), SIGMOID_FORWARD, {"activation": "Sigmoid"}),
    Check("sigmoid_forward_large_inputs_stay_finite", "Sigmoid.forward: large inputs stay finite", 2, "activation_forward", sigmoid_large_cases,
          Values({"out": "Sigmoid.forward(x)"}, ("x",), large_input_hint=SIGMOID_FORWARD_LARGE), SIGMOID_FORWARD,
          {"activation": "Sigmoid"}),
    Check("sigmoid_forward_leaves_its_input_unchanged", "Sigmoid.forward: leaves its input unchanged", 1, "activation_forward", sigmoid_cases,
          Unchanged({"x_after": "x"}, {"x_after": "The input x"}), UNCHANGED, {"activation": "Sigmoid"}),
    Check("sigmoid_backward_public_values", "Sigmoid.backward: public values", 3, "activation_backward", sigmoid_cases,
          Values({"out": "Sigmoid.backward(x)"}, ("x",)), SIGMOID_BACKWARD, {"activation": "Sigmoid"}),
    Check("sigmoid_backward_large_inputs_stay_finite", "Sigmoid.backward: large inputs stay finite", 2, "activation_backward", sigmoid_large_cases,
          Values({"out": "Sigmoid.backward(x)"}, ("x",), large_input_hint=SIGMOID_BACKWARD_LARGE), SIGMOID_BACKWARD,
          {"activation": "Sigmoid"}),
    Check("sigmoid_backward_gradient_check", "Sigmoid.backward: gradient check", 2, "activation_gradcheck", sigmoid_gradcheck_cases,
          Gradient({"grad": "x"}, {"grad": "Sigmoid.backward(x)"}, "activation_nudged"), SIGMOID_BACKWARD,
          {"activation": "Sigmoid"}),
    Check("sigmoid_backward_leaves_its_input_unchanged", "Sigmoid.backward: leaves its input unchanged", 1, "activation_backward", sigmoid_cases,
          Unchanged({"x_after": "x"}, {"x_after": "The input x"}), UNCHANGED, {"activation": "Sigmoid"}),

    Check("layer_forward_public_values", "Layer.forward: public values", 5, "layer_forward", layer_cases,
          Values({"out": "Layer.forward(x)"}, ("x", "weights", "bias")),
          LAYER_FORWARD + " (These checks give the layer a test activation f(z) = z + z**3/3.)"),
    Check("layer_forward_leaves_inputs_and_parameters_unchanged", "Layer.forward: leaves inputs and parameters unchanged", 2, "layer_forward", layer_cases,
          Unchanged({"x_after": "x", "weights_after": "weights", "bias_after": "bias"},
                    {"x_after": "The input x", "weights_after": "self.weights", "bias_after": "self.bias"}),
          "Layer.forward computes a new array; it must not write into x, self.weights or self.bias."),
    Check("layer_forward_keeps_x_and_z_for_backward", "Layer.forward: keeps x and z for backward", 2, "layer_forward", layer_cases,
          Caches(("x", "weights", "bias")), LAYER_CACHE),
    Check("layer_backward_public_values", "Layer.backward: public values", 6, "layer_backward", layer_cases,
          Values({"grad_input": "grad_input", "grad_weights": "grad_weights", "grad_bias": "grad_bias"},
                 ("x", "weights", "bias", "grad_output"), forward_cache=True,
                 hints={key: hint + LAYER_TEST_ACTIVATION for key, hint in LAYER_GRADIENTS.items()}),
          LAYER_BACKWARD + LAYER_TEST_ACTIVATION),
    Check("layer_backward_gradient_check", "Layer.backward: gradient check", 6, "layer_gradcheck", layer_gradcheck_cases,
          Gradient({"grad_x": "x", "grad_weights": "weights", "grad_bias": "bias"},
                   {"grad_x": "grad_input", "grad_weights": "grad_weights", "grad_bias": "grad_bias"},
                   "layer_nudged", forward_cache=True,
                   hints={"grad_x": LAYER_GRADIENTS["grad_input"], "grad_weights": LAYER_GRADIENTS["grad_weights"],
                          "grad_bias": LAYER_GRADIENTS["grad_bias"]}),
          LAYER_BACKWARD),
    Check("layer_backward_leaves_parameters_and_inputs_unchanged", "Layer.backward: leaves parameters and inputs unchanged", 4, "layer_backward", layer_cases,
          Unchanged({"weights_after": "weights", "bias_after": "bias", "grad_output_after": "grad_output",
                     "x_after": "x"},
                    {"weights_after": "self.weights", "bias_after": "self.bias",
                     "grad_output_after": "The grad_output argument", "x_after": "The cached input x"}),
          LAYER_UNCHANGED),

    Check("neuralnetwork_forward_public_chain_of_layers", "NeuralNetwork.forward: public chain of layers", 4, "network_forward", network_cases,
          NetworkCalls({"out": "NeuralNetwork.forward(x)"}, ("x",)),
          NETWORK_FORWARD + " (These checks fill the network with stand-in layers that return made-up gradients: pass on and apply whatever each layer returns.)"),
    Check("neuralnetwork_forward_leaves_its_input_unchanged", "NeuralNetwork.forward: leaves its input unchanged", 1, "network_forward", network_cases,
          Unchanged({"x_after": "x"}, {"x_after": "The input x"}), NETWORK_FORWARD_UNCHANGED),
    Check("neuralnetwork_backward_public_update", "NeuralNetwork.backward: public update", 5, "network_backward", network_cases,
          Values({f"{kind}_{i}": f"layers[{i}].{kind} after backward" for i in (2, 1, 0) for kind in ("weights", "bias")},
                 ("x", "grad_output", "learning_rate")),
          NETWORK_BACKWARD + " (These checks fill the network with stand-in layers that return made-up gradients: pass on and apply whatever each layer returns.)"),
    Check("neuralnetwork_backward_gradient_flow_through_the_layers", "NeuralNetwork.backward: gradient flow through the layers", 4, "network_backward", network_cases,
          NetworkCalls({f"received_{i}": f"the gradient handed to layers[{i}].backward" for i in (2, 1, 0)},
                       ("x", "grad_output")), NETWORK_BACKWARD),
    Check("neuralnetwork_backward_leaves_its_input_unchanged", "NeuralNetwork.backward: leaves its input unchanged", 1, "network_backward", network_cases,
          Unchanged({"grad_output_after": "grad_output"}, {"grad_output_after": "The grad_output argument"}),
          NETWORK_BACKWARD_UNCHANGED),

    Check("xor_training_loss_follows_the_reference", "XOR training: loss follows the reference", 8, "xor_training", xor_cases, XorLossCurve(epochs=200),
          XOR + " The loss is compared for the first 200 epochs."),
    Check("xor_training_learns_xor", "XOR training: learns XOR", 12, "xor_training", xor_cases, XorLearns(), XOR),
]
