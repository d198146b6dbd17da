"""Tools for a whole class: grading in slices and merging them, and a regrade preview."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from autograder.reports.changes import NOT_CHECKS
from autograder.grading import shards

from test_cli import autograder
from variants import EXERCISE, REFERENCE, bug


@pytest.fixture(scope="module")
def small_class(tmp_path_factory) -> Path:
    """Five students: correct, untouched, two different bugs, and one who submitted nothing."""
    folder = tmp_path_factory.mktemp("class") / "submitted"
    folder.mkdir()
    REFERENCE.write_py(folder).rename(folder / "ada.py")
    shutil.copy(EXERCISE, folder / "ben.ipynb")
    bug("relu_forward_capped").write_py(folder).rename(folder / "cleo.py")
    bug("sigmoid_backward_at_output").write_py(folder).rename(folder / "dev.py")
    (folder / "eve").mkdir()
    return folder


def rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_slices_merged_give_the_grades_of_one_run(small_class, tmp_path):
    whole = autograder("grade", small_class, "--out", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    sliced = tmp_path / "sliced"
    for k in (1, 2, 3):
        done = autograder("grade", small_class, "--out", sliced, "--shard", f"{k}/3")
        assert done.returncode == 0, done.stderr
    slices = [set(rows(sliced / f"grades.shard-{k}-of-3.csv")) for k in (1, 2, 3)]
    assert sum(map(len, slices)) == len(set().union(*slices)) == len(rows(tmp_path / "whole" / "grades.csv"))
    merged = autograder("merge", sliced)
    assert merged.returncode == 0, merged.stderr
    assert (sliced / "grades.csv").read_text() == (tmp_path / "whole" / "grades.csv").read_text()


def test_a_student_always_falls_in_the_same_slice_whoever_else_is_there():
    names = [f"s{i:04d}" for i in range(400)]
    slice_of = {name: next(k for k in range(1, 6) if shards.owns(name, (k, 5))) for name in names}
    assert all(sum(shards.owns(name, (k, 5)) for k in range(1, 6)) == 1 for name in names)
    assert all(30 < list(slice_of.values()).count(k) < 130 for k in range(1, 6))  # spread, not piled up


def test_merge_refuses_an_incomplete_or_mixed_set_of_slices_in_one_line(small_class, tmp_path):
    out = tmp_path / "out"
    assert autograder("grade", small_class, "--out", out, "--shard", "1/2").returncode == 0
    missing = autograder("merge", out)
    assert missing.returncode == 2 and missing.stderr.strip() == f"error: {out}: slice 2 of 2 missing (not run yet, " \
                                                                 "or failed)"
    assert autograder("grade", small_class, "--out", out, "--shard", "1/3").returncode == 0
    mixed = autograder("merge", out)
    assert mixed.returncode == 2 and "slices of different counts" in mixed.stderr
    assert not (out / "grades.csv").exists()
    for bad in ("0/3", "4/3", "three"):
        refused = autograder("grade", small_class, "--out", out, "--shard", bad)
        assert refused.returncode == 2 and refused.stderr.startswith("error: --shard takes K/N")


def test_a_regrade_preview_lists_exactly_who_changes_and_through_which_checks(small_class, tmp_path):
    published = tmp_path / "published"
    assert autograder("grade", small_class, "--out", published).returncode == 0
    # Between the two runs: cleo's bug is fixed, dev gets a different one, and fay submits late.
    changed = tmp_path / "changed"
    shutil.copytree(small_class, changed)
    REFERENCE.write_py(changed).rename(changed / "cleo.py")
    bug("sigmoid_forward_sign").write_py(changed).replace(changed / "dev.py")
    REFERENCE.write_py(changed).rename(changed / "fay.py")
    preview = autograder("grade", changed, "--out", tmp_path / "preview", "--compare", published / "grades.csv")
    assert preview.returncode == 0, preview.stderr
    before, after = rows(published / "grades.csv"), rows(tmp_path / "preview" / "grades.csv")
    listed = rows(tmp_path / "preview" / "changes.csv")
    assert set(listed) == {"cleo", "dev", "fay"}
    for student in ("cleo", "dev"):
        moved = {item.split()[0] for item in listed[student]["checks"].split("; ")}
        assert moved == {check for check in after[student] if check not in NOT_CHECKS
                         and float(before[student][check]) != float(after[student][check])}
        assert float(listed[student]["after"]) - float(listed[student]["before"]) == \
            float(after[student]["score"]) - float(before[student]["score"])
    assert listed["fay"]["before"] == "" and "3 students would change" in preview.stdout

