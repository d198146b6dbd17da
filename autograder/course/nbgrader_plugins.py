"""Two nbgrader plugins, so that no student's work is skipped in silence.

:class:`RenamingCollector` (``nbgrader zip_collect``): nbgrader's own file-name
collector, whose pattern (``nbgrader_config.py``) accepts what browsers and
learning platforms make of the notebook's name (``<student>_nn_from_scratch-1.ipynb``,
``<student>_nn_from_scratch (1).ipynb``); each such file is collected under the
assignment's name, with one visible line saying so.

:class:`GradesWithNotes` (``nbgrader export``): nbgrader's CSV export, plus a
``note`` column naming each student whose grade is 0 because nothing was graded
(no submission, or a notebook autograde skipped).
"""

from __future__ import annotations

import csv
import os

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
