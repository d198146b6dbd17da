"""Three nbgrader preprocessors, and a per-cell timeout, for what nbgrader 0.9.6 does not do by itself.

Registered in ``nbgrader_config.py``; nbgrader imports this module only on the
instructor's side (students never run it).

:class:`GradeAfterTheWholeNotebook` (``nbgrader autograde``, after nbgrader's own
``OverwriteCells``): every autograder test cell of the source notebook is put at
the end of the submission, once, with the gradebook's source and metadata, in
the source's order. The checks then see the notebook as Python sees a file run
top to bottom (and as the grading command loads it): a class redefined in a later
cell, or a helper defined below the check, counts as the student wrote it. It
also makes deleted, moved and duplicated test cells harmless: nbgrader itself
restores the source, type, points and lock of a test cell it finds, and
``DeduplicateIds`` keeps the last copy of a duplicated one, but a deleted test
cell would score 0 and a test cell moved above the code it checks would fail.

:class:`HideHiddenTests` (``nbgrader generate_feedback``): nbgrader's feedback
shows every cell as executed, hidden tests included. This is nbgrader's own
``ClearHiddenTests`` (same delimiters, configured as ``ClearHiddenTests`` is)
applied to the feedback, which also reduces the error outputs of those cells to
their last line, since an IPython traceback quotes the cell's source (a check
interrupted by the timeout shows its hidden line in the ``KeyboardInterrupt``
traceback).

:class:`TopLevelStubsDoNotRaise` (``nbgrader generate_assignment``, after ``ClearSolutions``):
nbgrader's stub for a code solution is ``# YOUR CODE HERE`` and ``raise NotImplementedError()``,
one stub for every cell. In a method body the raise fires only when the method is called,
which the check cells explain; at a cell's top level (the exploration questions' experiment
cells) it fires when the cell runs, and would stop "Run All" there. Such a stub keeps its
comment only.

:func:`cell_timeout` (``c.Execute.timeout_func``): nbgrader's ``Execute.timeout``
applies to every cell. A check cell gets the grading command's 10 s; every other
cell (a training run, the exploration experiments, a loop that prints) gets
:data:`OTHER_CELL_SECONDS`, so a correct student's slow or chatty cell never ends
in a timeout that loses its output for whoever reads the written answers.

:class:`ReadableFeedback` (``c.GenerateFeedback.exporter_class``): nbgrader's feedback
page, readable: the summary at the top names each check (not "Test cell"), a check's
long message wraps instead of running past its box, and the notebook's maths is
written as MathML (``latex2mathml``), which shows offline, where nbconvert's TeX
waits for MathJax from a CDN. See the comment above :data:`FEEDBACK_CSS`.
"""

from __future__ import annotations

import os
import re

import nbformat
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Unicode, default

from .notebook_cells import grade_id


CHECK_CELL_SECONDS = 10  # wall clock in the kernel; the grading command allows 10 s of CPU time per check
OTHER_CELL_SECONDS = 300  # the reference's slowest cell takes about 10 s in nbgrader; room for slow machines


def cell_timeout(cell: NotebookNode) -> int:
    """nbclient's ``timeout_func``: the seconds a cell may run (it is given the cell itself)."""
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") or {}
    return CHECK_CELL_SECONDS if nbgrader.get("grade") and not nbgrader.get("solution") else OTHER_CELL_SECONDS


