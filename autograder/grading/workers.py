"""The worker processes a grading process starts, asks to grade, reuses and ends.

Starting a sandbox costs about as much as grading in it (bubblewrap's mounts,
then Python and numpy: some 0.2 s of CPU time), so while a class is graded
(:func:`reused`), a job slot's sandbox grades that slot's submissions one after
another. Nothing of one submission is there for the next: the worker grades each
in a process forked from one that never held a submission, and when that process
ends it kills every process left in the sandbox and empties the sandbox's only
writable folder (``autograder.sandboxed.worker.clear``) before it says ``ended``;
only then is the job folder rewritten for the next submission. A worker that
cannot clear, that runs out of time or sends too much or garbage is ended, and
the slot's next submission gets a new sandbox. The fallback (no bubblewrap)
never reuses a worker: its processes run under the grader's own uid or a job
slot's, outside any namespace, and only ending them all is certain.

Every worker is this process's child in a session of its own; as a subreaper
(:func:`adopt_orphans`) this process also kills anything a submission detached
outside a sandbox.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..sandboxed import loader, wire, worker
from . import cgroup, sandbox
from .untrusted import clean_text

# The worker's code: this folder, mounted read-only in a sandbox (or copied whole into a
# fallback job as JOB/pkg/sandboxed), so the worker sees nothing of this repository: not
# solutions/, the judges or the hidden checks.
SANDBOXED = Path(loader.__file__).resolve().parent
BOOT = "import sys; sys.path.insert(0, sys.argv[1] + '/pkg'); from sandboxed.worker import main; sys.exit(main(sys.argv[1:]))"
SCRATCH = "scratch"  # a fallback worker's working and home folder
FINISHED = "exited with status 0"  # how a submission's grading process that went well ended (``ended`` frame)


@dataclass
class Sent:
    """What a worker sent back: per run, its result or error (raw bytes) and its status."""

    results: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the instructor, never the student
    stopped: bool = False  # stopped by this process (time or size): what is missing will not come
    rejected: str | None = None  # why the worker could not read the file as a submission

    def merge(self, other: Sent) -> None:
        self.results.update(other.results)
        self.statuses.update(other.statuses)
        self.notes += other.notes
        self.stopped = other.stopped
        self.rejected = other.rejected


class Worker:
    """A job slot's worker and its job folder (which the grading process writes, :func:`isolation._write_job`)."""

    def __init__(self, slot: int, how: sandbox.Isolation, processes: int):
        self.slot, self.how, self.processes = slot, how, processes
        self.job = sandbox.make_job_folder()  # 0700: no other user reads it
        self.process: subprocess.Popen | None = None
        self.group: cgroup.ProcessGroup | None = None

    def grade(self, limits, runs: list[str]) -> Sent:
        """Grade the submission the job folder holds; what came back for each of ``runs``."""
        sent = Sent()
        if self.process is None:
            self._start()
        try:
            os.write(self.process.stdin.fileno(), b"go\n")
        except OSError:  # it has ended since its last submission (an idle worker is never killed by one)
            self.stop()
            self._start()
            os.write(self.process.stdin.fileno(), b"go\n")
        budget = min(limits.seconds_per_submission, (len(runs) + 2) * limits.wall + 30)
        output, errors, why, ended = self._read(budget, limits.max_output_bytes)
        ended, _, not_cleared = (ended or "").partition("\n")
        if why:
            sent.stopped = True
            sent.notes.append(why)
        if why or not ended or not_cleared:  # stopped, or ended (or ending) without saying that all is clear
            self.stop()
        try:
            for frame in wire.read_frames(io.BytesIO(output), limits.max_output_bytes):
                if frame.kind in ("result", "error") and frame.run_id in runs:
                    sent.results[frame.run_id] = (frame.kind, frame.payload)
                elif frame.kind == "status" and frame.run_id in runs:
                    sent.statuses[frame.run_id] = clean_text(frame.payload.decode("utf-8", errors="replace"), 200)
                elif frame.kind == "rejected":
                    sent.rejected = clean_text(frame.payload.decode("utf-8", errors="replace"), 300)
        except wire.FrameError as error:
            sent.notes.append(f"the worker's output was malformed ({error}); what came before it was used")
        if ended != FINISHED and errors.strip():
            sent.notes.append("worker: " + clean_text(errors.decode("utf-8", errors="replace").strip().splitlines()[-1],
                                                      300))
        return sent

    def idle(self) -> bool:
        """Alive and waiting for its next submission."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """End the worker and every process of its session (the job folder stays)."""
        if self.process is None:
            return
        process, self.process = self.process, None
        try:
            # Kill what is left of the worker's group before reaping it: its pid (and so the group's
            # id) cannot be reused by another worker until it is reaped.
            _kill_group(process.pid)
            process.kill()
        finally:
            process.wait()
            for pipe in (process.stdin, process.stdout, process.stderr):
                pipe.close()
            with _workers_lock:
                _active_workers.discard(process.pid)
            reap_orphans()
            if self.group is not None:
                self.group.remove()
                self.group = None

    def close(self) -> None:
        """End the worker and remove its job folder."""
        self.stop()
        try:
            shutil.rmtree(self.job, ignore_errors=True)
        except RecursionError:  # a fallback's scratch folder, nested deeper than Python recurses
            subprocess.run(["rm", "-rf", "--", str(self.job)], stdin=subprocess.DEVNULL, capture_output=True)

    def _start(self) -> None:
        argv = sandbox.sandbox_argv(SANDBOXED, self.job, BOOT) if self.how.sandbox else \
            [sys.executable, "-I", "-c", BOOT, str(self.job)]
        if counted_by_cgroup(self.how):
            self.group = cgroup.create(f"{os.getpid()}-{self.slot}", self.processes)
            if self.group is not None:
                argv = self.group.wrap(argv)
        # Started under the lock, so another thread's reap_orphans never mistakes it for an orphan.
        with _workers_lock:
            self.process = subprocess.Popen(
                argv, cwd=self.job if self.how.sandbox else self.job / SCRATCH, env=self._environment(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                **(sandbox.account(self.slot, self.how) if self.how.sandbox else {}))
            _active_workers.add(self.process.pid)

    def _environment(self) -> dict:
        if self.how.sandbox:
            return {"PATH": "/usr/bin:/bin"}  # bwrap's --clearenv sets the worker's own
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.job / SCRATCH),
               "MPLCONFIGDIR": str(self.job / SCRATCH),
               **{k: v for k, v in sandbox.ENVIRONMENT.items() if k not in ("PATH", "HOME", "MPLCONFIGDIR")}}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if key in os.environ:
                env[key] = os.environ[key]
        return env

    def _read(self, budget: float, cap: int) -> tuple[bytes, bytes, str, str | None]:
        """This submission's frames (at most ``cap`` bytes, without ``ended``), the tail of the worker's stderr,
        why it was stopped (if it was), and what the ``ended`` frame said (None: the worker ended instead)."""
        deadline = time.monotonic() + budget
        out, err = self.process.stdout.fileno(), self.process.stderr.fileno()
        output, tail = bytearray(), bytearray()
        scanned = 0  # output[:scanned] is whole frames
        with selectors.DefaultSelector() as selector:
            for fd in (out, err):
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                ready = selector.select(max(0.0, deadline - time.monotonic()))
                if not ready:
                    return bytes(output[:scanned]), bytes(tail), \
                        f"grading stopped after {budget:g} s; unfinished checks score 0", None
                for key, _ in ready:
                    data = os.read(key.fd, 65536)
                    if not data:
                        selector.unregister(key.fd)
                    elif key.fd == err:
                        tail += data
                        del tail[:-65536]
                    elif len(output) + len(data) > cap + 4096:  # room for the frames' headers and ``ended``
                        return bytes(output[:scanned]), bytes(tail), f"the worker sent more than {cap} bytes; " \
                                                                     "checks without a result score 0", None
                    else:
                        output += data
                        scanned, ended = _whole_frames(output, scanned)
                        if ended is False:
                            return bytes(output[:scanned]), bytes(tail), "the worker's output was malformed; " \
                                                                         "what came before it was used", None
                        if ended is not None:
                            tail += _available(err)
                            return bytes(output[:scanned]), bytes(tail[-65536:]), "", ended
        return bytes(output[:scanned]), bytes(tail), "", None


def _whole_frames(output: bytearray, start: int) -> tuple[int, str | bool | None]:
    """Where the whole frames from ``start`` end, and the ``ended`` frame's text if one came (it ends them);
    False instead if a header is no frame's."""
    at = start
    while len(output) - at >= wire.HEADER.size:
        magic, code, id_length, length = wire.HEADER.unpack_from(output, at)
        if magic != wire.MAGIC or code not in wire.KINDS:
            return at, False
        end = at + wire.HEADER.size + id_length + length
        if end > len(output):
            break
        if wire.KINDS[code] == "ended":
            return at, bytes(output[end - length:end]).decode("utf-8", errors="replace")
        at = end
    return at, None


