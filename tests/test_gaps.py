"""Mistakes that once scored (nearly) full marks, or cost points in the wrong method's checks: each is caught
by a check of its own method now. Ids, points and checks are found in the catalogue, never written here."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import catalogue
from autograder.checks.expectations import Stored
from autograder.checks.judges import Caches, Gradient, Unchanged, Values
from autograder.checks.misconceptions import INPUT_MODIFIED
from autograder.inprocess import run_check
from autograder.sandboxed import loader
from autograder.sandboxed.scenarios import SCENARIOS

from variants import Variant, bug

MAX_SCORE = sum(c.points for c in catalogue())


def grade(variant: Variant, folder, expectations=None, include_hidden=True) -> dict:
    namespace = loader.load(variant.write_py(folder)).namespace
    return {check.id: run_check(check, namespace, expectations) for check in catalogue(include_hidden)}


def lost(results: dict) -> set[str]:
    return {key for key, result in results.items() if not result.passed}


def checks(**where) -> list:
    """The checks whose attributes have these values (``judge`` compares the judge's type)."""
    found = []
    for check in catalogue():
        judge_type = where.get("judge")
        if judge_type is not None and not isinstance(check.judge, judge_type):
            continue
        if all(getattr(check, key) == value for key, value in where.items() if key != "judge"):
            found.append(check)
    return found


def unchanged_check(method: str, key: str):
    [check] = [c for c in checks(method=method, judge=Unchanged) if key in c.judge.pairs]
    return check


def shares_a_run(check) -> bool:
    """Another check runs the same scenario, with the same params, on the same inputs: no extra run."""
    def same_cases(a, b):
        return len(a) == len(b) and all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
                                        for x, y in zip(a, b))

    return any(other.id != check.id and other.scenario == check.scenario and other.params == check.params
               and same_cases(other.cases(), check.cases()) for other in catalogue())


# --- 1. NeuralNetwork.forward / backward leave their inputs unchanged ------------------------------

@pytest.mark.parametrize("name, method, key", [
    ("network_backward_zeroes_grad_output", "NeuralNetwork.backward", "grad_output_after"),
    ("network_forward_zeroes_its_input", "NeuralNetwork.forward", "x_after"),
])
def test_a_network_method_that_writes_into_its_input_fails_a_contract_check_of_its_own(name, method, key, tmp_path):
    check = unchanged_check(method, key)
    results = grade(bug(name), tmp_path)
    unit_checks_lost = {k for k in lost(results) if results[k].check.owner is not None}
    assert unit_checks_lost == {check.id}, unit_checks_lost
    assert results[check.id].message.startswith(f"{check.judge.labels[key]} was changed by {method}.")
    assert INPUT_MODIFIED in results[check.id].message
    assert sum(r.score for r in results.values()) <= MAX_SCORE - check.points


def test_the_network_contract_checks_cost_no_extra_run_and_weigh_like_the_other_input_checks():
    single_input = {c.points for c in checks(judge=Unchanged) if len(c.judge.pairs) == 1 and c.owner != "NeuralNetwork"}
    for method, key in (("NeuralNetwork.forward", "x_after"), ("NeuralNetwork.backward", "grad_output_after")):
        check = unchanged_check(method, key)
        assert not check.hidden and shares_a_run(check), check.id
        assert {check.points} == single_input, (check.id, single_input)


# --- 2. ReLU near 0 ------------------------------------------------------------------------------

def test_relu_public_values_include_inputs_just_above_and_below_zero():
    for check in checks(owner="ReLU", judge=Values, hidden=False):
        x = np.concatenate([np.ravel(case["x"]) for case in check.cases()])
        assert ((0 < x) & (x < 1e-5)).any() and ((-1e-5 < x) & (x < 0)).any(), check.id


@pytest.mark.parametrize("name, method", [
    ("relu_backward_threshold_above_zero", "ReLU.backward"),
    ("relu_forward_threshold_above_zero", "ReLU.forward"),
])
def test_a_relu_threshold_above_zero_fails_a_public_relu_check(name, method, tmp_path):
    results = grade(bug(name), tmp_path)
    named = [k for k in lost(results) if results[k].check.method == method and not results[k].check.hidden]
    assert named, lost(results)
    for key in named:
        assert "ReLU" in results[key].message and "e-09" in results[key].message, results[key].message


# --- 3. Sigmoid.backward on large inputs, in the self-check -----------------------------------------

def test_the_overflowing_sigmoid_derivative_fails_a_public_check_with_the_stored_values_too(tmp_path):
    for expectations in (None, Stored()):  # the teaching staff's copy, and the student's
        results = grade(bug("sigmoid_backward_overflows"), tmp_path, expectations, include_hidden=False)
        failed = [results[k] for k in lost(results)]
        assert failed and all(r.check.method == "Sigmoid.backward" for r in failed), lost(results)
        assert any("nan" in r.message and "(where x = -1000)" in r.message for r in failed)


# --- 4. A gradient check differentiates a correct forward ---------------------------------------

def gradient_checks(owner: str) -> list:
    found = checks(owner=owner, judge=Gradient)
    assert found, owner
    return found


