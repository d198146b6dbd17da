"""Known mistakes, as working code: the reference with one thing done wrong.

Teaching staff only (left out of the student bundle, like the hidden checks):
each function takes the reference's namespace and returns a copy in which one
class makes one classic mistake. Running a check's scenario on that namespace
predicts what a student who made the mistake would get; when the student's
result matches, ``autograder.checks.misconceptions`` names the mistake.

Most mistakes are written as a transformation of the reference's own result
(``super()``), so no correct formula is written twice.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def _with(ns: dict, name: str, **methods) -> dict:
    changed = dict(ns)
    changed[name] = type(name, (ns[name],), methods)
    return changed


class _NoDerivative:
    """Wraps an activation so that its derivative is 1: 'the derivative left out'."""

    def __init__(self, activation):
        self.inner = activation

    def forward(self, x):
        return self.inner.forward(x)

    def backward(self, x):
        return np.ones_like(x)


class _DerivativeAtOutput(_NoDerivative):
    def backward(self, x):
        return self.inner.backward(self.inner.forward(x))


class _Identity(_NoDerivative):
    def forward(self, x):
        return x


class _DerivativeForActivation(_NoDerivative):
    """Another method's result: the derivative where the activation belongs."""

    def forward(self, x):
        return self.inner.backward(x)


class _AppliedTwice(_NoDerivative):
    def forward(self, x):
        return self.inner.forward(self.inner.forward(x))


class _ActivationForDerivative(_NoDerivative):
    """Another method's result: the activation where its derivative belongs."""

    def backward(self, x):
        return self.inner.forward(x)


def _layer_with_activation(ns: dict, wrapper, method: str) -> dict:
    def patched(self, *args):
        original = self.activation
        self.activation = wrapper(original)
        try:
            return getattr(ns["Layer"], method)(self, *args)
        finally:
            self.activation = original

    return _with(ns, "Layer", **{method: patched})


def _layer_gradients(transform) -> Callable[[dict], dict]:
    def make(ns: dict) -> dict:
        def backward(self, grad_output):
            return transform(*ns["Layer"].backward(self, grad_output), len(grad_output))

        return _with(ns, "Layer", backward=backward)

    return make


def _missing_bias(ns: dict) -> dict:
    def forward(self, x):
        bias = self.bias
        self.bias = np.zeros_like(bias)
        try:
            return ns["Layer"].forward(self, x)
        finally:
            self.bias = bias

    return _with(ns, "Layer", forward=forward)


def _pre_activation_overwritten(ns: dict) -> dict:
    def forward(self, x):
        output = ns["Layer"].forward(self, x)
        self.activation_input[...] = output  # the cached z now holds f(z)
        return output

    return _with(ns, "Layer", forward=forward)


def _network_backward(body) -> Callable[[dict], dict]:
    def make(ns: dict) -> dict:
        def backward(self, grad_output, learning_rate=0.01):
            return body(ns["NeuralNetwork"], self, grad_output, learning_rate)

        return _with(ns, "NeuralNetwork", backward=backward)

    return make


def _biases_frozen(base, network, grad_output, learning_rate):
    biases = [layer.bias.copy() for layer in network.layers]
    base.backward(network, grad_output, learning_rate)
    for layer, bias in zip(network.layers, biases):
        layer.bias = bias


def _ascent_on_weights_only(base, network, grad_output, learning_rate):
    before = [layer.weights.copy() for layer in network.layers]
    base.backward(network, grad_output, learning_rate)
    for layer, weights in zip(network.layers, before):
        layer.weights = 2 * weights - layer.weights  # the step reflected: W + lr * dW


def _front_to_back(base, network, grad_output, learning_rate):
    layers = network.layers
    network.layers = layers[::-1]
    try:
        base.backward(network, grad_output, learning_rate)
    finally:
        network.layers = layers


def _same_gradient_everywhere(base, network, grad_output, learning_rate):
    for layer in reversed(network.layers):
        _, grad_weights, grad_bias = layer.backward(grad_output)
        layer.weights = layer.weights - learning_rate * grad_weights
        layer.bias = layer.bias - learning_rate * grad_bias


def _through_updated_weights(base, network, grad_output, learning_rate):
    for layer in reversed(network.layers):
        _, grad_weights, grad_bias = layer.backward(grad_output)
        layer.weights = layer.weights - learning_rate * grad_weights
        layer.bias = layer.bias - learning_rate * grad_bias
        grad_output = layer.backward(grad_output)[0]


