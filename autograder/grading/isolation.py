"""Trusted grading: student code runs in a worker process; this process only judges.

The grading process never imports or executes a submission. It writes each
check's inputs as ``.npz`` files (``autograder.sandboxed.wire``), lets the
worker (``autograder.sandboxed.worker``, from a copy of that folder) run the
student's code on them under limits, reads the observations back with
``allow_pickle=False`` as float64 arrays, and judges them against the
reference's observations, which it computes itself. A worker can crash, hang,
print without end or lie: it loses that submission's points, nothing more.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks import Check, catalogue, graded_classes
from ..checks import expectations as expected_values
from ..checks.results import Result, Verdict, failed_to_run, judge
from ..sandboxed import loader, wire, worker

# The worker's code: this folder, copied whole into each job (as JOB/pkg/sandboxed), so the
# worker needs no access to this repository (and, running as another user, gets none to
# solutions/, the judges or the hidden checks).
SANDBOXED = Path(loader.__file__).resolve().parent
BOOT = "import sys; sys.path.insert(0, sys.argv[1] + '/pkg'); from sandboxed.worker import main; sys.exit(main(sys.argv[1:]))"
GRADER_USER_VARIABLE = "NN_GRADER_USER"
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
MAX_RESULT_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    seconds_per_check: float = 10.0  # wall clock; CPU time is capped at the same
    parallel: int = 1  # checks of one submission run at once (a class is graded in parallel instead)
    seconds_per_submission: float = 180.0  # the whole worker, all checks
    memory_mb: int = 1024  # address space a check may add
    file_mb: int = 16  # largest file a check may write


def read_code(path: Path) -> list[loader.CodeUnit]:
    """The submission's code, read here (parsed, never run); SubmissionError if unreadable."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_SUBMISSION_BYTES:
        raise loader.SubmissionError(f"{path}: larger than {MAX_SUBMISSION_BYTES // 2**20} MB")
    return loader.code_units(path)


def grade(path: Path | str, checks: list[Check] | None = None, expectations=None,
          limits: Limits = Limits()) -> Verdict:
    """Grade one submission in an isolated worker. Raises SubmissionError for a bad path."""
    path = Path(path)
    started = time.monotonic()
    checks = checks if checks is not None else catalogue()
    expectations = expectations or expected_values.default()
    units = read_code(path)
    job = Path(tempfile.mkdtemp(prefix="nn-grade-"))
    try:
        run_of = _write_job(job, path, units, checks, limits)
        notes = _run_worker(job, limits, len(set(run_of.values())))
        unfinished = _unfinished_runs(job)
        if unfinished and not notes:
            # The worker died early (killed by the submission itself, or a fault of ours):
            # one more worker runs what is left, so a fluke costs nobody points.
            _keep_runs(job, unfinished)
            notes = _run_worker(job, limits, len(unfinished))
            notes.append(f"the grading process stopped early; {len(unfinished)} checks were run again in a new one")
        results = [_judge_one(check, run_of[check.id], job / wire.OUT, expectations, limits) for check in checks]
    finally:
        shutil.rmtree(job, ignore_errors=True)
    return Verdict(path, results, time.monotonic() - started, notes)


def _write_job(job: Path, path: Path, units: list, checks: list[Check], limits: Limits) -> dict[str, str]:
    """Write the worker's job folder; return each check's run id.

    Checks that run the same scenario on the same inputs (a value check and a
    contract check, say) share one run: the code runs once, each judges it.
    """
    (job / wire.INPUTS).mkdir()
    (job / wire.OUT).mkdir()
    runs, run_of = {}, {}
    for check in checks:
        cases = check.cases()
        arrays = wire.flatten(cases)
        key = (check.scenario, json.dumps(check.params, sort_keys=True),
               tuple((name, a.shape, a.tobytes()) for name, a in sorted(arrays.items())))
        if key not in runs:
            runs[key] = {"id": check.id, "scenario": check.scenario, "params": check.params,
                         "cases": len(cases), "method": check.method}
            np.savez(job / wire.INPUTS / f"{check.id}.npz", **arrays)
        run_of[check.id] = runs[key]["id"]
    # The worker gets the code already extracted: it needs no notebook library (fast start).
    account = worker_account()
    plan = {"submission": path.name, "units": [[u.label, u.source] for u in units], "wanted": graded_classes(checks),
            "limits": limits.__dict__, "runs": list(runs.values()), "account": account}
    (job / wire.PLAN).write_text(json.dumps(plan))
    _prepare_folders(job, account)
    return run_of


