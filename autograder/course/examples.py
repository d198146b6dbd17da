"""The example submissions of the quick start, generated from the reference and the exercise.

``examples/submissions/`` holds, per student, what the quick start grades:

- ``ada``  the reference typed into the exercise notebook (full marks)
- ``ben``  the untouched exercise (zero)
- ``cleo`` the reference with one named bug (the sigmoid derivative taken at the output)

``dev.py`` (the chapter's own code, pasted) and ``eve.py`` (a hostile
submission) are written by hand and left alone. A test regenerates the three
into a temporary folder and fails when the committed ones differ.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..checks.reference import ASSIGNMENT, REPO
from ..checks.staff.bugs import bug
from .variants import EXERCISE, REFERENCE

FOLDER = REPO / "examples" / "submissions"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def write(folder: Path = FOLDER) -> list[Path]:
    """Write ada, ben and cleo in nbgrader's layout, <student>/<assignment>/<assignment>.ipynb."""
    paths = []
    for student, make in (
        ("ada", lambda target: REFERENCE.write_notebook(target.parent, target.name)),
        ("ben", lambda target: Path(shutil.copyfile(EXERCISE, target))),
        ("cleo", lambda target: bug("sigmoid_backward_at_output").write_notebook(target.parent, target.name)),
    ):
        target = Path(folder) / student / ASSIGNMENT / NOTEBOOK
        target.parent.mkdir(parents=True, exist_ok=True)
        paths.append(make(target))
    return paths
