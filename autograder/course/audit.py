"""Audit nbgrader's grades with the isolated grader.

nbgrader runs the test cells in the student's own kernel, where a tampering
notebook can make every check "pass" (say, by replacing ``check``). This
re-grades every notebook under ``COURSE/submitted/`` in isolated workers and
lists the students whose nbgrader score is higher than their isolated score.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..checks.reference import ASSIGNMENT


@dataclass
class Finding:
    student: str
    nbgrader_score: float | None  # None: not autograded by nbgrader yet
    isolated_score: float | None  # None: could not be graded
    note: str = ""

    @property
    def suspicious(self) -> bool:
        return (self.nbgrader_score is not None and self.isolated_score is not None
                and self.nbgrader_score > self.isolated_score + 1e-9)


def nbgrader_scores(course: Path, assignment: str = ASSIGNMENT) -> dict[str, float]:
    """Each student's total score for the assignment, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{Path(course).resolve() / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            try:
                scores[student.id] = gradebook.find_submission(assignment, student.id).score
            except MissingEntry:
                pass
    return scores


def audit(course: Path, assignment: str = ASSIGNMENT) -> list[Finding]:
    from ..grading import isolation
    from ..grading.submissions import class_submissions
    from ..sandboxed.loader import SubmissionError

    course = Path(course)
    scores = nbgrader_scores(course, assignment)
    findings = []
    for student, notebook in class_submissions(course / "submitted"):
        if notebook is None:
            findings.append(Finding(student, scores.get(student), None, "no notebook or .py file found"))
            continue
        try:
            isolated, note = isolation.grade(notebook).score, ""
        except SubmissionError as error:
            isolated, note = None, str(error)
        findings.append(Finding(student, scores.get(student), isolated, note))
    return findings


def report(findings: list[Finding]) -> str:
    lines = [f"{'student':<20} {'nbgrader':>9} {'isolated':>9}"]
    for f in findings:
        shown = [f"{s:g}" if s is not None else "-" for s in (f.nbgrader_score, f.isolated_score)]
        flag = "  HIGHER IN NBGRADER: check this notebook" if f.suspicious else ""
        lines.append(f"{f.student:<20} {shown[0]:>9} {shown[1]:>9}{flag}{('  ' + f.note) if f.note else ''}")
    suspicious = [f.student for f in findings if f.suspicious]
    lines.append(f"{len(suspicious)} of {len(findings)} students score higher in nbgrader than in isolation"
                 + (f": {', '.join(suspicious)}" if suspicious else ""))
    return "\n".join(lines)
