"""What students use: the notebook's check cells, the pytest self-check, the bundle they receive."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.checks import by_id, catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course import bundle
from autograder.course.bundle import build
from autograder.checks import SECONDS_PER_CHECK
from autograder.inprocess import run_check
from autograder.notebook import CheckFailed, check
from autograder.sandboxed import loader

from test_exercise import marked_lines, staff_only_lines
from variants import BUGS, EXERCISE, REFERENCE, SOLUTION, Variant

PUBLIC_POINTS = sum(c.points for c in catalogue(include_hidden=False))


def test_notebook_check_prints_one_line_when_it_passes(capsys):
    namespace = loader.load(SOLUTION).namespace
    layer_forward = by_id("layer_forward_public_values")
    check(layer_forward.id, namespace)
    assert capsys.readouterr().out == f"passed: {layer_forward.name} ({layer_forward.points} points)\n"


def test_notebook_check_raises_the_teaching_message_without_a_traceback(tmp_path):
    namespace = loader.load(EXERCISE).namespace
    with pytest.raises(CheckFailed) as failure:
        check("sigmoid_backward_public_values", namespace)
    rendered = failure.value._render_traceback_()
    assert len(rendered) == 1 and "not implemented yet: Sigmoid.backward" in rendered[0]


def test_notebook_check_keeps_warnings_and_prints_out_of_the_cell(capfd, tmp_path):
    prints_and_warns = loader.load(next(v for v in BUGS if v.owner == "Layer").write_py(tmp_path)).namespace
    with pytest.raises(CheckFailed):
        check("layer_forward_public_values", prints_and_warns)
    captured = capfd.readouterr()
    assert captured.err == ""


def self_check(folder: Path, python=sys.executable, *args) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "pytest", *args], cwd=folder, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def bundle_zip(tmp_path_factory) -> Path:
    """The students' zip, built once, as `python -m autograder bundle` builds it."""
    return build(tmp_path_factory.mktemp("bundle") / f"{ASSIGNMENT}.zip")


@pytest.fixture
def student_folder(bundle_zip, tmp_path) -> Path:
    """The zip unpacked as a student unpacks it: tmp_path/student/nn_from_scratch/.

    `self_check` runs it with this interpreter: pytest puts the folder first on sys.path, so the
    bundle's `autograder` (no staff folder, hence "Public score") is the one used, not the repository's.
    """
    with zipfile.ZipFile(bundle_zip) as students_zip:
        students_zip.extractall(tmp_path / "student")
    return tmp_path / "student" / ASSIGNMENT


def section(result: subprocess.CompletedProcess) -> list[str]:
    """The lines of the self-check's own summary section, its heading left out."""
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if " self-check " in line and line.startswith("="))
    return lines[start + 1:]


STUDENT_DOCS = [REPO / folder / ASSIGNMENT / name for folder in ("exercises", "solutions")
                for name in ("README.md", "test_nn_from_scratch.py")]


def test_self_check_takes_a_file_outside_its_folder_as_submission_equals_path_spaces_and_all(student_folder):
    REFERENCE.write_notebook(student_folder.parent, "my copy.ipynb")
    result = self_check(student_folder, sys.executable, "--submission=../my copy.ipynb")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert section(result)[0] == "Checked ../my copy.ipynb."
    assert f"Public score: {PUBLIC_POINTS}/{PUBLIC_POINTS}." in result.stdout  # the bundle's copy: no hidden checks

    # Space-separated, the value is taken for the option only when it lies in this folder: outside it,
    # pytest reads its configuration from that path, before any conftest, and the option is unknown.
    REFERENCE.write_notebook(student_folder, "my other copy.ipynb")
    inside = self_check(student_folder, sys.executable, "--submission", "my other copy.ipynb")
    assert inside.returncode == 0 and section(inside)[0] == "Checked my other copy.ipynb."
    outside = self_check(student_folder, sys.executable, "--submission", "../my copy.ipynb")
    assert outside.returncode == 4 and "unrecognized arguments: --submission" in outside.stderr
    for doc in STUDENT_DOCS:  # so the students' documents show the form that always works
        text = doc.read_text()
        assert "--submission=" in text and "--submission " not in text, doc


