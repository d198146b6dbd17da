"""Grade a class: one submission per student, in parallel; each job slot's sandbox grades its submissions in turn."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from ..checks import catalogue
from ..checks import expectations as expected_values
from ..reports import report
from ..sandboxed.loader import SubmissionError
from . import isolation, shards
from .submissions import NOTEBOOK, class_submissions


class Score(NamedTuple):
    score: float
    max_score: int
    out_of_time: int = 0  # checks stopped by their time limit


def grade_class(folder: Path, out: Path, jobs: int, limits: isolation.Limits,
                shard: tuple[int, int] | None = None) -> list[tuple[str, Score | str]]:
    """Grade every submission under ``folder`` (or slice K of N of them); write ``out/<student>.json`` and
    ``out/grades.csv`` (for a slice, ``out/grades.shard-K-of-N.csv``: ``shards.merge`` joins them).

    Returns (student, score) pairs, or (student, reason) for a student who could not be graded. Each
    verdict is let go once its files are written: memory does not grow with the class.
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

    scores: list[tuple[str, Score | str]] = []

    def graded(pool):  # in the class's order, as they finish: each row is written, then let go
        for student, verdict in tqdm(pool.map(one, submissions), total=len(submissions), unit="submission",
                                     desc="grading", file=sys.stderr):
            scores.append((student, verdict if isinstance(verdict, str) else
                           Score(verdict.score, verdict.max_score, sum(r.out_of_time for r in verdict.results))))
            yield student, verdict

    with isolation.reused(), ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        report.write_grades_csv(graded(pool), checks, out / ("grades.csv" if shard is None else shards.file_name(shard)))
    return scores
