"""Which file is a student's submission: one rule for the class batch, Gradescope and the audit."""

from __future__ import annotations

from pathlib import Path

from ..checks.reference import ASSIGNMENT
from ..sandboxed.loader import SUFFIXES

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def candidates(folder: Path) -> list[Path]:
    """Notebooks, then .py files, anywhere below ``folder`` (Jupyter's checkpoints left out), sorted."""
    found = [p for p in sorted(Path(folder).rglob("*")) if p.suffix in SUFFIXES and p.is_file()
             and ".ipynb_checkpoints" not in p.parts and not any(part.startswith(".") for part in
                                                                  p.relative_to(folder).parts)]
    return sorted(found, key=lambda p: (p.suffix != ".ipynb", p.name != NOTEBOOK, str(p)))


def find_submission(folder: Path) -> Path | None:
    """The notebook named for the assignment if there is one, else the first notebook, else the first .py file."""
    found = candidates(folder)
    return found[0] if found else None


def class_submissions(folder: Path) -> list[tuple[str, Path | None]]:
    """(student, submission) pairs: DIR/<student>/ (any depth, as nbgrader's submitted/) or DIR/<student>.py|.ipynb."""
    found = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found.append((entry.name, find_submission(entry)))
        elif entry.suffix in SUFFIXES:
            found.append((entry.stem, entry))
    return found