def test_self_check_run_from_the_folder_above_says_which_folder_to_cd_into(student_folder):
    above = self_check(student_folder.parent, sys.executable)
    assert above.returncode == 4
    assert above.stderr.strip() == f"ERROR: the self-check runs in its own folder: `cd {ASSIGNMENT}`, then `pytest`"
    assert "pytest_plugins" not in above.stdout and "FAIL" not in above.stdout
    two_above = self_check(student_folder.parent.parent, sys.executable)
    assert two_above.stderr.strip() == (f"ERROR: the self-check runs in its own folder: `cd student/{ASSIGNMENT}`, "
                                        "then `pytest`")
    named_from_above = self_check(student_folder.parent, sys.executable, ASSIGNMENT)  # `pytest nn_from_scratch`
    assert named_from_above.returncode == 1 and f"Public score: 0/{PUBLIC_POINTS}." in named_from_above.stdout


ENDLESS_RELU = {
    "a plain endless loop": "        while True:\n            pass",
    "a loop that catches the stop": "        while True:\n            try:\n                x = x + 0\n"
                                    "            except BaseException:\n                pass",
}


@pytest.mark.parametrize("body", ENDLESS_RELU.values(), ids=ENDLESS_RELU.keys())
def test_self_check_stops_a_method_that_does_not_return_and_runs_the_other_checks(student_folder, body):
    # --seconds-per-check lowers the limit (the grader's 10 s by default) so that this test is quick.
    endless = Variant("endless", (("        return np.maximum(0, x)", body),))
    endless.write_notebook(student_folder, f"{ASSIGNMENT}.ipynb")
    result = self_check(student_folder, sys.executable, "--seconds-per-check=0.5")
    assert result.returncode == 1
    lines = section(result)
    checks = catalogue(include_hidden=False)
    for check_ in checks:
        if check_.method == "ReLU.forward":
            mark = lines.index(f"FAIL  {check_.name}  (0/{check_.points})")
            assert lines[mark + 1].strip() == ("ReLU.forward did not return within 0.5 s of CPU time: an endless "
                                               "loop? It was stopped at `while True:`.")
        elif check_.owner in ("Sigmoid", "Layer", "NeuralNetwork"):  # they do not call ReLU
            assert f"PASS  {check_.name}  ({check_.points}/{check_.points})" in lines
    xor = [line.strip() for line in lines[:-1] if line.startswith("      ") and "in ReLU.forward." in line]
    assert xor and all("did not return within 0.5 s of CPU time: an endless loop? It was stopped at "
                       "`while True:` in ReLU.forward." in line for line in xor)
    assert len([line for line in lines if line.startswith(("PASS  ", "FAIL  "))]) == len(checks)
    assert lines[-1].startswith("Public score: ")


def test_the_self_check_limit_is_the_graders_and_the_student_readme_says_so():
    from autograder.grading.isolation import Limits

    assert Limits().seconds_per_check == SECONDS_PER_CHECK
    assert f"after {SECONDS_PER_CHECK:g} s of CPU time" in (REPO / "exercises" / ASSIGNMENT / "README.md").read_text()


def test_run_check_with_a_limit_names_the_method_in_this_process(tmp_path):
    body = "        n = 0\n        while n >= 0:\n            n += 1"
    loaded = loader.load(Variant("endless", (("        return np.maximum(0, x)", body),)).write_py(tmp_path))
    result = run_check(by_id("relu_forward_public_values"), loaded, seconds=0.2)
    assert result.score == 0
    assert result.message in [f"ReLU.forward did not return within 0.2 s of CPU time: an endless loop? It was stopped "
                              f"at `{line}`." for line in ("while n >= 0:", "n += 1")], result.message
    assert run_check(by_id("sigmoid_forward_public_values"), loaded, seconds=0.2).passed


