"""The students' bundle: the exercise and a self-check, and nothing that reveals answers.

``python -m autograder bundle OUT.zip`` packs ``exercises/nn_from_scratch/``
(the notebook nbgrader generated, the self-check, the student README and the
requirements) with the student side of this package. What stays out is decided
by folder: ``checks/staff/`` (hidden checks, wrong formulas, the bug catalogue:
answers), and the instructors' tools ``grading/``, ``course/`` and the command
line, which students never run. A new staff-only module stays out of students'
hands by where it lives.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..checks.reference import ASSIGNMENT, REPO

PACKAGE = Path(__file__).resolve().parents[1]
NOT_FOR_STUDENTS = [PACKAGE / "checks" / "staff", PACKAGE / "grading", PACKAGE / "course", PACKAGE / "__main__.py"]


def student_package_files() -> list[Path]:
    """Every file of the package that students receive (sources and stored values, no caches)."""
    return [path for path in sorted(PACKAGE.rglob("*")) if path.is_file() and path.suffix in (".py", ".npz")
            and "__pycache__" not in path.parts
            and not any(path == left_out or left_out in path.parents for left_out in NOT_FOR_STUDENTS)]


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
        for path in student_package_files():
            archive.write(path, f"{ASSIGNMENT}/autograder/{path.relative_to(PACKAGE)}")
    return output
