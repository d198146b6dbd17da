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


def observe(check: Check, namespace: dict) -> list[Observations]:
    """Run the check's scenario on every case, in this process."""
    return run_scenario(check.scenario, check.params, check.cases(), namespace, check.method)


def run_check(check: Check, namespace: dict, expectations=None) -> Result:
    expectations = expectations or expected_values.default()
    try:
        observations = observe(check, namespace)
    except StudentCodeError as error:
        return failed_to_run(check, error)
    return judge(check, observations, expectations)
