# Style: module-level lambdas and constants, numpy behind try/except, a training loop.
import os
import contextlib

try:
    import numpy as np
except ImportError:  # the grader must still run this statement: it binds np
    raise SystemExit("numpy is required")

ZERO, ONE = 0.0, 1.0                    # tuple-unpacked constants
FIRST_SIZE, *OTHER_SIZES = (2, 4, 1)    # starred target
with contextlib.nullcontext(0.01) as SCALE:   # a name bound by `with ... as`
    pass

sigmoid = lambda z: ONE / (ONE + np.exp(-z))
relu = lambda z: np.maximum(ZERO, z)

SIDE_EFFECTS = os.environ.get("LOADER_SIDE_EFFECTS")


def log(message):
    """Proof that experiment code ran: a line appended to $LOADER_SIDE_EFFECTS."""
    if SIDE_EFFECTS:
        with open(SIDE_EFFECTS, "a") as handle:
            handle.write(message + "\n")


class ReLU:
    def forward(self, x):
        return relu(x)

    def backward(self, x):
        return np.where(x > ZERO, ONE, ZERO)


class Sigmoid:
    def forward(self, x):
        return sigmoid(x)

    def backward(self, x):
        s = sigmoid(x)
        return s * (ONE - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * SCALE
        self.bias = np.zeros((1, output_size))
        self.activation = activation

    def forward(self, x):
        self.input = x
        self.z = x @ self.weights + self.bias
        return self.activation.forward(self.z)

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.backward(self.z)
        return grad_z @ self.weights.T, self.input.T @ grad_z, grad_z.sum(axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes=None, activations=None):
        layer_sizes = layer_sizes or [FIRST_SIZE, *OTHER_SIZES]
        self.layers = [Layer(n_in, n_out, act) for n_in, n_out, act in zip(layer_sizes, layer_sizes[1:], activations)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        for layer in reversed(self.layers):
            grad_output, grad_weights, grad_bias = layer.backward(grad_output)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias


# --- experiments: nothing graded depends on these ---
log("top-level call ran")
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
network = NeuralNetwork([2, 4, 1], [ReLU(), Sigmoid()])
for epoch in range(3):
    output = network.forward(X)
    network.backward(output - y, 0.1)
    log(f"epoch {epoch}")
print("trained")
