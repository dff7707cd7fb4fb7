"""Relative paths in resources: first made relative to the bundle root (they are written relative
to the file that defines them), then translated to workspace paths under
`${workspace.file_path}` or kept as local artifact references.

databricks/cli v1.13.0: `bundle/config/mutator/normalize_paths.go`, `translate_paths.go`,
`translate_paths_jobs.go`, `translate_paths_pipelines.go`, `translate_paths_artifacts.go`,
`bundle/config/mutator/paths/{job,job_libraries,pipeline,artifact}_paths_visitor.go`,
`bundle/libraries/local_path.go` (IsLibraryLocal, IsLocalPathInPipFlag), `libs/notebook`
(DetectWithFS, StripExtension). The sync root is the bundle root (no `sync.paths` outside it).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tests.support.emulator.model import Diagnostic
from tests.support.emulator.tree import format_path, located, location_of

# translation_mode.go
(
    NOTEBOOK,
    FILE,
    DIRECTORY,
    GLOB,
    LOCAL_ABSOLUTE_DIRECTORY,
    LOCAL_RELATIVE,
    LOCAL_RELATIVE_WITH_PREFIX,
    PIP_FLAG,
) = (
    "notebook",
    "file",
    "directory",
    "glob",
    "local_absolute_directory",
    "local_relative",
    "local_relative_with_prefix",
    "pip_flag",
)

PIP_FLAGS_WITH_LOCAL_PATHS = ("-r", "-e")  # local_path.go PipFlagsWithLocalPaths
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_NOTEBOOK_HEADERS = {
    ".py": "# Databricks notebook source",
    ".r": "# Databricks notebook source",
    ".scala": "// Databricks notebook source",
    ".sql": "-- Databricks notebook source",
}


def _has_scheme(value: str) -> bool:
    return bool(_SCHEME.match(value)) and not re.match(r"^[A-Za-z]:[\\/]", value)


def _pip_flag(value: str) -> tuple[str, str] | None:
    """IsLocalPathInPipFlag: `-r path` / `-e path` with a local path -> (flag, path)."""
    for flag in PIP_FLAGS_WITH_LOCAL_PATHS:
        if value.startswith(flag + " "):
            rest = value[len(flag) + 1 :].strip()
            return (flag, rest) if is_local_path(rest) else None
    return None


def is_local_path(value: str) -> bool:
    """local_path.go IsLocalPath: not file://, no remote scheme, not absolute."""
    value = value.strip("\"'")
    if value.startswith("file://"):
        return False
    if _has_scheme(value) and value.startswith(value.split(":", 1)[0] + ":/"):
        return False
    return not value.startswith("/")


def is_library_local(dep: str) -> bool:
    """local_path.go IsLibraryLocal: starts with `.`, or is a local path with an extension
    (a bare name is a PyPI package; pip flags are handled separately)."""
    if not dep:
        return False
    if dep.startswith("."):
        return True
    if dep.startswith("-"):
        return False
    if not posixpath.splitext(dep.split("==")[0])[1]:
        return False
    return is_local_path(dep)


# (pattern, mode, skip, allow outside the sync root); `*` is any key or index.
Rule = tuple[tuple[str, ...], str, Callable[[str], bool], bool]


def _never(_: str) -> bool:
    return False


def _task_rules(base: tuple[str, ...]) -> list[Rule]:
    return [
        ((*base, "notebook_task", "notebook_path"), NOTEBOOK, _never, False),
        ((*base, "spark_python_task", "python_file"), FILE, _never, False),
        ((*base, "dbt_task", "project_directory"), DIRECTORY, _never, False),
        ((*base, "sql_task", "file", "path"), FILE, _never, False),
        ((*base, "alert_task", "workspace_path"), FILE, _never, False),
        ((*base, "libraries", "*", "requirements"), FILE, _never, False),
    ]


def _task_library_rules(base: tuple[str, ...]) -> list[Rule]:
    return [
        ((*base, "libraries", "*", "whl"), LOCAL_RELATIVE, _never, True),
        ((*base, "libraries", "*", "jar"), LOCAL_RELATIVE, _never, True),
    ]


_TASK = ("resources", "jobs", "*", "tasks", "*")
_FOR_EACH = (*_TASK, "for_each_task", "task")
_PIPELINE = ("resources", "pipelines", "*")

