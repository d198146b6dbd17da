"""A check's display name can be reworded mid-course: ids, grades and columns stay as they were.

The course here is a copy of the repository's package, solutions and nbgrader
configuration. A student hands in a notebook released before the change; then
one display name is reworded in one file (`checks/public.py`) and everything is
regenerated as the README's maintainer section says. nbgrader (with the old
gradebook and after regenerating) and the grading command must give the same
scores as before, restore no cell and raise no error.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course import notebook_cells

from variants import bug

pytestmark = pytest.mark.nbgrader

RENAMED = by_id("xor_training_learns_xor")
NEW_NAME = "XOR training: the trained network classifies all four XOR inputs"
# The copy of the package must win over the editable install of the repository's own.
SITECUSTOMIZE = ("import sys\n"
                 "sys.meta_path[:] = [f for f in sys.meta_path if not getattr(f, '__module__', '').startswith('__editable__')]\n")


def run(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(course),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", *args], cwd=course, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def nbgrader_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "student")
        return {grade.name: grade.score for grade in notebook.grades if grade.max_score > 0}


def cli_results(course: Path, notebook: Path) -> dict[str, tuple[str, float]]:
    out = course / "results.json"
    run(course, "autograder", "grade", str(notebook), "--json", str(out))
    return {t["extra_data"]["check_id"]: (t["name"], t["score"]) for t in json.loads(out.read_text())["tests"]}


def test_rewording_a_display_name_changes_no_grade_id_or_column(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    for name in ("solutions", "nbgrader_config.py", "autograder"):
        source = REPO / name
        (shutil.copytree(source, course / name, ignore=shutil.ignore_patterns("__pycache__"))
         if source.is_dir() else shutil.copy(source, course / name))
    (course / "sitecustomize.py").write_text(SITECUSTOMIZE)
    run(course, "nbgrader", "generate_assignment", ASSIGNMENT)
    released = course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert RENAMED.name in released.read_text()  # the notebook the student got quotes the old name

    # A student with one bug hands in the notebook released before the change.
    submitted = course / "submitted" / "student" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    submitted.parent.mkdir(parents=True)
    nb = nbformat.read(released, as_version=4)
    cells = bug("network_backward_gradient_ascent").cells()
    for cell in nb.cells:
        if notebook_cells.grade_id(cell) in cells:
            cell.source = cells[notebook_cells.grade_id(cell)]
    nbformat.write(nb, submitted)
    run(course, "nbgrader", "autograde", ASSIGNMENT)
    before_nbgrader, before_cli = nbgrader_scores(course), cli_results(course, submitted)
    assert 0 < sum(before_nbgrader.values()) < sum(c.points for c in catalogue())
    assert {key: score for key, (_, score) in before_cli.items()} == before_nbgrader

    # The rewording: one file by hand, then the README's refresh and nbgrader's regeneration.
    public = course / "autograder" / "checks" / "public.py"
    text = public.read_text()
    assert text.count(f'"{RENAMED.name}"') == 1
    public.write_text(text.replace(f'"{RENAMED.name}"', f'"{NEW_NAME}"'))
    run(course, "autograder", "refresh", "--no-exercise")
    run(course, "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    autograde = run(course, "nbgrader", "autograde", ASSIGNMENT, "--force")

    assert nbgrader_scores(course) == before_nbgrader
    assert "missing" not in autograde.stderr and "restoring" not in autograde.stderr
    graded = nbformat.read(course / "autograded" / "student" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    ids = {check.id for check in catalogue()}
    tests = [cell for cell in graded.cells if notebook_cells.grade_id(cell) in ids]
    assert len(tests) == len(ids)  # no cell restored twice, none missing
    errors = {o.get("ename") for cell in tests for o in cell.get("outputs", []) if o.output_type == "error"}
    assert errors <= {"CheckFailed"}, errors  # failed checks, and nothing else (no KeyError for the old name)
    after_cli = cli_results(course, submitted)
    assert {key: score for key, (_, score) in after_cli.items()} == before_nbgrader
    assert after_cli[RENAMED.id][0] == NEW_NAME and before_cli[RENAMED.id][0] == RENAMED.name
