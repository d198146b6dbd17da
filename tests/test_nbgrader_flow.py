"""nbgrader's whole grading flow, for real: generate, collect, rename, autograde, feedback, export, audit.

Runs in a temporary course folder (a copy of solutions/ and nbgrader_config.py), with
nbgrader, its gradebook and a real Jupyter kernel, exactly the commands the README gives.
The class: every notebook of the correct corpus, every bug of the catalogue, and students
who print, hang, tamper, rename their notebook or hand in two. Every student's nbgrader
score is compared, check by check, with the trusted grading command (`python -m autograder
grade`) on the same notebook, and with the self-check's public checks.
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
from autograder.checks.reference import ASSIGNMENT

from autograder.course import notebook_cells

from test_exercise import course_folder, marked_lines
from autograder.checks import expectations, graded_classes
from autograder.inprocess import run_check
from autograder.sandboxed import loader
from correct_corpus import CORPUS, held_to, write
from variants import BUGS, EXERCISE, REFERENCE, Variant, bug, correct

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


CORRECT_NOTEBOOKS = [entry for entry in CORPUS if entry.kind == "ipynb"]
# How each student's file reaches submitted/ when not straight under the assignment's name.
BY_ZIP_COLLECT = {"prints_and_warns": f"prints_and_warns_{ASSIGNMENT}.ipynb",
                  "renamed_by_platform": f"renamed_by_platform_{ASSIGNMENT}-1.ipynb"}
IN_SUBMITTED_AS = {"renamed_by_browser": f"{ASSIGNMENT} (1).ipynb"}
TWO_NOTEBOOKS = "two_notebooks"


def submissions(folder: Path) -> dict[str, Path]:
    """student -> the notebook they hand in (the student with two notebooks is not in here)."""
    folder.mkdir()
    handed = {
        "reference": REFERENCE.write_notebook(folder),
        "untouched": Path(shutil.copy(EXERCISE, folder / "untouched.ipynb")),
        "one_bug": BUG.write_notebook(folder),
        "prints_and_warns": PRINTS_AND_WARNS.write_notebook(folder),
        "hangs": HANGS.write_notebook(folder),
        "tampered": tamper(TAMPERED_BUG.write_notebook(folder)),
        "renamed_by_browser": REFERENCE.write_notebook(folder, "browser.ipynb"),
        "renamed_by_platform": correct("sigmoid_via_tanh").write_notebook(folder),
    }
    for entry in CORRECT_NOTEBOOKS:
        handed[f"correct_{entry.name}"] = write(entry, folder)
    for variant in BUGS:
        handed[f"bug_{variant.name}"] = variant.write_notebook(folder)
    return handed


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
    course = course_folder(tmp_path_factory.mktemp("course"))
    notebooks = submissions(course / "handed_in")
    timings = {}
    run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    # Some students through zip_collect (a learning platform's download), the others into submitted/.
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    for student, name in BY_ZIP_COLLECT.items():
        shutil.copy(notebooks[student], archive / name)
    collected = run("nbgrader", "zip_collect", ASSIGNMENT, cwd=course)
    for student, notebook in notebooks.items():
        folder = course / "submitted" / student / ASSIGNMENT
        if student not in BY_ZIP_COLLECT:
            folder.mkdir(parents=True)
            shutil.copy(notebook, folder / IN_SUBMITTED_AS.get(student, f"{ASSIGNMENT}.ipynb"))
    two = course / "submitted" / TWO_NOTEBOOKS / ASSIGNMENT
    two.mkdir(parents=True)
    for name in ("first_try.ipynb", "second_try.ipynb"):
        shutil.copy(notebooks["reference"], two / name)
    renamed = run("autograder", "rename-submissions", ".", cwd=course)
    for student, notebook in notebooks.items():
        assert (course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes() == \
            notebook.read_bytes(), student
    # The grading command grades the same notebooks meanwhile (it only reads submitted/).
    began = time.monotonic()
    isolated = start("autograder", "grade", str(course / "submitted"), "--out", str(course / "graded"), cwd=course)
    # No `nbgrader db student add` needed. nbgrader exits 1 because one student's folder has no notebook
    # under the released name (rename-submissions said so): that student, and no one else, is an error.
    process = start("nbgrader", "autograde", ASSIGNMENT, cwd=course)
    stdout, stderr = process.communicate(timeout=1500)
    autograde = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    failed = set(re.findall(r"error processing assignment '\S+' for student '([^']+)'", stderr))
    assert failed == {TWO_NOTEBOOKS} and process.returncode == 1, stderr[-3000:]
    timings["autograde"] = time.monotonic() - began
    began = time.monotonic()
    run("nbgrader", "generate_feedback", ASSIGNMENT, cwd=course)
    timings["generate_feedback"] = time.monotonic() - began
    exported = run("nbgrader", "export", cwd=course)
    finish(isolated)
    print(f"timings for {len(notebooks)} students: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    logs = {"zip_collect": collected.stderr, "rename": renamed.stdout, "export": exported.stderr}
    return course, notebooks, timings, autograde.stderr, logs


def isolated_scores(course: Path, student: str) -> dict[str, float]:
    results = json.loads((course / "graded" / f"{student}.json").read_text())
    return {test["extra_data"]["check_id"]: test["score"] for test in results["tests"]}


def exported_scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}


def exported_notes(course: Path) -> dict[str, str]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row["note"] for row in csv.DictReader(handle)}


def checks_of(owner: str) -> set[str]:
    """Ids of the checks a bug in ``owner`` may cost: its own class's, and the whole-network ones."""
    return {c.id for c in catalogue() if c.owner in (owner, None)}


