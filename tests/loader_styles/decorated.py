# Style: dataclasses, decorators (the student's own and functools'), __slots__, properties.
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

REGISTRY = {}


def register(cls):
    """A decorator defined in the submission."""
    REGISTRY[cls.__name__] = cls
    cls.registered = True
    return cls


@dataclass(frozen=True)
class Shape:
    inputs: int
    outputs: int

    @property
    def weight_shape(self) -> tuple[int, int]:
        return (self.inputs, self.outputs)


@functools.lru_cache(maxsize=None)
def slope(kind: str) -> float:
    return {"relu": 1.0, "leaky": 0.01}[kind]


@register
class ReLU:
    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, x)

    def backward(self, x: np.ndarray) -> np.ndarray:
        return (x > 0) * slope("relu")


@register
class Sigmoid:
    def forward(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    def backward(self, x: np.ndarray) -> np.ndarray:
        s = self.forward(x)
        return s * (1.0 - s)


class Layer:
    __slots__ = ("shape", "weights", "bias", "activation", "input", "z")

    def __init__(self, input_size: int, output_size: int, activation: ReLU | Sigmoid):
        self.shape = Shape(input_size, output_size)
        self.weights = np.random.randn(*self.shape.weight_shape) * 0.01
        self.bias = np.zeros((1, output_size))
        self.activation = activation

    @property
    def n_parameters(self) -> int:
        return self.weights.size + self.bias.size

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.input = x
        self.z = x @ self.weights + self.bias
        return self.activation.forward(self.z)

    def backward(self, grad_output: np.ndarray):
        grad_z = grad_output * self.activation.backward(self.z)
        return grad_z @ self.weights.T, self.input.T @ grad_z, grad_z.sum(axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes: list[int], activations: list):
        self.layers = [Layer(a, b, f) for a, b, f in zip(layer_sizes, layer_sizes[1:], activations)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output: np.ndarray, learning_rate: float = 0.01) -> None:
        for layer in reversed(self.layers):
            grad_output, grad_weights, grad_bias = layer.backward(grad_output)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias


print("parameters:", sum(layer.n_parameters for layer in NeuralNetwork([2, 4, 1], [ReLU(), Sigmoid()]).layers))
