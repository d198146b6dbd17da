"""A fourth bug set: single-point mistakes students make in the eight methods, each with a plain description.

Written blind to the mistake detectors on 2026-11-27, without reading the relations, misconceptions,
judges, staff checks or the earlier bug sets (uncatalogued_bugs, heldout_bugs, fresh_bugs). The mistakes
were chosen as a teacher who has graded many of these notebooks would choose them: the ones students
actually make, crashes included, in roughly the proportions they make them. Each mutant is one edit of
the reference's student code and costs points in its own class only.

Labels (which cause text, if any, truly names each mistake) are added in a second commit, from a list of
cause texts, by what is true of each mistake, without running the grader on it.
"""

from __future__ import annotations

from uncatalogued_bugs import Expect, seen
from variants import Variant


def _m(name: str, old: str, new: str, owner: str, description: str) -> tuple[Variant, str]:
    return Variant(name, ((old, new),), owner), description


_RELU_F = "return np.maximum(0, x)"
_RELU_B = "return np.where(x > 0, 1.0, 0.0)"
_SIG_F = "return 1 / (1 + np.exp(-x))"
_SIG_B = "return s * (1 - s)"
_Z = "self.activation_input = x @ self.weights + self.bias"
_OUT = "self.output = self.activation.forward(self.activation_input)"
_GA = "grad_activation = grad_output * self.activation.backward(self.activation_input)"
_GW = "grad_weights = self.input.T @ grad_activation"
_GB = "grad_bias = np.sum(grad_activation, axis=0, keepdims=True)"
_GI = "grad_input = grad_activation @ self.weights.T"
_NF = "current_input = layer.forward(current_input)"
_NB = "grad_input, grad_weights, grad_bias = layer.backward(current_gradient)"
_UW = "layer.weights -= learning_rate * grad_weights"
_UB = "layer.bias -= learning_rate * grad_bias"

_LOOP_F = "for layer in self.layers:"
_LOOP_B = "for layer in reversed(self.layers):"

