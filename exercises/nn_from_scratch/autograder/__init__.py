"""Autograder for the "Neural Networks from Scratch" exercise.

The folders are the architecture; each subpackage's docstring lists its modules.

- ``sandboxed/``  the only code that runs student code (loader, scenarios, test doubles, the worker);
                  a grading worker sees a copy of this folder and nothing else
- ``checks/``     the catalogue and how it is judged (judges, numerics, reference, expectations,
                  misconceptions, results); ``checks/staff/`` is staff only and never leaves this repository
- ``grading/``    trusted grading, parent side: isolation, class batches, which file is the submission
- ``reports/``    what people read: tables, results.json, grades.csv, HTML reports, pictures
                  (not ``feedback/``: nbgrader's exchange leaves out every folder of that name)
- ``course/``     instructor and maintainer tooling: test cells, refresh, examples, bundle, Gradescope,
                  audit, nbgrader preprocessors
- ``notebook``    the exercise's test cells call ``check(id, globals())`` (import path fixed)
- ``selfcheck``   the students' pytest plugin (import path fixed)
- ``inprocess``   runs a check in the caller's process, for those two front ends (feedback, not grades)
- ``__main__``    the command line (``python -m autograder --help``)
"""
