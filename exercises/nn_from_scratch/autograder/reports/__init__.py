"""What people read after grading: tables, result files, HTML pages and pictures.

- ``report``    a verdict as a terminal table, Gradescope's results.json, a self-contained HTML page; a class's grades.csv
- ``class_report``  a class at a glance: pass rates, named mistakes, shared wrong results, a collusion signal
- ``changes``   a regrade preview: whose score a regrade changes, and through which checks
- ``pictures``  learning curves, the learned decision boundary, where a gradient is wrong (public checks only)
"""
