"""Proof that each entry of the correct corpus (``correct_corpus.py``) really is correct.

For each entry: its layout is really there (CRLF, tabs, BOM, latin-1 cookie, copied
test metadata, extra cells); a .py file runs (`python <file>` exits 0, quickly); its
classes agree with the reference solution (the solutions notebook's cells, markers
stripped, exec'd) to 1e-9 on random inputs: ReLU/Sigmoid forward+backward (incl.
|x| = 1000), Layer forward/backward with set weights (own activations and a test
double), backward after the weights changed, NeuralNetwork forward and backward's
update on a 3-layer net, the network driving stand-in layers, and 100 epochs on XOR;
plus: no input modified in place, outputs real-valued, Layer.backward leaves
parameters alone. This is independent of the grader: it uses neither its loader nor its checks.
"""

from __future__ import annotations

import contextlib
import io
import os
import runpy
import subprocess
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

import correct_corpus as corpus  # noqa: E402

TOL = 1e-9
PY_SECONDS = 5.0  # a .py's own sanity run should take ~1 s at most; this is the hard limit


# --- loading -------------------------------------------------------------------------------

def strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines()
                     if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def exec_cells(sources: list[tuple[str, str]]) -> dict:
    """Exec each cell separately (as Jupyter does) into one namespace; stdout swallowed."""
    ns: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, source in sources:
            exec(compile(source, f"<{label}>", "exec"), ns)
    try:
        import matplotlib.pyplot as plt
        plt.close("all")
    except ImportError:
        pass
    return ns


