"""A corpus of CORRECT submissions to nn_from_scratch, each written in a different style.

Every entry is code a real student could hand in: the classes ``ReLU``, ``Sigmoid``,
``Layer`` and ``NeuralNetwork`` implemented correctly (they agree with the reference
solution to 1e-9, see ``check_corpus.py``), but laid out the way real classes lay
them out: lambdas, try/except imports, tuple-unpacked constants, helpers in later
cells, redefined classes, decorators, ``__slots__``, properties, methods attached after
the class, Windows line endings, tabs, a BOM, latin-1, a cell with copied test metadata,
and so on. A grader must give every entry full marks.

The tests prove that every entry scores full marks on every front end
(``test_fairness.py``) and that every entry really is correct under plain Python
(``corpus_check.py``). ``write(entry, folder, exercise)`` writes one entry:
``<name>.py`` (exact bytes, via ``entry.newline`` and ``entry.encoding``) or
``<name>.ipynb`` (the exercise notebook with the student's cells typed in).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.course.variants import EXERCISE, SOLUTION, student_code_cells  # noqa: F401 (SOLUTION: corpus_check)

CODE_CELLS = tuple(student_code_cells())  # grade_ids of the cells a student completes


@dataclass(frozen=True)
class Entry:
    name: str  # snake_case, says the style
    why: str  # one line: what real students do that this imitates
    kind: str  # "py" or "ipynb"
    source: str = ""  # kind == "py": the whole file text (written with `newline` and `encoding`)
    cells: dict = field(default_factory=dict)  # kind == "ipynb": grade_id -> new source
    extra_cells: tuple = ()  # kind == "ipynb": (after_grade_id, source, metadata_dict) code cells
    newline: str = "\n"  # "\r\n": Windows line endings (whole .py, or every cell source of the notebook)
    encoding: str = "utf-8"  # "utf-8-sig" for a BOM, "latin-1" with a coding cookie


def held_to(path: Path) -> set[str]:
    """Ids of the checks a corpus entry must pass: those of the graded classes it defines, and the
    whole-network ones (a class added to the exercise after the entry was written is not in it)."""
    from autograder.checks import catalogue, graded_classes
    from autograder.sandboxed import loader

    defined = set(graded_classes()) & set(loader.load(path, wanted=graded_classes()).namespace)
    assert {"ReLU", "Sigmoid", "Layer", "NeuralNetwork"} <= defined, f"{path.name} lacks a class it was written for"
    return {check.id for check in catalogue() if check.owner in defined or check.owner is None}


def write(entry: Entry, folder: Path, exercise: Path = EXERCISE) -> Path:
    """Write ``entry`` into ``folder``; returns the path of the file written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if entry.kind == "py":
        path = folder / f"{entry.name}.py"
        text = entry.source.replace("\r\n", "\n")
        if entry.newline != "\n":
            text = text.replace("\n", entry.newline)
        path.write_bytes(text.encode(entry.encoding))
        return path
    if entry.kind != "ipynb":
        raise ValueError(f"{entry.name}: unknown kind {entry.kind!r}")
    nb = nbformat.read(Path(exercise), as_version=4)
    found = set()
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in entry.cells:
            cell.source = entry.cells[grade_id]
            found.add(grade_id)
    missing = set(entry.cells) - found
    assert not missing, f"{entry.name}: the exercise has no cells {missing}"
    for after, source, metadata in reversed(entry.extra_cells):  # reversed: several after one cell keep their order
        index = _index_of(nb, after, entry.name)
        new = nbformat.v4.new_code_cell(source=source, metadata=copy.deepcopy(dict(metadata)))
        nb.cells.insert(index + 1, new)
    if entry.newline != "\n":
        for cell in nb.cells:
            cell.source = cell.source.replace("\r\n", "\n").replace("\n", entry.newline)
    nbformat.validate(nb)
    path = folder / f"{entry.name}.ipynb"
    nbformat.write(nb, path)
    return path


def _index_of(nb, grade_id: str, name: str) -> int:
    hits = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(hits) == 1, f"{name}: {len(hits)} cells have grade_id {grade_id!r}"
    return hits[0]


def _tabs(source: str) -> str:
    """Indent with tabs: every leading group of four spaces becomes one tab."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip(" ")
        depth = len(line) - len(stripped)
        lines.append("\t" * (depth // 4) + " " * (depth % 4) + stripped)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Notebook cells as a student who kept the given skeleton would type them in.

ACTIVATIONS = '''class Activation:
    """Base class for activation functions.

    Both methods work entry by entry on an array of any shape and return an
    array of the same shape.
    """

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class ReLU(Activation):
    """Rectified Linear Unit: f(x) = max(0, x)."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        """x: array of any shape. Returns max(0, x), same shape as x."""
        return np.maximum(0, x)

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        """x: the pre-activation, any shape. Returns f'(x): 1 where x > 0, else 0."""
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    """Sigmoid: f(x) = 1 / (1 + exp(-x))."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        """x: array of any shape. Returns 1 / (1 + exp(-x)), same shape as x."""
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        """x: the pre-activation, any shape. Returns f'(x) = s * (1 - s), s = f(x)."""
        s = Sigmoid.forward(x)
        return s * (1 - s)
