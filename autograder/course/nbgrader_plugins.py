"""Two nbgrader plugins, so that no student's work is skipped in silence, and quieter logs.

:class:`RenamingCollector` (``nbgrader zip_collect``): nbgrader's own file-name
collector, whose pattern (``nbgrader_config.py``) accepts what browsers and
learning platforms make of the notebook's name (``<student>_nn_from_scratch-1.ipynb``,
``<student>_nn_from_scratch (1).ipynb``); each such file is collected under the
assignment's name, with one visible line saying so.

:class:`GradesWithNotes` (``nbgrader export``): nbgrader's CSV export, plus a
``note`` column naming each student whose grade is 0 because nothing was graded
(no submission, or a notebook autograde skipped).

:func:`quiet_expected_warnings` (called by ``nbgrader_config.py``): two kinds of
warnings came with every student and buried the one line that mattered.
``autograde`` warns that the checksum of each hidden test cell "has changed":
``generate_assignment`` removed its hidden part, so the student's copy always
differs from the source, and nbgrader restores it anyway. And SQLAlchemy warns,
from nbgrader's own gradebook code, of objects "not in session". Both are
dropped; a checksum warning for any other cell (a student who edited a visible
check) still shows.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import warnings

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin, FileNameCollectorPlugin


class RenamingCollector(FileNameCollectorPlugin):
    """nbgrader's collector; says which files it collects under a name other than their own."""

    def collect(self, submitted_file: str):
        info = super().collect(submitted_file)
        if info:
            name = os.path.basename(submitted_file)
            _, ext = os.path.splitext(name)
            wanted = f"{info['file_id']}{ext}"
            if not name.endswith(f"_{wanted}") and name != wanted:
                self.log.warning("Collecting %s as %s (student %s)", name, wanted, info["student_id"])
        return info


class GradesWithNotes(CsvExportPlugin):
    """grades.csv as nbgrader writes it, with a ``note`` column for students nothing was graded for."""

    def export(self, gradebook) -> None:
        super().export(gradebook)
        dest = self.to or "grades.csv"
        with open(dest, newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["note"] = self._note(gradebook, row["assignment"], row["student_id"])
        if not rows:
            return
        with open(dest, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        for row in rows:
            if row["note"]:
                self.log.warning("%s, %s: %s", row["student_id"], row["assignment"], row["note"])

    @staticmethod
    def _note(gradebook, assignment: str, student: str) -> str:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return "not submitted"
        graded = [grade for notebook in submission.notebooks for grade in notebook.grades
                  if grade.auto_score is not None or grade.manual_score is not None]
        if not graded:
            return ("no notebook was graded (a notebook under another name? run "
                    "`python -m autograder rename-submissions .` and autograde again)")
        return ""


class _ExpectedChecksumWarnings(logging.Filter):
    """Drops autograde's "checksum ... has changed" warning for the hidden test cells."""

    PATTERN = re.compile(r"Attribute 'checksum' for cell (\S+) has changed")

    def __init__(self, hidden_cells: set[str]):
        super().__init__()
        self.hidden_cells = hidden_cells

    def filter(self, record: logging.LogRecord) -> bool:
        found = self.PATTERN.search(str(record.msg) % record.args if record.args else str(record.msg))
        return not (found and found[1] in self.hidden_cells)


def quiet_expected_warnings() -> None:
    """Leave out the warnings every student's autograde gives and that never need acting on."""
    from ..checks import catalogue

    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", module=r"nbgrader\.")
    hidden = {check.id for check in catalogue() if check.hidden}
    logging.getLogger("AutogradeApp").addFilter(_ExpectedChecksumWarnings(hidden))
