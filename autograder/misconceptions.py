"""Name the misconception behind a failed check.

For each known mistake, :mod:`autograder.wrong_formulas` (staff only) holds the
reference with that one mistake made. Running a failed check's scenario on it
predicts what the mistake produces; if the student's result matches the
prediction, the failure message says which mistake it is and what to fix.

Where the reference is present the predictions are computed live; students'
copies read them, for the public checks only, from
``data/public_misconceptions.npz`` (``python -m autograder expected`` writes it).
Messages name mistakes, never hidden values.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .checks import Check, catalogue
from .judges import likely_cause
from .scenarios import SCENARIOS, Observations

STORE = Path(__file__).resolve().parent / "data" / "public_misconceptions.npz"

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

# Three more mistakes are recognised by rules where they show, not by prediction:
# an input modified in place (judges.Unchanged), the input not cached (scenarios.explain),
# the output activation skipped (judges.XorLearns / XorLossCurve).


def compared_keys(check: Check) -> list[str]:
    """The observations a check judges, which a prediction must match."""
    judge = check.judge
    keys = list(getattr(judge, "labels", {}) or {})
    if type(judge).__name__ == "NetworkCalls":
        keys.insert(0, "calls")
    if type(judge).__name__ == "Gradient":
        keys = list(judge.pairs)
    return keys


def matches(got: Observations, predicted: Observations, keys: list[str]) -> bool:
    present = [k for k in keys if k in predicted]
    if not present:
        return False
    for key in present:
        if key not in got or got[key].shape != predicted[key].shape:
            return False
        if not np.allclose(got[key], predicted[key], rtol=1e-6, atol=1e-8, equal_nan=True):
            return False
    return True


class Live:
    """Predictions computed by running each check's scenario on the wrong formulas."""

    def __init__(self, reference_namespace: dict):
        from .wrong_formulas import WRONG_FORMULAS

        self.namespaces = {key: make(reference_namespace) for key, make in WRONG_FORMULAS.items()}
        self._cache: dict = {}

    def for_case(self, check: Check, index: int) -> dict[str, Observations]:
        if (check.name, index) not in self._cache:
            case = check.cases()[index]
            predictions = {}
            for key, namespace in self.namespaces.items():
                if described(key)[0] != check.method:
                    continue
                try:
                    with np.errstate(all="ignore"):
                        predictions[key] = SCENARIOS[check.scenario](
                            namespace, check.params, {k: np.array(v) for k, v in case.items()})
                except Exception:  # the mistake makes this scenario crash: nothing to compare
                    pass
            self._cache[(check.name, index)] = predictions
        return self._cache[(check.name, index)]


class Stored:
    """Predictions for the public checks, as stored for students."""

    def __init__(self, path: Path = STORE):
        self.arrays: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                self.arrays = {key: data[key] for key in data.files}

    def for_case(self, check: Check, index: int) -> dict[str, Observations]:
        prefix = f"{check.grade_id}/{index}/"
        predictions: dict[str, Observations] = {}
        for name, value in self.arrays.items():
            if name.startswith(prefix):
                key, _, observation = name[len(prefix):].partition("/")
                predictions.setdefault(key, {})[observation] = value
        return predictions


@lru_cache(maxsize=None)
def default():
    from . import reference

    try:
        from . import wrong_formulas  # noqa: F401  (staff only)
    except ImportError:
        return Stored()
    return Live(reference.namespace()) if reference.available() else Stored()


def described(key: str) -> tuple[str, str]:
    """(method, text) of a wrong formula's key; "key~variant" shares the text of "key"."""
    return MISCONCEPTIONS[key.split("~")[0]]


def diagnose(check: Check, got: list[Observations], expected: list[Observations], predictions=None) -> str:
    """'Likely cause: ...' for the first known mistake that reproduces the student's results, or ''.

    The mistake must reproduce the results on every input case, and differ from
    the reference on at least one (a mistake that changes nothing this check
    looks at cannot be what it caught).
    """
    predictions = predictions if predictions is not None else default()
    if check.hidden and isinstance(predictions, Stored):
        return ""
    keys = compared_keys(check)
    per_case = [predictions.for_case(check, index) for index in range(len(got))]
    for key in per_case[0] if per_case else ():
        if all(key in case and matches(g, case[key], keys) for g, case in zip(got, per_case)) and \
                not all(matches(e, case[key], keys) for e, case in zip(expected, per_case)):
            return likely_cause(described(key)[1])
    return ""


def write_store(path: Path = STORE) -> Path:
    """Store the predictions of every known mistake on the public checks' inputs."""
    from . import reference

    live = Live(reference.namespace())
    arrays = {}
    for check in catalogue(include_hidden=False):
        for index in range(len(check.cases())):
            for key, observations in live.for_case(check, index).items():
                for name in compared_keys(check):
                    if name in observations:
                        arrays[f"{check.grade_id}/{index}/{key}/{name}"] = np.asarray(observations[name], float)
    np.savez_compressed(path, **arrays)
    return path