'''

ACTIVATION_BASE = '''class Activation:
    """Base class for activation functions.

    Both methods work entry by entry on an array of any shape and return an
    array of the same shape.
    """

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        raise NotImplementedError
'''

LAYER_INIT = '''class Layer:
    """A dense layer: output = activation(x @ weights + bias)."""

    def __init__(self, input_size: int, output_size: int, activation: Activation):
        # He initialisation: keeps the signal's size steady through ReLU layers
        # (the chapter's randn * 0.01 can stall on XOR; see "Why the chapter's run fails").
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation

        # Cache for backpropagation
        self.input = None
        self.output = None
        self.activation_input = None
'''

LAYER = LAYER_INIT + '''
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Forward pass through the layer.

        x: inputs, shape (batch, input_size).
        Returns the activations, shape (batch, output_size). Caches x in
        self.input and the pre-activation z = x @ weights + bias in
        self.activation_input, for backward.
        """
        self.input = x
        self.activation_input = np.dot(x, self.weights) + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Backward pass through the layer (does not change the parameters).

        grad_output: dLoss/d(output), shape (batch, output_size).
        Returns a tuple of:
        - grad_input: dLoss/dx, shape (batch, input_size)
        - grad_weights: dLoss/dweights, shape (input_size, output_size)
        - grad_bias: dLoss/dbias, shape (1, output_size)
        """
        delta = grad_output * self.activation.backward(self.activation_input)
        grad_weights = np.dot(self.input.T, delta)
        grad_bias = delta.sum(axis=0, keepdims=True)
        grad_input = np.dot(delta, self.weights.T)
        return grad_input, grad_weights, grad_bias
'''

NETWORK_INIT = '''class NeuralNetwork:
    """A stack of dense layers trained by gradient descent."""

    def __init__(self, layer_sizes: List[int], activations: List[Activation]):
        assert len(layer_sizes) >= 2, "Need at least input and output layers"
        assert len(layer_sizes) - 1 == len(activations), "Need activation for each layer except input"

        self.layers = []
        for i in range(len(layer_sizes) - 1):
            layer = Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])
            self.layers.append(layer)
