"""A third bug set: single-point mistakes students make in the eight graded methods, written blind.

Each entry is one realistic mistake in ReLU, Sigmoid, Layer or NeuralNetwork (``forward`` or
``backward``), made as an edit of the reference's student code, with a plain description of the
mistake as a teacher would give it to a student. The owner of each variant is the class whose checks
should catch it.

The set was written on 2026-11-27 blind to the autograder's mistake detectors (without reading the
relations, the misconceptions, the staff checks or the earlier bug sets), before any new detectors
were added, so that how often the feedback names the cause of these mistakes is an honest measure of
detectors that were never fitted to them. Labels (which cause a message may name) are added later, in
a separate commit.
"""

from __future__ import annotations

from uncatalogued_bugs import Expect, seen
from variants import Variant


def _mutant(name: str, old: str, new: str, owner: str, description: str) -> tuple[Variant, str]:
    return Variant(name, ((old, new),), owner), description


_RELU_FORWARD = "return np.maximum(0, x)"
_RELU_BACKWARD = "return np.where(x > 0, 1.0, 0.0)"
_SIGMOID_FORWARD = "return 1 / (1 + np.exp(-x))"
_SIGMOID_S = "s = Sigmoid.forward(x)"
_SIGMOID_BACKWARD = "return s * (1 - s)"
_Z = "self.activation_input = x @ self.weights + self.bias"
_OUT = "self.output = self.activation.forward(self.activation_input)"
_GRAD_ACT = "grad_activation = grad_output * self.activation.backward(self.activation_input)"
_GRAD_W = "grad_weights = self.input.T @ grad_activation"
_GRAD_B = "grad_bias = np.sum(grad_activation, axis=0, keepdims=True)"
_GRAD_IN = "grad_input = grad_activation @ self.weights.T"
_NET_STEP = "current_input = layer.forward(current_input)"
_NET_BACK = "grad_input, grad_weights, grad_bias = layer.backward(current_gradient)"
_UPDATE_W = "layer.weights -= learning_rate * grad_weights"
_UPDATE_B = "layer.bias -= learning_rate * grad_bias"

