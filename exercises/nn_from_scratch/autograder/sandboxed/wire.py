"""What a grading process and a worker exchange, written once, here.

The grading process (``autograder.grading.isolation``) writes a job folder,
which the worker (``autograder.sandboxed.worker``) only reads::

    JOB/submission.<ext>    a copy of the student's file (.ipynb or .py), read only by the worker
    JOB/plan.json           {"submission": the student's file name, "file": "submission.<ext>", "wanted": [class, ...],
                             "limits": {seconds_per_check, wall_seconds_per_check, parallel, memory_mb,
                                        file_mb, max_result_bytes, processes (or null),
                                        processes_shared_with_user},
                             "runs": [{"id", "scenario", "params", "cases", "method"}, ...],
                             "inputs": ["<run>/<case>/<name>", ...], "account": [uid, gid] or null}
    JOB/inputs.npy          every run's input arrays, one .npy record after another, in the order
                            of "inputs" (numpy reads one .npy file far faster than a .npz's members)

The worker answers on its standard output only, in frames (:func:`write_frame`);
no file it could write is read by anyone. For each run, in the order runs end:

    result <run>   observations: float64 arrays keyed "<case>/<name>", as :func:`pack_arrays` writes them
    error  <run>   or an error record (JSON, :func:`error_record`): the student's code failed
    status <run>   "finished", or how the run's process ended ("exited with status 0", "was killed by signal
                   SIGXCPU", "timeout after 30 s", "result larger than ... bytes")

and, last, one ``done`` frame; or, if the file cannot be read as a submission (broken JSON, say),
only ``rejected`` with the reason (after the file name). The worker grades the job folder's submission
once per ``go`` line the grading process writes to its standard input; after each, when every process
the submission left is gone, it writes ``ended`` with how that submission's process ended ("exited with
status 0"): only then may the job folder be rewritten for the next submission. A second line, "not
cleared", says that something of the submission could not be removed and the worker ends instead. (Each of the worker's own processes speaks the same
frames on its pipe to the worker: ``begin <run>`` before a run, then its result or
error.) A run is one scenario on one set of inputs;
checks that need the same run (a value check and a contract check on the same
call) share it.
"""

from __future__ import annotations

import json
import os
import re
import struct
from dataclasses import dataclass
from typing import BinaryIO, Iterator

import numpy as np

from .errors import StudentCodeError

PLAN = "plan.json"
SUBMISSION = "submission"
INPUTS = "inputs.npy"
SANDBOX_SCRATCH = "/tmp"  # in a sandbox, the only folder a submission can write to

# A frame: b"NF" | kind (1 byte) | len(run id) (1 byte) | len(payload) (4 bytes, big-endian) | run id | payload
HEADER = struct.Struct(">2sBBI")
MAGIC = b"NF"
KINDS = {1: "result", 2: "error", 3: "status", 4: "done", 5: "begin", 6: "rejected", 7: "ended"}
CODES = {name: code for code, name in KINDS.items()}
RUN_ID = re.compile(r"[A-Za-z0-9_.-]{0,64}")


class FrameError(ValueError):
    """The stream is not a well-formed sequence of frames within the cap."""


@dataclass(frozen=True)
class Frame:
    kind: str
    run_id: str
    payload: bytes


def write_frame(fd: int, kind: str, run_id: str, payload: bytes) -> None:
    """Write one whole frame to ``fd`` (a blocking pipe), however many writes it takes."""
    if kind not in CODES or not RUN_ID.fullmatch(run_id) or len(payload) >= 2**32:
        raise ValueError(f"bad frame: {kind!r} {run_id!r} ({len(payload)} bytes)")
    data = memoryview(HEADER.pack(MAGIC, CODES[kind], len(run_id), len(payload)) + run_id.encode() + payload)
    while data:
        data = data[os.write(fd, data):]


def read_frames(stream: BinaryIO, max_total_bytes: int) -> Iterator[Frame]:
    """Frames from ``stream`` until its end; FrameError (after the good ones) on garbage, truncation or excess.

    A payload's declared length is checked against what is left of ``max_total_bytes``
    before it is read, so a lying header costs nothing.
    """
    left = max_total_bytes
    while True:
        header = _read_exact(stream, HEADER.size, at_start=True)
        if header is None:
            return
        magic, code, id_length, length = HEADER.unpack(header)
        if magic != MAGIC or code not in KINDS:
            raise FrameError("not a frame")
        left -= HEADER.size + id_length + length
        if left < 0:
            raise FrameError(f"results larger than {max_total_bytes} bytes")
        run_id = _read_exact(stream, id_length).decode("ascii", errors="replace")
        if not RUN_ID.fullmatch(run_id):
            raise FrameError("bad run id")
        yield Frame(KINDS[code], run_id, _read_exact(stream, length))


def _read_exact(stream: BinaryIO, n: int, at_start: bool = False) -> bytes | None:
    parts, got = [], 0
    while got < n:
        part = stream.read(n - got)
        if not part:
            if at_start and got == 0:
                return None
            raise FrameError("truncated frame")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


# An array in a result: len(name) (2 bytes) | ndim (1 byte) | name | each dimension (4 bytes) | little-endian float64
# data, all big-endian but the data. Nothing else: the grading process reads it without numpy's or zipfile's parsers.
ARRAY = struct.Struct(">HB")
DIMENSION = struct.Struct(">I")


def pack_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """Float64 arrays as one bytes string (read back by ``autograder.grading.untrusted.read_arrays``)."""
    parts = []
    for name, array in arrays.items():
        data = np.asarray(array, dtype="<f8")
        key = name.encode()
        parts += [ARRAY.pack(len(key), data.ndim), key, *map(DIMENSION.pack, data.shape), data.tobytes()]
    return b"".join(parts)


def flatten(per_case: list[dict]) -> dict[str, np.ndarray]:
    """[{name: array}, ...] -> {"<case>/<name>": array}: the key layout of a job's inputs and results."""
    return {f"{i}/{name}": np.asarray(value) for i, arrays in enumerate(per_case) for name, value in arrays.items()}


def unflatten(arrays: dict, n_cases: int) -> list[dict]:
    """The inverse of :func:`flatten`; keys that name no case below ``n_cases`` are ignored."""
    per_case: list[dict] = [{} for _ in range(n_cases)]
    for key, value in arrays.items():
        index, _, name = key.partition("/")
        if index.isdigit() and int(index) < n_cases:
            per_case[int(index)][name] = value
    return per_case


def error_record(error: StudentCodeError) -> str:
    """A StudentCodeError as JSON text."""
    return json.dumps({"message": error.message, "wants_hint": error.wants_hint, "exception": error.exception,
                       "detail": error.detail, "where": error.where, "line": error.line})


def parse_error_record(text: str) -> StudentCodeError:
    """The inverse of :func:`error_record`; ValueError, KeyError or TypeError if it is not one."""
    record = json.loads(text)
    return StudentCodeError(str(record["message"]), bool(record["wants_hint"]), str(record.get("exception", "")),
                            str(record.get("detail", "")), str(record.get("where", "")),
                            str(record.get("line", ""))[:1000])
