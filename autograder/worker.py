"""The worker: the only process that runs a student's code when grading.

Started by :mod:`autograder.isolation` as ``python -m autograder.worker JOB``.
It imports only public modules (never the reference or the hidden checks) and
reads everything it needs from the job folder:

    JOB/plan.json              which scenarios to run, the limits
    JOB/submission.ipynb|.py   the submission
    JOB/inputs/<id>.npz        each check's input cases, as plain arrays

For each check it forks a child that loads the submission afresh, so nothing a
check does (patching numpy, say) can reach another check. The child runs under
resource limits with its output thrown away, and writes only plain arrays:

    JOB/out/<id>.npz           observations, "<case>/<name>" -> array
    JOB/out/<id>.error         or a one-line explanation of what failed
    JOB/out/<id>.status        how the child ended, written by this process

The worker also becomes a "child subreaper": processes a check leaves behind,
even ones that detached into their own session, are re-parented here and
killed before the next check starts.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import select
import signal
import sys
import time
from pathlib import Path

import numpy as np

from . import submission
from .scenarios import StudentCodeError, run_scenario

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    plan = json.loads((job / "plan.json").read_text())
    _warm_imports()
    out = job / "out"
    out.mkdir(exist_ok=True)
    try:
        prepared = submission.prepare(job / plan["submission"])
    except submission.SubmissionError as error:
        for item in plan["checks"]:
            (out / f"{item['id']}.error").write_text(str(error))
        return 0
    become_subreaper()
    for item in plan["checks"]:
        status = run_in_child(item, prepared, job, plan["limits"])
        kill_descendants()
        (out / f"{item['id']}.status").write_text(status)
    return 0


def _warm_imports() -> None:
    """Import what submissions usually import, once, before forking: it makes each check fast."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        pass


def run_in_child(item: dict, prepared, job: Path, limits: dict) -> str:
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            _child(item, prepared, job, limits)
        finally:
            os._exit(0)
    return wait_for(pid, limits["seconds_per_check"])


def wait_for(pid: int, seconds: float) -> str:
    """Wait for a child at most ``seconds``; kill it after that. Returns how it ended."""
    fd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([fd], [], [], seconds)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return f"timeout after {seconds:g} s"
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    if os.WIFSIGNALED(status):
        return f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def _child(item: dict, prepared, job: Path, limits: dict) -> None:
    os.setpgid(0, 0)
    _apply_limits(limits)
    _silence()
    out = job / "out"
    with np.load(job / "inputs" / f"{item['id']}.npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    cases = [
        {key.split("/", 1)[1]: value for key, value in arrays.items() if key.startswith(f"{i}/")}
        for i in range(item["cases"])
    ]
    try:
        loaded = submission.execute(prepared)
        observations = run_scenario(item["scenario"], item["params"], cases, loaded.namespace,
                                    item["method"], item["hint"])
    except StudentCodeError as error:
        message = str(error)
        if loaded.notes:
            message += " (While loading your code: " + "; ".join(loaded.notes)[:500] + ")"
        (out / f"{item['id']}.error").write_text(message)
        return
    except BaseException as exc:  # the grader's own code failed around the student's
        (out / f"{item['id']}.error").write_text(f"{item['method']}: could not run ({type(exc).__name__}).")
        return
    flat = {f"{i}/{key}": np.asarray(value, dtype=np.float64)
            for i, obs in enumerate(observations) for key, value in obs.items()}
    np.savez(out / f"{item['id']}.npz", **flat)


def _apply_limits(limits: dict) -> None:
    megabyte = 1024 * 1024
    in_use = _virtual_memory_bytes()
    for name, value in (
        (resource.RLIMIT_AS, in_use + limits["memory_mb"] * megabyte),
        (resource.RLIMIT_CPU, int(limits["seconds_per_check"]) + 1),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * megabyte),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(name, (value, value))


def _virtual_memory_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _silence() -> None:
    """Whatever the student prints goes nowhere, however much of it there is."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def become_subreaper() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def kill_descendants() -> None:
    """Kill every process left behind (they are re-parented to this subreaper), until none remain."""
    me = os.getpid()
    for _ in range(100):
        left = children_of(me)
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in left:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
