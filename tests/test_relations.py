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
DERIVATIVE = CubicActivation.backward(Z + LAYER["bias"])


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
    "wrong_below_a_point": activation(np.maximum(1, X), np.maximum(0, X)),  # right from x = 1 up
    "wrong_above_a_point": activation(np.clip(X, 0, 1), np.maximum(0, X)),  # right up to x = 1
    "offset": activation(S - 0.5, S),
    "reciprocal": activation(1 + np.exp(-X), S),  # 1 / 1 + np.exp(-x): the brackets lost
    "at_minus_x": activation(np.maximum(0, -X), np.maximum(0, X)),
    "at_scaled_x": activation(1 / (1 + np.exp(-2 * X)), S),
    "derivative_of_another_s": activation(np.tanh(X) * (1 - np.tanh(X)), S * (1 - S)),
    "derivative_factor_repeated": activation(S * S, S * (1 - S)),
    "bias_not_added": layer(CubicActivation.forward(Z * LAYER["bias"]), CubicActivation.forward(Z + LAYER["bias"])),
    "not_summed": layer(GRAD_Z, GRAD_Z.sum(axis=0, keepdims=True), "grad_bias"),
    "right_values_other_shape": layer(GRAD_Z.ravel(), GRAD_Z, "grad_input"),
    "weights_gradient_from_another_array": relations.Seen(
        (Z + LAYER["bias"]).T @ (GRAD_Z * DERIVATIVE), LAYER["x"].T @ (GRAD_Z * DERIVATIVE),
        {**LAYER, "grad_output": GRAD_Z}, "grad_weights", {}, elementwise=False),
    "input_gradient_through_another_matrix": relations.Seen(
        (GRAD_Z * DERIVATIVE) @ (LAYER["x"].T @ (GRAD_Z * DERIVATIVE)).T, (GRAD_Z * DERIVATIVE) @ LAYER["weights"].T,
        {**LAYER, "grad_output": GRAD_Z}, "grad_input", {}, elementwise=False),
    "grad_z_combined_wrong": relations.Seen((GRAD_Z + DERIVATIVE) @ LAYER["weights"].T,
                                            (GRAD_Z * DERIVATIVE) @ LAYER["weights"].T,
                                            {**LAYER, "grad_output": GRAD_Z}, "grad_input", {}, elementwise=False),
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
    assert named(layer(right.ravel(), right, "grad_bias")) == "right_values_other_shape"  # keepdims forgotten
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


def test_a_point_that_splits_right_from_wrong_is_no_evidence_where_the_result_overflows_or_agrees_only_at_0():
    assert named(activation(np.where(X > -2, np.maximum(0, X), np.nan), np.maximum(0, X))) is None  # nan: overflow
    agrees_at_0 = activation(np.where(X == 0, 0.25, S * S), S * (1 - S))
    assert "wrong_below_a_point" not in {r.name for r in relations.holding([agrees_at_0])}


def test_a_stray_factor_inside_the_function_is_only_named_where_it_is_not_one_outside():
    three = np.vstack([X, X[:1]])  # a batch of 3: "times 2" is not also "times the batch size"
    assert named(activation(np.maximum(0, 2 * three), np.maximum(0, three), three)) == "times_2"  # relu(2x) = 2 relu(x)


def test_an_offset_needs_right_values_that_differ():
    flat = np.ones((2, 5))  # ReLU's derivative where every x > 0: anything constant is "an offset" of it
    assert named(activation(flat * 0.5, flat, np.abs(X) + 1)) is None


# --- the shapes of a matrix product that does not fit ------------------------------------------------

CASE = {"x": np.zeros((2, 3)), "weights": np.zeros((3, 4)), "bias": np.zeros((1, 4)), "grad_output": np.zeros((2, 4))}


def numpy_says(a_shape, b_shape) -> str:
    """The detail a failed a @ b leaves, in the grader's words (errors.plain)."""
    from autograder.sandboxed.errors import plain

    try:
        np.zeros(a_shape) @ np.zeros(b_shape)
    except ValueError as exc:
        return f"ValueError: {plain(exc)}"
    raise AssertionError("the product fits")


@pytest.mark.parametrize("line, a, b, fix", [
    ("self.activation_input = self.weights @ x + self.bias", (3, 4), (2, 3),
     relations.MATMUL_ORDER.format(fix="x @ self.weights")),
    ("grad_input = grad_z @ self.weights", (2, 4), (3, 4),
     relations.MATMUL_TRANSPOSE.format(which="missing", operand="self.weights", fix="grad_z @ self.weights.T")),
    ("z = x @ self.weights.T + self.bias", (2, 3), (4, 3),
     relations.MATMUL_TRANSPOSE.format(which="too many", operand="self.weights", fix="x @ self.weights")),
    ("return self.input @ delta", (2, 3), (2, 4),
     relations.MATMUL_TRANSPOSE.format(which="missing", operand="self.input", fix="self.input.T @ delta")),
])
def test_a_product_that_does_not_fit_is_named_by_the_one_change_that_makes_it_fit(line, a, b, fix):
    assert relations.matmul_fix(line, numpy_says(a, b), [CASE]) == fix


@pytest.mark.parametrize("line", [
    "z = self.weights + x",  # no product in the line: nothing to say about it
    "z = delta @ other",  # neither operand known
    "z = x @ self.weights @ self.bias",  # the products known do not give the error's lengths
    "z = (((" + "(" * 300 + "x",  # not Python
    "x" * 2000,
])
def test_a_product_the_line_does_not_explain_is_not_named(line):
    assert relations.matmul_fix(line, numpy_says((3, 4), (2, 3)), [CASE]) == ""


