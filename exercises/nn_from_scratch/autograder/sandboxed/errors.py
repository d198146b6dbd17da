"""How a failure of student code is described: in the student's terms, with the line it happened at."""

from __future__ import annotations

import linecache
import re
from pathlib import Path

import numpy as np

GRADER_DIR = str(Path(__file__).resolve().parent)


class ContractError(Exception):
    """The code ran but broke the API contract (returned None, wrong arity, ...)."""


class StudentCodeError(Exception):
    """Student code failed while a scenario ran; ``message`` explains it.

    ``wants_hint``: the check's hint (what to look at next) belongs after the message.
    ``exception``, ``detail``, ``where``, ``line``: the exception's type name, its
    one-line text, the student's function it came from and the source line it was
    raised at ("" when not an exception), so that rules elsewhere
    (``checks.misconceptions``) can name a likely cause.
    """

    def __init__(self, message: str, wants_hint: bool = False, exception: str = "", detail: str = "",
                 where: str = "", line: str = ""):
        super().__init__(message)
        self.message = message
        self.wants_hint = wants_hint
        self.exception = exception
        self.detail = detail
        self.where = where
        self.line = line

    def with_hint(self, hint: str) -> str:
        """The message with the hint after it, when the hint fits the failure."""
        return f"{self.message} {hint}" if self.wants_hint else self.message

    def explained_by_loading(self, missing_because: dict[str, str], notes: list[str]) -> StudentCodeError:
        """Say why a name the error mentions is missing (a statement that failed, a cell that could
        not be parsed); failing that, list what went wrong while loading, if anything did."""
        text = f"{self.message} {self.detail}"
        reasons = [f"`{name}` is missing because {why}" for name, why in missing_because.items()
                   if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text)]
        if reasons:
            self.message += " (" + "; ".join(dict.fromkeys(reasons))[:600] + ".)"
        elif notes:
            self.message += " (While loading your code: " + "; ".join(notes)[:500] + ")"
        return self


def observed(value, what: str) -> np.ndarray:
    """A student's return value as a float64 array, or a ContractError saying why not."""
    if value is None:
        raise ContractError(f"{what} returned None; it should return a numpy array (did you forget `return`?)")
    if isinstance(value, tuple):
        raise ContractError(f"{what} returned a tuple of {len(value)} items; it should return one numpy array")
    try:
        array = np.asarray(value)
    except Exception as exc:
        raise ContractError(f"{what} returned a {type(value).__name__} that is not an array ({exc})") from None
    if array.dtype.kind not in "biuf":
        raise ContractError(f"{what} returned an array of dtype {array.dtype}; it should hold real numbers")
    return np.array(array, dtype=np.float64)


def explain(exc: BaseException, method: str) -> StudentCodeError:
    """What went wrong in the student's code and where, as one line."""
    if isinstance(exc, ContractError):
        return StudentCodeError(f"{method}: {exc}.")
    where = _student_frame(exc)
    qualname, line = where if where else ("", "")
    if isinstance(exc, NotImplementedError):
        return StudentCodeError(f"not implemented yet: {qualname or method} still raises NotImplementedError; "
                                "replace the stub with your code.", exception="NotImplementedError", where=qualname)
    if isinstance(exc, KeyboardInterrupt):
        return StudentCodeError(f"{method}: your code was interrupted: it ran out of time (an endless loop?) or "
                                "was stopped by hand.", exception="KeyboardInterrupt", where=qualname)
    if isinstance(exc, SystemExit):
        return StudentCodeError(f"{method}: your code called exit() (a method must return its result, not end "
                                "the program).", exception="SystemExit", where=qualname)
    text = " ".join(f"{type(exc).__name__}: {plain(exc)}".split())
    if len(text) > 300:
        text = text[:297] + "..."
    who = ("it" if qualname == method else qualname) if where else "your code"
    at = f" at `{line}`" if line else ""
    stand_in = STAND_IN.search(str(exc))
    if stand_in:  # a name the student never wrote: say what the check put there instead
        what, advice = STAND_INS[stand_in.group(1)]
        missing = re.search(r"has no attribute '(\w+)'", str(exc))
        did = f"reads `.{missing.group(1)}`" if missing else f"raised {type(exc).__name__}"
        message = f"{method}: {who} {did}{at}, but {what}: {advice}."
        return StudentCodeError(message, False, type(exc).__name__, text, qualname, line)
    message = f"{method}: {who} raised {text}{at}."
    if isinstance(exc, NameError):  # the recipe does not help with a name never defined; the import does
        module = MODULES.get(getattr(exc, "name", None) or "")
        return StudentCodeError(message + (f" Add `{module}` at the top of your code." if module else ""), False,
                                type(exc).__name__, text, qualname, line)
    return StudentCodeError(message, True, type(exc).__name__, text, qualname, line)


# The test doubles of ``doubles.py``, in the student's terms: what the check put in place, and what to do.
STAND_IN = re.compile(r"'(StandInLayer|CubicActivation)' object")
STAND_INS = {
    "StandInLayer": ("the network checks fill the network with stand-in layers (weights, bias, forward and "
                     "backward, nothing else), so that they grade NeuralNetwork alone",
                     "use what `layer.forward` and `layer.backward` return rather than reaching into a layer's "
                     "attributes"),
    "CubicActivation": ("the Layer checks give the layer a test activation (forward and backward, nothing else), "
                        "so that they grade Layer alone",
                        "call `self.activation.forward(z)` and `self.activation.backward(z)` only"),
}
MODULES = {"np": "import numpy as np", "numpy": "import numpy"}  # a name left undefined -> the import it needs

MATMUL = re.compile(r"matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                    r"\S+ \(size (\d+) is different from (\d+)\)")


NOT_ALIGNED = re.compile(r"shapes \([\d, ]*\) and \([\d, ]*\) not aligned: (\d+) \(dim \d+\) != (\d+) \(dim \d+\)")
AMBIGUOUS_ADVICE = ". Use a.any() or a.all()"


def plain(exc: BaseException) -> str:
    """An exception's text, numpy's internals put in the student's terms."""
    text = str(exc)
    matmul = MATMUL.search(text)
    if matmul:
        return (f"the shapes in a @ b do not fit: a's last axis has length {matmul.group(2)}, b's first axis "
                f"length {matmul.group(1)}")
    dot = NOT_ALIGNED.search(text)
    if dot:
        return (f"the shapes in np.dot(a, b) do not fit: a's last axis has length {dot.group(1)}, b's first axis "
                f"length {dot.group(2)}")
    # numpy's advice (.any() or .all()) is never the fix in these methods: keep the fact, drop the advice
    return text.replace(AMBIGUOUS_ADVICE, "")


def _student_frame(exc: BaseException) -> tuple[str, str] | None:
    """(qualified name, source line) of the innermost frame outside the grader and libraries."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        filename = code.co_filename
        if not filename.startswith(GRADER_DIR) and "site-packages" not in filename and "/lib/python3" not in filename:
            found = (code.co_qualname, linecache.getline(filename, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found
