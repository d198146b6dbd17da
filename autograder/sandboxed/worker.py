"""The worker: the only process that runs a student's code when grading.

Started by ``autograder.grading.isolation``: inside a bubblewrap sandbox where
the machine allows one (as the sandbox's pid 1, with this folder mounted
read-only), else from a copy of this folder in a private job folder. It reads
the job's plan and inputs and answers on its standard output only, in frames
(:mod:`.wire`): nothing it or a student's code could write to a file is read by
anyone.

When started as root (the fallback without a sandbox) it stays root, and each
check's process drops to the unprivileged user named in the plan before any
student code runs: a check cannot signal the worker. The worker makes itself
non-dumpable, so that no process of the same user can open its descriptors
through /proc or trace it. For each run it forks a child
that loads the submission afresh, so nothing a check does (patching numpy, say)
can reach another check. The child runs under resource limits (CPU time decides
when code runs too long; the wall clock is a generous backstop for code that
waits), with its output thrown away and every descriptor closed but the write
end of a pipe of its own, on which it sends its observations or an error. The
worker relays each child's message as one frame, at most
``max_result_bytes``, then a status frame.

The worker is also a "child subreaper" (pid 1 of the sandbox is one anyway):
processes a check leaves behind, even ones that detached into their own
session, are re-parented here and killed when their check ends.
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.util
import io
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

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
RESULT, ERROR = b"R", b"E"  # first byte of a child's message: observations (npz) or an error record (JSON)


WORKER_MEMORY_MB = 2048  # the worker's own address space beyond what it holds at start: parsing included


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    _prctl(PR_SET_DUMPABLE, 0)
    limit = _virtual_memory_bytes() + WORKER_MEMORY_MB * 2**20  # a parse bomb costs its own submission only
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    channel = os.dup(1)  # the results pipe; fd 1 itself now goes nowhere
    _to_devnull(0, 1)
    plan = json.loads((job / wire.PLAN).read_text())
    units = [loader.CodeUnit(label, source) for label, source in plan["units"]]
    _warm_imports(units)
    for run in plan["runs"]:
        run["inputs"] = _read_inputs(job / wire.INPUTS / f"{run['id']}.npz", run["cases"])
    plan["limits"]["account"] = plan.get("account")  # each check's process drops to it: this one stays out of reach
    if os.getpid() == 1:  # a sandbox's pid 1 gets only the signals it handles: Python handles SIGINT
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        prepared = loader.prepare(Path(plan["submission"]), units, wanted=tuple(plan["wanted"]))
    except MemoryError:  # parsing alone would take more memory than a worker may have
        prepared = loader.prepare(Path(plan["submission"]), [], wanted=tuple(plan["wanted"]))
        prepared.notes.append("your code is too large or too deeply nested to be read; nothing of it was run")
    become_subreaper()
    run_all(plan["runs"], prepared, channel, plan["limits"])
    wire.write_frame(channel, "done", "", b"")
    return 0


def run_all(runs: list[dict], prepared, channel: int, limits: dict) -> None:
    """Each run in its own child, up to ``limits["parallel"]`` at once; relay each one's message and status."""
    pending = list(runs)
    running: dict[int, dict] = {}  # pidfd -> {"run", "pid", "pipe", "message", "deadline"}
    while pending or running:
        while pending and len(running) < limits["parallel"]:
            run = pending.pop(0)
            pid, pipe = _start(run, prepared, limits)
            running[os.pidfd_open(pid)] = {"run": run, "pid": pid, "pipe": pipe, "message": bytearray(),
                                           "deadline": time.monotonic() + limits["wall_seconds_per_check"]}
        pipes = {child["pipe"]: child for child in running.values() if not child.get("eof")}
        wait = max(0.0, min(child["deadline"] for child in running.values()) - time.monotonic())
        ready, _, _ = select.select([*running, *pipes], [], [], wait)
        for fd in ready:
            if fd in pipes and not _read_some(pipes[fd], limits):
                _end(running, pipes[fd], channel, f"result larger than {limits['max_result_bytes']} bytes")
        for pidfd, child in list(running.items()):
            if pidfd in ready and child.get("status") is None:
                _, status = os.waitpid(child["pid"], 0)
                child["reaped"] = True
                while _read_some(child, limits, block=False):
                    pass
                _end(running, child, channel, _describe(status))
            elif child.get("status") is None and time.monotonic() >= child["deadline"]:
                _end(running, child, channel, f"timeout after {limits['wall_seconds_per_check']:g} s")
        running = {pidfd: child for pidfd, child in running.items() if child.get("status") is None}


