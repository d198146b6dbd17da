"""Run a check in this process: what the notebook's test cells and the self-check use.

In-process results give feedback; they are not trusted for grades (student code
shares the process). The grading command runs the same scenarios in workers
(``autograder.grading``) and scores them with the same ``checks.results.judge``.

A CPU-time limit (:class:`CPUTimeLimit`) stops student code that does not return,
as the grading command stops a check after ``checks.SECONDS_PER_CHECK`` of CPU time. It
needs ``signal.setitimer`` and the main thread: on Windows, or in another thread,
there is no limit (Ctrl+C then stops the check that is running; the others still run).
"""

from __future__ import annotations

import contextlib
import linecache
import os
import signal
import sys
import sysconfig
import threading

from .checks import Check, catalogue
from .checks import expectations as expected_values
from .checks.results import Result, blame_forward, failed_to_run, fix_units_first, forward_evidence, judge
from .sandboxed.errors import StudentCodeError
from .sandboxed.scenarios import Observations, run_scenario


_REFIRE_SECONDS = 0.1  # after the limit: how often to stop code that caught the first stop and went on


def observe(check: Check, namespace) -> list[Observations]:
    """Run the check's scenario on every case, in this process (``namespace``: a dict or a LoadedSubmission)."""
    return run_scenario(check.scenario, check.params, check.cases(), namespace, check.method)


def run_check(check: Check, namespace, expectations=None, seconds: float | None = None, units=None) -> Result:
    """One check's result; ``namespace`` is ``globals()`` in a notebook, or a loaded submission.

    ``seconds``: the CPU time the check may use (None: no limit). Code still running then is
    stopped and the check fails, naming the method that did not return. A failed whole-network
    check names the unit checks that fail, from ``units`` (results already at hand) or, when None,
    from running them now.
    """
    expectations = expectations or expected_values.default()
    result = _run_check(check, namespace, expectations, seconds)
    # A backward right for the student's own, wrong, forward blames forward. Only for wrong values: after a
    # crash or a hang there is nothing to compare, and running forward again could hang again.
    evidence = forward_evidence(check, catalogue()) if result.observations and not result.passed else None
    if evidence is not None:
        values, forward = (result if c is check else _run_check(c, namespace, expectations, seconds) for c in evidence)
        return blame_forward(result, values, forward)
    if check.owner is not None or result.passed:
        return result
    if units is None:  # the public unit checks; the hidden ones too where they can run, if no public one fails
        units = [_run_check(unit, namespace, expectations, seconds) for unit in catalogue(include_hidden=False)
                 if unit.owner is not None]
        if all(unit.passed for unit in units) and not isinstance(expectations, expected_values.Stored):
            units += [_run_check(unit, namespace, expectations, seconds) for unit in catalogue()
                      if unit.owner is not None and unit.hidden]
    return fix_units_first(result, units)


def _run_check(check: Check, namespace, expectations, seconds: float | None) -> Result:
    limit = CPUTimeLimit(seconds)
    try:
        with limit:
            observations = observe(check, namespace)
    except (StudentCodeError, CPUTimeExceeded) as error:
        if limit.expired:
            return Result(check, 0.0, limit.message(check.method))
        return failed_to_run(check, error)
    if limit.expired:  # the student's code caught the stop and returned anyway
        return Result(check, 0.0, limit.message(check.method))
    return judge(check, observations, expectations)


class CPUTimeExceeded(BaseException):
    """Raised in code that used up its CPU time: a BaseException, so ``except Exception`` does not catch it."""


class CPUTimeLimit(contextlib.AbstractContextManager):
    """Stop the code run inside after ``seconds`` of CPU time (this process's, user and system) with
    :class:`CPUTimeExceeded`, raised where that code is. If the code catches it and goes on, it is
    stopped again every 0.1 s of CPU time for as long as the stopped function runs; once that function
    is gone, later code gets a fresh ``seconds``. ``expired`` says whether the limit was reached.

    ``seconds`` None or not above 0, Windows (no ``signal.setitimer``), or a thread other than the main
    one: no limit.
    """

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.expired = False
        self.where = ""  # the outermost student function running when first stopped ("ReLU.forward")
        self.inner = ""  # the innermost one, and its line
        self.line = ""
        self._stuck: list | None = None  # the student frames stopped last; None once they are gone
        self._previous = None
        self._caller = None  # the frame that entered the limit: it and what called it are not student code

    @staticmethod
    def available() -> bool:
        return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def __enter__(self):
        if self.seconds is not None and self.seconds > 0 and self.available():
            self._caller = sys._getframe(1)
            self._previous = signal.signal(signal.SIGPROF, self._stop)
            signal.setitimer(signal.ITIMER_PROF, self.seconds, _REFIRE_SECONDS)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self._previous)
            self._previous = self._caller = self._stuck = None
        return False

    def _stop(self, signum, frame):
        stack = _student_frames(frame, self._caller)
        if self._stuck is not None:
            if not any(stuck is running for stuck in self._stuck for running in stack):
                self._stuck = None  # what was stopped is gone: a new budget for whatever runs next
                signal.setitimer(signal.ITIMER_PROF, self.seconds, _REFIRE_SECONDS)
                return
        elif not self.expired and stack:
            self.where, self.inner = stack[-1].f_code.co_qualname, stack[0].f_code.co_qualname
            self.line = linecache.getline(stack[0].f_code.co_filename, stack[0].f_lineno).strip()
        self.expired = True
        self._stuck = stack
        raise CPUTimeExceeded(f"stopped after {self.seconds:g} s of CPU time (an endless loop?)")

    def message(self, method: str) -> str:
        """What the student reads: which method did not return, and where it was stopped."""
        text = f"{self.where or method} did not return within {self.seconds:g} s of CPU time: an endless loop?"
        if self.line:
            inside = f" in {self.inner}" if self.inner != (self.where or method) else ""
            text += f" It was stopped at `{self.line}`{inside}."
        return text


# Where the grader's and the libraries' code lives, as imported and as resolved (a /tmp that is a link, on macOS).
_NOT_STUDENT = tuple(sorted({os.path.join(form(folder), "") for form in (str, os.path.realpath) for folder in (
    os.path.dirname(os.path.abspath(__file__)),
    *(sysconfig.get_paths().get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib"))) if folder}))


def _student_frames(frame, caller) -> list:
    """The frames of student code on the stack, innermost first: those that ``caller`` (the code that set
    the limit) led to, other than the grader's and the libraries'."""
    frames = []
    while frame is not None and frame is not caller:
        filename = frame.f_code.co_filename
        if not (filename.startswith(_NOT_STUDENT) or "site-packages" in filename
                or filename.startswith(("<frozen ", "<string>"))):
            frames.append(frame)
        frame = frame.f_back
    return frames