'''

NETWORK = NETWORK_INIT + '''
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Forward pass through the network.

        x: shape (batch, layer_sizes[0]). Returns shape (batch, layer_sizes[-1]).
        """
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad_output: np.ndarray, learning_rate: float = 0.01):
        """Backpropagate and update every layer's parameters in place.

        grad_output: dLoss/d(network output), shape (batch, layer_sizes[-1]).
        For each layer, last to first: ask it for its gradients, then update
        weights -= learning_rate * grad_weights and bias -= learning_rate * grad_bias,
        and pass grad_input on to the layer before it.
        """
        grad = grad_output
        for layer in reversed(self.layers):
            grad, grad_weights, grad_bias = layer.backward(grad)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
'''

# The metadata of a test cell, as Jupyter copies it along when a student copies the cell.
TEST_CELL_METADATA = {"nbgrader": {"grade": True, "grade_id": "relu_forward_public_values", "locked": True,
                                   "points": 2, "schema_version": 3, "solution": False}}


# ---------------------------------------------------------------------------------------------
# .py submissions

PY_LAMBDA = '''"""Neural network from scratch: ReLU, Sigmoid, Layer, NeuralNetwork."""
import numpy as np

# one-liners for the activations, used by the classes below
sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))
relu = lambda z: np.maximum(0.0, z)
relu_prime = lambda z: np.where(z > 0, 1.0, 0.0)


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
        return relu(x)

    @staticmethod
    def backward(x):
        return relu_prime(x)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return sigmoid(x)

    @staticmethod
    def backward(x):
        s = sigmoid(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        dz = grad_output * self.activation.backward(self.activation_input)
        return dz @ self.weights.T, self.input.T @ dz, np.sum(dz, axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = [Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])
                       for i in range(len(layer_sizes) - 1)]

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        for layer in reversed(self.layers):
            grad_output, dw, db = layer.backward(grad_output)
            layer.weights -= learning_rate * dw
            layer.bias -= learning_rate * db


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for epoch in range(200):
        out = net.forward(X)
        loss = -np.mean(y * np.log(out + 1e-15) + (1 - y) * np.log(1 - out + 1e-15))
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print("loss after 200 epochs:", round(float(loss), 4))
'''

PY_TRY_IMPORT = '''# Assignment 3 -- neural network from scratch
try:
    import numpy as np
except ImportError:
    print("numpy is missing: run `pip install numpy` first")
    raise


class Activation(object):
    """Interface: forward(x) and backward(x), elementwise."""

    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError


class ReLU(Activation):
    @staticmethod
    def forward(x):
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer(object):
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = self.output = self.activation_input = None

    def forward(self, x):
        self.input = x
        self.activation_input = np.dot(x, self.weights) + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.backward(self.activation_input)
        grad_weights = np.dot(self.input.T, grad_z)
        grad_bias = np.sum(grad_z, axis=0, keepdims=True)
        grad_input = np.dot(grad_z, self.weights.T)
        return grad_input, grad_weights, grad_bias


class NeuralNetwork(object):
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        grad = grad_output
        for layer in self.layers[::-1]:
            grad_input, grad_weights, grad_bias = layer.backward(grad)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
            grad = grad_input


# quick sanity check (runs on import, it is fast)
_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
_y = np.array([[0], [1], [1], [0]], dtype=float)
_net = NeuralNetwork([2, 4, 1], [ReLU(), Sigmoid()])
for _ in range(50):
    _out = _net.forward(_X)
    _net.backward((_out - _y) / (_out * (1 - _out) + 1e-15) / len(_y), learning_rate=0.1)
assert _net.forward(_X).shape == (4, 1)
'''

PY_TUPLE_CONSTANTS = '''import numpy as np

# constants
ZERO, ONE = 0.0, 1.0
BATCH_AXIS, *OTHER_AXES = (0, 1)
LEARNING_RATE, EPOCHS, *_ = (0.1, 300, "unused")
HIDDEN_SIZES = [8]
(INPUT_SIZE, OUTPUT_SIZE) = (2, 1)


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
        return np.maximum(ZERO, x)

    @staticmethod
    def backward(x):
        return np.where(x > ZERO, ONE, ZERO)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return ONE / (ONE + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (ONE - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input, self.activation_input, self.output = None, None, None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        delta = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ delta
        grad_bias = delta.sum(axis=BATCH_AXIS, keepdims=True)
        return delta @ self.weights.T, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i, activation in enumerate(activations):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activation))

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
    np.random.seed(0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([INPUT_SIZE, *HIDDEN_SIZES, OUTPUT_SIZE], [ReLU(), Sigmoid()])
    for epoch in range(EPOCHS):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (ONE - y) / (ONE - out + 1e-15)) / len(y), LEARNING_RATE)
    print("predictions:", net.forward(X).ravel().round(3))
'''

PY_BARE_NUMPY = '''import numpy
from numpy import maximum, exp, where


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
        return maximum(0, x)

    @staticmethod
    def backward(x):
        return where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + exp(-x))

    @staticmethod
    def backward(x):
        s = 1 / (1 + exp(-x))
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = numpy.random.randn(input_size, output_size) * numpy.sqrt(2.0 / input_size)
        self.bias = numpy.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = numpy.matmul(x, self.weights) + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        g = numpy.multiply(grad_output, self.activation.backward(self.activation_input))
        grad_weights = numpy.matmul(self.input.T, g)
        grad_bias = numpy.sum(g, axis=0, keepdims=True)
        grad_input = numpy.matmul(g, self.weights.T)
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        a = x
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def backward(self, grad_output, learning_rate=0.01):
        g = grad_output
        for layer in reversed(self.layers):
            g, grad_weights, grad_bias = layer.backward(g)
            layer.weights = layer.weights - learning_rate * grad_weights
            layer.bias = layer.bias - learning_rate * grad_bias


if __name__ == "__main__":
    numpy.random.seed(3)
    X = numpy.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = numpy.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for _ in range(300):
        out = net.forward(X)
        net.backward((out - y) / (out * (1 - out) + 1e-15) / len(y), 0.1)
    print(net.forward(X).round(2).ravel())
'''

PY_CLASS_DECORATOR = '''"""NN from scratch, with a small registry so activations can be named by string."""
import numpy as np

ACTIVATIONS = {}


def register(cls):
    """Class decorator: make an activation available as ACTIVATIONS["relu"], ..."""
    ACTIVATIONS[cls.__name__.lower()] = cls
    return cls


def with_repr(cls):
    """Class decorator: a readable repr showing the parameter shapes."""
    def __repr__(self):
        return f"{type(self).__name__}({self.weights.shape[0]} -> {self.weights.shape[1]}, {self.activation!r})"
    cls.__repr__ = __repr__
    return cls


class Activation:
    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__ + "()"


@register
class ReLU(Activation):
    @staticmethod
    def forward(x):
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


@register
class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


@with_repr
class Layer:
    def __init__(self, input_size, output_size, activation):
        if isinstance(activation, str):
            activation = ACTIVATIONS[activation.lower()]()
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.backward(self.activation_input)
        return grad_z @ self.weights.T, self.input.T @ grad_z, grad_z.sum(axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = [Layer(n_in, n_out, act)
                       for n_in, n_out, act in zip(layer_sizes[:-1], layer_sizes[1:], activations)]

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
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], ["relu", "sigmoid"])
    print(net.layers)
    for _ in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
'''

PY_LRU_CACHE = '''import functools

import numpy as np


@functools.lru_cache(maxsize=None)
def he_scale(fan_in):
    """He initialisation scale, cached per fan-in."""
    return np.sqrt(2.0 / fan_in)


class Activation:
    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError


class ReLU(Activation):
    @staticmethod
    @functools.lru_cache(maxsize=1)
    def _threshold():
        return 0.0

    @staticmethod
    def forward(x):
        return np.maximum(ReLU._threshold(), x)

    @staticmethod
    def backward(x):
        return np.where(x > ReLU._threshold(), 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    @functools.lru_cache(maxsize=None)
    def _ufunc(name):
        return getattr(np, name)

    @staticmethod
    def forward(x):
        exp = Sigmoid._ufunc("exp")
        return 1 / (1 + exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * he_scale(input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        delta = grad_output * self.activation.backward(self.activation_input)
        return delta @ self.weights.T, self.input.T @ delta, np.sum(delta, axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

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
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for _ in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3), he_scale.cache_info())
'''

PY_SLOTS = '''import numpy as np


class Activation:
    __slots__ = ()

    @staticmethod
    def forward(x):
        raise NotImplementedError

    @staticmethod
    def backward(x):
        raise NotImplementedError


class ReLU(Activation):
    __slots__ = ()

    @staticmethod
    def forward(x):
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    __slots__ = ()

    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    # slots: less memory per layer, and typos like self.wieghts raise instead of passing silently
    __slots__ = ("weights", "bias", "activation", "input", "activation_input", "output")

    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        delta = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ delta
        grad_bias = np.sum(delta, axis=0, keepdims=True)
        return delta @ self.weights.T, grad_weights, grad_bias


class NeuralNetwork:
    __slots__ = ("layers",)

    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

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
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for _ in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
'''

PY_ATTACHED_METHODS = '''import numpy as np


class Activation:
    pass


class ReLU(Activation):
    pass


class Sigmoid(Activation):
    pass


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = [Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])
                       for i in range(len(layer_sizes) - 1)]


# ---- the methods, written as plain functions and attached afterwards ----

def _relu(x):
    return np.maximum(0, x)


def _relu_derivative(x):
    return np.where(x > 0, 1.0, 0.0)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _sigmoid_derivative(x):
    s = _sigmoid(x)
    return s * (1 - s)


def _layer_forward(self, x):
    self.input = x
    self.activation_input = x @ self.weights + self.bias
    self.output = self.activation.forward(self.activation_input)
    return self.output


def _layer_backward(self, grad_output):
    delta = grad_output * self.activation.backward(self.activation_input)
    return delta @ self.weights.T, self.input.T @ delta, np.sum(delta, axis=0, keepdims=True)


def _network_forward(self, x):
    for layer in self.layers:
        x = layer.forward(x)
    return x


def _network_backward(self, grad_output, learning_rate=0.01):
    for layer in reversed(self.layers):
        grad_output, grad_weights, grad_bias = layer.backward(grad_output)
        layer.weights -= learning_rate * grad_weights
        layer.bias -= learning_rate * grad_bias


ReLU.forward = staticmethod(_relu)
ReLU.backward = staticmethod(_relu_derivative)
Sigmoid.forward = staticmethod(_sigmoid)
Sigmoid.backward = staticmethod(_sigmoid_derivative)
Layer.forward = _layer_forward
Layer.backward = _layer_backward
NeuralNetwork.forward = _network_forward
NeuralNetwork.backward = _network_backward


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for _ in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
'''

PY_CRLF = '''import numpy as np
from typing import List, Tuple


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
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1.0 / (1.0 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1.0 - s)


class Layer:
    def __init__(self, input_size: int, output_size: int, activation: Activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.input = x
        self.activation_input = np.dot(x, self.weights) + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        grad_activation = grad_output * self.activation.backward(self.activation_input)
        grad_weights = np.dot(self.input.T, grad_activation)
        grad_bias = np.sum(grad_activation, axis=0, keepdims=True)
        grad_input = np.dot(grad_activation, self.weights.T)
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes: List[int], activations: List[Activation]):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x: np.ndarray) -> np.ndarray:
        current_input = x
        for layer in self.layers:
            current_input = layer.forward(current_input)
        return current_input

    def backward(self, grad_output: np.ndarray, learning_rate: float = 0.01):
        current_gradient = grad_output
        for layer in reversed(self.layers):
            grad_input, grad_weights, grad_bias = layer.backward(current_gradient)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
            current_gradient = grad_input


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    network = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for epoch in range(300):
        output = network.forward(X)
        network.backward(-(y / (output + 1e-15) - (1 - y) / (1 - output + 1e-15)) / len(y), 0.1)
    print("Final predictions:", network.forward(X).ravel().round(3))
'''

PY_TABS = _tabs('''import numpy as np


class ReLU:
    @staticmethod
    def forward(x):
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid:
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.z = None
        self.a = None

    def forward(self, x):
        self.input = x
        self.z = x @ self.weights + self.bias
        self.a = self.activation.forward(self.z)
        return self.a

    def backward(self, grad_output):
        dz = grad_output * self.activation.backward(self.z)
        dW = self.input.T @ dz
        db = dz.sum(axis=0, keepdims=True)
        dx = dz @ self.weights.T
        return dx, dW, db


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        grad = grad_output
        for layer in reversed(self.layers):
            grad, dW, db = layer.backward(grad)
            layer.weights -= learning_rate * dW
            layer.bias -= learning_rate * db


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for epoch in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
''')

PY_BOM = '''"""Homework: a neural network from scratch (numpy only)."""
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
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        # Heaviside step with value 0 at x == 0
        return np.heaviside(x, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        grad_z = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ grad_z
        grad_bias = np.sum(grad_z, axis=0, keepdims=True)
        grad_input = grad_z @ self.weights.T
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        grad = grad_output
        for layer in reversed(self.layers):
            grad, grad_weights, grad_bias = layer.backward(grad)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for epoch in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
'''

PY_LATIN1 = '''# -*- coding: latin-1 -*-
# Réseau de neurones "from scratch" -- devoir 3 (écrit sous Windows, éditeur en latin-1)
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
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        # dérivée : 1 si x > 0, sinon 0
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        # dérivée de la sigmoïde : s * (1 - s), calculée en x (la pré-activation)
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None  # entrée mémorisée pour la rétropropagation
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = np.add(np.matmul(x, self.weights), self.bias)
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        delta = np.multiply(grad_output, self.activation.backward(self.activation_input))
        grad_weights = np.matmul(self.input.T, delta)
        grad_bias = np.sum(delta, axis=0, keepdims=True)
        grad_input = np.matmul(delta, self.weights.T)
        return grad_input, grad_weights, grad_bias


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for couche in self.layers:
            x = couche.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        gradient = grad_output
        for couche in reversed(self.layers):  # de la dernière couche à la première
            gradient, grad_weights, grad_bias = couche.backward(gradient)
            couche.weights -= learning_rate * grad_weights
            couche.bias -= learning_rate * grad_bias


if __name__ == "__main__":
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    reseau = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for epoque in range(300):
        sortie = reseau.forward(X)
        reseau.backward(-(y / (sortie + 1e-15) - (1 - y) / (1 - sortie + 1e-15)) / len(y), 0.1)
    print("prédictions :", reseau.forward(X).ravel().round(3))
'''

PY_MAIN_GUARD = '''"""Neural network from scratch, with a command line to train it on XOR.

    python nn.py --epochs 2000 --lr 0.1 --hidden 8