FRESH_MUTANTS: list[tuple[Variant, str]] = [
    # ReLU.forward
    _mutant("relu_forward_np_max", _RELU_FORWARD, "return np.max(0, x)", "ReLU",
            "np.max (the largest entry of one array) is used where np.maximum (entry by entry) was meant"),
    _mutant("relu_forward_max_over_axis", _RELU_FORWARD, "return np.max(x, 0)", "ReLU",
            "np.max(x, 0) takes the largest entry along axis 0 instead of comparing each entry with 0"),
    _mutant("relu_forward_builtin_max", _RELU_FORWARD, "return max(0, x)", "ReLU",
            "Python's built-in max is used, which cannot compare a whole array with 0 entry by entry"),
    _mutant("relu_forward_scalar_conditional", _RELU_FORWARD, "return x if x > 0 else 0", "ReLU",
            "a scalar if/else is written, which cannot decide for a whole array at once"),
    _mutant("relu_forward_abs_without_half", _RELU_FORWARD, "return x + np.abs(x)", "ReLU",
            "the formula (x + |x|) / 2 is written without dividing by 2, so positive inputs are doubled"),
    # ReLU.backward
    _mutant("relu_backward_returns_x", _RELU_BACKWARD, "return np.where(x > 0, x, 0.0)", "ReLU",
            "the derivative keeps x where x > 0 instead of 1, so it returns max(0, x) again"),
    _mutant("relu_backward_in_place", _RELU_BACKWARD, "x[x > 0] = 1\n        x[x <= 0] = 0\n        return x", "ReLU",
            "the derivative is written into the input array itself, overwriting the caller's pre-activation"),
    _mutant("relu_backward_scalar_conditional", _RELU_BACKWARD, "return 1 if x > 0 else 0", "ReLU",
            "a scalar if/else is written, which cannot decide for a whole array at once"),
    _mutant("relu_backward_where_indices", _RELU_BACKWARD, "return np.where(x > 0)", "ReLU",
            "np.where is given only the condition, so it returns the indices of the positive entries, not 1s and 0s"),
    _mutant("relu_backward_condition_missing", _RELU_BACKWARD, "return np.where(x, 1.0, 0.0)", "ReLU",
            "the comparison > 0 is left out of np.where, so every non-zero input, negative ones too, gives 1"),
    # Sigmoid.forward
    _mutant("sigmoid_forward_abs_for_stability", _SIGMOID_FORWARD, "return 1 / (1 + np.exp(-np.abs(x)))", "Sigmoid",
            "to avoid overflow the exponent uses |x|, which makes every negative input give the value for -x"),
    _mutant("sigmoid_forward_math_exp", _SIGMOID_FORWARD, "import math\n        return 1 / (1 + math.exp(-x))",
            "Sigmoid", "math.exp is used, which only works on single numbers, instead of np.exp"),
    _mutant("sigmoid_forward_tanh_identity_without_half", _SIGMOID_FORWARD, "return 0.5 * (1 + np.tanh(x))",
            "Sigmoid", "the identity (1 + tanh(x / 2)) / 2 is written with tanh(x) instead of tanh(x / 2)"),
    _mutant("sigmoid_forward_clipped_too_tightly", _SIGMOID_FORWARD, "return 1 / (1 + np.exp(-np.clip(x, -10, 10)))",
            "Sigmoid", "to avoid overflow the input is clipped to [-10, 10], which flattens the sigmoid beyond that"),
    # Sigmoid.backward
    _mutant("sigmoid_backward_x_for_s", _SIGMOID_BACKWARD, "return x * (1 - x)", "Sigmoid",
            "the derivative uses x instead of s = sigmoid(x), as if x were already the sigmoid's output"),
    _mutant("sigmoid_backward_precedence", _SIGMOID_BACKWARD, "return s * 1 - s", "Sigmoid",
            "the brackets round (1 - s) are missing, so it computes s - s = 0"),
    _mutant("sigmoid_backward_tanh_derivative", _SIGMOID_BACKWARD, "return 1 - s ** 2", "Sigmoid",
            "tanh's derivative, 1 - s**2, is used instead of the sigmoid's s * (1 - s)"),
    _mutant("sigmoid_backward_denominator_not_squared", _SIGMOID_BACKWARD, "return np.exp(-x) / (1 + np.exp(-x))",
            "Sigmoid", "the derivative exp(-x) / (1 + exp(-x))**2 is written without squaring the denominator"),
    _mutant("sigmoid_backward_mixed_s_and_x", _SIGMOID_BACKWARD, "return s * (1 - x)", "Sigmoid",
            "the second factor uses x instead of s: s * (1 - x)"),
    _mutant("sigmoid_backward_sigmoid_applied_twice", _SIGMOID_S, "s = Sigmoid.forward(Sigmoid.forward(x))",
            "Sigmoid", "the sigmoid is applied twice before the derivative formula is used"),
    # Layer.forward
    _mutant("layer_forward_weights_transposed", _Z, "self.activation_input = x @ self.weights.T + self.bias", "Layer",
            "the weights are transposed in the product, x @ weights.T, as if they were stored (out, in)"),
    _mutant("layer_forward_elementwise_product", _Z, "self.activation_input = x * self.weights + self.bias", "Layer",
            "* (entry by entry) is used instead of @ (the matrix product)"),
    _mutant("layer_forward_no_bias", _Z, "self.activation_input = x @ self.weights", "Layer",
            "the bias is left out of the pre-activation"),
    _mutant("layer_forward_bias_inside_product", _Z, "self.activation_input = x @ (self.weights + self.bias)", "Layer",
            "the bias is added to the weights before the product instead of to the product"),
    _mutant("layer_forward_activation_of_input", _OUT, "self.output = self.activation.forward(x)", "Layer",
            "the activation is applied to the input x instead of to the pre-activation z"),
    _mutant("layer_forward_caches_activated", _OUT,
            "self.activation_input = self.activation.forward(self.activation_input)\n"
            "        self.output = self.activation_input", "Layer",
            "the activated output is stored in self.activation_input, overwriting the cached pre-activation"),
    _mutant("layer_forward_activation_called", _OUT, "self.output = self.activation(self.activation_input)",
            "Layer", "the activation object is called like a function instead of calling its forward method"),
    _mutant("layer_forward_bias_transposed", _Z, "self.activation_input = x @ self.weights + self.bias.T", "Layer",
            "the bias is transposed into a column, so adding it broadcasts to the wrong shape"),
    _mutant("layer_forward_activation_applied_twice", "return self.output",
            "return self.activation.forward(self.output)", "Layer",
            "the activation is applied a second time to the output that is returned"),
    # Layer.backward
    _mutant("layer_backward_derivative_at_output", _GRAD_ACT,
            "grad_activation = grad_output * self.activation.backward(self.output)", "Layer",
            "the activation's derivative is taken at the layer's output instead of at its pre-activation"),
    _mutant("layer_backward_matrix_product_with_derivative", _GRAD_ACT,
            "grad_activation = grad_output @ self.activation.backward(self.activation_input)", "Layer",
            "the activation's derivative is combined with @ (matrix product) instead of * (entry by entry)"),
    _mutant("layer_backward_grad_bias_mean", _GRAD_B, "grad_bias = np.mean(grad_activation, axis=0, keepdims=True)",
            "Layer", "the bias's gradient is the mean over the batch instead of the sum"),
    _mutant("layer_backward_grad_bias_no_keepdims", _GRAD_B, "grad_bias = np.sum(grad_activation, axis=0)", "Layer",
            "keepdims is left out, so the bias's gradient has shape (output_size,) instead of (1, output_size)"),
    _mutant("layer_backward_grad_bias_not_summed", _GRAD_B, "grad_bias = grad_activation", "Layer",
            "the bias's gradient is not summed over the batch: one row per example is returned"),
    _mutant("layer_backward_returns_wrong_order", "return grad_input, grad_weights, grad_bias",
            "return grad_weights, grad_bias, grad_input", "Layer",
            "the three gradients are returned in the wrong order: weights, bias, input"),
    _mutant("layer_backward_updates_weights", _GRAD_IN,
            "self.weights -= 0.01 * grad_weights\n        grad_input = grad_activation @ self.weights.T", "Layer",
            "backward also updates the weights itself, and then passes the gradient back through the new weights"),
    _mutant("layer_backward_grad_output_in_place", _GRAD_ACT,
            "grad_output *= self.activation.backward(self.activation_input)\n"
            "        grad_activation = grad_output", "Layer",
            "the activation's derivative is multiplied into grad_output in place, changing the caller's array"),
    _mutant("layer_backward_grad_weights_from_output", _GRAD_W, "grad_weights = self.output.T @ grad_activation",
            "Layer", "the weights' gradient uses the layer's output instead of its input"),
    _mutant("layer_backward_grad_weights_from_pre_activation", _GRAD_W,
            "grad_weights = self.activation_input.T @ grad_activation", "Layer",
            "the weights' gradient uses the pre-activation z instead of the layer's input"),
    _mutant("layer_backward_grad_input_uses_grad_weights", _GRAD_IN, "grad_input = grad_activation @ grad_weights.T",
            "Layer", "the input's gradient is multiplied by the weights' gradient instead of by the weights"),
    _mutant("layer_backward_grad_input_transposed", _GRAD_IN, "grad_input = self.weights @ grad_activation.T",
            "Layer", "the input's gradient is computed column-wise, with shape (input_size, batch)"),
    _mutant("layer_backward_derivative_at_input", _GRAD_ACT,
            "grad_activation = grad_output * self.activation.backward(self.input)", "Layer",
            "the activation's derivative is taken at the layer's input x instead of at its pre-activation"),
    # NeuralNetwork.forward
    _mutant("network_forward_return_inside_loop", f"{_NET_STEP}\n        return current_input",
            f"{_NET_STEP}\n            return current_input", "NeuralNetwork",
            "the return is indented into the loop, so only the first layer is applied"),
    _mutant("network_forward_result_not_assigned", _NET_STEP, "layer.forward(current_input)", "NeuralNetwork",
            "the layer's output is not assigned back to current_input, so each layer gets the same input"),
    _mutant("network_forward_returns_logits", "return current_input", "return self.layers[-1].activation_input",
            "NeuralNetwork", "the network returns the last layer's pre-activation instead of its output"),
    _mutant("network_forward_first_layer_twice", "current_input = x", "current_input = self.layers[0].forward(x)",
            "NeuralNetwork", "the first layer is applied before the loop and then again inside it"),
    _mutant("network_forward_rounds_output", "return current_input", "return np.round(current_input)",
            "NeuralNetwork", "the output is rounded to 0 or 1 inside forward instead of when making a prediction"),
    _mutant("network_forward_flattens_output", "return current_input", "return current_input.flatten()",
            "NeuralNetwork", "the output is flattened to shape (batch,) instead of (batch, layer_sizes[-1])"),
    # NeuralNetwork.backward
    _mutant("network_backward_bias_with_weight_gradient", _UPDATE_B, "layer.bias -= learning_rate * grad_weights",
            "NeuralNetwork", "the bias is updated with the weights' gradient instead of its own"),
    _mutant("network_backward_passes_grad_weights", "current_gradient = grad_input",
            "current_gradient = grad_weights", "NeuralNetwork",
            "the weights' gradient is passed on to the previous layer instead of the input's gradient"),
    _mutant("network_backward_gradient_not_passed_on", "\n            current_gradient = grad_input", "",
            "NeuralNetwork", "the gradient is never passed on: every layer gets the network's output gradient"),
    _mutant("network_backward_unpack_order", _NET_BACK,
            "grad_weights, grad_bias, grad_input = layer.backward(current_gradient)", "NeuralNetwork",
            "the layer's three gradients are unpacked in the wrong order"),
    _mutant("network_backward_divides_by_batch", _UPDATE_W,
            "layer.weights -= learning_rate * grad_weights / len(grad_output)", "NeuralNetwork",
            "the weights' step is divided by the batch size, although the bias's step is not"),
    _mutant("network_backward_bias_not_updated", "\n            " + _UPDATE_B, "", "NeuralNetwork",
            "the bias is never updated: only the weights are changed"),
    _mutant("network_backward_weights_with_input_gradient", _UPDATE_W, "layer.weights -= learning_rate * grad_input",
            "NeuralNetwork", "the weights are updated with the input's gradient instead of the weights' gradient"),
    _mutant("network_backward_learning_rate_in_gradient", "current_gradient = grad_output",
            "current_gradient = learning_rate * grad_output", "NeuralNetwork",
            "the incoming gradient is multiplied by the learning rate, so the rate is applied twice"),
]


