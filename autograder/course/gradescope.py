"""Gradescope: build the autograder zip, and run inside Gradescope's container.

``python -m autograder gradescope OUT.zip`` packs this package (hidden checks
included), the reference notebook, ``setup.sh``, ``run_autograder`` and
``requirements.txt`` (the versions installed where the zip is built, the ones the
tests ran with). Gradescope unpacks it into ``/autograder/source``; ``setup.sh``
finds (or installs) a Python 3.11 or newer that can make a virtual environment,
installs the pinned dependencies, creates the unprivileged user ``student`` and
makes the source readable by root only; ``run_autograder`` grades ``/autograder/submission`` with
student code running as ``student`` and writes ``/autograder/results/results.json``.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from ..checks.reference import ASSIGNMENT, reference_path

PACKAGE = Path(__file__).resolve().parents[1]

# Python 3.11 or newer with a working venv: the first of these that can make one. (Debian and Ubuntu
# ship venv's pip in a separate package, so `python3 -m venv --help` alone proves nothing.)
SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
# AUTOGRADER_ROOT and NN_GRADER_USER let a test run it outside Gradescope's container.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
STUDENT="${NN_GRADER_USER:-student}"
usable_python() {  # the first Python >= 3.11 that makes a virtual environment with pip
    local probe
    probe=$(mktemp -d)
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null \\
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \\
            && "$candidate" -m venv "$probe/venv" >/dev/null 2>&1; then
            rm -rf "$probe"
            echo "$candidate"
            return 0
        fi
        rm -rf "$probe/venv"
    done
    rm -rf "$probe"
    return 1
}
if ! PYTHON=$(usable_python); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3.11-venv >/dev/null 2>&1 \\
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    PYTHON=$(usable_python) || {
        echo "setup.sh: no Python 3.11 or newer with venv here; choose a newer base image (Ubuntu 24.04)" >&2
        exit 1
    }
fi
"$PYTHON" -m venv "$ROOT/venv"
# The versions the course's tests ran with (requirements.txt is written when the zip is built).
"$ROOT/venv/bin/pip" install --quiet --requirement "$ROOT/source/requirements.txt"
# Student code runs as this user, which can read neither the reference nor the hidden checks.
id -u "$STUDENT" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$STUDENT"
chmod -R go-rwx "$ROOT/source"
chmod 755 "$ROOT/venv"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission, as root. AUTOGRADER_ROOT and
# AUTOGRADER_PYTHON let a test run it outside Gradescope's container.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export NN_GRADER_USER="${NN_GRADER_USER:-student}"
cd "$ROOT/source" && exec "$PYTHON" -m autograder gradescope-run "$ROOT"
"""


def build(output: Path) -> Path:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            archive.writestr(info, text)
        archive.writestr("requirements.txt", "".join(f"{pin}\n" for pin in requirements()))
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"autograder/{path.relative_to(PACKAGE)}")
        archive.write(reference_path(), f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    return output


def requirements() -> list[str]:
    """``name==version`` for what grading imports and everything it requires, as installed here."""
    import importlib.metadata as metadata

    from ..grading.sandbox import PACKAGES, distributions

    return sorted(f"{metadata.distribution(name).metadata['Name']}=={metadata.version(name)}"
                  for name in distributions((*PACKAGES, "tqdm")))


def run(root: Path) -> int:
    """Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout)."""
    from ..reports import report
    from ..grading import isolation
    from ..grading.submissions import find
    from ..sandboxed.loader import SubmissionError

    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    found = find(root / "submission")
    if found.path is None:
        results.write_text(json.dumps(report.error_result(
            f"Nothing could be graded: {found.problem}. Upload {ASSIGNMENT}.ipynb.")))
        return 0
    path = found.path
    isolation.adopt_orphans()
    try:
        verdict = isolation.grade(path, limits=isolation.Limits(parallel=os.cpu_count() or 1))
    except SubmissionError as error:
        results.write_text(json.dumps(report.error_result(f"Could not grade your submission: {error}")))
        return 0
    report.write_json(verdict, results)  # written only now, after every worker is gone
    return 0
