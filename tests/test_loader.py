"""The loader (autograder/sandboxed/loader.py): the dependency rule, decoding, module semantics, notes."""
import json
import os
import pickle
import subprocess
import sys
import textwrap
import typing
from pathlib import Path

import numpy as np
import pytest

from autograder.sandboxed import loader
from loader_observe import observe

HERE = Path(__file__).resolve().parent
STYLES = sorted((HERE / "loader_styles").glob("*.py"))


def py(tmp_path, text, name="sub.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def notebook(tmp_path, cells, name="nb.ipynb", nbformat=4):
    """cells: source strings (code), ("markdown", text), or ready cell dicts."""
    def cell(c):
        if isinstance(c, dict):
            return c
        if isinstance(c, tuple):
            return {"cell_type": c[0], "metadata": {}, "source": c[1]}
        return {"cell_type": "code", "metadata": {}, "source": textwrap.dedent(c).lstrip("\n"),
                "outputs": [], "execution_count": None}
    path = tmp_path / name
    path.write_text(json.dumps({"nbformat": nbformat, "nbformat_minor": 5, "metadata": {},
                                "cells": [cell(c) for c in cells]}), encoding="utf-8")
    return path


@pytest.fixture
def side_effects(tmp_path, monkeypatch):
    """A file that experiment code appends to (through $LOADER_SIDE_EFFECTS) if it runs."""
    path = tmp_path / "side_effects.log"
    monkeypatch.setenv("LOADER_SIDE_EFFECTS", str(path))
    return path


# --- ordinary styles that the old loader skipped -------------------------------------------

def test_lambda_helper(tmp_path):
    ns = loader.load(py(tmp_path, """
        import numpy as np
        sigmoid = lambda z: 1 / (1 + np.exp(-z))
        class Sigmoid:
            def forward(self, x):
                return sigmoid(x)
        """)).namespace
    assert ns["Sigmoid"]().forward(np.array([0.0]))[0] == 0.5


def test_numpy_imported_in_try_except(tmp_path):
    ns = loader.load(py(tmp_path, """
        try:
            import numpy as np
        except ImportError:
            np = None
        class ReLU:
            def forward(self, x):
                return np.maximum(0, x)
        """)).namespace
    assert ns["np"] is np
    assert ns["ReLU"]().forward(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]


def test_tuple_and_list_unpacked_constants(tmp_path):
    ns = loader.load(py(tmp_path, """
        ZERO, ONE = 0.0, 1.0
        [LOW, (HIGH, _)] = -1, (1, None)
        class ReLU:
            def backward(self, x):
                return [ONE if v > ZERO else ZERO for v in x] + [LOW, HIGH]
        """)).namespace
    assert ns["ReLU"]().backward([-2, 3]) == [0.0, 1.0, -1, 1]


def test_starred_target(tmp_path):
    ns = loader.load(py(tmp_path, """
        FIRST, *REST = (2, 4, 1)
        class NeuralNetwork:
            def __init__(self, sizes=None):
                self.sizes = sizes or [FIRST, *REST]
        """)).namespace
    assert ns["NeuralNetwork"]().sizes == [2, 4, 1]


def test_with_statement_binds(tmp_path):
    ns = loader.load(py(tmp_path, """
        import contextlib, warnings
        with contextlib.nullcontext(0.5) as HALF:
            pass
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            LIMIT = 700.0
        class Sigmoid:
            def forward(self, x):
                return HALF * LIMIT
        """)).namespace
    assert ns["Sigmoid"]().forward(None) == 350.0


def test_walrus_binds(tmp_path):
    ns = loader.load(py(tmp_path, """
        (SCALE := 0.25)
        WIDTHS = [(last := w) for w in (2, 3)]
        class Layer:
            scale = SCALE
            def width(self):
                return last
        """)).namespace
    assert ns["Layer"].scale == 0.25 and ns["Layer"]().width() == 3


def test_dataclass_and_own_decorator_and_lru_cache_and_slots_and_property():
    loaded = loader.load(HERE / "loader_styles" / "decorated.py")
    ns = loaded.namespace
    assert loaded.notes == [] and loaded.missing_because == {}
    layer = ns["Layer"](3, 2, ns["ReLU"]())
    assert layer.shape == ns["Shape"](3, 2)  # @dataclass(frozen=True) class used by a graded class
    assert layer.n_parameters == 8  # property
    with pytest.raises(AttributeError):
        layer.unexpected = 1  # __slots__
    assert not hasattr(layer, "__dict__")
    assert ns["REGISTRY"] == {"ReLU": ns["ReLU"], "Sigmoid": ns["Sigmoid"]}  # the student's decorator ran
    assert ns["ReLU"].registered is True
    ns["ReLU"]().backward(np.ones(3))
    ns["ReLU"]().backward(np.ones(3))
    assert ns["slope"].cache_info().hits >= 1  # functools.lru_cache
    # a registered module: string annotations resolve, instances pickle
    assert typing.get_type_hints(ns["Shape"]) == {"inputs": int, "outputs": int}
    assert pickle.loads(pickle.dumps(ns["Shape"](1, 2))) == ns["Shape"](1, 2)


def test_helper_in_a_later_cell(tmp_path, side_effects):
    ns = loader.load(notebook(tmp_path, [
        "import numpy as np",
        """
        class Sigmoid:
            def forward(self, x):
                return squash(x)
        """,
        "open(__import__('os').environ['LOADER_SIDE_EFFECTS'], 'a').write('ran')",
        "def squash(z):\n    return 1 / (1 + np.exp(-z))",
    ])).namespace
    assert ns["Sigmoid"]().forward(np.zeros(1))[0] == 0.5
    assert not side_effects.exists()


def test_class_redefined_in_a_later_cell_wins(tmp_path):
    loaded = loader.load(notebook(tmp_path, [
        "class ReLU:\n    def forward(self, x):\n        return 'first'",
        "print('between')",
        "class ReLU:\n    def forward(self, x):\n        return helper()",
        "def helper():\n    return 'second'",
    ]))
    assert loaded.namespace["ReLU"]().forward(0) == "second"


def test_graded_class_changed_by_assignment_setattr_and_subscript(tmp_path):
    ns = loader.load(py(tmp_path, """
        class Layer:
            cache = {}
        def forward(self, x):
            return x + OFFSET
        OFFSET = 10
        Layer.forward = forward
        setattr(Layer, "backward", lambda self, g: g * 2)
        Layer.cache["ready"] = True
        """)).namespace
    layer = ns["Layer"]()
    assert layer.forward(1) == 11 and layer.backward(3) == 6 and ns["Layer"].cache == {"ready": True}


def test_singledispatch_registration_counts_as_changing_the_function(tmp_path):
    ns = loader.load(py(tmp_path, """
        import functools
        @functools.singledispatch
        def as_list(x):
            return [x]
        @as_list.register(tuple)
        def _(x):
            return list(x)
        class ReLU:
            def forward(self, x):
                return as_list(x)
        """)).namespace
    assert ns["ReLU"]().forward((1, 2)) == [1, 2]


# --- what must not run ----------------------------------------------------------------------

def test_training_loops_prints_and_experiments_do_not_run(tmp_path, side_effects, capsys):
    loaded = loader.load(py(tmp_path, """
        import os
        COUNTER = [0]
        def bump():
            COUNTER[0] += 1
            with open(os.environ["LOADER_SIDE_EFFECTS"], "a") as handle:
                handle.write("bumped\\n")
        class NeuralNetwork:
            instances = 0
            def __init__(self):
                NeuralNetwork.instances += 1
            def train(self):
                loss = 0.0            # a local: must not pull in the top-level `loss`
                for epoch in range(3):
                    loss += COUNTER[0]
                return loss
        net = NeuralNetwork()
        for epoch in range(5):
            bump()
        loss = net.train()
        losses = [bump() for _ in range(2)]
        print("training done")
        bump()
        """))
    ns = loaded.namespace
    assert ns["COUNTER"] == [0] and ns["NeuralNetwork"].instances == 0
    assert "net" not in ns and "loss" not in ns and "losses" not in ns and "bump" not in ns
    assert not side_effects.exists()
    assert capsys.readouterr().out == ""
    assert loaded.notes == []


def test_a_comprehension_variable_is_not_an_assignment(tmp_path):
    loaded = loader.load(py(tmp_path, """
        X = [1.0, 2.0]
        class NeuralNetwork:
            def sample(self):
                return X
        predictions = [network.forward(X) for X in batches]
        best = [(last := X) for X in batches]
        """))
    assert loaded.notes == [] and loaded.namespace["NeuralNetwork"]().sample() == [1.0, 2.0]


def test_a_loop_that_assigns_a_needed_name_runs_whole(tmp_path, side_effects):
    """The documented consequence of the rule: the loop is run because the class reads RATE."""
    ns = loader.load(py(tmp_path, """
        import os
        for RATE in (0.1, 0.01):
            open(os.environ["LOADER_SIDE_EFFECTS"], "a").write(f"{RATE}\\n")
        class NeuralNetwork:
            def rate(self):
                return RATE
        """)).namespace
    assert ns["NeuralNetwork"]().rate() == 0.01
    assert side_effects.read_text() == "0.1\n0.01\n"


def test_main_guard_does_not_run(side_effects):
    loaded = loader.load(HERE / "loader_styles" / "main_guard.py")
    assert loaded.namespace["__name__"] == "submission"
    assert "net" not in loaded.namespace and not side_effects.exists()
    assert loaded.notes == [] and loaded.missing_because == {}


def test_name_defined_only_under_main_guard_is_explained(tmp_path):
    loaded = loader.load(py(tmp_path, """
        class ReLU:
            def forward(self, x):
                return helper(x)
        if __name__ == "__main__":
            def helper(x):
                return x
        """))
    assert "helper" not in loaded.namespace
    assert 'only under `if __name__ == "__main__":` (sub.py, line 4)' in loaded.missing_because["helper"]
    with pytest.raises(NameError):
        loaded.namespace["ReLU"]().forward(1)


# --- decoding --------------------------------------------------------------------------------

SMALL = 'class ReLU:\n    TEXT = """a\nb"""\n    def forward(self, x):\n        return max(0, x) + OFFSET\nOFFSET = 1\n'


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_py(tmp_path, newline):
    path = tmp_path / "sub.py"
    path.write_bytes((SMALL + "x = 1 / 0\n" + "class Layer:\n    y = 1 / 0\n").replace("\n", newline).encode())
    loaded = loader.load(path)
    assert loaded.namespace["ReLU"]().forward(-3) == 1
    assert loaded.namespace["ReLU"].TEXT == "a\nb"  # as Python reads it: newlines become "\n"
    assert loaded.notes == ["sub.py, line 9: ZeroDivisionError: division by zero"]  # line numbers hold


def test_bom(tmp_path):
    path = tmp_path / "sub.py"
    path.write_bytes(b"\xef\xbb\xbf" + SMALL.encode())
    loaded = loader.load(path)
    assert loaded.notes == [] and loaded.namespace["ReLU"]().forward(2) == 3


def test_latin1_cookie(tmp_path):
    path = tmp_path / "sub.py"
    path.write_bytes('# -*- coding: latin-1 -*-\nNAME = "réseau"\nclass NeuralNetwork:\n'
                     '    def name(self):\n        return NAME\n'.encode("latin-1"))
    assert loader.load(path).namespace["NeuralNetwork"]().name() == "réseau"


def test_unknown_coding_cookie_is_a_submission_error(tmp_path):
    path = tmp_path / "sub.py"
    path.write_bytes(b"# -*- coding: klingon -*-\nx = 1\n")
    with pytest.raises(loader.SubmissionError, match="coding"):
        loader.code_units(path)


def test_notebook_cell_with_crlf(tmp_path):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": ["class ReLU:\r\n", "    def forward(self, x):\r\n", "        return max(0, x)\r\n"]}
    broken = "import math\rclass Layer:\r    def forward(self x):\r        pass\r"  # lone CRs, and an error
    loaded = loader.load(notebook(tmp_path, [cell, broken]))
    assert loaded.namespace["ReLU"]().forward(-1) == 0
    assert loaded.notes == ["code cell 2 (starting `import math`), line 3: SyntaxError: invalid syntax; "
                            "this cell was not run"]
    assert list(loaded.missing_because) == ["Layer"]


def test_tabs_for_indentation(tmp_path):
    path = tmp_path / "sub.py"
    path.write_text("class ReLU:\n\tdef forward(self, x):\n\t\tif x > 0:\n\t\t\treturn x\n\t\treturn 0\n")
    assert loader.load(path).namespace["ReLU"]().forward(-5) == 0


# --- syntax errors and failures --------------------------------------------------------------

def test_syntax_error_in_one_cell(tmp_path):
    test_cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "solution": False}},
                 "source": "check('ReLU')", "outputs": [], "execution_count": None}
    loaded = loader.load(notebook(tmp_path, [
        ("markdown", "# Title"),
        "import numpy as np",
        test_cell,
        "class ReLU:\n    def forward(self, x):\n        return np.maximum(0, x)",
        ("markdown", "## Layer"),
        "# my layer\nclass Layer:\n    def forward(self x):\n        return x\nclass Helper: pass\nRATE = 0.1",
        "class Sigmoid:\n    pass",
    ]))
    assert loaded.notes == ["code cell 4 (starting `# my layer`), line 3: SyntaxError: invalid syntax; "
                            "this cell was not run"]
    reason = ("code cell 4 (starting `# my layer`) has a SyntaxError at line 3 (invalid syntax), so nothing in it "
              "was run")
    assert loaded.missing_because == {"Layer": reason, "Helper": reason, "RATE": reason}
    assert {"ReLU", "Sigmoid"} <= loaded.namespace.keys() and "Layer" not in loaded.namespace