def test_a_backward_stopped_in_a_hanging_forward_does_not_run_forward_again(tmp_path, monkeypatch):
    """Blaming forward compares values: after a stop (or a crash) there are none, and running the forward
    check for evidence would hang a second time (in nbgrader, past the cell's limit)."""
    from autograder import inprocess

    body = "        n = 0\n        while n >= 0:\n            n += 1"
    loaded = loader.load(Variant("endless", (("        return 1 / (1 + np.exp(-x))", body),)).write_py(tmp_path))
    ran = []
    run_one = inprocess._run_check
    monkeypatch.setattr(inprocess, "_run_check", lambda check, *rest: ran.append(check.id) or run_one(check, *rest))
    result = run_check(by_id("sigmoid_backward_public_values"), loaded, seconds=0.2)
    assert result.score == 0 and "did not return within 0.2 s" in result.message, result.message
    assert ran == ["sigmoid_backward_public_values"]


def test_without_setitimer_or_outside_the_main_thread_a_check_runs_without_a_limit(monkeypatch):
    import signal
    import threading

    from autograder.inprocess import CPUTimeLimit

    check_ = by_id("relu_forward_public_values")
    namespace = loader.load(SOLUTION).namespace
    in_thread = []
    thread = threading.Thread(target=lambda: in_thread.append(run_check(check_, namespace, seconds=0.2)))
    thread.start()
    thread.join()
    assert in_thread[0].passed
    monkeypatch.delattr(signal, "setitimer")  # as on Windows
    assert not CPUTimeLimit.available() and run_check(check_, namespace, seconds=0.2).passed


def test_self_check_checks_a_renamed_notebook_when_it_is_the_only_one_and_lists_them_otherwise(student_folder):
    from autograder.grading.submissions import find  # the grader's rule, for comparison

    notebook = student_folder / f"{ASSIGNMENT}.ipynb"
    renamed = notebook.rename(student_folder / f"{ASSIGNMENT} (1).ipynb")
    result = self_check(student_folder)
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert section(result)[0] == (f"Checked {ASSIGNMENT} (1).ipynb, the only notebook in this folder "
                                  f"(it is not named {ASSIGNMENT}.ipynb).")
    assert f"Public score: 0/{PUBLIC_POINTS}." in result.stdout
    alone = student_folder.parent / "grader_view"
    alone.mkdir()
    (alone / renamed.name).write_bytes(renamed.read_bytes())
    assert find(alone).path == alone / renamed.name and find(alone).renamed  # the grader grades it too

    (student_folder / f"{ASSIGNMENT}-Copy1.ipynb").write_bytes(renamed.read_bytes())
    several = self_check(student_folder)
    assert several.returncode == 4 and several.stdout.strip().startswith("no tests ran")
    assert several.stderr.strip() == (
        f"ERROR: cannot self-check: there is no {ASSIGNMENT}.ipynb in this folder, and 2 other notebooks: "
        f'"{ASSIGNMENT} (1).ipynb", {ASSIGNMENT}-Copy1.ipynb. Name the one to check, as in: '
        f'pytest --submission="{ASSIGNMENT} (1).ipynb"')
    (alone / f"{ASSIGNMENT}-Copy1.ipynb").write_bytes(renamed.read_bytes())
    assert find(alone).path is None  # nor does the grader guess
    chosen = self_check(student_folder, sys.executable, f"--submission={ASSIGNMENT} (1).ipynb")
    assert chosen.returncode == 1 and section(chosen)[0] == f"Checked {ASSIGNMENT} (1).ipynb."

    missing = self_check(student_folder, sys.executable, "--submission=nope.ipynb")
    assert missing.returncode == 4 and missing.stderr.strip() == (
        f'ERROR: cannot self-check nope.ipynb: no such file. Notebooks in this folder: "{ASSIGNMENT} (1).ipynb", '
        f"{ASSIGNMENT}-Copy1.ipynb.")

    renamed.replace(notebook)  # the named notebook is checked, whatever else is there
    named = self_check(student_folder)
    assert named.returncode == 1 and section(named)[0].startswith("FAIL  ")

    notebook.unlink()
    (student_folder / f"{ASSIGNMENT}-Copy1.ipynb").unlink()
    none = self_check(student_folder)
    assert none.returncode == 4 and none.stderr.strip() == (
        f"ERROR: cannot self-check: there is no notebook in this folder. Save yours there as {ASSIGNMENT}.ipynb, "
        "or name the file to check: pytest --submission=path/to/notebook.ipynb")


