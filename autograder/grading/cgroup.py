"""A process-count limit for a sandbox run as root: the kernel's pids controller.

RLIMIT_NPROC counts the processes of a uid and never those of root, so it bounds
a fork bomb only where a worker runs as an unprivileged uid (a normal user's
sandbox, a job slot's uid). A sandbox started by root that runs as root inside
its namespaces (where the interpreter is not readable by another uid: a pyenv
under ``/root``) needs the pids controller of a control group instead: one group
per worker, ``pids.max`` processes at most, joined before bubblewrap starts (by
the shell that then becomes bubblewrap), so every process of the sandbox counts.

Both cgroup layouts are handled: v1 (a ``pids`` hierarchy) and v2 (the unified
hierarchy, where the pids controller must be enabled for the parent's children).
Where neither can be written (not root, a container), :func:`create` returns
None and the report says the process count is not limited.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))  # v1's pids hierarchy, then v2's unified one
PARENT = "nn-grader"


class ProcessGroup:
    """One worker's control group: ``wrap(argv)`` starts a command in it; ``remove()`` deletes it."""

    def __init__(self, path: Path):
        self.path = path

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started by a shell that first moves itself into the group, then becomes ``argv``."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *argv]

    def remove(self) -> None:
        """Delete the group once its processes are gone (they end with the sandbox's pid 1)."""
        for _ in range(100):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # still holds an exiting process
                time.sleep(0.01)


def create(name: str, max_processes: int) -> ProcessGroup | None:
    """A new group allowing ``max_processes`` processes, or None where the pids controller cannot be used."""
    if os.geteuid() != 0:
        return None
    parent = _parent()
    if parent is None:
        return None
    path = parent / name
    try:
        path.mkdir()
        (path / "pids.max").write_text(str(max_processes))
    except OSError:
        ProcessGroup(path).remove()
        return None
    return ProcessGroup(path)


_parent_found: list[Path | None] = []


def _parent() -> Path | None:
    """Our own folder of groups (created once), in the first layout whose pids controller we may use."""
    if _parent_found:
        return _parent_found[0]
    found = None
    for root in ROOTS:
        v2 = root == Path("/sys/fs/cgroup")
        if not (root / "cgroup.procs").exists() or (v2 and "pids" not in _read(root / "cgroup.controllers")):
            continue
        parent = root / PARENT
        try:
            if v2 and "pids" not in _read(root / "cgroup.subtree_control"):  # the controller for our folder
                (root / "cgroup.subtree_control").write_text("+pids")
            parent.mkdir(exist_ok=True)
            if v2:  # and for the groups in it
                (parent / "cgroup.subtree_control").write_text("+pids")
        except OSError:
            continue
        if (v2 and "pids" in _read(parent / "cgroup.subtree_control")) or (not v2 and (parent / "pids.max").exists()):
            found = parent
            break
    _parent_found.append(found)
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
