"""nbgrader's kernel in the sandbox.

`nbgrader autograde` runs each notebook in a Jupyter kernel. Started as usual, that kernel is the
instructor: a notebook could read solutions/ and checks/staff/, and write to the venv, the home
folder or other students' folders. nbgrader_config.py selects the kernel spec KERNEL_NAME instead
(shipped in JUPYTER_DATA), whose command is :func:`kernel`: it starts ipykernel in a sandbox built
by :func:`bwrap`, as this user in a user namespace, and relays its sockets to nbgrader.

- Sockets: the sandbox has no network, so the kernel listens on unix sockets ("ipc" transport) in
  its own /tmp (a tmpfs that dies with it); the launcher reaches them through /proc/<pid>/root and
  relays each channel to the TCP ports (or sockets) of nbgrader's connection file, as the CurveZMQ
  server if that file has keys. No host folder is writable from inside, and nbgrader's transport
  settings do not matter.
- Visible, read-only: the interpreter, ipykernel, numpy, matplotlib and what they need; the
  package without checks/staff/, grading/ and course/ (so test cells import autograder.notebook);
  the notebook's folder, whose files are bound one by one over a private tmpfs (the notebook may
  write files there; they vanish with the kernel). Symlinks in that folder are not bound: their
  target would be resolved outside.
- Hidden checks: their inputs are random arrays defined in checks/staff/hidden.py, their expected
  values come from solutions/. The launcher computes every check's expected observations and the
  known mistakes' predictions outside (expectations.default()), and hands them in, pickled, with
  the hidden checks' inputs as arrays (KERNEL_BOOT). Student code can read those values (see README).
- Interrupts: kernel.json says interrupt_mode "message": ipykernel signals itself. The kernel is
  not the sandbox's pid 1 (bwrap's reaper is), since a pid 1 that is its own process group cannot
  interrupt itself that way (killpg(1) is kill(-1)); bwrap still ends every process when it ends.
- Where bubblewrap cannot run (:func:`choose`), a plain kernel starts, and says so on stderr;
  $NN_GRADER_REQUIRE_SANDBOX makes that an error instead.
- Whose package: the notebook's folder is the kernel's working folder, and a submitted folder holds
  a student-editable copy of the package's public part (the student version ships one). Every
  Python started here runs with ``-P`` (kernel.json too), so that folder is never on sys.path and
  the launcher, KERNEL_BOOT and the kernel import this package: a copy changes no grade.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from pathlib import Path

from .sandbox import (ENVIRONMENT, PACKAGES, SCRATCH_MB, bwrap, choose, interpreter, system_libraries)

KERNEL_NAME = "nn-from-scratch-sandboxed"
PACKAGE = Path(__file__).resolve().parents[1]
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"  # kernels/<KERNEL_NAME>/kernel.json: put on JUPYTER_PATH
REQUIRE_SANDBOX_VARIABLE = "NN_GRADER_REQUIRE_SANDBOX"  # set (to anything): a kernel that cannot be sandboxed fails
KERNEL_PACKAGES = (*PACKAGES, "ipykernel")
NOT_IN_THE_KERNEL = ("grading", "course", "__main__.py")  # top-level entries of the package left out (checks/staff too)
KERNEL_FILES = "/kernel"  # inside: connection.json and values.pickle, read-only
# Channel -> (socket facing nbgrader, socket facing the kernel): routers and pub-sub relayed as they are.
CHANNELS = {"shell_port": ("ROUTER", "DEALER"), "control_port": ("ROUTER", "DEALER"),
            "stdin_port": ("ROUTER", "DEALER"), "hb_port": ("ROUTER", "DEALER"), "iopub_port": ("XPUB", "XSUB")}
# Runs inside, before ipykernel: the checks compare with the values computed outside, and the hidden
# checks are the ones handed in (checks/staff/ is an empty folder in here).
KERNEL_BOOT = """\
import pickle, sys, types
with open(sys.argv.pop(1), "rb") as stored:
    values = pickle.load(stored)
import autograder.checks
from autograder.checks import expectations
autograder.checks.hidden_checks = lambda: list(values["hidden"])
expectations.default = lambda: types.SimpleNamespace(
    expected=lambda check: values["expected"][check.id], predictions=lambda check: values["predictions"][check.id],
    hidden_points=lambda: values["hidden_points"])