def _available(fd: int) -> bytes:
    """What ``fd`` holds now, without waiting (the worker's stderr after its ``ended``)."""
    data = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while len(data) < 65536 and selector.select(0):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    return bytes(data)


# --- Reuse while a class is graded --------------------------------------------------------------

_idle: dict[int, Worker] = {}  # job slot -> its worker, between two submissions
_reusing = 0  # how many reused() blocks are open
_idle_lock = threading.Lock()


@contextlib.contextmanager
def reused():
    """Within this block, a job slot's sandbox grades that slot's submissions one after another; all end with it."""
    global _reusing
    with _idle_lock:
        _reusing += 1
    try:
        yield
    finally:
        with _idle_lock:
            _reusing -= 1
            ending = list(_idle.values()) if _reusing == 0 else []
            if _reusing == 0:
                _idle.clear()
        for idle in ending:
            idle.close()


def for_slot(slot: int, how: sandbox.Isolation, processes: int) -> Worker:
    """The slot's idle worker if it can grade the next submission, else a new one (started when it grades)."""
    with _idle_lock:
        kept = _idle.pop(slot, None)
    if kept is not None and kept.how == how and kept.processes == processes:
        return kept
    if kept is not None:
        kept.close()
    return Worker(slot, how, processes)


def done_with(used: Worker) -> None:
    """Keep the worker for the slot's next submission (a sandbox, within :func:`reused`), or end it."""
    with _idle_lock:
        keep = _reusing > 0 and used.how.sandbox and used.idle() and used.slot not in _idle
        if keep:
            _idle[used.slot] = used
    if not keep:
        used.close()


@atexit.register
def _end_idle_workers() -> None:
    with _idle_lock:
        ending = list(_idle.values())
        _idle.clear()
    for idle in ending:
        idle.close()


# --- Processes a submission leaves outside a sandbox ---------------------------------------------

_active_workers: set[int] = set()
_workers_lock = threading.Lock()
_reaping = False


def adopt_orphans() -> None:
    """Make this process a subreaper, so it can kill what submissions detach (the CLI calls this).

    Not in the fallback run by a normal user: there checks run as this process's own uid, and a
    check whose worker died would be re-parented here, where ``os.kill(os.getppid(), ...)`` would
    end the whole grading run. (In a sandbox nothing is re-parented out of it; as root, checks run
    as another uid.)
    """
    global _reaping
    if not sandbox.choose().sandbox and os.geteuid() != 0:
        return
    worker.become_subreaper()
    _reaping = True


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


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def counted_by_cgroup(how: sandbox.Isolation) -> bool:
    """A sandbox run as root inside: RLIMIT_NPROC never counts root, a pids control group does."""
    return how.sandbox and os.geteuid() == 0 and not how.as_slot_user
