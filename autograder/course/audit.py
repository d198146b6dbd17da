"""Audit nbgrader's grades with the isolated grader, check by check.

nbgrader runs the test cells in the student's own kernel, where a tampering
notebook can make every check "pass" (say, by replacing ``check``). This
re-grades every student's submission under ``COURSE/submitted/`` (found by the
same rule as every front end, renamed notebooks included) in isolated workers,
and compares each check's score with the gradebook's, in both directions:

- nbgrader higher: tampering, unless the isolated message shows the loader left
  something out that the notebook defined (then it says so);
- nbgrader lower: the notebook's run went differently (a cell that timed out, an
  error in a cell the check depends on); worth a look, never in the student's favour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks.reference import ASSIGNMENT

LOADER_SIGNS = ("is missing because", "While loading your code")


@dataclass
class Disagreement:
    check_id: str
    nbgrader: float
    isolated: float
    message: str  # the isolated grader's message for the check

    @property
    def explanation(self) -> str:
        if self.nbgrader > self.isolated:
            if any(sign in self.message for sign in LOADER_SIGNS):
                return "explained by the loader (the grading command left out something the notebook defines)"
            return "nbgrader higher: looks like tampering, check this notebook"
        return "nbgrader lower: the notebook's own run went differently (a timeout, an error in a cell)"


@dataclass
class Finding:
    student: str
    nbgrader_score: float | None  # None: not autograded by nbgrader yet
    isolated_score: float | None  # None: could not be graded
    note: str = ""
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def suspicious(self) -> bool:
        return any(d.nbgrader > d.isolated and "tampering" in d.explanation for d in self.disagreements)


def nbgrader_grades(course: Path, assignment: str = ASSIGNMENT) -> dict[str, dict[str, float]]:
    """student -> {check id: score} for every autograded test cell of the assignment, from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    grades: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{Path(course).resolve() / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                continue
            scores = {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                      if grade.auto_score is not None or grade.manual_score is not None}
            if scores:
                grades[student.id] = scores
    return grades


def audit(course: Path, assignment: str = ASSIGNMENT, jobs: int = 1) -> list[Finding]:
    from concurrent.futures import ThreadPoolExecutor

    from ..checks import catalogue
    from ..checks.expectations import computed_for
    from ..grading import isolation
    from ..grading.submissions import class_submissions
    from ..sandboxed.loader import SubmissionError

    course = Path(course)
    grades = nbgrader_grades(course, assignment)
    checks = catalogue()
    values = computed_for(checks)  # once, before the threads share it

    def one(item) -> Finding:
        student, found = item
        theirs = grades.get(student)
        nbgrader_total = sum(theirs.values()) if theirs else None
        if found.path is None:
            return Finding(student, nbgrader_total, None, found.problem)
        try:
            verdict = isolation.grade(found.path, checks, values)
        except SubmissionError as error:
            return Finding(student, nbgrader_total, None, str(error))
        note = f"graded {found.path.name}" if found.renamed else ""
        if theirs is None:
            return Finding(student, None, verdict.score, note or "not autograded by nbgrader")
        disagreements = [Disagreement(r.id, theirs.get(r.id, 0.0), r.score, r.message) for r in verdict.results
                         if abs(theirs.get(r.id, 0.0) - r.score) > 1e-9]
        return Finding(student, nbgrader_total, verdict.score, note, disagreements)

    with isolation.reused(), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, class_submissions(course / "submitted")))


def report(findings: list[Finding]) -> str:
    lines = [f"{'student':<20} {'nbgrader':>9} {'isolated':>9}"]
    for f in findings:
        shown = [f"{s:g}" if s is not None else "-" for s in (f.nbgrader_score, f.isolated_score)]
        flag = "  CHECK THIS NOTEBOOK: higher in nbgrader" if f.suspicious else ""
        lines.append(f"{f.student:<20} {shown[0]:>9} {shown[1]:>9}{flag}{('  ' + f.note) if f.note else ''}")
        for d in f.disagreements:
            lines.append(f"{'':<20}   {d.check_id}: nbgrader {d.nbgrader:g}, isolated {d.isolated:g}: {d.explanation}")
    suspicious = [f.student for f in findings if f.suspicious]
    differing = sum(1 for f in findings if f.disagreements)
    lines.append(f"{len(findings)} students audited; {differing} with a check scored differently; "
                 f"{len(suspicious)} higher in nbgrader without an explanation"
                 + (f": {', '.join(suspicious)}" if suspicious else ""))
    return "\n".join(lines)