"""
import argparse
import sys
import time

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
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x):
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x):
        s = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

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
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_output, learning_rate=0.01):
        for layer in reversed(self.layers):
            grad_output, grad_weights, grad_bias = layer.backward(grad_output)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias


def bce(output, y):
    return -np.mean(y * np.log(output + 1e-15) + (1 - y) * np.log(1 - output + 1e-15))


def bce_grad(output, y):
    return -(y / (output + 1e-15) - (1 - y) / (1 - output + 1e-15)) / len(y)


def train(network, X, y, epochs, learning_rate, report_every=100):
    losses = []
    for epoch in range(epochs):
        output = network.forward(X)
        losses.append(bce(output, y))
        network.backward(bce_grad(output, y), learning_rate)
        if report_every and epoch % report_every == 0:
            print(f"epoch {epoch:5d}  loss {losses[-1]:.5f}")
    return losses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    np.random.seed(args.seed)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    network = NeuralNetwork([2, args.hidden, 1], [ReLU(), Sigmoid()])
    started = time.perf_counter()
    losses = train(network, X, y, args.epochs, args.lr)
    print(f"trained {args.epochs} epochs in {time.perf_counter() - started:.2f}s, final loss {losses[-1]:.5f}")
    predictions = network.forward(X)
    for x_i, y_i, p in zip(X, y, predictions):
        print(f"{x_i.astype(int)} -> {p[0]:.4f} (expected {int(y_i[0])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

PY_FUTURE_ANNOTATIONS = '''from __future__ import annotations

from typing import Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Gradients = tuple[Array, Array, Array]


class Activation:
    @staticmethod
    def forward(x: Array) -> Array:
        raise NotImplementedError

    @staticmethod
    def backward(x: Array) -> Array:
        raise NotImplementedError


class ReLU(Activation):
    @staticmethod
    def forward(x: Array) -> Array:
        return np.maximum(0, x)

    @staticmethod
    def backward(x: Array) -> Array:
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    @staticmethod
    def forward(x: Array) -> Array:
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x: Array) -> Array:
        s: Array = Sigmoid.forward(x)
        return s * (1 - s)


class Layer:
    weights: Array
    bias: Array
    activation: Activation
    input: Array | None
    activation_input: Array | None
    output: Array | None

    def __init__(self, input_size: int, output_size: int, activation: Activation) -> None:
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x: Array) -> Array:
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output: Array) -> Gradients:
        assert self.input is not None and self.activation_input is not None, "call forward first"
        delta: Array = grad_output * self.activation.backward(self.activation_input)
        grad_weights: Array = self.input.T @ delta
        grad_bias: Array = np.sum(delta, axis=0, keepdims=True)
        grad_input: Array = delta @ self.weights.T
        return grad_input, grad_weights, grad_bias

    def copy(self) -> Layer:
        twin = Layer(*self.weights.shape, self.activation)
        twin.weights, twin.bias = self.weights.copy(), self.bias.copy()
        return twin


class NeuralNetwork:
    layers: list[Layer]

    def __init__(self, layer_sizes: Sequence[int], activations: Sequence[Activation]) -> None:
        self.layers = [Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])
                       for i in range(len(layer_sizes) - 1)]

    def forward(self, x: Array) -> Array:
        out: Array = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def backward(self, grad_output: Array, learning_rate: float = 0.01) -> None:
        grad: Array = grad_output
        for layer in reversed(self.layers):
            grad, grad_weights, grad_bias = layer.backward(grad)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias

    @classmethod
    def for_xor(cls, hidden: int = 8) -> NeuralNetwork:
        return cls([2, hidden, 1], [ReLU(), Sigmoid()])


def xor_data() -> tuple[Array, Array]:
    X: Array = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y: Array = np.array([[0], [1], [1], [0]], dtype=float)
    return X, y


if __name__ == "__main__":
    np.random.seed(42)
    X, y = xor_data()
    net: NeuralNetwork = NeuralNetwork.for_xor()
    for _ in range(300):
        out: Array = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3))
'''

PY_LOGADDEXP = '''import numpy as np


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
        return np.maximum(0, x)

    @staticmethod
    def backward(x):
        return np.where(x > 0, 1.0, 0.0)


class Sigmoid(Activation):
    """Numerically stable: 1 / (1 + e^-x) = exp(-log(1 + e^-x)) = exp(-logaddexp(0, -x)); never overflows."""

    @staticmethod
    def forward(x):
        return np.exp(-np.logaddexp(0, -x))

    @staticmethod
    def backward(x):
        # s(x) (1 - s(x)) = e^-x / (1 + e^-x)^2 = exp(-x - 2 log(1 + e^-x))
        return np.exp(-x - 2 * np.logaddexp(0, -x))


class Layer:
    def __init__(self, input_size, output_size, activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.activation_input = None
        self.output = None

    def forward(self, x):
        self.input = x
        self.activation_input = x @ self.weights + self.bias
        self.output = self.activation.forward(self.activation_input)
        return self.output

    def backward(self, grad_output):
        delta = grad_output * self.activation.backward(self.activation_input)
        return delta @ self.weights.T, self.input.T @ delta, delta.sum(axis=0, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes, activations):
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(Layer(layer_sizes[i], layer_sizes[i + 1], activations[i]))

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
    np.random.seed(42)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
    for _ in range(300):
        out = net.forward(X)
        net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.1)
    print(net.forward(X).ravel().round(3), Sigmoid.forward(np.array([-1000.0, 1000.0])))
'''


# ---------------------------------------------------------------------------------------------
# notebook cells

NB_LATER_HELPERS_ACTIVATIONS = ACTIVATION_BASE + '''

class ReLU(Activation):
    """Rectified Linear Unit: f(x) = max(0, x)."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        return relu(x)

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        return relu_derivative(x)


