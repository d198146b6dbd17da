"""Gradescope: build the autograder zip, and run inside Gradescope's container.

``python -m autograder gradescope OUT.zip`` packs this package (hidden checks
included), the reference notebook, ``setup.sh`` and ``run_autograder``.
Gradescope unpacks it into ``/autograder/source``; ``setup.sh`` installs the
dependencies, creates the unprivileged user ``student`` and makes the source
readable by root only; ``run_autograder`` grades ``/autograder/submission`` with
student code running as ``student`` and writes ``/autograder/results/results.json``.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from ..checks.reference import ASSIGNMENT, reference_path

PACKAGE = Path(__file__).resolve().parents[1]

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when the autograder image is built.
set -euo pipefail
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update && apt-get install -y python3 python3-venv
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet numpy matplotlib tqdm
# Student code runs as this user, which can read neither the reference nor the hidden checks.
id -u student >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin student
chmod -R go-rwx /autograder/source
chmod 755 /autograder/venv
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
        for path in sorted(PACKAGE.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"autograder/{path.relative_to(PACKAGE)}")
        archive.write(reference_path(), f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
    return output


def run(root: Path) -> int:
    """Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout)."""
    from ..feedback import report
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
