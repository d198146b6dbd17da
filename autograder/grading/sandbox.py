"""Where a worker runs: a bubblewrap sandbox that holds only what it needs, or a hardened fallback.

:func:`bwrap` is the list of what a sandbox sees, and nothing else exists in it:
the C libraries, the interpreter and its standard library, the third-party
packages students use (numpy, matplotlib and what they need; never the whole
site-packages, which may hold this grader with its hidden checks, nbgrader,
Jupyter), the worker's code (``autograder/sandboxed``) and the job's plan and
inputs, read-only; a private /tmp of limited size; its own /proc and /dev; no
network; new user, pid, ipc, uts, mount and cgroup namespaces; no capabilities.
The worker is the sandbox's pid 1 (``--as-pid-1``): when it ends, the kernel
ends every process left in the sandbox, detached ones included, and bwrap's own
reaper, which would hold the results pipe, does not exist.

As root, the sandbox is started as an unprivileged user of its own (one per
concurrent job slot, ``61000 + slot``), so that no process in it is host root
and a process-count limit binds. That user must be able to read the interpreter:
a pyenv under a 0700 home cannot be, and then the sandbox runs as root, with
that limit unenforced, and says so.

Where bubblewrap cannot run (Docker's default seccomp profile, as on Gradescope;
macOS), :func:`choose` says why and the grader falls back to a private job
folder, a uid of the job slot's own as root, the worker's limits, and the same
results pipe; ``--require-sandbox`` makes that an error instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..sandboxed.wire import SANDBOX_SCRATCH

SLOT_UID_BASE = 61000  # as root, job slot n runs as uid/gid 61000 + n (no /etc/passwd entry needed)
PACKAGES = ("numpy", "matplotlib")  # third-party roots the worker and students import; their dependencies follow
ISOLATION = ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
             "--as-pid-1", "--cap-drop", "ALL", "--hostname", "sandbox"]
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SCRATCH_MB = 64


@dataclass(frozen=True)
class Isolation:
    """How workers run on this machine, and the one line that says so in every report."""

    sandbox: bool  # bubblewrap
    as_slot_user: bool  # as root: each job slot's own unprivileged uid
    description: str


def bwrap(*, system: dict[str, str | None], read_only: list[str], hidden: list[str], read_only_at: dict[str, Path],
          scratch: dict[str, int], env: dict[str, str], cwd: str, command: list[str]) -> list[str]:
    """Everything visible inside, in order; anything not named here does not exist in the sandbox.

    ``system``: library folders bound read-only (value None) or symlinks (value = target);
    ``read_only``: host paths bound read-only at the same path; ``hidden``: folders inside a
    bound one replaced by an empty read-only tmpfs; ``read_only_at``: sandbox path -> host path;
    ``scratch``: private tmpfs folders with a size in MiB. The root itself is read-only.
    """
    argv = [shutil.which("bwrap") or "bwrap", *ISOLATION]
    # Scratch first: a later mount hides what an earlier one put below it (a venv under /tmp, say).
    for dest, mb in scratch.items():
        argv += ["--size", str(mb * 2**20), "--perms", "1777", "--tmpfs", dest]
    for path, target in system.items():
        argv += ["--ro-bind", path, path] if target is None else ["--symlink", target, path]
    for path in dict.fromkeys(read_only):  # de-duplicated, order kept
        argv += ["--ro-bind", path, path]
    for path in hidden:
        argv += ["--tmpfs", path, "--remount-ro", path]
    for dest, source in read_only_at.items():
        argv += ["--ro-bind", str(source), dest]
    # /dev is bwrap's own tmpfs (no size limit): read-only, its device nodes still work
    argv += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", cwd,
             "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    return [*argv, "--", *command]


def sandbox_argv(code_dir: Path, job_dir: Path, boot: str) -> list[str]:
    """The bwrap command line that runs ``python -I -c BOOT /job``: the job folder at /job, read-only (what the
    grading process writes there later shows too), with the worker's code at /job/pkg/sandboxed (a folder
    :func:`make_job_folder` makes)."""
    seen = interpreter()
    return bwrap(
        system=system_libraries(),
        read_only=[*seen["files"], *seen["stdlib"], *seen["packages"]],
        hidden=seen["hidden"],
        read_only_at={"/job": Path(job_dir), "/job/pkg/sandboxed": Path(code_dir)},
        scratch={SANDBOX_SCRATCH: SCRATCH_MB},
        env=ENVIRONMENT,
        cwd="/job",
        command=[seen["executable"], "-I", "-c", boot, "/job"],
    )


def make_job_folder() -> Path:
    """A new private (0700) job folder, with the mount point of the worker's code."""
    import tempfile

    job = Path(tempfile.mkdtemp(prefix="nn-grade-"))
    (job / "pkg" / "sandboxed").mkdir(parents=True)
    return job


def system_libraries() -> dict[str, str | None]:
    """The C libraries Python and the packages' extensions load: the multiarch library folders, not /usr.

    On merged-/usr systems /lib and /lib64 are symlinks, kept as such.
    """
    arch = f"{os.uname().machine}-linux-gnu"
    found: dict[str, str | None] = {}
    for path in (f"/usr/lib/{arch}", "/usr/lib64", f"/lib/{arch}", "/lib64", "/lib"):
        if os.path.islink(path):
            found[path] = os.readlink(path)
        elif os.path.isdir(path) and os.path.realpath(path) == path and path != "/lib":
            found[path] = None
    return dict(sorted(found.items(), key=lambda item: item[1] is not None))  # folders before symlinks


