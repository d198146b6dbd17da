"""Command line: ``python -m autograder COMMAND``.

    grade SUBMISSION [--json OUT] [--html OUT]
                                    grade one notebook or .py file (isolated), print a table
    grade DIR [--out OUTDIR]        grade a class: one submission per student, in parallel
          [--compare PREVIOUS.csv]  ... and list whose score that changes, through which checks
          [--shard K/N]             ... only slice K of N of the students (merge OUTDIR joins the slices)
    merge OUTDIR                    grades.csv (and the class report) from the slices that --shard wrote there
    class-report DIR [--out OUTDIR] the class report of results already graded: a grade DIR output folder,
                                    or a folder of Gradescope results (<student>.json or <student>/results.json)
    checks                          list the checks: id, points, public or hidden, name
    bundle OUT.zip                  build what students receive (no solutions, no hidden checks)
    gradescope OUT.zip              build a Gradescope autograder (setup.sh, run_autograder)
    rename-submissions COURSE_DIR   before nbgrader autograde: each student's one notebook under the assignment's name
    audit COURSE_DIR                re-grade nbgrader's submitted/ in isolation; compare check by check
    refresh                         after changing a check or the reference: regenerate test cells,
                                    stored expectations, the exercise and the example submissions
"""

from __future__ import annotations

import argparse
import textwrap
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
# Submissions graded at once, for a class and for the audit: one more than the cores, so that none
# idles while this process judges a finished submission.
CLASS_JOBS = (os.cpu_count() or 1) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade a submission, or every submission in a folder")
    grade.add_argument("target", type=Path, help="a notebook, a .py file, or a folder of submissions")
    grade.add_argument("--json", type=Path, help="write Gradescope's results.json here (one submission)")
    grade.add_argument("--html", type=Path, help="write a self-contained HTML report here (one submission)")
    grade.add_argument("--out", type=Path, default=Path("graded"),
                       help="folder for a class's results and grades.csv (default: ./graded)")
    grade.add_argument("--jobs", type=int, default=CLASS_JOBS, help=f"submissions graded at once (default {CLASS_JOBS})")
    grade.add_argument("--timeout", type=float,
                       help="seconds of CPU time one check may use (default: the course's, checks.SECONDS_PER_CHECK)")
    grade.add_argument("--require-sandbox", action="store_true",
                       help="refuse to grade where bubblewrap cannot run (instead of the hardened fallback)")
    grade.add_argument("--compare", type=Path, metavar="PREVIOUS.csv",
                       help="a class: list the students whose scores differ from this earlier grades.csv")
    grade.add_argument("--shard", metavar="K/N", help="a class: grade only slice K of N of the students")

    merge = commands.add_parser("merge", help="join the grades of a class graded in slices (--shard)")
    merge.add_argument("out", type=Path, help="the folder the slices wrote to")

    class_report = commands.add_parser("class-report", help="what a graded class got wrong, as a page and a CSV")
    class_report.add_argument("results", type=Path, help="a folder of <student>.json (or <student>/results.json)")
    class_report.add_argument("--out", type=Path, help="where to write class_report.html/.csv (default: RESULTS)")

    commands.add_parser("checks", help="list the checks with their ids and points")

    bundle = commands.add_parser("bundle", help="build the students' zip from exercises/")
    bundle.add_argument("output", type=Path)

    gradescope = commands.add_parser("gradescope", help="build a Gradescope autograder zip")
    gradescope.add_argument("output", type=Path)
    gradescope_run = commands.add_parser("gradescope-run", help="(inside Gradescope) grade ROOT/submission")
    gradescope_run.add_argument("root", type=Path)

    rename = commands.add_parser("rename-submissions",
                                 help="before nbgrader autograde: give each student's notebook the assignment's name")
    rename.add_argument("course", type=Path, help="the nbgrader course folder (holds submitted/)")

    audit = commands.add_parser("audit", help="compare nbgrader's scores with isolated re-grading")
    audit.add_argument("course", type=Path, help="the nbgrader course folder (holds gradebook.db, submitted/)")
    audit.add_argument("--jobs", type=int, default=CLASS_JOBS, help=f"submissions graded at once (default {CLASS_JOBS})")

    refresh = commands.add_parser("refresh", help="regenerate everything made from the catalogue and the reference")
    refresh.add_argument("--no-exercise", action="store_true", help="skip nbgrader generate_assignment")

    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "merge":
        return _merge(args.out)
    if args.command == "class-report":
        return _class_report(args.results, args.out or args.results)
    if args.command == "checks":
        return _list_checks()
    if args.command == "bundle":
        from .course.bundle import build

        print(f"wrote {build(args.output)}")
        return 0
    if args.command == "gradescope":
        from .course.gradescope import build as build_gradescope

        print(f"wrote {build_gradescope(args.output)}")
        return 0
    if args.command == "gradescope-run":
        from .course.gradescope import run

        return run(args.root)
    if args.command == "audit":
        return _audit(args.course, args.jobs)
    if args.command == "rename-submissions":
        return _rename_submissions(args.course)
    if args.command == "refresh":
        from .course.refresh import refresh as run_refresh

        for line in run_refresh(exercise=not args.no_exercise):
            print(line)
        return 0
    return EXIT_BAD_INPUT


