"""The deployed target as tasks see it: who runs them, and where `/Workspace/...` and
`/Volumes/...` paths land on this machine.

On Databricks the bundle's files are synced to `workspace.file_path` (databricks/cli
`bundle/deploy/files`) and Unity Catalog volumes are mounted at
`/Volumes/<catalog>/<schema>/<volume>/...` (docs: "What are Unity Catalog volumes?"). Locally
the synced files are the project folder itself, and each volume the bundle creates
(`resources.volumes`) is a folder under the emulator's state. A volume the bundle does not
create does not exist: its path maps under a plain file, so any read or write fails.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VOLUME_PATH = re.compile(r"^/Volumes/(?P<catalog>[^/]+)/(?P<schema>[^/]+)/(?P<volume>[^/]+)(?P<rest>/.*)?$")


class VolumeMissing(FileNotFoundError):
    """A `/Volumes/...` path of a volume nobody created."""


def created_volumes(bundle: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(catalog, schema, name) of every `resources.volumes` entry of the resolved bundle."""
    volumes = (bundle.get("resources") or {}).get("volumes") or {}
    return {
        (str(v.get("catalog_name")), str(v.get("schema_name")), str(v.get("name")))
        for v in volumes.values()
        if v
    }


def identity_of(resource: dict[str, Any] | None, deployer: str) -> str:
    """The identity a job or pipeline runs as: its `run_as` (the CLI copies the bundle's run_as to
    every job and pipeline: bundle/config/mutator/resourcemutator/run_as.go), else the deployer
    (a resource without run_as runs as its owner, who deployed it)."""
    run_as = (resource or {}).get("run_as") or {}
    return str(run_as.get("service_principal_name") or run_as.get("user_name") or deployer)


@dataclass
class Target:
    """One deployed target of a project, as the emulated workspace holds it."""

    project: Path
    bundle: dict[str, Any] = field(repr=False)
    state: Path
    deployer: str = "data.engineer@example.com"
    host: str | None = None
    token: str | None = None
    # The token a task running as an identity authenticates with (the emulator's; None: `token`).
    token_for: Callable[[str], str] | None = field(default=None, repr=False)
    extra_volumes: set[tuple[str, str, str]] = field(default_factory=set)
    resource_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    # The Spark Connect server that runs pipeline updates and data tests (the test session's
    # shared one, warm): set by the emulator before a job runs.
    spark_remote: str | None = None

    @property
    def local_database(self) -> str:
        """The database on that server that stands for the pipeline's Unity Catalog schema: one
        per deployed target, so targets and tests sharing the server never meet."""
        return "emulated_" + hashlib.sha256(str(self.state.resolve()).encode()).hexdigest()[:12]

    @property
    def files(self) -> Path:
        """The bundle files as synced to `workspace.file_path` (the project until `sync`)."""
        synced = self.state / "files"
        return synced if synced.is_dir() else self.project

    def sync(self) -> Path:
        """Copy the bundle's files as `bundle deploy` uploads them (bundle/deploy/files; local
        state, build output and virtual environments are not synced)."""
        synced = self.state / "files"
        shutil.rmtree(synced, ignore_errors=True)
        ignore = shutil.ignore_patterns(
            ".medallion", ".venv", "dist", "__pycache__", ".databricks", "*.egg-info"
        )
        shutil.copytree(self.project, synced, ignore=ignore)
        return synced

    @property
    def file_path(self) -> str:
        return str((self.bundle.get("workspace") or {}).get("file_path") or "")

    @property
    def volumes(self) -> set[tuple[str, str, str]]:
        return created_volumes(self.bundle) | self.extra_volumes

    def volume_dir(self, catalog: str, schema: str, volume: str) -> Path:
        return self.state / "volumes" / catalog / schema / volume

    def local_path(self, remote: str) -> Path:
        """The local stand-in of a workspace file or volume path (VolumeMissing if the volume
        does not exist)."""
        match = VOLUME_PATH.match(remote)
        if match:
            key = (match["catalog"], match["schema"], match["volume"])
            if key not in self.volumes:
                raise VolumeMissing(
                    f"Volume '{'.'.join(key)}' does not exist: the bundle creates "
                    f"{sorted('.'.join(v) for v in self.volumes) or 'no volume'}"
                )
            folder = self.volume_dir(*key)
            folder.mkdir(parents=True, exist_ok=True)
            return folder / (match["rest"] or "/").lstrip("/")
        root = self.file_path.rstrip("/")
        if root and (remote == root or remote.startswith(root + "/")):
            return self.files / remote[len(root) :].lstrip("/")
        return Path(remote)

    def map_argument(self, value: str) -> str:
        """A task argument with remote paths replaced by their local stand-ins. A missing volume
        maps under a plain file (`absent-volumes`), so the task's own read or write fails."""
        match = VOLUME_PATH.match(value)
        if match:
            try:
                return str(self.local_path(value))
            except VolumeMissing:
                blocker = self.state / "absent-volumes"
                blocker.parent.mkdir(parents=True, exist_ok=True)
                blocker.touch()
                return str(blocker / value.lstrip("/"))
        if self.file_path and value.startswith(self.file_path.rstrip("/") + "/"):
            return str(self.local_path(value))
        return value

    def bundle_path(self, path: str) -> Path:
        """A path from the resolved bundle (workspace path, absolute local, or relative to the
        bundle root or to resources/) as a local path."""
        if path.startswith("/Workspace") or (self.file_path and path.startswith(self.file_path)):
            return self.local_path(path)
        candidate = Path(path)
        if candidate.is_absolute():
            return candidate
        # translate_paths (bundle/config/mutator/translate_paths*.go) makes local paths relative
        # to the bundle root ("./dist/*.whl"); an untranslated one is relative to resources/.
        base = self.project / "resources" if path.startswith("..") else self.project
        return (base / candidate).resolve()
