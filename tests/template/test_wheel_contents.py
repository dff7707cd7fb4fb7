"""The serverless wheel carries exactly what runs from it.

What runs from the wheel on Databricks: the console entry point (`medallion.cli`, and
`python -m medallion`), the commands the job's wheel tasks name, and the pipeline's
transformation files. The wheel's `medallion` modules must equal the import closure of those,
counting imports inside functions (the CLI loads its commands, `medallion.spec` its loader, on
first use), with their parent packages and the one data file the closure reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.rendering import DEFAULT_ANSWERS, render_project
from tests.support.import_graph import closure, graph, imports_of, modules
from tests.support.toml import tomllib
from tests.support.wheel import build_wheel

# Package data the closure reads: the spec's JSON Schema (medallion.spec.load, SCHEMA_PATH).
DATA = {"medallion/spec/medallion.schema.json"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project(DEFAULT_ANSWERS, tmp_path_factory.mktemp("wheel_render"))


@pytest.fixture(scope="module")
def wheel_files(project: Path) -> set[str]:
    """Every file of the built wheel inside the `medallion` package."""
    with zipfile.ZipFile(build_wheel(project)) as wheel:
        return {name for name in wheel.namelist() if name.startswith("medallion/")}


def task_commands(project: Path) -> set[str]:
    """The first parameter (the command) of every `medallion` wheel task, in every target."""
    found = set()
    for path in sorted((project / "resources").glob("*.job.yml")):
        document = yaml.safe_load(path.read_text())
        scopes = [document, *(document.get("targets") or {}).values()]
        for scope in scopes:
            for job in ((scope.get("resources") or {}).get("jobs") or {}).values():
                for task in job.get("tasks") or []:
                    wheel_task = task.get("python_wheel_task")
                    if wheel_task and wheel_task["entry_point"] == "medallion":
                        found.add(wheel_task["parameters"][0])
    return found


def command_modules(project: Path) -> dict[str, str]:
    """`medallion.cli.COMMANDS` of the rendered project: command -> module."""
    script = "import json; from medallion.cli import COMMANDS; print(json.dumps(COMMANDS))"
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return {name: module for name, (module, _) in json.loads(done.stdout).items()}


def entry_points(project: Path) -> set[str]:
    """The console script's module, `python -m medallion`, and the job tasks' command modules."""
    scripts = tomllib.loads((project / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"medallion": "medallion.cli:console_main"}, scripts
    commands = task_commands(project)
    # the default render's job creates the landing folders and judges the run; its dev job loads the sample
    assert commands == {"landing-folders", "monitor", "sample-data"}, commands
    by_name = command_modules(project)
    return {"medallion.cli", "medallion.__main__", *(by_name[c] for c in commands)}


def pipeline_imports(project: Path, known: dict[str, Path]) -> set[str]:
    """The helper modules the pipeline's transformation files import."""
    files = sorted((project / "src" / project.name / "transformations").glob("*.py"))
    assert files, "no transformation files"
    return set().union(*(imports_of(f"{project.name}.{f.stem}", f, known, lazy=True) for f in files))


def expected_files(project: Path) -> set[str]:
    source = project / "src"
    known = modules(source)
    reached = closure(graph(source, lazy=True), entry_points(project) | pipeline_imports(project, known))
    parents = {".".join(name.split(".")[:i]) for name in reached for i in range(1, name.count(".") + 1)}
    return {known[name].relative_to(source).as_posix() for name in reached | parents} | DATA


def test_wheel_holds_the_import_closure_of_what_runs_from_it(project: Path, wheel_files: set[str]) -> None:
    expected = expected_files(project)
    extra, missing = sorted(wheel_files - expected), sorted(expected - wheel_files)
    assert not extra and not missing, (
        f"in the wheel, never imported: {extra}\nimported, not in the wheel: {missing}"
    )


def test_the_closure_counts_lazy_imports_and_leaves_tooling_out(project: Path) -> None:
    """The closure is not vacuous: commands loaded by name and the spec loader (PEP 562) are in;
    the local tools and the data tests' helpers (used from synced files) are out."""
    expected = expected_files(project)
    assert {
        "medallion/commands/monitor.py",
        "medallion/commands/sample_data.py",
        "medallion/spec/load.py",
        "medallion/silver.py",
        "medallion/gold/__init__.py",
    } <= expected
    assert not any(path.startswith("medallion/tooling/") for path in expected)
    assert "medallion/data_tests.py" not in expected


def test_every_runtime_data_file_is_accounted_for(project: Path) -> None:
    """A data file added next to the runtime modules must be listed in DATA (or excluded)."""
    package = project / "src" / "medallion"
    data = {
        path.relative_to(project / "src").as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix != ".py" and "tooling" not in path.relative_to(package).parts
    }
    assert data - DATA == {"medallion/template_files.json"}, data  # the helpers' manifest: for upgrade