def test_every_student_is_graded_check_by_check_as_by_the_grading_command(course):
    course, notebooks, _, _, _ = course
    exported = exported_scores(course)
    assert exported.keys() == {*notebooks, TWO_NOTEBOOKS}
    for student in notebooks:  # both directions: any difference fails
        ours, theirs = nbgrader_scores(course, student), isolated_scores(course, student)
        assert ours == theirs, (student, {k: (v, theirs.get(k)) for k, v in ours.items() if v != theirs.get(k)})
        assert exported[student] == sum(ours.values()), student


def test_grades_of_each_kind_of_submission(course):
    course, _, _, _, _ = course
    scores = exported_scores(course)
    assert scores["reference"] == MAX_SCORE
    assert scores["prints_and_warns"] == MAX_SCORE  # prints, warns (RuntimeWarning), plots
    assert scores["untouched"] == 0
    for student, variant in (("one_bug", BUG), ("hangs", HANGS), ("tampered", TAMPERED_BUG),
                             *((f"bug_{v.name}", v) for v in BUGS)):
        lost = {name for name, score in nbgrader_scores(course, student).items() if score == 0}
        assert lost and lost <= checks_of(variant.owner), (student, lost)


def test_every_correct_notebook_of_the_corpus_scores_full_marks_in_nbgrader(course):
    course, notebooks, _, _, _ = course
    lost = {}
    for entry in CORRECT_NOTEBOOKS:
        student = f"correct_{entry.name}"
        held = held_to(notebooks[student])
        lost[entry.name] = [gid for gid, score in nbgrader_scores(course, student).items()
                            if gid in held and score < CHECK_BY_ID[gid].points]
    assert lost == {entry.name: [] for entry in CORRECT_NOTEBOOKS}


def test_the_self_checks_public_scores_equal_the_grading_commands(course):
    course, notebooks, _, _, _ = course
    stored, public = expectations.Stored(), catalogue(include_hidden=False)
    for student, notebook in notebooks.items():
        if student == "hangs":
            continue  # the self-check has no time limit of its own
        loaded = loader.load(notebook, wanted=graded_classes())
        self_check = {check.id: run_check(check, loaded, stored).score for check in public}
        command = isolated_scores(course, student)
        assert self_check == {check.id: command[check.id] for check in public}, student


