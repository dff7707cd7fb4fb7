"""Render the template into a folder, the way `databricks bundle init` does.

`render` and `render_project` use the real `databricks` CLI when one with `bundle init` (and
the template's minimum version) is on PATH, else the offline Go renderer `scripts/bundle-init`
(built on first use). Renders run with OFFLINE_ENV, so helpers such as `user_name` answer
without a workspace. Also here: `files_of` (a tree's file list) and `python_with_project` (an
environment that imports a rendered project's packages).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RENDERER = REPO / "scripts" / "bundle-init"
TEMPLATE_SRC = REPO / "template" / "{{.project_name}}" / "src"
"""The helpers as the template ships them (tests/conftest.py puts them on sys.path)."""

DEFAULT_ANSWERS: dict[str, str] = {}
"""An empty answer file: every prompt takes its default."""

OFFLINE_ENV = {
    "DATABRICKS_HOST": "https://workspace.example.invalid",
    "DATABRICKS_USER_NAME": "data.engineer@example.com",
}


@dataclass(frozen=True)
class RenderResult:
    """What one render produced."""

    returncode: int
    stdout: str
    stderr: str
    output_dir: Path
    project: Path | None


MIN_CLI_VERSION = (0, 281, 0)


def real_cli() -> str | None:
    """Path of a real Databricks CLI with `bundle init` and at least the template's minimum
    version; None when absent (the legacy PyPI `databricks-cli` has no bundles and is ignored)."""
    path = shutil.which("databricks")
    if path is None:
        return None
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"v?(\d+)\.(\d+)\.(\d+)", version)
    if not match or tuple(map(int, match.groups())) < MIN_CLI_VERSION:
        return None
    probe = subprocess.run([path, "bundle", "init", "--help"], capture_output=True, text=True, check=False)
    return path if probe.returncode == 0 and "--config-file" in probe.stdout else None


def default_renderer() -> list[str]:
    """The real CLI's `bundle init` when available, else the offline renderer."""
    cli = real_cli()
    return [cli, "bundle", "init"] if cli else [str(RENDERER)]


def render(
    answers: dict[str, str], output_dir: Path, renderer: list[str] | None = None, template: Path = REPO
) -> RenderResult:
    """Render `template` (ours by default) with `answers` (a --config-file) into `output_dir`;
    never raises on refusal."""
    output_dir.mkdir(parents=True, exist_ok=True)
    config = output_dir.parent / f"{output_dir.name}.answers.json"
    config.write_text(json.dumps(answers))
    command = [
        *(renderer or default_renderer()),
        str(template),
        "--config-file",
        str(config),
        "--output-dir",
        str(output_dir),
    ]
    env = {**os.environ, **OFFLINE_ENV}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    project_name = answers.get("project_name", "medallion_pipeline")
    project = output_dir / project_name
    return RenderResult(
        completed.returncode,
        completed.stdout,
        completed.stderr,
        output_dir,
        project if project.is_dir() else None,
    )


def render_project(answers: dict[str, str], output_dir: Path, template: Path = REPO) -> Path:
    """Render and return the project folder; fail loudly with the renderer's output."""
    result = render(answers, output_dir, template=template)
    if result.returncode != 0 or result.project is None:
        raise AssertionError(f"render failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.project


def files_of(folder: Path) -> list[str]:
    """Relative paths of every file under `folder`, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def python_with_project(project: Path) -> dict[str, str]:
    """Environment that imports the rendered project's packages with this interpreter."""
    path = os.pathsep.join([str(project / "src"), os.environ.get("PYTHONPATH", "")])
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PYTHONPATH": path, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
