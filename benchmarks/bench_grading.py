"""Grading speed: the autograder against nbgrader, and a whole class.

Run from the repository root:

    python benchmarks/bench_grading.py [--students N]

It measures, in temporary folders that it removes afterwards:

1. ``python -m autograder grade <notebook> --json r.json`` on the reference typed into the
   exercise (examples/submissions/ada), median of 3 runs;
2. ``nbgrader autograde nn_from_scratch`` on the same notebook for one student, in a course
   folder made from a copy of solutions/ and nbgrader_config.py, median of 3 runs;
3. ``python -m autograder grade <folder>`` on a class of N submissions (default 200) cycled from
   the example submissions ada, ben, cleo (notebooks) and dev (.py); eve.py is left out because it
   deliberately hangs for 10 s.

It prints the figures and PASS/MISS for each goal (nbgrader/autograder at least 8x for one
submission; N submissions in under 30 s on 2 cores; the grading process's peak memory, measured
in the class run, under 200 MB; the class report under 5% of grading the class). It reports and does not assert: the exit
code is 0 whether or not the goals are met (1 only if a command itself fails).
Standard library only; it uses the interpreter that runs it for every command.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "submissions"
REFERENCE_NOTEBOOK = EXAMPLES / "ada" / "nn_from_scratch" / "nn_from_scratch.ipynb"
ASSIGNMENT = "nn_from_scratch"
NOTEBOOK_NAME = "nn_from_scratch.ipynb"
# Cycled to build a class; eve.py is left out (it hangs for 10 s on purpose).
CLASS_SOURCES = [
    ("ada", EXAMPLES / "ada" / ASSIGNMENT / NOTEBOOK_NAME),
    ("ben", EXAMPLES / "ben" / ASSIGNMENT / NOTEBOOK_NAME),
    ("cleo", EXAMPLES / "cleo" / ASSIGNMENT / NOTEBOOK_NAME),
    ("dev", EXAMPLES / "dev.py"),
]
RUNS = 3
GOAL_RATIO = 8.0  # nbgrader time / autograder time, one submission
GOAL_CLASS_SECONDS = 30.0  # N submissions, on 2 cores
GOAL_PEAK_MB = 200  # the grading process itself (not its workers)
GOAL_REPORT_SHARE = 0.05  # the class report, as a share of grading the class
# Runs the command line in this process, then prints the process's own peak resident memory (VmHWM:
# ru_maxrss would include the size of the process that started it, which Linux carries over an exec).
WITH_PEAK = ("import re, sys\nfrom autograder.__main__ import main\ntry:\n    main(sys.argv[1:])\nfinally:\n"
             "    print('peak_kb', re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1], file=sys.stderr)\n")
GOAL_CORES = 2


class CommandFailed(RuntimeError):
    pass


def environment() -> dict:
    """The current environment with this interpreter's bin folder first on PATH (nbgrader runs alembic)."""
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    return env


def timed(command: list, cwd: Path) -> float:
    """Run command, return its wall time in seconds; raise CommandFailed on a non-zero exit."""
    return run_command(command, cwd)[0]


