"""Autograder for the "Neural Networks from Scratch" exercise.

Where things are:

- ``submission``   reads a notebook or .py file and loads its definitions
- ``reference``    loads the reference solution from solutions/ (staff only)
- ``scenarios``    runs code under test on given inputs, returns plain arrays
- ``doubles``      test doubles, so each check grades one class alone
- ``checks/``      the catalogue: public.py (students see it), hidden.py (staff only)
- ``judges``       compares observations with the reference's and explains failures
- ``expectations`` the reference's observations: live, or stored for students
- ``runner``       runs a check in this process (notebook cells, self-check)
- ``isolation``, ``worker``  trusted grading: student code only in limited workers
- ``report``       results table, Gradescope results.json, grades.csv
- ``notebook``, ``selfcheck``  the front ends students use
- ``bundle``       builds what students receive
"""
