"""nbgrader's feedback page, read as a student reads it: in a browser, offline.

One student, whose Sigmoid.backward is evaluated at the output (``x * (1 - x)``, a catalogue bug: four
Sigmoid.backward checks and the two XOR checks fail with long, multi-line messages), goes through
``generate_assignment``, ``autograde`` and ``generate_feedback`` in a temporary course folder (a copy of
solutions/ and nbgrader_config.py). The page is then opened in headless Chromium with the network off:
names are resolved to nothing and every connection goes to a closed local port, so MathJax cannot come
from its CDN (the probe checks it did not load). On nbgrader's own page the maths stays raw ``$$...$$``.

``--dump-dom`` gives the DOM, not the layout. To measure the layout, the test opens a copy of the page
with one ``<script>`` added at its end (the page itself is not changed): on ``load`` it measures in the
same Chromium, at a 900 px wide window, and writes what it found as JSON into the DOM that is dumped.
That is the robust way to see "no horizontal overflow": the page's scroll width is its client width, each
output ``pre`` shows all its text without scrolling, and the failing message takes more lines on screen
than it has lines of text (it wraps). A screenshot of the same window (cells hidden by the script, so
the summary, a cell of maths and the first failing check are in view) is written for people to look at.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import catalogue
from autograder.checks.reference import ASSIGNMENT, REPO
from autograder.course.notebook_cells import BEGIN_HIDDEN, END_HIDDEN

from test_exercise import course_folder
from test_report import CHROMIUM, HEADLESS
from variants import bug

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run has it)"),
]

SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
BUG = bug("sigmoid_backward_at_output")  # Sigmoid.backward returns x * (1 - x)
STUDENT = "ada"
FAILING = "sigmoid_backward_public_values"  # a check the bug fails, with a long message
WIDTH, HEIGHT = 900, 2400
# The network off: no name resolves (localhost aside), and every connection goes through a proxy
# on a closed port, so a request to the MathJax CDN fails at once.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost", "--proxy-server=127.0.0.1:9",
           "--proxy-bypass-list=<-loopback>"]

# Runs on load, in the page: measures what --dump-dom cannot show and writes it into the DOM as JSON.
PROBE = r"""
<script>
window.addEventListener("load", function () {
  var found = {};
  try {
    var root = document.documentElement;
    found.scrollWidth = root.scrollWidth;
    found.clientWidth = root.clientWidth;
    found.mathjaxLoaded = typeof window.MathJax !== "undefined" && !!window.MathJax.Hub;
    found.outputs = Array.from(document.querySelectorAll("div.output_subarea pre")).map(function (pre) {
      var style = getComputedStyle(pre);
      return {text: pre.textContent, whiteSpace: style.whiteSpace, scrollWidth: pre.scrollWidth,
              clientWidth: pre.clientWidth, height: pre.getBoundingClientRect().height,
              lineHeight: parseFloat(style.lineHeight), right: pre.getBoundingClientRect().right};
    });
    found.markdownText = Array.from(document.querySelectorAll(".text_cell_render")).map(function (cell) {
      return cell.textContent;
    }).join("\n");
    found.fractions = Array.from(document.querySelectorAll("math mfrac")).map(function (frac) {
      return {height: frac.getBoundingClientRect().height, fontSize: parseFloat(getComputedStyle(frac).fontSize),
              compact: !!frac.closest('mstyle[displaystyle="false"]')};  // 	frac: one line high
    });
    found.blockMaths = Array.from(document.querySelectorAll('math[display="block"]')).map(function (math) {
      return {width: math.getBoundingClientRect().width, display: getComputedStyle(math).display};
    });
    if (window.location.hash === "#screenshot") {  // in view: the summary, the first maths, the failing check
      var keep = [document.querySelector("div.text_cell_render math[display=block]"),
                  document.getElementsByName("%(failing)s")[0]];
      keep = keep.map(function (el) { return el && el.closest(".cell"); });
      document.querySelectorAll("#notebook-container .cell").forEach(function (cell) {
        if (keep.indexOf(cell) < 0) cell.style.display = "none";
      });
    }
  } catch (error) {
    found.error = String(error);
  }
  var out = document.createElement("script");
  out.type = "application/json";
  out.id = "probe";
  out.textContent = JSON.stringify(found).replace(/</g, "\\u003c");
  document.body.appendChild(out);
});
</script>
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([CHROMIUM, *HEADLESS, *OFFLINE, f"--user-data-dir={profile}",
                           f"--window-size={WIDTH},{HEIGHT}", *args], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A student with a bug, through nbgrader: the course folder, the DOM Chromium dumped, the probe, the screenshot."""
    course = course_folder(tmp_path_factory.mktemp("feedback_course"))
    run("nbgrader", "generate_assignment", ASSIGNMENT, cwd=course)
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    BUG.write_notebook(folder, f"{ASSIGNMENT}.ipynb")
    run("nbgrader", "autograde", ASSIGNMENT, cwd=course)
    run("nbgrader", "generate_feedback", ASSIGNMENT, cwd=course)
    feedback = course / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert feedback.is_file(), sorted(str(p.relative_to(course)) for p in (course / "feedback").rglob("*"))

    text = feedback.read_text(encoding="utf-8")
    end = text.rfind("</html>")
    probed = feedback.with_name("probed.html")  # beside the page: the same folder, the same relative paths
    probed.write_text(text[:end] + PROBE % {"failing": FAILING} + text[end:], encoding="utf-8")
    profile = tmp_path_factory.mktemp("chromium")
    dom = chromium("--dump-dom", probed.as_uri(), profile=profile).stdout
    found = re.search(r'<script type="application/json" id="probe">(.*?)</script>', dom, re.DOTALL)
    assert found, "the probe did not run: " + dom[-500:]
    probe = json.loads(found.group(1))
    assert "error" not in probe, probe["error"]
    screenshot = course / "feedback.png"
    chromium(f"--screenshot={screenshot}", probed.as_uri() + "#screenshot", profile=profile)
    return course, dom, probe, screenshot


def visible_text(dom: str) -> str:
    """The page's text as shown: scripts, styles and tags removed, entities decoded."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", dom))


def test_the_summary_at_the_top_names_every_check(page):
    _, dom, _, _ = page
    toc = re.search(r'<div id="toc">(.*?)</div>', dom, re.DOTALL).group(1)
    named = {gid: html.unescape(name) for gid, name in re.findall(r'<a href="#([^"]+)">(.*?)</a>', toc)}
    for check in catalogue():
        assert named.get(check.id) == check.name, (check.id, named.get(check.id))
    assert "Test cell" not in visible_text(toc)
    lost = re.findall(r'<li class="check check-lost"><a href="#([^"]+)"', toc)
    assert {"sigmoid_backward_public_values", "xor_training_learns_xor"} <= set(lost), lost


def test_a_failing_checks_long_message_wraps_and_nothing_runs_past_the_page(page):
    _, dom, probe, _ = page
    # The rule is in the page's own styles, for the classes nbgrader's output area uses.
    assert re.search(r"div\.output_area pre, div\.output_subarea pre \{[^}]*white-space: pre-wrap", dom)
    assert probe["scrollWidth"] <= probe["clientWidth"], f"the page scrolls sideways: {probe['scrollWidth']} px"
    message = next(out for out in probe["outputs"] if "Sigmoid.backward(x) is wrong in " in out["text"])
    assert max(len(line) for line in message["text"].splitlines()) > 120  # long lines, at about 8 px a character
    assert message["whiteSpace"] == "pre-wrap"
    lines_on_screen = message["height"] / message["lineHeight"]
    assert lines_on_screen > len(message["text"].strip().splitlines()) + 2, (lines_on_screen, message["text"])
    for out in probe["outputs"]:  # every output shows all its text: nothing is cut at the box's edge
        assert out["scrollWidth"] <= out["clientWidth"] + 1, out["text"][:200]
        assert out["right"] <= probe["clientWidth"], out["text"][:200]


def test_the_maths_renders_with_the_network_off(page):
    _, dom, probe, _ = page
    assert not probe["mathjaxLoaded"]  # the CDN was out of reach: what renders is the page's own
    assert "$$" not in visible_text(dom)
    assert "$" not in probe["markdownText"], re.findall(r".{0,40}\$.{0,40}", probe["markdownText"])[:5]
    source = nbformat.read(SOURCE, as_version=4)
    displayed = sum(cell.source.count("$$") // 2 for cell in source.cells if cell.cell_type == "markdown")
    assert len(probe["blockMaths"]) >= displayed > 0
    # Laid out as maths, not as text: a fraction (other than \tfrac) stands taller than a line of its font.
    fractions = [frac for frac in probe["fractions"] if not frac["compact"]]
    assert fractions and all(frac["height"] > 1.4 * frac["fontSize"] for frac in fractions), fractions
    assert all(math["display"] == "block math" for math in probe["blockMaths"])
    assert all(0 < math["width"] <= WIDTH for math in probe["blockMaths"])


def test_no_hidden_test_material_reaches_the_page(page):
    course, dom, _, _ = page
    text = visible_text(dom)
    released = nbformat.read(course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    shown = {line.strip() for cell in released.cells for line in cell.source.splitlines()}
    hidden_lines = set()
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        for region in re.findall(re.escape(BEGIN_HIDDEN) + r"(.*?)" + re.escape(END_HIDDEN), cell.source, re.DOTALL):
            hidden_lines |= {line.strip() for line in region.splitlines() if line.strip()} - shown
    hidden = [check for check in catalogue() if check.hidden]
    assert hidden and len(hidden_lines) >= len(hidden)
    for line in sorted(hidden_lines):
        assert line not in text, line
        assert line not in dom, line
    assert BEGIN_HIDDEN not in dom and END_HIDDEN not in dom
    for check in hidden:  # what a student may see: the check's name and score, its message
        assert check.name in text


def test_a_screenshot_of_the_page_is_written(page):
    from matplotlib.image import imread

    _, _, _, screenshot = page
    assert screenshot.is_file() and screenshot.stat().st_size > 30_000, screenshot
    pixels = imread(screenshot)
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 0.05  # text, links, boxes: not a blank page
    assert (grey < 0.5).mean() > 0.01  # some dark text