def test_compile_time_error_rejects_the_whole_cell(tmp_path):
    loaded = loader.load(notebook(tmp_path, ["class ReLU:\n    pass\nreturn 1", "class Sigmoid:\n    pass"]))
    assert "ReLU" not in loaded.namespace and "Sigmoid" in loaded.namespace
    assert loaded.notes == ["code cell 1 (starting `class ReLU:`), line 3: SyntaxError: "
                            "'return' outside function; this cell was not run"]


def test_statement_raising_at_load_time_is_noted_and_explained(tmp_path):
    loaded = loader.load(py(tmp_path, """
        def make_scale():
            return 1 / 0
        SCALE = make_scale()
        class Layer:
            def __init__(self):
                self.scale = SCALE
        """))
    assert loaded.notes == ["sub.py, line 2: ZeroDivisionError: division by zero"]  # where it failed
    assert loaded.missing_because == {"SCALE": "sub.py, line 2 failed: ZeroDivisionError: division by zero"}
    with pytest.raises(NameError, match="SCALE"):
        loaded.namespace["Layer"]()


def test_failure_explains_its_dependents(tmp_path):
    loaded = loader.load(notebook(tmp_path, [
        "try: import numpy_not_installed as np\nexcept ImportError: raise",
        "class Base:\n    scale = np.float64(1)",
        "class ReLU(Base):\n    pass",
    ]))
    first = loaded.missing_because["np"]
    assert first == ("code cell 1 (starting `try: import numpy_not_installed as np`), line 1 failed: "
                     "ModuleNotFoundError: No module named 'numpy_not_installed'")
    assert loaded.missing_because["Base"].endswith(f"NameError: name 'np' is not defined (`np` is missing because {first})")
    assert "`Base` is missing because code cell 2" in loaded.missing_because["ReLU"]
    assert len(loaded.notes) == 3


