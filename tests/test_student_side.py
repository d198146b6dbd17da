"""What students use: the notebook's check cells, the pytest self-check, the bundle they receive."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course.bundle import PACKAGE, student_package_files
from autograder.notebook import CheckFailed, check
from autograder.sandboxed import loader

from test_exercise import marked_lines
from variants import BUGS, EXERCISE, REFERENCE, SOLUTION

PUBLIC_POINTS = sum(c.points for c in catalogue(include_hidden=False))


def test_notebook_check_prints_one_line_when_it_passes(capsys):
    namespace = loader.load(SOLUTION).namespace
    layer_forward = by_id("layer_forward_public_values")
    check(layer_forward.id, namespace)
    assert capsys.readouterr().out == f"passed: {layer_forward.name} ({layer_forward.points} points)\n"


def test_notebook_check_raises_the_teaching_message_without_a_traceback(tmp_path):
    namespace = loader.load(EXERCISE).namespace
    with pytest.raises(CheckFailed) as failure:
        check("sigmoid_backward_public_values", namespace)
    rendered = failure.value._render_traceback_()
    assert len(rendered) == 1 and "not implemented yet: Sigmoid.backward" in rendered[0]


def test_notebook_check_keeps_warnings_and_prints_out_of_the_cell(capfd, tmp_path):
    prints_and_warns = loader.load(next(v for v in BUGS if v.owner == "Layer").write_py(tmp_path)).namespace
    with pytest.raises(CheckFailed):
        check("layer_forward_public_values", prints_and_warns)
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
    assert f"Score: 0/{sum(c.points for c in catalogue())} (public and hidden checks)" in lines
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
    assert not any("staff" in name or "solutions" in name for name in names)
    shipped = student_package_files()
    assert len(names) == len(shipped) + len(list((REPO / "exercises" / ASSIGNMENT).iterdir()))
    from autograder.checks.staff import hidden

    assert str(hidden.SEED) not in text and "HIDDEN TESTS" not in text
    public_lines = {line.strip() for path in shipped if path.suffix == ".py" for line in path.read_text().splitlines()}
    staff_only = {line.strip() for path in (PACKAGE / "checks" / "staff").glob("*.py")
                  for line in path.read_text().splitlines()
                  if len(line.strip()) > 20 and line.strip() not in public_lines}
    assert len(staff_only) > 50 and [line for line in staff_only if line in text] == []
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
