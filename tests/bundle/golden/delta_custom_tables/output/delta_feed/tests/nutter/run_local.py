"""Run the nutter data-test notebooks locally, against the tables of the last `medallion run-local`.

    python tests/nutter/run_local.py [--venv DIR] [--schema NAME] [--remote sc://HOST:PORT]
                                     [--only test_silver ...]

nutter 0.1.35 installs top-level packages named `tests`, `common`, `runtime` and `cli`, which
would shadow this project's own: it therefore lives in its own venv (default
`.medallion/nutter-venv`, created on first use). This script re-runs itself there, adds this
interpreter's packages (pyspark, PyYAML...) after nutter's, opens the local metastore, and
executes each notebook with `spark` and a small `dbutils` stand-in. Exit 1 when a test fails.
After `medallion run-local --remote URL`, pass the same URL: the tables are read there, in the
database that run used (`--database`, by default the project's name; give it as --schema).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import sysconfig
import traceback
from pathlib import Path
from types import SimpleNamespace

NUTTER = "nutter==0.1.35"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = ("test_bronze", "test_silver", "test_gold")
CHILD = "MEDALLION_NUTTER_HOST_SITE"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=ROOT / ".medallion" / "nutter-venv")
    parser.add_argument("--schema", help="schema to test (default: the local runner's)")
    parser.add_argument("--remote", help="Spark Connect server to read from (as run-local --remote)")
    parser.add_argument("--only", nargs="*", choices=NOTEBOOKS, help="run only these notebooks")
    return parser.parse_args(argv)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(venv: Path) -> Path:
    """Create the nutter venv once; return its interpreter."""
    python = venv_python(venv)
    marker = venv / ".nutter-installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", NUTTER], check=True)
        marker.write_text(NUTTER + "\n")
    return python


class Widgets:
    """dbutils.widgets: text() declares a default, get() returns the given value or it."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = dict(values)

    def text(self, name: str, default: str, label: str | None = None) -> None:
        self.values.setdefault(name, default)

    def get(self, name: str) -> str:
        return self.values[name]


def run_notebook(path: Path, spark: object, params: dict[str, str]) -> bool:
    """Execute one notebook's source; False when it raises (its nutter report is printed)."""
    print(f"== {path.name}", flush=True)
    namespace = {"__name__": "__main__", "spark": spark, "dbutils": SimpleNamespace(widgets=Widgets(params))}
    try:
        exec(compile(path.read_text(), str(path), "exec"), namespace)
    except Exception:
        traceback.print_exc()
        return False
    return True


def run_child(args: argparse.Namespace) -> int:
    """Inside the nutter venv: add the project's packages after nutter's, then run the notebooks."""
    import site

    site.addsitedir(os.environ[CHILD])
    sys.path.insert(0, str(ROOT / "src"))
    from medallion.tooling.local.tables import TablesError, last_run_tables

    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)  # expected misses
    try:
        with last_run_tables(ROOT, args.remote, args.schema) as tables:
            params = {"catalog": tables.catalog, "schema": tables.schema, "bundle_root": str(ROOT)}
            names = args.only or NOTEBOOKS
            results = {name: run_notebook(HERE / f"{name}.py", tables.spark, params) for name in names}
    except TablesError as error:
        print(error, file=sys.stderr)
        return 2
    for name, passed in results.items():
        print(f"{name}: {'PASSED' if passed else 'FAILED'}")
    return 0 if all(results.values()) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if CHILD in os.environ:
        return run_child(args)
    python = ensure_venv(args.venv)
    env = {**os.environ, CHILD: sysconfig.get_paths()["purelib"]}
    env.pop("PYTHONPATH", None)  # a project `tests` package on the path would shadow nutter's
    return subprocess.run([str(python), str(Path(__file__).resolve()), *sys.argv[1:]], env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
