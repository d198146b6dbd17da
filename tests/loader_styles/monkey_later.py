# Style: methods attached after the class, helpers defined after their use, singledispatch.
import functools
import os

import numpy as np


class ReLU:
    def forward(self, x):
        return clip_below(as_array(x), 0.0)  # both helpers are defined further down

    def backward(self, x):
        return (as_array(x) > 0).astype(float)


class Sigmoid:
    def forward(self, x):
        return squash(as_array(x))

    def backward(self, x):
        s = squash(as_array(x))
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * 0.01
        self.bias = np.zeros((1, output_size))
        self.activation = activation


def _layer_forward(self, x):
    self.input = x
    self.z = x @ self.weights + self.bias
    return self.activation.forward(self.z)


def _layer_backward(self, grad_output):
    grad_z = grad_output * self.activation.backward(self.z)
    return grad_z @ self.weights.T, self.input.T @ grad_z, grad_z.sum(axis=0, keepdims=True)


Layer.forward = _layer_forward             # a graded class changed by assignment
setattr(Layer, "backward", _layer_backward)  # ... and by setattr


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = [Layer(a, b, f) for a, b, f in zip(layer_sizes, layer_sizes[1:], activations)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        for layer in reversed(self.layers):
            grad_output, grad_weights, grad_bias = layer.backward(grad_output)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias


@functools.singledispatch
def as_array(x):
    return np.asarray(x, dtype=float)


@as_array.register(list)
def _(x):
    return np.array(x, dtype=float).reshape(len(x), -1)


def clip_below(x, low):
    return np.maximum(low, x)


squash = lambda z: 1 / (1 + np.exp(-z))

if os.environ.get("LOADER_SIDE_EFFECTS"):
    with open(os.environ["LOADER_SIDE_EFFECTS"], "a") as handle:
        handle.write("experiment ran\n")
