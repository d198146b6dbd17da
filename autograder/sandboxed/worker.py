"""The worker: the only process that runs a student's code when grading.

Started by ``autograder.grading.isolation`` from a copy of this folder in
``JOB/pkg`` (never the reference, the judges or the hidden checks). It reads
its job folder and writes its results as :mod:`.wire` describes.

When started as root it imports what it needs, then drops to the unprivileged
user named in the plan before any student code runs. For each run it forks a
child that loads the submission afresh, so nothing a check does (patching
numpy, say) can reach another check. The child runs under resource limits with
its output thrown away, and writes only plain arrays or an error record; this
process writes how each child ended.

The worker also becomes a "child subreaper": processes a check leaves behind,
even ones that detached into their own session, are re-parented here and
killed before the next check starts.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import json
import os
import resource
import select
import signal
import sys
import time
from pathlib import Path

import numpy as np

from . import loader, wire
from .errors import StudentCodeError
from .scenarios import run_scenario

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    plan = json.loads((job / wire.PLAN).read_text())
    units = [loader.CodeUnit(label, source) for label, source in plan["units"]]
    _warm_imports(units)
    for run in plan["runs"]:
        run["inputs"] = _read_inputs(job / wire.INPUTS / f"{run['id']}.npz", run["cases"])
    if plan.get("account"):
        drop_privileges(*plan["account"])
    prepared = loader.prepare(Path(plan["submission"]), units, wanted=tuple(plan["wanted"]))
    become_subreaper()
    run_all(plan["runs"], prepared, job, plan["limits"])
    return 0


def run_all(runs: list[dict], prepared, job: Path, limits: dict) -> None:
    """Each run in its own child, up to ``limits["parallel"]`` at once, each with a deadline."""
    pending = list(runs)
    running: dict[int, tuple[dict, float, int]] = {}  # pid -> (run, deadline, pidfd)
    while pending or running:
        while pending and len(running) < limits["parallel"]:
            run = pending.pop(0)
            pid = os.fork()
            if pid == 0:  # the child: never returns
                try:
                    _child(run, prepared, job, limits)
                except BaseException as exc:  # the worker's own failure around the student's code
                    _record_failure(job / wire.OUT / f"{run['id']}{wire.ERROR}", run["method"], exc)
                finally:
                    os._exit(0)
            running[pid] = (run, time.monotonic() + limits["seconds_per_check"], os.pidfd_open(pid))
        wait = max(0.0, min(deadline for _, deadline, _ in running.values()) - time.monotonic())
        ready, _, _ = select.select([fd for _, _, fd in running.values()], [], [], wait)
        now = time.monotonic()
        for pid, (run, deadline, fd) in list(running.items()):
            if fd in ready:
                _, status = os.waitpid(pid, 0)
                ended = _describe(status)
            elif now >= deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                ended = f"timeout after {limits['seconds_per_check']:g} s"
            else:
                continue
            os.close(fd)
            del running[pid]
            kill_descendants(keep=set(running))
            (job / wire.OUT / f"{run['id']}{wire.STATUS}").write_text(ended)


def _record_failure(path: Path, method: str, exc: BaseException) -> None:
    try:
        message = f"{method}: could not be run ({type(exc).__name__}: {exc})"[:500]
        path.write_text(wire.error_record(StudentCodeError(message)))
    except BaseException:
        pass


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


# Imported before privileges are dropped: where Python itself lives in a folder the
# unprivileged user cannot read (a per-user install), later imports would fail.
WARM_MODULES = ("numpy", "numpy.linalg", "numpy.random", "typing", "math", "abc", "dataclasses", "functools",
                "itertools", "collections", "copy", "warnings", "random", "time", "zipfile", "encodings.cp437",
                "linecache")


def drop_privileges(uid: int, gid: int) -> None:
    """Become the unprivileged grading user, for good, before any student code runs."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("could not drop privileges")


def _warm_imports(units: list) -> None:
    """Prepare matplotlib once, before forking, if the submission uses it: each check then starts fast.

    ``matplotlib.pyplot`` alone takes about half a second to import and grading
    never plots, so it is made lazy: a submission's ``import matplotlib.pyplot as
    plt`` costs nothing, and pyplot really loads only if a method uses it.
    """
    for name in WARM_MODULES:
        importlib.import_module(name)
    if not any("matplotlib" in unit.source for unit in units):
        return
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    sys.meta_path.insert(0, _LazyPyplot())


class _LazyPyplot(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "matplotlib.pyplot":
            return None
        sys.meta_path.remove(self)  # find the real module's spec, then wrap its loader
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


def _child(run: dict, prepared, job: Path, limits: dict) -> None:
    os.setpgid(0, 0)
    _apply_limits(limits)
    _silence()
    out = job / wire.OUT
    loaded = loader.execute(prepared)
    try:
        observations = run_scenario(run["scenario"], run["params"], run["inputs"], loaded, run["method"])
    except StudentCodeError as error:
        (out / f"{run['id']}{wire.ERROR}").write_text(wire.error_record(error))
        return
    np.savez(out / f"{run['id']}{wire.OBSERVATIONS}", **wire.flatten(observations))


def _read_inputs(path: Path, n_cases: int) -> list[dict]:
    with np.load(path, allow_pickle=False) as data:
        return wire.unflatten({key: data[key] for key in data.files}, n_cases)


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
    """Child pids of ``pid``: from /proc/<pid>/task/*/children where the kernel has it, else a /proc scan."""
    try:
        return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    except OSError:
        pass
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


def kill_descendants(keep: set[int] = frozenset()) -> None:
    """Kill every process left behind (re-parented to this subreaper), except the ``keep`` children."""
    me = os.getpid()
    for _ in range(100):
        left = [pid for pid in children_of(me) if pid not in keep]
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
