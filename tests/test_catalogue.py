"""The checks themselves: full marks for correct code, zero for the stubs, each bug caught where it lives."""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.expectations import Stored
from autograder.checks.judges import Failure, Gradient, XorLearns
from autograder.checks.numerics import relative_error
from autograder.checks.public import xor_start

from variants import BUGS, CHAPTER_CODE, CORRECT, EXERCISE, REFERENCE, SOLUTION, bug

MAX_SCORE = sum(c.points for c in catalogue())
XOR_CHECK = next(c for c in catalogue() if isinstance(c.judge, XorLearns))


def total(results) -> float:
    return sum(r.score for r in results.values())


def failed(results) -> list[str]:
    return [key for key, r in results.items() if not r.passed]


def test_ids_are_stable_identifiers_and_names_follow_the_convention(reference_expectations):
    checks = catalogue()
    assert len({c.id for c in checks}) == len(checks) and len({c.name for c in checks}) == len(checks)
    namespace = reference_expectations.namespace
    for check in checks:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", check.id), check.id
        assert isinstance(check.points, int) and check.points > 0, check.id
        if check.owner:  # "<Class>.<method>: ...": a class of the reference, and one of its methods
            method = check.method.split(".")[1]
            assert check.owner in namespace and callable(getattr(namespace[check.owner], method, None)), check.name
        else:  # a whole-network task runs after every class is defined
            assert check.method and ":" in check.name, check.name
    assert MAX_SCORE > sum(c.points for c in catalogue(include_hidden=False)) > 0


def test_reference_notebook_scores_full_marks(grade_in_process):
    results = grade_in_process(SOLUTION)
    assert failed(results) == []
    assert total(results) == MAX_SCORE


@pytest.mark.parametrize("variant", [REFERENCE, *CORRECT], ids=lambda v: v.name)
def test_correct_code_written_differently_scores_full_marks(variant, grade_in_process, tmp_path):
    results = grade_in_process(variant.write_py(tmp_path))
    assert {n: r.message for n, r in results.items() if not r.passed} == {}
    assert total(results) == MAX_SCORE


def test_the_chapters_own_code_pasted_into_a_py_file_scores_full_marks_on_its_classes(grade_in_process):
    defined = {node.name for node in ast.parse(CHAPTER_CODE.read_text()).body if isinstance(node, ast.ClassDef)}
    assert {"ReLU", "Sigmoid", "Layer", "NeuralNetwork"} <= defined
    results = grade_in_process(CHAPTER_CODE)
    # Its classes' checks and the whole-network ones (a class added to the exercise later is not in it).
    graded = {key: r for key, r in results.items() if r.check.owner in defined or r.check.owner is None}
    assert any(r.check.owner is None for r in graded.values())
    assert graded and {key: r.message for key, r in graded.items() if not r.passed} == {}


def test_reference_typed_into_the_exercise_notebook_scores_full_marks(grade_in_process, tmp_path):
    results = grade_in_process(REFERENCE.write_notebook(tmp_path))
    assert total(results) == MAX_SCORE


def test_untouched_exercise_scores_zero_and_says_not_implemented_in_one_line(grade_in_process):
    results = grade_in_process(EXERCISE)
    assert total(results) == 0
    for result in results.values():
        assert result.message.startswith("not implemented yet: "), result.message
        assert "\n" not in result.message and "Traceback" not in result.message


@pytest.mark.parametrize("variant", BUGS, ids=lambda v: v.name)
def test_each_bug_costs_points_in_its_own_class_only(variant, grade_in_process, tmp_path):
    results = grade_in_process(variant.write_py(tmp_path))
    lost = [results[key].check for key in failed(results)]
    own = [check for check in lost if check.owner == variant.owner]
    elsewhere = [check.name for check in lost if check.owner not in (variant.owner, None)]
    assert own, f"{variant.name} lost no points in the {variant.owner} checks"
    assert elsewhere == [], f"{variant.name} also lost points in {elsewhere}"
    for check in own:
        message = results[check.id].message
        assert variant.owner in message and len(message) > 40, message


