"""Audit speed: `python -m autograder audit` on an nbgrader course of 300 students.

Run from the repository root:

    python benchmarks/bench_audit.py [--students N]

It builds, in a temporary folder that it removes afterwards, an nbgrader course as
`nbgrader autograde` would leave it, without running autograde N times (about 11 s a notebook):

1. a copy of solutions/ and nbgrader_config.py, and `nbgrader generate_assignment` once (the gradebook
   then holds the assignment and its grade cells);
2. submitted/<student>/nn_from_scratch/nn_from_scratch.ipynb for N students, cycled from the example
   notebooks ada, ben and cleo (dev.py is a .py file, not a notebook; eve.py hangs on purpose);
3. through nbgrader's own API (``nbgrader.api.Gradebook``: ``add_student``, ``add_submission``, then each
   grade's ``auto_score``, as autograde's ``SaveAutoGrades`` sets it) each student's score for every
   check, as the grading command gives it for that example; for every 25th student one check's score is
   planted: raised to its points where the example fails it (the audit should call it tampering), else
   lowered to 0 (the audit should list it as lower in nbgrader).

Then it times `python -m autograder audit .` in that course (its default number of jobs) and checks that
the audit listed exactly the planted disagreements, student and check. It prints the figures and
PASS/MISS for the goal (N = 300 in under 5 minutes on 2 cores). It reports and does not assert: the exit
code is 0 whether or not the goal is met (1 only if a command itself fails).
Standard library and nbgrader (the instructor extra); it uses the interpreter that runs it for every command.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_grading import (ASSIGNMENT, CLASS_SOURCES, NOTEBOOK_NAME, REPO, CommandFailed, environment, print_end,
                           print_machine, print_table, remove_tree, run, verdict)

NOTEBOOK_SOURCES = [(name, path) for name, path in CLASS_SOURCES if path.suffix == ".ipynb"]
PLANT_EVERY = 25  # every 25th student, from the 8th, has one check scored differently in the gradebook
PLANT_FIRST = 7
GOAL_SECONDS = 300.0  # 300 notebooks, on 2 cores
GOAL_STUDENTS = 300
GOAL_CORES = 2
# A check's line under its student in the audit's report: "   <check id>: nbgrader X, isolated Y: why".
DISAGREEMENT = re.compile(r"^\s+(\w+): nbgrader (\S+), isolated (\S+): (.*)$")


def isolated_scores(work: Path) -> dict[str, dict[str, float]]:
    """example name -> {check id: score} as `python -m autograder grade` gives it."""
    scores = {}
    for name, path in NOTEBOOK_SOURCES:
        out = work / f"{name}.json"
        run([sys.executable, "-m", "autograder", "grade", str(path), "--json", str(out)], cwd=REPO)
        scores[name] = {test["extra_data"]["check_id"]: test["score"]
                        for test in json.loads(out.read_text())["tests"]}
    return scores


def points() -> dict[str, int]:
    sys.path.insert(0, str(REPO))
    from autograder.checks import catalogue

    return {check.id: check.points for check in catalogue()}


def planted_change(student: int, scores: dict[str, float], most: dict[str, int]) -> tuple[str, float] | None:
    """(check id, score) to store instead of the true one for this student, or None."""
    if student % PLANT_EVERY != PLANT_FIRST:
        return None
    failed = sorted(check for check, score in scores.items() if score < most[check])
    pool = failed or sorted(scores)
    check = pool[(student // PLANT_EVERY) % len(pool)]
    return check, float(most[check]) if failed else 0.0


def build_course(course: Path, n: int, scores: dict[str, dict[str, float]]) -> dict[tuple[str, str], str]:
    """The course folder as autograde leaves it; returns the planted (student, check id) -> "higher"/"lower"."""
    import warnings

    from nbgrader.api import Gradebook

    # SQLAlchemy warns from add_submission's own code (nbgrader_config.py quiets the same for nbgrader's commands).
    warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
    shutil.copytree(REPO / "solutions", course / "solutions")
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT], cwd=course)
    most = points()
    planted = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for i in range(n):
            student = f"s{i:03d}"
            name, source = NOTEBOOK_SOURCES[i % len(NOTEBOOK_SOURCES)]
            folder = course / "submitted" / student / ASSIGNMENT
            folder.mkdir(parents=True)
            shutil.copy2(source, folder / NOTEBOOK_NAME)
            stored = dict(scores[name])
            change = planted_change(i, stored, most)
            if change:
                check, score = change
                planted[student, check] = "higher" if score > stored[check] else "lower"
                stored[check] = score
            gradebook.add_student(student)
            submission = gradebook.add_submission(ASSIGNMENT, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in stored:
                        grade.auto_score = stored[grade.name]
            gradebook.db.commit()
    return planted


def listed_disagreements(report: str) -> dict[tuple[str, str], str]:
    """(student, check id) -> "higher"/"lower" (nbgrader's score against the isolated one), from the report."""
    found, student = {}, None
    for line in report.splitlines()[1:-1]:
        matched = DISAGREEMENT.match(line)
        if matched:
            found[student, matched[1]] = "higher" if float(matched[2]) > float(matched[3]) else "lower"
        elif line and not line.startswith(" "):
            student = line.split()[0]
    return found


def timed_audit(course: Path) -> tuple[float, str]:
    """Wall time of `python -m autograder audit .` in course, and its report (stdout)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "autograder", "audit", "."], cwd=course, env=environment(),
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise CommandFailed(f"audit exited {done.returncode}:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def isolation_used() -> str:
    code = "from autograder.grading import isolation\nprint(isolation.isolation().description)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=GOAL_STUDENTS, help=f"size of the class (default {GOAL_STUDENTS})")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")
    n = args.students

    started = time.perf_counter()
    cores = os.cpu_count() or 1
    print_machine("Audit benchmark", f"isolation: {isolation_used()}")

    work = Path(tempfile.mkdtemp(prefix="bench_audit_"))
    try:
        try:
            scores = isolated_scores(work)
            began = time.perf_counter()
            planted = build_course(work / "course", n, scores)
            build_time = time.perf_counter() - began
            audit_time, report = timed_audit(work / "course")
        except CommandFailed as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    finally:
        remove_tree(work)

    listed = listed_disagreements(report)
    last = report.strip().splitlines()[-1]
    audited = int(last.split()[0]) if last.split()[0].isdigit() else 0
    higher = sum(1 for way in planted.values() if way == "higher")
    rows = [
        (f"course of {n} built (generate_assignment, gradebook API)", f"{build_time:.2f} s",
         f"planted: {len(planted)} checks, {higher} higher in the gradebook, {len(planted) - higher} lower"),
        (f"python -m autograder audit, {n} notebooks", f"{audit_time:.2f} s",
         f"{audit_time / n:.3f} s per notebook; {audited} students audited"),
    ]
    print_table(rows)
    print(f"audit's last line: {last}")
    print()
    missed = sorted(set(planted.items()) - set(listed.items()))
    extra = sorted(set(listed.items()) - set(planted.items()))
    print("audit's findings")
    print(f"  {'OK  ' if not missed and not extra and audited == n else 'FAIL'}  listed {len(listed)} disagreements, "
          f"planted {len(planted)}; {len(missed)} planted not listed, {len(extra)} listed not planted; "
          f"{audited} of {n} students audited")
    for (student, check), way in (missed + extra)[:10]:
        print(f"        {student} {check} ({way}): {'not listed' if (student, check) in planted else 'not planted'}")
    print()
    print("goals")
    core_note = "" if cores == GOAL_CORES else f"; measured on {cores} cores, not {GOAL_CORES}"
    size_note = "" if n == GOAL_STUDENTS else f"; {n} students, not {GOAL_STUDENTS}"
    print(f"  {verdict(audit_time < GOAL_SECONDS)}  audit of {n} notebooks: {audit_time:.1f} s "
          f"(goal: {GOAL_STUDENTS} in under {GOAL_SECONDS:g} s on {GOAL_CORES} cores{core_note}{size_note})")
    print_end(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