BLIND_MUTANTS: list[tuple[Variant, str]] = [
    # ---- ReLU.forward
    _m("relu_forward_builtin_max_x_first", _RELU_F, "return max(x, 0)", "ReLU",
       "Python's built-in max compares the whole array with 0 at once, which is ambiguous for an array; "
       "use np.maximum for an element-wise maximum."),
    _m("relu_forward_maximum_into_input", _RELU_F, "return np.maximum(0, x, out=x)", "ReLU",
       "out=x writes the result into the caller's array, changing the input in place; leave out= off."),
    _m("relu_forward_where_keeps_negatives", _RELU_F, "return np.where(x < 0, x, 0)", "ReLU",
       "The condition is the wrong way round: np.where(x < 0, x, 0) keeps the negative entries and zeroes "
       "the positive ones."),
    _m("relu_forward_step_instead_of_ramp", _RELU_F, "return (x > 0).astype(float)", "ReLU",
       "This returns 1 for every positive entry, which is ReLU's derivative; ReLU itself passes the positive "
       "value x through."),
    _m("relu_forward_leaky_slope", _RELU_F, "return np.maximum(0.01 * x, x)", "ReLU",
       "This is leaky ReLU: negative inputs give 0.01 * x, but ReLU gives exactly 0 for them."),
    _m("relu_forward_minimum_x_first", _RELU_F, "return np.minimum(x, 0)", "ReLU",
       "np.minimum keeps the smaller value, so this returns the negative part of x; ReLU takes the maximum "
       "with 0."),

    # ---- ReLU.backward
    _m("relu_backward_x_times_mask", _RELU_B, "return x * (x > 0)", "ReLU",
       "x * (x > 0) is ReLU(x) itself; the derivative is 1 where x > 0, so return (x > 0) as numbers, "
       "not x times it."),
    _m("relu_backward_mask_below_zero", _RELU_B, "return (x < 0).astype(float)", "ReLU",
       "The comparison is reversed: the derivative is 1 where x is positive and 0 where it is negative."),
    _m("relu_backward_scalar_if", _RELU_B, "return 1.0 if x > 0 else 0.0", "ReLU",
       "A Python if/else tests the whole array at once, which is ambiguous; use np.where or a comparison "
       "to get one answer per entry."),
    _m("relu_backward_overwrites_input", _RELU_B,
       "x[x <= 0] = 0\n        x[x > 0] = 1\n        return x", "ReLU",
       "Writing the 0s and 1s into x overwrites the pre-activation the layer cached; build a new array instead."),
    _m("relu_backward_returns_scalar_one", _RELU_B, "return 1.0", "ReLU",
       "The derivative is not the single number 1: it is an array like x, 1 where x > 0 and 0 elsewhere."),
    _m("relu_backward_where_missing_else", _RELU_B, "return np.where(x > 0, 1.0)", "ReLU",
       "np.where needs both values, the one where the condition holds and the one where it does not: "
       "np.where(x > 0, 1.0, 0.0)."),

    # ---- Sigmoid.forward
    _m("sigmoid_forward_missing_parentheses", _SIG_F, "return 1.0 / 1.0 + np.exp(-x)", "Sigmoid",
       "Without parentheses around the denominator this computes (1 / 1) + exp(-x), not 1 / (1 + exp(-x))."),
    _m("sigmoid_forward_exp_without_minus", _SIG_F, "return 1.0 / (1.0 + np.exp(x))", "Sigmoid",
       "The exponent has lost its minus sign: sigmoid is 1 / (1 + exp(-x)), and 1 / (1 + exp(x)) is sigmoid(-x)."),
    _m("sigmoid_forward_math_exp_unimported", _SIG_F, "return 1 / (1 + math.exp(-x))", "Sigmoid",
       "math.exp works on single numbers (and math is not imported here); use np.exp, which works on arrays."),
    _m("sigmoid_forward_denominator_one_minus_exp", _SIG_F, "return 1.0 / (1.0 - np.exp(-x))", "Sigmoid",
       "The denominator is 1 + exp(-x), not 1 - exp(-x)."),
    _m("sigmoid_forward_thresholded", _SIG_F, "return (1 / (1 + np.exp(-x)) > 0.5).astype(float)", "Sigmoid",
       "Rounding the sigmoid to 0 or 1 turns it into a step function; return the smooth value and threshold "
       "only when making predictions."),
    _m("sigmoid_forward_undefined_e", _SIG_F, "return 1 / (1 + e ** -x)", "Sigmoid",
       "e is not defined here; use np.exp(-x) (or np.e ** -x)."),

    # ---- Sigmoid.backward
    _m("sigmoid_backward_self_forward", "s = Sigmoid.forward(x)", "s = self.forward(x)", "Sigmoid",
       "backward is a static method, so there is no self; call Sigmoid.forward(x)."),
    _m("sigmoid_backward_bare_forward", "s = Sigmoid.forward(x)", "s = forward(x)", "Sigmoid",
       "forward on its own is not a name Python knows inside the method; call Sigmoid.forward(x)."),
    _m("sigmoid_backward_calls_itself", "s = Sigmoid.forward(x)", "s = Sigmoid.backward(x)", "Sigmoid",
       "backward calls itself instead of forward, so it recurses until Python gives up."),
    _m("sigmoid_backward_input_as_activation", "s = Sigmoid.forward(x)", "s = x", "Sigmoid",
       "x is the pre-activation, not the sigmoid's output: s must be Sigmoid.forward(x) before using "
       "s * (1 - s)."),
    _m("sigmoid_backward_dot_product", _SIG_B, "return np.dot(s, 1 - s)", "Sigmoid",
       "np.dot is a matrix product; the derivative is the element-wise product s * (1 - s)."),
    _m("sigmoid_backward_missing_star", _SIG_B, "return s(1 - s)", "Sigmoid",
       "s(1 - s) calls s like a function; Python needs an explicit * for multiplication."),
    _m("sigmoid_backward_negative_sign", _SIG_B, "return -np.exp(-x) / (1 + np.exp(-x)) ** 2", "Sigmoid",
       "The chain rule through -x gives a second minus sign that cancels the first: the derivative is "
       "+exp(-x) / (1 + exp(-x)) ** 2."),

    # ---- Layer.forward
    _m("layer_forward_dot_weights_first", _Z,
       "self.activation_input = np.dot(self.weights, x) + self.bias", "Layer",
       "With inputs as rows (batch, input_size) the product is x @ weights; np.dot(weights, x) multiplies in "
       "the wrong order."),
    _m("layer_forward_dot_weights_transposed", _Z,
       "self.activation_input = np.dot(x, self.weights.T) + self.bias", "Layer",
       "weights already has shape (input_size, output_size), so np.dot(x, weights) needs no transpose."),
    _m("layer_forward_column_convention", _Z,
       "self.activation_input = self.weights @ x.T + self.bias", "Layer",
       "This is the column-vector convention (W x) from another course; here inputs are rows and weights is "
       "(input_size, output_size), so z = x @ weights + bias."),
    _m("layer_forward_np_multiply", _Z,
       "self.activation_input = np.multiply(x, self.weights) + self.bias", "Layer",
       "np.multiply is element-wise; a dense layer needs the matrix product x @ weights."),
    _m("layer_forward_dot_no_bias", _Z, "self.activation_input = np.dot(x, self.weights)", "Layer",
       "The bias is left out of the pre-activation: z = x @ weights + bias."),
    _m("layer_forward_hardcoded_relu", _OUT,
       "self.output = ReLU.forward(self.activation_input)", "Layer",
       "This always applies ReLU; use the layer's own activation, self.activation.forward(z), so a Sigmoid "
       "layer works too."),
    _m("layer_forward_activation_called_as_class", _OUT,
       "self.output = self.activation().forward(self.activation_input)", "Layer",
       "self.activation is already an activation object, not a class to instantiate: call "
       "self.activation.forward(z)."),
    _m("layer_forward_output_in_local_variable", _OUT,
       "output = self.activation.forward(self.activation_input)", "Layer",
       "The activation is stored in a local variable output, but the method returns self.output, which is "
       "still None."),
    _m("layer_forward_caches_input_as_activation_input", _Z + "\n        " + _OUT,
       "self.activation_input = x\n        self.output = self.activation.forward(x @ self.weights + self.bias)",
       "Layer",
       "activation_input must hold the pre-activation z = x @ weights + bias, not the layer's input x; "
       "backward needs z to take the activation's derivative."),

    # ---- Layer.backward
    _m("layer_backward_times_pre_activation", _GA,
       "grad_activation = grad_output * self.activation_input", "Layer",
       "This multiplies by z itself instead of by the activation's derivative at z, "
       "self.activation.backward(z)."),
    _m("layer_backward_dot_activation_derivative", _GA,
       "grad_activation = np.dot(grad_output, self.activation.backward(self.activation_input))", "Layer",
       "The chain rule through an element-wise activation is an element-wise product (*), not np.dot."),
    _m("layer_backward_weights_dot_transposed", _GW,
       "grad_weights = np.dot(grad_activation.T, self.input)", "Layer",
       "The factors are swapped: grad_weights is x.T @ grad_activation, shape (input_size, output_size); "
       "this gives its transpose."),
    _m("layer_backward_weights_input_not_transposed", _GW,
       "grad_weights = self.input @ grad_activation.T", "Layer",
       "The weight gradient is x.T @ grad_activation, of shape (input_size, output_size); "
       "x @ grad_activation.T pairs the wrong axes."),
    _m("layer_backward_weights_averaged", _GW,
       "grad_weights = self.input.T @ grad_activation / self.input.shape[0]", "Layer",
       "Dividing by the batch size makes grad_weights an average; the gradient of the summed loss is "
       "x.T @ grad_activation (and the bias gradient is not divided either)."),
    _m("layer_backward_bias_sum_method_no_keepdims", _GB, "grad_bias = grad_activation.sum(axis=0)", "Layer",
       "Without keepdims=True the sum has shape (output_size,) instead of the bias's shape (1, output_size)."),
    _m("layer_backward_bias_total_sum", _GB, "grad_bias = np.sum(grad_activation)", "Layer",
       "Without axis=0 np.sum adds up every entry into one number; the bias gradient sums over the batch "
       "only, one value per output."),
    _m("layer_backward_grad_input_dot_no_transpose", _GI,
       "grad_input = np.dot(grad_activation, self.weights)", "Layer",
       "Going back through the weights needs their transpose: grad_input = grad_activation @ weights.T."),
    _m("layer_backward_grad_input_elementwise", _GI, "grad_input = grad_activation * self.weights.T", "Layer",
       "Passing the gradient back through the weights is a matrix product (@), not an element-wise one (*)."),
    _m("layer_backward_grad_input_from_grad_output", _GI,
       "grad_input = np.dot(grad_output, self.weights.T)", "Layer",
       "grad_input must also go through the activation's derivative: use grad_activation, not grad_output."),
    _m("layer_backward_applies_weight_step", "        # Gradient for next layer\n",
       "        self.weights -= 0.01 * grad_weights\n\n        # Gradient for next layer\n", "Layer",
       "Layer.backward must only compute gradients; updating the weights here (the network does that) changes "
       "the parameters and the grad_input computed from them."),

    # ---- NeuralNetwork.forward
    _m("network_forward_result_not_kept", _NF, "output = layer.forward(current_input)", "NeuralNetwork",
       "Each layer's output is stored in a new name, so current_input never changes: every layer gets x and "
       "x is returned."),
    _m("network_forward_returns_in_loop",
       "            " + _NF + "\n        return current_input",
       "            " + _NF + "\n            return current_input", "NeuralNetwork",
       "The return is indented inside the loop, so the network returns after the first layer."),
    _m("network_forward_range_minus_one", _LOOP_F,
       "for i in range(len(self.layers) - 1):\n            layer = self.layers[i]", "NeuralNetwork",
       "range(len(self.layers) - 1) stops one layer early, so the output layer is never applied."),
    _m("network_forward_range_from_one", _LOOP_F,
       "for i in range(1, len(self.layers)):\n            layer = self.layers[i]", "NeuralNetwork",
       "Python counts from 0, so range(1, len(self.layers)) skips the first layer."),
    _m("network_forward_range_feeds_x", _LOOP_F + "\n            " + _NF,
       "for i in range(len(self.layers)):\n            current_input = self.layers[i].forward(x)",
       "NeuralNetwork",
       "Every layer is given the network's input x; each layer should get the previous layer's output."),
    _m("network_forward_returns_input", "return current_input", "return x", "NeuralNetwork",
       "The function returns its input x instead of the output of the last layer."),
    _m("network_forward_prints_output", "return current_input", "print(current_input)", "NeuralNetwork",
       "Printing the output is not returning it: the method returns None."),
    _m("network_forward_thresholds_output", "return current_input",
       "return (current_input > 0.5).astype(float)", "NeuralNetwork",
       "forward must return the network's raw outputs; rounding them to 0/1 belongs in making predictions, "
       "and it breaks the loss and its gradient."),

    # ---- NeuralNetwork.backward
    _m("network_backward_range_forward_order", _LOOP_B,
       "for i in range(len(self.layers)):\n            layer = self.layers[i]", "NeuralNetwork",
       "Backpropagation goes from the last layer to the first; this loop goes first to last."),
    _m("network_backward_range_stops_before_first", _LOOP_B,
       "for i in range(len(self.layers) - 1, 0, -1):\n            layer = self.layers[i]", "NeuralNetwork",
       "range(len - 1, 0, -1) stops before index 0, so the first layer is never updated."),
    _m("network_backward_list_reverse_method", _LOOP_B, "for layer in self.layers.reverse():", "NeuralNetwork",
       "list.reverse() reverses the list in place and returns None, so there is nothing to loop over; "
       "use reversed(self.layers)."),
    _m("network_backward_unpack_bias_weights_swapped", _NB,
       "grad_input, grad_bias, grad_weights = layer.backward(current_gradient)", "NeuralNetwork",
       "Layer.backward returns (grad_input, grad_weights, grad_bias); unpacking bias before weights swaps them."),
    _m("network_backward_passes_grad_output", _NB,
       "grad_input, grad_weights, grad_bias = layer.backward(grad_output)", "NeuralNetwork",
       "Every layer is given the network's output gradient; each layer needs the gradient passed back from "
       "the layer after it (current_gradient)."),
    _m("network_backward_gradient_set_after_loop", "            current_gradient = grad_input",
       "        current_gradient = grad_input", "NeuralNetwork",
       "current_gradient = grad_input is outside the loop, so every layer is given the network's output "
       "gradient instead of the one from the layer after it."),
    _m("network_backward_equals_minus_typo", _UW, "layer.weights =- learning_rate * grad_weights",
       "NeuralNetwork",
       "=- is assignment of a negative value, not -=: the weights are replaced by -learning_rate * grad_weights."),
    _m("network_backward_weights_use_grad_bias", _UW, "layer.weights -= learning_rate * grad_bias",
       "NeuralNetwork",
       "Copy-paste slip: the weights are updated with grad_bias instead of grad_weights."),
    _m("network_backward_weights_local_variable", _UW, "weights = layer.weights - learning_rate * grad_weights",
       "NeuralNetwork",
       "The new weights go into a local variable and are never stored back in layer.weights."),
    _m("network_backward_bias_statement_no_effect", _UB, "layer.bias - learning_rate * grad_bias",
       "NeuralNetwork",
       "layer.bias - learning_rate * grad_bias computes a value and throws it away; the bias is never updated."),
    _m("network_backward_hardcoded_rate", _UW, "layer.weights -= 0.01 * grad_weights", "NeuralNetwork",
       "The weight update uses a fixed 0.01 instead of the learning_rate argument."),
]