# --- __future__ ----------------------------------------------------------------------------------

def test_future_annotations_in_the_submission(tmp_path):
    loaded = loader.load(py(tmp_path, """
        from __future__ import annotations
        class Layer:
            size: NotDefinedAnywhere = 3
            def forward(self, x: AlsoUndefined) -> Layer:
                return self
        """))
    assert loaded.notes == []
    assert loaded.namespace["Layer"].__annotations__ == {"size": "NotDefinedAnywhere"}


def test_future_import_in_a_notebook_holds_for_later_cells(tmp_path):
    loaded = loader.load(notebook(tmp_path, ["from __future__ import annotations", "class Layer:\n    x: Undefined = 1"]))
    assert loaded.notes == [] and loaded.namespace["Layer"].__annotations__ == {"x": "Undefined"}


def test_late_future_import_is_a_syntax_error(tmp_path):
    loaded = loader.load(py(tmp_path, "class ReLU:\n    pass\nfrom __future__ import annotations\n"))
    assert "ReLU" not in loaded.namespace
    assert loaded.notes[0].startswith("sub.py, line 3: SyntaxError: from __future__ imports must occur")


def test_loader_future_flag_does_not_leak(tmp_path):
    assert loader.annotations.compiler_flag  # the loader itself uses `from __future__ import annotations`
    loaded = loader.load(py(tmp_path, """
        class Layer:
            x: int = 1
        class ReLU:
            y: undefined_name = 1
        """))
    assert loaded.namespace["Layer"].__annotations__ == {"x": int}  # evaluated, not the string "int"
    assert loaded.notes == ["sub.py, line 4: NameError: name 'undefined_name' is not defined"]
    assert "ReLU" not in loaded.namespace


