"""The reference solution: loaded from the instructor's source notebook, nowhere else.

``solutions/nn_from_scratch/nn_from_scratch.ipynb`` is the single source of truth.
Its code is loaded with the same loader as a student's submission. Students'
copies have no ``solutions/`` folder, so there is no reference there and the
self-check falls back to the stored public expectations.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ..sandboxed import loader

ASSIGNMENT = "nn_from_scratch"
REPO = Path(__file__).resolve().parents[2]
ENV_VAR = "NN_FROM_SCRATCH_REFERENCE"


def reference_path() -> Path:
    """Where the reference notebook is (``$NN_FROM_SCRATCH_REFERENCE`` overrides)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def available() -> bool:
    return reference_path().is_file()


@lru_cache(maxsize=None)
def _load(path: Path) -> dict:
    from . import graded_classes

    loaded = loader.load(path, namespace_name="reference", wanted=graded_classes())
    if loaded.notes:
        raise RuntimeError(f"the reference notebook {path} does not load cleanly: {loaded.notes}")
    return loaded.namespace


def namespace() -> dict:
    """The reference's classes (ReLU, Sigmoid, Layer, NeuralNetwork, ...)."""
    return _load(reference_path())
