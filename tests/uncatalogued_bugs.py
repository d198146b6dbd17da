"""A bug set the wrong-formula catalogue was not built from: single-point mutants of the reference.

Each mutant changes one line of one method, as a student might, and says which cause a message may
name for it (``Expect``): a catalogued mistake by its key, a relation between the student's result and
the right one (``autograder.checks.relations``) by its name and the observations it is seen in, or
``None`` for a formula error of none of those kinds (the plain message is then the right answer). Written
from what students get wrong, before the relations were: the measurement in
``test_uncatalogued_mistakes.py`` is only honest if this list is not fitted to the detectors. Six mutants
once labelled ``None`` are labelled with relations written after this set was seen (another function, a
sign inside, a term's sign, a wrong axis, ...): measured on this set they flatter, so
``heldout_bugs.py``, written before those relations, is measured beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from variants import Variant

RELU_FORWARD = "return np.maximum(0, x)"
RELU_BACKWARD = "return np.where(x > 0, 1.0, 0.0)"
SIGMOID_FORWARD = "return 1 / (1 + np.exp(-x))"
SIGMOID_BACKWARD = "return s * (1 - s)"
Z = "self.activation_input = x @ self.weights + self.bias"
OUTPUT = "self.output = self.activation.forward(self.activation_input)"
GRAD_Z = "grad_activation = grad_output * self.activation.backward(self.activation_input)"
GRAD_WEIGHTS = "grad_weights = self.input.T @ grad_activation"
GRAD_BIAS = "grad_bias = np.sum(grad_activation, axis=0, keepdims=True)"
GRAD_INPUT = "grad_input = grad_activation @ self.weights.T"
WEIGHT_STEP = "layer.weights -= learning_rate * grad_weights"
BIAS_STEP = "layer.bias -= learning_rate * grad_bias"


@dataclass(frozen=True)
class Expect:
    """The cause a message may name: ``mistake`` (a catalogued key) or ``relation`` seen in ``labels``;
    ``imprecise``: relations that are true of the mutant's results but do not name its mistake."""

    mistake: str = ""
    relation: str = ""
    labels: tuple[str, ...] = ()
    imprecise: tuple[str, ...] = ()


def mutant(name: str, old: str, new: str, owner: str, expect: Expect | None) -> tuple[Variant, Expect | None]:
    return Variant(name, ((old, new),), owner), expect


def seen(relation: str, *labels: str) -> Expect:
    return Expect(relation=relation, labels=labels)


RELU_OUT, RELU_DERIVATIVE = ("ReLU.forward(x)",), ("ReLU.backward(x)",)
SIGMOID_OUT, SIGMOID_DERIVATIVE = ("Sigmoid.forward(x)",), ("Sigmoid.backward(x)",)