# --- labels (added after the set, before it was first measured) ----------------------------------------
#
# For each mutant, the cause a message may name: a catalogued mistake whose text truly describes it, a
# relation true of its results that names it (``seen``: the observations it shows in), or None where no
# known mistake or relation describes it (a crash, a formula of no recognisable kind). Written from the
# descriptions above and the texts of the causes, by what is true of the mistake, not by running the grader.
# "input_modified" is the Unchanged judge's cause (an array the method was given, changed in place).
#
# Measured first at ab1190e with the relations of b5870b3: 24 of the 25 describable named (96%), 24 of 56 in
# all (43%); 3 wrong causes (a .T named for an @ meant as *, a whole-network rule read as "returns the
# pre-activation", "not passed on" read from layers that were never updated), 1 imprecise. After that:
# - one label corrected: network_forward_returns_logits (the last layer's z returned) was labelled None,
#   but the XOR rule "the output layer's activation is skipped" says exactly what it does;
# - seven relabelled with the error rules written after this set was seen (a whole array where Python
#   needs one number or one truth value, an array for an axis; `*` for `@`; a .T too many on the bias).
# - nine more relabelled with the relations and rules written next, for kinds this set showed unnamed
#   (a sum never taken, right values in another shape, grad_weights from z or the output, grad_input
#   through grad_weights, a layer called twice, a step of another shape than its parameter).
# From then on this set flatters those rules too: ``blind_bugs.py`` (a fourth set) is the blind measure.

