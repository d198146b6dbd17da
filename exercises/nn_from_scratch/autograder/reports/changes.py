"""A regrade preview: whose score a regrade would change, and through which checks.

``grade DIR --out preview --compare published/grades.csv`` grades into a new
folder and compares: before publishing a fixed tolerance or a new check, an
instructor sees who gains or loses what.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

NOT_CHECKS = ("student", "score", "max_score", "error", "isolation")


@dataclass
class Change:
    student: str
    before: float | None  # None: not in the earlier grades
    after: float | None  # None: not in these grades
    checks: list[tuple[str, str, str]] = field(default_factory=list)  # (check id, before, after)

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


def _read(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = {row["student"]: row for row in reader}
        return [c for c in reader.fieldnames or [] if c not in NOT_CHECKS], rows


def compare(before: Path, after: Path) -> list[Change]:
    """Students whose total or any check's score differs between two grades.csv files, biggest change first."""
    before_checks, old = _read(before)
    after_checks, new = _read(after)
    checks = list(dict.fromkeys([*after_checks, *before_checks]))
    changes = []
    for student in sorted(old.keys() | new.keys()):
        was, now = old.get(student), new.get(student)
        if was is None or now is None:
            changes.append(Change(student, was and float(was["score"]), now and float(now["score"])))
            continue
        moved = [(check, was.get(check, "-"), now.get(check, "-")) for check in checks
                 if _number(was.get(check)) != _number(now.get(check))]
        if moved or float(was["score"]) != float(now["score"]):
            changes.append(Change(student, float(was["score"]), float(now["score"]), moved))
    return sorted(changes, key=lambda change: (-abs(change.delta), change.student))


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def describe(change: Change) -> str:
    """One line: "ada  62 -> 70 (+8): layer_backward_gradient_check 0 -> 8"."""
    if change.before is None:
        return f"{change.student}  new: {change.after:g}"
    if change.after is None:
        return f"{change.student}  {change.before:g} -> not graded now"
    moved = ", ".join(f"{check} {a} -> {b}" for check, a, b in change.checks)
    return f"{change.student}  {change.before:g} -> {change.after:g} ({change.delta:+g}){': ' + moved if moved else ''}"


def write_csv(changes: list[Change], path: Path) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "before", "after", "change", "checks"])
        for change in changes:
            writer.writerow([change.student, "" if change.before is None else f"{change.before:g}",
                             "" if change.after is None else f"{change.after:g}", f"{change.delta:+g}",
                             "; ".join(f"{check} {a} -> {b}" for check, a, b in change.checks)])
