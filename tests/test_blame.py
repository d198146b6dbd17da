"""Blame where it belongs (issue 12, item 2): whole-network messages send the student to the unit checks
that fail, NaN is never a right prediction, messages stay short, a hint appears only when it fits, and the
test doubles are described in the student's terms. Every situation is driven through the grader."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.checks.judges import xor_right
from autograder.checks.public import LAYER_BACKWARD, SIGMOID_BACKWARD, UNCHANGED
from autograder.checks.results import FIX_FIRST, Verdict
from autograder.inprocess import run_check
from autograder.sandboxed import loader

from variants import EXERCISE, Variant, bug

XOR_CHECKS = [check for check in catalogue() if check.owner is None]


def grade(variant: Variant, folder) -> dict:
    loaded = loader.load(variant.write_py(folder))
    return {check.id: run_check(check, loaded) for check in catalogue()}


def failed(results: dict) -> dict:
    return {key: result for key, result in results.items() if not result.passed}


# --- whole-network messages when unit checks fail ------------------------------------------------

def test_a_network_walked_front_to_back_is_sent_to_its_own_checks_not_to_numpy_or_the_learning_rate(tmp_path):
    results = grade(bug("network_backward_front_to_back"), tmp_path)
    for check in XOR_CHECKS:
        message = results[check.id].message
        assert FIX_FIRST in message and "NeuralNetwork.backward (public update" in message, message
        # The crash happens in the correct Layer.backward: it is named as the place, not quoted as a bug.
        assert "inside Layer.backward, whose own checks pass" in message, message
        for wrong_lead in ("matmul", "gufunc", "operand", "learning rate", "`grad_input = "):
            assert wrong_lead not in message, (wrong_lead, message)


def test_a_wrong_unit_result_sends_the_xor_checks_to_that_unit_instead_of_the_learning_rate(tmp_path):
    results = grade(bug("sigmoid_forward_sign"), tmp_path)
    for check in XOR_CHECKS:
        message = results[check.id].message
        assert f"{FIX_FIRST} Sigmoid.forward (public values" in message, message
        assert "learning rate" not in message and "ReLU" not in message, message


@pytest.mark.parametrize("name", ["sigmoid_forward_sign", "network_backward_front_to_back"])
def test_the_grading_commands_verdict_says_what_the_in_process_front_ends_say(name, tmp_path):
    results = grade(bug(name), tmp_path)
    loaded = loader.load(bug(name).write_py(tmp_path))
    # As the grading command judges each check: alone (units=[]: no unit results at hand), then as a verdict.
    alone = [run_check(check, loaded, units=[]) for check in catalogue()]
    assert all(FIX_FIRST not in r.message for r in alone if r.check.owner is None)  # not yet
    verdict = Verdict(tmp_path / "x.py", alone, 0.0)
    for result in verdict.results:
        assert result.message == results[result.id].message
    # Whoever assembled the results, the units are named once.
    again = Verdict(tmp_path / "x.py", list(results.values()), 0.0)
    assert [r.message for r in again.results] == [r.message for r in verdict.results]
    assert all(r.message.count(FIX_FIRST) <= 1 for r in again.results)


def test_a_crash_in_a_method_whose_checks_fail_is_quoted_and_numpy_speaks_plainly(tmp_path):
    results = grade(bug("layer_backward_weights_transposed"), tmp_path)
    for check in XOR_CHECKS:
        message = results[check.id].message
        assert f"{FIX_FIRST} Layer.backward" in message, message
        assert "gufunc" not in message


def test_the_untouched_exercise_still_says_not_implemented_in_one_line():
    loaded = loader.load(EXERCISE)
    for check in XOR_CHECKS:
        message = run_check(check, loaded).message
        assert message.startswith("not implemented yet: ") and "\n" not in message, message


# --- NaN is never a right prediction ---------------------------------------------------------------

def test_nan_predictions_are_wrong_for_every_label():
    assert not xor_right(np.full((4, 1), np.nan)).any()
    assert not xor_right(np.full((4, 1), np.inf)).any() and xor_right(np.array([[0.1], [0.9], [0.9], [0.1]])).all()


def test_a_network_whose_outputs_become_nan_gets_none_right_and_is_told_when(tmp_path):
    results = grade(bug("sigmoid_backward_at_output"), tmp_path)  # cleo's bug: the weights blow up to nan
    message = results["xor_training_learns_xor"].message
    assert "-> nan" in message and "0 of 4 XOR inputs right" in message, message
    assert "The loss is nan from epoch" in results["xor_training_loss_follows_the_reference"].message


# --- short messages, the full arrays on request ------------------------------------------------------

def test_layer_backward_messages_show_the_worst_entry_not_four_matrices(tmp_path):
    results = grade(bug("layer_backward_bias_mean"), tmp_path)
    for key in ("layer_backward_public_values", "layer_backward_gradient_check"):
        result = results[key]
        assert "worst" in result.message and result.message.count("[[") <= 1, result.message
        assert len(result.message.splitlines()) <= 4, result.message
        assert result.message.startswith("Layer.backward: grad_bias"), result.message
        assert result.details.count("[[") >= 2  # the full arrays, for the HTML report and --full-arrays


def test_a_gradient_check_gives_the_part_of_the_recipe_for_the_gradient_that_is_wrong(tmp_path):
    unnamed = Variant("grad_bias_shifted", (("grad_bias = np.sum(grad_activation, axis=0, keepdims=True)",
                                             "grad_bias = np.sum(grad_activation, axis=0, keepdims=True) + 0.1"),))
    message = grade(unnamed, tmp_path)["layer_backward_gradient_check"].message
    assert LAYER_BACKWARD not in message and "grad_input = grad_z @" not in message, message
    if "Likely cause" not in message:  # a named cause says what to do instead
        assert "grad_bias = grad_z summed over the batch" in message, message


def test_a_named_mistake_is_not_followed_by_the_recipe_it_repeats(tmp_path):
    for result in failed(grade(bug("sigmoid_backward_at_output"), tmp_path)).values():
        if "Likely cause" in result.message:
            assert SIGMOID_BACKWARD not in result.message, result.message


def test_an_activation_message_names_the_inputs_where_it_is_wrong(tmp_path):
    message = grade(bug("relu_backward_threshold_above_zero"), tmp_path)["relu_backward_public_values"].message
    assert "wrong where x = 1e-09, 1e-06, 0.0001" in message, message


# --- a hint only when it fits ------------------------------------------------------------------------

def test_a_missing_import_gets_the_import_not_a_contract_hint(tmp_path):
    no_import = Variant("numpy_never_imported", (("return np.maximum(0, x)", "return numpy.maximum(0, x)"),))
    results = failed(grade(no_import, tmp_path))
    assert results
    for result in results.values():
        assert UNCHANGED not in result.message, result.message
    assert "Add `import numpy` at the top of your code." in results["relu_forward_public_values"].message


def test_a_contract_check_after_a_crash_gives_the_methods_recipe_not_the_contracts(tmp_path):
    crash = Variant("relu_forward_crashes", (("return np.maximum(0, x)", "return np.maximum(0, x.nope)"),))
    results = grade(crash, tmp_path)
    contract = results["relu_forward_leaves_its_input_unchanged"]
    assert "AttributeError" in contract.message and UNCHANGED not in contract.message, contract.message
    assert by_id("relu_forward_public_values").hint in contract.message


def test_the_overflow_hint_only_for_a_failure_at_large_inputs(tmp_path):
    halved = Variant("sigmoid_halved", (("return 1 / (1 + np.exp(-x))", "return 0.5 / (1 + np.exp(-x))"),))
    large = grade(halved, tmp_path)["sigmoid_forward_large_inputs_stay_finite"].message
    assert "overflow" not in large and "wrong where x = 0, 30," in large, large
    if "Likely cause" not in large:  # a named cause says what to do instead
        assert "Sigmoid.forward(x) is 1 / (1 + exp(-x))" in large, large
    overflows = grade(bug("sigmoid_forward_overflows"), tmp_path)["sigmoid_forward_large_inputs_stay_finite"]
    assert "nan" in overflows.message and "(where x = 1000)" in overflows.message, overflows.message


# --- the test doubles in the student's terms ---------------------------------------------------------

@pytest.mark.parametrize("method, old, new", [
    ("NeuralNetwork.forward", "current_input = layer.forward(current_input)",
     "current_input = layer.activation.forward(current_input @ layer.weights + layer.bias)"),
    ("NeuralNetwork.backward", "grad_input, grad_weights, grad_bias = layer.backward(current_gradient)",
     "current_gradient = current_gradient * layer.activation.backward(layer.activation_input)\n"
     "            grad_input, grad_weights, grad_bias = layer.backward(current_gradient)"),
])
def test_reaching_into_a_layer_is_explained_with_stand_in_layers_never_by_their_class_name(method, old, new,
                                                                                           tmp_path):
    results = failed(grade(Variant("reaches_into_layers", ((old, new),)), tmp_path))
    own = [result for result in results.values() if result.check.method == method]
    assert own
    for result in results.values():
        assert "StandInLayer" not in result.message, result.message
    for result in own:
        assert "stand-in layers" in result.message and "`layer.forward` and `layer.backward`" in result.message
        assert "reads `.activation" in result.message, result.message


def test_calling_the_activation_itself_is_explained_with_the_test_activation(tmp_path):
    calls = Variant("calls_the_activation", (("self.output = self.activation.forward(self.activation_input)",
                                              "self.output = self.activation(self.activation_input)"),))
    message = grade(calls, tmp_path)["layer_forward_public_values"].message
    assert "CubicActivation" not in message and "test activation" in message, message


# --- the full arrays, on request -----------------------------------------------------------------------

def test_the_html_report_keeps_the_full_arrays_a_click_away(tmp_path):
    from autograder.reports.report import html_report

    results = grade(bug("layer_backward_bias_mean"), tmp_path)
    page = html_report(Verdict(tmp_path / "bias_mean.py", list(results.values()), 0.0))
    values = results["layer_backward_public_values"]
    assert '<details class="arrays"><summary>the full arrays</summary>' in page
    assert html.escape(values.details) in page and html.escape(values.details) not in html.escape(values.message)


def test_the_notebook_check_points_to_the_full_arrays_and_shows_them_on_request(tmp_path):
    from autograder.notebook import CheckFailed, check

    namespace = loader.load(bug("layer_backward_bias_mean").write_py(tmp_path)).namespace
    with pytest.raises(CheckFailed) as short:
        check("layer_backward_public_values", namespace)
    assert "check('layer_backward_public_values', globals(), full_arrays=True)" in str(short.value)
    assert "expected [[" not in str(short.value)
    with pytest.raises(CheckFailed) as full:
        check("layer_backward_public_values", namespace, full_arrays=True)
    assert "expected [[" in str(full.value) and "got      [[" in str(full.value)


def test_the_self_check_shows_the_full_arrays_with_an_option(tmp_path):
    # The self-check's files beside a notebook, with this repository's package (the bundle's copy is generated).
    for name in ("conftest.py", "pytest.ini", f"test_{ASSIGNMENT}.py"):
        shutil.copy(REPO / "solutions" / ASSIGNMENT / name, tmp_path / name)
    bug("layer_backward_bias_mean").write_notebook(tmp_path, f"{ASSIGNMENT}.ipynb")

    def self_check(*args) -> list[str]:
        done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=tmp_path, capture_output=True, text=True,
                              timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
        return done.stdout.splitlines()

    short = self_check()
    assert "(The full arrays behind these messages: pytest --full-arrays)" in short, short
    assert not any("expected [[" in line for line in short)
    assert any(line.strip().startswith("expected [[") for line in self_check("--full-arrays"))


def test_the_decision_boundary_marks_nan_predictions_wrong(tmp_path):
    from autograder.reports import pictures

    check = by_id("xor_training_learns_xor")
    got = run_check(check, loader.load(bug("sigmoid_backward_at_output").write_py(tmp_path)))
    assert np.isnan(got.observations[0]["weights_1"]).any()  # the weights blew up: every prediction is nan
    figure = pictures.xor_figure(got.observations[0], got.expected[0])
    labels = [text.get_text() for text in figure.axes[1].texts]
    assert labels == ["nan wrong"] * 4, labels
    assert "nan" in figure.axes[1].get_title()


def test_when_every_unit_check_passes_the_xor_hint_points_at_what_only_the_network_does(tmp_path):
    same_activation = Variant("every_layer_gets_the_last_activation", (
        ("layer = Layer(layer_sizes[i], layer_sizes[i + 1], activations[i])",
         "layer = Layer(layer_sizes[i], layer_sizes[i + 1], activations[-1])"),))
    results = failed(grade(same_activation, tmp_path))
    assert {result.check.owner for result in results.values()} == {None}, list(results)
    for result in results.values():
        assert "NeuralNetwork.__init__" in result.message and FIX_FIRST not in result.message, result.message
        assert "learning rate" not in result.message, result.message


@pytest.mark.parametrize("name", ["layer_backward_bias_mean", "sigmoid_backward_overflows", "relu_forward_capped"])
def test_hidden_checks_keep_no_arrays_behind_their_messages(name, tmp_path):
    hidden = [r for r in failed(grade(bug(name), tmp_path)).values() if r.check.hidden]
    assert hidden
    assert all(r.details == "" for r in hidden), [r.details for r in hidden]


def test_when_many_unit_checks_fail_the_xor_checks_name_their_methods(tmp_path):
    no_import = Variant("numpy_never_imported_in_the_layer", (
        ("self.weights = np.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)",
         "self.weights = numpy.random.randn(input_size, output_size) * np.sqrt(2.0 / input_size)"),))
    results = grade(no_import, tmp_path)
    message = results["xor_training_learns_xor"].message
    assert f"{FIX_FIRST} those of Layer.forward, Layer.backward, NeuralNetwork.forward" in message, message
    assert "public values" not in message and len(message) < 500, message
