"""A worker's result, read without trusting it: what the format carries comes back; anything else is refused."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading.untrusted import UnsafeResult, clean_text, read_arrays
from autograder.sandboxed.wire import ARRAY, DIMENSION, pack_arrays


def test_float64_arrays_of_any_shape_come_back_as_they_were_sent():
    sent = {"0/matrix": np.arange(6.0).reshape(2, 3), "0/transposed": np.arange(6.0).reshape(2, 3).T,
            "0/scalar": np.float64(-3.5), "1/empty": np.zeros((0, 4)), "1/ints": np.array([1, 2, 3]),
            "1/special": np.array([np.nan, np.inf, -0.0])}
    got = read_arrays(pack_arrays(sent))
    assert list(got) == list(sent)
    for name, array in sent.items():
        assert got[name].dtype == np.float64 and got[name].shape == np.shape(array), name
        np.testing.assert_array_equal(got[name], array)
    assert got["0/matrix"].flags.writeable  # the judges may work on it


def header(name: bytes, shape: tuple[int, ...]) -> bytes:
    return ARRAY.pack(len(name), len(shape)) + name + b"".join(DIMENSION.pack(n) for n in shape)


GOOD = pack_arrays({"a": np.zeros(3)})


@pytest.mark.parametrize("data, why", [
    (GOOD[:-1], "truncated"),
    (GOOD + b"\x00", "unreadable"),  # bytes after the last array
    (header(b"a", (2**32 - 1, 2**32 - 1)), "elements"),  # refused before any data is looked for
    (header(b"a", (4,)) + bytes(8), "truncated"),
    (GOOD + GOOD, "second array of that name"),
    (header(b"\xff\xfe", (1,)) + bytes(8), "unreadable"),  # not UTF-8
    (ARRAY.pack(1, 200) + b"a", "dimensions"),
], ids=["truncated data", "trailing byte", "huge shape", "short data", "duplicate name", "bad name", "ndim"])
def test_anything_else_is_refused_with_a_reason(data, why):
    with pytest.raises(UnsafeResult, match=why):
        read_arrays(data)


def test_limits_apply_to_counts_elements_and_bytes():
    with pytest.raises(UnsafeResult, match="arrays"):
        read_arrays(pack_arrays({f"{i}": np.zeros(1) for i in range(5)}), max_arrays=4)
    with pytest.raises(UnsafeResult, match="elements"):
        read_arrays(pack_arrays({"a": np.zeros(10)}), max_elements=9)
    with pytest.raises(UnsafeResult, match="bytes"):
        read_arrays(pack_arrays({"a": np.zeros(10)}), max_total_bytes=80)
    assert read_arrays(pack_arrays({"a": np.zeros(10)}), max_elements=10, max_total_bytes=100)["a"].shape == (10,)


def test_control_characters_never_leave_a_students_text():
    assert clean_text("ok\x1b[2J\x07 done\r\n\tnext") == "ok?[2J? done\n next"
    assert clean_text("x" * 50, limit=10) == "x" * 7 + "..."
