"""nbgrader configuration for the course. Run nbgrader from the repository root.

The instructor's source notebook lives in solutions/ (nbgrader's "source"), and
`nbgrader generate_assignment nn_from_scratch` writes the student version to
exercises/ (nbgrader's "release"). Submissions, autograded copies, feedback and
the gradebook are nbgrader's working files in the repository root; git ignores them.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "nn_from_scratch"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"

