"""The student version is nbgrader's output, committed, and reveals no solution."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course import notebook_cells
from autograder.course.variants import student_code_cells

from variants import SOLUTION

EXERCISES = REPO / "exercises"


def nbgrader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def course_folder(folder: Path) -> Path:
    """An nbgrader course made from this repository: a copy of solutions/ and nbgrader_config.py."""
    shutil.copytree(REPO / "solutions", folder / "solutions")
    shutil.copy(REPO / "nbgrader_config.py", folder / "nbgrader_config.py")
    return folder


def marked_lines(begin: str, end: str) -> list[str]:
    """Lines found only between nbgrader's markers in the source notebook (given code
    such as `@staticmethod` or `plt.show()` also appears outside them, and is no secret;
    neither is an import line)."""
    inside_lines, outside_lines, inside = [], set(), False
    for cell in nbformat.read(SOLUTION, as_version=4).cells:
        for line in cell.source.splitlines():
            stripped = line.strip()
            if begin in line:
                inside = True
            elif end in line:
                inside = False
            elif inside and len(stripped) > 8 and not stripped.startswith(("#", "import ", "from ")):
                inside_lines.append(stripped)
            elif not inside:
                outside_lines.add(stripped)
    return [line for line in inside_lines if line not in outside_lines]


def exercise_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in EXERCISES.rglob("*") if p.is_file())


def exercise_lines() -> set[str]:
    """Every line students can read under exercises/, stripped (notebooks: their cells' lines)."""
    lines = set()
    for path in EXERCISES.rglob("*"):
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
        elif path.is_file():
            text = path.read_text(errors="replace")
        else:
            continue
        lines.update(line.strip() for line in text.splitlines())
    return lines


@pytest.mark.nbgrader
def test_regenerating_the_exercise_reproduces_the_committed_copy(tmp_path):
    result = nbgrader("generate_assignment", ASSIGNMENT, cwd=course_folder(tmp_path))
    assert result.returncode == 0, result.stderr[-2000:]
    fresh, committed = tmp_path / "exercises" / ASSIGNMENT, EXERCISES / ASSIGNMENT
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in committed.iterdir())
    for path in fresh.iterdir():
        assert path.read_bytes() == (committed / path.name).read_bytes(), (
            f"{path.name} differs: run `nbgrader generate_assignment {ASSIGNMENT} --force` and commit")


def test_no_solution_line_appears_under_exercises():
    solution_lines = marked_lines("### BEGIN SOLUTION", "### END SOLUTION")
    assert len(solution_lines) >= 15  # the markers are really there
    lines = exercise_lines()
    assert [line for line in solution_lines if line in lines] == []


def test_no_hidden_test_material_appears_under_exercises():
    hidden_lines = [line for line in marked_lines("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
                    if "check(" in line]
    assert len(hidden_lines) == sum(c.hidden for c in catalogue())
    assert [line for line in hidden_lines if line in exercise_lines()] == []
    assert "HIDDEN TESTS" not in exercise_text()
    assert not any(EXERCISES.rglob("hidden*"))


def test_every_check_has_exactly_one_test_cell_as_the_catalogue_says():
    # Points, the comment and the call of each test cell come from the catalogue (`python -m autograder refresh`).
    assert notebook_cells.disagreements(SOLUTION) == []
    for cell in nbformat.read(SOLUTION, as_version=4).cells:
        if notebook_cells.is_test_cell(cell):
            check = next(c for c in catalogue() if c.id == notebook_cells.grade_id(cell))
            assert ("### BEGIN HIDDEN TESTS" in cell.source) == check.hidden, check.id


def test_a_test_cell_that_disagrees_with_the_catalogue_is_named(tmp_path):
    nb = nbformat.read(SOLUTION, as_version=4)
    check = catalogue()[0]
    cell = next(c for c in nb.cells if notebook_cells.grade_id(c) == check.id)
    cell.metadata["nbgrader"]["points"] = check.points + 1
    nbformat.write(nb, tmp_path / "changed.ipynb")
    problems = notebook_cells.disagreements(tmp_path / "changed.ipynb")
    assert len(problems) == 1 and check.id in problems[0] and f"points {check.points + 1}" in problems[0]
    assert notebook_cells.sync(tmp_path / "changed.ipynb") == [f"updated the test cell {check.id!r}"]
    assert notebook_cells.disagreements(tmp_path / "changed.ipynb") == []


def test_exercise_stubs_raise_not_implemented_once_per_graded_method():
    graded_methods = {check.method for check in catalogue() if check.owner}
    nb = nbformat.read(EXERCISES / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    student_cells = set(student_code_cells())
    stubs = sum(cell.source.count("raise NotImplementedError()") for cell in nb.cells
                if cell.metadata.get("nbgrader", {}).get("grade_id") in student_cells)
    assert stubs == len(graded_methods)
