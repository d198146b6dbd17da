"""The bug catalogue: submissions that differ from the reference by one edit each.

Staff only (they quote the reference's lines). The tests prove with them that
a bug costs points in its own class's checks only, that each known mistake is
named, and that correct code written differently scores full marks; the
example submissions and the benchmarks are made from them too. Look a variant
up by name (:func:`bug`, :func:`correct`), never by position.
"""

from __future__ import annotations

from ...course.variants import Variant

# One bug each; `owner` is the class whose checks must catch it.
BUGS = [
    Variant("relu_forward_capped", (("return np.maximum(0, x)", "return np.clip(x, 0, 1)"),), "ReLU"),
    Variant("relu_forward_in_place", (("return np.maximum(0, x)", "x[x < 0] = 0\n        return x"),), "ReLU"),
    Variant("relu_forward_returns_mask", (("return np.maximum(0, x)", "return np.where(x > 0, 1.0, 0.0)"),), "ReLU"),
    Variant("relu_forward_threshold_above_zero", (("return np.maximum(0, x)", "return np.where(x > 1e-4, x, 0.0)"),),
            "ReLU"),
    Variant("relu_backward_returns_relu", (("return np.where(x > 0, 1.0, 0.0)", "return np.maximum(0, x)"),), "ReLU"),
    Variant("relu_backward_inverted", (("return np.where(x > 0, 1.0, 0.0)", "return np.where(x < 0, 1.0, 0.0)"),),
            "ReLU"),
    Variant("relu_backward_threshold_above_zero", (("return np.where(x > 0, 1.0, 0.0)",
                                                    "return np.where(x > 1e-4, 1.0, 0.0)"),), "ReLU"),
    Variant("sigmoid_forward_sign", (("return 1 / (1 + np.exp(-x))", "return 1 / (1 + np.exp(x))"),), "Sigmoid"),
    Variant("sigmoid_forward_overflows", (("return 1 / (1 + np.exp(-x))", "return np.exp(x) / (1 + np.exp(x))"),),
            "Sigmoid"),
    Variant("sigmoid_backward_at_output", (("s = Sigmoid.forward(x)\n        return s * (1 - s)",
                                            "return x * (1 - x)"),), "Sigmoid"),
    Variant("sigmoid_backward_missing_factor", (("return s * (1 - s)", "return s"),), "Sigmoid"),
    Variant("sigmoid_backward_overflows", (("s = Sigmoid.forward(x)\n        return s * (1 - s)",
                                            "return np.exp(-x) / (1 + np.exp(-x)) ** 2"),), "Sigmoid"),
    Variant("layer_forward_missing_bias", (("x @ self.weights + self.bias", "x @ self.weights"),), "Layer"),
    Variant("layer_forward_no_activation", (("self.output = self.activation.forward(self.activation_input)",
                                             "self.output = self.activation_input"),), "Layer"),
    Variant("layer_forward_forgets_to_cache_input", (("self.input = x\n        ", ""),), "Layer"),
    # The activation applied in place, into the cached z: the output is right, the cache is f(z).
    Variant("layer_forward_overwrites_pre_activation", (
        ("self.output = self.activation.forward(self.activation_input)",
         "self.output = self.activation_input\n"
         "        self.output[...] = self.activation.forward(self.activation_input)"),), "Layer"),
    Variant("layer_backward_no_activation_derivative", (
        ("grad_activation = grad_output * self.activation.backward(self.activation_input)",
         "grad_activation = grad_output"),), "Layer"),
    Variant("layer_backward_derivative_at_output", (
        ("self.activation.backward(self.activation_input)", "self.activation.backward(self.output)"),), "Layer"),
    Variant("layer_backward_bias_mean", (("np.sum(grad_activation, axis=0, keepdims=True)",
                                          "np.mean(grad_activation, axis=0, keepdims=True)"),), "Layer"),
    Variant("layer_backward_bias_no_keepdims", (("np.sum(grad_activation, axis=0, keepdims=True)",
                                                 "np.sum(grad_activation, axis=0)"),), "Layer"),
    Variant("layer_backward_weights_transposed", (("grad_weights = self.input.T @ grad_activation",
                                                   "grad_weights = grad_activation.T @ self.input"),), "Layer"),
    Variant("layer_backward_divides_by_batch", (("grad_weights = self.input.T @ grad_activation",
                                                 "grad_weights = self.input.T @ grad_activation / len(self.input)"),),
            "Layer"),
    Variant("layer_backward_updates_parameters", (("return grad_input, grad_weights, grad_bias",
                                                   "self.weights -= 0.1 * grad_weights\n"
                                                   "        return grad_input, grad_weights, grad_bias"),), "Layer"),
    Variant("network_forward_skips_last_layer", (("for layer in self.layers:", "for layer in self.layers[:-1]:"),),
            "NeuralNetwork"),
    Variant("network_forward_skips_output_activation", (
        ("current_input = layer.forward(current_input)\n        return current_input",
         "current_input = layer.forward(current_input)\n        return self.layers[-1].activation_input"),),
        "NeuralNetwork"),
    Variant("network_forward_zeroes_its_input", (("return current_input", "x.fill(0)\n        return current_input"),),
            "NeuralNetwork"),
    Variant("network_backward_gradient_ascent", (("layer.weights -= learning_rate * grad_weights",
                                                  "layer.weights += learning_rate * grad_weights"),), "NeuralNetwork"),
    Variant("network_backward_front_to_back", (("for layer in reversed(self.layers):", "for layer in self.layers:"),),
            "NeuralNetwork"),
    Variant("network_backward_ignores_learning_rate", (
        ("layer.weights -= learning_rate * grad_weights", "layer.weights -= 0.01 * grad_weights"),
        ("layer.bias -= learning_rate * grad_bias", "layer.bias -= 0.01 * grad_bias")), "NeuralNetwork"),
    Variant("network_backward_bias_never_updated", (("layer.bias -= learning_rate * grad_bias", "pass"),),
            "NeuralNetwork"),
    Variant("network_backward_gradient_not_passed_on", (("current_gradient = grad_input", "pass"),),
            "NeuralNetwork"),
    Variant("network_backward_through_updated_weights", (
        ("current_gradient = grad_input", "current_gradient = layer.backward(current_gradient)[0]"),),
        "NeuralNetwork"),
    Variant("network_backward_zeroes_grad_output", (
        ("current_gradient = grad_input", "current_gradient = grad_input\n        grad_output.fill(0)  # used up"),),
        "NeuralNetwork"),
]