# --- module semantics --------------------------------------------------------------------------

def test_code_runs_as_a_registered_module(tmp_path):
    path = py(tmp_path, """
        import functools, typing
        from dataclasses import dataclass, field
        class Activation:
            kinds = {}
            def __init_subclass__(cls, **kwargs):
                super().__init_subclass__(**kwargs)
                Activation.kinds[cls.__name__] = cls
        @dataclass
        class ReLU(Activation):
            slope: float = 0.0
            history: list = field(default_factory=list)
        class Layer:
            def __init__(self, n: "int") -> None:
                self.n = n
        """)
    loaded = loader.load(path, namespace_name="student_module")
    ns = loaded.namespace
    assert sys.modules["student_module"].__dict__ is ns and ns["__name__"] == "student_module"
    assert ns["__file__"] == str(path) and ns["__builtins__"]["len"] is len
    assert ns["Activation"].kinds == {"ReLU": ns["ReLU"]}
    assert pickle.loads(pickle.dumps(ns["ReLU"](0.1))) == ns["ReLU"](0.1)
    assert typing.get_type_hints(ns["Layer"].__init__) == {"n": int, "return": type(None)}


def test_namespace_name_of_a_real_module_is_refused(tmp_path):
    with pytest.raises(ValueError):
        loader.load(py(tmp_path, "x = 1"), namespace_name="json")


