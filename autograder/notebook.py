"""The notebook front end: what the test cells of the exercise call.

    from autograder.notebook import check
    check("Sigmoid.backward: public values", globals())

A passing check prints one line; a failing one raises :class:`CheckFailed`,
which Jupyter shows as the teaching message alone, without a traceback, and
which nbgrader counts as a failed test cell.
"""

from __future__ import annotations

from .checks import by_name
from .runner import run_check


class CheckFailed(AssertionError):
    def _render_traceback_(self):  # IPython's hook: show the message, not the stack
        return [f"\x1b[0;31mCheck failed\x1b[0m: {self.args[0]}"]


def check(name: str, namespace: dict) -> None:
    """Run one check on the classes defined in ``namespace`` (pass ``globals()``)."""
    result = run_check(by_name(name), namespace)
    if not result.passed:
        _show_pictures(result)
        raise CheckFailed(result.message)
    points = result.check.points
    print(f"passed: {name} ({points} point{'s' if points != 1 else ''})")


def _show_pictures(result) -> None:
    """A failed gradient check shows where the gradient is wrong (public checks only)."""
    from . import pictures

    try:
        from IPython.display import Image, display
    except ImportError:
        return
    for caption, png in pictures.for_check(result.check, result.observations, result.expected, result.passed):
        display(Image(data=png))
