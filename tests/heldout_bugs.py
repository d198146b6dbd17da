"""A second bug set, held out: written before the relations of sign, axis and function were added.

``uncatalogued_bugs.py`` was in view when those relations were written, so a measurement on it flatters
them. These mutants were written first (the history shows this file before the relations), of the kinds
students make: comparisons turned round, another activation's formula, an operator or a sign typed
wrong, a sum over the wrong axis, returns in the wrong order, loops over the wrong slice, updates scaled
wrong. Each says the cause a message may name (``Expect``, as in ``uncatalogued_bugs.py``); ``None``
where no known mistake or relation describes it (a crash, a formula of no recognisable kind).

The relations these labels name, some not written yet when this file was: ``keeps_the_other_part``
(x minus the right value: the part that should be dropped is kept), ``is_tanh``, ``is_relu``,
``is_sigmoid`` and ``is_tanh_derivative`` (another well-known function where this one belongs),
``derivative_sign_inside`` (s * (1 + s) for s * (1 - s)), ``derivative_factor_missing`` (one factor of
the derivative s * (1 - s) left out), ``term_sign_flipped`` (a term of z = x @ weights + bias with its
sign flipped), ``summed_over_wrong_axis`` (a sum over the features, or over everything, instead of over
the batch).

The eleven mutants once labelled ``None`` (formula and shape errors no relation described then) are
labelled with the relations written after this set was seen (a threshold moved, -x or 2x for x, a
reciprocal, a constant offset, a factor of the derivative repeated or s from another function, the bias
multiplying, grad_z made by +, the operands of @ swapped or a .T missing): measured on this set those flatter
too, so ``fresh_bugs.py``, written blind to them, is the measure that counts.

One label was corrected after the first measurement: ``relu_forward_squared`` was labelled ``None``,
but the relation ``wrong_where_positive`` (older than this set) says truly what it does (0 for x < 0 is
right, x**2 for x > 0 is wrong), as ``wrong_where_negative`` does for ``np.abs`` in the first set.
"""

from __future__ import annotations

from uncatalogued_bugs import (BIAS_STEP, GRAD_BIAS, GRAD_INPUT, GRAD_WEIGHTS, GRAD_Z, OUTPUT, RELU_BACKWARD,
                               RELU_DERIVATIVE, RELU_FORWARD, RELU_OUT, SIGMOID_BACKWARD, SIGMOID_DERIVATIVE,
                               SIGMOID_FORWARD, SIGMOID_OUT, WEIGHT_STEP, Z, Expect, mutant, seen)

S = "s = Sigmoid.forward(x)"
FORWARD_LOOP = "for layer in self.layers:"
BACKWARD_LOOP = "for layer in reversed(self.layers):"
LAYER_OUT = ("Layer.forward(x)",)

