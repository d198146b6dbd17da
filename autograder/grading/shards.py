"""A class graded in slices, on several machines, and put back together.

``grade DIR --shard K/N`` grades the students whose name hashes to slice K of N
(the same slice whatever else is in the folder, so adding a late submission does
not move anyone) and writes their ``<student>.json`` files and
``grades.shard-K-of-N.csv``. Any scheduler that can run one command per index
runs the slices (a Slurm job array, a Kubernetes indexed Job: see the README);
``merge OUT`` then checks that every slice of one N is there, once, and writes
``grades.csv`` as a single run would have.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

PATTERN = re.compile(r"grades\.shard-(\d+)-of-(\d+)\.csv")


class ShardError(ValueError):
    """A bad ``K/N``, or slices that do not make up one whole class."""


def parse(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), with 1 <= K <= N."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ShardError(f"--shard takes K/N with 1 <= K <= N (say 3/8), not {text!r}")
    return int(match[1]), int(match[2])


def owns(student: str, shard: tuple[int, int]) -> bool:
    """Whether slice K of N grades this student: a hash of the name, so it never depends on the others."""
    k, n = shard
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % n == k - 1


def file_name(shard: tuple[int, int]) -> str:
    return f"grades.shard-{shard[0]}-of-{shard[1]}.csv"


def merge(out: Path) -> tuple[Path, int]:
    """Write ``out/grades.csv`` from every slice's CSV in ``out``; the path and the number of students.

    ShardError (nothing written) if a slice is missing, slices of different N are mixed,
    their columns differ, or a student appears twice.
    """
    found = {tuple(map(int, m.groups())): path for path in out.glob("grades.shard-*.csv")
             if (m := PATTERN.fullmatch(path.name))}
    if not found:
        raise ShardError(f"{out}: no grades.shard-K-of-N.csv files to merge")
    totals = {n for _, n in found}
    if len(totals) > 1:
        raise ShardError(f"{out}: slices of different counts ({', '.join(f'of {n}' for n in sorted(totals))}); "
                         "keep one run's files only")
    (n,) = totals
    missing = [k for k in range(1, n + 1) if (k, n) not in found]
    if missing:
        raise ShardError(f"{out}: slice{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of {n} "
                         "missing (not run yet, or failed)")
    header, rows = None, {}
    for k in range(1, n + 1):
        with open(found[(k, n)], newline="") as handle:
            reader = csv.reader(handle)
            columns = next(reader, None)
            if header is not None and columns != header:
                raise ShardError(f"{found[(k, n)].name}: its columns differ from slice 1's (another catalogue?)")
            header = columns
            for row in reader:
                if row[0] in rows:
                    raise ShardError(f"{row[0]} appears in two slices")
                rows[row[0]] = row
    path = out / "grades.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows[student] for student in sorted(rows))
    return path, len(rows)