class GradeAfterTheWholeNotebook(NbGraderPreprocessor):
    """Every autograder test cell at the end, once, as in the gradebook, in the source notebook's order."""

    heading = Unicode(
        "## The checks\n\nThe grader runs every check after the whole notebook, as Python runs a file "
        "from top to bottom: each check sees your classes as they stand at the end.",
        help="Markdown cell put before the test cells at the end of the graded notebook ('' for none).",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict):
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory

        info = resources["nbgrader"]
        notebook_id, assignment_id = info["notebook"], info["assignment"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(notebook_id, assignment_id)
            solutions = {cell.name for cell in notebook.solution_cells}
            points = {cell.name: float(cell.max_score) for cell in notebook.grade_cells}
            sources = {cell.name: (cell.cell_type, cell.source, cell.checksum) for cell in notebook.source_cells}
        tests = {name for name in points if name not in solutions}  # autograder tests, not answers

        coursedir = CourseDirectory(config=self.config)
        source_path = os.path.join(coursedir.format_path(coursedir.source_directory, ".", assignment_id),
                                   f"{notebook_id}.ipynb")
        order = [name for name in self._source_order(source_path) or sorted(sources) if name in tests]

        kept = []
        for cell in nb.cells:
            if grade_id(cell) in tests:
                continue  # the test cell, wherever the student left it: put back at the end below
            if grade_id(cell) is None:
                # DeduplicateIds leaves `"nbgrader": {}` on the copies it unmarks, which CheckCellMetadata
                # then rejects as an outdated format, failing the whole notebook: make them plain cells.
                cell.metadata.pop("nbgrader", None)
            kept.append(cell)
        nb.cells = kept
        if self.heading:
            nb.cells.append(nbformat.v4.new_markdown_cell(self.heading))
        for name in order:
            cell_type, text, checksum = sources[name]
            nb.cells.append(from_dict({
                "cell_type": cell_type, "source": text, "id": f"check-{name}"[:64],
                "metadata": {"nbgrader": {"grade": True, "grade_id": name, "locked": True, "points": points[name],
                                          "solution": False, "schema_version": 3, "checksum": checksum},
                             "editable": False, "deletable": False},
                **({"outputs": [], "execution_count": None} if cell_type == "code" else {}),
            }))
        return nb, resources

    @staticmethod
    def _source_order(path: str) -> list[str]:
        try:
            source = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            return []
        return [name for name in (grade_id(cell) for cell in source.cells) if name]


class TopLevelStubsDoNotRaise(NbGraderPreprocessor):
    """A solution cell's stub at the top level of the cell (not in a function) does not raise."""

    raise_line = Unicode(
        "raise NotImplementedError()",
        help="The line of ClearSolutions' code stub that raises; removed where it stands unindented in a cell.",
    ).tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "code" and (cell.metadata.get("nbgrader") or {}).get("solution"):
            cell.source = "\n".join(line for line in cell.source.split("\n") if line != self.raise_line)
        return cell, resources


class HideHiddenTests(ClearHiddenTests):
    """Feedback: nbgrader's hidden-test stripping, and the tracebacks of the cells it stripped."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        try:
            removed = self._remove_hidden_test_region(cell)
        except RuntimeError:  # a region a student left open in their own cell: hide the rest of it
            lines = cell.source.split("\n")
            first = next(i for i, line in enumerate(lines) if self.begin_test_delimeter in line)
            cell.source = "\n".join(lines[:first])
            removed = True
        if not removed:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                # IPython quotes the cell's lines in a traceback; the last entry is "Name: message".
                last = (output.get("traceback") or [""])[-1]
                if not last or "\n" in last or "check(" in last or self.begin_test_delimeter in last:
                    name = output.get("ename", "Error")
                    last = f"{'Check failed' if name == 'CheckFailed' else name}: {output.get('evalue', '')}"
                output["traceback"] = [last]
        return cell, resources


# --- Feedback pages a person can read (``nbgrader generate_feedback``) ----------------------------------
#
# nbgrader's feedback page (its template ``feedback/index.html.j2`` on nbconvert's classic one) lists
# every test cell in its summary as "Test cell", shows a check's message in a ``pre`` that does not
# wrap (a long line runs past the output box, which scrolls or, printed, cuts it), lets a wide figure
# widen the page, and leaves the notebook's maths as TeX for MathJax, loaded from a CDN: offline (a
# student opening the page fetched with ``fetch_feedback``, a network that blocks the CDN) the maths
# stays raw ``$$...$$``. :class:`ReadableFeedback` is nbconvert's ``HTMLExporter`` with three changes,
# selected by ``c.GenerateFeedback.exporter_class`` (the page stays one self-contained HTML file):
#
# - the summary names each check (``autograder.checks.by_id(grade_id).name``): the template is nbgrader's,
#   with its ``body`` block redone (the summary lives there) and the rest inherited;
# - :data:`FEEDBACK_CSS`, added to the page's inline styles: output text wraps (at spaces; a longer word
#   breaks), figures shrink to the page, wide display maths scrolls inside its own box;
# - maths is rendered to MathML when the page is written (``latex2mathml``), which browsers display
#   without any script (Chromium 109+, Firefox, Safari). Markdown is parsed exactly as nbconvert parses
#   it for MathJax (the same mistune parser decides what is maths: code spans and ``\$`` are left alone);
#   only the renderer of a maths token changes. A formula latex2mathml cannot convert (an error, a
#   command it does not know and would print as text, markup that is not MathML) stays TeX, as before,
#   for MathJax, whose script the page still names, when online. (Rather than MathJax bundled: it is an
#   npm package, not a Python one, and the page is read on the student's machine, where a path into the
#   instructor's site-packages does not exist; inlined, it would add megabytes to every page.)

FEEDBACK_CSS = """\
/* autograder.course.nbgrader_preprocessors.ReadableFeedback */
div.output_subarea { min-width: 0; }
div.output_area pre, div.output_subarea pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  word-break: normal;
}
div.output_area img { max-width: 100%; height: auto; }
math[display="block"] { margin: 0.5em 0; max-width: 100%; overflow-x: auto; overflow-y: hidden; }
#toc li.check-lost > a { color: #b52a1d; }
@media print { div.input_area pre { white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; } }
"""

# nbgrader's feedback template (``feedback/index.html.j2``), its summary naming each check: the summary is
# in the ``body`` block, redone here as nbgrader writes it but for the test cells' label (and a class on the
# checks that lost points); ``super.super()`` is nbconvert's classic body (the cells), as nbgrader wraps it.
FEEDBACK_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{% macro points(g) -%}
(Score: {{ g.score | float | round(2) }} / {{ g.points | float | round(2) }})
{%- endmacro %}
{% macro entry(g, label, class='') -%}
<li{% if class %} class="{{ class }}"{% endif %}><a href="#{{ g.grade_id }}">{{ label | e }}</a> {{ points(g) }}</li>
{%- endmacro %}
{% block body %}
<body>
  <a name="top"></a>
  <div class="container">
    <div class="panel panel-default">
      <div class="panel-heading">
        <h4>{{ resources.nbgrader.notebook }} (Score: {{ resources.nbgrader.score | float | round(2) }}
          / {{ resources.nbgrader.max_score | float | round(2) }})</h4>
        <div id="toc">
          <ol>
          {% for cell in nb.cells %}
            {% set g = cell.metadata.nbgrader %}
            {% if g and g.grade and not g.solution %}
            {{ entry(g, g.grade_id | check_name,
                     'check check-lost' if (g.score | float) < (g.points | float) else 'check') }}
            {% elif cell.cell_type == "code" and g and g.grade %}
            {{ entry(g, "Coding free-response") }}
            {% elif cell.cell_type == "markdown" and g and g.grade %}
            {{ entry(g, "Written response") }}
            {% elif cell.cell_type == "markdown" and g and g.task %}
            {{ entry(g, "Task") }}
            {% endif %}
            {% if g and g.comment %}
            <li><a href="#comment-{{ g.grade_id }}">Comment</a></li>
            {% endif %}
          {% endfor %}
          {% if resources.nbgrader.late_penalty > 0 %}
            <li class="late-penalty">Late submission penalty
              (Score: -{{ resources.nbgrader.late_penalty | float | round(2) }})</li>
          {% endif %}
          </ol>
        </div>
      </div>
      <div class="panel-body">
        <div id="notebook" class="border-box-sizing">
          <div class="container" id="notebook-container">
            {{ super.super() }}
          </div>
        </div>
      </div>
    </div>
  </div>
</body>
{%- endblock body %}
"""