# --- notebooks, magics, errors ---------------------------------------------------------------

def test_ipython_magics(tmp_path):
    loaded = loader.load(notebook(tmp_path, [
        "%matplotlib inline\nimport numpy as np\n!pip install something",
        "%%time\nclass ReLU:\n    def forward(self, x):\n        return np.maximum(0, x)",
        "%load_ext autoreload\nclass Layer:\n    def forward(self x):\n        pass",
    ]))
    assert loaded.namespace["ReLU"]().forward(-1) == 0
    assert loaded.notes[0].startswith("code cell 3 (starting `%load_ext autoreload`), line 3: SyntaxError")


def test_test_cells_are_skipped(tmp_path):
    graded = {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "solution": False}},
              "source": "class ReLU:\n    kind = 'test cell'", "outputs": [], "execution_count": None}
    answer = dict(graded, metadata={"nbgrader": {"grade": True, "solution": True}},
                  source="class Sigmoid:\n    kind = 'answer'")
    ns = loader.load(notebook(tmp_path, ["class ReLU:\n    kind = 'student'", graded, answer])).namespace
    assert ns["ReLU"].kind == "student" and ns["Sigmoid"].kind == "answer"


@pytest.mark.parametrize("content, suffix, match", [
    (None, ".py", "no such file"),
    ("x = 1", ".txt", "not a notebook"),
    ("{broken", ".ipynb", "broken JSON"),
    (json.dumps({"nbformat": 3, "worksheets": []}), ".ipynb", "format 3 is too old"),
    (json.dumps({"nbformat": 4}), ".ipynb", "no cells"),
])
def test_unreadable_input(tmp_path, content, suffix, match):
    path = tmp_path / f"sub{suffix}"
    if content is not None:
        path.write_text(content)
    with pytest.raises(loader.SubmissionError, match=match):
        loader.load(path)


