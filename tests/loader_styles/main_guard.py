# Style: a script with a main guard; under the grader the guarded block does not run.
import os
import numpy as np

LEAK = 0.0


class ReLU:
    @staticmethod
    def forward(x):
        return np.where(x > 0, x, LEAK * x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, LEAK)


class Sigmoid:
    @staticmethod
    def forward(x):
        return 0.5 * (1 + np.tanh(0.5 * x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * 0.01
        self.bias = np.zeros((1, output_size))
        self.activation = activation

    def forward(self, x):
        self.input, self.z = x, x @ self.weights + self.bias
        return self.activation.forward(self.z)

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.backward(self.z)
        return grad_z @ self.weights.T, self.input.T @ grad_z, grad_z.sum(axis=0, keepdims=True)


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


if __name__ == "__main__":
    net = NeuralNetwork([2, 3, 1], [ReLU(), Sigmoid()])
    print(net.forward(np.ones((1, 2))))
    if os.environ.get("LOADER_SIDE_EFFECTS"):
        with open(os.environ["LOADER_SIDE_EFFECTS"], "a") as handle:
            handle.write("main block ran\n")
