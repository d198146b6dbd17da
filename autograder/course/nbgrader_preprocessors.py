"""Two nbgrader preprocessors, and a per-cell timeout, for what nbgrader 0.9.6 does not do by itself.

Registered in ``nbgrader_config.py``; nbgrader imports this module only on the
instructor's side (students never run it).

:class:`GradeAfterTheWholeNotebook` (``nbgrader autograde``, after nbgrader's own
``OverwriteCells``): every autograder test cell of the source notebook is put at
the end of the submission, once, with the gradebook's source and metadata, in
the source's order. The checks then see the notebook as Python sees a file run
top to bottom (and as the grading command loads it): a class redefined in a later
cell, or a helper defined below the check, counts as the student wrote it. It
also makes deleted, moved and duplicated test cells harmless: nbgrader itself
restores the source, type, points and lock of a test cell it finds, and
``DeduplicateIds`` keeps the last copy of a duplicated one, but a deleted test
cell would score 0 and a test cell moved above the code it checks would fail.

:class:`HideHiddenTests` (``nbgrader generate_feedback``): nbgrader's feedback
shows every cell as executed, hidden tests included. This is nbgrader's own
``ClearHiddenTests`` (same delimiters, configured as ``ClearHiddenTests`` is)
applied to the feedback, which also reduces the error outputs of those cells to
their last line, since an IPython traceback quotes the cell's source (a check
interrupted by the timeout shows its hidden line in the ``KeyboardInterrupt``
traceback).

:func:`cell_timeout` (``c.Execute.timeout_func``): nbgrader's ``Execute.timeout``
applies to every cell. A check cell gets the grading command's 10 s; every other
cell (a training run, the exploration experiments, a loop that prints) gets
:data:`OTHER_CELL_SECONDS`, so a correct student's slow or chatty cell never ends
in a timeout that loses its output for whoever reads the written answers.
"""

from __future__ import annotations

import os

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Unicode

from .notebook_cells import grade_id


CHECK_CELL_SECONDS = 10  # wall clock in the kernel; the grading command allows 10 s of CPU time per check
OTHER_CELL_SECONDS = 300  # the reference's slowest cell takes about 10 s in nbgrader; room for slow machines


def cell_timeout(cell: NotebookNode) -> int:
    """nbclient's ``timeout_func``: the seconds a cell may run (it is given the cell itself)."""
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") or {}
    return CHECK_CELL_SECONDS if nbgrader.get("grade") and not nbgrader.get("solution") else OTHER_CELL_SECONDS


class GradeAfterTheWholeNotebook(NbGraderPreprocessor):
    """Every autograder test cell at the end, once, as in the gradebook, in the source notebook's order."""

    heading = Unicode(
        "## The checks\n\nThe grader runs every check after the whole notebook, as Python runs a file "
        "from top to bottom: each check sees your classes as they stand at the end.",
        help="Markdown cell put before the test cells at the end of the graded notebook ('' for none).",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory

        info = resources["nbgrader"]
        notebook_id, assignment_id = info["notebook"], info["assignment"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(notebook_id, assignment_id)
            solutions = {cell.name for cell in notebook.solution_cells}
            points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            sources = {cell.name: (cell.cell_type, cell.source, cell.checksum) for cell in notebook.source_cells}
        tests = {name for name in points if name not in solutions}  # autograder tests, not answers

        coursedir = CourseDirectory(config=self.config)
        source_path = os.path.join(coursedir.format_path(coursedir.source_directory, ".", assignment_id),
                                   f"{notebook_id}.ipynb")
        order = [name for name in self._source_order(source_path) or sorted(sources) if name in tests]

        kept = []
        for cell in nb.cells:
            if grade_id(cell) in tests:
                continue  # the test cell, wherever the student left it: put back at the end below
            if grade_id(cell) is None:
                # DeduplicateIds leaves `"nbgrader": {}` on the copies it unmarks, which CheckCellMetadata
                # then rejects as an outdated format, failing the whole notebook: make them plain cells.
                cell.metadata.pop("nbgrader", None)
            kept.append(cell)
        nb.cells = kept
        if self.heading:
            nb.cells.append(nbformat.v4.new_markdown_cell(self.heading))
        for name in order:
            cell_type, text, checksum = sources[name]
            nb.cells.append(from_dict({
                "cell_type": cell_type, "source": text, "id": f"check-{name}"[:64],
                "metadata": {"nbgrader": {"grade": True, "grade_id": name, "locked": True, "points": points[name],
                                          "solution": False, "schema_version": 3, "checksum": checksum},
                             "editable": False, "deletable": False},
                **({"outputs": [], "execution_count": None} if cell_type == "code" else {}),
            }))
        return nb, resources

    @staticmethod
    def _source_order(path: str) -> list[str]:
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            return []
        return [name for name in (grade_id(cell) for cell in source.cells) if name]


class HideHiddenTests(ClearHiddenTests):
    """Feedback: nbgrader's hidden-test stripping, and the tracebacks of the cells it stripped."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        try:
            removed = self._remove_hidden_test_region(cell)
        except RuntimeError:  # a region a student left open in their own cell: hide the rest of it
            lines = cell.source.split("\n")
            first = next(i for i, line in enumerate(lines) if self.begin_test_delimeter in line)
            cell.source = "\n".join(lines[:first])
            removed = True
        if not removed:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # IPython quotes the cell's lines in a traceback; the last entry is "Name: message".
                last = (output.get("traceback") or [""])[-1]
                if not last or "\n" in last or "check(" in last or self.begin_test_delimeter in last:
                    name = output.get("ename", "Error")
                    last = f"{'Check failed' if name == 'CheckFailed' else name}: {output.get('evalue', '')}"
                output["traceback"] = [last]
        return cell, resources