def test_size_limit(tmp_path):
    path = tmp_path / "big.py"
    with open(path, "wb") as handle:
        handle.truncate(loader.MAX_SOURCE_BYTES + 1)  # sparse: nothing is read or parsed
    with pytest.raises(loader.SubmissionError, match="larger than 20 MB"):
        loader.code_units(path)
    with pytest.raises(loader.SubmissionError, match="more than 20 MB"):
        loader.prepare(path, [loader.CodeUnit("big.py", "#" * (loader.MAX_SOURCE_BYTES + 1))])


def test_api_as_the_worker_uses_it(tmp_path):
    path = py(tmp_path, "import math\nclass ReLU:\n    pi = math.pi\nprint('x')\n")
    units = [loader.CodeUnit(u.label, u.source) for u in loader.code_units(path)]  # as sent to the worker
    prepared = loader.prepare(path, units)
    assert [d.label for d in prepared.definitions] == ["sub.py, line 1", "sub.py, line 2"]
    assert prepared.skipped == ["sub.py, line 4"] and "<sub.py>" in prepared.sources
    loaded = loader.execute(prepared)
    assert isinstance(loaded.namespace, dict) and loaded.notes == [] and loaded.path == path


@pytest.mark.parametrize("path", [Path("/work/main/solutions/nn_from_scratch/nn_from_scratch.ipynb"),
                                  Path("/work/main/examples/submissions/dev.py")], ids=lambda p: p.name)
def test_course_files_load_cleanly(path):
    if not path.is_file():
        pytest.skip(f"{path} moved")
    loaded = loader.load(path, namespace_name="reference_check")
    assert loaded.notes == [] and {"ReLU", "Sigmoid", "Layer", "NeuralNetwork"} <= loaded.namespace.keys()
    assert "network" not in loaded.namespace and "losses" not in loaded.namespace


# --- property: loading gives what plain `python file.py` gives ------------------------------