def test_renamed_notebooks_reach_grading_under_the_assignments_name_and_say_so(course):
    course, _, _, _, logs = course
    scores = exported_scores(course)
    assert scores["renamed_by_browser"] == scores["renamed_by_platform"] == MAX_SCORE
    assert f"renamed_by_browser: renamed renamed_by_browser/{ASSIGNMENT}/{ASSIGNMENT} (1).ipynb -> " \
           f"renamed_by_browser/{ASSIGNMENT}/{ASSIGNMENT}.ipynb" in logs["rename"]
    assert f"Collecting {BY_ZIP_COLLECT['renamed_by_platform']} as {ASSIGNMENT}.ipynb" in logs["zip_collect"]


def test_a_student_with_two_notebooks_is_named_by_every_tool(course):
    course, _, _, _, logs = course
    assert f"{TWO_NOTEBOOKS}: several notebooks and none named {ASSIGNMENT}.ipynb: first_try.ipynb, " \
           "second_try.ipynb; keep one: not graded" in logs["rename"]
    assert exported_scores(course)[TWO_NOTEBOOKS] == 0
    assert exported_notes(course)[TWO_NOTEBOOKS].startswith("no notebook was graded")
    assert {student for student, note in exported_notes(course).items() if note} == {TWO_NOTEBOOKS}
    with open(course / "graded" / "grades.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["student"] == TWO_NOTEBOOKS)
    assert row["score"] == "0" and "several notebooks" in row["error"]


def test_the_audit_covers_every_student_and_flags_none_of_these(course):
    course, notebooks, _, _, _ = course
    audit = finish(start("autograder", "audit", ".", cwd=course))
    rows = {line.split()[0] for line in audit.stdout.splitlines()[1:-1] if not line.startswith(" ")}
    assert rows == {*notebooks, TWO_NOTEBOOKS}
    assert "CHECK THIS NOTEBOOK" not in audit.stdout
    assert f"{len(notebooks) + 1} students audited; 0 with a check scored differently" in audit.stdout


def test_a_check_that_hangs_times_out_alone(course):
    course, _, _, log, _ = course
    lost = {key for key, score in nbgrader_scores(course, "hangs").items() if score == 0}
    assert lost == {"sigmoid_forward_large_inputs_stay_finite", "sigmoid_forward_hidden_random_inputs",
                    "sigmoid_backward_large_inputs_stay_finite", "sigmoid_backward_hidden_random_inputs"}
    assert log.count("Timeout waiting for execute reply") == len(lost)
    autograded = nbformat.read(course / "autograded" / "hangs" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    timed_out = {cell.metadata["nbgrader"]["grade_id"] for cell in autograded.cells
                 if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", []))}
    assert timed_out == lost



def test_tampered_test_cells_are_restored_from_the_gradebook(course):
    course, _, _, _, _ = course
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
    # Every test runs after the whole notebook: after every code cell of the student's.
    code = [i for i, cell in enumerate(autograded.cells) if cell.cell_type == "code"
            and notebook_cells.grade_id(cell) not in CHECK_BY_ID]
    assert code and all(position[grade_id] > max(code) for grade_id in CHECK_BY_ID)
    assert [gid for gid in (notebook_cells.grade_id(c) for c in autograded.cells) if gid in CHECK_BY_ID] == \
        [gid for gid in (notebook_cells.grade_id(c) for c in source.cells) if gid in CHECK_BY_ID]


def test_feedback_shows_no_hidden_test(course):
    course, notebooks, _, _, _ = course
    hidden_lines = marked_lines("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
    assert len(hidden_lines) == sum(check.hidden for check in catalogue())
    feedback = course / "feedback"
    pages = sorted(feedback.rglob("*.html"))
    assert sorted(page.parent.parent.name for page in pages) == sorted(notebooks)
    for path in (p for p in feedback.rglob("*") if p.is_file()):
        text = visible_text(path)
        assert "HIDDEN TESTS" not in text, path
        assert [line for line in hidden_lines if line in text] == [], path
    for page in pages:  # the hidden checks' results are still reported
        text = visible_text(page)
        for check in catalogue():
            assert f"Grade cell: {check.id}" in text
    assert "CellTimeoutError" in visible_text(feedback / "hangs" / ASSIGNMENT / f"{ASSIGNMENT}.html")
