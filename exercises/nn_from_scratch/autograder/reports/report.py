"""Reports of a verdict: a readable table, Gradescope's results.json, a class grades.csv."""

from __future__ import annotations

import base64
import csv
import html
import json
from collections.abc import Iterable
from pathlib import Path

from ..checks import Check
from ..checks.results import Verdict
from .class_report import fingerprint


def table(verdict: Verdict) -> str:
    lines = [f"Grading {verdict.submission}"]
    width = max(len(r.name) for r in verdict.results)
    for result in verdict.results:
        mark = "ok  " if result.passed else "FAIL"
        hidden = " (hidden)" if result.check.hidden else ""
        lines.append(f"  {mark} {result.name:<{width}} {result.score:>4g}/{result.check.points:<3}{hidden}")
        if not result.passed:
            lines.extend(f"       {line}" for line in result.message.splitlines())
        elif result.note:
            lines.append(f"       {result.note}")
    lines.extend(f"  note: {note}" for note in verdict.notes)
    if verdict.isolation:
        lines.append(f"  isolation: {verdict.isolation}")
    lines.append(f"Total: {verdict.score:g}/{verdict.max_score}")
    return "\n".join(lines)


def gradescope(verdict: Verdict) -> dict:
    """Gradescope's results.json: score, execution_time, tests[name, score, max_score, output, visibility].

    What students see is each test's output; how grading went (notes, the isolation) is
    for the instructor, in ``extra_data``, which Gradescope does not show them.
    """
    return {
        "score": verdict.score,
        "execution_time": round(verdict.seconds, 3),
        "output": "",
        "extra_data": {"isolation": verdict.isolation, "notes": verdict.notes},
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": result.name,
                "score": result.score,
                # The failed check's observations, fingerprinted for the class report (class_report.py).
                "extra_data": {"check_id": result.id, **({"fingerprint": mark} if (mark := fingerprint(result)) else {})},
                "max_score": result.check.points,
                "output": result.message or (f"passed: {result.note}" if result.note else "passed"),
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


def write_grades_csv(rows: Iterable[tuple[str, Verdict | str]], checks: list[Check], path: Path) -> None:
    """One row per student: student, score, max, then one column per check id (its score), then notes."""
    max_score = sum(check.points for check in checks)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "score", "max_score", *(check.id for check in checks), "error", "isolation"])
        for student, verdict in rows:
            if isinstance(verdict, str):  # could not be graded
                writer.writerow([student, 0, max_score, *([0] * len(checks)), verdict, ""])
                continue
            scores = {r.id: r.score for r in verdict.results}
            writer.writerow([student, f"{verdict.score:g}", max_score,
                             *(f"{scores.get(check.id, 0):g}" for check in checks), "; ".join(verdict.notes),
                             verdict.isolation])


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } .total { font-size: 1.25rem; margin: 0.5rem 0 1.5rem; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 0.35rem 0.5rem; vertical-align: top; }
tr { border-bottom: 1px solid #ddd; } .pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
summary { cursor: pointer; color: #555; font-size: 0.85rem; }
.points { white-space: nowrap; text-align: right; } pre { white-space: pre-wrap; margin: 0.25rem 0; font-size: 0.85rem; }
figure { margin: 1rem 0; } figcaption { font-size: 0.9rem; color: #555; } img { max-width: 100%; }
"""


def html_report(verdict: Verdict) -> str:
    """A self-contained page: total, every check with its score and message, the pictures embedded."""
    from . import pictures

    rows, figures = [], []
    for result in verdict.results:
        status = '<span class="pass">passed</span>' if result.passed else '<span class="fail">failed</span>'
        hidden = " (hidden)" if result.check.hidden else ""
        shown = result.message or result.note  # a failure's message, or a passed check's figure
        message = f"<pre>{html.escape(shown)}</pre>" if shown else ""
        if result.details:  # the message is kept short; the arrays behind it are a click away
            message += (f'<details class="arrays"><summary>the full arrays</summary>'
                        f"<pre>{html.escape(result.details)}</pre></details>")
        rows.append(f'<tr class="check"><td>{status}</td><td><b>{html.escape(result.name)}</b>{hidden}{message}</td>'
                    f'<td class="points">{result.score:g} / {result.check.points}</td></tr>')
        for caption, png in pictures.for_check(result.check, result.observations, result.expected, result.passed):
            data = base64.b64encode(png).decode("ascii")
            figures.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                           f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    notes = "".join(f"<p>{html.escape(note)}</p>" for note in verdict.notes)
    title = f"Feedback: {html.escape(verdict.submission.name)}"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
            f'<p class="total" id="total">Total: {verdict.score:g} / {verdict.max_score}</p>{notes}'
            f"{''.join(figures)}<table><tr><th></th><th>check</th><th>points</th></tr>{''.join(rows)}</table>"
            "</body></html>\n")


def write_html(verdict: Verdict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html_report(verdict), encoding="utf-8")
