"""The generated project's wheel, built the way its bundle artifact says and installed in a folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def build_wheel(project: Path) -> Path:
    """Run the `python_artifact` build command of databricks.yml (`uv build --wheel`) with the
    tools of this venv; the wheel it leaves in dist/."""
    bundle = yaml.safe_load((project / "databricks.yml").read_text())
    build = bundle["artifacts"]["python_artifact"]["build"].split()
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / build[0]), *build[1:]], cwd=project, check=True, capture_output=True)
    return next((project / "dist").glob("*.whl"))


def install_wheel(wheel: Path, site: Path) -> Path:
    """Install `wheel` (without dependencies) into the folder `site`, for PYTHONPATH."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    return site