class Sigmoid(Activation):
    """Sigmoid: f(x) = 1 / (1 + exp(-x))."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        return sigmoid_derivative(x)
'''

NB_LATER_HELPERS_CELL = '''# Helper functions (the activation classes further up call these)
def relu(x):
    return np.maximum(0, x)


def relu_derivative(x):
    return (x > 0).astype(float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)
'''

NB_REDEFINED_ACTIVATIONS = ACTIVATIONS.replace(
    '''        s = Sigmoid.forward(x)
        return s * (1 - s)''',
    '''        return x * (1 - x)''')

NB_REDEFINED_CELL = '''# FIX: Sigmoid.backward gets the PRE-activation x, so it has to apply the sigmoid first.
# (my first version above used x * (1 - x), which is the formula in terms of the output)
class Sigmoid(Activation):
    """Sigmoid: f(x) = 1 / (1 + exp(-x))."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)


# re-check the numbers after the fix
print(Sigmoid.backward(np.array([-2.0, 0.0, 2.0])))
'''

NB_DATACLASS_LAYER = '''from dataclasses import dataclass
from typing import NamedTuple


@dataclass
class ForwardCache:
    """What backward needs from the last forward pass."""
    input: np.ndarray
    pre_activation: np.ndarray
    output: np.ndarray