# Which cause text truly names each mistake (None: no text does). Written from the list of cause texts and
# the mistakes themselves, before any measurement and without running the grader on these mutants.
BLIND_LABELS: dict[str, Expect | None] = {
    # ReLU.forward
    "relu_forward_builtin_max_x_first": Expect(relation="array_as_one_truth"),
    "relu_forward_maximum_into_input": Expect(relation="input_modified"),  # values right, the input overwritten
    "relu_forward_where_keeps_negatives": seen("keeps_the_other_part", "ReLU.forward(x)"),  # min(x, 0) = x - relu
    "relu_forward_step_instead_of_ramp": Expect(mistake="relu_forward_mask", imprecise=("is_relu_derivative",)),
    "relu_forward_leaky_slope": seen("wrong_where_negative", "ReLU.forward(x)"),
    "relu_forward_minimum_x_first": seen("keeps_the_other_part", "ReLU.forward(x)"),
    # ReLU.backward
    "relu_backward_x_times_mask": Expect(mistake="relu_backward_is_relu", imprecise=("is_relu",)),
    "relu_backward_mask_below_zero": Expect(mistake="relu_backward_inverted"),
    "relu_backward_scalar_if": Expect(relation="array_as_one_truth"),
    "relu_backward_overwrites_input": Expect(relation="input_modified"),  # values right, the input overwritten
    # A scalar 1 broadcasts to 1 everywhere: right for x > 0, wrong for x < 0; no text names "a scalar, not an
    # array", and this one names the misconception (a slope of 1 everywhere).
    "relu_backward_returns_scalar_one": seen("wrong_where_negative", "ReLU.backward(x)"),
    "relu_backward_where_missing_else": None,  # np.where with one value: a ValueError no text explains
    # Sigmoid.forward
    "sigmoid_forward_missing_parentheses": seen("reciprocal", "Sigmoid.forward(x)"),  # 1 / 1 + e = 1 + e
    "sigmoid_forward_exp_without_minus": Expect(mistake="sigmoid_forward_sign", imprecise=("at_minus_x",)),
    # math is not imported, so the crash is a NameError; the text names the mistake (math.exp on an array)
    # and its fix (np.exp), though not the missing import.
    "sigmoid_forward_math_exp_unimported": Expect(relation="array_as_one_number"),
    "sigmoid_forward_denominator_one_minus_exp": None,  # 1 / (1 - e^-x): no relation to sigmoid a text names
    # A 0/1 step equal to ReLU's derivative in value, but the mistake is thresholding, not another function's
    # formula: is_relu_derivative would be true of the numbers, not of the mistake.
    "sigmoid_forward_thresholded": Expect(imprecise=("is_relu_derivative",)),  # adjudicated: see the note
    "sigmoid_forward_undefined_e": None,  # NameError for e
    # Sigmoid.backward
    "sigmoid_backward_self_forward": None,  # NameError: no self in a static method
    "sigmoid_backward_bare_forward": None,  # NameError
    "sigmoid_backward_calls_itself": None,  # RecursionError
    "sigmoid_backward_input_as_activation": Expect(mistake="sigmoid_backward_at_output",
                                                   imprecise=("derivative_of_another_s",)),  # x * (1 - x)
    "sigmoid_backward_dot_product": Expect(relation="times_for_matmul"),  # np.dot is the matrix product
    "sigmoid_backward_missing_star": None,  # TypeError: array not callable
    "sigmoid_backward_negative_sign": seen("negated", "Sigmoid.backward(x)"),
    # Layer.forward
    "layer_forward_dot_weights_first": Expect(relation="matmul_order"),  # np.dot(W, x) -> np.dot(x, W)
    "layer_forward_dot_weights_transposed": Expect(relation="matmul_transpose"),  # a .T too many on weights
    # W @ x.T: both the order and a .T are wrong, so no one-change fix exists for matmul_order/matmul_transpose.
    "layer_forward_column_convention": None,
    "layer_forward_np_multiply": Expect(relation="matmul_for_times"),  # np.multiply is entry by entry
    "layer_forward_dot_no_bias": Expect(mistake="layer_forward_missing_bias"),
    # relu(z) on Sigmoid layers; is_relu speaks of max(0, x) for an activation, not a layer ignoring its own.
    "layer_forward_hardcoded_relu": Expect(imprecise=("output_not_squashed",)),  # adjudicated: see the note
    "layer_forward_activation_called_as_class": None,  # TypeError: object not callable
    "layer_forward_output_in_local_variable": None,  # returns None: degenerate
    # z cached as x: backward takes f'(x) (or crashes on shapes); overwrites_pre_activation speaks of f(z)
    # written into z, input_not_cached of x not stored: neither is true here.
    "layer_forward_caches_input_as_activation_input": Expect(mistake="layer_forward_overwrites_pre_activation"),
    # Layer.backward
    # Multiplies by z instead of f'(z): the derivative is left out (replaced by z); no text names "z itself".
    "layer_backward_times_pre_activation": Expect(mistake="layer_backward_no_derivative"),
    "layer_backward_dot_activation_derivative": Expect(relation="times_for_matmul"),  # np.dot for *
    "layer_backward_weights_dot_transposed": Expect(mistake="layer_backward_weights_transposed",
                                                    imprecise=("transposed",)),
    # x @ grad_z.T: a .T moved from one operand to the other, two changes from the fix; not the transpose.
    "layer_backward_weights_input_not_transposed": None,
    "layer_backward_weights_averaged": Expect(mistake="layer_backward_divided_by_batch",
                                              imprecise=("divided_by_batch",)),
    "layer_backward_bias_sum_method_no_keepdims": Expect(mistake="layer_backward_bias_no_keepdims"),
    # Summed over every axis: the same total, the wrong shape; the fix is axis=0 with keepdims=True.
    "layer_backward_bias_total_sum": seen("summed_over_wrong_axis", "grad_bias"),
    "layer_backward_grad_input_dot_no_transpose": Expect(relation="matmul_transpose"),  # .T missing on weights
    "layer_backward_grad_input_elementwise": Expect(relation="matmul_for_times"),
    "layer_backward_grad_input_from_grad_output": Expect(mistake="layer_backward_no_derivative"),  # grad_input only
    # Layer.backward changes the weights itself; network_backward_through_updated_weights is about the
    # network's loop and its fix (update after backward) does not name the mistake (no update here at all).
    "layer_backward_applies_weight_step": None,
    # NeuralNetwork.forward
    # x is passed on and returned; in a net whose hidden size differs from its input size the second layer
    # crashes first, but the text names the mistake.
    "network_forward_result_not_kept": Expect(relation="is_the_input"),
    "network_forward_returns_in_loop": Expect(relation="calls_missing",
                                              imprecise=("network_forward_skips_last_layer",)),
    "network_forward_range_minus_one": Expect(mistake="network_forward_skips_last_layer",
                                              imprecise=("calls_missing",)),
    "network_forward_range_from_one": Expect(relation="calls_missing"),  # layers[0] never called (then a shape crash)
    "network_forward_range_feeds_x": None,  # every layer gets x: a shape crash or last(x); no text names it
    "network_forward_returns_input": Expect(relation="is_the_input"),
    "network_forward_prints_output": None,  # returns None: degenerate
    "network_forward_thresholds_output": None,  # outputs rounded to 0/1: no text names it
    # NeuralNetwork.backward
    "network_backward_range_forward_order": Expect(mistake="network_backward_front_to_back",
                                                   imprecise=("calls_reversed",)),
    "network_backward_range_stops_before_first": Expect(relation="calls_missing", imprecise=("unchanged",)),
    "network_backward_list_reverse_method": None,  # TypeError: None is not iterable
    "network_backward_unpack_bias_weights_swapped": Expect(relation="step_of_another_shape"),  # adjudicated
    "network_backward_passes_grad_output": Expect(mistake="network_backward_gradient_not_passed_on"),
    "network_backward_gradient_set_after_loop": Expect(mistake="network_backward_gradient_not_passed_on"),
    "network_backward_equals_minus_typo": Expect(relation="set_to_the_step"),  # =- assigns minus the step
    "network_backward_weights_use_grad_bias": None,  # grad_bias broadcast into the weights: no text names it
    "network_backward_weights_local_variable": Expect(relation="unchanged"),  # the weights' update is missing
    "network_backward_bias_statement_no_effect": Expect(mistake="network_backward_biases_frozen",
                                                        imprecise=("unchanged",)),
    "network_backward_hardcoded_rate": Expect(mistake="network_backward_fixed_learning_rate"),
}


