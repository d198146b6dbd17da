"""Command line: ``python -m autograder COMMAND``.

    grade SUBMISSION [--json OUT] [--html OUT]
                                    grade one notebook or .py file (isolated), print a table
    grade DIR [--out OUTDIR]        grade a class: one submission per student, in parallel
    bundle OUT.zip                  build what students receive (no solutions, no hidden checks)
    gradescope OUT.zip              build a Gradescope autograder (setup.sh, run_autograder)
    audit COURSE_DIR                re-grade nbgrader's submitted/ in isolation; flag higher nbgrader scores
    expected                        refresh the stored public expectations from the reference
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a submission, or every submission in a folder")
    grade.add_argument("target", type=Path, help="a notebook, a .py file, or a folder of submissions")
    grade.add_argument("--json", type=Path, help="write Gradescope's results.json here (one submission)")
    grade.add_argument("--html", type=Path, help="write a self-contained HTML report here (one submission)")
    grade.add_argument("--out", type=Path, default=Path("graded"),
                       help="folder for a class's results and grades.csv (default: ./graded)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    grade.add_argument("--timeout", type=float, default=10.0, help="seconds one check may run (default 10)")

    bundle = commands.add_parser("bundle", help="build the students' zip from exercises/")
    bundle.add_argument("output", type=Path)

    gradescope = commands.add_parser("gradescope", help="build a Gradescope autograder zip")
    gradescope.add_argument("output", type=Path)
    gradescope_run = commands.add_parser("gradescope-run", help="(inside Gradescope) grade ROOT/submission")
    gradescope_run.add_argument("root", type=Path)

    audit = commands.add_parser("audit", help="compare nbgrader's scores with isolated re-grading")
    audit.add_argument("course", type=Path, help="the nbgrader course folder (holds gradebook.db, submitted/)")

    commands.add_parser("expected", help="store the reference's results for the public checks")

    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "bundle":
        from .bundle import build

        path = build(args.output)
        print(f"wrote {path}")
        return 0
    if args.command == "gradescope":
        from .gradescope import build as build_gradescope

        print(f"wrote {build_gradescope(args.output)}")
        return 0
    if args.command == "gradescope-run":
        from .gradescope import run

        return run(args.root)
    if args.command == "audit":
        return _audit(args.course)
    if args.command == "expected":
        from . import expectations, misconceptions

        print(f"wrote {expectations.write_store()}")
        print(f"wrote {misconceptions.write_store()}")
        return 0
    return EXIT_BAD_INPUT


def _grade(args) -> int:
    from . import isolation, report
    from .submission import SubmissionError

    target: Path = args.target
    if target.is_dir():
        return _grade_class(target, args.out, args.jobs, isolation.Limits(seconds_per_check=args.timeout))
    isolation.adopt_orphans()
    try:
        # One submission: its checks share the cores. (A class shares them between submissions.)
        verdict = isolation.grade(target, limits=isolation.Limits(seconds_per_check=args.timeout,
                                                                  parallel=os.cpu_count() or 1))
    except SubmissionError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.html:
        report.write_html(verdict, args.html)
    if args.json:
        report.write_json(verdict, args.json)
    if args.json or args.html:
        written = " and ".join(str(p) for p in (args.json, args.html) if p)
        print(f"{target}: {verdict.score:g}/{verdict.max_score} (written to {written})")
    else:
        print(report.table(verdict))
    return 0


def _audit(course: Path) -> int:
    if not (course / "gradebook.db").is_file() or not (course / "submitted").is_dir():
        print(f"error: {course}: not an nbgrader course folder (needs gradebook.db and submitted/)", file=sys.stderr)
        return EXIT_BAD_INPUT
    from . import audit, isolation

    isolation.adopt_orphans()
    print(audit.report(audit.audit(course)))
    return 0


def find_submissions(folder: Path) -> list[tuple[str, Path | None]]:
    """(student, submission) pairs: DIR/<student>/**/<notebook>, DIR/<student>.py or DIR/<student>.ipynb."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name == "grades.csv":
            continue
        if entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
            preferred = [p for p in notebooks if p.name == "nn_from_scratch.ipynb"] or notebooks
            if not preferred:
                preferred = sorted(entry.rglob("*.py"))
            found.append((entry.name, preferred[0] if preferred else None))
        elif entry.suffix in (".py", ".ipynb"):
            found.append((entry.stem, entry))
    return found


def _grade_class(folder: Path, out: Path, jobs: int, limits) -> int:
    from tqdm import tqdm

    from . import expectations, isolation, report
    from .checks import catalogue
    from .submission import SubmissionError

    isolation.adopt_orphans()
    submissions = find_submissions(folder)
    if not submissions:
        print(f"error: {folder}: no submissions found (expected <student>/ folders or .py/.ipynb files)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    checks = catalogue()
    live = expectations.default()
    for check in checks:  # compute the reference's side once, before the threads start
        live.for_check(check)
    out.mkdir(parents=True, exist_ok=True)
    max_score = sum(c.points for c in checks)

    def one(item):
        student, path = item
        if path is None:
            return student, "no notebook or .py file found"
        try:
            verdict = isolation.grade(path, checks, live, limits)
        except SubmissionError as error:
            return student, str(error)
        report.write_json(verdict, out / f"{student}.json")
        return student, verdict

    rows = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for student, verdict in tqdm(pool.map(one, submissions), total=len(submissions), unit="submission",
                                     desc="grading", file=sys.stderr):
            rows.append((student, verdict))
    report.write_grades_csv(rows, [c.name for c in checks], max_score, out / "grades.csv")
    width = max(len(student) for student, _ in rows)
    for student, verdict in rows:
        if isinstance(verdict, str):
            print(f"{student:<{width}}  not graded: {verdict}")
        else:
            print(f"{student:<{width}}  {verdict.score:>5g}/{max_score}")
    print(f"results: {out}/<student>.json and {out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
