"""nbgrader's kernel runs in the sandbox: full marks for the reference, nothing read or written by a hostile notebook.

`nbgrader autograde` runs, in a temporary course folder (a copy of solutions/ and nbgrader_config.py),
two students: the reference typed into the exercise, which must score every point, hidden checks
included (their expected values are computed outside the sandbox); and a notebook whose first cell
tries to read the solutions, the hidden checks, the gradebook and the other student's notebook, and to
plant files in the instructor's home, the venv's site-packages, the course folder, the other student's
folder and the repository. Afterwards the host is searched for the planted files.
The launcher's own behaviour (interrupts, the unsandboxed fallback) is checked on a kernel started
directly, without nbgrader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course.nbgrader_preprocessors import CHECK_CELL_SECONDS
from autograder.grading import kernel, sandbox

from test_exercise import course_folder
from variants import bug

NEEDS_BWRAP = pytest.mark.skipif(not sandbox.choose().sandbox, reason="bubblewrap cannot run here")

REFERENCE = REPO / "examples" / "submissions" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
EDITED = next(check.id for check in catalogue() if not check.hidden)  # a visible check cell the "slow" student edits
MAX_SCORE = sum(check.points for check in catalogue())
MARKER = "SANDBOX-REPORT "


def hostile_cell(course: Path, plants: dict[str, Path]) -> str:
    """A cell that tries every read and write, and prints what happened as one JSON line."""
    reads = {
        "solutions (repository)": REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "solutions (course)": course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "hidden checks": REPO / "autograder" / "checks" / "staff" / "hidden.py",
        "wrong formulas": REPO / "autograder" / "checks" / "staff" / "wrong_formulas.py",
        "gradebook": course / "gradebook.db",
        "other submission": course / "submitted" / "reference" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
    }
    return f"""\
import json, os, socket
report = {{"pid": os.getpid(), "hostname": socket.gethostname(), "read": {{}}, "wrote": {{}}}}
for name, path in {json.dumps({k: str(v) for k, v in reads.items()})}.items():
    try:
        with open(path, "rb") as handle:
            report["read"][name] = len(handle.read())
    except Exception as error:
        report["read"][name] = type(error).__name__
for name, path in {json.dumps({k: str(v) for k, v in plants.items()})}.items():
    try:
        with open(path, "w") as handle:
            handle.write("planted")
        report["wrote"][name] = "written"
    except Exception as error:
        report["wrote"][name] = type(error).__name__
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    report["network"] = "up"
except OSError as error:
    report["network"] = type(error).__name__
from autograder import checks
report["staff visible"] = sorted(os.listdir(os.path.dirname(checks.__file__) + "/staff"))
print({MARKER!r} + json.dumps(report))
"""


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env or {}), PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Autograde the reference and a hostile notebook; return the course, the plants, nbgrader's log and seconds."""
    course = course_folder(tmp_path_factory.mktemp("course"))
    done = run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    token = uuid.uuid4().hex[:12]
    plants = {
        "home": Path.home() / f".nn-sandbox-planted-{token}",
        "site-packages": Path(sysconfig.get_path("purelib")) / f"nn_sandbox_planted_{token}.py",
        "course folder": course / f"planted-{token}",
        "other submission": course / "submitted" / "reference" / ASSIGNMENT / f"planted-{token}",
        "repository": REPO / f"planted-{token}",
        "own folder": Path("planted-in-own-folder"),  # the notebook's folder: writable, private, discarded
    }
    for student in ("reference", "hostile", "slow", "source"):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        # "source": the instructor's own notebook, exploration experiments and written answers included.
        nb = nbformat.read(SOURCE if student == "source" else REFERENCE, as_version=4)
        if student == "hostile":
            nb.cells.insert(0, nbformat.v4.new_code_cell(hostile_cell(course, plants)))
        if student == "slow":  # a cell that is no check may take longer than a check's 10 s
            nb.cells.insert(1, nbformat.v4.new_code_cell(f"import time\ntime.sleep({CHECK_CELL_SECONDS + 3})\n"
                                                         "print('slow cell done')"))
            edited = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == EDITED)
            edited.source += "\n# edited by the student"  # nbgrader restores it, and says so
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    began = time.monotonic()
    autograde = run("nbgrader", "autograde", ASSIGNMENT, cwd=course, env={kernel.REQUIRE_SANDBOX_VARIABLE: "1"})
    seconds = time.monotonic() - began
    yield course, plants, autograde, seconds
    for path in plants.values():  # were the test to fail: leave nothing behind
        if path.is_absolute():
            path.unlink(missing_ok=True)


