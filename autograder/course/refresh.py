"""After changing a check or the reference: bring everything generated from them up to date.

``python -m autograder refresh`` runs, in order:

1. the source notebook's test cells from the catalogue (``notebook_cells.sync``);
2. the stored public expectations and predictions (``checks.expectations.write_store``);
3. the student version, with nbgrader: ``nbgrader generate_assignment nn_from_scratch --force``, whose
   post-convert hook (``nbgrader_config.py``) writes the package's student side into it, as
   ``exercises/nn_from_scratch/autograder/`` (with ``--no-exercise``, only that copy is written);
4. the example submissions (``examples.write``).

Each step says what it changed. The tests fail, naming what is stale, when any
of these is out of step with the catalogue or the reference.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..checks import expectations
from ..checks.reference import ASSIGNMENT, REPO, reference_path
from . import bundle, examples, notebook_cells


def generate_exercise(course: Path = REPO) -> str:
    """Run nbgrader's generate_assignment in the course folder ``course``; say what it did."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
                          cwd=course, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"error: nbgrader generate_assignment failed:\n{done.stderr[-3000:]}")
    if bundle.stale_package_files(course / "exercises" / ASSIGNMENT):  # nbgrader only logs a failed hook
        raise SystemExit(f"error: nbgrader's post-convert hook did not write exercises/{ASSIGNMENT}/autograder/:\n"
                         f"{done.stderr[-3000:]}")
    return f"regenerated exercises/{ASSIGNMENT}/ with nbgrader, the package's student side included"


def refresh(exercise: bool = True) -> list[str]:
    """Run every step; return one line per change."""
    done = [f"test cells: {change}" for change in notebook_cells.sync(reference_path())]
    expectations.default.cache_clear()
    done.append(f"wrote {expectations.write_store().relative_to(REPO)}")
    if exercise:
        done.append(generate_exercise())
    else:
        done.append(f"wrote {bundle.write_package_copy().relative_to(REPO)}/, the package's student side")
    done.extend(f"wrote {path.relative_to(REPO)}" for path in examples.write())
    return done