# Correct code written differently: each must score full marks.
CORRECT = [
    Variant("sigmoid_via_tanh", (("return 1 / (1 + np.exp(-x))", "return 0.5 * (1 + np.tanh(0.5 * x))"),)),
    Variant("np_dot_instead_of_matmul", (
        ("x @ self.weights + self.bias", "np.dot(x, self.weights) + self.bias"),
        ("self.input.T @ grad_activation", "np.dot(self.input.T, grad_activation)"),
        ("grad_activation @ self.weights.T", "np.dot(grad_activation, self.weights.T)"))),
    Variant("relu_float_mask", (("return np.where(x > 0, 1.0, 0.0)", "return (x > 0).astype(float)"),
                                ("return np.maximum(0, x)", "return x * (x > 0)"))),
    Variant("relu_integer_mask_as_in_the_chapter", (("return np.where(x > 0, 1.0, 0.0)",
                                                     "return np.where(x > 0, 1, 0)"),)),
    Variant("chapter_initialisation", (("np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)",
                                        "np.random.randn(input_size, output_size) * 0.01"),)),
    Variant("xavier_init_with_own_generator", (
        ("np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)",
         "np.random.default_rng().normal(0, np.sqrt(1 / input_size), (input_size, output_size))"),)),
    Variant("prints_and_warns", (
        ("self.input = x\n", "print('Layer.forward', x.shape)\n        import warnings\n"
                             "        warnings.warn('debugging output')\n        self.input = x\n"),
        ("s = Sigmoid.forward(x)", "s = Sigmoid.forward(x)\n        np.exp(np.array([1000.0]))  # overflows: warns"))),
    Variant("update_by_rebinding", (
        ("layer.weights -= learning_rate * grad_weights", "layer.weights = layer.weights - learning_rate * grad_weights"),
        ("layer.bias -= learning_rate * grad_bias", "layer.bias = layer.bias - learning_rate * grad_bias"))),
    Variant("helpers_and_constants", (
        ("class Activation:", "EPS = 1e-12\nSCALE = np.float64(1.0)\n\n\ndef _affine(x, w, b):\n"
                              "    return x @ w + b\n\n\nclass Activation:"),
        ("x @ self.weights + self.bias", "_affine(x, self.weights, self.bias) * SCALE"))),
]


def bug(name: str) -> Variant:
    """The bug variant with this name."""
    return _named(BUGS, name)


def correct(name: str) -> Variant:
    """The correct variant with this name."""
    return _named(CORRECT, name)


def _named(variants: list[Variant], name: str) -> Variant:
    for variant in variants:
        if variant.name == name:
            return variant
    raise KeyError(f"no variant named {name!r}")
