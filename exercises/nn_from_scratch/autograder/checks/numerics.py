"""The two numbers a gradient check rests on (as in CS231n's gradient_check.py)."""

from __future__ import annotations

import numpy as np


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """|a - n| / max(|a| + |n|, 1e-8), entry by entry.

    Below 1e-7 a gradient is right; around 1e-2 or above it is wrong.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)


def central_difference(f_plus: np.ndarray, f_minus: np.ndarray, h: float) -> np.ndarray:
    """(f(x + h) - f(x - h)) / 2h: the numerical derivative, error O(h**2)."""
    return (np.asarray(f_plus, dtype=np.float64) - np.asarray(f_minus, dtype=np.float64)) / (2.0 * h)
