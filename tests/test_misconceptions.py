"""Each known mistake gets its own diagnosis, in plain words, in the message of a check it fails."""

from __future__ import annotations

import pytest

from autograder.checks import catalogue, expectations, misconceptions, relations
from autograder.checks.misconceptions import INPUT_MODIFIED, INPUT_NOT_CACHED, OUTPUT_NOT_SQUASHED
from autograder.inprocess import run_check
from autograder.sandboxed import loader

from variants import BUGS

TEXT = {key: text for key, (_, text) in misconceptions.MISCONCEPTIONS.items()}

# A submission that makes the mistake -> the diagnosis its messages must give.
DIAGNOSES = {
    "relu_forward_returns_mask": TEXT["relu_forward_mask"],
    "relu_forward_in_place": INPUT_MODIFIED,
    "relu_backward_returns_relu": TEXT["relu_backward_is_relu"],
    "relu_backward_inverted": TEXT["relu_backward_inverted"],
    "sigmoid_forward_sign": TEXT["sigmoid_forward_sign"],
    "sigmoid_backward_at_output": TEXT["sigmoid_backward_at_output"],
    "sigmoid_backward_missing_factor": TEXT["sigmoid_backward_missing_factor"],
    "layer_forward_missing_bias": TEXT["layer_forward_missing_bias"],
    "layer_forward_no_activation": TEXT["layer_forward_no_activation"],
    "layer_forward_forgets_to_cache_input": INPUT_NOT_CACHED,
    "layer_forward_overwrites_pre_activation": TEXT["layer_forward_overwrites_pre_activation"],
    "layer_backward_no_activation_derivative": TEXT["layer_backward_no_derivative"],
    "layer_backward_derivative_at_output": TEXT["layer_backward_derivative_at_output"],
    "layer_backward_bias_mean": TEXT["layer_backward_bias_mean"],
    "layer_backward_bias_no_keepdims": TEXT["layer_backward_bias_no_keepdims"],
    "layer_backward_weights_transposed": TEXT["layer_backward_weights_transposed"],
    "layer_backward_divides_by_batch": TEXT["layer_backward_divided_by_batch"],
    "network_forward_skips_last_layer": TEXT["network_forward_skips_last_layer"],
    "network_forward_skips_output_activation": OUTPUT_NOT_SQUASHED,
    "network_forward_zeroes_its_input": INPUT_MODIFIED,
    "network_backward_gradient_ascent": TEXT["network_backward_gradient_ascent"],
    "network_backward_front_to_back": TEXT["network_backward_front_to_back"],
    "network_backward_ignores_learning_rate": TEXT["network_backward_fixed_learning_rate"],
    "network_backward_bias_never_updated": TEXT["network_backward_biases_frozen"],
    "network_backward_gradient_not_passed_on": TEXT["network_backward_gradient_not_passed_on"],
    "network_backward_through_updated_weights": TEXT["network_backward_through_updated_weights"],
    "network_backward_zeroes_grad_output": INPUT_MODIFIED,
}
VARIANTS = {variant.name: variant for variant in BUGS}


def messages(variant, tmp_path, expected=None, include_hidden=True) -> dict[str, str]:
    """check id -> message, for every check the variant fails (``expected``: Live or Stored values)."""
    namespace = loader.load(variant.write_py(tmp_path)).namespace
    results = {}
    for check in catalogue(include_hidden):
        result = run_check(check, namespace, expected)
        if not result.passed:
            results[check.id] = result.message
    return results


OWNER = {check.id: check.owner for check in catalogue()}


def test_at_least_fifteen_mistakes_are_named():
    assert len(set(DIAGNOSES.values())) >= 15


@pytest.mark.parametrize("name", DIAGNOSES)
def test_each_mistake_is_named_in_a_check_of_its_own_class(name, tmp_path):
    variant = VARIANTS[name]
    failed = messages(variant, tmp_path)
    named = [check for check, message in failed.items() if f"Likely cause: {DIAGNOSES[name]}" in message]
    assert named, f"{name}: no message names it; got {failed}"
    assert all(OWNER[check] in (variant.owner, None) for check in named)
    # No unit check offers another diagnosis for this mistake.
    for check, message in failed.items():
        if OWNER[check] is None:
            continue
        for cause in message.split("Likely cause: ")[1:]:
            assert cause.strip() == DIAGNOSES[name], (name, cause)


def test_a_mistake_that_matches_no_pattern_gets_the_plain_message(tmp_path):
    failed = messages(VARIANTS["relu_forward_threshold_above_zero"], tmp_path)  # wrong only for 0 < x <= 1e-4
    assert "relu_forward_public_values" in failed
    assert all("Likely cause" not in message for message in failed.values())
    assert "expected" in failed["relu_forward_public_values"]


