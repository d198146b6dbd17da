"""The source notebook's test cells, generated from the catalogue: points live in the catalogue only.

Each check has one nbgrader test cell whose ``grade_id`` is the check's id, whose
points are the check's, and which calls ``check(<id>, globals())``; a hidden
check's call sits between nbgrader's hidden-test markers. :func:`sync` rewrites
the cells that differ, adds a cell for a new check (after the cells of the check
before it in the catalogue) and drops cells of checks that no longer exist.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..checks import Check, catalogue

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def points_text(points: int) -> str:
    return f"{points} point{'s' if points != 1 else ''}"


def test_cell_source(check: Check) -> str:
    call = f"from autograder.notebook import check\ncheck({check.id!r}, globals())"
    if check.hidden:
        return (f"# Hidden check: {check.name} ({points_text(check.points)})\n"
                "# It runs when your notebook is graded; its inputs are not shown.\n"
                f"{BEGIN_HIDDEN}\n{call}\n{END_HIDDEN}")
    return f"# Check: {check.name} ({points_text(check.points)})\n{call}"


def test_cell_metadata(check: Check) -> dict:
    return {"nbgrader": {"grade": True, "grade_id": check.id, "locked": True, "points": check.points,
                         "schema_version": 3, "solution": False}}


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def disagreements(path: Path) -> list[str]:
    """One line per test cell that differs from the catalogue (empty: the notebook is in step)."""
    nb = nbformat.read(path, as_version=4)
    checks = {check.id: check for check in catalogue()}
    found: dict[str, list] = {}
    for cell in nb.cells:
        if is_test_cell(cell) and cell.cell_type == "code":
            found.setdefault(grade_id(cell), []).append(cell)
    problems = [f"cell {gid!r}: no check has this id" for gid in found if gid not in checks]
    for check in checks.values():
        cells = found.get(check.id, [])
        if len(cells) != 1:
            problems.append(f"check {check.id!r}: {len(cells)} test cells, expected 1")
            continue
        cell = cells[0]
        if cell.source != test_cell_source(check):
            problems.append(f"cell {check.id!r}: its source differs from the catalogue's")
        if cell.metadata.get("nbgrader") != test_cell_metadata(check)["nbgrader"]:
            problems.append(f"cell {check.id!r}: its nbgrader metadata (points {cell.metadata['nbgrader'].get('points')}) "
                            f"differs from the catalogue's (points {check.points})")
    return problems


def sync(path: Path) -> list[str]:
    """Make the notebook's test cells match the catalogue; return what changed, one line each."""
    nb = nbformat.read(path, as_version=4)
    checks = catalogue()
    ids = {check.id for check in checks}
    changes = []
    kept = []
    for cell in nb.cells:
        if cell.cell_type == "code" and is_test_cell(cell) and grade_id(cell) not in ids:
            changes.append(f"removed the test cell {grade_id(cell)!r}: no check has this id")
            continue
        kept.append(cell)
    nb.cells = kept
    for position, check in enumerate(checks):
        index = next((i for i, cell in enumerate(nb.cells) if grade_id(cell) == check.id), None)
        if index is None:
            earlier = {c.id for c in checks[:position]}
            after = max((i for i, cell in enumerate(nb.cells) if grade_id(cell) in earlier), default=len(nb.cells) - 1)
            cell = nbformat.v4.new_code_cell(test_cell_source(check), metadata=test_cell_metadata(check))
            nb.cells.insert(after + 1, cell)
            changes.append(f"added a test cell for {check.id!r}")
            continue
        cell = nb.cells[index]
        if cell.source != test_cell_source(check) or cell.metadata.get("nbgrader") != test_cell_metadata(check)["nbgrader"]:
            cell.source = test_cell_source(check)
            cell.metadata["nbgrader"] = test_cell_metadata(check)["nbgrader"]
            changes.append(f"updated the test cell {check.id!r}")
    if changes:
        nbformat.write(nb, path)
    return changes