def _variants(style: Path, folder: Path) -> list[Path]:
    """The style file as is, and re-encoded: CRLF, lone CR, BOM, latin-1 cookie, tabs."""
    text = style.read_text()
    tabbed = "\n".join("\t" * ((len(l) - len(l.lstrip(" "))) // 4) + l.lstrip(" ") for l in text.split("\n"))
    forms = {"plain": text.encode(), "crlf": text.replace("\n", "\r\n").encode(),
             "cr": text.replace("\n", "\r").encode(), "bom": b"\xef\xbb\xbf" + text.encode(),
             "latin1": ("# -*- coding: latin-1 -*-\n# réseau de neurones\n" + text).encode("latin-1"),
             "tabs": tabbed.encode()}
    paths = []
    for form, data in forms.items():
        paths.append(folder / f"{style.stem}_{form}.py")
        paths[-1].write_bytes(data)
    return paths


@pytest.fixture(scope="module")
def plain_python(tmp_path_factory):
    """All variants run with plain Python in one child process (it starts numpy once)."""
    folder = tmp_path_factory.mktemp("variants")
    logs = tmp_path_factory.mktemp("logs")
    paths = [p for style in STYLES for p in _variants(style, folder)]
    run = subprocess.run([sys.executable, str(HERE / "loader_observe.py"), str(logs), *map(str, paths)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1]), paths, logs


@pytest.mark.parametrize("index", range(len(STYLES) * 6))
def test_same_values_as_plain_python(plain_python, index, tmp_path, monkeypatch):
    expected, paths, logs = plain_python
    path = paths[index]
    monkeypatch.setenv("LOADER_SIDE_EFFECTS", str(tmp_path / "loader.log"))
    loaded = loader.load(path)
    assert loaded.notes == [] and loaded.missing_because == {}
    assert observe(loaded.namespace) == expected[str(path)]
    assert not (tmp_path / "loader.log").exists()
    if not path.stem.startswith("decorated"):  # the others have experiments that write when run
        assert (logs / f"{path.name}.log").exists(), "plain Python should have run the experiment code"


# --- what the grader adds to the rule -------------------------------------------------------

def test_imports_of_the_grader_itself_are_left_out_without_a_note(tmp_path):
    loaded = loader.load(notebook(tmp_path, [
        "import numpy as np\nfrom autograder.notebook import show_xor_training\nimport autograder.nope as nope",
        "class ReLU:\n    def forward(self, x):\n        return np.maximum(0, x)",
    ]))
    assert loaded.notes == [] and "show_xor_training" not in loaded.namespace and "ReLU" in loaded.namespace


def test_a_code_cell_carrying_a_copy_of_a_test_cells_metadata_is_student_code(tmp_path):
    # nbgrader's DeduplicateIds keeps the last cell with a grade_id as the test; earlier copies are plain code.
    test_meta = {"nbgrader": {"grade": True, "grade_id": "relu_forward_public_values", "locked": True,
                              "points": 2, "schema_version": 3, "solution": False}}
    student = {"cell_type": "code", "metadata": test_meta, "outputs": [], "execution_count": None,
               "source": "import numpy as np\nclass ReLU:\n    def forward(self, x):\n        return np.maximum(0, x)"}
    test = {"cell_type": "code", "metadata": test_meta, "outputs": [], "execution_count": None,
            "source": "raise AssertionError('the test cell itself must not run')"}
    loaded = loader.load(notebook(tmp_path, [student, test]))
    assert "ReLU" in loaded.namespace and loaded.notes == []
    only_copy = loader.load(notebook(tmp_path, [test, student], name="last.ipynb"))
    assert "ReLU" not in only_copy.namespace  # the last copy is the test cell, as in nbgrader


def test_imports_run_when_needed_code_can_reach_what_they_import(tmp_path):
    path = py(tmp_path, "\n".join([
        "import numpy as np",
        "import numpy.linalg",  # a submodule of a package the class uses: it may be what np.linalg needs
        "import matplotlib.pyplot as plt",  # only the experiments plot
        "import package_not_installed_here",  # an experiment's dependency: skipped, so no note
        "from math import *",  # may bind anything the class reads
        "class ReLU:",
        "    def forward(self, x):",
        "        return np.maximum(0, x) * floor(1.5)",
        "plt.plot([1, 2])",
    ]))
    prepared = loader.prepare(path)
    assert [d.label for d in prepared.definitions] == [f"sub.py, line {n}" for n in (1, 2, 5, 6)]
    loaded = loader.execute(prepared)
    assert loaded.notes == [] and loaded.namespace["ReLU"]().forward(np.array([-1.0, 2.0])).tolist() == [0, 2]
