"""Which helper code a deployed pipeline's update runs, and what Auto Loader does at its start.

Code: a serverless pipeline installs its `environment.dependencies` (pipeline settings docs,
"environment"). Two kinds matter here:
- `--editable <workspace path>`: the project's files as this deploy synced them (the CLI's own
  default template does this: databricks/cli libs/template/templates/default/.../
  `{{.project_name}}_etl.pipeline.yml.tmpl`); modelled as that folder's `src/` on the path.
- a wheel (`../dist/*.whl`): serverless environments cache a wheel by its version
  (databricks/cli#1621, the reason `dynamic_version` exists), and the CLI patches a new version
  into the wheels of job tasks and job environments only (databricks/cli
  `bundle/libraries/switch_to_patched_wheels.go`), so a pipeline's wheel keeps its built version;
  modelled as the first wheel installed under that file name, for the whole emulated workspace.

Auto Loader: a `cloudFiles` stream given no schema infers one from the files, and fails on an
empty or missing folder with CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE ("...start the stream when there
are files in the input path, or specify the schema"; docs.databricks.com/aws/en/error-messages/
error-classes, and .../ingestion/cloud-object-storage/auto-loader/schema). The helpers' Databricks
code path is executed against the recording `dp` (tests/support/recording_dp.py) with the
pipeline's configuration, in the code the update would run, to see each reader.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Any

from tests.support.emulator.artifacts import CACHE
from tests.support.emulator.task_paths import Target

REPO = Path(__file__).resolve().parents[3]
_INSTALLED: dict[str, Path] = {}  # wheel file name -> its first installation (the cached version)
_LOCK = threading.Lock()

# The Databricks path of the helpers against the recording dp (argv[1]: JSON configuration);
# prints the cloudFiles reads: their folder and whether a schema was given.
READERS = """
import json, sys
from medallion.bronze import define_bronze
from medallion.context import PipelineContext
from tests.support.recording_dp import RecordingDP, RecordingSpark
conf = json.loads(sys.argv[1])
dp = RecordingDP()
define_bronze(PipelineContext.from_pipeline(dp, RecordingSpark(conf)))
reads = []
for name, call in dp.datasets.items():
    frame = call.func()
    if getattr(frame, "reader_format", None) == "cloudFiles":
        loads = frame.calls("load")
        reads.append({"table": name, "path": loads[0].args[0] if loads else None,
                      "schema": bool(frame.calls("schema"))})
print(json.dumps(reads))
"""


class CodeMissing(RuntimeError):
    """The pipeline's environment cannot import the helpers."""


def code_path(target: Target, pipeline: dict[str, Any]) -> list[Path]:
    """The folders the update imports the helpers from, per its environment's dependencies."""
    dependencies = [str(d) for d in ((pipeline.get("environment") or {}).get("dependencies") or [])]
    paths: list[Path] = []
    for item in dependencies:
        if item.startswith(("--editable ", "-e ")):
            folder = target.bundle_path(item.split(None, 1)[1].strip())
            paths.append(folder / "src")
        elif item.endswith(".whl"):
            pattern = target.bundle_path(item)
            wheels = sorted(pattern.parent.glob(pattern.name))
            if not wheels:
                raise CodeMissing(f"environment dependency {item} matches no uploaded file")
            paths += [_installed(wheel) for wheel in wheels]
    return paths


def _installed(wheel: Path) -> Path:
    """The wheel as the serverless environment has it: the first one of this file name."""
    with _LOCK:
        if wheel.name not in _INSTALLED:
            folder = CACHE / "pipeline-wheels" / f"{os.getpid()}-{len(_INSTALLED)}-{wheel.stem}"
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(folder)
            _INSTALLED[wheel.name] = folder
        return _INSTALLED[wheel.name]


def autoloader_failure(target: Target, paths: list[Path], configuration: dict[str, str]) -> str | None:
    """CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE for the first schema-less cloudFiles read of an empty
    or missing folder; None when every Auto Loader stream can start."""
    conf = {**configuration, "medallion.engine": "databricks"}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, paths), str(REPO)])}
    done = subprocess.run(
        [sys.executable, "-c", READERS, json.dumps(conf)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        return None  # the update itself will fail and say why
    for read in json.loads(done.stdout.strip().splitlines()[-1]):
        if read["schema"] or not read["path"]:
            continue
        folder = target.local_path(read["path"])
        if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
            return (
                f"[CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE] Cannot infer schema when the input path "
                f"`{read['path']}` is empty. Please try to start the stream when there are files in "
                f"the input path, or specify the schema. (flow {read['table']})"
            )
    return None


def runnable(target: Target, paths: list[Path]) -> str:
    """PYTHONPATH for the emulated update: the pipeline's own code first. The emulator's runner
    (medallion.tooling.local, which the wheel leaves out) is added from the synced files where the
    installed code lacks it: it is our stand-in for the platform, not the pipeline's code."""
    if not paths:
        raise CodeMissing("the pipeline's environment installs no helpers: `import medallion` fails")
    tooling = target.files / "src" / "medallion" / "tooling"
    if all((p / "medallion" / "tooling").is_dir() for p in paths):
        return os.pathsep.join(map(str, paths))
    overlay = target.state / "pipeline-code"
    shutil.rmtree(overlay, ignore_errors=True)
    for path in reversed(paths):  # the first path wins, as on sys.path
        for item in path.iterdir():
            destination = overlay / item.name
            if item.is_dir():
                shutil.copytree(item, destination, dirs_exist_ok=True)
    shutil.copytree(tooling, overlay / "medallion" / "tooling", dirs_exist_ok=True)
    return str(overlay)
