"""A class at a glance: what to reteach, what many students got wrong the same way, who may have copied.

Built from per-student result files (Gradescope's results.json format, which
``grade DIR`` writes as ``<student>.json`` and Gradescope keeps per submission),
one file at a time: what is kept per student is a score and the fingerprints of
its unexplained wrong results, so a class of 10,000 fits in a few megabytes.

- the score distribution, and each check's pass rate in teaching order;
- the named mistakes ("Likely cause: ..."), with how many students made each and
  one example message;
- unexplained failures grouped by identical wrong results (each failed check's
  observations are fingerprinted when it is judged): "12 students share this
  wrong Layer.backward result", even before anyone has a name for it;
- a reteach list: the three mistakes that cost the class the most points;
- a collusion signal, not a verdict: students whose wrong results on the hidden
  random inputs are bit-identical across several checks and match no named
  mistake. Correct results never count.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from ..checks import by_id, catalogue
from ..checks.misconceptions import likely_cause

CAUSE = likely_cause("")  # "\nLikely cause: ": how a named mistake ends a message
SHARED_HIDDEN_CHECKS = 2  # identical wrong hidden results in at least this many checks: listed as a pair
CAVEAT = ("Identical wrong results can also come from a shared, legitimate source (a study group, a tutor, the "
          "same wrong example online): read the two submissions side by side before concluding anything.")


def fingerprint(result) -> str | None:
    """A short digest of what a failed check observed (the keys its judge compares), or None."""
    if result.passed or not result.observations:
        return None
    keys = getattr(result.check.judge, "keys", None)
    digest = hashlib.sha256()
    for case in result.observations:
        for key in sorted(case):
            if keys and key not in keys:
                continue
            array = np.ascontiguousarray(case[key], dtype=np.float64)
            digest.update(f"{key}{array.shape}".encode())
            digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def cause(message: str) -> str | None:
    """The named mistake a message ends with, if any."""
    if CAUSE not in message:
        return None
    return message.rpartition(CAUSE)[2].strip().split("\n")[0] or None


@dataclass
class ClassReport:
    max_score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)
    not_graded: dict[str, str] = field(default_factory=dict)
    passed: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # check id -> students who passed
    mistakes: dict[str, dict] = field(default_factory=dict)  # cause -> students, points lost, checks, example
    shared: dict[tuple[str, str], dict] = field(default_factory=dict)  # (check id, fingerprint) -> students, example
    named: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # student -> their named mistakes

    def add(self, student: str, results: dict) -> None:
        """One student's results.json (as a dict)."""
        tests = results.get("tests") or []
        if not tests:
            self.not_graded[student] = str(results.get("output", ""))[:300]
            return
        self.scores[student] = float(results["score"])
        self.max_score = max(self.max_score, sum(float(t["max_score"]) for t in tests))
        for test in tests:
            check_id = (test.get("extra_data") or {}).get("check_id", test["name"])
            if test["score"] >= test["max_score"]:
                self.passed[check_id] += 1
                continue
            message = str(test.get("output", "")).replace(student, "<student>")
            named = cause(message)
            lost = float(test["max_score"]) - float(test["score"])
            if named:
                entry = self.mistakes.setdefault(named, {"students": set(), "points": 0.0, "checks": set(),
                                                          "example": message})
                entry["students"].add(student)
                entry["points"] += lost
                entry["checks"].add(check_id)
                self.named[student].add(named)
                continue
            mark = (test.get("extra_data") or {}).get("fingerprint")
            if mark:
                entry = self.shared.setdefault((check_id, mark), {"students": [], "example": message})
                entry["students"].append(student)

    @property
    def graded(self) -> int:
        return len(self.scores)

    def pass_rates(self) -> list[tuple[str, str, int, float]]:
        """(id, name, points, pass rate) per check, in teaching order."""
        return [(c.id, c.name, c.points, self.passed.get(c.id, 0) / self.graded if self.graded else 0.0)
                for c in catalogue()]

    def common_wrong_results(self) -> list[tuple[str, str, list[str], str]]:
        """(check id, fingerprint, students, example) for unexplained wrong results two or more students share."""
        groups = [(check, mark, sorted(entry["students"]), entry["example"])
                  for (check, mark), entry in self.shared.items() if len(entry["students"]) >= 2]
        return sorted(groups, key=lambda group: (-len(group[2]), group[0]))

    def reteach(self, n: int = 3) -> list[tuple[str, dict]]:
        return sorted(self.mistakes.items(), key=lambda item: (-item[1]["points"], item[0]))[:n]

    def collusion(self) -> list[tuple[tuple[str, str], list[str]]]:
        """Pairs of students with identical unexplained wrong results on SHARED_HIDDEN_CHECKS hidden checks or more.

        Two students who made the same named mistake share what it causes elsewhere (a wrong
        Sigmoid.backward changes every check that trains a layer), so such a pair is not counted.
        """
        hidden = {c.id for c in catalogue() if c.hidden}
        together: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (check, _), entry in self.shared.items():
            if check in hidden:
                for a, b in combinations(sorted(set(entry["students"])), 2):
                    if not self.named.get(a, set()) & self.named.get(b, set()):
                        together[(a, b)].append(check)
        return sorted((pair, sorted(checks)) for pair, checks in together.items() if len(checks) >= SHARED_HIDDEN_CHECKS)


