"""Trusted grading, the parent side: it never imports a submission, only judges what a worker sends back.

- ``isolation``    grade one submission in a worker under limits (``Limits``, ``grade``)
- ``workers``      start, reuse (while a class is graded) and end workers; read a worker's framed answer
- ``sandbox``      where a worker runs: a bubblewrap sandbox that holds only what it needs, or the fallback
- ``cgroup``       a process-count limit for a sandbox run as root (a pids control group)
- ``kernel``       nbgrader's Jupyter kernel, started in the same kind of sandbox (its spec: ``jupyter/``)
- ``untrusted``    what a worker sends back, read without trusting it (float64 arrays only, sizes first)
- ``batch``        grade a class in parallel: one result file per student and ``grades.csv``
- ``shards``       a class graded in slices (``--shard K/N``) and merged back into one ``grades.csv``
- ``submissions``  which file in a folder is a student's submission (batch, Gradescope, audit)

The worker side is ``autograder.sandboxed.worker``.
"""
