"""The student version is generated (nbgrader's output and the package's student side), committed, and reveals no answer."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course import bundle, notebook_cells
from autograder.course.refresh import generate_exercise
from autograder.course.variants import student_code_cells

from variants import SOLUTION

EXERCISES = REPO / "exercises"


def nbgrader(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in ``cwd``, by this interpreter; ``env`` (default: this process's) gets its folder on PATH."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
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
    return "\n".join(path.read_text(errors="replace") for path in bundle.files(EXERCISES).values())


def exercise_lines() -> set[str]:
    """Every line students can read under exercises/, stripped (notebooks: their cells' lines)."""
    lines = set()
    for path in bundle.files(EXERCISES).values():
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
        else:
            text = path.read_text(errors="replace")
        lines.update(line.strip() for line in text.splitlines())
    return lines


def staff_only_lines() -> set[str]:
    """Lines of checks/staff/ (hidden checks, wrong formulas, the bug catalogue) that no public module has."""
    public_lines = {line.strip() for path in bundle.student_package_files() if path.suffix == ".py"
                    for line in path.read_text().splitlines()}
    return {line.strip() for path in (bundle.PACKAGE / "checks" / "staff").glob("*.py")
            for line in path.read_text().splitlines() if len(line.strip()) > 20 and line.strip() not in public_lines}


@pytest.mark.nbgrader
def test_regenerating_the_student_version_reproduces_the_committed_folder(tmp_path):
    # `nbgrader generate_assignment` as `python -m autograder refresh` runs it; the configuration's hook adds the package
    generate_exercise(course_folder(tmp_path))
    fresh, committed = bundle.files(tmp_path / "exercises" / ASSIGNMENT), bundle.files(EXERCISES / ASSIGNMENT)
    assert sorted(fresh) == sorted(committed)
    assert any(name.startswith("autograder/") for name in fresh) and f"{ASSIGNMENT}.ipynb" in fresh
    for name, path in fresh.items():
        assert path.read_bytes() == committed[name].read_bytes(), (
            f"exercises/{ASSIGNMENT}/{name} differs: run `python -m autograder refresh` and commit")


def test_the_exercise_holds_the_packages_student_side_and_says_it_is_generated():
    # The quick form of the test above, for the part that changes most: the package copy.
    assert bundle.stale_package_files() == [], "run `python -m autograder refresh` and commit"
    copy = EXERCISES / ASSIGNMENT / "autograder"
    for left_out in bundle.NOT_FOR_STUDENTS:
        assert not (copy / left_out.relative_to(bundle.PACKAGE)).exists()
    assert (copy / "notebook.py").is_file() and (copy / "selfcheck.py").is_file()
    assert "`python -m autograder refresh`" in (copy / "README.md").read_text()


def test_an_edited_or_extra_file_in_the_package_copy_is_named_and_stops_the_bundle(tmp_path):
    exercise = tmp_path / ASSIGNMENT
    shutil.copytree(EXERCISES / ASSIGNMENT, exercise)
    (exercise / "autograder" / "notebook.py").write_text("def check(check_id, namespace):\n    pass\n")
    (exercise / "autograder" / "checks" / "staff").mkdir()
    (exercise / "autograder" / "checks" / "staff" / "hidden.py").write_text("")
    assert bundle.stale_package_files(exercise) == ["autograder/checks/staff/hidden.py", "autograder/notebook.py"]
    with pytest.raises(SystemExit, match="python -m autograder refresh"):
        bundle.build(tmp_path / "out.zip", exercise)
    assert not (tmp_path / "out.zip").exists()


def test_nothing_in_the_exercise_matches_what_nbgraders_exchange_leaves_out():
    # release_assignment, fetch_assignment, submit and collect copy a folder without these names (at any
    # depth), by default: what matches one would never reach a student over JupyterHub.
    from nbgrader.coursedir import CourseDirectory

    ignored = CourseDirectory().ignore
    assert "feedback" in ignored
    assert [name for name in bundle.files(EXERCISES / ASSIGNMENT)
            if any(fnmatch.fnmatch(part, glob) for part in name.split("/") for glob in ignored)] == []


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
    assert not any(EXERCISES.rglob("hidden*")) and not any(EXERCISES.rglob("staff"))


def test_no_line_of_the_staff_only_modules_appears_under_exercises():
    from autograder.checks.staff import hidden

    staff_only = staff_only_lines()
    assert len(staff_only) > 50
    assert [line for line in staff_only if line in exercise_lines()] == []
    assert str(hidden.SEED) not in exercise_text()


def test_the_repository_imports_its_own_package_not_the_exercises_copy():
    import autograder

    assert Path(autograder.__file__) == REPO / "autograder" / "__init__.py"
    listed = subprocess.run([sys.executable, "-m", "autograder", "checks"], cwd=REPO, capture_output=True, text=True)
    assert listed.returncode == 0 and next(c.id for c in catalogue() if c.hidden) in listed.stdout


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