def _grade(args) -> int:
    from .reports import report
    from .grading import isolation
    from .sandboxed.loader import SubmissionError

    from .grading import shards

    target: Path = args.target
    timeout = args.timeout if args.timeout is not None else isolation.Limits().seconds_per_check
    limits = isolation.Limits(seconds_per_check=timeout)
    if (args.shard or args.compare) and not target.is_dir():
        print("error: --shard and --compare are for a folder of submissions", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        shard = shards.parse(args.shard) if args.shard else None
    except shards.ShardError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.compare and not args.compare.is_file():
        print(f"error: {args.compare}: no such file (--compare takes an earlier grades.csv)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        isolation.isolation(args.require_sandbox)
    except isolation.SandboxRequired as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    isolation.adopt_orphans()
    if target.is_dir():
        return _grade_class(target, args.out, args.jobs, limits, shard, args.compare)
    try:
        # One submission: its checks share the cores. (A class shares them between submissions.)
        verdict = isolation.grade(target, limits=isolation.Limits(seconds_per_check=timeout,
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


def _grade_class(folder: Path, out: Path, jobs: int, limits, shard=None, compare: Path | None = None) -> int:
    from .reports import changes
    from .grading import isolation, shards
    from .grading.batch import grade_class
    from .grading.submissions import class_submissions

    if not class_submissions(folder):
        print(f"error: {folder}: no submissions found (expected <student>/ folders or .py/.ipynb files)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    rows = grade_class(folder, out, jobs, limits, shard)
    if not rows:  # a slice can hold nobody
        print(f"slice {shard[0]} of {shard[1]}: no student of {folder} falls in it; {out / shards.file_name(shard)} "
              "has the header only")
        return 0
    width = max(len(student) for student, _ in rows)
    for student, verdict in rows:
        if isinstance(verdict, str):
            print(f"{student:<{width}}  not graded: {verdict}")
        else:
            print(f"{student:<{width}}  {verdict.score:>5g}/{verdict.max_score}")
    print(f"isolation: {isolation.isolation().description}")
    written = out / ("grades.csv" if shard is None else shards.file_name(shard))
    print(f"results: {out}/<student>.json and {written}")
    if shard is None:
        _class_report(out, out)
    if compare:
        found = changes.compare(compare, written)
        changes.write_csv(found, out / "changes.csv")
        print(f"\ncompared with {compare}: {len(found)} student{'s' if len(found) != 1 else ''} would change"
              f"{' (listed in ' + str(out / 'changes.csv') + ')' if found else ''}")
        for change in found:
            print(f"  {changes.describe(change)}")
    print(_class_summary(folder, rows))
    return 0


def _class_summary(folder: Path, rows) -> str:
    """The last line of grading a class: how many were graded, who was not, whose notebook had another name, whose
    checks ran out of time."""
    from .grading.submissions import class_submissions

    graded = {student for student, verdict in rows if not isinstance(verdict, str)}
    not_graded = [student for student, verdict in rows if isinstance(verdict, str)]
    renamed = [student for student, found in class_submissions(folder) if found.renamed and student in graded]
    slow = [(student, verdict.out_of_time) for student, verdict in rows
            if not isinstance(verdict, str) and verdict.out_of_time]
    return (f"{len(rows)} students: {len(graded)} graded, {len(not_graded)} not graded"
            + (f" ({', '.join(not_graded)}; why above)" if not_graded else "")
            + f"; {len(renamed)} graded from a notebook under another name"
            + (f" ({', '.join(renamed)})" if renamed else "")
            + f"; {len(slow)} with checks out of time"
            + (f" ({', '.join(f'{student}: {n}' for student, n in slow)})" if slow else ""))


def _merge(out: Path) -> int:
    from .grading import shards

    try:
        path, students = shards.merge(out)
    except shards.ShardError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{path}: {students} students")
    return _class_report(out, out)


def _class_report(results: Path, out: Path) -> int:
    from .reports import class_report

    if not results.is_dir():
        print(f"error: {results}: not a folder of results", file=sys.stderr)
        return EXIT_BAD_INPUT
    found = class_report.read(results)
    if not found.graded and not found.not_graded:
        print(f"error: {results}: no results (<student>.json or <student>/results.json) in it", file=sys.stderr)
        return EXIT_BAD_INPUT
    page, table = class_report.write(found, out)
    reteach = "; ".join(f"{textwrap.shorten(named, 80)} ({len(entry['students'])})" for named, entry in found.reteach())
    print(f"class report: {page} and {table}" + (f"\nreteach first: {reteach}" if reteach else ""))
    return 0


def _list_checks() -> int:
    from .checks import catalogue

    checks = catalogue()
    width = max(len(check.id) for check in checks)
    for check in checks:
        print(f"{check.id:<{width}}  {check.points:>3}  {'hidden' if check.hidden else 'public'}  {check.name}")
    public = sum(c.points for c in checks if not c.hidden)
    print(f"{len(checks)} checks, {sum(c.points for c in checks)} points ({public} public)")
    return 0


def _rename_submissions(course: Path) -> int:
    from .grading.submissions import rename_for_nbgrader

    submitted = course / "submitted"
    if not submitted.is_dir():
        print(f"error: {course}: no submitted/ folder (is it the nbgrader course folder?)", file=sys.stderr)
        return EXIT_BAD_INPUT
    renamed, problems = rename_for_nbgrader(submitted)
    for line in [*renamed, *problems]:
        print(line)
    students = sum(1 for entry in submitted.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    print(f"{students} students; notebooks renamed: {len(renamed)}; students with nothing to grade: {len(problems)}")
    return 0


def _audit(course: Path, jobs: int) -> int:
    if not (course / "gradebook.db").is_file() or not (course / "submitted").is_dir():
        print(f"error: {course}: not an nbgrader course folder (needs gradebook.db and submitted/)", file=sys.stderr)
        return EXIT_BAD_INPUT
    from .course import audit
    from .grading import isolation

    isolation.adopt_orphans()
    print(audit.report(audit.audit(course, jobs=jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
