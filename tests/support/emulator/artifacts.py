"""Build a bundle's artifacts the way `databricks bundle deploy` does, once per test session.

databricks/cli `bundle/artifacts/prepare.go`: an artifact's `path` defaults to the bundle root and
is relative to the file that defines it; a `whl` artifact without `files` gets
`<path>/dist/*.whl`. `bundle/artifacts/build.go`: the `build` command runs in a shell in `path`,
then the `files` globs are expanded (so files made by the build are found).

Serverless task environments install `environments[].spec.dependencies` (local wheels and
registry requirements) into a fresh Python environment; we do the same with `uv` (the registry
the machine is configured with) and cache one environment per set of dependencies.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_BUILT: dict[tuple[str, str, str], list[Path]] = {}
_ENVS: dict[str, Path] = {}
_LOCK = threading.Lock()
CACHE = Path(tempfile.gettempdir()) / f"medallion-emulator-{os.getuid()}"


class BuildError(RuntimeError):
    """An artifact's build command failed (the CLI stops the deploy)."""


@dataclass(frozen=True)
class Artifact:
    name: str
    type: str | None
    path: Path
    build: str | None
    files: tuple[str, ...]


def artifact_of(name: str, body: dict[str, Any], bundle_root: Path) -> Artifact:
    """prepare.go: path defaults to the bundle root; relative paths are joined to the defining
    file's folder (databricks.yml at the bundle root here); whl without files -> dist/*.whl."""
    path = Path(str(body.get("path") or bundle_root))
    path = path if path.is_absolute() else bundle_root / path
    files = tuple(str(f["source"]) for f in body.get("files") or [])
    if body.get("type") == "whl" and not files:
        files = (str(path / "dist" / "*.whl"),)
    files = tuple(f if Path(f).is_absolute() else str(bundle_root / f) for f in files)
    return Artifact(name, body.get("type"), path.resolve(), body.get("build"), files)


def _tool_path() -> str:
    """PATH with this interpreter's bin folder first (the test venv has `uv`)."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def build_artifacts(
    bundle_root: Path, artifacts: dict[str, Any], fresh: bool = False
) -> dict[str, list[Path]]:
    """Build every artifact (sorted by name, as build.go) and return the files each produced.
    Cached per (bundle root, name, command) for the test session unless `fresh`."""
    built: dict[str, list[Path]] = {}
    for name in sorted(artifacts or {}):
        artifact = artifact_of(name, artifacts[name] or {}, bundle_root)
        key = (str(bundle_root.resolve()), name, artifact.build or "")
        with _LOCK:
            if fresh or key not in _BUILT:
                if artifact.build:
                    done = subprocess.run(
                        artifact.build,
                        shell=True,  # build.go: exec.NewCommandExecutor runs it in the user's shell
                        cwd=artifact.path,
                        env={**os.environ, "PATH": _tool_path()},
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if done.returncode != 0:
                        raise BuildError(
                            f"build failed {name}, error: {done.stderr.strip() or done.stdout.strip()}"
                        )
                found = sorted({Path(p) for pattern in artifact.files for p in _glob(pattern)})
                if not found:
                    raise BuildError(f"artifact {name}: no files match {list(artifact.files)}")
                _BUILT[key] = found
            built[name] = list(_BUILT[key])
    return built


def _glob(pattern: str) -> list[str]:
    path = Path(pattern)
    return (
        [str(p) for p in path.parent.glob(path.name)]
        if "*" in path.name
        else ([pattern] if path.exists() else [])
    )


def environment(dependencies: list[str], local_files: list[Path], by_version: bool = False) -> Path:
    """A clean virtual environment with `local_files` (wheels) and registry `dependencies`
    installed; its interpreter. One per distinct set of inputs for the session; `by_version`:
    wheels count by file name (name and version) only, as an installed version is kept."""
    digest = hashlib.sha256()
    for item in sorted(dependencies):
        digest.update(item.encode() + b"\0")
    for file in sorted(local_files):
        digest.update(file.name.encode() + b"\0" + (b"" if by_version else file.read_bytes()))
    key = digest.hexdigest()[:16]
    with _LOCK:
        if key in _ENVS and _ENVS[key].exists():
            return _ENVS[key]
        venv = CACHE / "envs" / key
        python = venv / "bin" / "python"
        if not (venv / ".installed").exists():
            shutil.rmtree(venv, ignore_errors=True)
            uv = shutil.which("uv", path=_tool_path()) or "uv"
            subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
            subprocess.run(
                [uv, "pip", "install", "-q", "--python", str(python), *map(str, local_files), *dependencies],
                check=True,
                capture_output=True,
                text=True,
            )
            (venv / ".installed").write_text("\n".join([*map(str, local_files), *dependencies]) + "\n")
        _ENVS[key] = python
        return python
