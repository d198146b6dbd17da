"""`nbgrader autograde` ends with one paragraph: students graded, failed to grade and why, renamed, timed out.

A class run through the README's steps (rename-submissions, then autograde) in a temporary course:
the reference under a browser's name, a notebook whose Sigmoid hangs (four checks time out), a
student with two notebooks, and one whose folder holds no notebook.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from autograder.checks.reference import ASSIGNMENT
from autograder.grading.submissions import NOTEBOOK, RENAMED_RECORD, rename_for_nbgrader, renamed_before

from test_exercise import course_folder
from test_nbgrader_flow import HANGS, run, start
from variants import REFERENCE

HANGING_CHECKS = ["sigmoid_forward_large_inputs_stay_finite", "sigmoid_forward_hidden_random_inputs",
                  "sigmoid_backward_large_inputs_stay_finite", "sigmoid_backward_hidden_random_inputs"]


def test_rename_submissions_keeps_a_record_of_every_rename_across_runs(tmp_path):
    submitted = tmp_path / "submitted"
    for student, name in (("ada", "nn_from_scratch (1).ipynb"), ("ben", "nn_from_scratch-Copy1.ipynb")):
        (submitted / student / ASSIGNMENT).mkdir(parents=True)
        REFERENCE.write_notebook(submitted / student / ASSIGNMENT, name)
        rename_for_nbgrader(submitted)  # one student at a time: the second run must keep the first's record
    assert renamed_before(submitted) == {"ada": f"{ASSIGNMENT}/nn_from_scratch (1).ipynb",
                                         "ben": f"{ASSIGNMENT}/nn_from_scratch-Copy1.ipynb"}
    assert (submitted / "ada" / ASSIGNMENT / NOTEBOOK).is_file()
    assert json.loads((submitted / RENAMED_RECORD).read_text()) == renamed_before(submitted)
    assert renamed_before(tmp_path) == {}  # no record: nothing renamed


@pytest.mark.nbgrader
def test_autograde_ends_with_a_summary_of_the_run(tmp_path):
    course = course_folder(tmp_path)
    run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    submitted = course / "submitted"
    for student in ("renamed", "hangs", "two_notebooks", "no_notebook"):
        (submitted / student / ASSIGNMENT).mkdir(parents=True)
    REFERENCE.write_notebook(submitted / "renamed" / ASSIGNMENT, "nn_from_scratch (1).ipynb")
    HANGS.write_notebook(submitted / "hangs" / ASSIGNMENT, NOTEBOOK)
    for name in ("first_try.ipynb", "second_try.ipynb"):
        REFERENCE.write_notebook(submitted / "two_notebooks" / ASSIGNMENT, name)
    (submitted / "no_notebook" / ASSIGNMENT / "answers.txt").write_text("see the notebook\n")
    run("autograder", "rename-submissions", ".", cwd=course)

    process = start("nbgrader", "autograde", ASSIGNMENT, cwd=course)
    stdout, stderr = process.communicate(timeout=900)
    autograde = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    assert autograde.returncode == 1, stderr[-3000:]  # nbgrader's own exit code for a student it could not grade

    summary = stderr.rstrip().splitlines()[-5:]
    assert summary == [
        f"autograde summary ({ASSIGNMENT}): 2 students graded; 2 failed to grade; "
        "1 notebook graded under a new name; 4 cells timed out",
        "  failed to grade: no_notebook: no notebook (.ipynb) or .py file",
        f"  failed to grade: two_notebooks: several notebooks and none named {NOTEBOOK}: "
        "first_try.ipynb, second_try.ipynb; keep one",
        f"  renamed: renamed: {ASSIGNMENT}/nn_from_scratch (1).ipynb (by rename-submissions)",
        f"  timed out: hangs: {', '.join(HANGING_CHECKS)}",
    ], stderr[-3000:]


@pytest.mark.nbgrader
def test_a_skipped_misnamed_notebook_is_named_with_the_command_that_fixes_it(tmp_path):
    course = course_folder(tmp_path)
    run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    folder = course / "submitted" / "browser" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(REFERENCE.write_notebook(tmp_path), folder / "nn_from_scratch (1).ipynb")  # no rename-submissions

    process = start("nbgrader", "autograde", ASSIGNMENT, cwd=course)
    _, stderr = process.communicate(timeout=300)
    assert stderr.rstrip().splitlines()[-2:] == [
        f"autograde summary ({ASSIGNMENT}): 0 students graded; 1 failed to grade; "
        "0 notebooks graded under a new name; 0 cells timed out",
        f"  failed to grade: browser: its notebook is named nn_from_scratch (1).ipynb, not {NOTEBOOK} "
        "(run `python -m autograder rename-submissions .` first)",
    ], stderr[-3000:]