def distributions(names: tuple[str, ...]) -> dict[str, list[str]]:
    """Each distribution of ``names`` and of what they require: its top-level entries (numpy/, numpy.libs/, ...)."""
    import importlib.metadata as metadata
    import re

    seen: dict[str, list[str]] = {}
    todo = list(names)
    while todo:
        name = re.split(r"[\s<>=!~;\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        tops = {f.parts[0] for f in dist.files or () if f.parts[0] not in ("..", "__pycache__")}
        seen[name] = sorted(str(dist.locate_file(top)) for top in tops)
        todo += [requirement for requirement in dist.requires or () if "extra ==" not in requirement]
    return seen


@functools.lru_cache(maxsize=None)
def interpreter(packages: tuple[str, ...] = PACKAGES) -> dict:
    """What this interpreter needs in a sandbox (the worker runs with the grading process's own).

    files: the executable, pyvenv.cfg and the shared libraries it maps outside the system
    folders and site-packages (a shared build's libpython, the locale); stdlib with
    lib-dynload (not platstdlib: in a venv that is the venv's lib/, site-packages and
    all); hidden: the base install's site-packages inside stdlib; packages: the top-level
    entries of ``packages`` and their dependencies. No .pth file is bound, so the
    interpreter starts without running any.
    """
    import site
    import sysconfig

    stdlib = sysconfig.get_path("stdlib")
    system = tuple(p + "/" for p, target in system_libraries().items() if target is None)
    skip = (*system, stdlib + "/", *(p + "/" for p in site.getsitepackages()))
    with open("/proc/self/maps") as maps:
        mapped = {fields[5].strip() for fields in (line.split(None, 5) for line in maps)
                  if len(fields) > 5 and fields[5].startswith("/")}
    executable = sys.executable
    files = sorted(p for p in {os.path.join(sys.prefix, "pyvenv.cfg"), *mapped}
                   if os.path.isfile(p) and not p.startswith(skip) and p != os.path.realpath(executable))
    return {
        "executable": executable,
        "files": [executable, *files],  # bound at the venv's path: bwrap follows the symlinks
        "stdlib": [stdlib],
        "hidden": [p for p in (stdlib + "/site-packages", stdlib + "/dist-packages") if os.path.isdir(p)],
        "packages": sorted({p for paths in distributions(packages).values() for p in paths}),
    }


def account(slot: int | None, isolation: Isolation) -> dict:
    """Popen arguments that start a sandbox (or, as root, a fallback worker) as the slot's own uid."""
    if os.geteuid() != 0 or slot is None or not isolation.as_slot_user:
        return {}
    uid = SLOT_UID_BASE + slot
    return {"user": uid, "group": uid, "extra_groups": []}  # applied by subprocess in C: no preexec_fn


def slot_uid(slot: int) -> int:
    return SLOT_UID_BASE + slot


_choice_lock = threading.Lock()


NO_SANDBOX_VARIABLE = "NN_GRADER_NO_SANDBOX"  # set (to anything): use the fallback, as where bwrap cannot run


@functools.lru_cache(maxsize=None)
def _choose() -> Isolation:
    if os.environ.get(NO_SANDBOX_VARIABLE):
        return Isolation(False, os.geteuid() == 0, f"fallback: the sandbox is turned off (${NO_SANDBOX_VARIABLE})")
    if shutil.which("bwrap") is None:
        return Isolation(False, os.geteuid() == 0, "fallback: bubblewrap is not installed")
    boot = "pass"  # the interpreter starts in such a sandbox, as this user: then so does a worker
    for as_slot in ((True, False) if os.geteuid() == 0 else (False,)):
        job = make_job_folder()
        try:
            if as_slot:
                for item in (job, job / "pkg", job / "pkg" / "sandboxed"):
                    os.chown(item, SLOT_UID_BASE, SLOT_UID_BASE)
            argv = sandbox_argv(Path(__file__).resolve().parents[1] / "sandboxed", job, boot)
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
                                  **({"user": SLOT_UID_BASE, "group": SLOT_UID_BASE, "extra_groups": []}
                                     if as_slot else {}))
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        else:
            if done.returncode == 0:
                who = ("an unprivileged user per job" if as_slot else
                       "root (the interpreter is not readable by an unprivileged user)"
                       if os.geteuid() == 0 else "this user")
                return Isolation(True, as_slot, f"bubblewrap sandbox, as {who}")
            reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        finally:
            shutil.rmtree(job, ignore_errors=True)
    return Isolation(False, os.geteuid() == 0, f"fallback: bubblewrap cannot run here ({reason})")




def choose() -> Isolation:
    """How workers run here: probed once per process (a sandbox that starts Python, as a slot user first as root)."""
    with _choice_lock:
        return _choose()


def fallback_description(isolation: Isolation) -> str:
    """What the fallback guarantees, for the one line in every report."""
    if os.geteuid() == 0:
        return f"{isolation.description}; private job folder, an unprivileged uid per job, limits"
    return f"{isolation.description}; private job folder, limits, the grader's own uid"