def read(folder: Path) -> ClassReport:
    """Every ``<student>.json`` in ``folder`` (or ``<student>/results.json``), and ``grades.csv``'s ungraded rows."""
    folder = Path(folder)
    report = ClassReport()
    files = [(path.stem, path) for path in sorted(folder.glob("*.json"))]
    files += [(path.parent.name, path) for path in sorted(folder.glob("*/results.json"))]
    for student, path in files:
        try:
            results = json.loads(path.read_text())
        except (OSError, ValueError):
            report.not_graded[student] = f"{path.name}: not a results file"
            continue
        if isinstance(results, dict) and "score" in results:
            report.add(student, results)
    grades = folder / "grades.csv"
    if grades.is_file():
        with open(grades, newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("error") and row["student"] not in report.scores:
                    report.not_graded[row["student"]] = row["error"]
    return report


def write(report: ClassReport, out: Path) -> tuple[Path, Path]:
    """``out/class_report.html`` and ``out/class_report.csv``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page, table = out / "class_report.html", out / "class_report.csv"
    page.write_text(html_page(report), encoding="utf-8")
    with open(table, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "what", "check", "students", "points_lost", "share", "example"])
        for check_id, name, points, rate in report.pass_rates():
            failed = report.graded - report.passed.get(check_id, 0)
            writer.writerow(["check", name, check_id, failed, failed * points, f"{1 - rate:.3f}", ""])
        for named, entry in sorted(report.mistakes.items(), key=lambda item: -len(item[1]["students"])):
            writer.writerow(["mistake", named, " ".join(sorted(entry["checks"])), len(entry["students"]),
                             f"{entry['points']:g}", f"{len(entry['students']) / max(report.graded, 1):.3f}",
                             entry["example"]])
        for check_id, mark, students, example in report.common_wrong_results():
            writer.writerow(["same wrong result", mark, check_id, len(students), "",
                             f"{len(students) / max(report.graded, 1):.3f}", example])
        for students, checks in report.collusion():
            writer.writerow(["identical hidden results", " ".join(students), " ".join(checks), len(students), "",
                             "", CAVEAT])
    return page, table


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; } td, th { padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
tr { border-bottom: 1px solid #ddd; } .n { text-align: right; white-space: nowrap; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.2rem 0; font-size: 0.8rem; color: #444; }
.pictures { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; } img { max-width: 100%; } .caveat { color: #8a4b00; }
"""


def html_page(report: ClassReport) -> str:
    e = html.escape
    scores = list(report.scores.values())
    summary = (f"{report.graded} graded, {len(report.not_graded)} not graded; mean {statistics.fmean(scores):.1f}, "
               f"median {statistics.median(scores):g} of {report.max_score:g}" if scores else "nothing graded")
    parts = [f"<h1>Class report</h1><p id='summary'>{e(summary)}</p>",
             f"<div class='pictures'>{_img(_histogram(report), 'score distribution')}"
             f"{_img(_pass_rate_chart(report), 'pass rate per check')}</div>"]
    reteach = report.reteach()
    parts.append("<h2>Reteach first</h2>")
    parts.append("<ol>" + "".join(f"<li><b>{e(named)}</b>: {len(entry['students'])} students, "
                                  f"{entry['points']:g} points lost</li>" for named, entry in reteach) + "</ol>"
                 if reteach else "<p>No named mistake.</p>")
    parts.append("<h2>Checks, in teaching order</h2><table><tr><th>check</th><th class='n'>points</th>"
                 "<th class='n'>passed</th></tr>")
    parts += [f"<tr><td>{e(name)}</td><td class='n'>{points}</td><td class='n'>{rate:.0%}</td></tr>"
              for _, name, points, rate in report.pass_rates()]
    parts.append("</table><h2>Named mistakes</h2><table><tr><th>mistake</th><th class='n'>students</th>"
                 "<th>an example message</th></tr>")
    parts += [f"<tr><td>{e(named)}</td><td class='n'>{len(entry['students'])}</td>"
              f"<td><pre>{e(entry['example'])}</pre></td></tr>"
              for named, entry in sorted(report.mistakes.items(), key=lambda item: -len(item[1]["students"]))]
    parts.append("</table><h2>The same wrong result, no name yet</h2><table><tr><th>check</th>"
                 "<th class='n'>students</th><th>an example message</th></tr>")
    parts += [f"<tr><td>{e(by_id(check).name)}{_also_named(report, students)}</td><td class='n'>{len(students)}</td>"
              f"<td><pre>{e(example)}</pre></td></tr>" for check, _, students, example in report.common_wrong_results()]
    parts.append("</table><h2>Identical wrong results on hidden inputs</h2>")
    groups = report.collusion()
    parts.append(f"<p class='caveat'>{e(CAVEAT)}</p><table><tr><th>students</th><th>checks</th></tr>" +
                 "".join(f"<tr><td>{e(', '.join(students))}</td><td>{e(', '.join(by_id(c).name for c in checks))}"
                         "</td></tr>" for students, checks in groups) + "</table>"
                 if groups else "<p>None.</p>")
    if report.not_graded:
        parts.append("<h2>Not graded</h2><table>" + "".join(
            f"<tr><td>{e(student)}</td><td>{e(reason)}</td></tr>" for student, reason in sorted(report.not_graded.items()))
            + "</table>")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Class report</title>"
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _also_named(report: ClassReport, students: list[str]) -> str:
    """How many of these students also made a named mistake (which may be what this follows from)."""
    named = sum(1 for student in students if report.named.get(student))
    return f"<br><small>{named} of them also made a named mistake, which may cause this</small>" if named else ""


def _img(svg: str, alt: str) -> str:
    return f"<img alt='{alt}' src='data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode('ascii')}'>"


# The two charts are plain SVG (bars and labels): matplotlib would cost a second of imports and rendering, as
# long as grading a class of 200 takes twenty.
def _svg(width: int, height: int, body: list[str]) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"font-family='DejaVu Sans, sans-serif' font-size='11'>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11, weight: str = "normal") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' font-size='{size}' font-weight='{weight}'>"
            f"{html.escape(text)}</text>")


