"""Load a bundle's configuration files and merge the selected target into the root.

databricks/cli v1.13.0: `bundle/config/loader/entry_point.go` and `process_root_includes.go`
(includes), `bundle/config/mutator/mutator.go` DefaultMutators, `select_default_target.go`,
`select_target.go`, `bundle/config/root.go` (MergeTargetOverrides, rewriteShorthands,
validateVariableOverrides, InitializeVariables).
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

from tests.support.emulator.model import BundleError, Diagnostic
from tests.support.emulator.tree import MergeError, load_yaml, merge

# bundle/config/root.go FileNames (the first that exists is the entry point).
ENTRY_FILES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")


def load_root(project: Path) -> tuple[dict[str, Any], list[str], list[Diagnostic]]:
    """The root configuration with every included file merged in, the included files in load
    order (relative to the project) and the load diagnostics."""
    entry = next((project / name for name in ENTRY_FILES if (project / name).is_file()), None)
    if entry is None:
        raise BundleError(f"unable to locate bundle root: {ENTRY_FILES[0]} not found in {project}")
    root = _as_map(load_yaml(entry), entry)
    diagnostics: list[Diagnostic] = []
    seen = {entry.name}
    included: list[str] = []
    # process_root_includes.go: each include is a glob anchored at the bundle root, matches in
    # filepath.Glob's (sorted) order, a file matched twice is loaded once, a non-glob entry
    # that matches nothing is an error, only .yml/.yaml/.json files may be included.
    for entry_glob in root.get("include") or []:
        if Path(entry_glob).is_absolute():
            raise BundleError(f"{entry_glob}: includes must be relative paths")
        matches = sorted(glob.glob(str(project / entry_glob)))
        if not matches and not any(c in entry_glob for c in "*?["):
            raise BundleError(f"{entry_glob} defined in 'include' section does not match any files")
        for match in matches:
            rel = str(Path(match).relative_to(project))
            if rel in seen:
                continue
            seen.add(rel)
            if Path(rel).suffix not in (".yml", ".yaml", ".json"):
                diagnostics.append(
                    Diagnostic(
                        "error",
                        "Files in the 'include' configuration section must be YAML or JSON files.",
                        rel,
                        "bundle/config/loader/process_root_includes.go",
                    )
                )
                continue
            included.append(rel)
    resource_files: dict[tuple[str, str], str] = {}
    _note_resource_keys(root, entry.name, resource_files, diagnostics)
    for rel in included:
        # loader/process_include.go: the file's configuration is merged into the root.
        other = _as_map(load_yaml(project / rel), project / rel)
        _note_resource_keys(other, rel, resource_files, diagnostics)
        try:
            root = merge(root, other)
        except MergeError as error:
            raise BundleError(f"{rel}: {error}") from None
    root["include"] = included
    return root, included, diagnostics


def _as_map(value: Any, path: Path) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BundleError(f"{path}: expected a map at the top level")
    return value


def _note_resource_keys(
    root: dict[str, Any],
    file: str,
    seen: dict[tuple[str, str], str],
    diagnostics: list[Diagnostic],
) -> None:
    # bundle/config/validate/unique_resource_keys.go: a resource key may be defined once across
    # every file (the same key under two resource types is also refused).
    for kind, items in (root.get("resources") or {}).items():
        for key in items or {}:
            other = next((f for (k, name), f in seen.items() if name == key), None)
            if other is not None:
                diagnostics.append(
                    Diagnostic(
                        "error",
                        f"multiple resources have been defined with the same key: {key}",
                        f"{other}, {file}",
                        "bundle/config/validate/unique_resource_keys.go",
                    )
                )
            seen[(kind, key)] = file


def select_target_name(root: dict[str, Any], target: str | None) -> str:
    """The target to merge: the named one, else the only one, else the `default: true` one."""
    targets = root.get("targets") or root.get("environments") or {}
    if not targets:
        # default_target.go: a bundle without targets gets an empty target named "default".
        targets = {"default": {}}
        root["targets"] = targets
    if target is not None:
        if target not in targets:
            available = ", ".join(targets)
            raise BundleError(f"{target}: no such target. Available targets: {available}")
        return target
    # select_default_target.go
    if len(targets) == 1:
        return next(iter(targets))
    defaults = [name for name, t in targets.items() if isinstance(t, dict) and t.get("default") is True]
    if len(defaults) > 1:
        raise BundleError(f"multiple targets are marked as default ({', '.join(defaults)})")
    if not defaults:
        raise BundleError("please specify target")
    return defaults[0]


# root.go allowedVariableDefinitions: a target variable written as one of these key sets is a
# full definition; anything else is the shorthand for its default.
_FULL_OVERRIDES = [
    {"default", "type", "description"},
    {"default", "type"},
    {"default", "description"},
    {"lookup", "description"},
    {"default"},
    {"lookup"},
]


def _target_variable(value: Any) -> dict[str, Any]:
    # root.go rewriteShorthands: a scalar (or a non-definition map or sequence, a complex value)
    # is `{default: value}`.
    if isinstance(value, dict) and set(value) in _FULL_OVERRIDES:
        return value
    return {"default": value}


def merge_target(root: dict[str, Any], name: str) -> dict[str, Any]:
    """root.go MergeTargetOverrides then select_target.go: the target merged into the root,
    `bundle.target` set, `targets` removed."""
    targets = root.get("targets") or root.get("environments") or {}
    target = targets.get(name) or {}
    declared = root.get("variables") or {}
    for var_name in target.get("variables") or {}:
        # root.go validateVariableOverrides
        if var_name not in declared:
            raise BundleError(f"variable {var_name} is not defined but is assigned a value")
    out = dict(root)
    # Fields merged 1:1 (maps merge key by key, sequences concatenate, scalars override).
    for field_name in ("bundle", "workspace", "artifacts", "resources", "sync", "permissions", "presets"):
        if field_name in target and target[field_name] is not None:
            try:
                out[field_name] = merge(out.get(field_name), target[field_name])
            except MergeError as error:
                raise BundleError(f"failed to merge target={name} field={field_name}: {error}") from None
    # `variables`: a target default replaces the default and drops the lookup; a target lookup
    # replaces the lookup and drops the default.
    if target.get("variables"):
        merged_vars = {k: dict(v or {}) for k, v in (out.get("variables") or {}).items()}
        for var_name, value in target["variables"].items():
            override = _target_variable(value)
            definition = merged_vars[var_name]
            if "default" in override:
                definition["default"] = override["default"]
                definition.pop("lookup", None)
            if "lookup" in override:
                definition["lookup"] = override["lookup"]
                definition.pop("default", None)
        out["variables"] = merged_vars
    # `run_as`, `mode`, `cluster_id` are overwritten, not merged; `git` merges into bundle.git.
    # An empty `run_as:` (null) changes nothing (acceptance/bundle/run_as/empty_override).
    if target.get("run_as") is not None:
        out["run_as"] = target["run_as"]
    bundle = dict(out.get("bundle") or {})
    if "mode" in target:
        bundle["mode"] = target["mode"]
    if "cluster_id" in target:
        bundle["cluster_id"] = target["cluster_id"]
    if "git" in target:
        bundle["git"] = merge(bundle.get("git") or {}, target["git"])
    # select_target.go: the selected name is bundle.target (and bundle.environment, kept for
    # backward compatibility); the targets section is removed from the output.
    bundle["target"] = name
    bundle["environment"] = name
    out["bundle"] = bundle
    out.pop("targets", None)
    out.pop("environments", None)
    return out


def apply_var_flags(root: dict[str, Any], flags: dict[str, str]) -> None:
    """`--var name=value` (root.go InitializeVariables, called by cmd/bundle/utils/utils.go):
    the value is set before any other source, so it wins over environment, file and default."""
    variables = root.get("variables") or {}
    for name, value in flags.items():
        if name not in variables:
            raise BundleError(f"variable {name} has not been defined")
        definition = variables[name] = dict(variables[name] or {})
        if definition.get("type") == "complex":
            raise BundleError(f"setting variables of complex type via --var flag is not supported: {name}")
        definition["value"] = value
