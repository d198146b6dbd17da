"""Course tooling for instructors and maintainers: nothing here runs student code.

- ``notebook_cells``          the source notebook's test cells, generated from the catalogue
- ``variants``                submissions made from the reference: typed in whole, or with edits
- ``examples``                the example submissions of the quick start, generated
- ``refresh``                 after a change: test cells, stored expectations, exercise and examples, in one step
- ``bundle``                  the student version: the package's copy in exercises/, and the zip of that folder
- ``gradescope``              the Gradescope autograder zip, and its run inside Gradescope's container
- ``audit``                   re-grades nbgrader's submissions in isolation and flags higher nbgrader scores
- ``nbgrader_preprocessors``  what nbgrader does not do by itself (checks after the whole notebook, hidden tests hidden)
- ``nbgrader_plugins``        zip_collect that says what it renames; export that notes ungraded students
"""
