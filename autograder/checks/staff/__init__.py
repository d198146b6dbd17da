"""Teaching staff only: everything here stays out of what students receive.

The student version of the package is this package without this folder
(``autograder.course.bundle``), so whatever reveals answers lives here and
nowhere else:

- ``hidden``          the hidden checks: random inputs students never see
- ``wrong_formulas``  known mistakes as working code (the reference with one thing done wrong)
"""