MUTANTS = [
    # ReLU.forward
    mutant("relu_forward_leaky", RELU_FORWARD, "return np.where(x > 0, x, 0.01 * x)", "ReLU",
           seen("wrong_where_negative", *RELU_OUT)),
    mutant("relu_forward_abs", RELU_FORWARD, "return np.abs(x)", "ReLU", seen("wrong_where_negative", *RELU_OUT)),
    mutant("relu_forward_minimum", RELU_FORWARD, "return np.minimum(0, x)", "ReLU",
           seen("keeps_the_other_part", *RELU_OUT)),
    mutant("relu_forward_negated", RELU_FORWARD, "return -np.maximum(0, x)", "ReLU", seen("negated", *RELU_OUT)),
    mutant("relu_forward_doubled", RELU_FORWARD, "return 2 * np.maximum(0, x)", "ReLU", seen("times_2", *RELU_OUT)),
    mutant("relu_forward_returns_x", RELU_FORWARD, "return x", "ReLU", seen("is_the_input", *RELU_OUT)),
    # ReLU.backward
    mutant("relu_backward_negated", RELU_BACKWARD, "return np.where(x > 0, -1.0, 0.0)", "ReLU",
           seen("negated", *RELU_DERIVATIVE)),
    mutant("relu_backward_leaky", RELU_BACKWARD, "return np.where(x > 0, 1.0, 0.01)", "ReLU",
           seen("wrong_where_negative", *RELU_DERIVATIVE)),
    mutant("relu_backward_sign", RELU_BACKWARD, "return np.sign(x)", "ReLU",
           seen("wrong_where_negative", *RELU_DERIVATIVE)),
    mutant("relu_backward_ones", RELU_BACKWARD, "return np.ones_like(x)", "ReLU",
           seen("wrong_where_negative", *RELU_DERIVATIVE)),
    mutant("relu_backward_doubled", RELU_BACKWARD, "return np.where(x > 0, 2.0, 0.0)", "ReLU",
           seen("times_2", *RELU_DERIVATIVE)),
    # Sigmoid.forward
    mutant("sigmoid_forward_negated", SIGMOID_FORWARD, "return -1 / (1 + np.exp(-x))", "Sigmoid",
           seen("negated", *SIGMOID_OUT)),
    mutant("sigmoid_forward_tanh", SIGMOID_FORWARD, "return np.tanh(x)", "Sigmoid", seen("is_tanh", *SIGMOID_OUT)),
    mutant("sigmoid_forward_is_its_derivative", SIGMOID_FORWARD,
           "s = 1 / (1 + np.exp(-x))\n        return s * (1 - s)", "Sigmoid",
           Expect(mistake="sigmoid_forward_is_derivative")),
    mutant("sigmoid_forward_transposed", SIGMOID_FORWARD, "return (1 / (1 + np.exp(-x))).T", "Sigmoid",
           seen("transposed", *SIGMOID_OUT)),
    mutant("sigmoid_forward_minus_in_denominator", SIGMOID_FORWARD, "return 1 / (1 - np.exp(-x))", "Sigmoid", None),
    # Sigmoid.backward
    mutant("sigmoid_backward_negated", SIGMOID_BACKWARD, "return -s * (1 - s)", "Sigmoid",
           seen("negated", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_s_minus_one", SIGMOID_BACKWARD, "return s * (s - 1)", "Sigmoid",
           seen("negated", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_doubled", SIGMOID_BACKWARD, "return 2 * s * (1 - s)", "Sigmoid",
           seen("times_2", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_per_example", SIGMOID_BACKWARD, "return s * (1 - s) / len(x)", "Sigmoid",
           seen("divided_by_batch", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_one_minus_s", SIGMOID_BACKWARD, "return 1 - s", "Sigmoid",
           seen("derivative_factor_missing", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_plus", SIGMOID_BACKWARD, "return s * (1 + s)", "Sigmoid",
           seen("derivative_sign_inside", *SIGMOID_DERIVATIVE)),
    # Layer.forward
    mutant("layer_forward_bias_subtracted", Z, "self.activation_input = x @ self.weights - self.bias", "Layer",
           seen("term_sign_flipped", "Layer.forward(x)")),
    mutant("layer_forward_applies_the_derivative", OUTPUT,
           "self.output = self.activation.backward(self.activation_input)", "Layer",
           Expect(mistake="layer_forward_derivative_for_activation")),
    mutant("layer_forward_transposed", "return self.output", "return self.output.T", "Layer",
           seen("transposed", "Layer.forward(x)")),
    mutant("layer_forward_activation_twice", OUTPUT,
           "self.output = self.activation.forward(self.activation.forward(self.activation_input))", "Layer",
           Expect(mistake="layer_forward_activation_twice")),
    mutant("layer_forward_caches_the_output_as_z", OUTPUT,
           "self.output = self.activation.forward(self.activation_input)\n"
           "        self.activation_input = self.output", "Layer",
           Expect(mistake="layer_forward_overwrites_pre_activation")),
    # Layer.backward
    mutant("layer_backward_input_gradient_skips_the_derivative", GRAD_INPUT,
           "grad_input = grad_output @ self.weights.T", "Layer",
           Expect(mistake="layer_backward_no_derivative", labels=("grad_input",))),
    mutant("layer_backward_weight_gradient_skips_the_derivative", GRAD_WEIGHTS,
           "grad_weights = self.input.T @ grad_output", "Layer",
           Expect(mistake="layer_backward_no_derivative", labels=("grad_weights",))),
    mutant("layer_backward_bias_gradient_skips_the_derivative", GRAD_BIAS,
           "grad_bias = np.sum(grad_output, axis=0, keepdims=True)", "Layer",
           Expect(mistake="layer_backward_no_derivative", labels=("grad_bias",))),
    mutant("layer_backward_input_gradient_negated", GRAD_INPUT, "grad_input = -grad_activation @ self.weights.T",
           "Layer", seen("negated", "grad_input")),
    mutant("layer_backward_weight_gradient_doubled", GRAD_WEIGHTS, "grad_weights = 2 * self.input.T @ grad_activation",
           "Layer", seen("times_2", "grad_weights")),
    mutant("layer_backward_forward_for_the_derivative", GRAD_Z,
           "grad_activation = grad_output * self.activation.forward(self.activation_input)", "Layer",
           Expect(mistake="layer_backward_forward_for_derivative")),
    mutant("layer_backward_input_gradient_per_example", GRAD_INPUT,
           "grad_input = grad_activation @ self.weights.T / len(grad_output)", "Layer",
           seen("divided_by_batch", "grad_input")),
    mutant("layer_backward_returns_in_the_wrong_order", "return grad_input, grad_weights, grad_bias",
           "return grad_weights, grad_input, grad_bias", "Layer", seen("swapped", "grad_input", "grad_weights")),
    mutant("layer_backward_weight_gradient_transposed_afterwards", GRAD_WEIGHTS,
           "grad_weights = (self.input.T @ grad_activation).T", "Layer",
           Expect(mistake="layer_backward_weights_transposed")),
    mutant("layer_backward_bias_summed_over_features", GRAD_BIAS,
           "grad_bias = np.sum(grad_activation, axis=1, keepdims=True)", "Layer",
           seen("summed_over_wrong_axis", "grad_bias")),
    # NeuralNetwork.forward
    mutant("network_forward_reversed", "for layer in self.layers:", "for layer in reversed(self.layers):",
           "NeuralNetwork", seen("calls_reversed")),
    mutant("network_forward_skips_first_layer", "for layer in self.layers:", "for layer in self.layers[1:]:",
           "NeuralNetwork", seen("calls_missing")),
    mutant("network_forward_returns_x", "        return current_input", "        return x", "NeuralNetwork",
           seen("is_the_input", "NeuralNetwork.forward(x)")),
    mutant("network_forward_every_layer_gets_x", "current_input = layer.forward(current_input)",
           "current_input = layer.forward(x)", "NeuralNetwork", None),
    # NeuralNetwork.backward
    mutant("network_backward_bias_ascent", BIAS_STEP, "layer.bias += learning_rate * grad_bias", "NeuralNetwork",
           Expect(mistake="network_backward_gradient_ascent")),
    mutant("network_backward_weights_without_learning_rate", WEIGHT_STEP, "layer.weights -= grad_weights",
           "NeuralNetwork", Expect(relation="step_without_learning_rate")),
    mutant("network_backward_bias_without_learning_rate", BIAS_STEP, "layer.bias -= grad_bias", "NeuralNetwork",
           Expect(relation="step_without_learning_rate")),
    mutant("network_backward_skips_first_layer", "for layer in reversed(self.layers):",
           "for layer in reversed(self.layers[1:]):", "NeuralNetwork",
           Expect(relation="calls_missing", imprecise=("unchanged",))),
    mutant("network_backward_weight_step_per_example", WEIGHT_STEP,
           "layer.weights -= learning_rate * grad_weights / len(current_gradient)", "NeuralNetwork",
           Expect(relation="step_divided_by_batch")),
    mutant("network_backward_weights_set_to_the_step", WEIGHT_STEP, "layer.weights = learning_rate * grad_weights",
           "NeuralNetwork", Expect(relation="set_to_the_step")),
    mutant("network_backward_double_step", WEIGHT_STEP, "layer.weights -= 2 * learning_rate * grad_weights",
           "NeuralNetwork", Expect(relation="step_times_2")),
]

# Correct code written differently, through the same kind of edit: no message at all, so no cause.
CORRECT_MUTANTS = [
    Variant("sigmoid_backward_at_minus_x", (("s = Sigmoid.forward(x)", "s = Sigmoid.forward(-x)"),)),
    Variant("sigmoid_forward_by_logaddexp", ((SIGMOID_FORWARD, "return np.exp(-np.logaddexp(0, -x))"),)),
    Variant("relu_forward_by_mask", ((RELU_FORWARD, "return np.where(x > 0, x, 0.0)"),)),
    Variant("relu_backward_by_heaviside", ((RELU_BACKWARD, "return np.heaviside(x, 0.0)"),)),
    Variant("layer_backward_bias_by_ones", ((GRAD_BIAS,
                                             "grad_bias = np.ones((1, len(grad_output))) @ grad_activation"),)),
    Variant("network_backward_by_index", (("for layer in reversed(self.layers):",
                                           "for i in range(len(self.layers) - 1, -1, -1):\n"
                                           "            layer = self.layers[i]"),)),
]