RULES: list[Rule] = [
    # job_paths_visitor.go
    *_task_rules(_TASK),
    *_task_rules(_FOR_EACH),
    # job_libraries_paths_visitor.go
    *_task_library_rules(_TASK),
    (
        ("resources", "jobs", "*", "environments", "*", "spec", "dependencies", "*"),
        LOCAL_RELATIVE_WITH_PREFIX,
        lambda s: not is_library_local(s),
        True,
    ),
    (
        ("resources", "jobs", "*", "environments", "*", "spec", "dependencies", "*"),
        PIP_FLAG,
        lambda s: _pip_flag(s) is None,
        True,
    ),
    *_task_library_rules(_FOR_EACH),
    # pipeline_paths_visitor.go
    ((*_PIPELINE, "libraries", "*", "notebook", "path"), NOTEBOOK, _never, False),
    ((*_PIPELINE, "libraries", "*", "file", "path"), FILE, _never, False),
    ((*_PIPELINE, "libraries", "*", "glob", "include"), GLOB, _never, False),
    ((*_PIPELINE, "root_path"), DIRECTORY, _never, False),
    (
        (*_PIPELINE, "environment", "dependencies", "*"),
        LOCAL_RELATIVE_WITH_PREFIX,
        lambda s: not is_library_local(s),
        True,
    ),
    ((*_PIPELINE, "environment", "dependencies", "*"), PIP_FLAG, lambda s: _pip_flag(s) is None, True),
    # dashboard_paths_visitor.go, alert_paths_visitor.go: a local path relative to the bundle
    # root, read by ConfigureDashboardSerializedDashboard / LoadDBAlertFiles
    (("resources", "dashboards", "*", "file_path"), LOCAL_RELATIVE, _never, False),
    (("resources", "alerts", "*", "file_path"), LOCAL_RELATIVE, _never, False),
    # artifact_paths_visitor.go (artifact paths may be outside the sync root)
    (("artifacts", "*", "path"), LOCAL_ABSOLUTE_DIRECTORY, _never, True),
]


def _matches(
    node: Any, pattern: tuple[str, ...], prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[str | int, ...]]:
    if not pattern:
        yield prefix
        return
    head, rest = pattern[0], pattern[1:]
    if isinstance(node, dict):
        keys = list(node) if head == "*" else ([head] if head in node else [])
        for key in keys:
            yield from _matches(node[key], rest, (*prefix, key))
    elif isinstance(node, list) and head == "*":
        for index, item in enumerate(node):
            yield from _matches(item, rest, (*prefix, index))


def _visit(config: dict[str, Any], fn: Callable[[tuple[str | int, ...], str, str, bool], str | None]) -> None:
    for pattern, mode, skip, allow_outside in RULES:
        for path in list(_matches(config, pattern)):
            parent: Any = config
            for part in path[:-1]:
                parent = parent[part]
            value = parent[path[-1]]
            if not isinstance(value, str) or skip(value):
                continue
            new = fn(path, value, mode, allow_outside)
            if new is not None:
                parent[path[-1]] = located(new, value)


def normalize_paths(config: dict[str, Any], bundle_root: Path) -> list[Diagnostic]:
    """normalize_paths.go: a relative path written in `resources/x.yml` becomes relative to the
    bundle root (`../src` -> `src`); absolute paths and URLs stay; pip flags keep their flag."""
    diagnostics: list[Diagnostic] = []

    def normalize(path: tuple[str | int, ...], value: str, mode: str, allow_outside: bool) -> str | None:
        flag = _pip_flag(value)
        body = flag[1] if flag else value
        if _has_scheme(body) or body.startswith("/"):
            return None
        loc = location_of(value)
        if loc is None:
            diagnostics.append(
                Diagnostic(
                    "error",
                    f"unable to determine directory for a value at {format_path(path)}",
                    None,
                    "bundle/config/mutator/normalize_paths.go",
                )
            )
            return None
        rel_dir = os.path.relpath(Path(loc.file).parent, bundle_root)
        joined = posixpath.normpath(posixpath.join(Path(rel_dir).as_posix(), body))
        return f"{flag[0]} {joined}" if flag else joined

    _visit(config, normalize)
    return diagnostics


