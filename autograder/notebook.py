"""The notebook front end: what the exercise's test cells call.

    from autograder.notebook import check
    check("sigmoid_backward_public_values", globals())

A passing check prints one line (a gradient check's with its relative error);
a failing one raises :class:`CheckFailed`, which Jupyter shows as the teaching
message alone, without a traceback, and which nbgrader counts as a failed test cell. (This module's import path is
part of every released notebook: it does not move.)
"""

from __future__ import annotations

from .checks import by_id
from .inprocess import run_check


class CheckFailed(AssertionError):
    def _render_traceback_(self):  # IPython's hook: show the message, not the stack
        return [f"\x1b[0;31mCheck failed\x1b[0m: {self.args[0]}"]


def check(check_id: str, namespace: dict, full_arrays: bool = False) -> None:
    """Run one check on the classes defined in ``namespace`` (pass ``globals()``); ``full_arrays``: a failure
    shows the arrays behind its message too (inputs, expected, yours)."""
    result = run_check(by_id(check_id), namespace)
    if not result.passed:
        _show_pictures(result)
        if result.details and full_arrays:
            raise CheckFailed(f"{result.message}\n{result.details}")
        more = f"\n(The full arrays: check({check_id!r}, globals(), full_arrays=True))" if result.details else ""
        raise CheckFailed(result.message + more)
    points = result.check.points
    note = f": {result.note}" if result.note else ""
    print(f"passed: {result.name} ({points} point{'s' if points != 1 else ''}){note}")


def show_xor_training(namespace: dict) -> None:
    """Train *your* network from the XOR check's start and draw what it learned."""
    from .reports.pictures import show_xor_training as show

    show(namespace)


def _show_pictures(result) -> None:
    """A failed gradient check shows where the gradient is wrong (public checks only)."""
    from .reports import pictures

    try:
        from IPython.display import Image, display
    except ImportError:
        return
    for caption, png in pictures.for_check(result.check, result.observations, result.expected, result.passed):
        display(Image(data=png))
