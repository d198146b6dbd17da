"""What a worker sends back, read without trusting anything in it.

``np.load(..., allow_pickle=False)`` already refuses pickles, but reads
whatever shape a header declares and inflates whatever a deflated member
holds: a 100 kB file can ask for gigabytes. :func:`read_npz` checks every limit
on the zip directory and on each .npy header *before* any data is read, and
accepts only little-endian float64 arrays. :func:`clean_text` keeps control
characters (terminal escapes among them) of a student's strings out of every
table, file and page.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

import numpy as np
from numpy.lib import format as npy

FLOAT64 = np.dtype("<f8")
MAX_HEADER = 4096  # a float64 array's header is ~128 bytes


class UnsafeNpz(ValueError):
    """The data is not a small npz of float64 arrays; nothing of it is used."""


def read_npz(data: bytes, *, max_members: int = 1000, max_elements: int = 1_000_000,
             max_total_bytes: int = 32 * 2**20) -> dict[str, np.ndarray]:
    """``{name: float64 array}`` from npz bytes; UnsafeNpz on anything else or anything too big."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > max_members:
                raise UnsafeNpz(f"{len(members)} members (at most {max_members})")
            declared = sum(member.file_size for member in members)  # uncompressed sizes, from the directory
            if declared > max_total_bytes:
                raise UnsafeNpz(f"declares {declared} bytes uncompressed (at most {max_total_bytes})")
            arrays: dict[str, np.ndarray] = {}
            for member in members:
                name = member.filename.removesuffix(".npy")
                if name == member.filename or name in arrays:
                    raise UnsafeNpz(f"member {member.filename!r}: not a .npy file, or a second one of that name")
                if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise UnsafeNpz(f"member {member.filename!r}: encrypted or an unusual compression")
                with archive.open(member) as handle:
                    arrays[name] = _read_member(handle, member, max_elements)
            return arrays
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, TypeError) as exc:
        if isinstance(exc, UnsafeNpz):
            raise
        raise UnsafeNpz(f"unreadable: {exc}") from None


def _read_member(handle, member: zipfile.ZipInfo, max_elements: int) -> np.ndarray:
    version = npy.read_magic(handle)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(handle, max_header_size=MAX_HEADER)
    elif version == (2, 0):
        shape, fortran, dtype = npy.read_array_header_2_0(handle, max_header_size=MAX_HEADER)
    else:
        raise UnsafeNpz(f"{member.filename}: .npy format {version}")
    if dtype != FLOAT64 or dtype.str != "<f8" or dtype.hasobject or dtype.names is not None:
        raise UnsafeNpz(f"{member.filename}: dtype {dtype.str}, not float64 little-endian")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise UnsafeNpz(f"{member.filename}: shape {shape}")
    count = math.prod(shape)
    if count > max_elements:
        raise UnsafeNpz(f"{member.filename}: {count} elements (at most {max_elements})")
    size = count * FLOAT64.itemsize
    if handle.tell() + size != member.file_size:  # the header must describe exactly the bytes that follow
        raise UnsafeNpz(f"{member.filename}: header and member size disagree")
    raw = handle.read(size)
    if len(raw) != size or handle.read(1):  # reading to the end also checks the CRC
        raise UnsafeNpz(f"{member.filename}: truncated")
    array = np.frombuffer(raw, dtype=FLOAT64).reshape(shape, order="F" if fortran else "C")
    return np.array(array, dtype=np.float64, order="C")  # a writable native copy


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, limit: int = 4000) -> str:
    """``text`` without control characters (newlines kept, tabs as spaces), at most ``limit`` characters."""
    text = _CONTROL.sub("?", str(text).replace("\r\n", "\n").replace("\t", " "))
    return text if len(text) <= limit else text[: limit - 3] + "..."
