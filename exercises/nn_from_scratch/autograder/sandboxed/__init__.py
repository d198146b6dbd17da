"""The code that runs student code, and nothing else: the trust boundary of the grader.

Everything here runs beside a submission, in the student's own process (the
notebook's test cells, the pytest self-check) or in a grading worker. A worker
gets a copy of this folder and nothing more (no reference solution, no hidden
check, no judge), so nothing in it may import from the rest of ``autograder``.

- ``loader``     reads a notebook or ``.py`` file and loads the code the checks need
- ``scenarios``  calls the code under test on given inputs; returns plain float arrays
- ``doubles``    test doubles (a known activation, stand-in layers) so a check grades one class
- ``xor``        the XOR data set, its loss, and the plain forward pass the judges use
- ``errors``     how a failure of student code is described (which method, which line)
- ``wire``       the files a grading process and a worker exchange
- ``worker``     the worker process: runs each check's scenario in a limited child
"""
