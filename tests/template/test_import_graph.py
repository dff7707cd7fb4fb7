"""The helper package has no import loops, and each module imports on its own (no order matters)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.import_graph import cycles, graph, modules

SOURCE = Path(__file__).resolve().parents[2] / "template" / "{{.project_name}}" / "src"

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
