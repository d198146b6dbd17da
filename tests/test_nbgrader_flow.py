"""nbgrader's whole grading flow, for real: generate, collect, autograde, feedback, export.

Runs in a temporary course folder (a copy of solutions/ and nbgrader_config.py), with
nbgrader, its gradebook and a real Jupyter kernel, exactly the commands the README gives.
Every student's nbgrader score is compared, check by check, with the trusted grading
command (`python -m autograder grade`) on the same notebook.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO

from autograder.course import notebook_cells

from test_exercise import marked_lines
from variants import EXERCISE, REFERENCE, Variant, bug, correct

pytestmark = pytest.mark.nbgrader

MAX_SCORE = sum(check.points for check in catalogue())
CHECK_BY_ID = {check.id: check for check in catalogue()}
BUG = bug("relu_forward_capped")  # ReLU.forward capped at 1
PRINTS_AND_WARNS = correct("prints_and_warns")
# Sigmoid.forward loops forever on inputs below -500 (a clip whose result is dropped).
HANGS = Variant("hangs_on_large_inputs", (("return 1 / (1 + np.exp(-x))",
                                           "while np.any(x < -500):  # keep exp(-x) from overflowing\n"
                                           "            np.clip(x, -500, None)  # result dropped: x never changes\n"
                                           "        return 1 / (1 + np.exp(-x))"),), "Sigmoid")
TAMPERED_BUG = bug("layer_forward_missing_bias")


def start(*args: str, cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 600) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, f"{process.args} failed:\n{stdout[-3000:]}\n{stderr[-5000:]}"
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return finish(start(*args, cwd=cwd))


def cells_by_id(nb) -> dict[str, int]:
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): i for i, cell in enumerate(nb.cells)}


def tamper(path: Path) -> Path:
    """Every kind of damage to the test cells a student can do in Jupyter (or in the JSON)."""
    nb = nbformat.read(path, as_version=4)
    at = cells_by_id(nb)
    # edited: a test cell that would pass whatever the code does
    nb.cells[at["layer_forward_public_values"]].source = "print('all good')"
    # changed to markdown, and points raised
    cell = nb.cells[at["layer_forward_leaves_inputs_and_parameters_unchanged"]]
    cell.cell_type = "markdown"
    del cell["outputs"], cell["execution_count"]
    nb.cells[at["relu_backward_public_values"]].metadata["nbgrader"]["points"] = 50
    # duplicated: a copy at the very top (runs before anything is defined), an edited copy after the original
    top = nbformat.from_dict(json.loads(json.dumps(nb.cells[at["layer_backward_public_values"]])))
    top["id"] = "dup-top"
    late = nbformat.from_dict(json.loads(json.dumps(nb.cells[at["sigmoid_backward_public_values"]])))
    late["id"], late.source = "dup-late", "pass"
    nb.cells.insert(at["sigmoid_backward_public_values"] + 1, late)
    nb.cells.insert(0, top)
    # moved: a Layer test above the Layer class, and two ReLU tests swapped
    at = cells_by_id(nb)
    moved = nb.cells.pop(at["layer_backward_gradient_check"])
    nb.cells.insert(cells_by_id(nb)["activations"], moved)
    at = cells_by_id(nb)
    i, j = at["relu_forward_public_values"], at["relu_forward_leaves_its_input_unchanged"]
    nb.cells[i], nb.cells[j] = nb.cells[j], nb.cells[i]
    # deleted: a hidden test cell, and the test cell that follows the read-only XOR data cell
    for grade_id in ("layer_forward_hidden_random_batches", "xor_training_loss_follows_the_reference"):
        del nb.cells[cells_by_id(nb)[grade_id]]
    nbformat.write(nb, path)
    return path


def submissions(folder: Path) -> dict[str, Path]:
    """student -> the notebook they hand in."""
    folder.mkdir()
    return {
        "reference": REFERENCE.write_notebook(folder),
        "untouched": Path(shutil.copy(EXERCISE, folder / "untouched.ipynb")),
        "one_bug": BUG.write_notebook(folder),
        "prints_and_warns": PRINTS_AND_WARNS.write_notebook(folder),
        "hangs": HANGS.write_notebook(folder),
        "tampered": tamper(TAMPERED_BUG.write_notebook(folder)),
    }


def nbgrader_scores(course: Path, student: str) -> dict[str, float]:
    """check id -> the score nbgrader's gradebook holds for this student's test cell."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        grades = {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
    autograded = {grade_id: value for grade_id, value in grades.items() if grade_id in CHECK_BY_ID}
    assert autograded.keys() == CHECK_BY_ID.keys()
    assert all(max_score == CHECK_BY_ID[gid].points for gid, (_, max_score) in autograded.items())
    assert all(max_score == 0 for gid, (_, max_score) in grades.items() if gid not in CHECK_BY_ID)
    return {gid: score for gid, (score, _) in autograded.items()}


