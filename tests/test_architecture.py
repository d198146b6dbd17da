"""What a maintainer relies on: the trust boundary holds by construction, and nothing generated is stale."""

from __future__ import annotations

import ast
import re

import nbformat

from autograder.checks import catalogue
from autograder.checks.reference import REPO
from autograder.course import examples
from autograder.course.bundle import PACKAGE
from autograder.sandboxed.scenarios import SCENARIOS

SANDBOXED = PACKAGE / "sandboxed"


def modules() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_sandboxed_folder_imports_nothing_of_the_grader_outside_itself():
    # A worker gets a copy of this folder alone: any import of the rest of the package would fail there.
    for path in SANDBOXED.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.level in (0, 1), f"{path.name}: imports from outside sandboxed/ (level {node.level})"
                assert node.level == 1 or not (node.module or "").startswith("autograder"), path.name
            elif isinstance(node, ast.Import):
                assert not any(alias.name.startswith("autograder") for alias in node.names), path.name


def readme_tree() -> list[str]:
    """The module paths of the README's package tree (two spaces of indent per folder level)."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### The package, one line per module"):]
    block = section.split("```")[1]
    folders: list[str] = []
    paths = []
    for line in block.splitlines()[1:]:
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip())) // 2
        name = line.split()[0]
        folders = folders[:depth]
        if name.endswith("/"):
            folders.append(name.rstrip("/"))
        elif name.endswith(".py"):
            paths.append("/".join([*folders, name]))
    return paths


def test_the_readme_maintainer_section_lists_every_module_once():
    assert sorted(readme_tree()) == modules()


def test_the_package_docstrings_name_every_subpackage_and_module():
    import autograder

    for sub in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        assert f"``{sub.name}/``" in autograder.__doc__, sub.name
        doc = ast.get_docstring(ast.parse((sub / "__init__.py").read_text())) or ""
        for module in sorted(sub.glob("*.py")):
            if module.name != "__init__.py":
                assert f"``{module.stem}``" in doc, f"{sub.name}/__init__.py does not mention {module.stem}"


def test_every_observation_a_check_judges_is_documented_by_its_scenario(reference_expectations):
    for check in catalogue():
        doc = SCENARIOS[check.scenario].__doc__
        assert "Inputs:" in doc and "Observations:" in doc, check.scenario
        for key in reference_expectations.expected(check)[0]:
            pattern = re.sub(r"_\d+$", "_<i>", key)
            pattern = re.sub(r"^(plus|minus)_(x|weights|bias)$", r"\1_<p>", pattern) if pattern not in doc else pattern
            assert f"``{key}``" in doc or pattern in doc, (check.scenario, key)


def test_the_example_submissions_are_generated_and_not_stale(tmp_path):
    fresh = examples.write(tmp_path)
    assert fresh, "no examples written"
    for path in fresh:
        committed = examples.FOLDER / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run `python -m autograder refresh`"


def test_feedback_hides_hidden_tests_with_nbgraders_own_configurable_delimiters():
    from traitlets.config import Config

    from autograder.course.nbgrader_preprocessors import HideHiddenTests

    cell = nbformat.v4.new_code_cell("visible()\n# SECRET BEGINS\nsecret_check()\n# SECRET ENDS\nalso_visible()",
                                     metadata={"nbgrader": {"grade": True, "grade_id": "x", "points": 1}})
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="wrong",
                                           traceback=["Traceback", "secret_check()\n", "CheckFailed: wrong"])]
    config = Config({"ClearHiddenTests": {"begin_test_delimeter": "SECRET BEGINS", "end_test_delimeter": "SECRET ENDS"}})
    HideHiddenTests(config=config).preprocess_cell(cell, {}, 0)
    assert cell.source == "visible()\nalso_visible()"
    assert cell.outputs[0]["traceback"] == ["CheckFailed: wrong"]
    unterminated = nbformat.v4.new_code_cell("mine()\n### BEGIN HIDDEN TESTS\nnot shown")
    HideHiddenTests().preprocess_cell(unterminated, {}, 0)
    assert unterminated.source.strip() == "mine()"
