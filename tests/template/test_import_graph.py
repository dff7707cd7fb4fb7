"""The helper package has no import loops, and each module imports on its own (no order matters)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.support.import_graph import cycles, graph, modules

PROJECT = Path(__file__).resolve().parents[2] / "template" / "{{.project_name}}"
SOURCE = PROJECT / "src"

IMPORT_EACH_ALONE = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "medallion" or m.startswith("medallion.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""


RESOLVE_NAMES = """
import importlib, json, sys
failed = []
for module, name, where in json.loads(sys.argv[1]):
    try:
        loaded = importlib.import_module(module)
        if name and not hasattr(loaded, name):
            importlib.import_module(f"{module}.{name}")
    except Exception as error:
        failed.append(f"{where}: {module} {name or ''}: {type(error).__name__}: {error}")
print("\\n".join(failed))
"""


def helper_imports(folder: Path) -> list[tuple[str, str, str]]:
    """(module, name or "", file:line) of every `medallion` import in the Python files under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(PROJECT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                found += [(a.name, "", where) for a in node.names if a.name.split(".")[0] == "medallion"]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "medallion":
                found += [(node.module or "", a.name, where) for a in node.names]
    return found


def test_the_projects_tests_import_what_the_helpers_have() -> None:
    """The generated tests and nutter notebooks import helpers by path; after a move, a stale
    `from medallion.x import y` would only fail in a user's project or a workspace run."""
    imports = helper_imports(PROJECT / "tests")
    assert any(module == "medallion" and name == "data_tests" for module, name, _ in imports)
    done = subprocess.run(
        [sys.executable, "-c", RESOLVE_NAMES, json.dumps(imports)],
        cwd=SOURCE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr[-3000:]


def test_no_import_loops() -> None:
    loops = cycles(graph(SOURCE))
    assert not loops, "\n".join(" -> ".join(c) for c in loops)


def test_the_graph_sees_a_loop_when_there_is_one(tmp_path: Path) -> None:
    package = tmp_path / "medallion"
    (package / "spec").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "naming.py").write_text("from medallion.spec.model import Spec\n")
    (package / "spec" / "__init__.py").write_text("from medallion.spec.load import load_spec\n")
    (package / "spec" / "model.py").write_text("Spec = object\n")
    (package / "spec" / "load.py").write_text("from medallion import naming\n")
    assert cycles(graph(tmp_path)) == [["medallion.naming", "medallion.spec", "medallion.spec.load"]]


def test_every_module_imports_on_its_own() -> None:
    names = sorted(n for n in modules(SOURCE) if not n.endswith("__main__"))  # __main__ runs the CLI
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_ALONE, *names],
        cwd=SOURCE,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr[-3000:]


def test_imports_inside_functions_count_only_when_lazy(tmp_path: Path) -> None:
    """The wheel's closure (test_wheel_contents) needs the imports a module makes later: the
    CLI's commands, a PEP 562 `__getattr__`; loops are about import time only."""
    package = tmp_path / "medallion"
    (package / "spec").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("def main():\n    from medallion import tool\n")
    (package / "tool.py").write_text("")
    (package / "spec" / "__init__.py").write_text(
        "def __getattr__(name):\n    from medallion.spec import load\n\n    return getattr(load, name)\n"
    )
    (package / "spec" / "load.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from medallion import cli\n"
    )
    assert graph(tmp_path)["medallion.cli"] == set()
    lazy = graph(tmp_path, lazy=True)
    assert lazy["medallion.cli"] == {"medallion.tool"}
    assert lazy["medallion.spec"] == {"medallion.spec.load"}
    assert lazy["medallion.spec.load"] == set()  # TYPE_CHECKING never runs


LOCAL_COMMANDS = ("run_local", "dev", "server", "validate", "infer")


def test_the_local_commands_start_without_the_databricks_sdk() -> None:
    """Importing databricks.sdk took 1.3 of the 1.8 s before `run-local` did anything; the
    local loop (run-local, dev, server, validate, infer) never talks to a workspace."""
    probe = (
        "import importlib, sys\n"
        f"for name in {LOCAL_COMMANDS!r}:\n"
        "    importlib.import_module(f'medallion.tooling.commands.{name}')\n"
        "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('databricks.')}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=SOURCE, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]", f"the local commands import databricks.{done.stdout.strip()}"