class Gradients(NamedTuple):
    grad_input: np.ndarray
    grad_weights: np.ndarray
    grad_bias: np.ndarray


class Layer:
    """A dense layer: output = activation(x @ weights + bias)."""

    def __init__(self, input_size: int, output_size: int, activation: Activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        self.input = None
        self.cache: Optional[ForwardCache] = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.weights + self.bias
        a = self.activation.forward(z)
        self.input = x
        self.cache = ForwardCache(input=x, pre_activation=z, output=a)
        return a

    def backward(self, grad_output: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        cache = self.cache
        delta = grad_output * self.activation.backward(cache.pre_activation)
        return Gradients(
            grad_input=delta @ self.weights.T,
            grad_weights=cache.input.T @ delta,
            grad_bias=delta.sum(axis=0, keepdims=True),
        )
'''

NB_PROPERTIES_LAYER = '''class Layer:
    """A dense layer: output = activation(x @ weights + bias)."""

    def __init__(self, input_size: int, output_size: int, activation: Activation):
        self._weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self._bias = np.zeros((1, output_size))
        self.activation = activation
        self._input = None
        self._pre_activation = None

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @weights.setter
    def weights(self, value: np.ndarray) -> None:
        self._weights = value

    @property
    def bias(self) -> np.ndarray:
        return self._bias

    @bias.setter
    def bias(self, value: np.ndarray) -> None:
        self._bias = value

    @property
    def input(self) -> Optional[np.ndarray]:
        return self._input

    @property
    def activation_input(self) -> Optional[np.ndarray]:
        return self._pre_activation

    @property
    def input_size(self) -> int:
        return self._weights.shape[0]

    @property
    def output_size(self) -> int:
        return self._weights.shape[1]

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._input = x
        self._pre_activation = x @ self.weights + self.bias
        return self.activation.forward(self._pre_activation)

    def backward(self, grad_output: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        delta = grad_output * self.activation.backward(self.activation_input)
        grad_weights = self.input.T @ delta
        grad_bias = np.sum(delta, axis=0, keepdims=True)
        grad_input = delta @ self.weights.T
        return grad_input, grad_weights, grad_bias
'''

NB_PROPERTIES_NETWORK = NETWORK.replace('''class NeuralNetwork:
    """A stack of dense layers trained by gradient descent."""
''', '''class NeuralNetwork:
    """A stack of dense layers trained by gradient descent."""

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def parameter_count(self) -> int:
        return sum(layer.weights.size + layer.bias.size for layer in self.layers)
''')

NB_STORED_DERIVATIVE_LAYER = '''class Layer:
    """A dense layer: output = activation(x @ weights + bias)."""

    def __init__(self, input_size: int, output_size: int, activation: Activation):
        self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)
        self.bias = np.zeros((1, output_size))
        self.activation = activation
        # keep the two functions themselves: f and its derivative f'
        self.f = activation.forward
        self.f_prime = activation.backward
        self.input = None
        self.z = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.input = x
        self.z = x @ self.weights + self.bias
        return self.f(self.z)

    def backward(self, grad_output: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        dz = grad_output * self.f_prime(self.z)   # f'(z), z cached by forward
        dW = self.input.T @ dz
        db = np.sum(dz, axis=0, keepdims=True)
        dx = dz @ self.weights.T
        return dx, dW, db
'''

NB_TANH_ACTIVATIONS = ACTIVATIONS.replace(
    "        return 1 / (1 + np.exp(-x))",
    "        # sigma(x) = (1 + tanh(x / 2)) / 2: no overflow warning for large |x|\n"
    "        return 0.5 * (1.0 + np.tanh(0.5 * x))",
).replace(
    '''        s = Sigmoid.forward(x)
        return s * (1 - s)''',
    '''        # sigma'(x) = sech^2(x / 2) / 4 = (1 - tanh^2(x / 2)) / 4
        t = np.tanh(0.5 * x)
        return 0.25 * (1.0 - t * t)''')

NB_INT_MASK_ACTIVATIONS = ACTIVATIONS.replace(
    "        return np.maximum(0, x)", "        return x * (x > 0)").replace(
    "        return np.where(x > 0, 1.0, 0.0)", "        return (x > 0).astype(int)")

NB_TEST_METADATA_ACTIVATIONS = ACTIVATION_BASE + '''

class ReLU(Activation):
    """Rectified Linear Unit: f(x) = max(0, x)."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        """x: array of any shape. Returns max(0, x), same shape as x."""
        return np.maximum(0, x)

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        """x: the pre-activation, any shape. Returns f'(x): 1 where x > 0, else 0."""
        return np.where(x > 0, 1.0, 0.0)
'''

NB_TEST_METADATA_CELL = '''# (moved Sigmoid into its own cell to test it separately)
class Sigmoid(Activation):
    """Sigmoid: f(x) = 1 / (1 + exp(-x))."""

    @staticmethod
    def forward(x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-x))

    @staticmethod
    def backward(x: np.ndarray) -> np.ndarray:
        s = Sigmoid.forward(x)
        return s * (1 - s)
'''

NB_TRAINING_CELL = '''# My own experiment: train on XOR and watch everything
np.random.seed(7)
X_train = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_train = np.array([[0], [1], [1], [0]], dtype=float)
net = NeuralNetwork([2, 8, 1], [ReLU(), Sigmoid()])
history = []
for epoch in range(200):
    out = net.forward(X_train)
    loss = -np.mean(y_train * np.log(out + 1e-15) + (1 - y_train) * np.log(1 - out + 1e-15))
    history.append(loss)
    net.backward(-(y_train / (out + 1e-15) - (1 - y_train) / (1 - out + 1e-15)) / len(y_train), learning_rate=0.5)
    print(f"epoch {epoch:4d}  loss {loss:.6f}  predictions {out.ravel().round(3)}")
    for i, layer in enumerate(net.layers):
        print(f"    layer {i}: |W| = {np.linalg.norm(layer.weights):.4f}  |b| = {np.linalg.norm(layer.bias):.4f}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
ax1.plot(history)
ax1.set_yscale("log")
ax1.set_title("loss")
xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 60), np.linspace(-0.5, 1.5, 60))
grid = np.c_[xx.ravel(), yy.ravel()]
ax2.contourf(xx, yy, net.forward(grid).reshape(xx.shape), levels=20, cmap="RdBu")
ax2.scatter(X_train[:, 0], X_train[:, 1], c=y_train.ravel(), edgecolors="k")
ax2.set_title("decision boundary")
plt.show()
print(net.forward(X_train))
'''

NB_ZIP_NETWORK = '''import functools


class NeuralNetwork:
    """A stack of dense layers trained by gradient descent."""

    def __init__(self, layer_sizes: List[int], activations: List[Activation]):
        assert len(layer_sizes) >= 2, "Need at least input and output layers"
        assert len(layer_sizes) - 1 == len(activations), "Need activation for each layer except input"

        layers = []
        for (n_in, n_out), activation in zip(zip(layer_sizes, layer_sizes[1:]), activations):
            layers.append(Layer(n_in, n_out, activation))
        self.layers = tuple(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return functools.reduce(lambda a, layer: layer.forward(a), self.layers, x)

    def backward(self, grad_output: np.ndarray, learning_rate: float = 0.01):
        grad = grad_output
        for layer in self.layers[::-1]:
            grad, grad_weights, grad_bias = layer.backward(grad)
            layer.weights -= learning_rate * grad_weights
            layer.bias -= learning_rate * grad_bias
'''

NB_ENUMERATE_NETWORK = NETWORK_INIT + '''
    def forward(self, x: np.ndarray) -> np.ndarray:
        for i in range(len(self.layers)):
            x = self.layers[i].forward(x)
        return x

    def backward(self, grad_output: np.ndarray, learning_rate: float = 0.01):
        n = len(self.layers)
        grad = grad_output
        for j, _ in enumerate(reversed(self.layers)):
            i = n - 1 - j  # index of the layer, counted from the front
            grad, grad_weights, grad_bias = self.layers[i].backward(grad)
            self.layers[i].weights = self.layers[i].weights - learning_rate * grad_weights
            self.layers[i].bias = self.layers[i].bias - learning_rate * grad_bias
'''


def _nb(activations: str = ACTIVATIONS, layer: str = LAYER, network: str = NETWORK, **more) -> dict:
    cells = {"activations": activations, "layer": layer, "network": network}
    cells.update(more)
    return cells


CORPUS: list[Entry] = [
    # ----- .py files -----
    Entry("module_level_lambda_helper", "students write `sigmoid = lambda z: ...` at module level and call it from the class",
          "py", PY_LAMBDA),
    Entry("try_import_numpy_reraise", "a defensive `try: import numpy as np / except ImportError: print; raise` plus a top-level sanity run",
          "py", PY_TRY_IMPORT),
    Entry("tuple_and_starred_constants", "constants set by tuple and starred unpacking (`ZERO, ONE = 0.0, 1.0`, `BATCH_AXIS, *OTHER_AXES = ...`)",
          "py", PY_TUPLE_CONSTANTS),
    Entry("bare_numpy_import_and_from_imports", "`import numpy` without alias plus `from numpy import maximum, exp, where`",
          "py", PY_BARE_NUMPY),
    Entry("own_class_decorators", "a home-made class decorator that registers activations by name and one that adds a __repr__",
          "py", PY_CLASS_DECORATOR),
    Entry("lru_cache_staticmethod_stack", "`@staticmethod` stacked on `@functools.lru_cache` (cached ufunc lookup) and an lru_cached helper",
          "py", PY_LRU_CACHE),
    Entry("slots_everywhere", "`__slots__` in Layer (weights, bias, activation, input, caches) and NeuralNetwork, learned from a perf tip",
          "py", PY_SLOTS),
    Entry("methods_attached_after_class", "empty classes first, methods written as functions and attached: `Layer.forward = _layer_forward`",
          "py", PY_ATTACHED_METHODS),
    Entry("windows_line_endings_py", "a .py saved by a Windows editor: CRLF line endings throughout",
          "py", PY_CRLF, newline="\r\n"),
    Entry("tab_indentation", "an editor set to indent with tabs", "py", PY_TABS),
    Entry("utf8_bom_py", "Notepad saved the file as 'UTF-8 with BOM'; ReLU derivative via np.heaviside",
          "py", PY_BOM, encoding="utf-8-sig"),
    Entry("latin1_coding_cookie", "a French student's latin-1 file with `# -*- coding: latin-1 -*-` and accented comments (é)",
          "py", PY_LATIN1, encoding="latin-1"),
    Entry("main_guard_training_block", "argparse `main()` with a training loop under `if __name__ == \"__main__\":` at the bottom",
          "py", PY_MAIN_GUARD),
    Entry("future_annotations_type_hints", "`from __future__ import annotations`, npt.NDArray aliases, forward references, hints everywhere",
          "py", PY_FUTURE_ANNOTATIONS),
    Entry("stable_sigmoid_logaddexp", "a numerically careful student: sigmoid as np.exp(-np.logaddexp(0, -x)) and its derivative likewise",
          "py", PY_LOGADDEXP),
    # ----- notebooks -----
    Entry("helpers_defined_in_later_cell", "the classes call relu()/sigmoid() helpers the student defined in a cell further down",
          "ipynb", cells=_nb(activations=NB_LATER_HELPERS_ACTIVATIONS),
          extra_cells=(("network", NB_LATER_HELPERS_CELL, {}),)),
    Entry("class_redefined_in_later_cell", "a buggy Sigmoid in the answer cell, fixed by redefining the class in a later cell",
          "ipynb", cells=_nb(activations=NB_REDEFINED_ACTIVATIONS),
          extra_cells=(("layer", NB_REDEFINED_CELL, {}),)),
    Entry("dataclass_forward_cache", "Layer keeps its forward cache in a @dataclass and returns a NamedTuple of gradients",
          "ipynb", cells=_nb(layer=NB_DATACLASS_LAYER)),
    Entry("properties_for_parameters", "Layer exposes weights/bias as properties with setters over _weights/_bias; read-only caches",
          "ipynb", cells=_nb(layer=NB_PROPERTIES_LAYER, network=NB_PROPERTIES_NETWORK)),
    Entry("stored_derivative_function", "Layer stores f = activation.forward and f_prime = activation.backward and caches z",
          "ipynb", cells=_nb(layer=NB_STORED_DERIVATIVE_LAYER)),
    Entry("sigmoid_via_tanh_identity", "sigmoid written as (1 + tanh(x/2)) / 2 and its derivative as (1 - tanh^2(x/2)) / 4",
          "ipynb", cells=_nb(activations=NB_TANH_ACTIVATIONS)),
    Entry("integer_mask_relu", "ReLU as x * (x > 0) and its derivative as the integer mask (x > 0).astype(int)",
          "ipynb", cells=_nb(activations=NB_INT_MASK_ACTIVATIONS)),
    Entry("windows_line_endings_notebook", "a notebook whose cell sources carry CRLF line endings (edited/pasted on Windows)",
          "ipynb", cells=_nb(), newline="\r\n"),
    Entry("student_code_in_cell_with_test_metadata", "Sigmoid moved into a copy of a test cell, so its cell carries the test's nbgrader metadata",
          "ipynb", cells=_nb(activations=NB_TEST_METADATA_ACTIVATIONS),
          extra_cells=(("activations", NB_TEST_METADATA_CELL, TEST_CELL_METADATA),)),
    Entry("training_cell_prints_and_plots", "an extra training cell printing every epoch and every layer, then plotting loss and boundary",
          "ipynb", cells=_nb(), extra_cells=(("network", NB_TRAINING_CELL, {}),)),
    Entry("zip_over_sizes_tuple_layers", "layers built with `for (n_in, n_out), act in zip(zip(sizes, sizes[1:]), acts)` and kept in a tuple; forward via functools.reduce",
          "ipynb", cells=_nb(network=NB_ZIP_NETWORK)),
    Entry("enumerate_reversed_index_updates", "backward via `enumerate(reversed(self.layers))` with index-based updates `self.layers[i].weights = ...`",
          "ipynb", cells=_nb(network=NB_ENUMERATE_NETWORK)),
]

assert len({e.name for e in CORPUS}) == len(CORPUS), "entry names must be unique"