def test_a_bug_message_says_what_was_expected_and_what_came_back(grade_in_process, tmp_path):
    message = grade_in_process(bug("sigmoid_forward_sign").write_py(tmp_path))["sigmoid_forward_public_values"].message
    assert "Sigmoid.forward(x) is wrong in " in message and "(where x = " in message
    assert "expected" in message and "got" in message and "worst entry" in message


def test_hidden_check_messages_never_show_hidden_values(grade_in_process, tmp_path, reference_expectations):
    for variant in BUGS:
        results = grade_in_process(variant.write_py(tmp_path))
        for check in catalogue():
            if not check.hidden or results[check.id].passed:
                continue
            message = results[check.id].message
            # Every number the message shows, rounded as the hidden values are below: a value shown in
            # any precision is found, and a number that merely starts with the same digits is not.
            shown = {f"{float(n):.4g}" for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", message)}
            for case, expected in zip(check.cases(), reference_expectations.expected(check)):
                for array in [*case.values(), *expected.values()]:
                    for value in np.ravel(array)[:50]:
                        if abs(value) > 1e-3 and value not in (1.0, 0.0):
                            assert f"{value:.4g}" not in shown, (check.name, message)


def test_reference_gradients_match_central_differences_to_1e_8(reference_expectations):
    gradient_checks = [check for check in catalogue() if isinstance(check.judge, Gradient)]
    assert gradient_checks
    for check in gradient_checks:
        for case, observed in zip(check.cases(), reference_expectations.expected(check)):
            for key, analytic, numeric in check.judge.gradients(case, observed):
                assert relative_error(analytic, numeric).max() < 1e-8, (check.name, key)


def test_gradient_check_catches_a_wrong_gradient(reference_expectations):
    for check in (c for c in catalogue() if isinstance(c.judge, Gradient)):
        case = check.cases()[0]
        observed = dict(reference_expectations.expected(check)[0])
        key = next(iter(check.judge.pairs))
        observed[key] = observed[key] * 1.01
        with pytest.raises(Failure, match="relative error"):
            check.judge(check, case, observed, None)


def test_xor_check_passes_correct_code_from_many_starts(reference_expectations):
    """The fixed start is not a lucky pick: the reference learns XOR from 60 other starts too."""
    from autograder.sandboxed.scenarios import xor_training

    for seed in range(60):
        case = xor_start(seed)
        with np.errstate(all="ignore"):
            observed = xor_training(reference_expectations.namespace, {}, case)
        XOR_CHECK.judge(XOR_CHECK, case, observed, observed)


def test_xor_check_does_not_depend_on_the_global_random_state(reference_expectations):
    from autograder.inprocess import run_check

    for seed in (0, 1, 42, 12345):
        np.random.seed(seed)
        np.random.rand(seed % 7)
        assert run_check(XOR_CHECK, reference_expectations.namespace, reference_expectations).passed


def test_stored_public_values_match_the_reference(reference_expectations):
    stored = Stored()
    for check in catalogue(include_hidden=False):
        for live, kept in zip(reference_expectations.expected(check), stored.expected(check)):
            assert live.keys() == kept.keys(), check.id
            for key in live:
                np.testing.assert_allclose(kept[key], live[key], rtol=0, atol=0,
                                           err_msg=f"{check.id}: {key} (run `python -m autograder refresh`)")
        for live, kept in zip(reference_expectations.predictions(check), stored.predictions(check)):
            for mistake, observations in live.items():
                for key in check.judge.keys:
                    if key in observations:
                        assert (kept[mistake][key] == observations[key]).all(), (
                            check.id, mistake, key, "run `python -m autograder refresh`")
    assert stored.hidden_points() == reference_expectations.hidden_points()


def test_stored_values_hold_no_hidden_check():
    ids = {key.split("/")[0] for key in Stored().arrays if "/" in key}
    assert ids == {c.id for c in catalogue(include_hidden=False)}


def test_a_check_is_found_by_its_id_and_by_its_display_name():
    for check in catalogue():
        assert by_id(check.id) is check and by_id(check.name) is check
    with pytest.raises(KeyError):
        by_id("no_such_check")
