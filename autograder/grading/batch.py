"""Grade a class: one submission per student, in parallel, each in its own worker."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..checks import catalogue
from ..checks import expectations as expected_values
from ..checks.results import Verdict
from ..feedback import report
from ..sandboxed.loader import SubmissionError
from . import isolation, shards
from .submissions import NOTEBOOK, class_submissions


def grade_class(folder: Path, out: Path, jobs: int, limits: isolation.Limits,
                shard: tuple[int, int] | None = None) -> list[tuple[str, Verdict | str]]:
    """Grade every submission under ``folder`` (or slice K of N of them); write ``out/<student>.json`` and
    ``out/grades.csv`` (for a slice, ``out/grades.shard-K-of-N.csv``: ``shards.merge`` joins them).

    Returns (student, verdict) pairs, or (student, reason) for a student who could not be graded.
    """
    from tqdm import tqdm

    submissions = [(student, found) for student, found in class_submissions(folder)
                   if shard is None or shards.owns(student, shard)]
    checks = catalogue()
    live = expected_values.computed_for(checks)  # the reference's side once, before the threads start
    out.mkdir(parents=True, exist_ok=True)

    def one(item):
        student, found = item
        if found.path is None:
            return student, found.problem
        try:
            verdict = isolation.grade(found.path, checks, live, limits)
        except SubmissionError as error:
            return student, str(error)
        if found.renamed:
            verdict.notes.append(f"graded {found.path.name}, not named {NOTEBOOK}")
        report.write_json(verdict, out / f"{student}.json")
        return student, verdict

    rows = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for row in tqdm(pool.map(one, submissions), total=len(submissions), unit="submission", desc="grading",
                        file=sys.stderr):
            rows.append(row)
    report.write_grades_csv(rows, checks, out / ("grades.csv" if shard is None else shards.file_name(shard)))
    return rows
