"""Test doubles, so that each unit check grades one class alone.

A ``Layer`` check gives the student's layer a :class:`CubicActivation` instead of
the student's own ``ReLU`` or ``Sigmoid``: a bug in ``Sigmoid`` then costs points
in the ``Sigmoid`` checks only. A ``NeuralNetwork`` check fills the network with
:class:`StandInLayer` objects, whose forward and backward are known exactly and
which record how the network used them.
"""

from __future__ import annotations

import numpy as np


class CubicActivation:
    """f(z) = z + z**3 / 3, so f'(z) = 1 + z**2.

    Chosen because f'(z) differs from 1 (a missing derivative shows) and from
    f'(f(z)) (a derivative taken at the output shows).
    """

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        return x + x**3 / 3.0

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        return 1.0 + x**2


class StandInLayer:
    """An affine layer (no activation) that logs every call a network makes.

    ``backward`` returns exact gradients computed from the weights *at the time
    of the call*, so a network that updates a layer before asking it for its
    gradient, or calls it twice, is visible in the log.
    """

    def __init__(self, index: int, weights: np.ndarray, bias: np.ndarray, log: list):
        self.index = index
        self.weights = weights
        self.bias = bias
        self.log = log
        self.input = None
        self.grad_outputs: list[np.ndarray] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.log.append(("forward", self.index))
        self.input = np.array(x, dtype=float)
        return self.input @ self.weights + self.bias

    def backward(self, grad_output: np.ndarray):
        self.log.append(("backward", self.index))
        grad_output = np.array(grad_output, dtype=float)
        self.grad_outputs.append(grad_output)
        grad_input = grad_output @ self.weights.T
        grad_weights = self.input.T @ grad_output
        grad_bias = grad_output.sum(axis=0, keepdims=True)
        return grad_input, grad_weights, grad_bias
