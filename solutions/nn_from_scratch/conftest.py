# Loads the self-check: run `pytest` in this folder to check your notebook.
# (Imported rather than named in `pytest_plugins`, so that pytest run from another folder says where to go.)
from autograder.selfcheck import *  # noqa: F403