def worker_account() -> tuple[int, int] | None:
    """(uid, gid) the workers run as when the grader runs as root: $NN_GRADER_USER, else `nobody`."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(os.environ.get(GRADER_USER_VARIABLE, "nobody"))
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _prepare_folders(job: Path, account: tuple[int, int] | None) -> None:
    shutil.copytree(SANDBOXED, job / "pkg" / "sandboxed", ignore=shutil.ignore_patterns("__pycache__"))
    if account is None:
        return
    # The worker's user may read the job and write only its own out/ folder.
    for path in [job, *job.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    os.chown(job / wire.OUT, *account)
    (job / wire.OUT).chmod(0o700)


def _worker_environment(job: Path) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(job),
           "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


_active_workers: set[int] = set()
_workers_lock = threading.Lock()
_reaping = False


def adopt_orphans() -> None:
    """Make this process a subreaper, so it can kill what submissions detach (the CLI calls this)."""
    global _reaping
    worker.become_subreaper()
    _reaping = True


def _run_worker(job: Path, limits: Limits, n_checks: int) -> list[str]:
    budget = min(limits.seconds_per_submission, (n_checks + 2) * limits.seconds_per_check + 10)
    # Started under the lock, so another thread's reap_orphans never mistakes it for an orphan.
    with _workers_lock, open(job / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOT, str(job)],
            cwd=job, env=_worker_environment(job), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True,
        )
        _active_workers.add(process.pid)
    notes = []
    try:
        process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        notes.append(f"grading stopped after {budget:g} s; checks not finished by then score 0")
    finally:
        _kill_group(process.pid)
        process.kill()
        process.wait()
        with _workers_lock:
            _active_workers.discard(process.pid)
        reap_orphans()
    return notes


def _unfinished_runs(job: Path) -> list[str]:
    plan = json.loads((job / wire.PLAN).read_text())
    return [run["id"] for run in plan["runs"] if not (job / wire.OUT / f"{run['id']}{wire.STATUS}").exists()]


def _keep_runs(job: Path, ids: list[str]) -> None:
    plan = json.loads((job / wire.PLAN).read_text())
    plan["runs"] = [run for run in plan["runs"] if run["id"] in ids]
    (job / wire.PLAN).write_text(json.dumps(plan))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def reap_orphans() -> None:
    """Kill processes a submission detached; as a subreaper, they are this process's children now."""
    if not _reaping:
        return
    me = os.getpid()
    for _ in range(50):
        with _workers_lock:
            orphans = [pid for pid in worker.children_of(me) if pid not in _active_workers]
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError, PermissionError):
                pass


def _judge_one(check: Check, run: str, out: Path, expectations, limits: Limits) -> Result:
    error_file, data_file, status_file = (out / f"{run}{ext}" for ext in (wire.ERROR, wire.OBSERVATIONS, wire.STATUS))
    if error_file.is_file():
        return failed_to_run(check, _read_error(error_file, check))
    if data_file.is_file() and data_file.stat().st_size <= MAX_RESULT_BYTES:
        try:
            observations = _read_observations(data_file, len(check.cases()))
        except Exception:
            return Result(check, 0.0, f"{check.method}: its results could not be read.")
        return judge(check, observations, expectations)
    status = _read_message(status_file) if status_file.is_file() else "not run"
    if status.startswith("timeout"):
        return Result(check, 0.0, f"{check.method}: did not finish within {limits.seconds_per_check:g} s "
                                  "(an endless loop, or far too much work?).")
    if status == "not run":
        return Result(check, 0.0, f"{check.method}: not run: grading of this submission stopped before it.")
    if "SIGXCPU" in status:
        return Result(check, 0.0, f"{check.method}: used more than {limits.seconds_per_check:g} s of CPU time.")
    return Result(check, 0.0, f"{check.method}: the process running your code {status} before giving a "
                              "result; does your code call exit() or os._exit(), or crash Python?")


def _read_error(path: Path, check: Check) -> wire.StudentCodeError:
    """The worker's explanation of a failure (untrusted text: it only ever costs points)."""
    text = _read_message(path)
    try:
        return wire.parse_error_record(text)
    except (ValueError, KeyError, TypeError):
        return wire.StudentCodeError(f"{check.method}: {text[:500]}")


def _read_message(path: Path) -> str:
    with open(path, "rb") as handle:
        text = handle.read(2000).decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text).strip()


def _read_observations(path: Path, n_cases: int) -> list[dict]:
    with np.load(path, allow_pickle=False) as data:
        # Plain float64 copies: whatever the worker wrote, nothing but numbers is compared.
        return wire.unflatten({key: np.array(data[key], dtype=np.float64) for key in data.files}, n_cases)