def _start(run: dict, prepared, limits: dict) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.dup2(write_end, 3)
            os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the results pipe, others' pipes
            _child(run, prepared, limits)
        except BaseException as exc:  # the worker's own failure before the student's code ran
            _send(ERROR + wire.error_record(StudentCodeError(
                f"{run['method']}: could not be run ({type(exc).__name__}: {exc})"[:500])).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _read_some(child: dict, limits: dict, block: bool = True) -> bool:
    """Read what the child's pipe holds into its message; False once the message is too large."""
    if not block:
        os.set_blocking(child["pipe"], False)
    try:
        chunk = os.read(child["pipe"], 65536)
    except BlockingIOError:
        return False
    if len(child["message"]) + len(chunk) > limits["max_result_bytes"]:
        return False
    child["message"] += chunk
    child["eof"] = not chunk
    return bool(chunk) or block


def _end(running: dict, child: dict, channel: int, status: str) -> None:
    """Stop the child if it still runs; relay its message (if it ended by itself) and status; clean up."""
    if child.get("status") is not None:
        return
    child["status"] = status
    pidfd = next(fd for fd, other in running.items() if other is child)
    if not child.get("reaped"):
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(child["pid"], 0)
    os.close(child["pipe"])
    os.close(pidfd)
    message, run_id = bytes(child["message"]), child["run"]["id"]
    if status == "exited with status 0" and message[:1] in (RESULT, ERROR):
        wire.write_frame(channel, "result" if message[:1] == RESULT else "error", run_id, message[1:])
    wire.write_frame(channel, "status", run_id, status.encode())
    kill_descendants(keep={other["pid"] for other in running.values() if other.get("status") is None})


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


def _child(run: dict, prepared, limits: dict) -> None:
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if limits.get("account"):  # as root without a sandbox: the job slot's own uid, which cannot signal the worker
        drop_privileges(*limits["account"])
    if limits.get("processes"):  # counts this sandbox's (or this uid's) processes only
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)
    _apply_limits(limits)
    _to_devnull(0, 1, 2)  # whatever the student prints goes nowhere, however much of it there is
    loaded = loader.execute(prepared)
    try:
        observations = run_scenario(run["scenario"], run["params"], run["inputs"], loaded, run["method"])
        buffer = io.BytesIO()
        np.savez(buffer, **wire.flatten(observations))
        message = RESULT + buffer.getvalue()
    except StudentCodeError as error:
        message = ERROR + wire.error_record(error).encode()
    except BaseException as exc:  # the worker's own failure around the student's code
        failure = StudentCodeError(f"{run['method']}: could not be run ({type(exc).__name__}: {exc})"[:500])
        message = ERROR + wire.error_record(failure).encode()
    _send(message)


def _send(message: bytes) -> None:
    """The child's one message to the worker, on its pipe (fd 3)."""
    view = memoryview(message)
    while view:
        view = view[os.write(3, view):]


def _read_inputs(path: Path, n_cases: int) -> list[dict]:
    with np.load(path, allow_pickle=False) as data:
        return wire.unflatten({key: data[key] for key in data.files}, n_cases)


def _apply_limits(limits: dict) -> None:
    megabyte = 1024 * 1024
    in_use = _virtual_memory_bytes()
    for name, value in (
        (resource.RLIMIT_AS, in_use + limits["memory_mb"] * megabyte),
        (resource.RLIMIT_CPU, int(limits["seconds_per_check"]) + 1),  # soft: SIGXCPU
        (resource.RLIMIT_FSIZE, limits["file_mb"] * megabyte),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        # Never above what this process already has (the worker's own memory limit, say). The hard CPU
        # limit a little above the soft one: SIGXCPU says why first; SIGKILL if it is ignored.
        _, hard = resource.getrlimit(name)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        ceiling = value + 2 if name == resource.RLIMIT_CPU else value
        resource.setrlimit(name, (value, ceiling if hard == resource.RLIM_INFINITY else min(ceiling, hard)))


def _virtual_memory_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _to_devnull(*fds: int) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in fds:
        os.dup2(devnull, fd)
    os.close(devnull)


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def become_subreaper() -> None:
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


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