def score(course: Path, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {grade.name: grade.score for grade in notebook.grades if grade.max_score > 0}


def report(course: Path) -> dict:
    nb = nbformat.read(course / "autograded" / "hostile" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    line = next(line for line in text.splitlines() if line.startswith(MARKER))
    return json.loads(line[len(MARKER):])


@NEEDS_BWRAP
@pytest.mark.nbgrader
def test_the_reference_scores_full_marks_in_the_sandboxed_kernel(graded):
    course, _, autograde, seconds = graded
    assert autograde.returncode == 0, autograde.stderr[-3000:]
    assert "NOT SANDBOXED" not in autograde.stderr  # and $NN_GRADER_REQUIRE_SANDBOX: no kernel ran unsandboxed
    scores = score(course, "reference")
    assert scores == {check.id: float(check.points) for check in catalogue()}  # hidden checks included
    assert sum(scores.values()) == MAX_SCORE
    print(f"nbgrader autograde, 4 students in the sandboxed kernel: {seconds:.1f} s")


@NEEDS_BWRAP
@pytest.mark.nbgrader
def test_autograde_warns_only_of_what_needs_a_look(graded):
    _, _, autograde, _ = graded
    warned = [line for line in autograde.stderr.splitlines() if "WARNING" in line or "Warning:" in line]
    # Every hidden test cell's checksum differs in every copy (generate_assignment removed its hidden part),
    # and SQLAlchemy warns from nbgrader's own code: neither is shown. A visible check a student edited is.
    checksums = [line for line in warned if "checksum" in line]
    assert len(checksums) == 1 and f"for cell {EDITED} has changed" in checksums[0], checksums
    assert not [line for line in warned if "SAWarning" in line]


@NEEDS_BWRAP
@pytest.mark.nbgrader
@pytest.mark.parametrize("student", ["slow", "source"])
def test_cells_that_are_no_checks_get_time_enough_and_no_cell_fails(graded, student):
    course, _, autograde, _ = graded
    assert score(course, student) == {check.id: float(check.points) for check in catalogue()}
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    errors = [out.get("ename") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    if student == "source":  # the instructor's notebook: no timeout, no interrupt, no error in any cell
        assert errors == []
    else:  # the exercise with the classes filled in still has its exploration stubs, which raise
        assert set(errors) <= {"NotImplementedError"}, errors
    printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert student != "slow" or "slow cell done" in printed


@NEEDS_BWRAP
@pytest.mark.nbgrader
def test_a_hostile_notebook_reads_no_secret_and_leaves_nothing_behind(graded):
    course, plants, _, _ = graded
    seen = report(course)
    assert seen["pid"] < 10 and seen["hostname"] == "sandbox"  # its own pid and uts namespaces
    assert seen["network"] != "up"
    assert seen["staff visible"] == []
    assert all(not isinstance(result, int) for result in seen["read"].values()), seen["read"]
    # Writable inside: the notebook's folder and /tmp (where pytest puts the course), both private tmpfs.
    private = {name for name, path in plants.items() if not path.is_absolute() or path.is_relative_to("/tmp")}
    assert seen["wrote"]["own folder"] == "written"
    assert all(result != "written" for name, result in seen["wrote"].items() if name not in private), seen["wrote"]
    for name, path in plants.items():  # on the host: nothing, anywhere
        assert not (path if path.is_absolute() else course / "autograded" / "hostile" / ASSIGNMENT / path).exists()
    assert score(course, "hostile") == score(course, "reference")  # the hostile cell costs nothing by itself


def start_kernel(tmp_path: Path, monkeypatch, env: dict):
    """A kernel of the course's kernel spec, started as nbgrader starts it; its stderr goes to a file."""
    from jupyter_client import KernelManager

    monkeypatch.setenv("JUPYTER_PATH", str(kernel.JUPYTER_DATA))  # as nbgrader_config.py does
    manager = KernelManager(kernel_name=kernel.KERNEL_NAME)
    stderr = open(tmp_path / "kernel.stderr", "w")
    manager.start_kernel(cwd=str(tmp_path), env=dict(os.environ, **env), stderr=stderr)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client, stderr


def evaluate(client, code: str, expression: str) -> str:
    """Run ``code``, then return ``expression``'s repr, from the execute reply itself (no output to wait for)."""
    reply = client.execute_interactive(code, user_expressions={"value": expression}, timeout=30)
    return reply["content"]["user_expressions"]["value"]["data"]["text/plain"]


@NEEDS_BWRAP
def test_a_cell_that_hangs_is_interrupted_and_the_kernel_goes_on(tmp_path, monkeypatch):
    manager, client, stderr = start_kernel(tmp_path, monkeypatch, {})
    try:
        assert evaluate(client, "import os", "os.getpid()") == "2"  # in the sandbox
        msg_id = client.execute("while True: pass")
        time.sleep(1)
        manager.interrupt_kernel()  # as nbgrader on a timeout: interrupt_mode "message"
        reply = client.get_shell_msg(timeout=10)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["ename"] == "KeyboardInterrupt"
        assert evaluate(client, "answer = 'still here'", "answer") == "'still here'"
    finally:
        client.stop_channels()
        manager.shutdown_kernel()
        stderr.close()


def test_where_the_sandbox_cannot_run_a_plain_kernel_starts_and_says_so(tmp_path, monkeypatch):
    manager, client, stderr = start_kernel(tmp_path, monkeypatch, {sandbox.NO_SANDBOX_VARIABLE: "1"})
    try:
        assert evaluate(client, "import os", "os.getpid()") != "2"
    finally:
        client.stop_channels()
        manager.shutdown_kernel()
        stderr.close()
    said = [line for line in (tmp_path / "kernel.stderr").read_text().splitlines() if "SANDBOX" in line]
    assert len(said) == 1 and said[0].startswith(f"{kernel.KERNEL_NAME}: NOT SANDBOXED (fallback: "), said
    assert said[0].endswith(f"runs as uid {os.getuid()} and can read and write what that user can")


def test_a_required_sandbox_that_cannot_run_refuses_to_start_the_kernel(tmp_path):
    connection = tmp_path / "connection.json"
    connection.write_text("{}")
    env = dict(os.environ, **{sandbox.NO_SANDBOX_VARIABLE: "1", kernel.REQUIRE_SANDBOX_VARIABLE: "1"})
    spec = json.loads((kernel.JUPYTER_DATA / "kernels" / kernel.KERNEL_NAME / "kernel.json").read_text())
    argv = [sys.executable if arg == "python" else arg.format(connection_file=connection) for arg in spec["argv"]]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    said = done.stderr.splitlines()
    assert len(said) == 1 and said[0].startswith(f"{kernel.KERNEL_NAME}: refused to start: fallback: "), said
    assert said[0].endswith(f"(${kernel.REQUIRE_SANDBOX_VARIABLE} is set)")


TAMPERED_CHECK = "\n\ndef check(check_id, namespace):  # tampered: every check passes\n    print('passed')\n"


@pytest.mark.nbgrader
@pytest.mark.parametrize("sandboxed", [True, False], ids=["sandboxed", "not sandboxed"])
def test_a_tampered_package_copy_in_the_submitted_folder_changes_no_grade(tmp_path, sandboxed, grade_in_process):
    # nbgrader's submit and collect hand in the student's whole folder, the package copy of the student
    # version included; autograde copies it beside the notebook, in the kernel's working folder.
    if sandboxed and not sandbox.choose().sandbox:
        pytest.skip("bubblewrap cannot run here")
    course = course_folder(tmp_path / "course")
    done = run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    assert done.returncode == 0, done.stderr[-3000:]
    folder = course / "submitted" / "tamperer" / ASSIGNMENT
    shutil.copytree(REPO / "exercises" / ASSIGNMENT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = bug("relu_forward_capped").write_notebook(folder, f"{ASSIGNMENT}.ipynb")
    copy = folder / "autograder"
    (copy / "notebook.py").write_text((copy / "notebook.py").read_text() + TAMPERED_CHECK)
    imported = tmp_path / "students-package-imported"  # written by anything that imports the copy outside
    (copy / "__init__.py").write_text(f"try:\n    open({str(imported)!r}, 'w').close()\nexcept OSError:\n    pass\n"
                                      + (copy / "__init__.py").read_text())
    env = {kernel.REQUIRE_SANDBOX_VARIABLE: "1"} if sandboxed else {sandbox.NO_SANDBOX_VARIABLE: "1"}
    autograde = run("nbgrader", "autograde", ASSIGNMENT, cwd=course, env=env)
    assert autograde.returncode == 0, autograde.stderr[-3000:]
    honest = {check_id: result.score for check_id, result in grade_in_process(notebook).items()}
    assert score(course, "tamperer") == honest
    assert sum(honest.values()) < MAX_SCORE
    assert not imported.exists()  # neither the kernel's launcher nor an unsandboxed kernel imported the copy
