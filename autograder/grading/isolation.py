"""Trusted grading: student code runs in a worker process; this process only judges.

The grading process never imports or executes a submission. It writes a private
job folder (the plan and each run's inputs, ``autograder.sandboxed.wire``) and
starts the worker (``autograder.sandboxed.worker``) in a sandbox
(:mod:`.sandbox`), which runs the student's code on the inputs under limits and
answers in frames on its standard output. This process reads at most
``max_output_bytes`` of them, reads each result with :mod:`.untrusted` (float64
arrays only, every size checked before any data is read), and judges them
against the reference's observations, which it computes itself. A worker can
crash, hang, print without end or lie: it loses that submission's points,
nothing more.
"""

from __future__ import annotations

import functools
import io
import json
import os
import pwd
import queue
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..checks import SECONDS_PER_CHECK, Check, catalogue, graded_classes
from ..checks import expectations as expected_values
from ..checks.results import Result, Verdict, failed_to_run, judge
from ..sandboxed import loader, wire
from . import cgroup, sandbox, workers
from .untrusted import UnsafeResult, clean_text, read_arrays
from .workers import SANDBOXED, SCRATCH, Sent, adopt_orphans, reused  # noqa: F401 (the front ends' names)

GRADER_USER_VARIABLE = "NN_GRADER_USER"
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    seconds_per_check: float = SECONDS_PER_CHECK  # CPU time a check may use: what decides a verdict
    wall_seconds_per_check: float | None = None  # a backstop for code that waits (default: 3x the above + 5)
    parallel: int = 1  # checks of one submission run at once (a class is graded in parallel instead)
    seconds_per_submission: float = 900.0  # wall-clock backstop for the whole worker
    memory_mb: int = 1024  # address space a check may add
    file_mb: int = 16  # largest file a check may write
    processes: int = 64  # processes a sandbox may hold at once (where the kernel can count them)
    max_result_bytes: int = 4 * 2**20  # one run's observations
    max_output_bytes: int = 16 * 2**20  # everything a worker sends back

    @property
    def wall(self) -> float:
        return self.wall_seconds_per_check or 3 * self.seconds_per_check + 5


class SandboxRequired(RuntimeError):
    """``--require-sandbox`` was given and bubblewrap cannot run here."""


def check_file(path: Path) -> Path:
    """``path`` if it can be a submission; SubmissionError if not. Only its size and type are looked at here:
    the worker parses it, under the worker's memory limit (a notebook of many tiny JSON values takes 30 times
    its size in memory)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_SUBMISSION_BYTES:
        raise loader.SubmissionError(f"{path}: larger than {MAX_SUBMISSION_BYTES // 2**20} MB")
    return loader.check_file(path)


def isolation(require_sandbox: bool = False) -> sandbox.Isolation:
    """How workers run on this machine; SandboxRequired if a sandbox is required and impossible."""
    chosen = sandbox.choose()
    if require_sandbox and not chosen.sandbox:
        raise SandboxRequired(f"a sandbox is required, and {chosen.description.removeprefix('fallback: ')}")
    return chosen


def grade(path: Path | str, checks: list[Check] | None = None, expectations=None,
          limits: Limits = Limits(), require_sandbox: bool = False) -> Verdict:
    """Grade one submission in an isolated worker. Raises SubmissionError for a bad path."""
    path = Path(path)
    started = time.monotonic()
    checks = checks if checks is not None else catalogue()
    check_file(path)
    how = isolation(require_sandbox)
    if expectations is None:  # the reference's side, computed while the worker runs (a class passes its own)
        background = ThreadPoolExecutor(max_workers=1)
        expectations = background.submit(expected_values.computed_for, checks)
        background.shutdown(wait=False)  # the task goes on; the thread ends with it
    slot = _slots.get()
    used = workers.for_slot(slot, how, limits.processes)
    try:
        runs, run_of, plan = _write_job(used.job, path, checks, limits, how, slot)
        sent = used.grade(limits, list(runs))
        if sent.rejected is not None:  # the file could not be read as a submission: nothing was run
            raise loader.SubmissionError(f"{path}: {sent.rejected}")
        unfinished = [run for run in runs if run not in sent.statuses]
        if unfinished and not sent.stopped:
            # The process grading it died early (killed by the submission itself, or a fault of ours):
            # one more runs what is left, so a fluke costs nobody points.
            _keep_runs(used.job, plan, unfinished, _job_owner(how, slot))
            again = used.grade(limits, unfinished)
            sent.merge(again)
            sent.notes.append(f"the worker stopped early; {len(unfinished)} runs were run again in a new one")
        if isinstance(expectations, Future):
            expectations = expectations.result()
        results = [_judge_one(check, run_of[check.id], sent, expectations, limits) for check in checks]
    finally:
        workers.done_with(used)
        _slots.put(slot)
    return Verdict(path, results, time.monotonic() - started, sent.notes, isolation=_describe(how))


class _Slots:
    """Job slots: as root, each concurrent job runs as its slot's own uid (61000 + slot)."""

    def __init__(self):
        self._free: queue.Queue = queue.Queue()
        self._next = 1
        self._lock = threading.Lock()

    def get(self) -> int:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            with self._lock:
                self._next += 1
                return self._next - 1

    def put(self, slot: int) -> None:
        self._free.put(slot)


