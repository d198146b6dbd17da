"""Feedback in stages, as the best courses give it: a passed gradient check shows its relative error, the
notebook checks the loss before training, and "Run All" is not stopped by an exploration question's empty cell."""

from __future__ import annotations

import contextlib
import io
import re

import nbformat
import numpy as np
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.expectations import Live
from autograder.checks.judges import Gradient
from autograder.checks.results import Verdict
from autograder.course import notebook_cells
from autograder.inprocess import run_check
from autograder.notebook import check
from autograder.reports import report
from autograder.sandboxed import loader

from test_student_side import bundle_zip, section, self_check, student_folder  # noqa: F401 (fixtures)
from variants import EXERCISE, REFERENCE, SOLUTION, Variant, bug

GRADIENT_CHECKS = [c for c in catalogue(include_hidden=False) if isinstance(c.judge, Gradient)]
PASSING_NOTE = re.compile(r"relative error \d(\.\d+)?(e-\d+)? \(below 1e-7\)")


# --- 1. a passed gradient check says its relative error and the target ---------------------------------

@pytest.fixture(scope="module")
def reference_results() -> dict:
    namespace = loader.load(SOLUTION).namespace
    return {c.id: run_check(c, namespace, Live()) for c in catalogue()}


def test_a_passed_gradient_check_carries_its_relative_error_and_target(reference_results):
    assert GRADIENT_CHECKS
    for gradient_check in GRADIENT_CHECKS:
        result = reference_results[gradient_check.id]
        assert result.passed and result.message == ""
        assert PASSING_NOTE.fullmatch(result.note), result.note
    assert all(r.note == "" for r in reference_results.values() if not isinstance(r.check.judge, Gradient))


def test_the_note_quotes_the_worst_error_and_says_when_it_is_above_a_correct_gradients():
    assert Gradient.passing_note([3.2e-11, 4e-12]) == "relative error 3e-11 (below 1e-7)"
    assert Gradient.passing_note([2e-9, 3e-7]) == ("relative error 3e-7 (a correct gradient gives below 1e-7; "
                                                   "the check passes up to 1e-6)")


def test_the_notebook_prints_the_relative_error_of_a_passed_gradient_check(capsys):
    namespace = loader.load(SOLUTION).namespace
    sigmoid = by_id("sigmoid_backward_gradient_check")
    check(sigmoid.id, namespace)
    printed = capsys.readouterr().out
    assert re.fullmatch(rf"passed: {re.escape(sigmoid.name)} \({sigmoid.points} points\): {PASSING_NOTE.pattern}\n",
                        printed), printed


def test_the_grading_commands_table_gradescope_and_html_show_the_note(reference_results, tmp_path):
    verdict = Verdict(tmp_path / "ada.ipynb", list(reference_results.values()), 0.0)
    lines = report.table(verdict).splitlines()
    results = report.gradescope(verdict)["tests"]
    page = report.html_report(verdict)
    for gradient_check in GRADIENT_CHECKS:
        note = reference_results[gradient_check.id].note
        row = next(i for i, line in enumerate(lines) if line.startswith("  ok ") and gradient_check.name in line)
        assert lines[row + 1].strip() == note
        assert next(t for t in results if t["name"] == gradient_check.name)["output"] == f"passed: {note}"
        assert f"<pre>{note}</pre>" in page
    values = by_id("sigmoid_backward_public_values")
    assert next(t for t in results if t["name"] == values.name)["output"] == "passed"


def test_a_failed_gradient_check_still_says_its_relative_error_and_has_no_note(tmp_path):
    namespace = loader.load(bug("sigmoid_backward_at_output").write_py(tmp_path)).namespace
    result = run_check(by_id("sigmoid_backward_gradient_check"), namespace, Live())
    assert not result.passed and result.note == ""
    assert "relative error 1; a correct gradient gives below 1e-7" in result.message


def test_the_self_check_shows_the_relative_error_under_a_passed_gradient_check(student_folder):  # noqa: F811
    REFERENCE.write_notebook(student_folder, "nn_from_scratch.ipynb")
    lines = section(self_check(student_folder))
    for gradient_check in GRADIENT_CHECKS:
        row = lines.index(f"PASS  {gradient_check.name}  ({gradient_check.points}/{gradient_check.points})")
        assert PASSING_NOTE.fullmatch(lines[row + 1].strip()), lines[row + 1]


# --- 2. the loss before training is checked against ln 2 -----------------------------------------------

def cell(nb, cell_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if notebook_cells.grade_id(c) == cell_id)


def initial_loss_output(variant: Variant, loss_edit: tuple[str, str] = ("", "")) -> str:
    """What the initial-loss cell prints, run after the imports, ``variant``'s classes and the XOR data cell."""
    nb = nbformat.read(SOLUTION, as_version=4)
    sources = [cell(nb, "imports").source, *variant.cells().values(),
               cell(nb, "xor_data").source.replace(*loss_edit), cell(nb, "initial_loss").source]
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed), np.errstate(all="ignore"):
        for source in sources:
            exec(compile(source, "<cell>", "exec"), namespace)
    return printed.getvalue()


def test_the_initial_loss_cell_comes_before_training_and_is_not_graded():
    nb = nbformat.read(EXERCISE, as_version=4)
    ids = [notebook_cells.grade_id(c) for c in nb.cells]
    sanity = ids.index("initial_loss")
    training = next(i for i, c in enumerate(nb.cells) if "losses = train(network" in c.source)
    assert ids.index("xor_data") < sanity < training
    assert nb.cells[sanity].metadata["nbgrader"]["grade"] is False


