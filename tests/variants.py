"""Submissions for the tests: the bug catalogue and correct variants (``autograder.checks.staff.bugs``),
and the chapter's own code."""

from __future__ import annotations

from autograder.checks.reference import REPO
from autograder.checks.staff.bugs import BUGS, CORRECT, bug, correct  # noqa: F401
from autograder.course.variants import EXERCISE, REFERENCE, SOLUTION, Variant, fill_exercise  # noqa: F401

# The chapter's own code pasted unchanged into a .py file: a correct submission (also a quick-start example).
CHAPTER_CODE = REPO / "examples" / "submissions" / "dev.py"
