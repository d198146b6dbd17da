"""A fifth bug set: single-point mistakes students make in the eight methods, each with a plain description.

Written blind to the mistake detectors on 2026-11-27, without reading the relations, the misconceptions,
the judges, the staff checks or the four earlier bug sets: their names and edits were only compared
programmatically, so that no mutant here repeats an earlier name or edit (where a common mistake was
already taken, another realistic spelling of it, or another realistic mistake, was chosen). The mutants
were picked for realism, as a teacher who has graded many of these notebooks would pick them, in roughly
the proportions students make them (crashes included), not for being easy or hard to diagnose. Each
costs points in its own class's checks and in no other class's.

Labels are added in a second commit, from a list of cause texts, by what is true of each mistake,
without running the grader on it.
"""

from __future__ import annotations

from uncatalogued_bugs import Expect, seen
from variants import Variant


def _v(name: str, old: str, new: str, owner: str) -> Variant:
    return Variant(name, ((old, new),), owner)


# Exact lines of the reference's student code that the mutants edit.
_RELU_F = "return np.maximum(0, x)"
_RELU_B = "return np.where(x > 0, 1.0, 0.0)"
_SIG_F = "return 1 / (1 + np.exp(-x))"
_SIG_S = "s = Sigmoid.forward(x)"
_SIG_B = "return s * (1 - s)"
_SIG_BODY = _SIG_S + "\n        " + _SIG_B
_L_IN = "self.input = x"
_L_Z = "self.activation_input = x @ self.weights + self.bias"
_L_OUT = "self.output = self.activation.forward(self.activation_input)"
_L_GA = "grad_activation = grad_output * self.activation.backward(self.activation_input)"
_L_GW = "grad_weights = self.input.T @ grad_activation"
_L_GB = "grad_bias = np.sum(grad_activation, axis=0, keepdims=True)"
_L_GI = "grad_input = grad_activation @ self.weights.T"
_L_RET = "return grad_input, grad_weights, grad_bias"
_N_LOOP = "for layer in self.layers:"
_N_STEP = "current_input = layer.forward(current_input)"
_N_RET = "return current_input"
_N_G0 = "current_gradient = grad_output"
_N_BLOOP = "for layer in reversed(self.layers):"
_N_UNPACK = "grad_input, grad_weights, grad_bias = layer.backward(current_gradient)"
_N_W = "layer.weights -= learning_rate * grad_weights"
_N_B = "layer.bias -= learning_rate * grad_bias"
_N_UPDATES = _N_W + "\n            " + _N_B
_N_PASS = "current_gradient = grad_input"