def test_the_initial_loss_of_the_reference_is_near_ln_2():
    printed = initial_loss_output(REFERENCE)
    loss = float(re.search(r"Initial loss (\d\.\d{4})", printed).group(1))
    assert abs(loss - np.log(2)) < 0.01 and "Near ln 2, as it should be" in printed


def test_a_wrong_forward_pass_is_named_when_the_initial_loss_is_not_ln_2():
    no_activation = Variant("no_activation", (("self.output = self.activation.forward(self.activation_input)",
                                               "self.output = self.activation_input"),), "Layer")
    printed = initial_loss_output(no_activation)
    assert "Not near ln 2" in printed and "the forward pass is wrong" in printed


def test_a_wrong_loss_is_named_when_the_outputs_are_right():
    printed = initial_loss_output(REFERENCE, ("return -np.mean(", "return -np.sum("))
    assert "Not near ln 2, although the outputs are about 0.5: the loss is computed wrongly" in printed


# --- 4. "Run All" goes past the exploration questions' empty cells -------------------------------------

def run_all(nb, folder, allow_errors: bool) -> None:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(folder)}}).execute()


def test_no_exploration_stub_raises_and_every_class_stub_still_does():
    nb = nbformat.read(EXERCISE, as_version=4)
    explorations = [c for c in nb.cells if c.cell_type == "code" and (notebook_cells.grade_id(c) or "").startswith("explore")]
    assert len(explorations) == 3
    assert all("YOUR CODE HERE" in c.source and "raise" not in c.source for c in explorations)
    stubs = [line for c in nb.cells for line in c.source.splitlines() if "raise NotImplementedError()" in line]
    assert stubs and all(line.startswith(" ") for line in stubs)  # in method bodies only


@pytest.mark.slow
def test_run_all_reaches_the_end_with_the_classes_written_and_the_exploration_cells_untouched(tmp_path):
    # The exercise notebook with the reference typed into its classes, nothing else changed: what a student
    # who has finished the classes runs. nbclient stops at the first error, as "Run All" does.
    nb = nbformat.read(REFERENCE.write_notebook(tmp_path, "nn_from_scratch.ipynb"), as_version=4)
    run_all(nb, EXERCISE.parent, allow_errors=False)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    printed = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "Near ln 2, as it should be" in printed


@pytest.mark.slow
def test_run_all_on_the_untouched_exercise_fails_only_where_the_notebook_says(tmp_path):
    # "Run All" stops at the first cell that fails: each cell is run here as if the student ran it by hand.
    nb = nbformat.read(EXERCISE, as_version=4)
    run_all(nb, EXERCISE.parent, allow_errors=True)
    ids = [notebook_cells.grade_id(c) for c in nb.cells]
    classes_written = ids.index("network")  # the cells after the classes use them (the notebook says so)
    failed = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and
              any(o.output_type == "error" for o in c.outputs)]
    assert failed
    for i in failed:
        cell_id = ids[i] or ""
        assert notebook_cells.is_test_cell(nb.cells[i]) or (i > classes_written and not cell_id.startswith("explore")), \
            (cell_id, nb.cells[i].source[:200])
    assert "Run All* stops at the first cell that fails" in nb.cells[0].source


# --- 5. the notebook says what is graded, in the catalogue's figures -----------------------------------

def test_the_grading_summary_states_the_catalogues_figures_and_a_stale_one_is_named(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    summary = cell(nb, "how_it_is_graded")
    public = catalogue(include_hidden=False)
    hidden = [c for c in catalogue() if c.hidden]
    assert f"**{len(public)} public checks ({sum(c.points for c in public)} points).**" in summary.source
    assert f"**{len(hidden)} hidden checks ({sum(c.points for c in hidden)} points).**" in summary.source
    assert "not graded" in summary.source and "0 points" in summary.source  # the answer cells' nbgrader points
    assert [notebook_cells.grade_id(c) for c in nb.cells].index("how_it_is_graded") < 3
    summary.source = summary.source.replace(f"{len(hidden)} hidden", f"{len(hidden) + 1} hidden")
    nbformat.write(nb, tmp_path / "stale.ipynb")
    assert any("how_it_is_graded" in problem for problem in notebook_cells.disagreements(tmp_path / "stale.ipynb"))
    assert notebook_cells.sync(tmp_path / "stale.ipynb") == ["updated the cell 'how_it_is_graded'"]


def test_the_xor_setup_states_the_checks_figures():
    from autograder.checks.public import XOR_EPOCHS, XOR_HIDDEN, XOR_LEARNING_RATE, xor_start

    text = cell(nbformat.read(EXERCISE, as_version=4), "xor_checks_setup").source
    start = xor_start()
    assert f"NeuralNetwork([2, {start['weights_0'].shape[1]}, 1], [ReLU(), Sigmoid()])" in text
    assert XOR_HIDDEN == start["weights_0"].shape[1] and f"hidden biases {start['bias_0'][0, 0]:g}" in text
    assert f"learning rate {XOR_LEARNING_RATE:g}, {XOR_EPOCHS:,} epochs" in text
    assert f"{int(start['epochs']):,} epochs" in text and float(start["learning_rate"]) == XOR_LEARNING_RATE
