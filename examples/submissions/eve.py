# A hostile submission: correct code, except that it attacks the grader.
# Each attack may cost eve points; none may cost anyone else anything.
import os
import sys

import numpy as np


class Activation:
    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError


class ReLU(Activation):
    @staticmethod
    def forward(x):
        os._exit(0)  # leave before any result is written

    @staticmethod
    def backward(x):
        sys.exit("bye")  # SystemExit is a failure, not a pass


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        np.isclose = lambda *args, **kwargs: True  # patching numpy fools no one
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        while np.abs(x).max() > 100:  # hangs on large inputs: costs that check only
            pass
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        grad_activation = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ grad_activation
        grad_bias = np.sum(grad_activation, axis=0, keepdims=True)
        grad_input = grad_activation @ self.weights.T
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = [Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]) for i in range(len(layer_sizes) - 1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        for layer in reversed(self.layers):
            grad_output_next, grad_weights, grad_bias = layer.backward(grad_output)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
            grad_output = grad_output_next
