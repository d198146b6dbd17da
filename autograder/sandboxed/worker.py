"""The worker: the only process that runs a student's code when grading.

Started by ``autograder.grading.isolation``: inside a bubblewrap sandbox where
the machine allows one (as the sandbox's pid 1, with this folder mounted
read-only), else from a copy of this folder in a private job folder. It grades
the job folder's submission each time the grading process asks (a sandbox
serves one job slot's submissions one after another, the fallback one
submission), each in a process of its own (:func:`main`). It reads the job's
plan and inputs and answers on its standard output only, in frames
(:mod:`.wire`): nothing it or a student's code could write to a file is read by
anyone.

When started as root (the fallback without a sandbox) it stays root, and each
check's process drops to the unprivileged user named in the plan before any
student code runs: a check cannot signal the worker. The worker makes itself
non-dumpable, so that no process of the same user can open its descriptors
through /proc or trace it. For each method under test it forks a child that
runs that method's runs one after another, each on the submission loaded
afresh: nothing a check does (patching numpy, say) can reach another method's
checks, and a run that crashes or hangs costs that run only (the runs after it
start again in a new child). The child runs under resource limits (CPU time per
run decides when code runs too long; the wall clock is a generous backstop for
code that waits), with its output thrown away and every descriptor closed but
the write end of a pipe of its own, on which it announces each run and sends
its observations or an error. The worker relays each run's message as one
frame, at most ``max_result_bytes``, then a status frame.

The process that grades a submission is also a "child subreaper": processes a
check leaves behind, even ones that detached into their own session, are
re-parented to it and killed when their check ends.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import math
import os
import resource
import select
import shutil
import signal
import stat
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from . import loader, wire
from .errors import StudentCodeError
from .scenarios import run_scenario

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


NOT_CLEARED = "not cleared"  # the ended frame's second line when the worker ends instead of grading another
WORKER_MEMORY_MB = 2048  # the worker's own address space beyond what it holds at start: parsing included


def main(argv: list[str]) -> int:
    """Serve the grading process: grade the job in ``argv[0]`` once per ``go`` line on standard input.

    Each submission is graded by a process forked from this one, which has imported
    what grading needs and has never held a submission: the next one finds nothing
    of the one before in its memory. When that process ends, every process it left is
    killed and, in a sandbox, its scratch folder emptied (:func:`clear`); then an
    ``ended`` frame tells the grading process that it may write the next job. If
    anything is left that cannot be cleared, the worker ends: no other submission is
    graded where it was.
    """
    job = Path(argv[0])
    _prctl(PR_SET_DUMPABLE, 0)
    commands, channel = os.dup(0), os.dup(1)  # the grading process's commands; the results pipe
    _to_devnull(0, 1)
    if os.getpid() == 1:  # a sandbox's pid 1 gets only the signals it handles: Python handles SIGINT
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in WARM_MODULES:
        importlib.import_module(name)
    become_subreaper()
    baseline = (scratch_entries() or {}) if os.getpid() == 1 else {}
    while _next_command(commands) == b"go":
        pid = os.fork()
        if pid == 0:  # grades one submission, then ends
            status = 1
            try:
                os.close(commands)
                status = grade_job(job, channel)
            except BaseException:  # the worker's own failure: its traceback is the grading process's note
                traceback.print_exc()
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        try:
            clean = clear(baseline)
        except Exception:  # whatever a submission left, it never ends the worker without a word
            clean = False
        wire.write_frame(channel, "ended", "", (_describe(status) + ("" if clean else f"\n{NOT_CLEARED}")).encode())
        if not clean:
            return 1
    return 0


def _next_command(fd: int) -> bytes:
    """The next line from the grading process (without its newline); b"" at the end."""
    line = bytearray()
    while not line.endswith(b"\n"):
        data = os.read(fd, 1)
        if not data:
            return b""
        line += data
    return bytes(line[:-1])


def grade_job(job: Path, channel: int) -> int:
    """Grade the submission the job folder holds now, answering in frames on ``channel``."""
    limit = _virtual_memory_bytes() + WORKER_MEMORY_MB * 2**20  # a parse bomb costs its own submission only
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    plan = json.loads((job / wire.PLAN).read_text())
    try:  # here, not in the grading process: under this process's memory limit
        units = loader.code_units(job / plan["file"], name=plan["submission"])
    except loader.SubmissionError as error:
        wire.write_frame(channel, "rejected", "", str(error).removeprefix(f"{plan['submission']}: ").encode())
        return 0
    inputs = _read_inputs(job / wire.INPUTS, plan["inputs"])
    for run in plan["runs"]:
        run["inputs"] = wire.unflatten(inputs.get(run["id"], {}), run["cases"])
    plan["limits"]["account"] = plan.get("account")  # each check's process drops to it: this one stays out of reach
    try:
        prepared = loader.prepare(Path(plan["submission"]), units, wanted=tuple(plan["wanted"]))
    except MemoryError:  # parsing alone would take more memory than a worker may have
        prepared = loader.prepare(Path(plan["submission"]), [], wanted=tuple(plan["wanted"]))
        prepared.notes.append("your code is too large or too deeply nested to be read; nothing of it was run")
    _warm_imports(prepared)
    run_all(plan["runs"], prepared, channel, plan["limits"])
    wire.write_frame(channel, "done", "", b"")
    return 0


def clear(baseline: dict[str, int]) -> bool:
    """End every process a submission left and, as a sandbox's pid 1, put its scratch folder back as it was at
    the start (``baseline``, from :func:`scratch_entries`); True if nothing of the submission is left.

    A sandbox's pid 1 kills with ``kill(-1)``: every process in the sandbox but itself,
    detached ones included. Elsewhere (the fallback, whose worker serves one submission)
    processes left behind were re-parented to this subreaper and are killed as its children.
    """
    if os.getpid() != 1:
        kill_descendants()
        return not children_of(os.getpid())
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            while True:
                os.waitpid(-1, 0)
        except ChildProcessError:
            pass
        if not children_of(1):
            break
    for path, mode in baseline.items():  # a folder a submission made unreadable hides nothing
        if stat.S_ISDIR(mode):
            with contextlib.suppress(OSError):
                os.chmod(path, stat.S_IMODE(mode))
    left = scratch_entries()
    for path in sorted(set(left or ()) - set(baseline)):
        _remove(path)
    return left is not None and not children_of(1) and scratch_entries() == baseline


def scratch_entries(limit: int = 100_000) -> dict[str, int] | None:
    """Path -> mode of everything in the sandbox's scratch folder itself (what is mounted in it, the interpreter
    where it lives under /tmp, is not looked into); None if there are more than ``limit`` entries.

    Iterative, not :func:`os.walk` (which recurses): a submission decides how deep its folders go.
    """
    top = wire.SANDBOX_SCRATCH
    device = os.lstat(top).st_dev
    found: dict[str, int] = {}
    folders = [top]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:  # unreadable, or a path too long: what it holds is missing, so it differs from the baseline
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found[entry.path] = info.st_mode
            if stat.S_ISDIR(info.st_mode) and info.st_dev == device:
                folders.append(entry.path)
        if len(found) > limit:
            return None
    return found


def _remove(path: str) -> None:
    """Remove a file or folder a submission wrote, whatever permissions it gave them (it owns them)."""
    def writable_and_again(function, target, _exc_info):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
                shutil.rmtree(target, ignore_errors=True)
            else:
                function(target)
        except OSError:
            pass  # what is still there is found by the caller

    if not os.path.lexists(path):  # inside a folder removed before it
        return
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=writable_and_again)
        else:
            os.unlink(path)
    except (OSError, RecursionError):
        pass


def run_all(runs: list[dict], prepared, channel: int, limits: dict) -> None:
    """Each method's runs in a child of their own, up to ``limits["parallel"]`` children at once.

    A child runs its method's runs one after another, each on the submission loaded
    afresh, and on its pipe announces each run (a ``begin`` frame) before its message.
    A run that does not end well (its process died, ran out of time, sent too much)
    gets that status, and the runs after it start again in a new child: each run is
    judged as if it had run alone. (One process per method, not per run: a process
    costs several milliseconds, a run often less than one.)
    """
    pending = _by_method(runs)
    running: dict[int, dict] = {}  # pidfd -> the child's state
    while pending or running:
        while pending and len(running) < limits["parallel"]:
            group = pending.pop(0)
            try:
                pid, pipe = _start(group, prepared, limits)
            except OSError as error:  # no process to be had: a submission's processes fill the sandbox's limit
                if running:  # they go when the check that made them ends: try again then
                    pending.insert(0, group)
                    break
                kill_descendants()
                try:
                    pid, pipe = _start(group, prepared, limits)
                except OSError:  # still none: this run cannot start; the next ones try again
                    wire.write_frame(channel, "status", group[0]["id"], f"could not be started ({error})".encode())
                    if group[1:]:
                        pending.insert(0, group[1:])
                    continue
            running[os.pidfd_open(pid)] = {"group": group, "begun": 0, "current": None, "pid": pid, "pipe": pipe,
                                           "buffer": bytearray(), "eof": False, "reaped": False, "stopped": False,
                                           "deadline": time.monotonic() + limits["wall_seconds_per_check"]}
        pipes = {child["pipe"]: child for child in running.values() if not child["eof"]}
        wait = max(0.0, min(child["deadline"] for child in running.values()) - time.monotonic())
        ready, _, _ = select.select([*running, *pipes], [], [], wait)
        for fd in ready:
            if fd in pipes and not _receive(pipes[fd], channel, limits):
                _stop(running, pipes[fd], channel, pending, f"result larger than {limits['max_result_bytes']} bytes")
        for pidfd, child in list(running.items()):
            if child["stopped"]:
                continue
            if pidfd in ready:
                _, status = os.waitpid(child["pid"], 0)
                child["reaped"] = True
                os.set_blocking(child["pipe"], False)  # what it sent before it ended (a process it left may hold the pipe)
                fits, child["idle"] = True, False
                while fits and not child["eof"] and not child["idle"]:
                    fits = _receive(child, channel, limits)
                _stop(running, child, channel, pending,
                      _describe(status) if fits else f"result larger than {limits['max_result_bytes']} bytes")
            elif time.monotonic() >= child["deadline"] and not _still_computing(child, limits):
                _stop(running, child, channel, pending, f"timeout after {limits['wall_seconds_per_check']:g} s")
        running = {pidfd: child for pidfd, child in running.items() if not child["stopped"]}


def _still_computing(child: dict, limits: dict) -> bool:
    """At the wall-clock deadline: does the child compute (then its CPU limit will stop it; wait on)?

    The wall clock is a backstop for code that waits (a sleep, ``input()``); code
    that computes is stopped by its CPU time, which does not depend on how busy the
    machine is. So a child whose CPU time grew by a tenth of the time waited gets
    another period, a few times at most.
    """
    used = _cpu_seconds(child["pid"])
    if child.get("extensions", 0) >= 10 or used - child.get("cpu_mark", 0.0) < 0.1 * limits["wall_seconds_per_check"]:
        return False
    child["cpu_mark"], child["extensions"] = used, child.get("extensions", 0) + 1
    child["deadline"] = time.monotonic() + limits["wall_seconds_per_check"]
    return True


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _by_method(runs: list[dict]) -> list[list[dict]]:
    groups: dict[str, list[dict]] = {}
    for run in runs:
        groups.setdefault(run["method"], []).append(run)
    return list(groups.values())


def _start(group: list[dict], prepared, limits: dict) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: never returns
        try:
            os.dup2(write_end, 3)
            os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the results pipe, others' pipes
            _child(group, prepared, limits)
        finally:
            os._exit(0)
    os.close(write_end)
    return pid, read_end


def _receive(child: dict, channel: int, limits: dict) -> bool:
    """Read what the child's pipe holds and act on each whole frame; False if it sends too much or garbage."""
    try:
        chunk = os.read(child["pipe"], 65536)
        child["eof"] = not chunk
    except BlockingIOError:
        chunk, child["idle"] = b"", True
    buffer = child["buffer"]
    buffer += chunk
    while len(buffer) >= wire.HEADER.size:
        magic, code, id_length, length = wire.HEADER.unpack_from(buffer)
        if magic != wire.MAGIC or wire.KINDS.get(code) not in ("begin", "result", "error") \
                or length > limits["max_result_bytes"]:
            return False
        end = wire.HEADER.size + id_length + length
        if len(buffer) < end:
            break
        kind, run_id = wire.KINDS[code], bytes(buffer[wire.HEADER.size:wire.HEADER.size + id_length]).decode()
        payload = bytes(buffer[wire.HEADER.size + id_length:end])
        del buffer[:end]
        group, current = child["group"], child["current"]
        if kind == "begin" and current is None and child["begun"] < len(group) \
                and group[child["begun"]]["id"] == run_id:
            child["current"] = group[child["begun"]]
            child["begun"] += 1
            child["deadline"] = time.monotonic() + limits["wall_seconds_per_check"]
            child["cpu_mark"], child["extensions"] = _cpu_seconds(child["pid"]), 0
        elif kind != "begin" and current is not None and current["id"] == run_id:
            wire.write_frame(channel, kind, run_id, payload)
            wire.write_frame(channel, "status", run_id, b"finished")
            child["current"] = None
        else:
            return False
    return True


