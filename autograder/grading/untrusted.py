"""What a worker sends back, read without trusting anything in it.

A result is float64 arrays in :func:`autograder.sandboxed.wire.pack_arrays`'s
format. :func:`read_arrays` checks each array's name, shape and size against
the limits and what is left of the bytes *before* it looks at any data, so a
lying header costs nothing, and accepts nothing but that format. :func:`clean_text`
keeps control characters (terminal escapes among them) of a student's strings out
of every table, file and page.
"""

from __future__ import annotations

import math
import re
import struct

import numpy as np

from ..sandboxed.wire import ARRAY, DIMENSION

FLOAT64 = np.dtype("<f8")
MAX_DIMENSIONS = 32  # numpy's own limit


class UnsafeResult(ValueError):
    """The bytes are not a few float64 arrays within the limits; nothing of them is used."""


def read_arrays(data: bytes, *, max_arrays: int = 1000, max_elements: int = 1_000_000,
                max_total_bytes: int = 32 * 2**20) -> dict[str, np.ndarray]:
    """``{name: float64 array}`` from a result's bytes; UnsafeResult on anything else or anything too big."""
    if len(data) > max_total_bytes:
        raise UnsafeResult(f"{len(data)} bytes (at most {max_total_bytes})")
    arrays: dict[str, np.ndarray] = {}
    at = 0
    try:
        while at < len(data):
            if len(arrays) == max_arrays:
                raise UnsafeResult(f"more than {max_arrays} arrays")
            name_length, ndim = ARRAY.unpack_from(data, at)
            at += ARRAY.size
            if ndim > MAX_DIMENSIONS:
                raise UnsafeResult(f"{ndim} dimensions")
            name = data[at:at + name_length].decode("utf-8")
            at += name_length
            if len(name.encode()) != name_length or name in arrays:
                raise UnsafeResult("a truncated name, or a second array of that name")
            shape = struct.unpack_from(f">{ndim}I", data, at)
            at += ndim * DIMENSION.size
            count = math.prod(shape)
            if count > max_elements:
                raise UnsafeResult(f"{name}: {count} elements (at most {max_elements})")
            if at + count * FLOAT64.itemsize > len(data):
                raise UnsafeResult(f"{name}: truncated")
            array = np.frombuffer(data, dtype=FLOAT64, count=count, offset=at).reshape(shape)
            arrays[name] = array.astype(np.float64)  # a writable native copy
            at += count * FLOAT64.itemsize
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, UnsafeResult):
            raise
        raise UnsafeResult(f"unreadable: {exc}") from None
    return arrays


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, limit: int = 4000) -> str:
    """``text`` without control characters (newlines kept, tabs as spaces), at most ``limit`` characters."""
    text = _CONTROL.sub("?", str(text).replace("\r\n", "\n").replace("\t", " "))
    return text if len(text) <= limit else text[: limit - 3] + "..."
