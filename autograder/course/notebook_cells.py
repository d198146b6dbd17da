"""The source notebook's test cells, generated from the catalogue: points live in the catalogue only.

Each check has one nbgrader test cell whose ``grade_id`` is the check's id, whose
points are the check's, and which calls ``check(<id>, globals())``; a hidden
check's call sits between nbgrader's hidden-test markers. :func:`sync` rewrites
the cells that differ, adds a cell for a new check (after the cells of the check
before it in the catalogue) and drops cells of checks that no longer exist.

Two read-only markdown cells state figures of the catalogue and are generated the
same way (:data:`GENERATED`): near the top, what is graded and how (the checks'
count and points, public and hidden; the written answers' points, from their
nbgrader metadata); before the XOR checks, their set-up (sizes, start, learning
rate, epochs, what counts as learning XOR).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..checks import Check, catalogue
from ..checks.judges import XorLearns, XorLossCurve
from ..checks.public import XOR_EPOCHS, XOR_HIDDEN, XOR_HIDDEN_BIAS, XOR_LEARNING_RATE, XOR_SEED

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


# --- read-only markdown cells that state the catalogue's figures -------------------------------------


def grading_summary(nb) -> str:
    """What is graded and how: the checks from the catalogue, the written answers from ``nb``'s metadata."""
    checks = catalogue()
    public = [check for check in checks if not check.hidden]
    hidden = [check for check in checks if check.hidden]
    parts: dict[str, int] = {}
    for check in checks:
        part = f"`{check.owner}`" if check.owner else "training on XOR"
        parts[part] = parts.get(part, 0) + check.points
    answers = [cell for cell in nb.cells if cell.cell_type == "markdown" and is_answer_cell(cell)]
    answer_points = sum(cell.metadata["nbgrader"].get("points", 0) for cell in answers)
    if answer_points:
        written = (f"**The written answers to the exploration questions are graded by hand** ({len(answers)} answer "
                   f"cells, {points_text(answer_points)} in all), by your instructor, after the automatic checks.")
    else:
        written = ("**The exploration questions at the end are not graded.** nbgrader lists their "
                   f"{len(answers)} answer cells for your instructor to read and comment on, worth 0 points: they do "
                   "not change your score, and nothing checks your experiment code.")
    return (
        "## What is graded, and how\n\n"
        f"Your score is the points of the automatic checks: **{len(checks)} checks, "
        f"{points_text(sum(c.points for c in checks))}**.\n\n"
        f"- **{len(public)} public checks ({points_text(sum(c.points for c in public))}).** Their cells are in this "
        "notebook, below the class each one grades, and `pytest` in this folder runs them too.\n"
        f"- **{len(hidden)} hidden checks ({points_text(sum(c.points for c in hidden))}).** Their cells here show only "
        "a name and points. They run the same methods on inputs you do not see when your notebook is graded.\n"
        "- By part: " + ", ".join(f"{part} {points_text(points)}" for part, points in parts.items()) + ".\n"
        "- When your notebook is graded, the checks run after the whole notebook, on your classes as they stand at "
        "the end.\n"
        f"- {written}\n"
        "- The other cells (the training run, the pictures, the analysis of the chapter's run) are there for you: "
        "they earn no points."
    )


def xor_setup(nb) -> str:
    """The XOR checks' set-up, in the figures the checks use."""
    curve = next(check for check in catalogue() if isinstance(check.judge, XorLossCurve))
    learns = next(check for check in catalogue() if isinstance(check.judge, XorLearns))
    return (
        "### Check the whole network on XOR\n\n"
        "The two XOR checks train your classes with a set-up of their own, not the one of the run above:\n\n"
        f"- **Network:** `NeuralNetwork([2, {XOR_HIDDEN}, 1], [ReLU(), Sigmoid()])`, {XOR_HIDDEN} ReLU hidden units "
        "and one sigmoid output.\n"
        "- **Initial weights:** set by the check, so how your code uses `np.random` does not matter. He-scaled: "
        f"standard normal numbers from `np.random.default_rng({XOR_SEED})` times $\\sqrt{{2/d_{{in}}}}$; hidden "
        f"biases {XOR_HIDDEN_BIAS:g}, output bias 0.\n"
        f"- **Training:** the same loss and loop as `train` above (the check runs its own copy of them), full "
        f"batch on the four inputs, learning rate "
        f"{XOR_LEARNING_RATE:g}, {XOR_EPOCHS:,} epochs.\n"
        f"- **{curve.name} ({points_text(curve.points)}):** your loss in each of the first {curve.judge.epochs} epochs "
        "matches the reference solution's, trained from the same start.\n"
        f"- **{learns.name} ({points_text(learns.points)}):** after the {XOR_EPOCHS:,} epochs, the trained weights put "
        "each of the four inputs on its label's side of 0.5 (above for 1, below for 0; nan is never right). From "
        "this start the reference solution learns XOR.\n\n"
        "The chapter's own set-up (2-4-1, weights `randn * 0.01`) does not learn XOR: see *Why the chapter's "
        "original run fails* below."
    )


# grade_id -> (what the cell says, the grade_id of the cell it goes before when missing)
GENERATED = {
    "how_it_is_graded": (grading_summary, "imports"),
    "xor_checks_setup": (xor_setup, "xor_training_loss_follows_the_reference"),
}


def generated_cell_metadata(cell_id: str) -> dict:
    return {"nbgrader": {"grade": False, "grade_id": cell_id, "locked": True, "schema_version": 3, "solution": False}}


def is_answer_cell(cell) -> bool:
    """A written answer nbgrader grades by hand: a solution cell with points."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and bool(meta.get("solution"))


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
    for cell_id, (text, _) in GENERATED.items():
        cells = [cell for cell in nb.cells if grade_id(cell) == cell_id]
        if len(cells) != 1 or cells[0].source != text(nb):
            problems.append(f"cell {cell_id!r}: missing, repeated or stale (it states the catalogue's figures)")
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
    for cell_id, (text, before) in GENERATED.items():
        cell = next((cell for cell in nb.cells if grade_id(cell) == cell_id), None)
        if cell is None:
            cell = nbformat.v4.new_markdown_cell(text(nb), metadata=generated_cell_metadata(cell_id))
            nb.cells.insert(next(i for i, c in enumerate(nb.cells) if grade_id(c) == before), cell)
            changes.append(f"added the cell {cell_id!r}")
        elif cell.source != text(nb) or cell.metadata.get("nbgrader") != generated_cell_metadata(cell_id)["nbgrader"]:
            cell.source = text(nb)
            cell.metadata["nbgrader"] = generated_cell_metadata(cell_id)["nbgrader"]
            changes.append(f"updated the cell {cell_id!r}")
    if changes:
        nbformat.write(nb, path)
    return changes
