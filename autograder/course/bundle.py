"""The student version: ``exercises/nn_from_scratch/`` is all of it, and the students' zip is that folder.

The folder holds what nbgrader's ``generate_assignment`` writes from ``solutions/`` (the
exercise notebook, the self-check, the student README, the requirements) and the student
side of this package in ``autograder/``, which the notebook's check cells and the
self-check import: :func:`after_generate_assignment`, nbgrader's post-convert hook
(``nbgrader_config.py``), writes it, so that ``generate_assignment`` alone, or
``python -m autograder refresh``, makes the whole folder. nbgrader's ``release_assignment``
hands the folder out as it stands, and ``python -m autograder bundle OUT.zip`` packs it,
nothing else.

What stays out of the copy is decided by folder: ``checks/staff/`` (hidden checks, wrong
formulas, the bug catalogue: answers), and the instructors' tools ``grading/``, ``course/``
and the command line, which students never run. A new staff-only module stays out of
students' hands by where it lives. The grader never imports a student's copy (see
``grading/kernel.py``), so editing one changes no grade.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..checks.reference import ASSIGNMENT, REPO

PACKAGE = Path(__file__).resolve().parents[1]
NOT_FOR_STUDENTS = [PACKAGE / "checks" / "staff", PACKAGE / "grading", PACKAGE / "course", PACKAGE / "__main__.py"]
EXERCISE = REPO / "exercises" / ASSIGNMENT
COPY_NOTE = """\
# Generated: do not edit

This folder is the public part of the course's `autograder` package, which the
notebook's check cells and `pytest` use. It is generated, in the course's repository,
by `python -m autograder refresh` (from `autograder/`, without `checks/staff/`,
`grading/`, `course/` and `__main__.py`). Editing it changes no grade: graders use
their own copy.
"""


def student_package_files() -> list[Path]:
    """Every file of the package that students receive (sources and stored values, no caches)."""
    return [path for path in sorted(PACKAGE.rglob("*")) if path.is_file() and path.suffix in (".py", ".npz")
            and "__pycache__" not in path.parts
            and not any(path == left_out or left_out in path.parents for left_out in NOT_FOR_STUDENTS)]


def package_copy() -> dict[str, bytes]:
    """The copy as it must be: path under the exercise folder -> content."""
    copy = {f"autograder/{path.relative_to(PACKAGE)}": path.read_bytes() for path in student_package_files()}
    copy["autograder/README.md"] = COPY_NOTE.encode()
    return copy


def write_package_copy(exercise: Path = EXERCISE) -> Path:
    """Replace ``exercise/autograder/`` with the package's student side; return that folder."""
    folder = exercise / "autograder"
    shutil.rmtree(folder, ignore_errors=True)
    for name, content in package_copy().items():
        (exercise / name).parent.mkdir(parents=True, exist_ok=True)
        (exercise / name).write_bytes(content)
    return folder


def after_generate_assignment(assignment: str, student: str, notebooks: list[str]) -> None:
    """``GenerateAssignment.post_convert_hook``: the package copy, beside what nbgrader just wrote.

    nbgrader passes the source notebooks, ``<course>/solutions/<assignment>/*.ipynb`` (nbgrader_config.py).
    """
    write_package_copy(Path(notebooks[0]).resolve().parents[2] / "exercises" / assignment)


def files(exercise: Path = EXERCISE) -> dict[str, Path]:
    """The student version's files, by path relative to the folder; what running things there leaves
    (``__pycache__``, ``.ipynb_checkpoints``, any dot file) is not part of it."""
    return {path.relative_to(exercise).as_posix(): path for path in sorted(exercise.rglob("*"))
            if path.is_file() and not any(part == "__pycache__" or part.startswith(".")
                                          for part in path.relative_to(exercise).parts)}


def stale_package_files(exercise: Path = EXERCISE) -> list[str]:
    """The paths where ``exercise/autograder/`` differs from what :func:`write_package_copy` writes."""
    expected = package_copy()
    present = {name: path for name, path in files(exercise).items() if name.startswith("autograder/")}
    return sorted(name for name in expected.keys() | present.keys()
                  if name not in present or name not in expected or present[name].read_bytes() != expected[name])


def build(output: Path, exercise: Path = EXERCISE) -> Path:
    """Zip the student version, ``ASSIGNMENT/<each file of the folder>``; refuse a stale package copy."""
    if not (exercise / f"{ASSIGNMENT}.ipynb").is_file():
        raise SystemExit(f"error: {exercise} has no notebook; run `python -m autograder refresh`")
    if stale := stale_package_files(exercise):
        raise SystemExit(f"error: {exercise}/autograder is not the package's student side ({', '.join(stale[:5])}"
                         f"{', ...' if len(stale) > 5 else ''}); run `python -m autograder refresh`")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files(exercise).items():
            archive.write(path, f"{ASSIGNMENT}/{name}")
    return output
