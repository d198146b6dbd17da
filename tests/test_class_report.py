"""The class report and its collusion signal, on a synthetic class whose truth the test knows."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess

import pytest

from autograder.checks import by_id, catalogue
from autograder.reports.class_report import CAVEAT, read

from test_cli import autograder
from test_report import CHROMIUM, HEADLESS
from variants import EXERCISE, REFERENCE, Variant, bug

Z = "self.activation_input = x @ self.weights + self.bias"
# Copied pairs: a mistake nobody catalogued, with a constant of its own per pair, so only the two copies agree.
PAIRS = {f"pair{k}": Variant(f"odd{k}", ((Z, f"{Z} + {k / 100} * np.tanh(x.sum())"),)) for k in (1, 2, 3)}
# Independent students who all make one catalogued mistake: identical results, and a name for them.
SAME_MISTAKE = "sigmoid_backward_at_output"


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class") / "submitted"
    folder.mkdir()
    for pair, variant in PAIRS.items():
        for member in "ab":
            variant.write_py(folder).rename(folder / f"{pair}{member}.py")
    for i in range(6):
        bug(SAME_MISTAKE).write_py(folder).rename(folder / f"same{i}.py")
    for i in range(4):
        REFERENCE.write_py(folder).rename(folder / f"right{i}.py")
    shutil.copy(EXERCISE, folder / "untouched.ipynb")
    out = folder.parent / "graded"
    done = autograder("grade", folder, "--out", out)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, out, done


def test_copied_pairs_are_listed_and_independent_students_with_one_named_mistake_are_not(graded_class):
    _, out, done = graded_class
    report = read(out)
    groups = report.collusion()
    assert sorted(students for students, _ in groups) == [(f"{pair}a", f"{pair}b") for pair in sorted(PAIRS)]
    assert all(len(checks) >= 2 for _, checks in groups)
    same = {f"same{i}" for i in range(6)}
    named = [(cause, entry) for cause, entry in report.mistakes.items() if entry["students"] == same]
    assert len(named) == 1  # the catalogued mistake, named, with its six students
    assert report.reteach()[0][0] == named[0][0]
    assert "reteach first:" in done.stdout


def test_the_report_groups_unnamed_wrong_results_and_counts_every_check(graded_class):
    _, out, _ = graded_class
    report = read(out)
    pairs_in_groups = {tuple(students) for _, _, students, _ in report.common_wrong_results()}
    for pair in PAIRS:
        assert (f"{pair}a", f"{pair}b") in pairs_in_groups
    with open(out / "class_report.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    checks = [row for row in rows if row["kind"] == "check"]
    grades = {row["student"]: row for row in csv.DictReader(open(out / "grades.csv", newline=""))}
    assert [row["check"] for row in checks] == [c.id for c in catalogue()]  # every check, in teaching order
    for row in checks:  # each check's failures agree with grades.csv
        points = by_id(row["check"]).points
        assert int(row["students"]) == sum(float(g[row["check"]]) < points for g in grades.values())
    assert [row["kind"] for row in rows].count("identical hidden results") == len(PAIRS)
    assert all(CAVEAT in row["example"] for row in rows if row["kind"] == "identical hidden results")


def test_class_report_reads_an_already_graded_folder_and_refuses_an_empty_one(graded_class, tmp_path):
    _, out, _ = graded_class
    again = autograder("class-report", out, "--out", tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again" / "class_report.csv").read_text() == (out / "class_report.csv").read_text()
    (tmp_path / "empty").mkdir()
    empty = autograder("class-report", tmp_path / "empty")
    assert empty.returncode == 2 and empty.stderr.count("\n") == 1 and "no results" in empty.stderr


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)")
def test_the_class_report_opens_in_headless_chromium(graded_class, tmp_path):
    _, out, _ = graded_class
    browser = [CHROMIUM, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}"]
    page = (out / "class_report.html").as_uri()
    dom = subprocess.run([*browser, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", dom.stdout)
    graded = len(read(out).scores)
    assert f"{graded} graded, 0 not graded" in text and "Reteach first" in text and CAVEAT in text
    assert re.findall(r"<img alt=\"([^\"]+)\" src=\"data:image/svg\+xml;base64,", dom.stdout) == [
        "score distribution", "pass rate per check"]
    shot = tmp_path / "class_report.png"
    done = subprocess.run([*browser, "--window-size=1100,1800", f"--screenshot={shot}", page],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and shot.stat().st_size > 50_000


def test_identical_results_that_a_shared_named_mistake_explains_do_not_count():
    from autograder.reports.class_report import CAUSE, ClassReport

    hidden = [c for c in catalogue() if c.hidden][:2]
    unit = next(c for c in catalogue() if not c.hidden)

    def results(cause: str) -> dict:
        tests = [{"name": unit.name, "score": 0, "max_score": unit.points, "output": f"wrong.{CAUSE}{cause}",
                  "extra_data": {"check_id": unit.id}}]
        tests += [{"name": c.name, "score": 0, "max_score": c.points, "output": "wrong.",
                   "extra_data": {"check_id": c.id, "fingerprint": f"same-{c.id}"}} for c in hidden]
        return {"score": 0, "tests": tests}

    report = ClassReport()
    for student, cause in (("ann", "mistake A"), ("bo", "mistake A"), ("cy", "mistake B"), ("di", "mistake C")):
        report.add(student, results(cause))
    # ann and bo made the same named mistake: what they share may follow from it. cy and di did not.
    assert [pair for pair, _ in report.collusion()] == [("ann", "cy"), ("ann", "di"), ("bo", "cy"), ("bo", "di"),
                                                          ("cy", "di")]
