"""Two nbgrader plugins and a summary, so that no student's work is skipped in silence, and quieter logs.

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

:class:`AutogradeSummary` (``nbgrader autograde``): one paragraph at the end of the
run, after nbgrader's own log: how many students were graded, each student who
failed to grade and why (in the terms of the rule every front end uses to find a
submission, not nbgrader's "did you forget to run generate_assignment?"), each
notebook graded under a name ``rename-submissions`` gave it, and each cell that
ran out of time. It learns these through nbgrader's own extension points: the
converter's ``pre_convert_hook`` and ``post_convert_hook`` (each student begun and
finished), an autograde preprocessor after ``Execute`` (cells that timed out), and
the app's log (folders with no notebook, errors while a student was graded).
"""

from __future__ import annotations

import atexit
import csv
import logging
import os
import re
import sys
import warnings
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import CsvExportPlugin, FileNameCollectorPlugin
from nbgrader.preprocessors import NbGraderPreprocessor

from ..grading import submissions
from .notebook_cells import grade_id


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


class AutogradeSummary(logging.Handler):
    """What one ``nbgrader autograde`` run did, student by student, printed as a paragraph when it ends.

    The instance is :data:`SUMMARY`; ``nbgrader_config.py`` installs it (:func:`summarise_autograde`).
    """

    NO_NOTEBOOK = "No notebooks were matched by '%s'"  # nbgrader's warning for a student folder with none

    def __init__(self):
        super().__init__(logging.WARNING)
        self.assignment = ""
        self.current: str | None = None  # the student being graded
        self.folders: dict[str, Path] = {}  # student -> their submitted/<student>/<assignment>/ folder
        self.graded: list[str] = []
        self.errors: dict[str, str] = {}  # student -> the last line of the last error logged for them
        self.timed_out: dict[str, list[str]] = {}  # student -> cells that ran out of time

    # -- what nbgrader tells us ----------------------------------------------------------------------
    # nbgrader passes the hooks the command's --student, "*" for a class: the student's folder tells who.
    def begin(self, assignment: str, student: str, notebooks: list[str]) -> None:
        """``c.Autograde.pre_convert_hook``: a student's notebooks (submitted/<student>/<assignment>/) are next."""
        folder = Path(notebooks[0]).parent
        self.assignment, self.current = assignment, folder.parent.name
        self.folders[self.current] = folder

    def end(self, assignment: str, student: str, notebooks: list[str]) -> None:
        """``c.Autograde.post_convert_hook``: the student's notebooks were graded and saved."""
        self.graded.append(Path(notebooks[0]).parent.parent.name)
        self.current = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == self.NO_NOTEBOOK and record.levelno == logging.WARNING:
            folder = Path(str(record.args[0])).parent  # the glob's folder: submitted/<student>/<assignment>
            self.folders[folder.parent.name] = folder
            self.errors[folder.parent.name] = "no notebook (.ipynb)"
        elif record.levelno >= logging.ERROR and self.current is not None:
            lines = [line for line in record.getMessage().strip().splitlines() if line.strip()]
            if lines and not lines[-1].startswith("There was an error processing"):
                self.errors[self.current] = lines[-1].strip()

    def cell_timed_out(self, student: str, cell: str) -> None:
        self.timed_out.setdefault(student, []).append(cell)

    # -- what the instructor reads ---------------------------------------------------------------------
    def failed(self) -> dict[str, str]:
        """student -> why nothing was graded for them, in the words of the rule every front end uses."""
        why = {}
        for student, folder in sorted(self.folders.items()):
            if student in self.graded:
                continue
            found = submissions.find(folder) if folder.is_dir() else None
            if found is not None and found.problem:
                why[student] = found.problem
            elif found is not None and found.renamed:
                why[student] = (f"its notebook is named {found.path.name}, not {submissions.NOTEBOOK} "
                                "(run `python -m autograder rename-submissions .` first)")
            else:
                why[student] = self.errors.get(student, "see the log above")
        return why

    def renamed(self) -> dict[str, str]:
        """student graded -> the name their notebook had before ``rename-submissions``."""
        if not self.graded:
            return {}
        before = submissions.renamed_before(self.folders[self.graded[0]].parent.parent)  # submitted/
        return {student: before[student] for student in self.graded if student in before}

    def lines(self) -> list[str]:
        failed, renamed = self.failed(), self.renamed()
        cells = sum(len(c) for c in self.timed_out.values())
        lines = [f"autograde summary{f' ({self.assignment})' if self.assignment else ''}: "
                 f"{len(self.graded)} student{'s' if len(self.graded) != 1 else ''} graded; "
                 f"{len(failed)} failed to grade; {len(renamed)} notebook{'s' if len(renamed) != 1 else ''} "
                 f"graded under a new name; {cells} cell{'s' if cells != 1 else ''} timed out"]
        lines += [f"  failed to grade: {student}: {reason}" for student, reason in failed.items()]
        lines += [f"  renamed: {student}: {old} (by rename-submissions)" for student, old in sorted(renamed.items())]
        lines += [f"  timed out: {student}: {', '.join(cells)}" for student, cells in sorted(self.timed_out.items())]
        return lines

    def print(self) -> None:
        """At exit: the paragraph, if this process autograded anything."""
        if self.folders or self.graded:
            print("\n" + "\n".join(self.lines()), file=sys.stderr, flush=True)


SUMMARY = AutogradeSummary()
begin_student = SUMMARY.begin  # c.Autograde.pre_convert_hook
end_student = SUMMARY.end  # c.Autograde.post_convert_hook


class RecordTimeouts(NbGraderPreprocessor):
    """After ``Execute``: tells :data:`SUMMARY` which cells ran out of time (a check by its id)."""

    def preprocess(self, nb, resources: dict):
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        for position, cell in enumerate(code, 1):
            if any(out.get("ename") == "CellTimeoutError" for out in cell.get("outputs", [])):
                first = cell.source.strip().splitlines()[0][:40] if cell.source.strip() else ""
                SUMMARY.cell_timed_out(resources["nbgrader"]["student"],
                                       grade_id(cell) or f"code cell {position} ({first})")
        return nb, resources


def summarise_autograde() -> None:
    """Called by ``nbgrader_config.py``: listen to autograde's log, and print the summary when it ends."""
    logger = logging.getLogger("AutogradeApp")
    if SUMMARY not in logger.handlers:
        logger.addHandler(SUMMARY)
        atexit.register(SUMMARY.print)
