"""nbgrader's exchange, as on JupyterHub: release, fetch, work, submit, collect, autograde, feedback fetched back.

The README's commands ("Grading with nbgrader"), run on one machine: an exchange folder
(``Exchange.root``), the course folder (a copy of solutions/ and nbgrader_config.py) and two
students, each with a home and a working folder of their own. A student's nbgrader reads the
configuration the README gives for students from their home, plus their student id: on a hub
nbgrader takes it from the user name, and here every command runs as the same user.
In the fetched folder each student runs the notebook (check cells included, in their own
kernel) and ``pytest``. One hands in the reference typed into the exercise, the other a bug.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO

from test_exercise import course_folder, nbgrader

pytestmark = pytest.mark.nbgrader

MAX_SCORE = sum(check.points for check in catalogue())
PUBLIC_POINTS = sum(check.points for check in catalogue(include_hidden=False))
HANDED_IN = {student: REPO / "examples" / "submissions" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
             for student in ("ada", "cleo")}  # the reference typed in; one named bug (examples.py)
WHICH_PACKAGE = "import autograder\nprint('package:', autograder.__file__)"


def students_configuration(exchange: Path, student: str) -> str:
    """What the README asks for in every student's nbgrader configuration, and this student's id."""
    return (f'c.CourseDirectory.course_id = "{ASSIGNMENT}"\n'
            f'c.Exchange.root = "{exchange}"\n'
            f'c.CourseDirectory.student_id = "{student}"\n')


def session(home: Path, student: bool = True) -> dict[str, str]:
    """The environment of one person's session: their own home (nbgrader's cache, Jupyter's folders); a
    student's has no PYTHONPATH (that could lead to the course's package instead of the released copy)."""
    left_out = ("JUPYTER", "PYTHONPATH") if student else ("JUPYTER",)
    return dict({key: value for key, value in os.environ.items() if not key.startswith(left_out)}, HOME=str(home))


def ran(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, f"{done.args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def run_in_jupyter(notebook: Path, env: dict[str, str]):
    """Run every cell of the saved notebook in its own kernel, as the student does in Jupyter; return it run."""
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(WHICH_PACKAGE))  # run here, not saved: the notebook handed in is theirs
    NotebookClient(nb, timeout=300, allow_errors=True, resources={"metadata": {"path": str(notebook.parent)}}
                   ).execute(env=dict(env, PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"))
    return nb


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("hub")
    exchange, course = root / "exchange", course_folder(root / "course")
    on_exchange = f"--Exchange.root={exchange}"
    instructor = session(root / "instructor", student=False)
    ran(nbgrader("generate_assignment", ASSIGNMENT, "--force", cwd=course, env=instructor))
    ran(nbgrader("release_assignment", ASSIGNMENT, on_exchange, cwd=course, env=instructor))
    students = {}
    for student, handed_in in HANDED_IN.items():
        home, work = root / student / "home", root / student / "work"
        (home / ".jupyter").mkdir(parents=True)
        (home / ".jupyter" / "nbgrader_config.py").write_text(students_configuration(exchange, student))
        work.mkdir()
        env = session(home)
        ran(nbgrader("fetch_assignment", ASSIGNMENT, cwd=work, env=env))
        fetched = work / ASSIGNMENT
        shutil.copy(handed_in, fetched / f"{ASSIGNMENT}.ipynb")  # their work, saved
        worked = run_in_jupyter(fetched / f"{ASSIGNMENT}.ipynb", env)
        self_check = subprocess.run([sys.executable, "-m", "pytest"], cwd=fetched, env=env, capture_output=True,
                                    text=True, timeout=600)
        ran(nbgrader("submit", ASSIGNMENT, cwd=work, env=env))
        students[student] = {"home": home, "work": work, "env": env, "worked": worked, "self_check": self_check}
    ran(nbgrader("collect", ASSIGNMENT, on_exchange, cwd=course, env=instructor))
    ran(nbgrader("autograde", ASSIGNMENT, cwd=course, env=instructor))
    ran(nbgrader("generate_feedback", ASSIGNMENT, cwd=course, env=instructor))
    ran(nbgrader("release_feedback", ASSIGNMENT, on_exchange, cwd=course, env=instructor))
    for student in students.values():
        ran(nbgrader("fetch_feedback", ASSIGNMENT, cwd=student["work"], env=student["env"]))
    return course, students


def gradebook_total(course: Path, student: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission(ASSIGNMENT, student).score


def honest_scores(student: str, grade_in_process) -> tuple[float, float]:
    """(all checks, public checks) as the grading command's checks score the notebook handed in."""
    results = grade_in_process(HANDED_IN[student]).values()
    return sum(r.score for r in results), sum(r.score for r in results if not r.check.hidden)


@pytest.mark.parametrize("student", HANDED_IN)
def test_the_fetched_folder_runs_its_check_cells_with_the_released_package(hub, student):
    _, students = hub
    fetched = students[student]["work"] / ASSIGNMENT
    assert (fetched / "autograder" / "notebook.py").is_file()
    assert not (fetched / "autograder" / "checks" / "staff").exists()
    cells = [cell for cell in students[student]["worked"].cells if cell.cell_type == "code"]
    assert cells[-1].outputs[0]["text"].strip() == f"package: {fetched / 'autograder' / '__init__.py'}"
    public_cells = [cell for cell in cells if "from autograder.notebook import check" in cell.source]
    assert len(public_cells) == len(catalogue(include_hidden=False))
    passed = [cell for cell in public_cells if any("passed: " in out.get("text", "") for out in cell.outputs)]
    failed = [cell for cell in public_cells if any(out.get("ename") == "CheckFailed" for out in cell.outputs)]
    assert len(passed) + len(failed) == len(public_cells)  # no ModuleNotFoundError, nothing else
    assert (len(failed) == 0) == (student == "ada") and len(passed) > 0


@pytest.mark.parametrize("student", HANDED_IN)
def test_pytest_in_the_fetched_folder_shows_the_public_score(hub, student, grade_in_process):
    _, students = hub
    _, public = honest_scores(student, grade_in_process)
    self_check = students[student]["self_check"]
    assert f"Public score: {public:g}/{PUBLIC_POINTS}." in self_check.stdout, self_check.stdout[-3000:]
    assert self_check.returncode == (0 if public == PUBLIC_POINTS else 1)


def test_each_student_fetches_feedback_with_their_own_score(hub, grade_in_process):
    course, students = hub
    totals = {}
    for student, folders in students.items():
        pages = sorted((folders["work"] / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, sorted(map(str, (folders["work"] / ASSIGNMENT).rglob("*")))
        total, _ = honest_scores(student, grade_in_process)
        assert gradebook_total(course, student) == total
        text = re.sub(r"<[^>]+>", " ", pages[0].read_text(encoding="utf-8"))
        assert re.search(rf"Score:\s*{total:g}(\.0)?\s*/\s*{MAX_SCORE}(\.0)?", text), text[:2000]
        totals[student] = total
    assert totals["ada"] == MAX_SCORE > totals["cleo"] > 0


def test_the_readme_gives_these_commands_and_the_students_configuration():
    readme = (REPO / "README.md").read_text()
    for line in students_configuration(Path("/srv/nbgrader/exchange"), "student").splitlines()[:2]:
        assert f"  {line}\n" in readme, line
    for command in ("generate_assignment", "release_assignment", "fetch_assignment", "submit", "collect", "autograde",
                    "generate_feedback", "release_feedback", "fetch_feedback"):
        assert f"`nbgrader {command} {ASSIGNMENT}" in readme, command