from ipykernel.kernelapp import launch_new_instance
launch_new_instance()
"""


def kernel(args: list[str] | None = None) -> None:
    """The kernel spec's command (``-f CONNECTION_FILE`` and ipykernel's options): never returns."""
    import json
    import secrets
    import tempfile

    args = list(sys.argv[1:] if args is None else args)
    at = args.index("-f")
    connection_file, extra = args[at + 1], args[:at] + args[at + 2:]
    isolation = choose()
    if not isolation.sandbox:
        if os.environ.get(REQUIRE_SANDBOX_VARIABLE):
            print(f"{KERNEL_NAME}: refused to start: {isolation.description} (${REQUIRE_SANDBOX_VARIABLE} is set)",
                  file=sys.stderr, flush=True)
            os._exit(1)
        print(f"{KERNEL_NAME}: NOT SANDBOXED ({isolation.description}): this notebook runs as "
              f"uid {os.getuid()} and can read and write what that user can", file=sys.stderr, flush=True)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE.parent), os.environ.get("PYTHONPATH")]))
        os.execv(sys.executable, [sys.executable, "-P", "-m", "ipykernel_launcher", *args])
    with open(connection_file) as handle:
        outer = json.load(handle)
    prefix = f"/tmp/.kernel-{secrets.token_hex(8)}"  # unguessable: nothing can be planted at its path
    inner = {key: value for key, value in outer.items() if not key.startswith("curve_")}  # CurveZMQ: outside only
    inner.update(transport="ipc", ip=prefix, **{port: n for n, port in enumerate(CHANNELS, 1)})
    handed_in = []
    for content in (json.dumps(inner).encode(), kernel_values()):
        handed_in.append(tempfile.TemporaryFile())  # unlinked: bwrap copies it in, nothing stays on disk
        handed_in[-1].write(content)
        handed_in[-1].seek(0)
    info, info_writer = os.pipe()
    argv = kernel_argv(os.getcwd(), extra, info_fd=info_writer, connection_fd=handed_in[0].fileno(),
                       values_fd=handed_in[1].fileno())
    process = subprocess.Popen(argv, env={"PATH": "/usr/bin:/bin"},
                               pass_fds=(info_writer, *(f.fileno() for f in handed_in)))
    os.close(info_writer)
    with os.fdopen(info) as reader:
        pid = json.loads(reader.read() or "{}").get("child-pid")
    for handle in handed_in:
        handle.close()
    if pid is not None:
        _relay(outer, inner, f"/proc/{pid}/root")
    os._exit(process.wait())  # the relay's threads block in zmq: no interpreter shutdown


def kernel_argv(cwd: str, extra: list[str], *, info_fd: int, connection_fd: int, values_fd: int) -> list[str]:
    """The bwrap command line that runs ipykernel in ``cwd`` (the notebook's folder) with the package's public part."""
    seen = interpreter(KERNEL_PACKAGES)
    public = [str(p) for p in sorted(PACKAGE.iterdir()) if p.name not in NOT_IN_THE_KERNEL]
    notebook_folder = [str(p) for p in sorted(Path(cwd).iterdir()) if not p.is_symlink()]
    argv = bwrap(
        system=system_libraries(),
        read_only=[*notebook_folder, *seen["files"], *seen["stdlib"], *seen["packages"], *public],  # later ones win
        hidden=[*seen["hidden"], str(PACKAGE / "checks" / "staff")],
        read_only_at={},
        scratch={"/tmp": SCRATCH_MB, cwd: SCRATCH_MB},
        # JPY_PARENT_PID: the kernel's parent in here is pid 1 (no parent polling, no banner on stdout)
        env={**ENVIRONMENT, "PYTHONPATH": str(PACKAGE.parent), "JPY_PARENT_PID": "1",
             "MPLBACKEND": "module://matplotlib_inline.backend_inline",  # what ipykernel sets by default
             **{key: os.environ[key] for key in ("NBGRADER_EXECUTION",) if key in os.environ}},
        cwd=cwd,
        command=[seen["executable"], "-P", "-c", KERNEL_BOOT, f"{KERNEL_FILES}/values.pickle",
                 "-f", f"{KERNEL_FILES}/connection.json", *extra],
    )
    argv.remove("--as-pid-1")
    argv[1:1] = ["--info-fd", str(info_fd), "--ro-bind-data", str(connection_fd), f"{KERNEL_FILES}/connection.json",
                 "--ro-bind-data", str(values_fd), f"{KERNEL_FILES}/values.pickle"]
    return argv


def kernel_values() -> bytes:
    """Every check's expected observations and known mistakes' predictions, and the hidden checks, pickled.

    Computed here, outside the sandbox, as an unsandboxed kernel computes them: from the reference
    where it exists. The hidden checks travel with their inputs as arrays (their ``cases``), not their code.
    """
    import copy
    import dataclasses
    import pickle

    from ..checks import catalogue, expectations

    values = expectations.default()
    handed = {"hidden": [], "expected": {}, "predictions": {}, "hidden_points": values.hidden_points()}
    for check in catalogue():
        try:
            handed["expected"][check.id] = values.expected(check)
        except LookupError:  # a hidden check without the reference: it fails, as in an unsandboxed kernel
            continue
        handed["predictions"][check.id] = values.predictions(check)
        if check.hidden:
            handed["hidden"].append(dataclasses.replace(check, cases=functools.partial(copy.deepcopy, check.cases())))
    return pickle.dumps(handed)


def _relay(outer: dict, inner: dict, root: str) -> None:
    """Relay each channel between nbgrader's endpoint and the kernel's socket under ``root``, in threads."""
    import zmq

    def endpoint(info: dict, port: str, root: str = "") -> str:
        if info.get("transport", "tcp") == "tcp":
            return f"tcp://{info['ip']}:{info[port]}"
        return f"ipc://{root}{info['ip']}-{info[port]}"

    context = zmq.Context()
    identity = f"relay-{os.getpid()}".encode()  # the same on every channel: stdin answers go to the shell's sender
    for port, (outside, inside) in CHANNELS.items():
        front, back = context.socket(getattr(zmq, outside)), context.socket(getattr(zmq, inside))
        front.linger = back.linger = 1000
        if inside == "DEALER":
            back.setsockopt(zmq.IDENTITY, identity)
        if outer.get("curve_secretkey"):  # jupyter_client's transport_encryption: the relay is the server
            front.curve_server = True
            front.curve_secretkey, front.curve_publickey = (outer[key].encode() for key in ("curve_secretkey",
                                                                                             "curve_publickey"))
        front.bind(endpoint(outer, port))
        back.connect(endpoint(inner, port, root))  # retried until the kernel listens
        threading.Thread(target=zmq.proxy, args=(front, back), daemon=True).start()