@pytest.mark.parametrize("name, owner", [
    ("relu_forward_capped", "ReLU"),
    ("sigmoid_forward_sign", "Sigmoid"),
    ("layer_forward_no_activation", "Layer"),
])
def test_a_broken_forward_leaves_the_correct_backward_its_gradient_check(name, owner, tmp_path):
    for expectations in (None, Stored()):
        results = grade(bug(name), tmp_path, expectations, include_hidden=expectations is None)
        assert any(results[k].check.method == f"{owner}.forward" for k in lost(results)), lost(results)
        for check in gradient_checks(owner):
            assert results[check.id].passed, results[check.id].message


def test_a_forward_that_does_not_run_at_all_leaves_the_relu_gradient_check_alone(tmp_path):
    stubbed = Variant("relu_forward_not_written", (("return np.maximum(0, x)", "raise NotImplementedError()"),))
    results = grade(stubbed, tmp_path)
    assert results["relu_forward_public_values"].message.startswith("not implemented yet")
    for check in gradient_checks("ReLU"):
        assert results[check.id].passed, results[check.id].message


def test_the_numerical_side_comes_from_the_reference_and_the_message_says_so(reference_expectations, tmp_path):
    for check in checks(judge=Gradient):
        case = check.cases()[0]
        student_side = SCENARIOS[check.scenario](reference_expectations.namespace, check.params, case)
        assert not any(key.startswith(("plus_", "minus_")) for key in student_side), check.id
        reference_side = reference_expectations.expected(check)[0]
        assert all(f"plus_{wrt}" in reference_side for wrt in check.judge.pairs.values()), check.id
    results = grade(bug("sigmoid_backward_missing_factor"), tmp_path)
    [check] = gradient_checks("Sigmoid")
    assert "central differences of a correct Sigmoid.forward, not of yours" in results[check.id].message


# --- 5. What Layer.forward keeps for Layer.backward ------------------------------------------------

def cache_check():
    [check] = checks(method="Layer.forward", judge=Caches)
    return check


@pytest.mark.parametrize("name", ["layer_forward_forgets_to_cache_input", "layer_forward_overwrites_pre_activation"])
def test_a_caching_mistake_fails_a_layer_forward_check(name, tmp_path):
    results = grade(bug(name), tmp_path)
    assert not results[cache_check().id].passed
    assert results[cache_check().id].message.startswith("After Layer.forward(x)")
    for key in lost(results):
        if results[key].check.method == "Layer.backward":
            assert "Layer.forward did not" in results[key].message, results[key].message


def test_a_backward_failure_caused_by_the_cache_names_no_backward_mistake(tmp_path):
    results = grade(bug("layer_forward_overwrites_pre_activation"), tmp_path)
    backward = [results[k] for k in lost(results) if results[k].check.method == "Layer.backward"]
    assert backward
    for result in backward:
        assert "fix Layer.forward first" in result.message and "Likely cause" not in result.message, result.message


def test_the_cache_check_takes_any_names_and_blames_only_what_is_missing(tmp_path):
    in_a_dict = Variant("cache_in_a_dict", (
        ("self.input = x\n        self.activation_input = x @ self.weights + self.bias\n"
         "        self.output = self.activation.forward(self.activation_input)\n        return self.output",
         "z = x @ self.weights + self.bias\n        self.memo = {'x': x, 'z': z}\n"
         "        return self.activation.forward(z)"),
        ("self.activation.backward(self.activation_input)", "self.activation.backward(self.memo['z'])"),
        ("grad_weights = self.input.T @ grad_activation", "grad_weights = self.memo['x'].T @ grad_activation"),
    ))
    assert lost(grade(in_a_dict, tmp_path)) == set()
    # Keeping x only, and computing z again in backward, gives the right gradients: only the cache check fails.
    recomputes = Variant("recomputes_z", (
        ("self.activation_input = x @ self.weights + self.bias\n"
         "        self.output = self.activation.forward(self.activation_input)",
         "self.output = self.activation.forward(x @ self.weights + self.bias)"),
        ("self.activation.backward(self.activation_input)",
         "self.activation.backward(self.input @ self.weights + self.bias)"),
    ))
    assert lost(grade(recomputes, tmp_path)) == {cache_check().id}


def test_every_new_check_is_public_with_a_stable_id_and_a_test_cell(reference_expectations):
    from autograder.checks.reference import reference_path
    from autograder.course import notebook_cells

    new = [cache_check(), unchanged_check("NeuralNetwork.forward", "x_after"),
           unchanged_check("NeuralNetwork.backward", "grad_output_after"),
           *[c for c in checks(method="Sigmoid.backward", judge=Values, hidden=False)
             if any(np.abs(case["x"]).max() >= 1000 for case in c.cases())]]
    assert len(new) == 4
    assert notebook_cells.disagreements(reference_path()) == []
    assert all(not check.hidden and check.points > 0 for check in new)
    assert lost({c.id: run_check(c, reference_expectations.namespace, reference_expectations)
                 for c in new}) == set()
