"""Self-check: `pytest` in this folder runs the public checks on your saved notebook.

Save the notebook first (the checks read the file). To check another file:
`pytest --submission=path/to/notebook_or_file.py` (with `=`; quote a path with spaces).
"""

import pytest

from autograder.selfcheck import grade, student_checks


@pytest.mark.parametrize("check", student_checks(), ids=lambda check: check.name)
def test_check(check, loaded_submission):
    grade(check, loaded_submission)
