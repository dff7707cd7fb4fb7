"""Offline validation of a rendered bundle: what `databricks bundle validate` would catch
without a workspace, plus the template's own rules (no leftover template text, clean Python).
"""

from __future__ import annotations

import copy
import fnmatch
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from databricks.bundles.alerts import Alert
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job
from databricks.bundles.pipelines import Pipeline
from databricks.bundles.schemas import Schema
from databricks.bundles.volumes import Volume

RESOURCE_CLASSES = {
    "jobs": Job,
    "pipelines": Pipeline,
    "schemas": Schema,
    "volumes": Volume,
    "dashboards": Dashboard,
    "alerts": Alert,
}
TOP_LEVEL_KEYS = {
    "bundle",
    "include",
    "artifacts",
    "variables",
    "targets",
    "resources",
    "workspace",
    "sync",
    "permissions",
    "run_as",
    "presets",
    "experimental",
    "python",
}
TARGET_KEYS = {
    "mode",
    "default",
    "workspace",
    "variables",
    "resources",
    "run_as",
    "presets",
    "permissions",
    "artifacts",
    "sync",
    "bundle",
    "git",
}
VARIABLE_KEYS = {"description", "default", "lookup", "type"}
LOOKUP_KINDS = {
    "alert",
    "cluster_policy",
    "cluster",
    "dashboard",
    "instance_pool",
    "job",
    "metastore",
    "notification_destination",
    "pipeline",
    "query",
    "service_principal",
    "warehouse",
}
REFERENCE = re.compile(r"\$\{([^}]+)\}")
BUILTIN_REFERENCES = re.compile(
    r"^(bundle\.(name|target|git\.\w+)|workspace\.(file_path|root_path|artifact_path|current_user\.(userName|short_name)))$"
)
GO_TEMPLATE_ACTION = re.compile(
    r"\{\{-?\s*(\.|\$|/\*|(if|else|end|range|with|template|define|block|skip|fail|regexp|user_name|"
    r"short_name|workspace_host|default_catalog|bundle_uuid|uuid|lower|upper|printf|eq|ne|not|and|or)\b)"
)


def load_yaml(path: Path) -> Any:
    with path.open() as handle:
        return yaml.safe_load(handle)


def bundle_files(project: Path) -> list[Path]:
    """databricks.yml plus every file its `include` globs match."""
    root = load_yaml(project / "databricks.yml")
    files = [project / "databricks.yml"]
    for pattern in root.get("include", []):
        files += sorted(p for p in project.glob(pattern) if p.is_file())
    return files


def merged_config(project: Path) -> dict[str, Any]:
    """The bundle as the CLI sees it before target overrides: includes merged in."""
    config: dict[str, Any] = {}
    for path in bundle_files(project):
        _deep_merge(config, load_yaml(path) or {})
    return config


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def resources_for_target(config: dict[str, Any], target: str) -> dict[str, Any]:
    """Resources with the target's overrides applied (tasks merged by task_key)."""
    resources = copy.deepcopy(config.get("resources", {}))
    overrides = (config.get("targets", {}).get(target) or {}).get("resources", {})
    _deep_merge(resources, overrides)
    return resources


def problems(project: Path) -> list[str]:
    """Every problem found in a rendered project (empty when it is valid)."""
    found: list[str] = []
    found += yaml_problems(project)
    if found:
        return found
    config = merged_config(project)
    found += top_level_problems(config)
    for target in config.get("targets", {}):
        found += resource_problems(resources_for_target(config, target), target)
    found += reference_problems(project, config)
    found += leftover_template_problems(project)
    found += python_problems(project)
    return found


def yaml_problems(project: Path) -> list[str]:
    paths = sorted(project.rglob("*.yml")) + sorted(project.rglob("*.yaml"))
    found = [] if paths else [f"{project}: no YAML file to check"]
    for path in paths:
        try:
            load_yaml(path)
        except yaml.YAMLError as error:
            found.append(f"{path.relative_to(project)}: YAML does not parse: {error}")
    return found