def translate_paths(config: dict[str, Any], bundle_root: Path) -> list[Diagnostic]:
    """translate_paths.go rewritePath: paths are relative to the bundle root (after
    normalize_paths) and must stay inside it unless the rule allows otherwise; notebooks lose
    their extension; files and directories must exist and be of the right kind; globs are not
    checked; library paths stay local (`./dist/*.whl`) for the artifact upload to replace."""
    diagnostics: list[Diagnostic] = []
    remote_root = (config.get("workspace") or {}).get("file_path") or ""
    source = "bundle/config/mutator/translate_paths.go"

    def fail(path: tuple[str | int, ...], value: str, summary: str) -> None:
        loc = location_of(value)
        diagnostics.append(
            Diagnostic("error", f"{format_path(path)}: {summary}", str(loc) if loc else None, source)
        )

    def translate(path: tuple[str | int, ...], value: str, mode: str, allow_outside: bool) -> str | None:
        flag = _pip_flag(value)
        body = flag[1] if flag else value
        if body.startswith("/") or _has_scheme(body):
            return None
        local = posixpath.normpath(posixpath.join(bundle_root.as_posix(), body))
        rel = posixpath.relpath(local, bundle_root.as_posix())
        if not allow_outside and (rel == ".." or rel.startswith("../")):
            fail(path, value, f"path {local} is not contained in sync root path")
            return None
        target = Path(local)
        if mode == NOTEBOOK:
            if not target.is_file():
                fail(path, value, f"notebook {body} not found")
                return None
            if not _is_notebook(target):
                fail(path, value, f"expected a notebook but got a file: {local}")
                return None
            return posixpath.join(remote_root, posixpath.splitext(rel)[0])
        if mode in (FILE, PIP_FLAG):
            if not target.is_file():
                fail(path, value, f"file {body} not found")
                return None
            if _is_notebook(target):
                fail(path, value, f"expected a file but got a notebook: {local}")
                return None
            out = posixpath.join(remote_root, rel)
            return f"{flag[0]} {out}" if mode == PIP_FLAG and flag else out
        if mode == DIRECTORY:
            if not target.is_dir():
                fail(path, value, f"{local} is not a directory")
                return None
            return posixpath.join(remote_root, rel)
        if mode == GLOB:
            return posixpath.join(remote_root, rel)
        if mode == LOCAL_ABSOLUTE_DIRECTORY:
            if not target.exists():
                fail(path, value, f"directory {body} not found")
                return None
            if not target.is_dir():
                fail(path, value, f"expected {body} to be a directory but found a file")
                return None
            return local
        if mode == LOCAL_RELATIVE:
            return rel
        if mode == LOCAL_RELATIVE_WITH_PREFIX:
            return rel if rel.startswith(".") else "./" + rel
        return None

    _visit(config, translate)
    return diagnostics


def _is_notebook(path: Path) -> bool:
    """libs/notebook/detect.go: by extension, a notebook starts with the language's header line
    (Jupyter files are notebooks)."""
    ext = path.suffix.lower()
    if ext == ".ipynb":
        return True
    header = _NOTEBOOK_HEADERS.get(ext)
    if header is None:
        return False
    with path.open(encoding="utf-8", errors="replace") as handle:
        first = handle.readline().rstrip("\r\n")
    return first == header


def prepare_artifacts(config: dict[str, Any]) -> None:
    """bundle/artifacts/prepare.go: a whl artifact without `files` picks up `<path>/dist/*.whl`
    (the build writes there); the artifacts preset sets dynamic_version."""
    presets = config.get("presets") or {}
    for artifact in (config.get("artifacts") or {}).values():
        if not isinstance(artifact, dict):
            continue
        if artifact.get("type") == "whl" and not artifact.get("files"):
            artifact["files"] = [{"source": posixpath.join(artifact.get("path") or ".", "dist", "*.whl")}]
        if presets.get("artifacts_dynamic_version") is True:
            artifact["dynamic_version"] = True


def configure_dashboards(config: dict[str, Any], bundle_root: Path) -> list[Diagnostic]:
    """configure_dashboards_serialized_dashboard.go: a dashboard's `file_path` (relative to the
    bundle root after TranslatePaths) is read into `serialized_dashboard`; an unreadable file is
    an error naming the path."""
    diagnostics: list[Diagnostic] = []
    for dashboard in ((config.get("resources") or {}).get("dashboards") or {}).values():
        if not isinstance(dashboard, dict) or not isinstance(dashboard.get("file_path"), str):
            continue
        path = str(dashboard["file_path"])
        try:
            dashboard["serialized_dashboard"] = (bundle_root / path).read_text()
        except OSError as error:
            diagnostics.append(
                Diagnostic(
                    "error",
                    f"failed to read serialized dashboard from file_path {path}: {error.strerror}",
                    None,
                    "bundle/config/mutator/resourcemutator/configure_dashboards_serialized_dashboard.go",
                )
            )
    return diagnostics