def _stop(running: dict, child: dict, channel: int, pending: list, status: str) -> None:
    """Stop the child if it still runs; give the run it was in (or was about to start) ``status``; requeue the rest."""
    if child["stopped"]:
        return
    child["stopped"] = True
    pidfd = next(fd for fd, other in running.items() if other is child)
    if not child["reaped"]:
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(child["pid"], 0)
    os.close(child["pipe"])
    os.close(pidfd)
    group = child["group"]
    if child["current"] is None and child["begun"] < len(group):  # died between runs: the next one pays
        child["current"] = group[child["begun"]]
        child["begun"] += 1
    if child["current"] is not None:
        wire.write_frame(channel, "status", child["current"]["id"], status.encode())
    if child["begun"] < len(group):
        pending.insert(0, group[child["begun"]:])
    kill_descendants(keep={other["pid"] for other in running.values() if not other["stopped"]})


def _processes_of(uid: int) -> int:
    """How many threads ``uid`` runs now: RLIMIT_NPROC counts them all, this grading run's and others'."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                pass
    return count


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


# Imported once, before any submission and before privileges are dropped: where Python itself lives in a
# folder the unprivileged user cannot read (a per-user install), later imports would fail.
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


def _warm_imports(prepared) -> None:
    """Import matplotlib before forking the checks, so that each does not import it again (the modules
    every submission needs, :data:`WARM_MODULES`, are imported once by :func:`main`).

    Only when an import that runs needs it (a graded class that plots;
    the loader skips a notebook's ``import matplotlib.pyplot as plt`` that only
    its experiments use): it takes about 0.15 s. ``matplotlib.pyplot`` takes
    about half a second more and grading never plots, so it is made lazy: it
    really loads only if a method uses it.
    """
    if not any("matplotlib" in definition.imports for definition in prepared.definitions):
        return
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    importlib.import_module("importlib.util")
    sys.meta_path.insert(0, _LazyPyplot())


class _LazyPyplot:
    """A meta path finder (importlib.abc.MetaPathFinder's protocol) that makes pyplot's loader lazy."""

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


def _child(group: list[dict], prepared, limits: dict) -> None:
    """Run each of ``group`` in turn: announce it, run it, send its observations or its error (fd 3)."""
    run = group[0]
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if limits.get("account"):  # as root without a sandbox: the job slot's own uid, which cannot signal the worker
            drop_privileges(*limits["account"])
        if limits.get("processes"):  # counts this sandbox's (or this uid's) processes only
            extra = _processes_of(os.getuid()) if limits.get("processes_shared_with_user") else 0
            resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"] + extra,) * 2)
        _apply_limits(limits, runs=len(group))
        _to_devnull(0, 1, 2)  # whatever the student prints goes nowhere, however much of it there is
        for run in group:
            _limit_cpu(limits["seconds_per_check"])
            wire.write_frame(3, "begin", run["id"], b"")
            kind, payload = _run_one(run, prepared)
            wire.write_frame(3, kind, run["id"], payload)
    except BaseException as exc:  # the worker's own failure before or around the student's code
        failure = StudentCodeError(f"{run['method']}: could not be run ({type(exc).__name__}: {exc})"[:500])
        wire.write_frame(3, "error", run["id"], wire.error_record(failure).encode())


def _run_one(run: dict, prepared) -> tuple[str, bytes]:
    loaded = loader.execute(prepared)  # afresh: nothing of an earlier run's classes remains
    try:
        observations = run_scenario(run["scenario"], run["params"], run["inputs"], loaded, run["method"])
        return "result", wire.pack_arrays(wire.flatten(observations))
    except StudentCodeError as error:
        return "error", wire.error_record(error).encode()
    except BaseException as exc:  # the worker's own failure around the student's code
        failure = StudentCodeError(f"{run['method']}: could not be run ({type(exc).__name__}: {exc})"[:500])
        return "error", wire.error_record(failure).encode()


def _read_inputs(path: Path, keys: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """run id -> its arrays, keyed "<case>/<name>"."""
    per_run: dict[str, dict[str, np.ndarray]] = {}
    with open(path, "rb") as stream:
        for key in keys:
            run_id, _, name = key.partition("/")
            per_run.setdefault(run_id, {})[name] = np.load(stream, allow_pickle=False)
    return per_run


def _apply_limits(limits: dict, runs: int = 1) -> None:
    """Memory, file size, open files, no core; and a hard CPU limit that ``runs`` runs fit under."""
    megabyte = 1024 * 1024
    in_use = _virtual_memory_bytes()
    cpu_ceiling = _cpu_used() + runs * (int(limits["seconds_per_check"]) + 1) + 2
    for name, value in (
        (resource.RLIMIT_AS, in_use + limits["memory_mb"] * megabyte),
        (resource.RLIMIT_CPU, cpu_ceiling),
        (resource.RLIMIT_FSIZE, limits["file_mb"] * megabyte),
        (resource.RLIMIT_NOFILE, 64),
        (resource.RLIMIT_CORE, 0),
    ):
        _, hard = resource.getrlimit(name)  # never above what this process already has (the worker's memory)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(name, (value, value))


def _limit_cpu(seconds: float) -> None:
    """The next run may use ``seconds`` of CPU time (soft limit: SIGXCPU); the hard limit is a little above."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = _cpu_used() + int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _cpu_used() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return math.ceil(usage.ru_utime + usage.ru_stime)


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