def test_a_mistake_no_formula_predicts_is_named_by_where_it_is_wrong(tmp_path):
    """np.clip(x, 0, 1) is in no catalogue of wrong formulas; what it does is plain: right up to 1, wrong above."""
    failed = messages(VARIANTS["relu_forward_capped"], tmp_path)
    unit = {check: message for check, message in failed.items() if OWNER[check] is not None}
    assert unit and all(message.endswith("Likely cause: " + relations.describe("wrong_above_a_point",
                                                                              ["ReLU.forward(x)"]))
                        for message in unit.values()), unit


def test_the_students_copy_gives_the_same_diagnosis_for_public_checks(tmp_path):
    stored = expectations.Stored()
    for name in ("sigmoid_backward_at_output", "layer_backward_bias_mean", "network_backward_front_to_back",
                 "layer_forward_overwrites_pre_activation"):
        student_side = messages(VARIANTS[name], tmp_path, stored, include_hidden=False)
        assert any(f"Likely cause: {DIAGNOSES[name]}" in m for m in student_side.values()), name
        assert student_side == messages(VARIANTS[name], tmp_path, include_hidden=False), name


# --- errors one mistake explains in any method ------------------------------------------------------

@pytest.mark.parametrize("old, new, cause", [
    ("return np.maximum(0, x)", "return max(0, x)", misconceptions.ARRAY_AS_ONE_TRUTH),
    ("return np.where(x > 0, 1.0, 0.0)", "return 1.0 if x > 0 else 0.0", misconceptions.ARRAY_AS_ONE_TRUTH),
    ("return 1 / (1 + np.exp(-x))", "import math\n        return 1 / (1 + math.exp(-x))",
     misconceptions.ARRAY_AS_ONE_NUMBER),
    ("return np.maximum(0, x)", "return np.max(0, x)", misconceptions.ARRAY_AS_AXIS),
    ("layer.bias -= learning_rate * grad_bias", "layer.bias -= learning_rate * grad_weights",
     misconceptions.STEP_OF_ANOTHER_SHAPE),
])
def test_an_error_one_mistake_explains_is_named_in_every_check_it_breaks(old, new, cause, tmp_path):
    from variants import Variant

    failed = messages(Variant("scalar_python", ((old, new),), "x"), tmp_path)
    unit = {key: message for key, message in failed.items() if OWNER[key] is not None}
    assert unit and all(message.endswith(f"Likely cause: {cause}") for message in unit.values()), unit
    assert not any("a.any()" in message for message in failed.values())  # numpy's advice is never the fix here


def test_an_error_another_class_caused_gets_no_rule_in_a_whole_network_check(tmp_path):
    """grad_bias of the wrong shape from Layer.backward makes NeuralNetwork.backward's update fail in the XOR
    training: the update rule (each parameter with its own gradient) would blame the right method."""
    from variants import Variant

    flat = Variant("bias_summed_flat", (("grad_bias = np.sum(grad_activation, axis=0, keepdims=True)",
                                         "grad_bias = grad_activation.sum(axis=1)"),), "Layer")
    failed = messages(flat, tmp_path)
    xor = [message for key, message in failed.items() if OWNER[key] is None]
    assert xor and not any(misconceptions.STEP_OF_ANOTHER_SHAPE in message for message in xor), xor


def test_an_error_rule_needs_the_line_it_is_about():
    """The array-for-an-axis rule speaks of np.max and np.min: raised at a line without them, it says nothing."""
    from autograder.sandboxed.errors import StudentCodeError

    check = next(c for c in catalogue() if c.method == "ReLU.forward")
    error = StudentCodeError("m", True, "TypeError", "TypeError: only integer scalar arrays can be converted to a "
                             "scalar index", "ReLU.forward", "return x[x]")
    assert misconceptions.diagnose_error(check, error) == ""
    error.line = "return np.max(0, x)"
    assert misconceptions.diagnose_error(check, error) == misconceptions.likely_cause(misconceptions.ARRAY_AS_AXIS)


def test_layers_left_as_they_were_are_no_evidence_of_which_wrong_gradient_they_got(tmp_path):
    """Handing the layer before the weight gradient instead of grad_input leaves it as it was, as handing it
    grad_output does (a stand-in layer answers a wrong shape with zeros): the update check names neither."""
    from variants import Variant

    passes_weights = Variant("passes_grad_weights", (("current_gradient = grad_input", "current_gradient = grad_weights"),),
                             "NeuralNetwork")
    failed = messages(passes_weights, tmp_path)
    assert "neuralnetwork_backward_public_update" in failed
    assert "Likely cause" not in failed["neuralnetwork_backward_public_update"], failed
