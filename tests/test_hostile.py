"""Hostile submissions: each attack costs its author points, and nothing else.

Every submission here is the reference with one method turned into an attack,
graded by the real command line (`python -m autograder grade`), so the grading
process is the same one an instructor runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import catalogue
from autograder.checks.judges import Unchanged
from autograder.checks.reference import REPO

from variants import EXERCISE, Variant, bug

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="privilege separation applies when grading as root")
ALL = {c.id for c in catalogue()}


@pytest.fixture(params=["sandbox", "fallback"])
def isolation_mode(request, monkeypatch):
    """Each attack twice: in the bubblewrap sandbox, and in the fallback used where bwrap cannot run."""
    if request.param == "fallback":
        monkeypatch.setenv("NN_GRADER_NO_SANDBOX", "1")
    else:
        monkeypatch.delenv("NN_GRADER_NO_SANDBOX", raising=False)
    return request.param


def grade(variant: Variant, tmp_path: Path, *args, cwd=None, env=None) -> tuple[dict, subprocess.CompletedProcess]:
    source = variant.write_py(tmp_path)
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", source, "--json", out, "--timeout", "3",
                             *args], capture_output=True, text=True, timeout=600, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return {t["extra_data"]["check_id"]: t for t in json.loads(out.read_text())["tests"]}, result


def lost(tests: dict) -> set[str]:
    return {name for name, t in tests.items() if t["score"] < t["max_score"]}


def why(tests: dict) -> dict[str, str]:
    return {name: t["output"] for name, t in tests.items() if t["score"] < t["max_score"]}


def of(*methods: str) -> set[str]:
    """Ids of the checks of these methods ("Sigmoid.backward"), classes ("Sigmoid") or tasks (XOR)."""
    return {c.id for c in catalogue() if c.method in methods or c.owner in methods or
            (XOR in methods and c.owner is None)}


XOR = None  # stands for the whole-network checks in of()


def relu_forward_fails() -> set[str]:
    # its own checks, and training (the gradient check's numerical side uses a correct forward)
    return of("ReLU.forward") | of(XOR)


# What a wrong Sigmoid.backward that leaves its input alone loses: every check of it but the contract one.
SIGMOID_BACKWARD_VALUES = {c.id for c in catalogue() if c.method == "Sigmoid.backward" and not isinstance(c.judge,
                                                                                                         Unchanged)}


def attack(name: str, old: str, new: str) -> Variant:
    return Variant(name, ((old, new),))


RELU_FORWARD = "return np.maximum(0, x)"
SIGMOID_FORWARD = "return 1 / (1 + np.exp(-x))"
SIGMOID_BACKWARD = "s = Sigmoid.forward(x)\n        return s * (1 - s)"
LAYER_FORWARD = "self.input = x\n"
NETWORK_FORWARD = "current_input = x\n"


def test_patching_numpy_fools_neither_the_judge_nor_the_next_check(tmp_path, isolation_mode):
    variant = Variant("patches_numpy", (
        # In ReLU.forward: break np.exp for everyone after; Sigmoid's own checks must not notice.
        (RELU_FORWARD, "np.exp = lambda x: x * 0\n        np.isclose = lambda *a, **k: True\n        " + RELU_FORWARD),
        # In Sigmoid.backward: wrong values, with every numpy comparison patched to say "equal".
        (SIGMOID_BACKWARD, "np.isclose = np.allclose = np.array_equal = lambda *a, **k: True\n"
                           "        return x * 0"),
    ))
    tests, _ = grade(variant, tmp_path)
    assert lost(tests) == SIGMOID_BACKWARD_VALUES | of(XOR)


def test_an_array_that_lies_in_comparisons_gains_nothing(tmp_path):
    liar = ("class Liar(np.ndarray):\n"
            "            def __eq__(self, other): return np.ones(np.shape(other), bool)\n"
            "            def __array_ufunc__(self, *args, **kwargs): return np.ones(1, bool)\n"
            "        self.input = x\n"
            "        return np.zeros((len(x), self.weights.shape[1])).view(Liar)\n"
            "        self.input = x\n")
    tests, _ = grade(attack("lies", LAYER_FORWARD, liar), tmp_path)
    assert {"layer_forward_public_values", "layer_forward_hidden_random_batches"} <= lost(tests)
    assert lost(tests) <= of("Layer") | of(XOR)  # Layer.backward's checks run forward first


def test_reading_the_callers_frames_finds_no_answers(tmp_path):
    snoop = ("import gc, sys\n"
             "        frame, found = sys._getframe(1), None\n"
             "        while frame is not None:\n"
             "            for key, value in frame.f_locals.items():\n"
             "                if 'expect' in key: found = value\n"
             "            frame = frame.f_back\n"
             "        for obj in gc.get_objects():\n"
             "            if isinstance(obj, dict) and 'out' in obj and isinstance(obj.get('out'), np.ndarray):\n"
             "                found = obj['out']\n"
             "        return found if found is not None else x * 0\n"
             "        current_input = x\n")
    tests, _ = grade(attack("snoops", NETWORK_FORWARD, snoop), tmp_path)
    assert {"neuralnetwork_forward_public_chain_of_layers", "neuralnetwork_forward_hidden_random_networks"} \
        <= lost(tests) <= of("NeuralNetwork.forward") | of(XOR)


@pytest.mark.parametrize("escape", [
    "import sys; sys.exit(0)",
    "import os; os._exit(0)",
    "raise KeyboardInterrupt",
    "raise type('Skipped', (BaseException,), {})('pytest.skip-like')",
    "import unittest; raise unittest.SkipTest('skip me')",
])
def test_exits_interrupts_and_skips_are_failures_of_that_check_only(escape, tmp_path):
    tests, _ = grade(attack("escapes", SIGMOID_FORWARD, escape + "\n        " + SIGMOID_FORWARD), tmp_path)
    assert lost(tests) == of("Sigmoid") | of(XOR)  # Sigmoid.backward calls forward too
    assert all(tests[key]["score"] == 0 for key in of("Sigmoid.forward"))


def test_a_hang_costs_only_the_checks_that_hang_and_grading_goes_on(tmp_path):
    tests, _ = grade(attack("hangs", SIGMOID_BACKWARD, "while True:\n            pass"), tmp_path)
    # Every check that calls Sigmoid.backward is stopped at its timeout; every later check still runs and passes.
    assert lost(tests) == of("Sigmoid.backward") | of(XOR)
    # A busy loop is stopped by its CPU time, which machine load does not change.
    assert "used more than 3 s of CPU time" in tests["sigmoid_backward_public_values"]["output"]


def test_code_that_only_waits_is_stopped_by_the_wall_clock_backstop(tmp_path):
    tests, _ = grade(attack("sleeps", SIGMOID_BACKWARD, "import time\n        time.sleep(10_000)"), tmp_path,
                     "--timeout", "1")
    assert lost(tests) == of("Sigmoid.backward") | of(XOR)
    assert "did not finish within 8 s of waiting" in tests["sigmoid_backward_public_values"]["output"]


def test_a_memory_hog_gets_a_memory_error_in_its_own_check(tmp_path):
    tests, _ = grade(attack("hogs", RELU_FORWARD, "hog = np.ones(2 * 1024**3 // 8)\n        " + RELU_FORWARD),
                     tmp_path)
    assert lost(tests) == relu_forward_fails()
    assert "MemoryError" in tests["relu_forward_public_values"]["output"]


def test_printing_hundreds_of_megabytes_still_gives_a_small_results_file(tmp_path):
    flood = ("import sys\n        if x.shape == (2, 5):  # the public input only\n"
             "            for _ in range(3): sys.stdout.write('x' * 100_000_000)\n        " + RELU_FORWARD)
    tests, result = grade(attack("floods", RELU_FORWARD, flood), tmp_path)
    assert lost(tests) == set()
    assert (tmp_path / "results.json").stat().st_size < 100_000 and len(result.stdout) < 10_000


def test_a_huge_file_and_too_many_open_files_fail_their_own_checks(tmp_path):
    variant = Variant("writes_and_opens", (
        (RELU_FORWARD, "open('big.bin', 'wb').write(b'0' * 200_000_000)\n        " + RELU_FORWARD),
        (SIGMOID_FORWARD, "handles = [open('/dev/null') for _ in range(10_000)]\n        " + SIGMOID_FORWARD),
    ))
    tests, _ = grade(variant, tmp_path)
    assert lost(tests) == relu_forward_fails() | of("Sigmoid")


def test_processes_a_submission_starts_or_detaches_are_all_gone_afterwards(tmp_path, isolation_mode):
    marker = f"nnd{time.monotonic_ns() % 10**10}"  # a process name (at most 15 characters)
    detach = (
        "import ctypes, os, time\n"
        "        if x.shape == (2, 5):  # on the public input: leave a detached process behind\n"
        "            if os.fork() == 0:\n"
        "                os.setsid()\n"
        "                if os.fork() == 0:\n"
        f"                    ctypes.CDLL(None).prctl(15, {marker.encode()!r})  # PR_SET_NAME\n"
        "                    while True:\n"
        "                        time.sleep(1)\n"
        "                os._exit(0)\n"
        "            time.sleep(0.5)\n"
        "        " + RELU_FORWARD)
    seen, stop = [], threading.Event()

    def watch():  # the host sees a sandbox's processes: was the detached one really there?
        while not stop.is_set():
            seen.extend(pid for pid in os.listdir("/proc") if pid.isdigit() and _is_named(pid, marker))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:  # graded as a class (one check at a time), so no other check's end kills it before it is seen
        (tmp_path / "class").mkdir()
        attack("detaches", RELU_FORWARD, detach).write_py(tmp_path / "class")
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", tmp_path / "class", "--out",
                               tmp_path / "out", "--timeout", "8"], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        tests = {t["extra_data"]["check_id"]: t for t in json.loads((tmp_path / "out" / "detaches.json").read_text())["tests"]}
    finally:
        stop.set()
        watcher.join()
    assert why(tests) == {}
    assert seen, "the detached process never started: the test proves nothing"
    time.sleep(0.2)
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_named(pid, marker)]
    assert left == []


# What a submission leaves in its scratch folder: a file, and a folder too deep for Python's rmtree to remove.
PLANTS = {"file": "open(PLANTED, 'w').write('def forward(x): ...')",
          "deep folder": "here = os.getcwd()\n"
                         "        if not os.path.exists(PLANTED):\n"
                         "            os.mkdir(PLANTED)\n"
                         "            os.chdir(PLANTED)\n"
                         "            for _ in range(1500):\n"
                         "                os.mkdir('d')\n"
                         "                os.chdir('d')\n"
                         "            os.chdir(here)"}


@pytest.mark.parametrize("plant", PLANTS)
def test_a_sandbox_that_grades_the_next_submission_holds_nothing_of_the_one_before(plant, tmp_path, isolation_mode):
    """A class is graded one submission after another in each job slot's sandbox (one slot here): what a
    submission writes is there for its own later checks, and gone for the next submission."""
    planted = "/tmp/nn-planted" if isolation_mode == "sandbox" else "nn-planted"  # the fallback's scratch folder
    planting = "import os\n        " + PLANTS[plant].replace("PLANTED", repr(planted)) + "\n        "
    # Its own Sigmoid checks run later, in other processes: they see what it planted, or lose their points.
    plants = Variant("a_plants", ((RELU_FORWARD, planting + RELU_FORWARD),
                                  (SIGMOID_FORWARD, "import os\n"
                                                    f"        if not os.path.exists({planted!r}):\n"
                                                    "            return x * 0\n"
                                                    "        " + SIGMOID_FORWARD)))
    finds = attack("b_finds", SIGMOID_FORWARD, "import os\n"
                                               f"        if os.path.exists({planted!r}):\n"
                                               "            return x * 0\n"
                                               "        " + SIGMOID_FORWARD)
    (tmp_path / "class").mkdir()
    for variant in (plants, finds):
        variant.write_py(tmp_path / "class")
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", tmp_path / "class", "--out", tmp_path / "out",
                           "--jobs", "1", "--timeout", "3"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("a_plants", "b_finds"):
        tests = {t["extra_data"]["check_id"]: t for t in json.loads((tmp_path / "out" / f"{name}.json").read_text())["tests"]}
        assert why(tests) == {}, name


def _is_named(pid: str, marker: str) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == marker
    except OSError:
        return False


def test_a_submission_cannot_forge_the_results_file(tmp_path, isolation_mode):
    forged = tmp_path / "results.json"
    forge = ("import json\n"
             "        try:\n"
             f"            open({str(forged)!r}, 'w').write(json.dumps({{'score': 100, 'tests': []}}))\n"
             "        except OSError:\n"
             "            pass\n"
             "        return x * 0")
    tests, _ = grade(attack("forges", SIGMOID_BACKWARD, forge), tmp_path)
    results = json.loads(forged.read_text())
    assert results["score"] < 100 and lost(tests) == SIGMOID_BACKWARD_VALUES | of(XOR)


def test_killing_its_own_worker_costs_the_submission_only(tmp_path, isolation_mode):
    kill = "import os, signal\n        os.kill(os.getppid(), signal.SIGKILL)\n        " + SIGMOID_FORWARD
    tests, result = grade(attack("kills_worker", SIGMOID_FORWARD, kill), tmp_path)
    assert len(tests) == len(ALL) and result.returncode == 0  # the grader finished and wrote every check
    if isolation_mode == "fallback" and os.geteuid() == 0:  # the checks run as another uid: the kill itself fails
        assert lost(tests) == of("Sigmoid") | of(XOR)
        assert "PermissionError" in tests["sigmoid_forward_public_values"]["output"]
    else:  # the same uid: the process grading it dies (twice: the retry meets the attack again); what it had
        # not run scores 0
        assert any("not run" in tests[name]["output"] for name in lost(tests))


@ROOT_ONLY
def test_as_root_workers_run_unprivileged_and_cannot_signal_the_grader(tmp_path):
    probe = ("import os, signal\n"
             "        for pid in os.listdir('/proc'):\n"
             "            try:\n"
             "                if b'autograder' in open(f'/proc/{pid}/cmdline', 'rb').read() and int(pid) != os.getpid():\n"
             "                    os.kill(int(pid), signal.SIGKILL)\n"
             "            except (OSError, ValueError):\n"
             "                pass\n"
             "        if os.geteuid() == 0:\n"
             "            return x * 0\n"
             "        " + SIGMOID_FORWARD)
    tests, _ = grade(attack("signals", SIGMOID_FORWARD, probe), tmp_path)
    # The worker itself may die (same user); the grader survives and the code ran unprivileged.
    assert tests["sigmoid_forward_public_values"]["score"] in (0, tests["sigmoid_forward_public_values"]["max_score"])
    assert len(tests) == len(ALL)


@ROOT_ONLY
def test_as_root_workers_can_read_neither_the_reference_nor_the_hidden_checks(tmp_path):
    # A private copy of the grader, readable by root only, as the Gradescope setup arranges.
    private = tmp_path / "grader"
    shutil.copytree(REPO / "autograder", private / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "solutions", private / "solutions")
    private.chmod(0o700)
    secrets = [private / "solutions" / "nn_from_scratch" / "nn_from_scratch.ipynb",
               private / "autograder" / "checks" / "staff" / "hidden.py"]
    peek = ("readable = 0\n"
            f"        for path in {[str(p) for p in secrets]!r}:\n"
            "            try:\n"
            "                open(path).read(1); readable += 1\n"
            "            except OSError:\n"
            "                pass\n"
            "        if readable:\n"
            "            return x * 0\n"
            "        " + SIGMOID_FORWARD)
    env = dict(os.environ, PYTHONPATH=str(private))
    tests, _ = grade(attack("peeks", SIGMOID_FORWARD, peek), tmp_path, cwd=private, env=env)
    public_values = tests["sigmoid_forward_public_values"]
    assert public_values["score"] == public_values["max_score"]  # it could read neither file
    assert lost(tests) == set()


def test_a_submission_sees_neither_the_repository_nor_the_home_folder_and_changes_nothing(tmp_path):
    """What the sandbox keeps from student code, read or write (the fallback relies on file permissions:
    see test_as_root_workers_can_read_neither_the_reference_nor_the_hidden_checks)."""
    from autograder.grading.sandbox import choose

    assert choose().sandbox, f"this test needs bubblewrap (.ci/run installs it): {choose().description}"
    planted = [REPO / "autograder" / "planted.py", Path(sys.executable).parent.parent / "planted.pth",
               Path.home() / ".planted_rc"]
    secrets = [REPO / "solutions" / "nn_from_scratch" / "nn_from_scratch.ipynb",
               REPO / "autograder" / "checks" / "staff" / "hidden.py", Path.home() / ".bashrc"]
    probe = ("found = 0\n"
             f"        for path in {[str(p) for p in secrets]!r}:\n"
             "            try:\n"
             "                open(path).read(1); found += 1\n"
             "            except OSError:\n"
             "                pass\n"
             f"        for path in {[str(p) for p in planted]!r}:  # must not reach the host (checked below)\n"
             "            try:\n"
             "                open(path, 'w').write('import os')\n"
             "            except OSError:\n"
             "                pass\n"
             "        if found:\n"
             "            return x * 0\n"
             "        " + SIGMOID_FORWARD)
    before = _snapshot()
    try:
        tests, _ = grade(attack("peeks_and_plants", SIGMOID_FORWARD, probe), tmp_path)
        assert lost(tests) == set(), why(tests)  # it could read none of them
        assert [path for path in planted if path.exists()] == []  # and wrote none of them
        # What grades next is graded as before: the untouched exercise still scores 0.
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", EXERCISE, "--json",
                               tmp_path / "untouched.json"], capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    finally:
        for path in planted:
            path.unlink(missing_ok=True)
    assert json.loads((tmp_path / "untouched.json").read_text())["score"] == 0
    assert _snapshot() == before  # the environment, the repository and the home folder are as they were


def _snapshot() -> dict[str, tuple[int, int]]:
    """Size and modification time of the grader's code, the environment's packages and start-up files, and
    the files at the top of the home folder: what an attack would change to fool later grading."""
    site_packages = Path(np.__file__).parents[1]
    paths = [*(p for p in (REPO / "autograder").rglob("*") if "__pycache__" not in p.parts),
             *site_packages.glob("*.pth"), *site_packages.iterdir(), *Path.home().glob(".*"),
             Path(sys.executable).parents[1] / "pyvenv.cfg"]
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in paths if p.is_file() or p.is_dir()}


def test_control_characters_from_student_strings_reach_no_report(tmp_path, isolation_mode):
    escape = "raise ValueError('\\x1b[2J\\x1b[31mred\\x07 \\u202eevil')"
    tests, result = grade(attack("escapes_terminal", SIGMOID_FORWARD, escape), tmp_path)
    message = tests["sigmoid_forward_public_values"]["output"]
    assert "ValueError" in message and "red" in message
    text = (tmp_path / "results.json").read_text() + result.stdout
    assert not any(ch in text for ch in ("\x1b", "\x07", "\u202e")) and "\\u001b" not in text


def test_a_huge_result_costs_its_check_and_not_the_graders_memory(tmp_path, isolation_mode):
    huge = "if x.shape == (2, 5):\n            return np.zeros(2_000_000)  # 16 MB: within memory, beyond what a result may be\n        " + RELU_FORWARD
    tests, _ = grade(attack("huge_result", RELU_FORWARD, huge), tmp_path)
    assert "result larger than" in tests["relu_forward_public_values"]["output"]
    assert lost(tests) <= of("ReLU.forward") | of(XOR)


def test_a_parse_bomb_costs_its_own_submission_only(tmp_path):
    # About 500 MB of syntax tree per MB of such source: parsed only in the worker, under its memory limit.
    bomb = Variant("parse_bomb", ()).python_source() + "BOMB = [" + "1," * 4_000_000 + "]\n"
    path = tmp_path / "parse_bomb.py"
    path.write_text(bomb)
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", path, "--json", out], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    tests = {t["extra_data"]["check_id"]: t for t in json.loads(out.read_text())["tests"]}
    assert lost(tests) == ALL
    assert "too large or too deeply nested to be read" in tests["relu_forward_public_values"]["output"]


def test_a_fork_bomb_is_bounded_and_costs_only_its_own_check(tmp_path, isolation_mode):
    # Every process forks up to 8 more, 3 levels deep: 584 processes where nothing counts them (the
    # test's own bound, kept small for the test machine). Under the process limit (64) fewer than 100 start.
    bomb = ("import os, time\n"
            "        if x.shape == (2, 5):  # the public input only\n"
            "            started_r, started_w = os.pipe()\n"
            "            def spawn(depth):\n"
            "                for _ in range(8):\n"
            "                    try:\n"
            "                        pid = os.fork()\n"
            "                    except OSError:  # the limit: no more processes\n"
            "                        return\n"
            "                    if pid == 0:\n"
            "                        os.write(started_w, b'x')\n"
            "                        if depth < 3:\n"
            "                            spawn(depth + 1)\n"
            "                        time.sleep(30)\n"
            "                        os._exit(0)\n"
            "            spawn(1)\n"
            "            time.sleep(2)\n"
            "            os.set_blocking(started_r, False)\n"
            "            started = len(os.read(started_r, 4096))\n"
            "            if started >= 100:\n"
            "                return x * 0  # unbounded: this check fails, and so does the test\n"
            "        " + RELU_FORWARD)
    tests, result = grade(attack("forks", RELU_FORWARD, bomb), tmp_path)
    assert lost(tests) == set(), why(tests)
    assert "no process-count limit" not in json.loads((tmp_path / "results.json").read_text())["extra_data"]["isolation"]


@pytest.mark.slow
def test_verdicts_do_not_depend_on_machine_load(tmp_path):
    """The same class graded on a quiet machine and on one with more busy processes than cores."""
    shutil.copytree(REPO / "examples" / "submissions", tmp_path / "class")  # eve's checks hang, crash, exit
    for name in ("relu_forward_returns_mask", "sigmoid_backward_at_output", "network_backward_front_to_back"):
        bug(name).write_py(tmp_path / "class")

    def graded(out: Path) -> dict:
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", tmp_path / "class", "--out", out,
                               "--timeout", "2"], capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
        return {path.stem: [(t["extra_data"]["check_id"], t["score"], t["output"]) for t in
                            json.loads(path.read_text())["tests"]] for path in sorted(out.glob("*.json"))}

    quiet = graded(tmp_path / "quiet")
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(2 * (os.cpu_count() or 1) + 1)]
    try:
        busy = graded(tmp_path / "busy")
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    assert set(quiet) == {path.stem for path in (tmp_path / "class").iterdir()} and busy == quiet


def test_a_notebook_that_inflates_when_parsed_costs_the_grader_no_memory(tmp_path):
    # 17 MB of empty JSON objects take about 540 MB once parsed: only the worker parses it, under its limit.
    path = tmp_path / "inflates.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{}] * 6_000_000},
                               separators=(",", ":")))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so it would include pytest's own size.
    measure = ("import re, sys\n"
               "from autograder.__main__ import main\n"
               "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
               "print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) // 1024)\n")
    done = subprocess.run([sys.executable, "-c", measure, "grade", path, "--json", tmp_path / "r.json"],
                          capture_output=True, text=True, timeout=600)
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0, done.stderr[-2000:]
    peak_mb = int(done.stdout.split()[-1])
    assert peak_mb < 200, f"the grading process peaked at {peak_mb} MB"


def test_a_link_planted_in_the_job_folder_is_never_followed(tmp_path, isolation_mode):
    # The worker dies, so the grader writes the plan again for a second one: over a link to the victim,
    # had the submission been able to put one in the plan's place (the fallback run by a normal user can).
    victim = tmp_path / "victim.txt"
    victim.write_text("unchanged")
    plant = ("import os, signal\n"
             "        for job in (os.getcwd(), os.path.dirname(os.getcwd())):  # where a job folder may be\n"
             "            try:\n"
             "                os.remove(os.path.join(job, 'plan.json'))\n"
             f"                os.symlink({str(victim)!r}, os.path.join(job, 'plan.json'))\n"
             "            except OSError:\n"
             "                pass\n"
             "        try:\n"
             "            os.kill(os.getppid(), signal.SIGKILL)\n"
             "        except OSError:\n"
             "            pass\n"
             "        " + SIGMOID_FORWARD)
    tests, result = grade(attack("plants_a_link", SIGMOID_FORWARD, plant), tmp_path)
    assert victim.read_text() == "unchanged" and len(tests) == len(ALL)
