"""The XOR task: its data, the loss the training loop uses, and a plain forward pass.

The training scenario (``scenarios.xor_training``) runs the student's network on
this data; the judges and the pictures recompute predictions with
:func:`network_output` from the trained weights alone, so no student code is
involved in deciding what the network learned.
"""

from __future__ import annotations

import numpy as np

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)  # (4, 2): every input pair
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)  # (4, 1): 1 when exactly one input is 1


def binary_cross_entropy(output: np.ndarray, y: np.ndarray, axis=None):
    """Mean binary cross-entropy of outputs (batch, 1) against labels (batch, 1): a float.

    With ``axis``, of a stack of outputs (epochs, batch, 1) at once: one loss per epoch.
    """
    loss = -np.mean(y * np.log(output + 1e-15) + (1 - y) * np.log(1 - output + 1e-15), axis=axis)
    return float(loss) if axis is None else loss


def binary_cross_entropy_grad(output: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dLoss/d(output), shape (batch, 1): the gradient that starts backpropagation."""
    return -(y / (output + 1e-15) - (1 - y) / (1 - output + 1e-15)) / len(y)


def network_output(parameters: dict, points: np.ndarray) -> np.ndarray:
    """sigmoid(relu(points @ W0 + b0) @ W1 + b1): a 2-layer ReLU/sigmoid net, shape (n, 1).

    parameters: ``weights_0`` (2, hidden), ``bias_0`` (1, hidden), ``weights_1`` (hidden, 1), ``bias_1`` (1, 1).
    points: (n, 2).
    """
    hidden = np.maximum(0.0, points @ parameters["weights_0"] + parameters["bias_0"])
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-(hidden @ parameters["weights_1"] + parameters["bias_1"])))
