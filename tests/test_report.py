"""The HTML report a student opens in a browser, and the pictures in it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.checks import by_id, catalogue
from autograder.reports import pictures
from autograder.inprocess import run_check
from autograder.sandboxed import loader

from variants import EXERCISE, bug

MAX_SCORE = sum(c.points for c in catalogue())

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)
# The flags this machine's closed network needs (no background connections, no sandbox as root).
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def grade_html(variant, tmp_path) -> Path:
    out = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "-m", "autograder", "grade", variant.write_py(tmp_path), "--html", out],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)")
def test_the_html_report_opens_in_headless_chromium_with_the_total_every_check_and_pictures(tmp_path,
                                                                                            grade_in_process):
    variant = bug("layer_backward_bias_mean")
    report = grade_html(variant, tmp_path)
    score = sum(r.score for r in grade_in_process(variant.write_py(tmp_path)).values())
    assert 0 < score < MAX_SCORE
    browser = [CHROMIUM, *HEADLESS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*browser, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", dom.stdout)
    assert f"Total: {score:g} / {MAX_SCORE}" in text
    for check in catalogue():
        assert check.name in text
    assert "Likely cause: the bias gradient is averaged over the batch" in text
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,', dom.stdout)
    assert images == [f"{by_id('layer_backward_gradient_check').name}: where the gradient is wrong",
                      "XOR training: learning curve and decision boundary"]

    screenshot = tmp_path / "report.png"
    shot = subprocess.run([*browser, "--window-size=1100,1600", f"--screenshot={screenshot}", report.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.returncode == 0 and screenshot.stat().st_size > 50_000  # text, tables and two plots


def test_pictures_are_never_drawn_for_hidden_checks(tmp_path):
    namespace = loader.load(bug("layer_backward_bias_mean").write_py(tmp_path))
    for check in catalogue():
        if check.hidden:
            result = run_check(check, namespace.namespace)
            assert pictures.for_check(check, result.observations, result.expected, result.passed) == []


def test_the_notebook_picture_cell_explains_instead_of_failing_on_the_untouched_exercise(capsys):
    pictures.show_xor_training(loader.load(EXERCISE).namespace)
    assert capsys.readouterr().out.startswith("No picture yet: not implemented yet: NeuralNetwork.forward")


def test_a_failed_gradient_check_draws_the_error_of_each_entry(tmp_path):
    namespace = loader.load(bug("sigmoid_backward_missing_factor").write_py(tmp_path))
    check = by_id("sigmoid_backward_gradient_check")
    result = run_check(check, namespace.namespace)
    [(caption, png)] = pictures.for_check(check, result.observations, result.expected, result.passed)
    assert caption.startswith(check.name) and png.startswith(b"\x89PNG")


def test_a_gradient_picture_is_drawn_from_the_stored_values_too(tmp_path):
    # The numerical side is the reference's: the student's copy draws it from the stored public values.
    from autograder.checks.expectations import Stored

    namespace = loader.load(bug("layer_backward_bias_mean").write_py(tmp_path))
    check = by_id("layer_backward_gradient_check")
    result = run_check(check, namespace.namespace, Stored())
    [(caption, png)] = pictures.for_check(check, result.observations, result.expected, result.passed)
    assert caption.startswith(check.name) and png.startswith(b"\x89PNG")
