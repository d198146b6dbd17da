"""Trusted grading, the parent side: it never imports a submission, only judges what a worker sends back.

- ``isolation``    grade one submission in a worker under limits (``Limits``, ``grade``)
- ``batch``        grade a class in parallel: one result file per student and ``grades.csv``
- ``submissions``  which file in a folder is a student's submission (batch, Gradescope, audit)

The worker side is ``autograder.sandboxed.worker``.
"""