_slots = _Slots()


def _write_job(job: Path, path: Path, checks: list[Check], limits: Limits,
               how: sandbox.Isolation, slot: int) -> tuple[dict[str, dict], dict[str, str], dict]:
    """Write the worker's job folder; return the runs, each check's run id and the plan."""
    runs, run_of, inputs, input_keys = _runs(tuple(checks))
    (job / wire.INPUTS).write_bytes(inputs)
    fallback_as_root = not how.sandbox and os.geteuid() == 0
    account = _fallback_account(slot) if fallback_as_root else None
    # RLIMIT_NPROC counts a uid's processes (inside a sandbox's own user namespace: the sandbox's), and never
    # host root's: so it is set for a sandbox started as a user, and for a fallback worker on a job slot's uid;
    # in the fallback run by a normal user, on top of what that user already runs ("shared"). A sandbox run
    # as root inside is counted by a pids control group instead (_run_worker).
    shared = not how.sandbox and os.geteuid() != 0
    counted = (how.sandbox and (os.geteuid() != 0 or how.as_slot_user)) or account is not None or shared
    process_limit = limits.processes if counted else None
    for earlier in job.glob(f"{wire.SUBMISSION}.*"):  # the slot's previous submission, in a reused job folder
        earlier.unlink()
    shutil.copyfile(path, job / f"{wire.SUBMISSION}{path.suffix}")
    plan = {"submission": path.name, "file": f"{wire.SUBMISSION}{path.suffix}", "wanted": graded_classes(checks),
            "limits": {"seconds_per_check": limits.seconds_per_check, "wall_seconds_per_check": limits.wall,
                       "parallel": limits.parallel, "memory_mb": limits.memory_mb, "file_mb": limits.file_mb,
                       "max_result_bytes": limits.max_result_bytes, "processes": process_limit,
                       "processes_shared_with_user": shared},
            "runs": list(runs.values()), "inputs": input_keys, "account": account}
    _write_plan(job, plan)
    if not how.sandbox:
        # The worker's code, copied: a fallback worker can read nothing of the repository. The checks
        # work in scratch/, the only folder they may write to: the plan and the inputs stay as written.
        shutil.copytree(SANDBOXED, job / "pkg" / "sandboxed", dirs_exist_ok=True)  # with its bytecode (times kept)
        (job / SCRATCH).mkdir(mode=0o700, exist_ok=True)
        if account:  # as root: the job's own uid writes its scratch folder and reaches it; nothing else here
            os.chown(job / SCRATCH, *account)
            job.chmod(0o711)
    elif (owner := _job_owner(how, slot)) is not None:  # bubblewrap, started as that uid, binds them
        for item in [job, *job.rglob("*")]:
            os.chown(item, owner, owner, follow_symlinks=False)
    return runs, run_of, plan


def _write_plan(job: Path, plan: dict) -> None:
    """Write (or replace) the plan without following a link a submission may have put in its place."""
    path = job / wire.PLAN
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(plan, stream)


_worked_out: dict[tuple[int, ...], tuple] = {}  # id()s of the checks -> (the checks, _runs's answer)


def _runs(checks: tuple[Check, ...]) -> tuple[dict[str, dict], dict[str, str], bytes, list[str]]:
    """The runs of these checks, each check's run id, and every run's inputs (``wire.INPUTS``) with their keys.

    Checks that run the same scenario on the same inputs (a value check and a
    contract check, say) share one run: the code runs once, each judges it. The
    same for every submission of a class: worked out once (the checks are kept
    with the answer, so their ids cannot be reused while it is kept).
    """
    key = tuple(map(id, checks))
    kept = _worked_out.get(key)
    if kept is None or any(a is not b for a, b in zip(kept[0], checks)):
        if len(_worked_out) > 8:
            _worked_out.clear()
        kept = _worked_out[key] = (checks, _work_out_runs(checks))
    return kept[1]


