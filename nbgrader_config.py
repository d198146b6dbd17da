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

# --- The student version: `nbgrader generate_assignment nn_from_scratch --force` ----------
# nbgrader writes the notebook and copies solutions/'s other files; this hook then adds the public
# part of the autograder package, which the check cells and the self-check import, so that
# exercises/nn_from_scratch/ is all students need (release_assignment hands it out as it stands).
from autograder.course.bundle import after_generate_assignment  # noqa: E402

c.GenerateAssignment.post_convert_hook = after_generate_assignment

# nbgrader's own steps, with TopLevelStubsDoNotRaise after ClearSolutions: the exploration questions' empty
# experiment cells do not raise NotImplementedError, so "Run All" goes past them; the stubs in the classes'
# method bodies still raise when called (autograder/course/nbgrader_preprocessors.py).
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "autograder.course.nbgrader_preprocessors.TopLevelStubsDoNotRaise",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# --- JupyterHub: release_assignment, collect, release_feedback through nbgrader's exchange ----
# A folder every user of the hub can write; nbgrader's default is /srv/nbgrader/exchange. Students'
# nbgrader needs the same course id and exchange (README, "Grading with nbgrader").
# c.Exchange.root = "/srv/nbgrader/exchange"


# --- Grading: `nbgrader autograde nn_from_scratch` -------------------------------------
# Students need not be added to the gradebook first: autograde adds each folder of
# submitted/ as a student. (nbgrader's default already; set here so the flow relies on it.)
c.Autograde.create_student = True

# A check cell gets 10 s, the grading command's limit per check (a check of the reference takes
# about 0.1 s); any other cell 300 s (the reference's slowest, an exploration experiment, takes about
# 10 s in nbgrader): autograder/course/nbgrader_preprocessors.py, cell_timeout. On a timeout nbgrader
# interrupts the kernel, records a CellTimeoutError in the cell and goes on with the next cell: a
# check that hangs scores 0 and the others still run.
c.Execute.timeout = 10  # nbgrader's own default for what timeout_func does not cover
from autograder.course.nbgrader_preprocessors import cell_timeout  # noqa: E402

c.Execute.timeout_func = cell_timeout
c.Execute.interrupt_on_timeout = True

# Each notebook runs in the course's sandboxed kernel, not the notebook's own "python3": ipykernel in a
# bubblewrap sandbox that sees the interpreter, numpy, matplotlib and the package without its staff
# part, so a notebook can neither read solutions/ or the hidden checks nor write anything that outlasts
# it (autograder/grading/kernel.py). Its kernel spec ships in the package; JUPYTER_PATH is
# how Jupyter finds it, for this process and the kernels it starts. Where bubblewrap cannot run, the
# kernel starts unsandboxed and says so on stderr (set NN_GRADER_REQUIRE_SANDBOX=1 to fail instead).
import os  # noqa: E402

from autograder.grading import kernel  # noqa: E402

os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(kernel.JUPYTER_DATA), os.environ.get("JUPYTER_PATH")]))
c.Execute.kernel_name = kernel.KERNEL_NAME

# Before running a submission, nbgrader restores the source, type, points and lock of the
# test cells it finds and keeps one copy of a duplicated cell. GradeAfterTheWholeNotebook then
# puts every test cell, once, at the end: the checks see the classes as they stand after the
# whole notebook (a class fixed in a later cell counts, as under `python` and the grading command).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "autograder.course.nbgrader_preprocessors.GradeAfterTheWholeNotebook",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# At the end of the run, one paragraph after nbgrader's log: students graded, each one that failed to grade
# and why, notebooks graded under the name rename-submissions gave them, cells that timed out
# (autograder/course/nbgrader_plugins.py, AutogradeSummary). nbgrader's own steps, with RecordTimeouts
# after Execute; the two hooks tell the summary when each student begins and is saved.
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "autograder.course.nbgrader_plugins.RecordTimeouts",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.pre_convert_hook = "autograder.course.nbgrader_plugins.begin_student"
c.Autograde.post_convert_hook = "autograder.course.nbgrader_plugins.end_student"
from autograder.course.nbgrader_plugins import summarise_autograde  # noqa: E402

summarise_autograde()

# --- Feedback: `nbgrader generate_feedback nn_from_scratch` ------------------------------
# nbgrader's feedback shows hidden test cells as they ran. HideHiddenTests removes the
# hidden regions, and the tracebacks of those cells, which quote their source.
c.GenerateFeedback.preprocessors = [
    "autograder.course.nbgrader_preprocessors.HideHiddenTests",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The page itself: nbgrader's feedback template and nbconvert's HTML, with each check named in the
# summary at the top (not "Test cell"), check messages that wrap instead of running past their box, and
# the notebook's maths written as MathML (latex2mathml, the instructor extra), so it shows offline too:
# nbconvert leaves it as TeX for MathJax from a CDN. One self-contained HTML file per student, as before.
c.GenerateFeedback.exporter_class = "autograder.course.nbgrader_preprocessors.ReadableFeedback"

# --- Collecting: `nbgrader zip_collect nn_from_scratch` -----------------------------------
# Put the files downloaded from the learning platform in downloaded/nn_from_scratch/archive/
# named <student>_nn_from_scratch<anything>.ipynb (or zips of such files): zip_collect copies
# each to submitted/<student>/nn_from_scratch/nn_from_scratch.ipynb, and says so for a file
# whose name had more (a platform's "-1", a browser's " (1)").
c.ZipCollectApp.collector_plugin = "autograder.course.nbgrader_plugins.RenamingCollector"
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+?)_(?P<file_id>nn_from_scratch)[^/]*\.ipynb$"

# --- Logs -----------------------------------------------------------------------------------
# autograde warned 8 times per student that a hidden test cell's checksum changed (it always
# does: generate_assignment removed its hidden part) and SQLAlchemy added warnings from nbgrader's
# own code: both are left out, so what remains is worth reading.
from autograder.course.nbgrader_plugins import quiet_expected_warnings  # noqa: E402

quiet_expected_warnings()

# --- Names: `python -m autograder rename-submissions .` before autograde -------------------
# autograde grades a notebook only under the name it released (it skips "nn_from_scratch (1).ipynb"
# with a warning, and the student gets 0). The command renames each student's one notebook and
# names the students whose folder holds none or several.

# --- Grades: `nbgrader export` -------------------------------------------------------------
# nbgrader's CSV, plus a "note" column for each student nothing was graded for.
c.ExportApp.plugin_class = "autograder.course.nbgrader_plugins.GradesWithNotes"
