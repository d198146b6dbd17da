"""Scale-out and oversight: the Gradescope autograder, and the audit of nbgrader's in-kernel grades."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT

from test_exercise import course_folder, nbgrader
from variants import EXERCISE, REFERENCE


def run_autograder(root: Path, user: str = "nobody") -> dict:
    # Gradescope's container refuses user namespaces: its runs take the fallback.
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable, NN_GRADER_USER=user,
               NN_GRADER_NO_SANDBOX="1")
    result = subprocess.run(["bash", root / "source" / "run_autograder"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    subprocess.run([sys.executable, "-m", "autograder", "gradescope", out], check=True, capture_output=True)
    return out


def unpack(archive: Path, root: Path) -> Path:
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)
    (root / "source").chmod(0o700)  # as setup.sh leaves it: root only
    (root / "submission").mkdir()
    return root


def test_gradescope_zip_has_its_scripts_the_reference_and_the_hidden_checks(gradescope_zip):
    names = zipfile.ZipFile(gradescope_zip).namelist()
    assert {"setup.sh", "run_autograder", "autograder/checks/staff/hidden.py", "autograder/sandboxed/worker.py",
            f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"} <= set(names)
    setup = zipfile.ZipFile(gradescope_zip).read("setup.sh").decode()
    assert "useradd" in setup and "--requirement" in setup and "requirements.txt" in names
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0


def test_gradescope_run_grades_a_correct_and_a_broken_submission(gradescope_zip, tmp_path):
    correct = unpack(gradescope_zip, tmp_path / "correct")
    REFERENCE.write_notebook(correct / "submission").rename(correct / "submission" / f"{ASSIGNMENT}.ipynb")
    results = run_autograder(correct)
    assert results["score"] == sum(c.points for c in catalogue()) and len(results["tests"]) == len(catalogue())
    assert results["output"] == ""  # what students see carries no note of how grading went
    assert results["extra_data"]["isolation"].startswith("fallback: the sandbox is turned off")

    broken = unpack(gradescope_zip, tmp_path / "broken")
    shutil.copy(EXERCISE, broken / "submission" / f"{ASSIGNMENT}.ipynb")
    results = run_autograder(broken)
    assert results["score"] == 0
    assert all(t["output"].startswith("not implemented yet") for t in results["tests"])

    unreadable = unpack(gradescope_zip, tmp_path / "unreadable")
    (unreadable / "submission" / f"{ASSIGNMENT}.ipynb").write_text("{ not a notebook")
    results = run_autograder(unreadable)
    assert results["score"] == 0 and "not a readable notebook" in results["output"]

    empty = unpack(gradescope_zip, tmp_path / "empty")
    results = run_autograder(empty)
    assert results["score"] == 0 and "Nothing could be graded: no notebook" in results["output"]


@pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh runs as root, as on Gradescope")
def test_setup_sh_finds_a_python_with_venv_installs_the_pinned_versions_and_locks_the_source(gradescope_zip,
                                                                                            tmp_path):
    """Gradescope's image build, as closely as this machine allows, without the network: a fresh root, a
    minimal environment where the first Python has no venv until apt-get installs python3-venv, a local
    wheelhouse of stand-in wheels with exactly the pinned versions, and a user of its own for student code."""
    root = unpack(gradescope_zip, tmp_path / "root")
    pins = (root / "source" / "requirements.txt").read_text().split()
    assert pins == [f"{n}=={v}" for n, v in (pin.split("==") for pin in pins)] and "numpy==" + np_version() in pins
    tools, wheels, log = tmp_path / "bin", tmp_path / "wheels", tmp_path / "apt-get.log"
    tools.mkdir()
    wheels.mkdir()
    for pin in pins:
        stand_in_wheel(wheels, *pin.split("=="))
    real_python = shutil.which("python3.11", path="/usr/bin:/bin") or pytest.skip("needs the system's python3.11")
    shim(tools / "apt-get", f'echo "$@" >> {log}; case "$*" in *python3-venv*) touch {tools}/venv-installed;; esac')
    # As Debian's python3 without python3-venv: `-m venv --help` works, making an environment does not.
    shim(tools / "python3", f'if [ ! -e {tools}/venv-installed ] && [ "$1 $2" = "-m venv" ] && [ "$3" != --help ]; '
                            f'then echo "ensurepip is not available" >&2; exit 1; fi\nexec {real_python} "$@"')
    for missing in ("python3.11", "python3.12", "python3.13"):
        shim(tools / missing, "exit 127")
    user = "nn-gs-student"
    env = {"PATH": f"{tools}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(tmp_path), "AUTOGRADER_ROOT": str(root),
           "NN_GRADER_USER": user, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(["bash", root / "source" / "setup.sh"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "python3-venv" in log.read_text()  # the guard saw that venv could not make an environment
    installed = subprocess.run([root / "venv" / "bin" / "python", "-m", "pip", "list", "--format=freeze"],
                               env=env, capture_output=True, text=True, check=True).stdout.split()
    assert set(pins) <= {line.replace("_", "-") for line in installed}
    assert (root / "source").stat().st_mode & 0o077 == 0  # the reference and the hidden checks: root only
    assert subprocess.run(["id", "-u", user], capture_output=True).returncode == 0
    # The student user graded with: it cannot read the source, and a correct notebook still scores full marks.
    REFERENCE.write_notebook(root / "submission").rename(root / "submission" / f"{ASSIGNMENT}.ipynb")
    results = run_autograder(root, user=user)
    assert results["score"] == sum(c.points for c in catalogue())


def np_version() -> str:
    import numpy

    return numpy.__version__


def shim(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def stand_in_wheel(folder: Path, name: str, version: str) -> None:
    """An empty wheel named and versioned as the real one: pip installs it offline, as it would the real one."""
    stem = f"{name.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    with zipfile.ZipFile(folder / f"{stem}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        wheel.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        wheel.writestr(f"{info}/RECORD", f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n")


@pytest.mark.nbgrader
def test_audit_flags_a_notebook_that_fakes_its_checks_in_nbgrader(tmp_path):
    assert nbgrader("generate_assignment", ASSIGNMENT, cwd=course_folder(tmp_path)).returncode == 0

    honest = tmp_path / "submitted" / "honest" / ASSIGNMENT
    honest.mkdir(parents=True)
    REFERENCE.write_notebook(honest).rename(honest / f"{ASSIGNMENT}.ipynb")
    cheat = tmp_path / "submitted" / "cheat" / ASSIGNMENT
    cheat.mkdir(parents=True)
    nb = nbformat.read(EXERCISE, as_version=4)
    imports = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "activations")
    imports.source = ("import autograder.notebook as _notebook\n"
                      "_notebook.check = lambda name, namespace: print('passed: ' + name)\n\n" + imports.source)
    nbformat.write(nb, cheat / f"{ASSIGNMENT}.ipynb")
    for student in ("honest", "cheat"):
        nbgrader("db", "student", "add", student, cwd=tmp_path)
    result = nbgrader("autograde", ASSIGNMENT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    audit = subprocess.run([sys.executable, "-m", "autograder", "audit", tmp_path], capture_output=True, text=True,
                           timeout=600)
    assert audit.returncode == 0, audit.stderr
    lines = {line.split()[0]: line for line in audit.stdout.splitlines() if line.split()}
    full = f"{sum(c.points for c in catalogue()):g}"
    assert "CHECK THIS NOTEBOOK" in lines["cheat"] and lines["cheat"].split()[1:3] == [full, "0"]
    assert "CHECK THIS" not in lines["honest"] and lines["honest"].split()[1:3] == [full, full]
    per_check = [line for line in audit.stdout.splitlines() if "looks like tampering" in line]
    assert len(per_check) == len(catalogue())  # every check of the cheat, each on its own line
    assert "2 students audited; 1 with a check scored differently; 1 higher in nbgrader without an " \
           "explanation: cheat" in audit.stdout
