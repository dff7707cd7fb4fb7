"""Resolve one target of a rendered bundle as `databricks bundle validate -t T -o json` does, then
substitute resource references as `databricks bundle deploy` would.

The order of the steps is the order of databricks/cli v1.13.0 `bundle/phases/load.go` and
`bundle/phases/initialize.go` (each step cites the mutator it emulates). Steps that need a
workspace (current user, lookups, resource ids) use the given user and deterministic fakes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.emulator.loading import apply_var_flags, load_root, merge_target, select_target_name
from tests.support.emulator.mode import (
    annotate_deployment,
    apply_defaults,
    apply_presets,
    apply_target_mode,
    normalize_resources,
    set_run_as,
    validate_shared_root,
    validate_target_mode,
)
from tests.support.emulator.model import ResolvedBundle
from tests.support.emulator.paths import (
    configure_dashboards,
    normalize_paths,
    prepare_artifacts,
    translate_paths,
)
from tests.support.emulator.references import (
    REFERENCE,
    Dangling,
    ReferenceResolver,
    Skip,
    Unresolvable,
    tree_lookup,
)
from tests.support.emulator.tree import (
    NoSuchKey,
    copy_tree,
    format_path,
    get_path,
    location_of,
    plain,
    walk_strings,
)
from tests.support.emulator.variables import check_lookup_references, fake_id, resolve_lookups, set_variables
from tests.support.emulator.workspace import current_user, define_workspace_paths, rewrite_workspace_prefix

DEFAULT_USER = "data.engineer@example.com"

# Typed fields that resolve to "" when unset: resolve_variable_references.go normalizes the tree
# with every missing field of the typed configuration (bundle/config/bundle.go, git.go,
# workspace.go) before looking references up.
_TYPED_EMPTY = {
    ("bundle", "name"),
    ("bundle", "target"),
    ("bundle", "environment"),
    ("bundle", "uuid"),
    ("bundle", "mode"),
    ("bundle", "cluster_id"),
    ("bundle", "compute_id"),
    ("bundle", "databricks_cli_version"),
    ("bundle", "git", "origin_url"),
    ("bundle", "git", "branch"),
    ("bundle", "git", "commit"),
    ("bundle", "git", "actual_branch"),
    ("bundle", "git", "bundle_root_path"),
    ("workspace", "host"),
    ("workspace", "profile"),
    ("workspace", "auth_type"),
    ("workspace", "account_id"),
    ("workspace", "workspace_id"),
}

_VALIDATE_PREFIXES = ("bundle", "workspace", "variables")  # resolve_variable_references.go defaultPrefixes


def resolve_target(
    project: Path,
    target: str | None = None,
    user: str = DEFAULT_USER,
    variables: dict[str, str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> ResolvedBundle:
    """Resolve `target` (the default target when None) of the bundle in `project` for the
    deploying identity `user`, with `--var` values `variables` and the process environment
    `env` (os.environ when None) for `BUNDLE_VAR_<name>`.

    Raises `BundleError` where the CLI stops before producing any configuration; everything
    else (errors included) is reported on the result."""
    project = Path(project).resolve()
    env = os.environ if env is None else env
    # phases/load.go: entry point, includes, target selection and merge.
    root, _included, diagnostics = load_root(project)
    name = select_target_name(root, target)
    target_def = ((root.get("targets") or root.get("environments") or {}).get(name)) or {}
    target_root_path = (target_def.get("workspace") or {}).get("root_path")
    config = merge_target(root, name)
    # cmd/bundle/utils/utils.go configureVariables: --var before the initialize phase.
    apply_var_flags(config, dict(variables or {}))

    # phases/initialize.go, in order.
    _sync_default_path(config)  # SyncDefaultPath
    me = current_user(user)  # PopulateCurrentUser
    workspace = config.setdefault("workspace", {})
    workspace["current_user"] = me.as_config()
    _load_git_details(config, project)  # LoadGitDetails
    define_workspace_paths(config, me)  # DefineDefaultWorkspaceRoot .. PrependWorkspacePrefix
    diagnostics += rewrite_workspace_prefix(config)  # RewriteWorkspacePrefix
    diagnostics += set_variables(config, project, env)  # SetVariables
    dangling: dict[tuple[str, str], Dangling] = {}
    resolver = ReferenceResolver(tree_lookup(config, _VALIDATE_PREFIXES, _TYPED_EMPTY.__contains__), dangling)
    diagnostics += check_lookup_references(config)
    # ResolveVariableReferencesInLookup, ResolveLookupVariables
    resolver.resolve(config, [("variables", n, "lookup") for n in config.get("variables") or {}])
    lookups = resolve_lookups(config)
    # ResolveVariableReferencesWithoutResources
    resolver.resolve(config, [(key,) for key in config if key != "resources"])
    apply_target_mode(config, me.short_name)  # ApplyTargetMode
    # ProcessStaticResources: references in resources, NormalizePaths, then per resource the
    # normalize mutators (merges, CaptureUCDependencies) and the initialize mutators (SetRunAs,
    # ApplyPresets, defaults).
    resolver.resolve(config, [("resources",)])
    diagnostics += normalize_paths(config, project)
    normalize_resources(config)
    schemas_before = {
        key: (str(s.get("catalog_name")), str(s.get("name")))
        for key, s in ((config.get("resources") or {}).get("schemas") or {}).items()
        if isinstance(s, dict)
    }
    diagnostics += set_run_as(config, me.user_name)
    diagnostics += apply_presets(config)
    apply_defaults(config)
    _initialize_volume_paths(config, dangling)  # InitializeVolumePaths + ResolveVolumePathReferences
    diagnostics += translate_paths(config, project)  # TranslatePaths
    diagnostics += configure_dashboards(config, project)  # ConfigureDashboardSerializedDashboard
    prepare_artifacts(config)  # ApplyArtifactsDynamicVersion, artifacts.Prepare
    diagnostics += validate_target_mode(config, me.user_name, me.short_name, target_root_path)
    diagnostics += validate_shared_root(config)  # ValidateSharedRootPermissions
    annotate_deployment(config)  # metadata.AnnotateJobs, metadata.AnnotatePipelines
    if not config.get("include"):
        config.pop("include", None)  # root.go Include is omitempty
    validate_json = plain(config)

    bundle_name = str((config.get("bundle") or {}).get("name"))
    deployed, resource_ids = _deploy_references(copy_tree(config), bundle_name, name, dangling)
    _report_leftovers(deployed, dangling)
    return ResolvedBundle(
        project=project,
        target=name,
        user=me,
        validate_json=validate_json,
        config=plain(deployed),
        dangling=sorted(dangling.values(), key=lambda d: (d.path, d.reference)),
        diagnostics=diagnostics,
        lookups=lookups,
        resource_ids=resource_ids,
        schemas_before_presets=schemas_before,
    )


def _sync_default_path(config: dict[str, Any]) -> None:
    """sync_default_path.go: `sync.paths` defaults to ["."] (the bundle root) unless set."""
    sync = config.get("sync")
    if not isinstance(sync, dict):
        sync = config["sync"] = {}
    if "paths" not in sync:
        sync["paths"] = ["."]


def _load_git_details(config: dict[str, Any], project: Path) -> None:
    """load_git_details.go: `bundle.git.bundle_root_path` is the bundle root relative to the git
    worktree root, or "." outside a repository. Branch, commit and origin URL come from git
    itself and are not emulated."""
    worktree = next((d for d in (project, *project.parents) if (d / ".git").exists()), project)
    git = config.setdefault("bundle", {}).setdefault("git", {})
    git["bundle_root_path"] = project.relative_to(worktree).as_posix() or "."


def _initialize_volume_paths(config: dict[str, Any], dangling: dict[tuple[str, str], Dangling]) -> None:
    """initialize_volume_paths.go: `volume_path` = /Volumes/<catalog>/<schema>/<name>, with pure
    `${resources...}` references in those fields looked up (the schema's prefixed name);
    then `${resources.volumes.<key>.volume_path}` references in resources resolve
    (ResolveVolumePathReferencesOnlyResources)."""
    resources = config.get("resources") or {}
    for volume in (resources.get("volumes") or {}).values():
        if not isinstance(volume, dict):
            continue
        parts = []
        for field_name in ("catalog_name", "schema_name", "name"):
            value = volume.get(field_name) or ""
            match = REFERENCE.fullmatch(value) if isinstance(value, str) else None
            if match and match.group(1).startswith("resources."):
                try:
                    looked_up = get_path(config, tuple(_split(match.group(1))))
                    value = looked_up if isinstance(looked_up, str) else value
                except NoSuchKey:
                    pass
            parts.append(str(value))
        volume["volume_path"] = "/Volumes/" + "/".join(parts)

    def volume_path_only(full: str) -> Any:
        parts = _split(full)
        if len(parts) != 4 or parts[0] != "resources" or parts[1] != "volumes" or parts[3] != "volume_path":
            raise Skip
        try:
            return get_path(config, tuple(parts))
        except NoSuchKey:
            raise Unresolvable(f"unknown resource volumes.{parts[2]}") from None

    ReferenceResolver(volume_path_only, dangling).resolve(config, [("resources",)])


def _split(reference: str) -> list[str]:
    return reference.split(".")


def _deploy_references(
    config: dict[str, Any],
    bundle_name: str,
    target: str,
    dangling: dict[tuple[str, str], Dangling],
) -> tuple[dict[str, Any], dict[tuple[str, str], str]]:
    """What a deploy substitutes for `${resources.<kind>.<key>.<field>}` in resources
    (bundle/deploy/terraform/interpolate.go hands them to Terraform, which fills them from the
    created objects): `id` is the object's id (here a deterministic fake per bundle, target,
    kind and key); another field is the resolved field of that resource (a job's or pipeline's
    `name` with its prefix, a schema's prefixed `name`). An unknown resource or field dangles."""
    resources = config.get("resources") or {}
    ids = {
        (kind, key): fake_id(kind, bundle_name, target, key)
        for kind, items in resources.items()
        for key in (items or {})
    }

    def lookup(full: str) -> Any:
        parts = _split(full)
        if parts[0] != "resources":
            raise Skip
        if len(parts) < 4:
            raise Unresolvable(f"a resource reference needs resources.<kind>.<key>.<field>, got {full}")
        kind, key, field_path = parts[1], parts[2], parts[3:]
        if (kind, key) not in ids:
            raise Unresolvable(f"unknown resource {kind}.{key}")
        if field_path == ["id"]:
            return ids[(kind, key)]
        try:
            return get_path(resources[kind][key], tuple(field_path))
        except NoSuchKey:
            raise Unresolvable(f"resource {kind}.{key} has no field {'.'.join(field_path)!r}") from None

    ReferenceResolver(lookup, dangling).resolve(config, [("resources",)])
    return config, ids


def _report_leftovers(config: dict[str, Any], dangling: dict[tuple[str, str], Dangling]) -> None:
    """Any `${...}` left after every pass names something no pass resolves (an unknown prefix,
    or a resource reference outside `resources`): it would reach the workspace verbatim."""
    recorded = {(d.reference, d.path) for d in dangling.values()}
    for path, text in walk_strings(config):
        for match in REFERENCE.finditer(text):
            key = (match.group(1), format_path(path))
            if key in recorded:
                continue
            loc = location_of(text)
            dangling[key] = Dangling(
                match.group(1),
                key[1],
                str(loc) if loc else None,
                "left unresolved: no CLI pass resolves this reference here",
            )


def bundle_targets(project: Path) -> list[str]:
    """The target names a bundle declares, in file order (a bundle without targets has the
    implicit target "default": bundle/config/mutator/default_target.go)."""
    root, _included, _diagnostics = load_root(Path(project).resolve())
    return list(root.get("targets") or root.get("environments") or {}) or ["default"]
