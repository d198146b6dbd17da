"""What a grading process and a worker exchange: the job folder, written once, here.

The grading process (``autograder.grading.isolation``) writes, the worker
(``autograder.sandboxed.worker``) reads::

    JOB/plan.json           {"submission": file name, "units": [[label, source], ...], "wanted": [class, ...],
                             "limits": {seconds_per_check, parallel, memory_mb, file_mb, ...},
                             "runs": [{"id", "scenario", "params", "cases", "method"}, ...],
                             "account": [uid, gid] or null}
    JOB/inputs/<run>.npz    the run's input cases, keys "<case>/<name>" (see :func:`flatten`)

The worker writes, for each run, one of::

    JOB/out/<run>.npz       observations, keys "<case>/<name>", float64 arrays
    JOB/out/<run>.error     an error record (JSON, :func:`error_record`): the student's code failed

and always ``JOB/out/<run>.status``: how the run's process ended ("exited with
status 0", "was killed by signal SIGKILL", "timeout after 10 s").

A run is one scenario on one set of inputs; checks that need the same run (a
value check and a contract check on the same call) share it.
"""

from __future__ import annotations

import json

import numpy as np

from .errors import StudentCodeError

PLAN = "plan.json"
INPUTS = "inputs"
OUT = "out"
OBSERVATIONS, ERROR, STATUS = ".npz", ".error", ".status"


def flatten(per_case: list[dict]) -> dict[str, np.ndarray]:
    """[{name: array}, ...] -> {"<case>/<name>": array}: the key layout of every .npz file of a job."""
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
                       "detail": error.detail, "where": error.where})


def parse_error_record(text: str) -> StudentCodeError:
    """The inverse of :func:`error_record`; ValueError, KeyError or TypeError if it is not one."""
    record = json.loads(text)
    return StudentCodeError(str(record["message"]), bool(record["wants_hint"]), str(record.get("exception", "")),
                            str(record.get("detail", "")), str(record.get("where", "")))