def test_two_changes_that_both_fit_name_neither():
    square = {"x": np.zeros((3, 3)), "weights": np.zeros((3, 3)), "bias": np.zeros((1, 3))}
    # x (3, 3) @ w (2, 3) is not possible here; a square x and weights whose product fails cannot be told apart:
    assert relations.matmul_fix("z = x @ self.weights.T", numpy_says((3, 3), (4, 3)), [square]) == ""


# --- a backward that is right for the student's own forward --------------------------------------------

def test_a_backward_right_for_a_wrong_forward_blames_forward_and_a_wrong_backward_does_not():
    x = [X]
    wrong_forward = np.tanh(X)
    right = [S * (1 - S)]
    assert relations.follows_forward(x, [wrong_forward * (1 - wrong_forward)], [wrong_forward], right)
    assert not relations.follows_forward(x, [S * S], [wrong_forward], right)  # backward wrong on its own
    assert not relations.follows_forward(x, [S * (1 - S) + 1], [S], right)  # forward right: backward's mistake
    relu_derivative = [np.where(X > 0, 1.0, 0.0)]
    assert not relations.follows_forward(x, [np.zeros_like(X)], [np.zeros_like(X)], relu_derivative)


def broadcast_says(a_shape, b_shape) -> str:
    try:
        np.zeros(a_shape) * np.zeros(b_shape)
    except ValueError as exc:
        return f"ValueError: {exc}"
    raise AssertionError("the shapes broadcast")


@pytest.mark.parametrize("line, a, b, fix", [
    ("self.activation_input = x * self.weights + self.bias", (2, 3), (3, 4),
     relations.MATMUL_FOR_TIMES.format(fix="x @ self.weights")),
    ("z = x @ self.weights + self.bias.T", (2, 4), (4, 1),
     relations.MATMUL_TRANSPOSE.format(which="too many", operand="self.bias", fix="x @ self.weights + self.bias")),
])
def test_an_operation_that_does_not_broadcast_is_named_by_the_one_change_that_makes_it_fit(line, a, b, fix):
    assert relations.broadcast_fix(line, broadcast_says(a, b), [CASE]) == fix


def test_a_change_that_only_fits_by_growing_the_result_is_not_named():
    # grad_output (2, 4) * f'(x) (2, 3): a .T would make (4, 2) * (2, 3)... no; (2, 4).T * ... no: nothing fits
    # as a layer's formula. A column times a row (broadcast into a larger array) is not offered as the fix.
    case = {**CASE, "grad_output": np.zeros((1, 2)), "x": np.zeros((1, 5)), "weights": np.zeros((5, 2))}
    line = "grad_z = grad_output * self.activation.backward(self.input)"
    assert relations.broadcast_fix(line, broadcast_says((1, 2), (1, 5)), [case]) == ""


def test_an_at_between_two_arrays_of_one_shape_names_no_transpose():
    """grad_output @ f'(z), both (batch, out): a .T on either side fits, and so does `*`: nothing is named."""
    line = "grad_z = grad_output @ self.activation.backward(self.activation_input)"
    assert relations.matmul_fix(line, numpy_says((2, 4), (2, 4)), [CASE]) == ""


def test_a_layer_called_twice_is_named_and_a_changed_order_is_not():
    right = np.array([1.0, 2.0, 3.0])
    assert relations.calls_relation([np.array([1.0, 1.0, 2.0, 3.0])], [right]) == \
        relations.CALLS_REPEATED.format(which="layers[0] is")
    assert relations.calls_relation([np.array([2.0, 1.0, 3.0])], [right]) == ""  # another order: no repeat
    assert relations.calls_relation([np.array([2.0, 1.0, 2.0, 3.0])], [right]) == ""  # a repeat, out of order


def test_a_product_written_with_numpy_calls_is_named_as_one_written_with_operators():
    detail = "ValueError: the shapes in np.dot(a, b) do not fit: a's last axis has length 4, b's first axis length 2"
    assert relations.matmul_fix("z = np.dot(self.weights, x) + self.bias", detail, [CASE]) == \
        relations.MATMUL_ORDER.format(fix="x @ self.weights")
    assert relations.matmul_fix("z = self.weights.dot(x) + self.bias", detail, [CASE]) == \
        relations.MATMUL_ORDER.format(fix="x @ self.weights")
    assert relations.broadcast_fix("z = np.multiply(x, self.weights) + self.bias", broadcast_says((2, 3), (3, 4)),
                                   [CASE]) == relations.MATMUL_FOR_TIMES.format(fix="x @ self.weights")


def test_a_change_that_makes_the_product_fit_but_not_the_line_is_not_named():
    """self.weights @ x.T: self.weights.T @ x.T fits as a product, but gives z transposed, and adding the bias
    then fails: no single change fixes the line (it is the column convention, two changes away)."""
    line = "self.activation_input = self.weights @ x.T + self.bias"
    assert relations.matmul_fix(line, numpy_says((3, 4), (3, 2)), [CASE]) == ""


def test_an_operand_of_no_known_shape_takes_the_shape_numpy_reported():
    line = "grad_input = grad_z * self.weights.T"  # grad_z (2, 4), a local: numpy says its shape
    assert relations.broadcast_fix(line, broadcast_says((2, 4), (4, 3)), [CASE]) == \
        relations.MATMUL_FOR_TIMES.format(fix="grad_z @ self.weights.T")