def test_self_check_shows_the_loaders_notes_once_before_the_results_and_the_graders_messages(student_folder):
    broken = Variant("syntax error", (("class ReLU(Activation):", "x = (\nclass ReLU(Activation):"),))
    path = broken.write_notebook(student_folder, f"{ASSIGNMENT}.ipynb")
    notes = loader.load(path).notes
    assert notes and "SyntaxError" in notes[0]
    result = self_check(student_folder)
    lines = section(result)
    first_result = next(i for i, line in enumerate(lines) if line.startswith(("PASS  ", "FAIL  ")))
    assert lines[:first_result] == [f"note: {note}" for note in notes]
    for note in notes:
        assert lines.count(f"note: {note}") == 1

    graded = subprocess.run([sys.executable, "-m", "autograder", "grade", path, "--out", student_folder.parent / "out"],
                            capture_output=True, text=True, timeout=600)
    grader_messages = {line.strip() for line in graded.stdout.splitlines() if line.startswith("       ")}
    self_check_messages = {line.strip() for line in lines if line.startswith("      ")}
    assert self_check_messages and self_check_messages <= grader_messages
    assert any("has a SyntaxError at line" in message for message in self_check_messages)


def test_self_check_in_the_exercise_folder_uses_its_own_copy_of_the_package():
    # exercises/nn_from_scratch/ is the student version: pytest there imports its autograder/ (no hidden
    # checks), not the repository's, even with the repository's package installed in this interpreter.
    result = self_check(REPO / "exercises" / ASSIGNMENT)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for check_ in catalogue():
        assert (f"FAIL  {check_.name}  (0/{check_.points})" in lines) == (not check_.hidden)
    assert f"Public score: 0/{PUBLIC_POINTS}." in result.stdout
    assert "Traceback" not in result.stdout


def test_the_zip_is_the_exercise_folder_file_for_file(bundle_zip):
    folder = bundle.files()
    with zipfile.ZipFile(bundle_zip) as archive:
        assert sorted(archive.namelist()) == sorted(f"{ASSIGNMENT}/{name}" for name in folder)
        assert all(archive.read(f"{ASSIGNMENT}/{name}") == path.read_bytes() for name, path in folder.items())
    assert f"{ASSIGNMENT}.ipynb" in folder and "autograder/notebook.py" in folder and "conftest.py" in folder


