"""Run a check in this process: what the notebook's test cells and the self-check use.

In-process results give feedback; they are not trusted for grades (student code
shares the process). The grading command runs the same scenarios in workers
(``autograder.grading``) and scores them with the same ``checks.results.judge``.
"""

from __future__ import annotations

from .checks import Check
from .checks import expectations as expected_values
from .checks.results import Result, failed_to_run, judge
from .sandboxed.errors import StudentCodeError
from .sandboxed.scenarios import Observations, run_scenario


def observe(check: Check, namespace) -> list[Observations]:
    """Run the check's scenario on every case, in this process (``namespace``: a dict or a LoadedSubmission)."""
    return run_scenario(check.scenario, check.params, check.cases(), namespace, check.method)


def run_check(check: Check, namespace, expectations=None) -> Result:
    """One check's result; ``namespace`` is ``globals()`` in a notebook, or a loaded submission."""
    expectations = expectations or expected_values.default()
    try:
        observations = observe(check, namespace)
    except StudentCodeError as error:
        return failed_to_run(check, error)
    return judge(check, observations, expectations)