def run_command(command: list, cwd: Path) -> tuple[float, str]:
    """Run command; its wall time in seconds and its standard error. CommandFailed on a non-zero exit."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=environment(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise CommandFailed(f"{' '.join(map(str, command))} exited {done.returncode} in {cwd}:\n{tail}")
    return elapsed, done.stderr


def run(command: list, cwd: Path) -> None:
    """Run an untimed set-up command; raise CommandFailed on a non-zero exit."""
    timed(command, cwd)


def remove_tree(path: Path) -> None:
    """rmtree that also copes with read-only files and folders (nbgrader writes files 0444)."""

    def make_writable_and_retry(function, target, _exc_info):
        parent = os.path.dirname(target)
        for p in (parent, target):
            try:
                os.chmod(p, 0o700)
            except OSError:
                pass
        function(target)

    shutil.rmtree(path, onerror=make_writable_and_retry)


def bench_autograder_one(work: Path) -> tuple[list[float], float]:
    """Wall times of grading the reference notebook with --json, and the score it got.

    Raises CommandFailed unless that is full marks: a stale example would measure something else.
    """
    out = work / "r.json"
    times = []
    for _ in range(RUNS):
        out.unlink(missing_ok=True)
        times.append(timed([sys.executable, "-m", "autograder", "grade", str(REFERENCE_NOTEBOOK),
                            "--json", str(out)], cwd=REPO))
    results = json.loads(out.read_text())
    full = sum(test["max_score"] for test in results["tests"])
    if results["score"] != full:
        raise CommandFailed(f"{REFERENCE_NOTEBOOK} scored {results['score']:g} of {full}, not full marks: "
                            "regenerate the examples with `python -m autograder refresh`")
    return times, results["score"]


def bench_nbgrader_one(work: Path) -> tuple[list[float], float]:
    """Wall times of nbgrader autograde for one student, and the score in the gradebook."""
    course = work / "course"
    course.mkdir()
    shutil.copytree(REPO / "solutions", course / "solutions")
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    nbgrader = [sys.executable, "-m", "nbgrader"]
    student = "s000"
    run(nbgrader + ["generate_assignment", ASSIGNMENT], cwd=course)
    run(nbgrader + ["db", "student", "add", student], cwd=course)
    submitted = course / "submitted" / student / ASSIGNMENT
    submitted.mkdir(parents=True)
    shutil.copy2(REFERENCE_NOTEBOOK, submitted / NOTEBOOK_NAME)
    times = []
    for i in range(RUNS):
        force = ["--force"] if i else []
        times.append(timed(nbgrader + ["autograde", ASSIGNMENT] + force, cwd=course))
    with sqlite3.connect(course / "gradebook.db") as db:
        (score,) = db.execute("SELECT SUM(COALESCE(manual_score, auto_score)) FROM grade").fetchone()
    return times, score


def build_class(folder: Path, n: int, sources: list[tuple[str, Path]] = CLASS_SOURCES, digits: int = 3) -> list[str]:
    """N submissions s000, s001, ... (``digits`` wide) cycled from ``sources``; returns the source name of each."""
    folder.mkdir()
    picked = []
    for i in range(n):
        name, source = sources[i % len(sources)]
        student = f"s{i:0{digits}d}"
        if source.suffix == ".py":
            shutil.copy2(source, folder / f"{student}.py")
        else:
            target = folder / student / ASSIGNMENT
            target.mkdir(parents=True)
            shutil.copy2(source, target / NOTEBOOK_NAME)
        picked.append(name)
    return picked


def bench_class(work: Path, n: int) -> tuple[float, float, float, dict[str, list[str]], int, list[str]]:
    """Wall time of grading a class of n (class report included); the grading process's peak memory in MB;
    the wall time of the class report alone; scores by source submission; rows in grades.csv; odd results.

    Copies of one source should all get the same score: any copy whose score differs from the
    most common one for its source is listed, with the first check it scored differently.
    """
    folder = work / "submitted"
    sources = build_class(folder, n)
    out = work / "graded"
    elapsed, errors = run_command([sys.executable, "-c", WITH_PEAK, "grade", str(folder), "--out", str(out)],
                                  cwd=REPO)
    peak_mb = int(errors.split("peak_kb")[-1].split()[0]) / 1024
    # The class report is part of `grade DIR`; timed again on its own, from the results just written.
    report_time = timed([sys.executable, "-m", "autograder", "class-report", str(out), "--out", str(work / "report")],
                        cwd=REPO)
    by_student = {}
    with open(out / "grades.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            by_student[row["student"]] = row["score"]
    scores: dict[str, list[str]] = {}
    for i, source in enumerate(sources):
        scores.setdefault(source, []).append(by_student.get(f"s{i:03d}", "missing"))
    usual = {source: Counter(s).most_common(1)[0][0] for source, s in scores.items()}
    usual_copy = {}  # source -> a student whose score is the usual one
    for i, source in enumerate(sources):
        if by_student.get(f"s{i:03d}") == usual[source]:
            usual_copy.setdefault(source, f"s{i:03d}")
    odd = []
    for i, source in enumerate(sources):
        student = f"s{i:03d}"
        score = by_student.get(student, "missing")
        if score != usual[source]:
            difference = first_difference(out / f"{student}.json", out / f"{usual_copy[source]}.json")
            odd.append(f"{student} (copy of {source}) scored {score}, not {usual[source]}: {difference}")
    return elapsed, peak_mb, report_time, scores, len(by_student), odd


def first_difference(result: Path, usual_result: Path) -> str:
    """The first check scored differently in result than in usual_result, with result's message."""
    try:
        tests = json.loads(result.read_text())["tests"]
        usual = {t["name"]: t["score"] for t in json.loads(usual_result.read_text())["tests"]}
    except (OSError, ValueError, KeyError):
        return "no results file"
    for test in tests:
        if test["score"] != usual.get(test["name"]):
            return f"{test['name']}: {test['output'].splitlines()[0][:160]}"
    return "no differing check found"


