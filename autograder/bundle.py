"""The students' bundle: the exercise and a self-check, and nothing that reveals answers.

``python -m autograder bundle OUT.zip`` packs ``exercises/nn_from_scratch/``
(the notebook nbgrader generated, the self-check, the student README and the
requirements) with the *public* part of this package. The package files are an
allow-list: a new module stays out of students' hands until it is added here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .reference import ASSIGNMENT, REPO

PACKAGE = Path(__file__).resolve().parent
# What the self-check and the notebook's test cells import. Not: checks/hidden.py,
# wrong_formulas.py (it would show working code), the isolated grader, the reports, the command line.
STUDENT_MODULES = [
    "__init__.py",
    "checks/__init__.py",
    "checks/public.py",
    "doubles.py",
    "expectations.py",
    "judges.py",
    "misconceptions.py",
    "notebook.py",
    "numerics.py",
    "pictures.py",
    "reference.py",
    "runner.py",
    "scenarios.py",
    "selfcheck.py",
    "submission.py",
    "data/public_expected.npz",
    "data/public_misconceptions.npz",
]


def build(output: Path) -> Path:
    exercise = REPO / "exercises" / ASSIGNMENT
    if not (exercise / f"{ASSIGNMENT}.ipynb").is_file():
        raise SystemExit(f"error: {exercise} has no notebook; run `nbgrader generate_assignment {ASSIGNMENT}`")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(exercise.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, f"{ASSIGNMENT}/{path.name}")
        for name in STUDENT_MODULES:
            archive.write(PACKAGE / name, f"{ASSIGNMENT}/autograder/{name}")
    return output
