"""Submissions made from the reference: typed into the exercise whole, or with edits.

The reference code comes from the solutions notebook (its student code cells,
solution markers removed), so everything made here follows the reference when
it changes. Every edit names the exact text it replaces; a variant whose text
is missing fails loudly instead of silently becoming the reference. The tests
build their buggy and alternative submissions with this, and so does
``examples`` for the quick start's example submissions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..checks import graded_classes
from ..checks.reference import ASSIGNMENT, REPO
from .notebook_cells import grade_id, is_test_cell

SOLUTION = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
EXERCISE = REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def student_code_cells(path: Path = SOLUTION) -> list[str]:
    """grade_ids of the code cells a submission's classes live in: the notebook's non-test code cells
    with a grade_id, from the first up to the one where the last graded class is first defined (a later
    cell that defines a class of the same name, an exploration answer say, is not one of them)."""
    nb = nbformat.read(path, as_version=4)
    cells = [cell for cell in nb.cells if cell.cell_type == "code" and grade_id(cell) and not is_test_cell(cell)]
    first = [next(i for i, cell in enumerate(cells) if re.search(rf"^class {name}\b", cell.source, re.MULTILINE))
             for name in graded_classes()]
    return [grade_id(cell) for cell in cells[: max(first) + 1]]


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def reference_cells() -> dict[str, str]:
    """grade_id -> the reference's source, for the cells a student completes (in notebook order)."""
    wanted = student_code_cells()
    nb = nbformat.read(SOLUTION, as_version=4)
    return {grade_id(cell): _strip_markers(cell.source) for cell in nb.cells if grade_id(cell) in wanted}


@dataclass(frozen=True)
class Variant:
    name: str
    edits: tuple[tuple[str, str], ...]  # (old, new) text replacements, each must apply
    owner: str = ""  # the class whose checks should catch it ("" for correct variants)

    def cells(self) -> dict[str, str]:
        cells = reference_cells()
        for old, new in self.edits:
            hits = [key for key, source in cells.items() if old in source]
            assert len(hits) == 1 and cells[hits[0]].count(old) == 1, f"{self.name}: {old!r} is not unique"
            cells[hits[0]] = cells[hits[0]].replace(old, new)
        return cells

    def python_source(self) -> str:
        return "\n\n\n".join(self.cells().values()) + "\n"

    def write_py(self, folder: Path) -> Path:
        path = Path(folder) / f"{self.name}.py"
        path.write_text(self.python_source())
        return path

    def write_notebook(self, folder: Path, name: str | None = None) -> Path:
        """The student's exercise notebook with this variant typed into its cells."""
        return fill_exercise(self.cells(), Path(folder) / (name or f"{self.name}.ipynb"))


def fill_exercise(cells: dict[str, str], path: Path) -> Path:
    nb = nbformat.read(EXERCISE, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) in cells:
            cell.source = cells[grade_id(cell)]
    nbformat.write(nb, path)
    return path


REFERENCE = Variant("reference", ())
