"""Name the misconception behind a failed check.

Each known mistake is the reference with one thing done wrong
(``staff/wrong_formulas.py``). Running a failed check's scenario on it predicts
what the mistake produces (:mod:`.expectations` computes or stores these
predictions); if the student's result matches the prediction, the failure
message says which mistake it is and what to fix. A few more mistakes are
recognised by rules where they show: an input modified in place (the
``Unchanged`` judge), the input not kept by ``Layer.forward`` (the ``Caches``
judge), the output activation skipped (the XOR judges), and errors that one
mistake explains (:data:`ERROR_RULES`). Messages name mistakes,
never hidden values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Observations = dict[str, np.ndarray]


def likely_cause(text: str) -> str:
    """The line that names a misconception."""
    return f"\nLikely cause: {text}"


# key -> (the method whose checks can show it, what it is and what to do)
MISCONCEPTIONS: dict[str, tuple[str, str]] = {
    "relu_forward_mask": ("ReLU.forward", "ReLU.forward returns the 0/1 mask (that is the derivative) instead of "
                          "max(0, x)."),
    "relu_backward_is_relu": ("ReLU.backward", "ReLU.backward returns relu(x) itself; its derivative is the 0/1 "
                              "mask: 1 where x > 0, 0 elsewhere."),
    "relu_backward_inverted": ("ReLU.backward", "the mask is inverted: the derivative is 1 where x > 0, not where "
                               "x < 0."),
    "sigmoid_forward_sign": ("Sigmoid.forward", "the sign in the exponent: sigmoid is 1 / (1 + exp(-x)), not "
                             "1 / (1 + exp(x))."),
    "sigmoid_backward_at_output": ("Sigmoid.backward", "the derivative is evaluated at the output instead of the "
                                   "pre-activation: x * (1 - x) is the formula in terms of the sigmoid's output; here "
                                   "x is the pre-activation, so compute s = sigmoid(x) first and return s * (1 - s)."),
    "sigmoid_backward_missing_factor": ("Sigmoid.backward", "the (1 - s) factor is missing: the derivative is "
                                        "s * (1 - s), not s."),
    "layer_forward_missing_bias": ("Layer.forward", "a missing + bias in forward: z = x @ weights + bias."),
    "layer_forward_no_activation": ("Layer.forward", "the activation is never applied: forward must return "
                                    "activation.forward(z), not z."),
    "layer_forward_overwrites_pre_activation": ("Layer.forward", "the cached pre-activation z is overwritten in "
                                                "Layer.forward (the activation written into it in place, or z used "
                                                "as the output's buffer), so Layer.backward sees f(z) instead of z: "
                                                "compute the output into a new array, "
                                                "self.output = self.activation.forward(z)."),
    "layer_backward_no_derivative": ("Layer.backward", "the activation derivative is left out of Layer.backward: "
                                     "grad_z = grad_output * activation.backward(z) comes first."),
    "layer_backward_derivative_at_output": ("Layer.backward", "the activation derivative is evaluated at the "
                                            "layer's output f(z) instead of the cached pre-activation z."),
    "layer_backward_bias_mean": ("Layer.backward", "the bias gradient is averaged over the batch (np.mean) instead "
                                 "of summed (np.sum)."),
    "layer_backward_bias_no_keepdims": ("Layer.backward", "the bias gradient lost its batch axis: sum over axis 0 "
                                        "with keepdims=True so it has the bias's shape (1, out)."),
    "layer_backward_weights_transposed": ("Layer.backward", "the weight gradient is transposed: input.T @ grad_z "
                                          "has the weights' shape (in, out)."),
    "layer_backward_divided_by_batch": ("Layer.backward", "dividing by the batch size a second time: the loss "
                                        "gradient already carries the 1/n, so sum over the batch."),
    "network_forward_skips_last_layer": ("NeuralNetwork.forward", "the last layer is never used: the loop stops one "
                                         "layer early."),
    "network_backward_gradient_ascent": ("NeuralNetwork.backward", "gradient ascent: the update must subtract, "
                                         "weights -= learning_rate * grad_weights, not +=."),
    "network_backward_fixed_learning_rate": ("NeuralNetwork.backward", "the learning rate is ignored: use the "
                                             "learning_rate argument, not a fixed number."),
    "network_backward_biases_frozen": ("NeuralNetwork.backward", "the biases are never updated: also do "
                                       "bias -= learning_rate * grad_bias."),
    "network_backward_front_to_back": ("NeuralNetwork.backward", "the layers are walked front to back: "
                                       "backpropagation starts at the last layer (reversed(self.layers))."),
    "network_backward_gradient_not_passed_on": ("NeuralNetwork.backward", "every layer gets the network's "
                                                "grad_output: pass each layer's grad_input on to the layer before "
                                                "it."),
    "network_backward_through_updated_weights": ("NeuralNetwork.backward", "the gradient is propagated through "
                                                 "weights already updated: call layer.backward once, keep its "
                                                 "grad_input, then update."),
}

INPUT_MODIFIED = ("the method modifies an array it was given, in place (x[x < 0] = 0, x *= ..., "
                  "np.maximum(x, 0, out=x)): compute a new array instead.")
OUTPUT_NOT_SQUASHED = ("the output layer's activation is skipped: the network's outputs leave [0, 1], so they "
                       "are not sigmoid outputs.")
INPUT_NOT_CACHED = ("Layer.forward did not store its input: it must keep x (self.input = x) and the "
                    "pre-activation z for Layer.backward to use.")


@dataclass(frozen=True)
class ErrorRule:
    """An exception in a check of ``method`` whose text contains ``contains`` is explained by ``cause``."""

    method: str
    exceptions: tuple[str, ...]
    contains: str
    cause: str


ERROR_RULES = [
    ErrorRule("Layer.backward", ("AttributeError", "TypeError"), "NoneType", INPUT_NOT_CACHED),
]


def described(key: str) -> tuple[str, str]:
    """(method, text) of a wrong formula's key; "key~variant" shares the text of "key"."""
    return MISCONCEPTIONS[key.split("~")[0]]


def matches(got: Observations, predicted: Observations, keys) -> bool:
    present = [k for k in keys if k in predicted]
    if not present:
        return False
    for key in present:
        if key not in got or got[key].shape != predicted[key].shape:
            return False
        if not np.allclose(got[key], predicted[key], rtol=1e-6, atol=1e-8, equal_nan=True):
            return False
    return True


def diagnose(check, got: list[Observations], expected: list[Observations],
             predictions: list[dict[str, Observations]]) -> str:
    """'Likely cause: ...' for the first known mistake that reproduces the student's results, or ''.

    ``predictions[case][mistake]`` is what each known mistake produces. The
    mistake must reproduce the student's results on every input case, on the
    keys the check's judge compares, and differ from the reference on at least
    one (a mistake that changes nothing this check looks at cannot be what it caught).
    """
    keys = check.judge.keys
    for key in predictions[0] if predictions else ():
        if all(key in case and matches(g, case[key], keys) for g, case in zip(got, predictions)) and \
                not all(matches(e, case[key], keys) for e, case in zip(expected, predictions)):
            return likely_cause(described(key)[1])
    return ""


def diagnose_error(check, error) -> str:
    """'Likely cause: ...' for an exception that one known mistake explains, or ''."""
    for rule in ERROR_RULES:
        if check.method == rule.method and error.exception in rule.exceptions and rule.contains in error.detail:
            return likely_cause(rule.cause)
    return ""