def check_name(grade_id: str) -> str:
    """A test cell's name in the feedback's summary: its check's display name ("Test cell" for another cell)."""
    from ..checks import by_id

    try:
        return by_id(str(grade_id)).name
    except KeyError:
        return "Test cell"


def tex_to_mathml(tex: str, display: str) -> str | None:
    """``<math>`` for a formula (display "block" or "inline"), or None when it would not render faithfully."""
    try:
        from latex2mathml.converter import convert
    except ImportError:  # the instructor extra not installed: the page keeps its TeX, as nbconvert writes it
        return None
    try:
        mathml = convert(tex.strip(), display=display)
    except Exception:  # noqa: BLE001 (latex2mathml raises many kinds on TeX it cannot parse)
        return None
    if re.search(r">\\[A-Za-z]", mathml):  # an unknown command, which latex2mathml prints as text
        return None
    return mathml if _only_mathml(mathml) else None


MATHML = "http://www.w3.org/1998/Math/MathML"
MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt", "mroot", "mstyle", "merror",
    "mpadded", "mphantom", "menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover",
    "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr", "maligngroup", "malignmark",
    "mfenced", "semantics", "annotation",
})


def _only_mathml(mathml: str) -> bool:
    """Well-formed MathML elements and attributes only. latex2mathml copies ``\\text{...}`` as it is, so
    ``\\text{<script>...}`` would otherwise reach the page as markup (nbconvert escapes the TeX it keeps)."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return False
    return all(element.tag.startswith(f"{{{MATHML}}}") and element.tag.split("}")[1] in MATHML_ELEMENTS
               and not any(name.lower().startswith("on") or ":" in name or "}" in name for name in element.attrib)
               for element in root.iter())


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, maths written as MathML instead of TeX for MathJax."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, "block") or super().block_math(body)

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body, "inline") or super().inline_math(body)

    def latex_environment(self, name: str, body: str) -> str:
        tex = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return tex_to_mathml(tex, "block") or super().latex_environment(name, body)


class ReadableFeedback(HTMLExporter):
    """nbgrader's feedback page with checks named in the summary, wrapping messages and maths as MathML."""

    @default("raw_template")
    def _raw_template_default(self) -> str:
        return FEEDBACK_TEMPLATE

    def default_filters(self):
        yield from super().default_filters()
        yield ("check_name", check_name)

    @pass_context
    def markdown2html(self, context, source: str) -> str:
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **getattr(self, "lexer_options", {}),
        )
        return MarkdownWithMath(renderer=renderer).render(source)

    def _preprocess(self, nb: NotebookNode, resources: dict):
        nb, resources = super()._preprocess(nb, resources)
        inlining = resources.setdefault("inlining", {})
        inlining["css"] = [*inlining.get("css", []), FEEDBACK_CSS]
        return nb, resources