def _histogram(report: ClassReport) -> str:
    """Scores in 20 bins from 0 to the maximum."""
    top, bins = report.max_score or 1, 20
    counts = [0] * bins
    for score in report.scores.values():
        counts[min(bins - 1, int(score / top * bins))] += 1
    left, bottom, width, height = 40, 200, 320, 160
    most = max(counts) or 1
    body = [_text(left + width / 2, 18, "Scores", "middle", 13, "bold"),
            f"<line x1='{left}' y1='{bottom}' x2='{left + width}' y2='{bottom}' stroke='black'/>",
            f"<line x1='{left}' y1='{bottom}' x2='{left}' y2='{bottom - height}' stroke='black'/>",
            _text(left - 6, bottom - height + 4, str(most), "end"), _text(left - 6, bottom + 4, "0", "end"),
            _text(14, bottom - height / 2, "students", "middle")]
    body[-1] = body[-1].replace("<text ", f"<text transform='rotate(-90 14 {bottom - height / 2:.1f})' ", 1)
    for i, count in enumerate(counts):
        bar = count / most * height
        body.append(f"<rect x='{left + i * width / bins + 1:.1f}' y='{bottom - bar:.1f}' width='{width / bins - 2:.1f}'"
                    f" height='{bar:.1f}' fill='#4c72b0'/>")
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        body.append(_text(left + fraction * width, bottom + 16, f"{round(fraction * top):g}", "middle"))
    body.append(_text(left + width / 2, bottom + 34, "score", "middle"))
    return _svg(left + width + 20, bottom + 44, body)


def _pass_rate_chart(report: ClassReport) -> str:
    """Each check's share of students who passed it, in teaching order."""
    rates = report.pass_rates()
    left = 12 + 6 * max((len(name) for _, name, _, _ in rates), default=0)  # room for the longest name at 10 px
    row, width = 16, 260
    top = 40
    body = [_text(left + width / 2, 18, "Checks, in teaching order", "middle", 13, "bold")]
    for i, (_, name, _, rate) in enumerate(rates):
        y = top + i * row
        body += [_text(left - 6, y + 11, name, "end", 10),
                 f"<rect x='{left}' y='{y + 2}' width='{rate * width:.1f}' height='{row - 4}' fill='#55a868'/>",
                 _text(left + rate * width + 4, y + 11, f"{rate:.0%}", "start", 10)]
    bottom = top + len(rates) * row
    body += [f"<line x1='{left}' y1='{top}' x2='{left}' y2='{bottom}' stroke='black'/>",
             _text(left + width / 2, bottom + 18, "share of students who passed", "middle")]
    return _svg(left + width + 50, bottom + 28, body)