def visible_text(path: Path) -> str:
    """What a reader sees: for HTML, the text without tags (highlighting splits lines into spans)."""
    text = path.read_text(errors="replace")
    return html.unescape(re.sub(r"<[^>]+>", "", text)) if path.suffix == ".html" else text


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Run the README's flow once for all students; return the course folder and timings."""
    course = tmp_path_factory.mktemp("course")
    for name in ("solutions", "nbgrader_config.py"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, course / name)
    notebooks = submissions(course / "handed_in")
    timings = {}
    run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    # one student through zip_collect (an LMS download), the others straight into submitted/
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    shutil.copy(notebooks["prints_and_warns"], archive / f"prints_and_warns_{ASSIGNMENT}.ipynb")
    run("nbgrader", "zip_collect", ASSIGNMENT, cwd=course)
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / ASSIGNMENT
        if student != "prints_and_warns":
            folder.mkdir(parents=True)
            shutil.copy(notebook, folder / f"{ASSIGNMENT}.ipynb")
        assert (folder / f"{ASSIGNMENT}.ipynb").read_bytes() == notebook.read_bytes()
    # The grading command grades the same notebooks meanwhile (it only reads submitted/).
    began = time.monotonic()
    isolated = start("autograder", "grade", str(course / "submitted"), "--out", str(course / "graded"), cwd=course)
    autograde = run("nbgrader", "autograde", ASSIGNMENT, cwd=course)  # no `nbgrader db student add`
    timings["autograde"] = time.monotonic() - began
    began = time.monotonic()
    run("nbgrader", "generate_feedback", ASSIGNMENT, cwd=course)
    timings["generate_feedback"] = time.monotonic() - began
    run("nbgrader", "export", cwd=course)
    finish(isolated)
    print(f"timings for {len(notebooks)} students: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return course, notebooks, timings, autograde.stderr


def isolated_scores(course: Path, student: str) -> dict[str, float]:
    results = json.loads((course / "graded" / f"{student}.json").read_text())
    return {test["extra_data"]["check_id"]: test["score"] for test in results["tests"]}


def exported_scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}


def checks_of(owner: str) -> set[str]:
    """Ids of the checks a bug in ``owner`` may cost: its own class's, and the whole-network ones."""
    return {c.id for c in catalogue() if c.owner in (owner, None)}


def test_every_student_is_graded_check_by_check_as_by_the_grading_command(course):
    course, notebooks, _, _ = course
    exported = exported_scores(course)
    assert exported.keys() == notebooks.keys()
    for student in notebooks:
        ours, theirs = nbgrader_scores(course, student), isolated_scores(course, student)
        assert ours == theirs, (student, {k: (v, theirs.get(k)) for k, v in ours.items() if v != theirs.get(k)})
        assert exported[student] == sum(ours.values()), student


def test_grades_of_each_kind_of_submission(course):
    course, _, _, _ = course
    scores = exported_scores(course)
    assert scores["reference"] == MAX_SCORE
    assert scores["prints_and_warns"] == MAX_SCORE  # prints, warns (RuntimeWarning), plots
    assert scores["untouched"] == 0
    for student, variant in (("one_bug", BUG), ("hangs", HANGS), ("tampered", TAMPERED_BUG)):
        lost = {name for name, score in nbgrader_scores(course, student).items() if score == 0}
        assert lost and lost <= checks_of(variant.owner), (student, lost)


def test_a_check_that_hangs_times_out_alone(course):
    course, _, _, log = course
    lost = {key for key, score in nbgrader_scores(course, "hangs").items() if score == 0}
    assert lost == {"sigmoid_forward_large_inputs_stay_finite", "sigmoid_forward_hidden_random_inputs",
                    "sigmoid_backward_hidden_random_inputs"}
    assert log.count("Timeout waiting for execute reply") == len(lost)
    autograded = nbformat.read(course / "autograded" / "hangs" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    timed_out = {cell.metadata["nbgrader"]["grade_id"] for cell in autograded.cells
                 if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", []))}
    assert timed_out == lost



def test_tampered_test_cells_are_restored_from_the_gradebook(course):
    course, _, _, _ = course
    autograded = nbformat.read(course / "autograded" / "tampered" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                               as_version=4)
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    position = cells_by_id(autograded)
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") not in CHECK_BY_ID:
            continue
        graded = autograded.cells[position[meta["grade_id"]]]
        assert graded.cell_type == "code" and graded.source.endswith(cell.source), meta["grade_id"]
        assert graded.metadata["nbgrader"]["points"] == meta["points"]
        executed = [out for out in graded.outputs if out.output_type in ("stream", "error")]
        assert executed, f"{meta['grade_id']} did not run"
    # Every test runs after the code it checks: the cell that defines its class, or every code
    # cell before it in the source notebook (whole-network checks).
    source_ids = [notebook_cells.grade_id(cell) for cell in source.cells]
    code = [gid for gid in source_ids if gid and gid not in CHECK_BY_ID and
            next(c for c in source.cells if notebook_cells.grade_id(c) == gid).cell_type == "code"]
    for grade_id, check in CHECK_BY_ID.items():
        before = [gid for gid in code if source_ids.index(gid) < source_ids.index(grade_id)]
        if check.owner:
            before = [gid for gid in before if f"class {check.owner}" in
                      next(c for c in source.cells if notebook_cells.grade_id(c) == gid).source]
        assert before, grade_id
        assert all(position[grade_id] > position[gid] for gid in before), grade_id


def test_feedback_shows_no_hidden_test(course):
    course, notebooks, _, _ = course
    hidden_lines = marked_lines("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    assert len(hidden_lines) == sum(check.hidden for check in catalogue())
    feedback = course / "feedback"
    pages = sorted(feedback.rglob("*.html"))
    assert [page.parent.parent.name for page in pages] == sorted(notebooks)
    for path in (p for p in feedback.rglob("*") if p.is_file()):
        text = visible_text(path)
        assert "HIDDEN TESTS" not in text, path
        assert [line for line in hidden_lines if line in text] == [], path
    for page in pages:  # the hidden checks' results are still reported
        text = visible_text(page)
        for check in catalogue():
            assert f"Grade cell: {check.id}" in text
    assert "CellTimeoutError" in visible_text(feedback / "hangs" / ASSIGNMENT / f"{ASSIGNMENT}.html")
