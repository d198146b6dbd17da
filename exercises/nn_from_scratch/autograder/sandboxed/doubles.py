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
    """A layer with known, made-up behaviour that logs every call a network makes.

    Its ``forward`` is affine; its ``backward`` returns *made-up* gradients (not
    the true ones: a network must pass on and apply whatever its layers return,
    and students reading this file learn nothing about ``Layer.backward``).
    ``grad_input`` depends on the weights at the time of the call, so a network
    that updates a layer before asking for its gradient, or asks twice, shows.
    """

    def __init__(self, index: int, weights: np.ndarray, bias: np.ndarray, log: list):
        self.index = index
        self.weights = weights
        self.bias = bias
        self.log = log
        self.input = None
        self.grad_outputs: list[np.ndarray] = []

    # A network that hands a layer an array of the wrong shape gets zeros back rather
    # than a numpy error from inside this class: the call log then shows what it did.

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.log.append(("forward", self.index))
        self.input = np.array(x, dtype=float)
        if self.input.ndim != 2 or self.input.shape[1] != self.weights.shape[0]:
            self.input = np.zeros((len(self.input), self.weights.shape[0]))
            return np.zeros((len(self.input), self.weights.shape[1]))
        return self.input @ self.weights + self.bias

    def backward(self, grad_output: np.ndarray):
        self.log.append(("backward", self.index))
        grad_output = np.array(grad_output, dtype=float)
        self.grad_outputs.append(grad_output)
        if self.input is None or grad_output.shape != (len(self.input), self.weights.shape[1]):
            rows = len(grad_output) if grad_output.ndim else 1
            return (np.zeros((rows, self.weights.shape[0])), np.zeros(self.weights.shape),
                    np.zeros(self.bias.shape))
        passed_back = grad_output @ np.sin(self.weights).T
        for_weights = np.cos(self.input).T @ grad_output
        for_bias = grad_output.max(axis=0, keepdims=True)
        return passed_back, for_weights, for_bias