BLIND_MUTANTS_2: list[tuple[Variant, str]] = [
    # ---------------------------------------------------------------- ReLU.forward
    (_v("relu_forward_max_method_axis", _RELU_F, "return x.max(0)", "ReLU"),
     "You used x.max(0), which takes the largest entry along axis 0, instead of np.maximum(0, x), which "
     "compares each entry with 0."),
    (_v("relu_forward_clip_method_to_one", _RELU_F, "return x.clip(0, 1)", "ReLU"),
     "You clipped x to the range [0, 1], so positive inputs above 1 are capped at 1 instead of passing "
     "through unchanged."),
    (_v("relu_forward_leaky_tenth", _RELU_F, "return np.maximum(x, 0.1 * x)", "ReLU"),
     "You wrote a leaky ReLU: negative inputs give 0.1 times x instead of 0."),
    (_v("relu_forward_heaviside_step", _RELU_F, "return np.heaviside(x, 0)", "ReLU"),
     "You returned the step function (1 for positive inputs, 0 otherwise), which is ReLU's derivative, "
     "instead of max(0, x)."),
    (_v("relu_forward_python_max_per_row", _RELU_F, "return np.array([max(0, v) for v in x])", "ReLU"),
     "You applied Python's built-in max to each row of the array, and it cannot compare a whole row with 0."),
    (_v("relu_forward_times_mask_in_place", _RELU_F, "x *= (x > 0)\n        return x", "ReLU"),
     "You multiplied x by its mask in place with *=, which changes the caller's array instead of returning "
     "a new one."),
    (_v("relu_forward_maximum_one_argument", _RELU_F, "return np.maximum(x)", "ReLU"),
     "You gave np.maximum only x; it compares two arrays entry by entry, so it needs the 0 as well."),
    # ---------------------------------------------------------------- ReLU.backward
    (_v("relu_backward_calls_forward", _RELU_B, "return ReLU.forward(x)", "ReLU"),
     "You returned ReLU's value max(0, x) instead of its derivative (1 where x > 0, else 0)."),
    (_v("relu_backward_where_le_swapped", _RELU_B, "return np.where(x <= 0, 1.0, 0.0)", "ReLU"),
     "Your condition is reversed: you give 1 where x <= 0 and 0 where x is positive."),
    (_v("relu_backward_keeps_negative_x", _RELU_B, "return np.where(x > 0, 1.0, x)", "ReLU"),
     "Where x is not positive you returned x itself instead of 0."),
    (_v("relu_backward_list_comprehension", _RELU_B,
        "return np.array([1.0 if v > 0 else 0.0 for v in x])", "ReLU"),
     "Your list comprehension loops over the rows of a 2-D array, and `if v > 0` on a whole row is "
     "ambiguous, so it fails."),
    (_v("relu_backward_np_gradient", _RELU_B, "return np.gradient(x)", "ReLU"),
     "You used np.gradient, which takes differences between neighbouring entries of the array, instead "
     "of the formula for ReLU's derivative."),
    (_v("relu_backward_x_over_abs", _RELU_B, "return x / np.abs(x)", "ReLU"),
     "x / |x| is the sign of x: it gives -1 for negative inputs, where the derivative is 0 (and 0/0 at 0)."),
    # ---------------------------------------------------------------- Sigmoid.forward
    (_v("sigmoid_forward_e_power_x", _SIG_F, "return 1 / (1 + np.e ** x)", "Sigmoid"),
     "You wrote e to the power x instead of e to the power -x, so your curve is the sigmoid mirrored."),
    (_v("sigmoid_forward_precedence_e", _SIG_F, "return 1 / 1 + np.e ** -x", "Sigmoid"),
     "Without brackets around the denominator you compute 1 / 1 + e^-x, that is 1 + e^-x."),
    (_v("sigmoid_forward_one_minus_sigmoid", _SIG_F, "return 1 - 1 / (1 + np.exp(-x))", "Sigmoid"),
     "You returned 1 minus the sigmoid instead of the sigmoid."),
    (_v("sigmoid_forward_exp_without_np", _SIG_F, "return 1 / (1 + exp(-x))", "Sigmoid"),
     "You wrote exp without np., and no function called exp is defined."),
    (_v("sigmoid_forward_tanh_unscaled", _SIG_F, "return (np.tanh(x) + 1) / 2", "Sigmoid"),
     "You used (tanh(x) + 1) / 2; the sigmoid is (tanh(x / 2) + 1) / 2, so you forgot to halve x."),
    (_v("sigmoid_forward_missing_one_plus", _SIG_F, "return 1 / np.exp(-x)", "Sigmoid"),
     "You left out the 1 + in the denominator, so you return exp(x)."),
    (_v("sigmoid_forward_negates_x_in_place", _SIG_F, "x *= -1\n        return 1 / (1 + np.exp(x))", "Sigmoid"),
     "You negated x in place with *= -1, which changes the caller's array."),
    (_v("sigmoid_forward_stable_if_on_array", _SIG_F,
        "return 1 / (1 + np.exp(-x)) if x >= 0 else np.exp(x) / (1 + np.exp(x))", "Sigmoid"),
     "Your overflow-safe version tests `if x >= 0` on a whole array, which is ambiguous; that test works "
     "only on one number (use np.where)."),
    # ---------------------------------------------------------------- Sigmoid.backward
    (_v("sigmoid_backward_x_minus_x_squared", _SIG_BODY, "return x - x ** 2", "Sigmoid"),
     "You wrote x - x**2, which is s(1 - s) with x in place of s = sigmoid(x): x is the pre-activation, "
     "not the sigmoid's output."),
    (_v("sigmoid_backward_s_squared_minus_s", _SIG_B, "return s ** 2 - s", "Sigmoid"),
     "You wrote s**2 - s instead of s - s**2, so your derivative has the wrong sign."),
    (_v("sigmoid_backward_caret_power", _SIG_B, "return s - s ^ 2", "Sigmoid"),
     "You used ^ for a power; in Python ^ is bitwise xor, which does not work on floats (use **)."),
    (_v("sigmoid_backward_forward_not_called", _SIG_S, "s = Sigmoid.forward", "Sigmoid"),
     "You forgot the (x) after Sigmoid.forward, so s is the function itself, not its value."),
    (_v("sigmoid_backward_matmul_operator", _SIG_B, "return s @ (1 - s)", "Sigmoid"),
     "You used @, a matrix product, where the formula needs the entry-by-entry product s * (1 - s)."),
    (_v("sigmoid_backward_minus_exp_formula", _SIG_BODY, "return -np.exp(-x) / (1 + np.exp(-x)) ** 2", "Sigmoid"),
     "You forgot the chain rule's -1 from the inner -x, so your derivative has the wrong sign."),
    (_v("sigmoid_backward_square_misplaced", _SIG_BODY, "return np.exp(-x) / (1 + np.exp(-x) ** 2)", "Sigmoid"),
     "You squared only exp(-x) in the denominator; the derivative is exp(-x) / (1 + exp(-x)) ** 2."),
    # ---------------------------------------------------------------- Layer.forward
    (_v("layer_forward_matmul_weights_first", _L_Z,
        "self.activation_input = np.matmul(self.weights, x) + self.bias", "Layer"),
     "You multiplied in the wrong order, weights times x; with inputs as rows it must be x @ weights."),
    (_v("layer_forward_np_transpose_weights", _L_Z,
        "self.activation_input = x @ np.transpose(self.weights) + self.bias", "Layer"),
     "You transposed the weights; they are already stored as (input_size, output_size), so x @ weights "
     "is right as it is."),
    (_v("layer_forward_matmul_no_bias", _L_Z, "self.activation_input = np.matmul(x, self.weights)", "Layer"),
     "You forgot to add the bias to the pre-activation."),
    (_v("layer_forward_dot_bias_transposed", _L_Z,
        "self.activation_input = np.dot(x, self.weights) + self.bias.T", "Layer"),
     "You transposed the bias, a row of shape (1, output_size), into a column, which does not add to the "
     "(batch, output_size) product."),
    (_v("layer_forward_bias_inside_dot", _L_Z,
        "self.activation_input = x.dot(self.weights + self.bias)", "Layer"),
     "Your bracket is misplaced: you added the bias to the weights before the product instead of adding "
     "it to x @ weights."),
    (_v("layer_forward_caches_inputs_typo", _L_IN, "self.inputs = x", "Layer"),
     "You stored the input as self.inputs (with an s), so self.input stays None and backward cannot use it."),
    (_v("layer_forward_local_z_not_cached", _L_Z, "z = x @ self.weights + self.bias", "Layer"),
     "You computed the pre-activation into a local z but then used self.activation_input, which was never "
     "set."),
    (_v("layer_forward_activation_of_cached_input", _L_OUT,
        "self.output = self.activation.forward(self.input)", "Layer"),
     "You applied the activation to the cached input self.input instead of the pre-activation "
     "self.activation_input."),
    (_v("layer_forward_hardcoded_sigmoid", _L_OUT,
        "self.output = Sigmoid.forward(self.activation_input)", "Layer"),
     "You always applied the sigmoid instead of the layer's own activation, self.activation."),
    (_v("layer_forward_caches_activated_value", _L_Z + "\n        " + _L_OUT,
        "self.activation_input = self.activation.forward(x @ self.weights + self.bias)\n"
        "        self.output = self.activation_input", "Layer"),
     "You stored the value after the activation in self.activation_input, which must hold the "
     "pre-activation x @ weights + bias for backward."),
    # ---------------------------------------------------------------- Layer.backward
    (_v("layer_backward_derivative_at_output_first", _L_GA,
        "grad_activation = self.activation.backward(self.output) * grad_output", "Layer"),
     "You took the activation's derivative at the layer's output instead of at its pre-activation "
     "self.activation_input."),
    (_v("layer_backward_dot_method_activation", _L_GA,
        "grad_activation = grad_output.dot(self.activation.backward(self.activation_input))", "Layer"),
     "You used .dot, a matrix product, to apply the activation's derivative; it must be multiplied "
     "entry by entry."),
    (_v("layer_backward_forgets_grad_output", _L_GA,
        "grad_activation = self.activation.backward(self.activation_input)", "Layer"),
     "You forgot to multiply the activation's derivative by grad_output, the gradient coming from above."),
    (_v("layer_backward_aliased_then_scaled", _L_GA,
        "grad_activation = grad_output\n        grad_activation *= self.activation.backward(self.activation_input)",
        "Layer"),
     "grad_activation = grad_output does not copy the array, so your *= changes the caller's grad_output too."),
    (_v("layer_backward_dot_input_untransposed", _L_GW, "grad_weights = np.dot(self.input, grad_activation)",
        "Layer"),
     "You forgot to transpose the input in the weight gradient: it is input.T @ grad_activation."),
    (_v("layer_backward_matmul_grad_first", _L_GW,
        "grad_weights = np.matmul(grad_activation.T, self.input)", "Layer"),
     "You multiplied in the wrong order, so your weight gradient is the transpose of the right one, "
     "(output_size, input_size) instead of (input_size, output_size)."),
    (_v("layer_backward_matmul_weights_from_grad_output", _L_GW,
        "grad_weights = np.matmul(self.input.T, grad_output)", "Layer"),
     "You used grad_output in the weight gradient instead of grad_activation, leaving out the "
     "activation's derivative."),
    (_v("layer_backward_bias_sum_method_axis_1", _L_GB,
        "grad_bias = grad_activation.sum(axis=1, keepdims=True)", "Layer"),
     "You summed the bias gradient over axis 1 (the units) instead of axis 0 (the batch)."),
    (_v("layer_backward_bias_np_sum_positional", _L_GB, "grad_bias = np.sum(grad_activation, 0)", "Layer"),
     "You summed over the batch without keepdims=True, so the bias gradient has shape (output_size,) "
     "instead of (1, output_size)."),
    (_v("layer_backward_bias_mean_method", _L_GB, "grad_bias = grad_activation.mean(axis=0, keepdims=True)",
        "Layer"),
     "You averaged the bias gradient over the batch instead of summing it."),
    (_v("layer_backward_bias_sum_everything", _L_GB, "grad_bias = grad_activation.sum()", "Layer"),
     "You summed every entry of grad_activation into one number instead of summing over the batch only."),
    (_v("layer_backward_bias_from_grad_output", _L_GB,
        "grad_bias = grad_output.sum(axis=0, keepdims=True)", "Layer"),
     "You summed grad_output for the bias gradient instead of grad_activation, leaving out the "
     "activation's derivative."),
    (_v("layer_backward_bias_reshaped_column", _L_GB,
        "grad_bias = grad_activation.sum(axis=0).reshape(-1, 1)", "Layer"),
     "You reshaped the bias gradient into a column (output_size, 1) instead of a row (1, output_size)."),
    (_v("layer_backward_input_matmul_untransposed", _L_GI,
        "grad_input = np.matmul(grad_activation, self.weights)", "Layer"),
     "You forgot to transpose the weights in the input gradient: it is grad_activation @ weights.T."),
    (_v("layer_backward_input_dot_transposed_result", _L_GI,
        "grad_input = np.dot(self.weights, grad_activation.T)", "Layer"),
     "You multiplied in the wrong order, so your input gradient is transposed, (input_size, batch) "
     "instead of (batch, input_size)."),
    (_v("layer_backward_returns_grad_activation", _L_RET, "return grad_activation, grad_weights, grad_bias",
        "Layer"),
     "You returned grad_activation as the first gradient instead of grad_input, the gradient with respect "
     "to the layer's input."),
    (_v("layer_backward_takes_gradient_step", _L_RET,
        "self.weights -= 0.01 * grad_weights\n        self.bias -= 0.01 * grad_bias\n        " + _L_RET, "Layer"),
     "You updated the weights and bias inside Layer.backward, which must only return the gradients "
     "(the network does the update)."),
    # ---------------------------------------------------------------- NeuralNetwork.forward
    (_v("nn_forward_result_into_x", _N_STEP, "x = layer.forward(current_input)", "NeuralNetwork"),
     "You stored each layer's output in x, but the loop reads current_input, so every layer gets the "
     "network's input and you return it unchanged."),
    (_v("nn_forward_index_from_one", _N_LOOP + "\n            " + _N_STEP,
        "for i in range(1, len(self.layers)):\n            current_input = self.layers[i].forward(current_input)",
        "NeuralNetwork"),
     "Your range starts at 1, so the first layer is never applied."),
    (_v("nn_forward_range_skips_last", _N_LOOP + "\n            " + _N_STEP,
        "for i in range(len(self.layers) - 1):\n            current_input = self.layers[i].forward(current_input)",
        "NeuralNetwork"),
     "Your range stops one short, so the last layer is never applied."),
    (_v("nn_forward_returns_first_layer_output", _N_RET, "return self.layers[0].output", "NeuralNetwork"),
     "You returned the first layer's output instead of the last layer's."),
    (_v("nn_forward_comprehension_on_x",
        "current_input = x\n        " + _N_LOOP + "\n            " + _N_STEP + "\n        " + _N_RET,
        "outputs = [layer.forward(x) for layer in self.layers]\n        return outputs[-1]", "NeuralNetwork"),
     "In your list comprehension every layer is given x instead of the previous layer's output."),
    (_v("nn_forward_activation_applied_again", _N_STEP,
        "current_input = layer.activation.forward(layer.forward(current_input))", "NeuralNetwork"),
     "You applied each layer's activation again after layer.forward, which already applies it."),
    (_v("nn_forward_recomputes_without_cache", _N_STEP,
        "current_input = layer.activation.forward(current_input @ layer.weights + layer.bias)", "NeuralNetwork"),
     "You recomputed each layer by hand instead of calling layer.forward, so the layers never cache their "
     "input and pre-activation for backward."),
    (_v("nn_forward_return_inside_loop", _N_STEP, "return layer.forward(current_input)", "NeuralNetwork"),
     "You return inside the loop, so only the first layer is applied."),
    (_v("nn_forward_returns_layer_preactivation", _N_RET, "return layer.activation_input", "NeuralNetwork"),
     "You returned the last layer's pre-activation instead of its output, leaving out the final activation."),
    # ---------------------------------------------------------------- NeuralNetwork.backward
    (_v("nn_backward_slice_skips_first", _N_BLOOP, "for layer in self.layers[:0:-1]:", "NeuralNetwork"),
     "Your slice [:0:-1] stops before index 0, so the first layer is never updated."),
    (_v("nn_backward_enumerate_without_index", _N_BLOOP, "for layer in enumerate(reversed(self.layers)):",
        "NeuralNetwork"),
     "enumerate gives (index, layer) pairs, so without `i, layer` your loop variable is a tuple, not a layer."),
    (_v("nn_backward_weights_plus_rebound", _N_W,
        "layer.weights = layer.weights + learning_rate * grad_weights", "NeuralNetwork"),
     "You added the weight gradient instead of subtracting it, so the weights climb the loss."),
    (_v("nn_backward_bias_equals_minus_typo", _N_B, "layer.bias =- learning_rate * grad_bias", "NeuralNetwork"),
     "You typed =- instead of -=, so the bias is replaced by -learning_rate * grad_bias instead of being "
     "decreased by it."),
    (_v("nn_backward_weights_expression_discarded", _N_W, "layer.weights - learning_rate * grad_weights",
        "NeuralNetwork"),
     "You wrote the weight update as an expression without assigning it, so the weights never change."),
    (_v("nn_backward_np_subtract_discarded", _N_W, "np.subtract(layer.weights, learning_rate * grad_weights)",
        "NeuralNetwork"),
     "np.subtract returns a new array and does not change layer.weights, so the weights never change."),
    (_v("nn_backward_weights_rebound_without_rate", _N_W, "layer.weights = layer.weights - grad_weights",
        "NeuralNetwork"),
     "You forgot the learning rate in the weight update, so the weights take a full gradient step."),
    (_v("nn_backward_assigns_grad_output", _N_PASS, "grad_output = grad_input", "NeuralNetwork"),
     "You stored grad_input in grad_output, which the loop no longer reads, so every layer gets the same "
     "gradient."),
    (_v("nn_backward_passes_learning_rate_to_layer", _N_UNPACK,
        "grad_input, grad_weights, grad_bias = layer.backward(current_gradient, learning_rate)", "NeuralNetwork"),
     "You passed the learning rate to layer.backward, which takes only the gradient."),
    (_v("nn_backward_treats_gradient_as_target", _N_G0,
        "current_gradient = self.layers[-1].output - grad_output", "NeuralNetwork"),
     "You treated grad_output as the targets and computed output - grad_output yourself; grad_output is "
     "already the loss's gradient."),
    (_v("nn_backward_returns_inside_loop", _N_PASS, "return grad_input", "NeuralNetwork"),
     "You return inside the loop, so only the last layer is updated."),
    (_v("nn_backward_hardcoded_rate", _N_UPDATES,
        "layer.weights -= 0.01 * grad_weights\n            layer.bias -= 0.01 * grad_bias", "NeuralNetwork"),
     "You wrote the learning rate as the number 0.01 instead of using the learning_rate argument."),
    (_v("nn_backward_averages_over_batch", _N_UPDATES,
        "layer.weights -= learning_rate * grad_weights / len(grad_output)\n"
        "            layer.bias -= learning_rate * grad_bias / len(grad_output)", "NeuralNetwork"),
     "You divided the updates by the batch size; the step is learning_rate times the gradient as given."),
    (_v("nn_backward_weights_step_transposed", _N_W, "layer.weights -= learning_rate * grad_weights.T",
        "NeuralNetwork"),
     "You transposed the weight gradient in the update; it already has the weights' shape."),
]


