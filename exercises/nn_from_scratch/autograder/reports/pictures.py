"""Pictures that say more than numbers: learning curves, the decision boundary, gradient errors.

Every picture is drawn from observations (plain arrays the student's code
produced) and the reference's observations on the same public inputs, so it
can be drawn in the grading process, in the notebook or in an HTML report.
Pictures are made for public checks only: nothing here shows a hidden input.
"""

from __future__ import annotations

import io

import numpy as np

from ..checks import Check, catalogue
from ..checks.judges import Gradient, XorLearns, xor_predictions, xor_right
from ..checks.numerics import relative_error
from ..sandboxed.xor import XOR_X, XOR_Y, network_output

Picture = tuple[str, bytes]  # (caption, PNG bytes)


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def xor_figure(got: dict, expected: dict):
    """Learning curves (student and reference, same start) and the learned decision boundary."""
    plt = _pyplot()
    figure, (curves, boundary) = plt.subplots(1, 2, figsize=(10, 3.8))
    curves.plot(expected["losses"], label="reference", color="#888888", lw=2)
    curves.plot(got["losses"], label="your network", color="#1f77b4", lw=1.5, ls="--")
    curves.set_yscale("log")
    curves.set_xlabel("epoch")
    curves.set_ylabel("loss (binary cross-entropy)")
    curves.set_title("Learning curve, from the same initial weights")
    curves.legend()
    curves.grid(True, alpha=0.3)

    grid = np.linspace(-0.5, 1.5, 161)
    xx, yy = np.meshgrid(grid, grid)
    points = np.column_stack([xx.ravel(), yy.ravel()])
    output = network_output(got, points).reshape(xx.shape)
    shading = boundary.contourf(xx, yy, np.nan_to_num(output, nan=0.5), levels=np.linspace(0, 1, 11),
                                cmap="RdBu_r", alpha=0.8)
    boundary.contour(xx, yy, np.nan_to_num(output, nan=0.5), levels=[0.5], colors="k", linewidths=1.5)
    predictions = xor_predictions(got)
    for (x1, x2), label, p, right in zip(XOR_X, XOR_Y[:, 0], predictions[:, 0], xor_right(predictions)[:, 0]):
        boundary.scatter([x1], [x2], s=140, c="white" if label == 0 else "black", edgecolors="k", zorder=3)
        boundary.annotate(f"{p:.2f}" + ("" if right else " wrong"), (x1, x2), xytext=(8, 8),
                          textcoords="offset points", fontsize=9, color="k" if right else "red")
    figure.colorbar(shading, ax=boundary, label="network output")
    boundary.set_title("What your trained network predicts (black line: 0.5)" if np.isfinite(output).all() else
                       "What your trained network predicts: nan (not a number) in places, drawn as 0.5")
    boundary.set_xlabel("x1")
    boundary.set_ylabel("x2")
    figure.tight_layout()
    return figure


def gradient_figure(check: Check, case: dict, got: dict, expected: dict | None = None):
    """Relative error of every entry of each analytic gradient, the worst one named (the numerical
    side is the reference's, in ``expected``)."""
    plt = _pyplot()
    gradients = list(check.judge.gradients(case, got, expected))
    figure, axes = plt.subplots(1, len(gradients), figsize=(3.6 * len(gradients), 3.2), squeeze=False)
    for ax, (key, analytic, numeric) in zip(axes[0], gradients):
        label = check.judge.labels[key]
        if analytic.shape != numeric.shape:
            ax.text(0.5, 0.5, f"{label}:\nshape {analytic.shape},\nexpected {numeric.shape}", ha="center",
                    va="center")
            ax.axis("off")
            continue
        error = np.nan_to_num(relative_error(analytic, numeric), nan=1.0, posinf=1.0)
        error = np.atleast_2d(error)
        image = ax.imshow(np.log10(np.maximum(error, 1e-12)), cmap="viridis", vmin=-12, vmax=0)
        worst = np.unravel_index(int(np.argmax(error)), error.shape)
        ax.scatter([worst[1]], [worst[0]], marker="s", s=180, facecolors="none", edgecolors="red", lw=2)
        ax.set_title(f"{label}\nworst entry {tuple(int(i) for i in worst)}: {error[worst]:.1e}", fontsize=9)
        ax.set_xticks(range(error.shape[1]))
        ax.set_yticks(range(error.shape[0]))
        figure.colorbar(image, ax=ax, label="log10 relative error")
    figure.suptitle(f"{check.method}: relative error of each entry (a right entry is below 1e-7: dark; "
                    "red square: the worst)", fontsize=10)
    figure.tight_layout()
    return figure


def for_check(check: Check, observations: list[dict], expected: list[dict], passed: bool) -> list[Picture]:
    """The pictures worth showing for one graded check (public checks only)."""
    if check.hidden or not observations:
        return []
    try:
        if isinstance(check.judge, XorLearns):
            return [(f"{check.method}: learning curve and decision boundary",
                     _png(xor_figure(observations[0], expected[0])))]
        if isinstance(check.judge, Gradient) and not passed:
            return [(f"{check.name}: where the gradient is wrong",
                     _png(gradient_figure(check, check.cases()[0], observations[0], expected[0])))]
    except (KeyError, ValueError, IndexError):  # observations too broken to draw
        return []
    return []


def show_xor_training(namespace: dict) -> None:
    """In the notebook: train *your* network from the XOR check's start and draw what it learned."""
    from ..checks import expectations
    from ..inprocess import observe
    from ..sandboxed.errors import StudentCodeError

    check = next(c for c in catalogue() if isinstance(c.judge, XorLearns))
    try:
        got = observe(check, namespace)[0]
    except StudentCodeError as error:
        print(f"No picture yet: {error.message}")
        return
    xor_figure(got, expectations.default().expected(check)[0])
    _pyplot().show()