# --- measured ---------------------------------------------------------------------------------------------
#
# First measurement (a7bf34e's detectors, these labels as written, 2026-11-27): 33 of the 44 mutants a
# cause describes were named (75%), 33 of 64 in all (52%); 5 wrong causes (8%), 0 imprecise. Then:
# - fixed in the detectors: a .T offered for `self.weights @ x.T` fitted the product but not the line (the
#   fix must leave the whole line fitting); np.dot, a.dot(b) and np.multiply were not read as products;
#   an operand of no known shape now takes the shape numpy reports for it;
# - texts made true of every mistake that shows them: "keeps f(z) but not z itself (overwritten or never
#   stored)", "has the values of <function>, not this method's";
# - four labels adjudicated, each against the texts as they then stood:
#   network_backward_unpack_bias_weights_swapped: the step rule (written before this set was read, after the
#   list of texts its writer labelled from) names it, "unpacked in the order layer.backward returns them";
#   "swapped" can never show, as the update crashes first. sigmoid_forward_thresholded: the values are ReLU's
#   derivative's, a true relation that does not name thresholding: imprecise. layer_forward_hardcoded_relu:
#   "the output layer's activation is skipped" is true (ReLU, not the sigmoid): imprecise.
#   layer_forward_caches_input_as_activation_input: z never stored, as the widened text says.
# From then on this set is seen; ``blind_bugs_2.py`` is the next blind measure.