RELU_OUT, RELU_DERIVATIVE = "ReLU.forward(x)", "ReLU.backward(x)"
SIGMOID_OUT, SIGMOID_DERIVATIVE = "Sigmoid.forward(x)", "Sigmoid.backward(x)"

FRESH_LABELS: dict[str, Expect | None] = {
    "relu_forward_np_max": Expect(relation="array_as_axis"),
    "relu_forward_max_over_axis": None,
    "relu_forward_builtin_max": Expect(relation="array_as_one_truth"),
    "relu_forward_scalar_conditional": Expect(relation="array_as_one_truth"),
    "relu_forward_abs_without_half": seen("times_2", RELU_OUT),
    "relu_backward_returns_x": Expect(mistake="relu_backward_is_relu"),
    "relu_backward_in_place": Expect(relation="input_modified"),
    "relu_backward_scalar_conditional": Expect(relation="array_as_one_truth"),
    "relu_backward_where_indices": None,
    "relu_backward_condition_missing": seen("wrong_where_negative", RELU_DERIVATIVE),
    "sigmoid_forward_abs_for_stability": seen("wrong_where_negative", SIGMOID_OUT),
    "sigmoid_forward_math_exp": Expect(relation="array_as_one_number"),
    "sigmoid_forward_tanh_identity_without_half": seen("at_scaled_x", SIGMOID_OUT),
    "sigmoid_forward_clipped_too_tightly": None,
    "sigmoid_backward_x_for_s": Expect(mistake="sigmoid_backward_at_output"),
    "sigmoid_backward_precedence": None,  # s * 1 - s is all zeros: a degenerate answer many mistakes give
    "sigmoid_backward_tanh_derivative": None,
    "sigmoid_backward_denominator_not_squared": seen("derivative_factor_missing", SIGMOID_DERIVATIVE),  # 1 - s
    "sigmoid_backward_mixed_s_and_x": None,
    "sigmoid_backward_sigmoid_applied_twice": Expect(mistake="sigmoid_backward_at_output"),  # s'(s(x))
    "layer_forward_weights_transposed": Expect(relation="matmul_transpose"),
    "layer_forward_elementwise_product": Expect(relation="matmul_for_times"),
    "layer_forward_no_bias": Expect(mistake="layer_forward_missing_bias"),
    "layer_forward_bias_inside_product": None,
    "layer_forward_activation_of_input": None,
    "layer_forward_caches_activated": Expect(mistake="layer_forward_overwrites_pre_activation"),
    "layer_forward_activation_called": None,
    "layer_forward_bias_transposed": Expect(relation="matmul_transpose"),
    "layer_forward_activation_applied_twice": Expect(mistake="layer_forward_activation_twice"),
    "layer_backward_derivative_at_output": Expect(mistake="layer_backward_derivative_at_output"),
    "layer_backward_matrix_product_with_derivative": None,
    "layer_backward_grad_bias_mean": Expect(mistake="layer_backward_bias_mean"),
    "layer_backward_grad_bias_no_keepdims": Expect(mistake="layer_backward_bias_no_keepdims"),
    "layer_backward_grad_bias_not_summed": seen("not_summed", "grad_bias"),
    "layer_backward_returns_wrong_order": seen("swapped", "grad_input", "grad_weights", "grad_bias"),
    "layer_backward_updates_weights": None,
    "layer_backward_grad_output_in_place": Expect(relation="input_modified"),
    "layer_backward_grad_weights_from_output": seen("weights_gradient_from_another_array", "grad_weights"),
    "layer_backward_grad_weights_from_pre_activation": seen("weights_gradient_from_another_array",
                                                            "grad_weights"),
    "layer_backward_grad_input_uses_grad_weights": seen("input_gradient_through_another_matrix", "grad_input"),
    "layer_backward_grad_input_transposed": seen("transposed", "grad_input"),
    "layer_backward_derivative_at_input": None,
    "network_forward_return_inside_loop": Expect(relation="calls_missing"),
    "network_forward_result_not_assigned": seen("is_the_input", "NeuralNetwork.forward(x)"),
    "network_forward_returns_logits": Expect(relation="output_not_squashed"),  # corrected
    "network_forward_first_layer_twice": Expect(relation="calls_repeated"),
    "network_forward_rounds_output": None,
    "network_forward_flattens_output": seen("right_values_other_shape", "NeuralNetwork.forward(x)"),
    "network_backward_bias_with_weight_gradient": Expect(relation="step_of_another_shape"),
    "network_backward_passes_grad_weights": None,
    "network_backward_gradient_not_passed_on": Expect(mistake="network_backward_gradient_not_passed_on"),
    "network_backward_unpack_order": Expect(relation="step_of_another_shape"),
    "network_backward_divides_by_batch": Expect(relation="step_divided_by_batch"),
    "network_backward_bias_not_updated": Expect(mistake="network_backward_biases_frozen"),
    "network_backward_weights_with_input_gradient": Expect(relation="step_of_another_shape"),
    # the rate applied twice: each step is learning_rate times too large, each layer's gradient too
    "network_backward_learning_rate_in_gradient": Expect(relation="step_learning_rate_twice",
                                                          imprecise=("times_learning_rate",)),
}