@pytest.mark.slow
def test_bundle_has_no_answers_and_its_self_check_works_in_a_fresh_environment(tmp_path):
    archive = tmp_path / "nn_from_scratch.zip"
    result = subprocess.run([sys.executable, "-m", "autograder", "bundle", archive], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

    with zipfile.ZipFile(archive) as students_zip:
        names = students_zip.namelist()
        text = "\n".join(students_zip.read(name).decode("utf-8", errors="replace") for name in names)
        students_zip.extractall(tmp_path / "student")
    assert not any("staff" in name or "solutions" in name for name in names)
    assert sorted(names) == sorted(f"{ASSIGNMENT}/{name}" for name in bundle.files())
    from autograder.checks.staff import hidden

    assert str(hidden.SEED) not in text and "HIDDEN TESTS" not in text
    staff_only = staff_only_lines()
    assert len(staff_only) > 50 and [line for line in staff_only if line in text] == []
    solution_lines = marked_lines("### BEGIN SOLUTION", "### END SOLUTION")
    readable = set()
    for name in names:
        if name.endswith(".ipynb"):
            cells = nbformat.reads(zipfile.ZipFile(archive).read(name).decode(), as_version=4).cells
            readable.update(line.strip() for cell in cells for line in cell.source.splitlines())
        elif not name.endswith(".npz"):
            readable.update(line.strip() for line in zipfile.ZipFile(archive).read(name).decode().splitlines())
    assert [line for line in solution_lines if line in readable] == []

    # Install what the student README says, in a fresh virtual environment, away from the repository.
    folder = tmp_path / "student" / ASSIGNMENT
    readme = (folder / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=folder,
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-2000:]

    untouched = self_check(folder, python)
    assert f"Public score: 0/{PUBLIC_POINTS}." in untouched.stdout, untouched.stdout[-3000:]
    fails = [line for line in untouched.stdout.splitlines() if line.startswith("FAIL  ")]
    assert len(fails) == len(catalogue(include_hidden=False))
    messages = [line.strip() for line in untouched.stdout.splitlines() if line.startswith("      ")]
    assert len(messages) == len(fails) and all(m.startswith("not implemented yet: ") for m in messages)

    REFERENCE.write_notebook(tmp_path).replace(folder / f"{ASSIGNMENT}.ipynb")
    solved = self_check(folder, python)
    assert solved.returncode == 0, solved.stdout[-3000:]
    assert f"Public score: {PUBLIC_POINTS}/{PUBLIC_POINTS}." in solved.stdout

    # What students type: the venv's `pytest` script, which does not put the folder on sys.path (the
    # rootdir conftest does), in the folder and in the one above.
    typed = subprocess.run([venv / "bin" / "pytest"], cwd=folder, capture_output=True, text=True, timeout=600)
    assert typed.returncode == 0 and f"Public score: {PUBLIC_POINTS}/{PUBLIC_POINTS}." in typed.stdout
    above = subprocess.run([venv / "bin" / "pytest"], cwd=folder.parent, capture_output=True, text=True, timeout=600)
    assert above.returncode == 4 and f"`cd {ASSIGNMENT}`" in above.stderr, above.stdout + above.stderr


@pytest.mark.slow
def test_the_reference_notebook_runs_top_to_bottom_and_its_main_run_learns_xor(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(SOLUTION, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells for o in cell.get("outputs", [])
                      if o.output_type == "stream")
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert "Accuracy: 100%" in outputs
    assert outputs.count("passed: ") == len(catalogue())


def test_the_self_check_from_the_zip_names_mistakes_no_catalogue_holds(student_folder):
    """The issue's three mistakes outside the catalogue of wrong formulas (a leaky ReLU, a sign-flipped sigmoid
    derivative, an input gradient that skips the activation's derivative), a matrix product in the wrong
    order, and a wrong Sigmoid.forward that breaks a correct backward: in the student's own self-check, each
    failure names its cause, in the words of its relation, with no cause in a class that has no mistake."""
    from autograder.checks import relations

    mistakes = Variant("uncatalogued", (
        ("return np.maximum(0, x)", "return np.where(x > 0, x, 0.01 * x)"),  # leaky ReLU
        ("return s * (1 - s)", "return -s * (1 - s)"),  # the derivative's sign
        ("grad_input = grad_activation @ self.weights.T", "grad_input = grad_output @ self.weights.T"),
    ))
    mistakes.write_notebook(student_folder, f"{ASSIGNMENT}.ipynb")
    lines = [line.strip() for line in section(self_check(student_folder))]
    said = "\n".join(lines)
    assert f"Likely cause: {relations.describe('wrong_where_negative', ['ReLU.forward(x)'])}" in said, said
    assert f"Likely cause: {relations.describe('negated', ['Sigmoid.backward(x)'])}" in said, said
    assert "Likely cause: grad_input only: the activation derivative is left out of Layer.backward" in said, said

    order = Variant("order", (("self.activation_input = x @ self.weights + self.bias",
                               "self.activation_input = np.dot(self.weights, x) + self.bias"),
                              ("return 1 / (1 + np.exp(-x))", "return 1 / (1 + np.exp(-2 * x))")))
    order.write_notebook(student_folder, f"{ASSIGNMENT}.ipynb")
    said = "\n".join(line.strip() for line in section(self_check(student_folder)))
    assert "Likely cause: " + relations.MATMUL_ORDER.format(fix="x @ self.weights") in said, said
    assert "Likely cause: " + relations.describe("at_scaled_x", ["Sigmoid.forward(x)"]) in said, said
    assert "the mistake is in Sigmoid.forward (backward gets s from it)" in said, said
    assert not any(line.startswith("FAIL  ReLU") for line in said.splitlines()), said  # ReLU is right here
