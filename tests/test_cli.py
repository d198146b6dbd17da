"""`python -m autograder grade`: one submission or a class, in isolated workers."""

from __future__ import annotations

import csv
import os
import json
import subprocess
import sys

import pytest

from autograder.checks import catalogue
from autograder.checks.reference import REPO
from autograder.grading import isolation

from variants import EXERCISE, REFERENCE, Variant, bug

MAX_SCORE = sum(c.points for c in catalogue())


def autograder(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_grade_writes_gradescope_results_json(tmp_path):
    out = tmp_path / "results.json"
    result = autograder("grade", REFERENCE.write_py(tmp_path), "--json", out)
    assert result.returncode == 0, result.stderr
    results = json.loads(out.read_text())
    assert results["score"] == MAX_SCORE
    assert isinstance(results["execution_time"], float)
    assert [t["extra_data"]["check_id"] for t in results["tests"]] == [c.id for c in catalogue()]
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in ("visible", "after_due_date")
    assert sum(t["max_score"] for t in results["tests"]) == MAX_SCORE


def test_grade_prints_a_table_with_the_total():
    result = autograder("grade", EXERCISE)
    assert result.returncode == 0
    assert f"Total: 0/{MAX_SCORE}" in result.stdout
    assert "not implemented yet: Sigmoid.backward" in result.stdout


@pytest.mark.parametrize("bad", ["does/not/exist.ipynb", "pyproject.toml"])
def test_a_bad_path_gets_one_line_and_exit_2(bad):
    result = autograder("grade", REPO / bad)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")


def test_a_corrupt_notebook_gets_one_line_and_exit_2(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    result = autograder("grade", broken)
    assert result.returncode == 2 and "not a readable notebook" in result.stderr


def test_grading_a_class_writes_one_result_per_student_and_grades_csv(tmp_path):
    submitted = tmp_path / "submitted"
    (submitted / "ada" / "nn_from_scratch").mkdir(parents=True)
    REFERENCE.write_notebook(submitted / "ada" / "nn_from_scratch").rename(
        submitted / "ada" / "nn_from_scratch" / "nn_from_scratch.ipynb")
    (submitted / "ben").mkdir()
    (submitted / "ben" / "nn_from_scratch (1).ipynb").write_bytes(EXERCISE.read_bytes())  # a browser's name
    bug("relu_forward_capped").write_py(submitted).rename(submitted / "cleo.py")
    (submitted / "dan").mkdir()  # submitted nothing
    Variant("eve", (("return np.maximum(0, x)", "while True:\n            pass"),)).write_py(submitted)  # hangs
    out = tmp_path / "graded"
    result = autograder("grade", submitted, "--out", out, "--timeout", "1")
    assert result.returncode == 0, result.stderr
    rows = {row["student"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == {"ada", "ben", "cleo", "dan", "eve"}
    assert float(rows["ada"]["score"]) == MAX_SCORE and float(rows["ben"]["score"]) == 0
    assert 0 < float(rows["cleo"]["score"]) < MAX_SCORE and rows["cleo"]["relu_forward_public_values"] == "0"
    assert list(rows["ada"])[3:-2] == [c.id for c in catalogue()]  # one column per check, keyed by its id
    assert rows["ada"]["isolation"] and not rows["dan"]["isolation"]  # how each graded submission was isolated
    assert rows["dan"]["error"] and float(rows["dan"]["score"]) == 0
    assert {p.name for p in out.glob("*.json")} == {"ada.json", "ben.json", "cleo.json", "eve.json"}
    eve = json.loads((out / "eve.json").read_text())["tests"]
    hung = sum(1 for t in eve if "of CPU time" in t["output"] or "of waiting" in t["output"])
    assert hung >= sum(1 for c in catalogue() if c.method == "ReLU.forward")
    assert result.stdout.rstrip().splitlines()[-1] == ("5 students: 4 graded, 1 not graded (dan; why above); "
                                                       "1 graded from a notebook under another name (ben); "
                                                       f"1 with checks out of time (eve: {hung})")


@pytest.mark.parametrize("name", ["relu_forward_returns_mask", "layer_forward_no_activation",
                                  "network_forward_skips_last_layer"])
def test_isolated_grades_equal_in_process_grades(name, tmp_path, grade_in_process):
    path = bug(name).write_py(tmp_path)
    isolated = {r.id: (r.score, r.message) for r in isolation.grade(path).results}
    in_process = {key: (r.score, r.message) for key, r in grade_in_process(path).items()}
    assert isolated == in_process


@pytest.mark.parametrize("name, cause", [
    ("sigmoid_forward_doubled_exponent", "the mistake is in Sigmoid.forward (backward gets s from it)"),
    ("layer_forward_weights_first", "the operands of the matrix product are in the wrong order: `x @ self.weights` fits."),
])
def test_isolated_causes_equal_in_process_causes(name, cause, tmp_path, grade_in_process):
    """Causes that need more than one check's arrays (a backward right for the student's own forward) or the
    line an error was raised at (a product whose shapes do not fit) come out the same from the sandbox."""
    from heldout_bugs import HELDOUT_MUTANTS

    path = next(variant for variant, _ in HELDOUT_MUTANTS if variant.name == name).write_py(tmp_path)
    isolated = {r.id: (r.score, r.message) for r in isolation.grade(path).results}
    assert isolated == {key: (r.score, r.message) for key, r in grade_in_process(path).items()}
    assert any(cause in message for _, message in isolated.values()), isolated


def test_require_sandbox_refuses_the_fallback_in_one_line(tmp_path):
    env = dict(os.environ, NN_GRADER_NO_SANDBOX="1")
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", REFERENCE.write_py(tmp_path),
                             "--require-sandbox"], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error: a sandbox is required") and len(result.stderr.strip().splitlines()) == 1


def test_the_audit_grades_as_many_submissions_at_once_as_the_class_command():
    cores_plus_one = f"(default {(os.cpu_count() or 1) + 1})"
    for command in ("grade", "audit"):
        shown = " ".join(autograder(command, "--help").stdout.split())  # argparse wraps its help
        assert f"--jobs JOBS submissions graded at once {cores_plus_one}" in shown, command
