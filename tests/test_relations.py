"""The relations of function, sign and axis (``autograder/checks/relations.py``) on plain arrays: each names
its mistake, none holds for a right result or an all-zero one, and rivals name nothing."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import relations
from autograder.sandboxed.doubles import CubicActivation

X = np.array([[-4.0, -1.0, 0.0, 0.5, 3.0], [2.0, -0.25, 1.0, -6.0, 0.1]])
S = 1 / (1 + np.exp(-X))


def activation(got, right, x=X):
    return relations.Seen(np.asarray(got, float), np.asarray(right, float), {"x": x}, "out", {}, elementwise=True)


def named(*seen) -> str | None:
    relation = relations.relation_of(list(seen))
    return relation.name if relation else None


LAYER = {"x": np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [0.0, 1.0, 1.0]]),
         "weights": np.array([[0.2, -0.4, 0.1, 0.3], [0.5, 0.05, -0.2, 0.4], [-0.3, 0.2, 0.25, -0.1]]),
         "bias": np.array([[0.1, -0.2, 0.3, 0.05]])}
Z = LAYER["x"] @ LAYER["weights"]
GRAD_Z = np.array([[1.0, -0.5, 0.25, 2.0], [-1.5, 0.75, 1.0, -0.25], [0.5, 0.5, -2.0, 1.0]])


def layer(got, right, key="out"):
    return relations.Seen(np.asarray(got, float), np.asarray(right, float), LAYER, key, {}, elementwise=False)


CASES = {
    "keeps_the_other_part": activation(np.minimum(0, X), np.maximum(0, X)),
    "is_tanh": activation(np.tanh(X), S),
    "is_relu": activation(np.maximum(0, X), S),
    "is_sigmoid": activation(S, np.where(X > 0, 1.0, 0.0)),
    "is_tanh_derivative": activation(1 - np.tanh(X) ** 2, S * (1 - S)),
    "derivative_sign_inside": activation(S * (1 + S), S * (1 - S)),
    "derivative_factor_missing": activation(1 - S, S * (1 - S)),
    "term_sign_flipped": layer(CubicActivation.forward(Z - LAYER["bias"]), CubicActivation.forward(Z + LAYER["bias"])),
    "summed_over_wrong_axis": layer(GRAD_Z.sum(axis=1, keepdims=True), GRAD_Z.sum(axis=0, keepdims=True), "grad_bias"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_relation_names_its_mistake(name):
    assert named(CASES[name]) == name
    text = relations.describe(name, ["the result"])
    assert text.startswith("the result ") and not any(c.isdigit() and c not in "012" for c in text), text


@pytest.mark.parametrize("name", CASES)
def test_no_relation_holds_for_the_right_result(name):
    seen = CASES[name]
    right = relations.Seen(seen.expected, seen.expected, seen.case, seen.key, {}, seen.elementwise)
    assert relations.holding([right]) == []


@pytest.mark.parametrize("name", CASES)
def test_an_all_zero_result_is_described_by_none_of_them(name):
    seen = CASES[name]
    for x in (seen.case["x"], np.abs(seen.case["x"]), -np.abs(seen.case["x"])):  # ReLU of x <= 0 is all zeros
        right = np.maximum(0, x) if name == "keeps_the_other_part" else seen.expected
        zeros = relations.Seen(np.zeros(seen.got.shape), right, {**seen.case, "x": x}, seen.key, {}, seen.elementwise)
        assert named(zeros) not in CASES, (name, x)


def test_a_sum_over_everything_is_a_wrong_axis_and_the_right_sum_reshaped_is_not():
    right = GRAD_Z.sum(axis=0, keepdims=True)
    assert named(layer(GRAD_Z.sum(keepdims=True), right, "grad_bias")) == "summed_over_wrong_axis"
    assert named(layer(GRAD_Z.sum(axis=1), right, "grad_bias")) == "summed_over_wrong_axis"
    assert named(layer(right.ravel(), right, "grad_bias")) is None  # keepdims forgotten: another mistake
    assert named(layer(GRAD_Z.sum(axis=1) + 1.0, right, "grad_bias")) is None  # not the same total


def test_the_sign_of_a_term_is_only_named_for_the_layer_output_it_explains():
    right = CubicActivation.forward(Z + LAYER["bias"])
    assert named(layer(CubicActivation.forward(LAYER["bias"] - Z), right)) == "term_sign_flipped"
    assert named(layer(CubicActivation.forward(-Z - LAYER["bias"]), right)) == "negated"  # f is odd: both terms
    assert named(layer(np.tanh(Z - LAYER["bias"]), right)) is None  # another activation: not this relation


def test_two_functions_that_agree_on_the_inputs_name_neither():
    x = np.array([[20.0, 30.0, 40.0]])  # saturated: the sigmoid is 1 within the tolerance, as ReLU's derivative is
    seen = activation(np.ones_like(x), np.array([[0.3, 0.4, 0.6]]), x)
    assert {"is_sigmoid", "is_relu_derivative"} <= {r.name for r in relations.holding([seen])}
    assert named(seen) is None
    both = activation(x, np.tanh(x), x)  # relu(x) == x here: "the input" and "ReLU" both hold
    assert {"is_the_input", "is_relu"} <= {r.name for r in relations.holding([both])}
    assert named(both) == "is_the_input"  # the more specific, listed first
