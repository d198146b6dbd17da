"""What students use: the notebook's check cells, the pytest self-check, the bundle they receive."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.bundle import STUDENT_MODULES
from autograder.checks import catalogue
from autograder.notebook import CheckFailed, check
from autograder.reference import ASSIGNMENT, REPO
from autograder import submission

from test_exercise import marked_lines
from variants import BUGS, EXERCISE, REFERENCE, SOLUTION

PUBLIC_POINTS = sum(c.points for c in catalogue(include_hidden=False))


def test_notebook_check_prints_one_line_when_it_passes(capsys):
    namespace = submission.load(SOLUTION).namespace
    check("Layer.forward: public values", namespace)
    assert capsys.readouterr().out == "passed: Layer.forward: public values (5 points)\n"


def test_notebook_check_raises_the_teaching_message_without_a_traceback(tmp_path):
    namespace = submission.load(EXERCISE).namespace
    with pytest.raises(CheckFailed) as failure:
        check("Sigmoid.backward: public values", namespace)
    rendered = failure.value._render_traceback_()
    assert len(rendered) == 1 and "not implemented yet: Sigmoid.backward" in rendered[0]


def test_notebook_check_keeps_warnings_and_prints_out_of_the_cell(capfd, tmp_path):
    prints_and_warns = submission.load(next(v for v in BUGS if v.owner == "Layer").write_py(tmp_path)).namespace
    with pytest.raises(CheckFailed):
        check("Layer.forward: public values", prints_and_warns)
    captured = capfd.readouterr()
    assert captured.err == ""


def self_check(folder: Path, python=sys.executable, *args) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "pytest", *args], cwd=folder, capture_output=True, text=True, timeout=600)


def test_self_check_in_the_exercise_folder_lists_every_check_and_the_score():
    # Here, beside solutions/, the hidden checks run too.
    result = self_check(REPO / "exercises" / ASSIGNMENT)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for check_ in catalogue():
        assert f"FAIL  {check_.name}  (0/{check_.points})" in lines
    assert "Score: 0/100 (public and hidden checks)" in lines
    assert "Traceback" not in result.stdout


@pytest.mark.slow
def test_bundle_has_no_answers_and_its_self_check_works_in_a_fresh_environment(tmp_path):
    archive = tmp_path / "nn_from_scratch.zip"
    result = subprocess.run([sys.executable, "-m", "autograder", "bundle", archive], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        text = "\n".join(bundle.read(name).decode("utf-8", errors="replace") for name in names)
        bundle.extractall(tmp_path / "student")
    assert not any("hidden" in name or "solutions" in name for name in names)
    assert len(names) == len(STUDENT_MODULES) + len(list((REPO / "exercises" / ASSIGNMENT).iterdir()))
    from autograder.checks import hidden

    assert str(hidden.SEED) not in text and "HIDDEN TESTS" not in text
    package = Path(hidden.__file__).parents[1]
    public_lines = {line.strip() for name in STUDENT_MODULES if name.endswith(".py")
                    for line in (package / name).read_text().splitlines()}
    hidden_only = {line.strip() for line in Path(hidden.__file__).read_text().splitlines()
                   if len(line.strip()) > 20 and line.strip() not in public_lines}
    assert len(hidden_only) > 10 and [line for line in hidden_only if line in text] == []
    solution_lines = marked_lines("### BEGIN SOLUTION", "### END SOLUTION")
    readable = set()
    for name in names:
        if name.endswith(".ipynb"):
            cells = nbformat.reads(zipfile.ZipFile(archive).read(name).decode(), as_version=4).cells
            readable.update(line.strip() for cell in cells for line in cell.source.splitlines())
        elif not name.endswith(".npz"):
            readable.update(line.strip() for line in zipfile.ZipFile(archive).read(name).decode().splitlines())
    assert [line for line in solution_lines if line in readable] == []

    # Install what the student README says, in a fresh virtual environment, away from the repository.
    folder = tmp_path / "student" / ASSIGNMENT
    readme = (folder / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=folder,
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]

    untouched = self_check(folder, python)
    assert f"Public score: 0/{PUBLIC_POINTS}." in untouched.stdout, untouched.stdout[-3000:]
    fails = [line for line in untouched.stdout.splitlines() if line.startswith("FAIL  ")]
    assert len(fails) == len(catalogue(include_hidden=False))
    messages = [line.strip() for line in untouched.stdout.splitlines() if line.startswith("      ")]
    assert len(messages) == len(fails) and all(m.startswith("not implemented yet: ") for m in messages)

    REFERENCE.write_notebook(tmp_path).replace(folder / f"{ASSIGNMENT}.ipynb")
    solved = self_check(folder, python)
    assert solved.returncode == 0, solved.stdout[-3000:]
    assert f"Public score: {PUBLIC_POINTS}/{PUBLIC_POINTS}." in solved.stdout


@pytest.mark.slow
def test_the_reference_notebook_runs_top_to_bottom_and_its_main_run_learns_xor(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(SOLUTION, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", [])
                      if o.output_type == "stream")
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert "Accuracy: 100%" in outputs
    assert outputs.count("passed: ") == len(catalogue())
