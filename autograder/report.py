"""Reports of a verdict: a readable table, Gradescope's results.json, a class grades.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .isolation import Verdict


def table(verdict: Verdict) -> str:
    lines = [f"Grading {verdict.submission}"]
    width = max(len(r.name) for r in verdict.results)
    for result in verdict.results:
        mark = "ok  " if result.passed else "FAIL"
        hidden = " (hidden)" if result.check.hidden else ""
        lines.append(f"  {mark} {result.name:<{width}} {result.score:>4g}/{result.check.points:<3}{hidden}")
        if not result.passed:
            lines.extend(f"       {line}" for line in result.message.splitlines())
    lines.extend(f"  note: {note}" for note in verdict.notes)
    lines.append(f"Total: {verdict.score:g}/{verdict.max_score}")
    return "\n".join(lines)


def gradescope(verdict: Verdict) -> dict:
    """Gradescope's results.json: score, execution_time, tests[name, score, max_score, output, visibility]."""
    return {
        "score": verdict.score,
        "execution_time": round(verdict.seconds, 3),
        "output": "; ".join(verdict.notes),
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": result.name,
                "score": result.score,
                "max_score": result.check.points,
                "output": result.message or "passed",
                # Hidden checks' scores and messages (which never show hidden values) after the due date.
                "visibility": "after_due_date" if result.check.hidden else "visible",
            }
            for result in verdict.results
        ],
    }


def write_json(verdict: Verdict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(gradescope(verdict), indent=2))


def error_result(message: str) -> dict:
    """results.json for a submission that could not be graded at all."""
    return {"score": 0.0, "execution_time": 0.0, "output": message, "tests": [], "stdout_visibility": "hidden"}


def write_grades_csv(rows: list[tuple[str, Verdict | str]], check_names: list[str], max_score: int,
                     path: Path) -> None:
    """One row per student: student, score, max, then one column per check (its score)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "score", "max_score", *check_names, "error"])
        for student, verdict in rows:
            if isinstance(verdict, str):  # could not be graded
                writer.writerow([student, 0, max_score, *([0] * len(check_names)), verdict])
                continue
            scores = {r.name: r.score for r in verdict.results}
            writer.writerow([student, f"{verdict.score:g}", max_score,
                             *(f"{scores.get(name, 0):g}" for name in check_names), "; ".join(verdict.notes)])
