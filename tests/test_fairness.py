"""Fair grades: correct code written in any ordinary style scores full marks, on every front end.

The corpus (``correct_corpus.py``) holds correct submissions laid out as a real
class lays them out; ``corpus_check.py`` proves each one correct under plain
Python, independently of the grader. Each must then score full marks with the
grading command, on Gradescope's run path and in the self-check (nbgrader:
``test_nbgrader_flow.py``), and the front ends must agree check by check.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import catalogue, expectations, graded_classes
from autograder.inprocess import run_check
from autograder.sandboxed import loader

import corpus_check
from correct_corpus import CORPUS, held_to, write

PUBLIC = catalogue(include_hidden=False)
NAMES = [entry.name for entry in CORPUS]


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    return {entry.name: write(entry, folder) for entry in CORPUS}


@pytest.fixture(scope="module")
def graded_by_the_command(corpus_folder, tmp_path_factory) -> dict[str, dict]:
    """The whole corpus graded as a class by `python -m autograder grade DIR`: student -> results.json."""
    out = tmp_path_factory.mktemp("graded")
    folder = next(iter(corpus_folder.values())).parent
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", folder, "--out", out],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {row["student"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == set(NAMES)
    return {name: json.loads((out / f"{name}.json").read_text()) for name in NAMES}


def test_the_corpus_is_large_and_varied():
    kinds = [entry.kind for entry in CORPUS]
    assert len(CORPUS) >= 15 and kinds.count("py") >= 5 and kinds.count("ipynb") >= 5
    assert {"\r\n"} <= {entry.newline for entry in CORPUS}
    assert {"utf-8-sig", "latin-1"} <= {entry.encoding for entry in CORPUS}


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_is_correct_code_under_plain_python(name, corpus_folder):
    entry = next(e for e in CORPUS if e.name == name)
    result = corpus_check.check_entry(entry, corpus_folder[name], reference_namespace())
    problem = result[0] if isinstance(result, tuple) else result
    assert problem == ""


_REFERENCE: dict = {}


def reference_namespace() -> dict:
    if not _REFERENCE:
        _REFERENCE.update(corpus_check.reference_namespace())
    return _REFERENCE


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_scores_full_marks_with_the_grading_command(name, corpus_folder, graded_by_the_command):
    results, held = graded_by_the_command[name], held_to(corpus_folder[name])
    assert {t["name"]: t["output"] for t in results["tests"]
            if t["extra_data"]["check_id"] in held and t["score"] < t["max_score"]} == {}
    assert results["score"] == sum(c.points for c in catalogue() if c.id in held)


@pytest.mark.parametrize("name", NAMES)
def test_each_entry_scores_all_public_points_in_the_self_check_as_in_the_command(name, corpus_folder,
                                                                                  graded_by_the_command):
    # What the students' pytest plugin runs: their loader, the public checks, the stored values.
    loaded = loader.load(corpus_folder[name], wanted=graded_classes())
    stored = expectations.Stored()
    self_check = {check.id: run_check(check, loaded, stored).score for check in PUBLIC}
    command = {t["extra_data"]["check_id"]: t["score"] for t in graded_by_the_command[name]["tests"]}
    assert self_check == {check.id: command[check.id] for check in PUBLIC}
    held = held_to(corpus_folder[name])
    assert sum(self_check.values()) == sum(check.points for check in PUBLIC if check.id in held)


def test_each_entry_scores_full_marks_on_gradescopes_run_path(corpus_folder, tmp_path):
    archive = tmp_path / "autograder.zip"
    subprocess.run([sys.executable, "-m", "autograder", "gradescope", archive], check=True, capture_output=True)

    def gradescope(name: str) -> tuple[str, float, str]:
        root = tmp_path / name
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(root / "source")
        (root / "source").chmod(0o700)
        (root / "submission").mkdir()
        shutil.copy(corpus_folder[name], root / "submission")
        env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable, NN_GRADER_USER="nobody",
                   NN_GRADER_NO_SANDBOX="1")  # Gradescope's container refuses user namespaces: the fallback
        done = subprocess.run(["bash", root / "source" / "run_autograder"], env=env, capture_output=True, text=True,
                              timeout=600)
        results = json.loads((root / "results" / "results.json").read_text())
        failed = "; ".join(t["output"] for t in results["tests"] if t["score"] < t["max_score"])
        return name, results["score"] == full[name], f"exit {done.returncode} {failed}"

    # Worked out here, before the threads: CPython 3.11 before 3.11.8 can fail ast.parse run in two threads at once
    # ("AST constructor recursion depth mismatch"); the graders themselves parse in one thread per process.
    full = {name: sum(c.points for c in catalogue() if c.id in held_to(corpus_folder[name])) for name in NAMES}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        scores = list(pool.map(gradescope, NAMES))
    assert [(name, detail) for name, full_marks, detail in scores if not full_marks] == []


def test_the_chapters_own_code_and_the_reference_load_without_a_note():
    from variants import CHAPTER_CODE, SOLUTION

    for path in (CHAPTER_CODE, SOLUTION):
        loaded = loader.load(path, wanted=graded_classes())
        assert loaded.notes == [], path.name
    assert set(graded_classes()) <= set(loader.load(SOLUTION, wanted=graded_classes()).namespace)


def test_an_error_names_the_statement_that_failed_to_define_what_it_mentions(tmp_path, grade_in_process):
    from variants import REFERENCE

    source = REFERENCE.python_source().replace(
        "class ReLU(Activation):", "ZERO = np.float64(0.0) / undefined_scale\n\n\nclass ReLU(Activation):", 1)
    source = source.replace("return np.maximum(0, x)", "return np.maximum(ZERO, x)", 1)
    path = tmp_path / "fails_to_define.py"
    path.write_text(source)
    message = grade_in_process(path)["relu_forward_public_values"].message
    assert "NameError: name 'ZERO' is not defined" in message
    assert "`ZERO` is missing because fails_to_define.py, line" in message and "undefined_scale" in message


def test_a_syntax_error_is_shown_with_the_cell_it_is_in(tmp_path, grade_in_process):
    from variants import REFERENCE

    cells = REFERENCE.cells()
    cells["network"] = cells["network"].replace("def forward(self, x", "def forward(self, x,,", 1)
    from variants import fill_exercise

    path = fill_exercise(cells, tmp_path / "syntax_error.ipynb")
    results = grade_in_process(path)
    network_checks = [r for r in results.values() if r.check.owner == "NeuralNetwork"]
    assert network_checks and all(not r.passed for r in network_checks)
    message = network_checks[0].message
    assert "`NeuralNetwork` is missing because code cell" in message
    assert "(starting `class NeuralNetwork:`) has a SyntaxError at line" in message
    assert all(r.passed for r in results.values() if r.check.owner in ("ReLU", "Sigmoid", "Layer"))
    np.testing.assert_equal(len(network_checks), sum(1 for c in catalogue() if c.owner == "NeuralNetwork"))
