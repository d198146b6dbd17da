# Loads the self-check: run `pytest` in this folder to check your notebook.
pytest_plugins = ["autograder.selfcheck"]