def top_level_problems(config: dict[str, Any]) -> list[str]:
    found = [f"unknown top-level key {k!r}" for k in sorted(set(config) - TOP_LEVEL_KEYS)]
    if not config.get("bundle", {}).get("name"):
        found.append("bundle.name is missing")
    targets = config.get("targets", {})
    defaults = [name for name, body in targets.items() if (body or {}).get("default")]
    if len(defaults) != 1:
        found.append(f"exactly one target must be default, found {defaults}")
    expected_modes = {"dev": "development", "staging": "production", "prod": "production"}
    for name, body in targets.items():
        body = body or {}
        found += [f"targets.{name}: unknown key {k!r}" for k in sorted(set(body) - TARGET_KEYS)]
        if body.get("mode") != expected_modes.get(name, body.get("mode")):
            found.append(f"targets.{name}.mode is {body.get('mode')!r}, expected {expected_modes[name]!r}")
        if body.get("mode") not in {"development", "production"}:
            found.append(f"targets.{name}.mode must be development or production")
        if name != "dev" and "profile" in (body.get("workspace") or {}):
            found.append(f"targets.{name} sets a profile: CI must authenticate from the environment")
        for variable in body.get("variables") or {}:
            if variable not in config.get("variables", {}):
                found.append(f"targets.{name}.variables.{variable} is not declared")
    for name, body in config.get("variables", {}).items():
        body = body or {}
        found += [f"variables.{name}: unknown key {k!r}" for k in sorted(set(body) - VARIABLE_KEYS)]
        if not body.get("description"):
            found.append(f"variables.{name} has no description")
        lookup = body.get("lookup")
        if lookup is not None and (len(lookup) != 1 or next(iter(lookup)) not in LOOKUP_KINDS):
            found.append(f"variables.{name}.lookup must name one of {sorted(LOOKUP_KINDS)}")
    return found


def resource_problems(resources: dict[str, Any], target: str) -> list[str]:
    found = []
    for kind, items in resources.items():
        cls: Any = RESOURCE_CLASSES.get(kind)
        if cls is None:
            found.append(f"[{target}] resources.{kind}: no typed class to check it with")
            continue
        for key, body in (items or {}).items():
            try:
                cls.from_dict(body)
            except (ValueError, TypeError, KeyError) as error:
                found.append(f"[{target}] resources.{kind}.{key}: {error}")
            if kind == "pipelines" and "target" in body:
                found.append(f"[{target}] resources.pipelines.{key}: uses deprecated `target`; use `schema`")
    return found


def reference_problems(project: Path, config: dict[str, Any]) -> list[str]:
    found = []
    variables = set(config.get("variables", {}))
    resources = {(kind, key) for kind, items in config.get("resources", {}).items() for key in (items or {})}
    for path in bundle_files(project):
        text = path.read_text()
        for match in REFERENCE.finditer(text):
            ref = match.group(1)
            where = f"{path.relative_to(project)}: ${{{ref}}}"
            if ref.startswith("var."):
                if ref[4:] not in variables:
                    found.append(f"{where} names an undeclared variable")
            elif ref.startswith("resources."):
                parts = ref.split(".")
                if len(parts) < 4 or (parts[1], parts[2]) not in resources:
                    found.append(f"{where} names no declared resource")
            elif not BUILTIN_REFERENCES.match(ref):
                found.append(f"{where} is not a known bundle reference")
    return found


def leftover_template_problems(project: Path) -> list[str]:
    found = []
    for path in sorted(project.rglob("*")):
        if not path.is_file() or path.suffix in {".parquet", ".png"}:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for line_number, line in enumerate(text.splitlines(), 1):
            if GO_TEMPLATE_ACTION.search(line):
                found.append(
                    f"{path.relative_to(project)}:{line_number}: leftover template text: {line.strip()}"
                )
    if any(fnmatch.fnmatch(p.name, "*.tmpl") for p in project.rglob("*")):
        found.append("a .tmpl file was copied instead of rendered")
    return found


def python_problems(project: Path) -> list[str]:
    paths = sorted(project.rglob("*.py"))
    found = [] if paths else [f"{project}: no Python file to check"]
    for path in paths:
        try:
            compile(path.read_text(), str(path), "exec")
        except SyntaxError as error:
            found.append(f"{path.relative_to(project)}: does not compile: {error}")
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if ruff.returncode != 0:
        found.append(f"ruff check failed in the rendered project:\n{ruff.stdout}{ruff.stderr}")
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    if fmt.returncode != 0:
        found.append(f"ruff format --check failed in the rendered project:\n{fmt.stdout}{fmt.stderr}")
    return found
