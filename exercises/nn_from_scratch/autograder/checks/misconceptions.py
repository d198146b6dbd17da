"""Name the misconception behind a failed check.

Each known mistake is the reference with one thing done wrong
(``staff/wrong_formulas.py``). Running a failed check's scenario on it predicts
what the mistake produces (:mod:`.expectations` computes or stores these
predictions); if the student's result matches the prediction, the failure
message says which mistake it is and what to fix. A few more mistakes are
recognised by rules where they show: an input modified in place (the
``Unchanged`` judge), the input not kept by ``Layer.forward`` (the ``Caches``
judge), the output activation skipped (the XOR judges), and errors that one
mistake explains where it was raised (:data:`ERROR_RULES`), or a product whose shapes
one change to the line fixes (``relations.matmul_fix``). When no known mistake
reproduces a failure, how the student's result relates to the right one may
(:mod:`.relations`: the opposite sign, a stray factor, a transpose, ...). A cause
is named only when the evidence singles it out. Messages name mistakes, never
hidden values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..sandboxed.xor import XOR_X
from . import relations

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
    "sigmoid_forward_is_derivative": ("Sigmoid.forward", "Sigmoid.forward returns the derivative s * (1 - s); "
                                      "forward is the sigmoid itself, 1 / (1 + exp(-x))."),
    "sigmoid_backward_at_output": ("Sigmoid.backward", "the derivative is evaluated at the output instead of the "
                                   "pre-activation: x * (1 - x) is the formula in terms of the sigmoid's output; here "
                                   "x is the pre-activation, so compute s = sigmoid(x) first and return s * (1 - s)."),
    "sigmoid_backward_missing_factor": ("Sigmoid.backward", "the (1 - s) factor is missing: the derivative is "
                                        "s * (1 - s), not s."),
    "layer_forward_missing_bias": ("Layer.forward", "a missing + bias in forward: z = x @ weights + bias."),
    "layer_forward_no_activation": ("Layer.forward", "the activation is never applied: forward must return "
                                    "activation.forward(z), not z."),
    "layer_forward_overwrites_pre_activation": ("Layer.forward", "Layer.forward keeps f(z) but not z itself: the "
                                                "pre-activation is overwritten (the activation written into it in "
                                                "place, or z used as the output's buffer) or never stored, so "
                                                "Layer.backward cannot take the derivative at z: keep z = x @ "
                                                "weights + bias (self.activation_input) and compute the output into "
                                                "a new array, self.output = self.activation.forward(z)."),
    "layer_forward_derivative_for_activation": ("Layer.forward", "the activation's derivative is applied in "
                                                "Layer.forward: the output is activation.forward(z), not "
                                                "activation.backward(z)."),
    "layer_forward_activation_twice": ("Layer.forward", "the activation is applied twice in Layer.forward: the "
                                       "output is activation.forward(z), once."),
    "layer_backward_no_derivative": ("Layer.backward", "the activation derivative is left out of Layer.backward: "
                                     "grad_z = grad_output * activation.backward(z) comes first."),
    "layer_backward_derivative_at_output": ("Layer.backward", "the activation derivative is evaluated at the "
                                            "layer's output f(z) instead of the cached pre-activation z."),
    "layer_backward_forward_for_derivative": ("Layer.backward", "Layer.backward multiplies by the activation "
                                              "itself instead of its derivative: grad_z = grad_output * "
                                              "activation.backward(z), not activation.forward(z)."),
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


def output_not_squashed(got: Observations) -> bool:
    """Whether the trained XOR network's outputs are its last layer's pre-activation,
    z = relu(X @ W0 + b0) @ W1 + b1 with the trained weights: the output activation skipped. (Outputs outside
    [0, 1] alone do not show it: a wrong sigmoid formula gives those too.)"""
    output = got.get("output")
    try:
        with np.errstate(all="ignore"):
            z = np.maximum(0.0, XOR_X @ got["weights_0"] + got["bias_0"]) @ got["weights_1"] + got["bias_1"]
    except (KeyError, ValueError):
        return False
    return output is not None and relations.close(output, z)


@dataclass(frozen=True)
class ErrorRule:
    """An exception of one of ``exceptions`` whose text matches ``contains``, raised at a line matching ``line``
    (both regular expressions), is explained by ``cause``: during a check of ``method`` with the traceback
    ending in the student's ``where``, or, with no ``method``, in any unit check whose own class raised it (in
    a whole-network run another class may have caused it)."""

    exceptions: tuple[str, ...]
    contains: str
    cause: str
    line: str = ""
    method: str = ""
    where: str = ""

    def explains(self, check, error) -> bool:
        if self.method:
            at = check.method == self.method and error.where == self.where
        else:
            at = check.owner is not None and error.where.partition(".")[0] == check.owner
        return at and error.exception in self.exceptions and bool(re.search(self.contains, error.detail)) and \
            bool(re.search(self.line, error.line))


ARRAY_AS_ONE_TRUTH = ("a whole array met Python's `if`, `and`/`or` or its built-in max/min, which need one number: "
                      "use numpy's functions, which work entry by entry (np.where(x > 0, ...), np.maximum(0, x)).")
ARRAY_AS_ONE_NUMBER = ("a function that takes one number (math.exp, float(), int()) got a whole array: use numpy's "
                       "functions, which work entry by entry (np.exp).")
STEP_OF_ANOTHER_SHAPE = ("an in-place update (-= or +=) got a step of another shape than the array it changes: "
                         "update each parameter with its own gradient (weights with grad_weights, bias with "
                         "grad_bias), unpacked in the order layer.backward returns them.")
ARRAY_AS_AXIS = ("an array was given where numpy expects an axis: np.max and np.min reduce one array (their second "
                 "argument is the axis); np.maximum(0, x) and np.minimum compare entry by entry.")

ERROR_RULES = [
    # Layer.backward reading a cache that Layer.forward left at None; a None met in Layer.forward itself
    # (an attribute it reads before setting) is another mistake.
    ErrorRule(("AttributeError", "TypeError"), "NoneType", INPUT_NOT_CACHED, method="Layer.backward",
              where="Layer.backward"),
    # Mistakes that explain their error wherever they happen.
    ErrorRule(("ValueError",), "truth value of an array", ARRAY_AS_ONE_TRUTH),
    ErrorRule(("TypeError",), "arrays can be converted to Python scalars", ARRAY_AS_ONE_NUMBER),
    ErrorRule(("ValueError",), "non-broadcastable output operand|could not be broadcast", STEP_OF_ANOTHER_SHAPE,
              line=r"\b(?:weights|bias)\b\s*[-+]="),
    ErrorRule(("TypeError",), "only integer scalar arrays can be converted to a scalar index", ARRAY_AS_AXIS,
              line=r"\b(?:np|numpy)\.(?:max|min|amax|amin)\("),
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
    """'Likely cause: ...' when the evidence singles one mistake out, or ''.

    ``predictions[case][mistake]`` is what each known mistake produces. A known mistake is named when it
    reproduces the student's results on every input case, on the keys the check's judge compares, differs
    from the reference there, and no known mistake with another text does the same. Failing that, a known
    mistake that reproduces only the wrong results (the others being right), or else a relation between the
    student's results and the reference's (:mod:`.relations`), is named when it alone explains them; a known
    mistake is not named when two rival relations fit as well (a factor 1/2 on a batch of 2). Nothing
    is named when the results are only degenerate answers (all zeros, nothing updated): many mistakes give those.
    """
    cases = check.cases()
    keys = [key for key in check.judge.keys if any(key in e for e in expected)]
    wrong = [key for key in keys if any(key in e and not matches(g, e, [key]) for g, e in zip(got, expected))]
    if not any(_informative(case, g, e, keys) for case, g, e in zip(cases, got, expected)):
        return ""
    texts = _reproduced(keys, got, expected, predictions)
    if texts and _rivals_hold(check, cases, got, expected, keys, wrong):
        return ""  # a known mistake and a rival relation both fit (a mean over a batch of 2, or half the sum?)
    if not texts and len(wrong) < len(keys):
        texts = {f"{_labels(check, wrong)} only: {text}" for text in _reproduced(wrong, got, expected, predictions)}
        if texts and _any_relation(check, cases, got, expected, keys, wrong):  # a weaker match, not the only one
            return ""
    if texts:
        return likely_cause(texts.pop()) if len(texts) == 1 else ""
    text = _related(check, cases, got, expected, keys, wrong)
    return likely_cause(text) if text else ""


def _reproduced(keys, got, expected, predictions) -> set[str]:
    """The texts of the known mistakes that reproduce ``got`` on ``keys`` in every case and differ from
    the reference there."""
    texts = set()
    for key in predictions[0] if predictions else ():
        if all(key in case and matches(g, case[key], keys) for g, case in zip(got, predictions)) and \
                not all(matches(e, case[key], keys) for e, case in zip(expected, predictions)):
            texts.add(described(key)[1])
    return texts


def _informative(case: dict, got: Observations, expected: Observations, keys) -> bool:
    """Whether this case's results are wrong in a way that tells mistakes apart: not right, not all zeros
    where wrong, not every parameter left as it was."""
    keys = [key for key in keys if key in expected]
    wrong = [key for key in keys if not matches(got, expected, [key])]
    if not wrong or any(key not in got for key in keys):
        return bool(wrong)
    if all(got[key].size and not np.any(got[key]) for key in wrong):
        return False
    updated = [key for key in keys if key in case]
    unchanged = {key for key in updated if np.array_equal(got[key], np.asarray(case[key], dtype=float))}
    if updated and set(updated) <= unchanged:
        return False
    # A layer whose weights and bias both stayed as they were got no usable gradient, or was never reached:
    # many mistakes (any array of the wrong shape handed to it) give that. Evidence lies elsewhere.
    frozen = {key.rpartition("_")[2] for key in unchanged} - {key.rpartition("_")[2] for key in set(updated) - unchanged}
    return not all(key in unchanged and key.rpartition("_")[2] in frozen for key in wrong)


def _labels(check, keys) -> str:
    """How the student knows these observations: "grad_input, grad_bias"; a shared ending said once
    ("layers[1].bias, layers[0].bias after backward")."""
    labels = [getattr(check.judge, "labels", {}).get(key, key) for key in keys]
    ending = labels[0].partition(" ")[2]
    if len(labels) > 1 and ending and all(label.endswith(" " + ending) for label in labels):
        return ", ".join(label.removesuffix(" " + ending) for label in labels) + " " + ending
    return ", ".join(labels)


def _seen(check, cases, got, expected, keys, key) -> list:
    """The student's and the reference's values of observation ``key`` in each case that has it."""
    return [relations.Seen(g[key], e[key], case, key, {k: e[k] for k in keys if k in e}, "activation" in check.params)
            for case, g, e in zip(cases, got, expected) if key in e and key in g]


def _any_relation(check, cases, got, expected, keys, wrong) -> bool:
    return any(relations.holding(_seen(check, cases, got, expected, keys, key)) for key in wrong if key != "calls")


def _rivals_hold(check, cases, got, expected, keys, wrong) -> bool:
    """Whether two relations of one group explain a wrong observation: then nothing tells them apart, and a
    known mistake that is one of them is no better founded."""
    for key in wrong:
        if key == "calls" or key.endswith(AFTER):
            continue
        groups = [r.group for r in relations.holding(_seen(check, cases, got, expected, keys, key)) if r.group]
        if len(groups) > len(set(groups)):
            return True
    return False


AFTER = "_after"  # an array handed to the code, as left afterwards: changing it is a mistake of its own


def _related(check, cases, got, expected, keys, wrong) -> str:
    """The one relation every wrong observation shows, in words, or ''. Unit checks only: a whole-network
    result mixes every class's mistakes; nor of the arrays handed to the code (the ``Unchanged`` judge
    says what changing them means)."""
    if check.owner is None or not wrong or any(key.endswith(AFTER) for key in wrong):
        return ""
    if "calls" in wrong:
        return relations.calls_relation([g["calls"] for g in got], [e["calls"] for e in expected])
    found = set()
    for key in wrong:
        if any(key not in g for g, e in zip(got, expected) if key in e):
            return ""
        relation = relations.relation_of(_seen(check, cases, got, expected, keys, key))
        if relation is None:
            return ""
        found.add(relation.name)
    return relations.describe(found.pop(), [_labels(check, wrong)]) if len(found) == 1 else ""


def diagnose_error(check, error) -> str:
    """'Likely cause: ...' for an exception that one known mistake explains, where it was raised, or ''."""
    rule = next((rule for rule in ERROR_RULES if rule.explains(check, error)), None)
    if rule is not None:
        return likely_cause(rule.cause)
    if error.exception == "ValueError" and check.owner is not None:  # a unit check: its cases are the method's
        cases = check.cases()
        fix = relations.matmul_fix(error.line, error.detail, cases) or \
            relations.broadcast_fix(error.line, error.detail, cases)
        if fix:
            return likely_cause(fix)
    return ""
