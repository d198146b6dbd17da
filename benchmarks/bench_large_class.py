"""A very large class on one machine: time, and memory that does not grow with the class.

Run from the repository root:

    python benchmarks/bench_large_class.py [--students N]

It builds, in a temporary folder that it removes afterwards, a class of N (default 10,000)
submissions cycled from the example submissions (ada, ben and cleo's notebooks, dev.py) and
the bug catalogue (``autograder/checks/staff/bugs.py``, one .py file per bug), grades it with
``python -m autograder grade DIR --out OUT`` (the class report included), and prints:

- the wall time, per submission and in all, and how many rows grades.csv has;
- the grading process's resident memory (sampled every second) when each tenth of the class had
  been graded: flat, if memory does not grow with the class; then during the class report; and
  its peak (VmHWM);
- whether every copy of one source got the same score (a verdict that depended on load or on
  the sandbox reused for it would show here).

It reports and does not assert: the exit code is 0 whether or not memory stayed flat (1 only if
a command fails). Standard library only, and bench_grading.py's helpers.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import bench_grading
from bench_grading import CLASS_SOURCES, REPO, WITH_PEAK, environment, load, remove_tree, version

sys.path.insert(0, str(REPO))
from autograder.checks.staff.bugs import BUGS  # noqa: E402

GOAL_GROWTH = 1.10  # memory with the whole class graded at most 10% above that with a tenth: "flat"


def build_class(folder: Path, n: int) -> list[str]:
    """N submissions s00000, s00001, ... cycled from the examples and the bug catalogue; each one's source."""
    bugs = folder.parent / "bugs"
    bugs.mkdir()
    sources = [*CLASS_SOURCES, *((b.name, b.write_py(bugs)) for b in BUGS)]
    return bench_grading.build_class(folder, n, sources, digits=5)


def resident_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def grade_class(folder: Path, out: Path) -> tuple[float, int, list[tuple[float, int, int]]]:
    """Wall time, peak memory (kB, VmHWM) and samples (seconds, resident kB, results written) of grading."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", WITH_PEAK, "grade", str(folder), "--out", str(out)], cwd=REPO,
                               env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int, int]] = []
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))
    reader.start()
    while process.poll() is None:
        kb = resident_kb(process.pid)
        if kb is not None:
            written = sum(1 for e in os.scandir(out) if e.name.endswith(".json")) if out.is_dir() else 0
            samples.append((time.perf_counter() - start, kb, written))
        time.sleep(1.0)
    elapsed = time.perf_counter() - start
    reader.join()
    if process.returncode != 0:
        raise SystemExit(f"error: grading exited {process.returncode}:\n" + errors[0][-3000:])
    peak_kb = int(errors[0].split("peak_kb")[-1].split()[0])
    return elapsed, peak_kb, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10_000, help="size of the class (default 10,000)")
    args = parser.parse_args(argv)
    n = args.students
    if n < 10:
        parser.error("--students must be at least 10")

    print("Large-class benchmark")
    print(f"  machine: {os.cpu_count()} cores (os.cpu_count), {platform.system()} {platform.machine()}")
    print(f"  Python {platform.python_version()}, numpy {version('numpy')}")
    print(f"  load average at start (1/5/15 min): {load()}")
    work = Path(tempfile.mkdtemp(prefix="bench_large_"))
    try:
        sources = build_class(work / "submitted", n)
        print(f"  class: {n} submissions cycled from {len(set(sources))} sources "
              f"(the examples and the bug catalogue)")
        print()
        elapsed, peak_kb, samples = grade_class(work / "submitted", work / "graded")
        with open(work / "graded" / "grades.csv", newline="") as handle:
            scores = {row["student"]: row["score"] for row in csv.DictReader(handle)}
    finally:
        remove_tree(work)

    print(f"graded {len(scores)} of {n} in {elapsed:.0f} s ({elapsed / 60:.1f} min; {elapsed / n:.3f} s per "
          "submission), class report included")
    print(f"grading process peak memory (VmHWM): {peak_kb / 1024:.0f} MB")
    print()
    print("resident memory of the grading process as the class is graded")
    print(f"  {'graded':>7}  {'time':>7}  {'resident':>9}")
    marks = []  # resident kB when each tenth of the class had been graded
    for tenth in range(1, 11):  # the tenth tenth: the last sample before the report (the last result is written)
        reached = [s for s in samples if s[2] >= tenth * n // 10] if tenth < 10 else \
            [s for s in samples if s[2] < n][-1:]
        if reached:
            at, kb, written = reached[0]
            marks.append(kb)
            print(f"  {written:>7}  {at:>6.0f}s  {kb / 1024:>7.0f} MB")
    after = [kb for _, kb, written in samples if written >= n]
    if after:
        print(f"  then the class report and grades.csv: up to {max(after) / 1024:.0f} MB")
    growth = marks[-1] / marks[0] if len(marks) > 1 else 1.0
    print()
    by_source: dict[str, Counter] = {}
    for i, source in enumerate(sources):
        by_source.setdefault(source, Counter())[scores.get(f"s{i:05d}", "missing")] += 1
    differing = {source: counts for source, counts in by_source.items() if len(counts) > 1}
    print(f"copies of one source that scored differently: {len(differing)} sources"
          + "".join(f"\n  {source}: {dict(counts)}" for source, counts in differing.items()))
    verdict = "PASS" if growth <= GOAL_GROWTH else "MISS"
    print(f"{verdict}  memory flat: {growth:.2f}x as much resident memory with the whole class graded as with a "
          f"tenth of it (goal: at most {GOAL_GROWTH:.2f}x)")
    print(f"load average at end (1/5/15 min): {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