# Labels, written from the cause texts (/tmp/cause_texts_v2.md) and from what each mistake is (its code and its
# description above), before any measurement: the grader was not run on these mutants for causes.
BLIND_LABELS_2: dict[str, Expect | None] = {
    # ReLU.forward
    "relu_forward_max_method_axis": None,  # x.max(0) reduces along a valid axis 0 (no crash): array_as_axis's "an array given as the axis" is not true of it
    "relu_forward_clip_method_to_one": seen("wrong_above_a_point", "ReLU.forward(x)"),  # capped at 1
    "relu_forward_leaky_tenth": seen("wrong_where_negative", "ReLU.forward(x)"),
    "relu_forward_heaviside_step": Expect(mistake="relu_forward_mask", imprecise=("is_relu_derivative",)),
    "relu_forward_python_max_per_row": Expect(relation="array_as_one_truth"),  # built-in max(0, row) crashes
    "relu_forward_times_mask_in_place": Expect(relation="input_modified"),  # values right, x changed
    "relu_forward_maximum_one_argument": None,  # TypeError for a missing argument: no text explains it
    # ReLU.backward
    "relu_backward_calls_forward": Expect(mistake="relu_backward_is_relu", imprecise=("is_relu",)),
    "relu_backward_where_le_swapped": Expect(mistake="relu_backward_inverted"),
    "relu_backward_keeps_negative_x": seen("wrong_where_negative", "ReLU.backward(x)"),
    "relu_backward_list_comprehension": Expect(relation="array_as_one_truth"),  # `if v > 0` on a row
    "relu_backward_np_gradient": None,  # finite differences of the array: no text names it
    "relu_backward_x_over_abs": seen("wrong_where_negative", "ReLU.backward(x)"),  # -1 for x < 0, right for x > 0
    # Sigmoid.forward
    "sigmoid_forward_e_power_x": Expect(mistake="sigmoid_forward_sign", imprecise=("at_minus_x",)),
    "sigmoid_forward_precedence_e": seen("reciprocal", "Sigmoid.forward(x)"),  # 1 / 1 + e^-x = 1 / sigmoid
    # 1 - sigmoid(x) = sigmoid(-x): true of the results, but the mistake is the "1 -", not a sign on the input
    "sigmoid_forward_one_minus_sigmoid": Expect(imprecise=("at_minus_x", "sigmoid_forward_sign")),
    "sigmoid_forward_exp_without_np": None,  # NameError: no text explains it
    "sigmoid_forward_tanh_unscaled": seen("at_scaled_x", "Sigmoid.forward(x)"),  # (tanh(x) + 1) / 2 = sigmoid(2x)
    "sigmoid_forward_missing_one_plus": None,  # exp(x): no text names a missing "1 +"
    "sigmoid_forward_negates_x_in_place": Expect(relation="input_modified"),  # values right, x negated
    "sigmoid_forward_stable_if_on_array": Expect(relation="array_as_one_truth"),
    # Sigmoid.backward
    "sigmoid_backward_x_minus_x_squared": Expect(mistake="sigmoid_backward_at_output",
                                                 imprecise=("derivative_of_another_s",)),
    "sigmoid_backward_s_squared_minus_s": seen("negated", "Sigmoid.backward(x)"),
    "sigmoid_backward_caret_power": None,  # TypeError from ^ (bitwise xor) on floats: no text explains it
    "sigmoid_backward_forward_not_called": None,  # arithmetic on a function object: no text explains it
    "sigmoid_backward_matmul_operator": Expect(relation="times_for_matmul"),
    "sigmoid_backward_minus_exp_formula": seen("negated", "Sigmoid.backward(x)"),
    "sigmoid_backward_square_misplaced": None,  # e^-x / (1 + e^-2x) = sech(x) / 2: no text names it
    # Layer.forward
    "layer_forward_matmul_weights_first": Expect(relation="matmul_order"),
    "layer_forward_np_transpose_weights": Expect(relation="matmul_transpose"),  # a transpose too many on the weights (np.transpose, not .T)
    "layer_forward_matmul_no_bias": Expect(mistake="layer_forward_missing_bias"),
    # the text's template, "a .T too many on self.bias: <line without .T> fits", describes it, though the bias is not in the product
    "layer_forward_dot_bias_transposed": Expect(relation="matmul_transpose"),
    "layer_forward_bias_inside_dot": None,  # x @ (W + b) adds b times each row's sum of x: no text names it
    "layer_forward_caches_inputs_typo": Expect(relation="input_not_cached"),
    # z kept in a local, self.activation_input never stored (the activation then gets None): "or never stored"
    "layer_forward_local_z_not_cached": Expect(mistake="layer_forward_overwrites_pre_activation",
                                               imprecise=("input_not_cached",)),
    "layer_forward_activation_of_cached_input": None,  # f(x) for f(z): no text names the wrong variable
    "layer_forward_hardcoded_sigmoid": None,  # ignores self.activation: no text names it (is_sigmoid is about x, not z)
    "layer_forward_caches_activated_value": Expect(mistake="layer_forward_overwrites_pre_activation"),
    # Layer.backward
    "layer_backward_derivative_at_output_first": Expect(mistake="layer_backward_derivative_at_output"),
    "layer_backward_dot_method_activation": Expect(relation="times_for_matmul"),
    "layer_backward_forgets_grad_output": None,  # grad_z = f'(z) without grad_output: no text names it
    "layer_backward_aliased_then_scaled": Expect(relation="input_modified"),  # grad_output changed by *=
    "layer_backward_dot_input_untransposed": Expect(relation="matmul_transpose"),  # a .T missing on the input
    "layer_backward_matmul_grad_first": Expect(mistake="layer_backward_weights_transposed",
                                               imprecise=("transposed", "matmul_order")),
    "layer_backward_matmul_weights_from_grad_output": Expect(mistake="layer_backward_no_derivative"),  # only in grad_weights
    "layer_backward_bias_sum_method_axis_1": seen("summed_over_wrong_axis", "grad_bias"),
    "layer_backward_bias_np_sum_positional": Expect(mistake="layer_backward_bias_no_keepdims",
                                                    imprecise=("right_values_other_shape",)),
    "layer_backward_bias_mean_method": Expect(mistake="layer_backward_bias_mean", imprecise=("divided_by_batch",)),
    # summed over both axes: the same total in the wrong shape (for one output unit, the right value as a scalar)
    "layer_backward_bias_sum_everything": Expect(relation="summed_over_wrong_axis", labels=("grad_bias",),
                                                 imprecise=("right_values_other_shape",)),
    "layer_backward_bias_from_grad_output": Expect(mistake="layer_backward_no_derivative"),  # only in grad_bias
    "layer_backward_bias_reshaped_column": Expect(relation="right_values_other_shape", labels=("grad_bias",),
                                                  imprecise=("transposed",)),
    "layer_backward_input_matmul_untransposed": Expect(relation="matmul_transpose"),  # a .T missing on the weights
    "layer_backward_input_dot_transposed_result": seen("transposed", "grad_input"),
    "layer_backward_returns_grad_activation": None,  # grad_z returned for grad_input: no text names it
    "layer_backward_takes_gradient_step": None,  # parameters changed inside Layer.backward: no text names it
    # NeuralNetwork.forward
    # the output is never passed on and x is returned (the later layers get x, which crashes when sizes differ)
    "nn_forward_result_into_x": seen("is_the_input", "NeuralNetwork.forward(x)"),
    "nn_forward_index_from_one": Expect(relation="calls_missing"),  # the first layer is never called
    "nn_forward_range_skips_last": Expect(mistake="network_forward_skips_last_layer", imprecise=("calls_missing",)),
    "nn_forward_returns_first_layer_output": None,  # every layer runs; the first one's output is returned
    "nn_forward_comprehension_on_x": None,  # every layer gets x (a shape crash): no forward text names it
    # f applied twice per layer, in NeuralNetwork.forward, not in Layer.forward as that text says
    "nn_forward_activation_applied_again": Expect(imprecise=("layer_forward_activation_twice",)),
    "nn_forward_recomputes_without_cache": None,  # Layer.forward is never called, so nothing is cached
    "nn_forward_return_inside_loop": Expect(relation="calls_missing"),  # only the first layer is called
    "nn_forward_returns_layer_preactivation": Expect(relation="output_not_squashed"),
    # NeuralNetwork.backward
    "nn_backward_slice_skips_first": Expect(relation="calls_missing", imprecise=("unchanged",)),
    "nn_backward_enumerate_without_index": None,  # AttributeError on a tuple: no text explains it
    "nn_backward_weights_plus_rebound": Expect(mistake="network_backward_gradient_ascent"),  # weights only
    "nn_backward_bias_equals_minus_typo": Expect(relation="set_to_the_step"),  # =- for -=: bias = -step
    "nn_backward_weights_expression_discarded": Expect(relation="unchanged"),
    "nn_backward_np_subtract_discarded": Expect(relation="unchanged"),
    "nn_backward_weights_rebound_without_rate": Expect(relation="step_without_learning_rate"),
    "nn_backward_assigns_grad_output": Expect(mistake="network_backward_gradient_not_passed_on"),
    "nn_backward_passes_learning_rate_to_layer": None,  # TypeError, one argument too many: no text explains it
    "nn_backward_treats_gradient_as_target": None,  # output - grad_output as the gradient: no text names it
    "nn_backward_returns_inside_loop": Expect(relation="calls_missing", imprecise=("unchanged",)),  # only the last layer
    "nn_backward_hardcoded_rate": Expect(mistake="network_backward_fixed_learning_rate"),
    "nn_backward_averages_over_batch": Expect(relation="step_divided_by_batch"),
    "nn_backward_weights_step_transposed": Expect(relation="step_of_another_shape"),  # -= with a (out, in) step
}


# --- measured ---------------------------------------------------------------------------------------------
#
# First measurement (88cd6b2's detectors, these labels as written, nothing adjudicated, 2026-11-27): 51 of
# the 56 mutants a cause describes named (91%), 51 of 78 in all (65%); no wrong cause; 2 imprecise (3%:
# sigmoid_forward_one_minus_sigmoid, layer_backward_bias_reshaped_column). The five describable ones left
# unnamed: two `@` between arrays of one shape (a .T on either side fits as well as `*`: nothing is said by
# design), np.transpose(self.weights) (a .T is only offered on a name), z kept in a local only, and a bias
# gradient reshaped into a column (named "transposed": imprecise). The other 22 are crashes no rule explains
# and formulas no cause describes; their messages quote the error at the student's line, or expected and got.