def _work_out_runs(checks: tuple[Check, ...]) -> tuple[dict[str, dict], dict[str, str], bytes, list[str]]:
    runs, run_of, seen, inputs = {}, {}, {}, {}
    for check in checks:
        cases = check.cases()
        arrays = wire.flatten(cases)
        key = (check.scenario, json.dumps(check.params, sort_keys=True),
               tuple((name, a.shape, a.tobytes()) for name, a in sorted(arrays.items())))
        if key not in seen:
            seen[key] = check.id
            runs[check.id] = {"id": check.id, "scenario": check.scenario, "params": check.params,
                              "cases": len(cases), "method": check.method}
            inputs.update({f"{check.id}/{name}": array for name, array in arrays.items()})
        run_of[check.id] = seen[key]
    stream = io.BytesIO()
    for array in inputs.values():
        np.save(stream, array, allow_pickle=False)
    return runs, run_of, stream.getvalue(), list(inputs)


def _fallback_account(slot: int) -> tuple[int, int] | None:
    """As root without a sandbox: the slot's own uid, or $NN_GRADER_USER if set."""
    name = os.environ.get(GRADER_USER_VARIABLE)
    if name:
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            pass
    return sandbox.slot_uid(slot), sandbox.slot_uid(slot)


def _keep_runs(job: Path, plan: dict, ids: list[str], owner: int | None) -> None:
    """The plan again, with only these runs (from memory: nothing in the job folder is read back)."""
    _write_plan(job, {**plan, "runs": [run for run in plan["runs"] if run["id"] in ids]})
    if owner is not None:
        os.chown(job / wire.PLAN, owner, owner, follow_symlinks=False)


def _job_owner(how: sandbox.Isolation, slot: int) -> int | None:
    """Who must own the job folder's files: the slot's uid, as which bubblewrap starts and binds them as root."""
    return sandbox.slot_uid(slot) if how.sandbox and how.as_slot_user else None


@functools.lru_cache(maxsize=None)
def _describe(how: sandbox.Isolation) -> str:
    """The one line every report carries about how this submission's code ran."""
    if not how.sandbox:
        return sandbox.fallback_description(how)
    if workers.counted_by_cgroup(how):
        bounded = cgroup.create(f"probe-{os.getpid()}", 1)
        if bounded is not None:
            bounded.remove()
        return how.description + ("; processes counted by a pids control group" if bounded else
                                  "; no process-count limit (no pids control group can be made here)")
    return how.description


def _judge_one(check: Check, run: str, sent: Sent, expectations, limits: Limits) -> Result:
    kind, payload = sent.results.get(run, ("", b""))
    if kind == "error":
        return failed_to_run(check, _read_error(payload, check))
    if kind == "result":
        try:
            observations = wire.unflatten(read_arrays(payload, max_total_bytes=limits.max_result_bytes),
                                          len(check.cases()))
        except UnsafeResult:
            return Result(check, 0.0, f"{check.method}: its results could not be read.")
        return judge(check, observations, expectations)
    status = sent.statuses.get(run, "not run")
    if status.startswith("timeout"):
        return Result(check, 0.0, f"{check.method}: did not finish within {limits.wall:g} s of waiting (a sleep, "
                                  "input(), or a machine far too busy?).", out_of_time=True)
    if status == "not run":
        return Result(check, 0.0, f"{check.method}: not run: grading of this submission stopped before it.")
    if "SIGXCPU" in status:
        return Result(check, 0.0, f"{check.method}: used more than {limits.seconds_per_check:g} s of CPU time "
                                  "(an endless loop, or far too much work?).", out_of_time=True)
    if status.startswith("could not be started"):
        return Result(check, 0.0, f"{check.method}: could not be run: no new process could be started, as processes "
                                  f"your code started fill the limit of {limits.processes}.")
    if status.startswith("result larger"):
        return Result(check, 0.0, f"{check.method}: its {status}; return arrays of the expected size.")
    return Result(check, 0.0, f"{check.method}: the process running your code {status} before giving a "
                              "result; does your code call exit() or os._exit(), or crash Python?")


def _read_error(payload: bytes, check: Check) -> wire.StudentCodeError:
    """The worker's explanation of a failure (untrusted text: it only ever costs points)."""
    text = payload[:20000].decode("utf-8", errors="replace")
    try:
        error = wire.parse_error_record(text)
    except (ValueError, KeyError, TypeError):
        return wire.StudentCodeError(f"{check.method}: {clean_text(text, 500)}")
    error.message, error.detail = clean_text(error.message, 2000), clean_text(error.detail, 500)
    return error