def reference_namespace() -> dict:
    nb = nbformat.read(corpus.SOLUTION, as_version=4)
    sources = [(c.metadata["nbgrader"]["grade_id"], strip_markers(c.source)) for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id") in corpus.CODE_CELLS]
    assert [s[0] for s in sources] == list(corpus.CODE_CELLS), [s[0] for s in sources]
    return exec_cells(sources)


def notebook_student_cells(entry: corpus.Entry, path: Path) -> list[tuple[str, str]]:
    """The student's code cells of the written notebook, in order: answer cells + the entry's extra cells."""
    nb = nbformat.read(path, as_version=4)
    extra_sources = [src.replace("\n", entry.newline) for _, src, _ in entry.extra_cells]
    picked, extras_seen = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.source in extra_sources:
            extras_seen += 1
            picked.append((f"cell {index} (extra)", cell.source))
        elif grade_id in corpus.CODE_CELLS:
            picked.append((f"cell {index} ({grade_id})", cell.source))
    assert extras_seen == len(entry.extra_cells), f"found {extras_seen} of {len(entry.extra_cells)} extra cells"
    return picked


# --- layout -------------------------------------------------------------------------------

def check_layout(entry: corpus.Entry, path: Path) -> None:
    data = path.read_bytes()
    if entry.kind == "py":
        text = data.decode(entry.encoding)
        if entry.newline == "\r\n":
            assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"), "not all CRLF"
        else:
            assert b"\r" not in data, "unexpected CR"
        if entry.encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf"), "no BOM"
        if entry.encoding == "latin-1":
            assert "coding: latin-1" in "".join(text.splitlines(True)[:2]), "no coding cookie in the first 2 lines"
            assert b"\xe9" in data, "no latin-1 e-acute byte"
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise AssertionError("latin-1 file is valid UTF-8: it holds no non-ASCII byte")
        if entry.name == "tab_indentation":
            assert any(line.startswith("\t") for line in text.splitlines()), "no tab indentation"
            assert not any(line.startswith("    ") for line in text.splitlines()), "space indentation left"
        return
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    if entry.newline == "\r\n":
        code = [c.source for c in nb.cells if c.cell_type == "code" and "\n" in c.source]
        assert code and all(s.count("\n") == s.count("\r\n") for s in code), "cells are not CRLF"
    for after, source, metadata in entry.extra_cells:
        hits = [c for c in nb.cells if c.source == source.replace("\n", entry.newline)]
        assert len(hits) == 1 and dict(hits[0].metadata) == metadata, f"extra cell after {after!r} not found as written"


# --- comparison with the reference ----------------------------------------------------------

class Cubic:
    """A known activation (as the grader's test double): f(z) = z + z^3/3, f'(z) = 1 + z^2."""

    @staticmethod
    def forward(x):
        return x + x**3 / 3.0

    @staticmethod
    def backward(x):
        return 1.0 + x**2


class StandIn:
    """A layer with only weights, bias, forward, backward; logs its calls; made-up gradients."""

    def __init__(self, index, weights, bias, log):
        self.index, self.weights, self.bias, self.log = index, weights, bias, log
        self._x = None

    def forward(self, x):
        self.log.append(("forward", self.index))
        self._x = np.array(x, dtype=float)
        return self._x @ self.weights + self.bias

    def backward(self, grad_output):
        self.log.append(("backward", self.index, np.array(grad_output, dtype=float)))
        g = np.array(grad_output, dtype=float)
        return g @ np.sin(self.weights).T, np.cos(self._x).T @ g, g.max(axis=0, keepdims=True)


class Mismatch(AssertionError):
    pass


def real(value, what: str) -> np.ndarray:
    if value is None or isinstance(value, tuple):
        raise Mismatch(f"{what}: returned {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise Mismatch(f"{what}: dtype {array.dtype} is not real")
    return array.astype(np.float64)


def same(got, expected, what: str) -> None:
    got, expected = real(got, what), real(expected, f"reference {what}")
    if got.shape != expected.shape:
        raise Mismatch(f"{what}: shape {got.shape}, reference {expected.shape}")
    if not np.all(np.isfinite(got) == np.isfinite(expected)):
        raise Mismatch(f"{what}: finiteness differs")
    diff = np.max(np.abs(got - expected), initial=0.0)
    if not diff <= TOL:
        raise Mismatch(f"{what}: max |difference| {diff:.3g} > {TOL}")


def unchanged(before, after, what: str) -> None:
    if not np.array_equal(before, after):
        raise Mismatch(f"{what} was modified in place")


def compare(s: dict, r: dict, seed: int = 0) -> int:
    """Compare the student's namespace ``s`` with the reference's ``r``; returns the number of checks."""
    rng = np.random.default_rng(seed)
    n = 0
    for name in ("ReLU", "Sigmoid", "Layer", "NeuralNetwork"):
        if name not in s:
            raise Mismatch(f"{name} is not defined")

    # activations
    x = rng.normal(0, 3, (6, 5))
    x[0, 0] = 0.0
    big = np.array([[-1000.0, -500.0, -40.0, -1e-9, 0.0, 1e-9, 40.0, 500.0, 1000.0]])
    for act in ("ReLU", "Sigmoid"):
        for method in ("forward", "backward"):
            for inp in (x, big, x[0]):
                arg = inp.copy()
                got = getattr(s[act](), method)(arg)
                unchanged(inp, arg, f"{act}.{method}'s input")
                expected = getattr(r[act](), method)(inp.copy())
                same(got, expected, f"{act}.{method}")
                if not np.all(np.isfinite(real(got, act))):
                    raise Mismatch(f"{act}.{method}: not finite for |x| <= 1000")
                n += 1

    # Layer
    for act_pair in ((Cubic(), Cubic()), (s["ReLU"](), r["ReLU"]()), (s["Sigmoid"](), r["Sigmoid"]())):
        W, b = rng.normal(size=(5, 4)), rng.normal(size=(1, 4))
        W2 = rng.normal(size=(5, 4))
        xs, g = rng.normal(size=(7, 5)), rng.normal(size=(7, 4))
        layers = []
        for ns, act in ((s, act_pair[0]), (r, act_pair[1])):
            layer = ns["Layer"](5, 4, act)
            layer.weights, layer.bias = W.copy(), b.copy()
            layers.append(layer)
        ls, lr = layers
        xin = xs.copy()
        same(ls.forward(xin), lr.forward(xs.copy()), "Layer.forward")
        unchanged(xs, xin, "Layer.forward's x")
        unchanged(W, ls.weights, "weights (by Layer.forward)")
        gin = g.copy()
        got = ls.backward(gin)
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Mismatch("Layer.backward does not return 3 items")
        for a, e, what in zip(got, lr.backward(g.copy()), ("grad_input", "grad_weights", "grad_bias")):
            same(a, e, f"Layer.backward {what}")
        unchanged(g, gin, "Layer.backward's grad_output")
        unchanged(xs, xin, "the cached x (by Layer.backward)")
        unchanged(W, ls.weights, "weights (by Layer.backward)")
        unchanged(b, ls.bias, "bias (by Layer.backward)")
        # the derivative comes from the cached pre-activation, not one recomputed from new weights
        for layer in (ls, lr):
            layer.forward(xs.copy())
            layer.weights = W2.copy()
        for a, e, what in zip(ls.backward(g.copy()), lr.backward(g.copy()),
                              ("grad_input", "grad_weights", "grad_bias")):
            same(a, e, f"Layer.backward {what} after the weights changed")
        n += 3

    # NeuralNetwork with real layers: 3 layers
    sizes = [5, 7, 6, 3]
    for acts in (("ReLU", "Sigmoid", "Sigmoid"), ("Sigmoid", "ReLU", "Sigmoid")):
        params = [(rng.normal(size=(a, c)), rng.normal(size=(1, c))) for a, c in zip(sizes, sizes[1:])]
        nets = []
        for ns in (s, r):
            net = ns["NeuralNetwork"](list(sizes), [ns[a]() for a in acts])
            if len(list(net.layers)) != 3:
                raise Mismatch(f"NeuralNetwork built {len(list(net.layers))} layers, not 3")
            for layer, (W, b) in zip(net.layers, params):
                layer.weights, layer.bias = W.copy(), b.copy()
            nets.append(net)
        xs, g = rng.normal(size=(8, 5)), rng.normal(size=(8, 3))
        xin = xs.copy()
        same(nets[0].forward(xin), nets[1].forward(xs.copy()), "NeuralNetwork.forward")
        unchanged(xs, xin, "NeuralNetwork.forward's x")
        gin = g.copy()
        nets[0].backward(gin, learning_rate=0.1)
        nets[1].backward(g.copy(), learning_rate=0.1)
        unchanged(g, gin, "NeuralNetwork.backward's grad_output")
        for i, (ls, lr) in enumerate(zip(nets[0].layers, nets[1].layers)):
            same(ls.weights, lr.weights, f"layer {i} weights after NeuralNetwork.backward")
            same(ls.bias, lr.bias, f"layer {i} bias after NeuralNetwork.backward")
        for net in nets:  # the default learning rate
            net.forward(xs.copy())
            net.backward(g.copy())
        for i, (ls, lr) in enumerate(zip(nets[0].layers, nets[1].layers)):
            same(ls.weights, lr.weights, f"layer {i} weights after backward with the default learning rate")
            same(ls.bias, lr.bias, f"layer {i} bias after backward with the default learning rate")
        n += 3

    # NeuralNetwork driving stand-in layers (only weights, bias, forward, backward)
    params = [(rng.normal(size=(a, c)), rng.normal(size=(1, c))) for a, c in zip(sizes, sizes[1:])]
    xs, g = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    runs = []
    for ns in (s, r):
        log: list = []
        net = ns["NeuralNetwork"](list(sizes), [Cubic() for _ in params])
        stand_ins = [StandIn(i, W.copy(), b.copy(), log) for i, (W, b) in enumerate(params)]
        net.layers = list(stand_ins)
        out = net.forward(xs.copy())
        net.backward(g.copy(), 0.05)
        runs.append((out, stand_ins, log))
    (out_s, st_s, log_s), (out_r, st_r, log_r) = runs
    same(out_s, out_r, "NeuralNetwork.forward over stand-in layers")
    calls_s, calls_r = [c[:2] for c in log_s], [c[:2] for c in log_r]
    if calls_s != calls_r:
        raise Mismatch(f"call order over stand-in layers {calls_s}, reference {calls_r}")
    for a, e in zip(log_s, log_r):
        if a[0] == "backward":
            same(a[2], e[2], f"gradient handed to stand-in layer {a[1]}")
    for a, e in zip(st_s, st_r):
        same(a.weights, e.weights, f"stand-in layer {a.index} weights")
        same(a.bias, e.bias, f"stand-in layer {a.index} bias")
    n += 1

    # XOR: 100 epochs from the same start
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    params = [(rng.normal(size=(2, 8)) * 0.7, np.zeros((1, 8))), (rng.normal(size=(8, 1)) * 0.5, np.zeros((1, 1)))]
    histories = []
    for ns in (s, r):
        net = ns["NeuralNetwork"]([2, 8, 1], [ns["ReLU"](), ns["Sigmoid"]()])
        for layer, (W, b) in zip(net.layers, params):
            layer.weights, layer.bias = W.copy(), b.copy()
        losses = []
        for _ in range(100):
            out = real(net.forward(X.copy()), "XOR output")
            losses.append(-np.mean(y * np.log(out + 1e-15) + (1 - y) * np.log(1 - out + 1e-15)))
            net.backward(-(y / (out + 1e-15) - (1 - y) / (1 - out + 1e-15)) / len(y), 0.5)
        histories.append((np.array(losses), [(l.weights.copy(), l.bias.copy()) for l in net.layers]))
    same(histories[0][0], histories[1][0], "XOR losses over 100 epochs")
    for i, ((ws, bs), (wr, br)) in enumerate(zip(histories[0][1], histories[1][1])):
        same(ws, wr, f"XOR layer {i} weights after 100 epochs")
        same(bs, br, f"XOR layer {i} bias after 100 epochs")
    n += 1
    return n


# --- driver ----------------------------------------------------------------------------------

def check_entry(entry: corpus.Entry, path: Path, ref: dict) -> str:
    """'' if the entry passes, else why not. Prints nothing."""
    check_layout(entry, path)
    detail = ""
    if entry.kind == "py":
        started = time.monotonic()
        run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=PY_SECONDS * 4,
                             cwd=path.parent, env={**os.environ, "MPLBACKEND": "Agg"})
        seconds = time.monotonic() - started
        if run.returncode != 0:
            return f"`python {path.name}` exited {run.returncode}: {run.stderr.strip()[-400:]}"
        if seconds > PY_SECONDS:
            return f"`python {path.name}` took {seconds:.1f} s"
        detail = f"ran in {seconds:.2f} s"
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ns = runpy.run_path(str(path))
    else:
        ns = exec_cells(notebook_student_cells(entry, path))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        count = sum(compare(ns, ref, seed) for seed in (0, 1, 2))
    return "", f"{count} comparisons ok" + (f", {detail}" if detail else "")