HELDOUT_MUTANTS = [
    # ReLU.forward
    mutant("relu_forward_comparison_turned", RELU_FORWARD, "return x * (x < 0)", "ReLU",
           seen("keeps_the_other_part", *RELU_OUT)),
    mutant("relu_forward_tanh", RELU_FORWARD, "return np.tanh(x)", "ReLU", seen("is_tanh", *RELU_OUT)),
    mutant("relu_forward_threshold_one", RELU_FORWARD, "return np.maximum(1, x)", "ReLU",
           seen("wrong_below_a_point", *RELU_OUT)),
    mutant("relu_forward_squared", RELU_FORWARD, "return np.maximum(0, x) ** 2", "ReLU",
           seen("wrong_where_positive", *RELU_OUT)),  # relabelled: see the module's docstring
    mutant("relu_forward_of_minus_x", RELU_FORWARD, "return np.maximum(0, -x)", "ReLU",
           seen("at_minus_x", *RELU_OUT)),
    mutant("relu_forward_leaky_by_sum", RELU_FORWARD, "return np.maximum(0, x) + 0.1 * np.minimum(0, x)", "ReLU",
           seen("wrong_where_negative", *RELU_OUT)),
    # ReLU.backward
    mutant("relu_backward_relu_by_product", RELU_BACKWARD, "return (x > 0) * x", "ReLU",
           Expect(mistake="relu_backward_is_relu")),
    mutant("relu_backward_sigmoid", RELU_BACKWARD, "return 1 / (1 + np.exp(-x))", "ReLU",
           seen("is_sigmoid", *RELU_DERIVATIVE)),
    mutant("relu_backward_minus_one_below", RELU_BACKWARD, "return np.where(x > 0, 1.0, -1.0)", "ReLU",
           seen("wrong_where_negative", *RELU_DERIVATIVE)),
    mutant("relu_backward_branches_swapped", RELU_BACKWARD, "return np.where(x > 0, 0.0, 1.0)", "ReLU",
           Expect(mistake="relu_backward_inverted")),
    # Sigmoid.forward
    mutant("sigmoid_forward_exp_over", SIGMOID_FORWARD, "return np.exp(-x) / (1 + np.exp(-x))", "Sigmoid",
           Expect(mistake="sigmoid_forward_sign")),
    mutant("sigmoid_forward_relu", SIGMOID_FORWARD, "return np.maximum(0, x)", "Sigmoid", seen("is_relu", *SIGMOID_OUT)),
    mutant("sigmoid_forward_precedence", SIGMOID_FORWARD, "return 1 / 1 + np.exp(-x)", "Sigmoid",
           seen("reciprocal", *SIGMOID_OUT)),
    mutant("sigmoid_forward_doubled_exponent", SIGMOID_FORWARD, "return 1 / (1 + np.exp(-2 * x))", "Sigmoid",
           seen("at_scaled_x", *SIGMOID_OUT)),
    mutant("sigmoid_forward_centred", SIGMOID_FORWARD, "return 1 / (1 + np.exp(-x)) - 0.5", "Sigmoid",
           seen("offset", *SIGMOID_OUT)),
    # Sigmoid.backward
    mutant("sigmoid_backward_plus_expanded", SIGMOID_BACKWARD, "return s + s ** 2", "Sigmoid",
           seen("derivative_sign_inside", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_tanh_derivative", SIGMOID_BACKWARD, "return 1 - np.tanh(x) ** 2", "Sigmoid",
           seen("is_tanh_derivative", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_squared", SIGMOID_BACKWARD, "return s * s", "Sigmoid",
           seen("derivative_factor_repeated", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_tanh_for_s", S, "s = np.tanh(x)", "Sigmoid",
           seen("derivative_of_another_s", *SIGMOID_DERIVATIVE)),
    mutant("sigmoid_backward_keeps_one_minus_s", SIGMOID_BACKWARD, "return np.exp(-x) * s", "Sigmoid",
           seen("derivative_factor_missing", *SIGMOID_DERIVATIVE)),
    # Layer.forward
    mutant("layer_forward_weights_term_negated", Z, "self.activation_input = self.bias - x @ self.weights", "Layer",
           seen("term_sign_flipped", *LAYER_OUT)),
    mutant("layer_forward_weights_first", Z, "self.activation_input = self.weights @ x + self.bias", "Layer",
           Expect(relation="matmul_order")),
    mutant("layer_forward_returns_z", "return self.output", "return self.activation_input", "Layer",
           Expect(mistake="layer_forward_no_activation")),
    mutant("layer_forward_output_without_bias", OUTPUT, "self.output = self.activation.forward(x @ self.weights)",
           "Layer", Expect(mistake="layer_forward_missing_bias")),
    mutant("layer_forward_times_bias", Z, "self.activation_input = x @ self.weights * self.bias", "Layer",
           seen("bias_not_added", *LAYER_OUT)),
    # Layer.backward
    mutant("layer_backward_bias_summed_over_everything", GRAD_BIAS, "grad_bias = np.sum(grad_activation, keepdims=True)",
           "Layer", seen("summed_over_wrong_axis", "grad_bias")),
    mutant("layer_backward_bias_summed_over_rows_flat", GRAD_BIAS, "grad_bias = grad_activation.sum(axis=1)", "Layer",
           seen("summed_over_wrong_axis", "grad_bias")),
    mutant("layer_backward_plus_for_times", GRAD_Z,
           "grad_activation = grad_output + self.activation.backward(self.activation_input)", "Layer",
           seen("grad_z_combined_wrong", "grad_input", "grad_weights", "grad_bias")),
    mutant("layer_backward_input_gradient_untransposed", GRAD_INPUT, "grad_input = grad_activation @ self.weights",
           "Layer", Expect(relation="matmul_transpose")),
    mutant("layer_backward_returns_bias_before_weights", "return grad_input, grad_weights, grad_bias",
           "return grad_input, grad_bias, grad_weights", "Layer", seen("swapped", "grad_weights", "grad_bias")),
    mutant("layer_backward_weight_gradient_halved", GRAD_WEIGHTS, "grad_weights = self.input.T @ grad_activation / 2",
           "Layer", seen("halved", "grad_weights")),
    # NeuralNetwork.forward
    mutant("network_forward_reversed_by_slice", FORWARD_LOOP, "for layer in self.layers[::-1]:", "NeuralNetwork",
           seen("calls_reversed")),
    mutant("network_forward_skips_first_and_last", FORWARD_LOOP, "for layer in self.layers[1:-1]:", "NeuralNetwork",
           seen("calls_missing")),
    # NeuralNetwork.backward
    mutant("network_backward_bias_learning_rate_squared", BIAS_STEP,
           "layer.bias -= learning_rate * learning_rate * grad_bias", "NeuralNetwork",
           Expect(relation="step_learning_rate_twice")),
    mutant("network_backward_weight_step_halved", WEIGHT_STEP, "layer.weights -= 0.5 * learning_rate * grad_weights",
           "NeuralNetwork", Expect(relation="step_halved")),
    mutant("network_backward_skips_last_layer", BACKWARD_LOOP, "for layer in reversed(self.layers[:-1]):",
           "NeuralNetwork", Expect(relation="calls_missing", imprecise=("unchanged",))),
    mutant("network_backward_bias_set_to_the_step", BIAS_STEP, "layer.bias = learning_rate * grad_bias",
           "NeuralNetwork", Expect(relation="set_to_the_step")),
    mutant("network_backward_weight_step_times_batch", WEIGHT_STEP,
           "layer.weights -= learning_rate * grad_weights * len(grad_output)", "NeuralNetwork",
           Expect(relation="step_times_batch")),
]