def load() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def fmt_runs(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_machine(title: str, *more: str) -> None:
    """The benchmark's heading: the machine, the versions, any more lines, and the load at the start."""
    print(title)
    print(f"  machine: {os.cpu_count() or 1} cores (os.cpu_count), {platform.system()} {platform.machine()}")
    print(f"  Python {platform.python_version()}, numpy {version('numpy')}, nbgrader {version('nbgrader')}")
    for line in more:
        print(f"  {line}")
    print(f"  load average at start (1/5/15 min): {load()}")
    print()


def print_end(started: float) -> None:
    """The benchmark's last lines: the load at the end, and how long it took since ``started`` (perf_counter)."""
    print()
    print(f"load average at end (1/5/15 min): {load()}")
    print(f"benchmark took {time.perf_counter() - started:.1f} s")


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """(measurement, wall time, details) rows under a header."""
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'wall time':>9}  details")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 7}")
    for label, figure, details in rows:
        print(f"{label:<{width}}  {figure:>9}  {details}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200, help="size of the class to grade (default 200)")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")

    started = time.perf_counter()
    cores = os.cpu_count() or 1
    print_machine("Grading benchmark")

    work = Path(tempfile.mkdtemp(prefix="bench_grading_"))
    try:
        try:
            auto_times, auto_score = bench_autograder_one(work)
            nb_dir = work / "nbgrader_one"
            nb_dir.mkdir()
            nb_times, nb_score = bench_nbgrader_one(nb_dir)
            class_dir = work / "class"
            class_dir.mkdir()
            class_time, peak_mb, report_time, class_scores, graded_rows, odd = bench_class(class_dir, args.students)
        except CommandFailed as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    finally:
        remove_tree(work)

    auto = statistics.median(auto_times)
    nb = statistics.median(nb_times)
    ratio = nb / auto
    n = args.students
    per_submission = class_time / n

    rows = [
        ("autograder, 1 submission (median of 3)", f"{auto:.2f} s", f"runs {fmt_runs(auto_times)}; score {auto_score:g}"),
        ("nbgrader autograde, 1 submission (median of 3)", f"{nb:.2f} s", f"runs {fmt_runs(nb_times)}; score {nb_score:g}"),
        (f"autograder, class of {n}", f"{class_time:.2f} s", f"{per_submission:.3f} s per submission; {graded_rows} rows "
                                                             f"in grades.csv; grading process peak {peak_mb:.0f} MB"),
        (f"class report of {n} (part of the above)", f"{report_time:.2f} s", f"{report_time / class_time:.1%} of grading "
                                                                            "the class; python -m autograder class-report"),
    ]
    print_table(rows)
    print()
    print("class of {}: scores by copied submission (copies of one submission should agree)".format(n))
    for name, s in class_scores.items():
        counts = ", ".join(f"{score} x{count}" for score, count in Counter(s).most_common())
        print(f"  {name} x{len(s)}: {counts}")
    if odd:
        print(f"  {len(odd)} copies scored differently from the other copies of the same submission:")
        for line in odd[:10]:
            print(f"    {line}")
        if len(odd) > 10:
            print(f"    ... and {len(odd) - 10} more")
    print()
    print("goals")
    print(f"  {verdict(ratio >= GOAL_RATIO)}  nbgrader/autograder, 1 submission: {ratio:.1f}x (goal: at least {GOAL_RATIO:g}x)")
    core_note = "" if cores == GOAL_CORES else f"; measured on {cores} cores, not {GOAL_CORES}"
    print(f"  {verdict(class_time < GOAL_CLASS_SECONDS)}  {n} submissions: {class_time:.1f} s "
          f"(goal: under {GOAL_CLASS_SECONDS:g} s on {GOAL_CORES} cores{core_note}); {per_submission:.3f} s per submission")
    print(f"  {verdict(peak_mb < GOAL_PEAK_MB)}  grading process peak memory: {peak_mb:.0f} MB (goal: under {GOAL_PEAK_MB} MB)")
    print(f"  {verdict(report_time < GOAL_REPORT_SHARE * class_time)}  class report: {report_time / class_time:.1%} "
          f"of grading the class (goal: under {GOAL_REPORT_SHARE:.0%})")
    print_end(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
