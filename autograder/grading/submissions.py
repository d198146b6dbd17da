"""Which file is a student's submission: one rule for the class batch, Gradescope, the audit and nbgrader.

In a student's folder (any depth; Jupyter's checkpoints and hidden files left out):

1. the notebook named for the assignment (``nn_from_scratch.ipynb``), if there is one;
2. else the only notebook, whatever its name (a browser's ``nn_from_scratch (1).ipynb``,
   Jupyter's ``-Copy1``, a learning platform's ``<student>_nn_from_scratch-1.ipynb``);
3. else, with no notebook at all, the only ``.py`` file.

Zero candidates, or several with none named for the assignment, is a problem to
report by name: nothing is graded on a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..checks.reference import ASSIGNMENT
from ..sandboxed.loader import SUFFIXES

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
# In submitted/, what rename_for_nbgrader renamed, for autograde's summary (nbgrader and this rule skip dot files).
RENAMED_RECORD = ".renamed.json"


@dataclass(frozen=True)
class Found:
    """What a student's folder holds: the file to grade, or the problem that stops grading."""

    path: Path | None
    problem: str = ""  # why nothing is graded ("" when path is set)
    renamed: bool = False  # graded, though not named for the assignment


def candidates(folder: Path) -> list[Path]:
    """Notebooks and .py files below ``folder``, checkpoints and hidden files left out, sorted."""
    folder = Path(folder)
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def find(folder: Path) -> Found:
    """Apply the rule to one student's folder."""
    found = candidates(folder)
    notebooks = [p for p in found if p.suffix == ".ipynb"]
    named = [p for p in notebooks if p.name == NOTEBOOK]
    if named:
        return Found(named[0])
    pool, kind = (notebooks, "notebooks") if notebooks else ([p for p in found if p.suffix == ".py"], ".py files")
    if len(pool) == 1:
        return Found(pool[0], renamed=pool[0].suffix == ".ipynb")
    if not pool:
        return Found(None, "no notebook (.ipynb) or .py file")
    names = ", ".join(str(p.relative_to(folder)) for p in pool)
    return Found(None, f"several {kind} and none named {NOTEBOOK}: {names}; keep one")


def find_submission(folder: Path) -> Path | None:
    """The file to grade in ``folder``, or None (see :func:`find` for why not)."""
    return find(folder).path


def class_submissions(folder: Path) -> list[tuple[str, Found]]:
    """(student, what was found) for DIR/<student>/ (any depth, as nbgrader's submitted/) or DIR/<student>.py|.ipynb."""
    found = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():  # nbgrader's submitted/<student>/<assignment>/, where there is one
            found.append((entry.name, find(entry / ASSIGNMENT if (entry / ASSIGNMENT).is_dir() else entry)))
        elif entry.suffix in SUFFIXES:
            found.append((entry.stem, Found(entry)))
    return found


def rename_for_nbgrader(submitted: Path, assignment: str = ASSIGNMENT) -> tuple[list[str], list[str]]:
    """Put each student's one notebook at ``submitted/<student>/<assignment>/<assignment>.ipynb``.

    nbgrader's autograde grades a notebook only under the name it released ("Skipping
    unknown notebook" otherwise, and a 0). Returns (one line per file renamed or moved,
    one line per student whose folder holds no notebook or several).
    """
    done, problems = [], []
    before = renamed_before(submitted)
    for student, found in class_submissions(submitted):
        if found.problem or found.path is None or found.path.suffix != ".ipynb":
            problems.append(f"{student}: {found.problem or 'no notebook (.ipynb)'}: not graded")
            continue
        target = Path(submitted) / student / assignment / NOTEBOOK
        if found.path != target:
            target.parent.mkdir(parents=True, exist_ok=True)
            found.path.rename(target)
            before[student] = str(found.path.relative_to(Path(submitted) / student))
            done.append(f"{student}: renamed {found.path.relative_to(submitted)} -> "
                        f"{target.relative_to(submitted)}")
    if done:
        (Path(submitted) / RENAMED_RECORD).write_text(json.dumps(before, indent=1, sort_keys=True))
    return done, problems


def renamed_before(submitted: Path) -> dict[str, str]:
    """student -> their notebook's path (in their folder) before :func:`rename_for_nbgrader` renamed it."""
    try:
        return json.loads((Path(submitted) / RENAMED_RECORD).read_text())
    except (OSError, ValueError):
        return {}