def _skips_last_layer(ns: dict) -> dict:
    def forward(self, x):
        layers = self.layers
        self.layers = layers[:-1]
        try:
            return ns["NeuralNetwork"].forward(self, x)
        finally:
            self.layers = layers

    return _with(ns, "NeuralNetwork", forward=forward)


def _static(ns: dict, name: str, method: str, function) -> dict:
    return _with(ns, name, **{method: staticmethod(function)})


# Keys are those of autograder.checks.misconceptions.MISCONCEPTIONS; "key~variant" is another
# way of making the same mistake.
WRONG_FORMULAS: dict[str, Callable[[dict], dict]] = {
    "relu_forward_mask": lambda ns: _static(ns, "ReLU", "forward", lambda x: ns["ReLU"].backward(x)),
    "relu_backward_is_relu": lambda ns: _static(ns, "ReLU", "backward", lambda x: ns["ReLU"].forward(x)),
    "relu_backward_inverted": lambda ns: _static(ns, "ReLU", "backward", lambda x: 1.0 - ns["ReLU"].backward(x)),
    "sigmoid_forward_sign": lambda ns: _static(ns, "Sigmoid", "forward", lambda x: ns["Sigmoid"].forward(-x)),
    "sigmoid_forward_is_derivative": lambda ns: _static(ns, "Sigmoid", "forward", lambda x: ns["Sigmoid"].backward(x)),
    "sigmoid_backward_at_output": lambda ns: _static(ns, "Sigmoid", "backward", lambda x: x * (1 - x)),
    "sigmoid_backward_missing_factor": lambda ns: _static(ns, "Sigmoid", "backward",
                                                          lambda x: ns["Sigmoid"].forward(x)),
    "layer_forward_missing_bias": _missing_bias,
    "layer_forward_no_activation": lambda ns: _layer_with_activation(ns, _Identity, "forward"),
    "layer_forward_overwrites_pre_activation": _pre_activation_overwritten,
    "layer_forward_derivative_for_activation": lambda ns: _layer_with_activation(ns, _DerivativeForActivation,
                                                                                 "forward"),
    "layer_forward_activation_twice": lambda ns: _layer_with_activation(ns, _AppliedTwice, "forward"),
    "layer_backward_no_derivative": lambda ns: _layer_with_activation(ns, _NoDerivative, "backward"),
    "layer_backward_derivative_at_output": lambda ns: _layer_with_activation(ns, _DerivativeAtOutput, "backward"),
    "layer_backward_forward_for_derivative": lambda ns: _layer_with_activation(ns, _ActivationForDerivative,
                                                                               "backward"),
    "layer_backward_bias_mean": _layer_gradients(lambda gi, gw, gb, n: (gi, gw, gb / n)),
    "layer_backward_bias_no_keepdims": _layer_gradients(lambda gi, gw, gb, n: (gi, gw, gb.ravel())),
    "layer_backward_weights_transposed": _layer_gradients(lambda gi, gw, gb, n: (gi, gw.T, gb)),
    "layer_backward_divided_by_batch": _layer_gradients(lambda gi, gw, gb, n: (gi, gw / n, gb / n)),
    "layer_backward_divided_by_batch~weights_only": _layer_gradients(lambda gi, gw, gb, n: (gi, gw / n, gb)),
    "network_forward_skips_last_layer": _skips_last_layer,
    "network_backward_gradient_ascent": _network_backward(lambda base, net, g, lr: base.backward(net, g, -lr)),
    "network_backward_gradient_ascent~weights_only": _network_backward(_ascent_on_weights_only),
    "network_backward_fixed_learning_rate~0.01": _network_backward(lambda base, net, g, lr: base.backward(net, g, 0.01)),
    "network_backward_fixed_learning_rate~0.1": _network_backward(lambda base, net, g, lr: base.backward(net, g, 0.1)),
    "network_backward_biases_frozen": _network_backward(_biases_frozen),
    "network_backward_front_to_back": _network_backward(_front_to_back),
    "network_backward_gradient_not_passed_on": _network_backward(_same_gradient_everywhere),
    "network_backward_through_updated_weights": _network_backward(_through_updated_weights),
}
