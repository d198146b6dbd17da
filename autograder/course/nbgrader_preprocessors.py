"""Two nbgrader preprocessors for what nbgrader 0.9.6 does not do by itself.

Registered in ``nbgrader_config.py``; nbgrader imports this module only on the
instructor's side (students never run it).

:class:`RestoreTestCells` (``nbgrader autograde``, after nbgrader's own
``OverwriteCells``): every autograder test cell of the source notebook ends up
in the submission exactly once, with the gradebook's source and metadata, after
the cells it depends on. nbgrader itself restores the source, type, points and
locked flag of a test cell it finds, and ``DeduplicateIds`` keeps one copy of a
duplicated cell, but a deleted test cell scores 0 (its ``add_missing_cells``
option places cells by the gradebook's order of source cells, which is not the
notebook's, and fails when a test cell follows a read-only cell), and a test
cell moved above the code it checks fails for that reason alone.

:class:`HideHiddenTests` (``nbgrader generate_feedback``): nbgrader's feedback
shows every cell as executed, hidden tests included. This is nbgrader's own
``ClearHiddenTests`` (same delimiters, configured as ``ClearHiddenTests`` is)
applied to the feedback, which also reduces the error outputs of those cells to
their last line, since an IPython traceback quotes the cell's source (a check
interrupted by the timeout shows its hidden line in the ``KeyboardInterrupt``
traceback).
"""

from __future__ import annotations

import os
import uuid

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Unicode


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


class RestoreTestCells(NbGraderPreprocessor):
    """Put every autograder test cell back: once, as in the gradebook, after the cells it needs."""

    restored_cell_notice = Unicode(
        "# nbgrader: this test cell was missing or out of place in the submission and was put back.\n",
        help="Comment put at the top of a test cell that was re-inserted or moved.",
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
        order = self._source_order(source_path) or sorted(sources)
        order = [name for name in order if name in sources]

        # One cell per test id: keep the last (as nbgrader's DeduplicateIds does), unmark the others.
        found = {_grade_id(cell): cell for cell in nb.cells if _grade_id(cell) in tests}
        for cell in nb.cells:
            # DeduplicateIds leaves `"nbgrader": {}` on the copies it unmarks, which CheckCellMetadata
            # then rejects as an outdated format, failing the whole notebook: make them plain cells.
            if not _grade_id(cell) or (_grade_id(cell) in tests and found[_grade_id(cell)] is not cell):
                cell.metadata.pop("nbgrader", None)

        for position, name in enumerate(order):
            if name not in tests:
                continue
            needed = {other for other in order[:position] if other not in tests}  # code it runs after
            cells = nb.cells
            after = max((i for i, cell in enumerate(cells) if _grade_id(cell) in needed), default=-1)
            current = found.get(name)
            index = next((i for i, cell in enumerate(cells) if cell is current), None)
            if index is not None and index > after:
                self._normalise(current, name, sources[name], points[name], notice=False)
                continue
            if index is None:
                self.log.warning("Test cell %s is missing from the submission; restoring it", name)
                current = from_dict({"cell_type": "code", "metadata": {}, "source": "", "outputs": [],
                                     "execution_count": None, "id": uuid.uuid4().hex[:8]})
            else:
                self.log.warning("Test cell %s comes before the code it checks; moving it", name)
                del cells[index]
                after -= index < after
            self._normalise(current, name, sources[name], points[name], notice=True)
            # after the previous test of the source, if that one already sits after `after`
            previous = [i for i, cell in enumerate(cells) if _grade_id(cell) in tests
                        and order.index(_grade_id(cell)) < position and i > after]
            cells.insert(max(previous, default=after) + 1, current)
            found[name] = current
        return nb, resources

    @staticmethod
    def _source_order(path: str) -> list[str]:
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            return []
        return [name for name in (_grade_id(cell) for cell in source.cells) if name]

    def _normalise(self, cell: NotebookNode, name: str, source, points: float, notice: bool) -> None:
        """The gradebook's version of the test cell: type, source, nbgrader metadata; no outputs."""
        cell_type, text, checksum = source
        cell.cell_type = cell_type
        cell.pop("attachments", None)
        if cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        prefix = self.restored_cell_notice if notice and cell_type == "code" else ""
        cell.source = prefix + text
        cell.metadata["nbgrader"] = from_dict({
            "grade": True, "grade_id": name, "locked": True, "points": points, "solution": False,
            "schema_version": 3, "checksum": checksum})
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False


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
