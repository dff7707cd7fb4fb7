"""Target modes, presets, run_as and the per-resource normalization the CLI does after loading.

databricks/cli v1.13.0, `bundle/config/mutator/resourcemutator/`: `apply_target_mode.go`,
`apply_presets.go`, `validate_target_mode.go`, `run_as.go`, `capture_uc_dependencies.go`,
`merge_job_tasks.go`, `merge_job_parameters.go`, `merge_job_clusters.go`,
`merge_pipeline_clusters.go`, `resource_mutator.go` (order and defaults);
`bundle/permissions/validate.go`; `bundle/deploy/metadata/annotate_jobs.go`,
`annotate_pipelines.go`.
"""

from __future__ import annotations

from typing import Any

from tests.support.emulator.model import Diagnostic
from tests.support.emulator.tree import location_of
from tests.support.emulator.workspace import normalize_string

DEVELOPMENT_CONCURRENT_RUNS = 4  # apply_target_mode.go developmentConcurrentRuns


def apply_target_mode(config: dict[str, Any], short_name: str) -> None:
    """apply_target_mode.go transformDevelopmentMode, for `mode: development` only: deployment
    lock off unless explicitly on; presets default to the name prefix `[dev <short_name>] `, the
    tag `dev: <short_name>`, 4 concurrent runs, PAUSED triggers and development pipelines;
    presets set in the configuration win."""
    bundle = config.setdefault("bundle", {})
    if bundle.get("mode") != "development":
        return
    lock = bundle.setdefault("deployment", {}).setdefault("lock", {})
    if lock.get("enabled") is not True:
        lock["enabled"] = False
    presets = config.setdefault("presets", {})
    if not presets.get("name_prefix"):
        presets["name_prefix"] = f"[dev {short_name}] "
    tags = presets.setdefault("tags", {})
    if "dev" not in tags:
        # The CLI normalizes the tag value for the workspace's cloud (libs/tags); a short name
        # is already letters, digits and underscores, which every cloud accepts.
        tags["dev"] = short_name
    if not presets.get("jobs_max_concurrent_runs"):
        presets["jobs_max_concurrent_runs"] = DEVELOPMENT_CONCURRENT_RUNS
    if not presets.get("trigger_pause_status"):
        presets["trigger_pause_status"] = "PAUSED"
    if presets.get("pipelines_development") is not False:
        presets["pipelines_development"] = True


def merge_elements_by_key(items: list[Any], key: str, key_of: Any, sort: bool = False) -> list[Any]:
    """libs/dyn/merge/elements_by_key.go: elements with the same key merge into the first one
    (later values win), the key field is set to the computed key, optionally sorted by key."""
    from tests.support.emulator.tree import merge

    seen: dict[str, Any] = {}
    for item in items:
        k = key_of(item.get(key) if isinstance(item, dict) else None)
        seen[k] = merge(seen[k], item) if k in seen else item
    keys = sorted(seen) if sort else list(seen)
    out = []
    for k in keys:
        element = dict(seen[k])
        element[key] = k
        out.append(element)
    return out


def normalize_resources(config: dict[str, Any]) -> None:
    """resource_mutator.go applyNormalizeMutators, the parts that change YAML resources here."""
    resources = config.get("resources") or {}
    for job in (resources.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("job_clusters"), list):
            job["job_clusters"] = merge_elements_by_key(job["job_clusters"], "job_cluster_key", _string_key)
        if isinstance(job.get("parameters"), list):
            job["parameters"] = merge_elements_by_key(job["parameters"], "name", _string_key)
        if isinstance(job.get("tasks"), list):
            # merge_job_tasks.go: merged by task_key and sorted by it (as Terraform does).
            job["tasks"] = merge_elements_by_key(job["tasks"], "task_key", _string_key, sort=True)
    for pipeline in (resources.get("pipelines") or {}).values():
        if isinstance(pipeline, dict) and isinstance(pipeline.get("clusters"), list):
            # merge_pipeline_clusters.go: the label defaults to "default" and compares lower-case.
            pipeline["clusters"] = merge_elements_by_key(
                pipeline["clusters"], "label", lambda v: str(v).lower() if v else "default"
            )
    capture_uc_dependencies(config)


def _string_key(value: Any) -> str:
    return "" if value is None else str(value)


def capture_uc_dependencies(config: dict[str, Any]) -> None:
    """capture_uc_dependencies.go: a volume's or pipeline's literal (catalog, schema) that equals
    a bundle schema's (catalog_name, name) becomes `${resources.schemas.<key>.name}`, so it
    follows the schema's name after presets; likewise catalog names of bundle catalogs."""
    resources = config.get("resources") or {}
    schemas = resources.get("schemas") or {}
    catalogs = resources.get("catalogs") or {}

    def schema_ref(catalog: Any, schema: Any) -> Any:
        if not catalog or not schema:
            return schema
        for key, s in schemas.items():
            if isinstance(s, dict) and s.get("catalog_name") == catalog and s.get("name") == schema:
                return f"${{resources.schemas.{key}.name}}"
        return schema

    def catalog_ref(catalog: Any) -> Any:
        if not catalog:
            return catalog
        for key, c in catalogs.items():
            if isinstance(c, dict) and c.get("name") == catalog:
                return f"${{resources.catalogs.{key}.name}}"
        return catalog

    for kind, catalog_field, schema_fields in (
        ("volumes", "catalog_name", ("schema_name",)),
        ("registered_models", "catalog_name", ("schema_name",)),
        ("pipelines", "catalog", ("schema", "target")),
    ):
        for resource in (resources.get(kind) or {}).values():
            if not isinstance(resource, dict):
                continue
            for schema_field in schema_fields:
                if schema_field in resource:
                    resource[schema_field] = schema_ref(resource.get(catalog_field), resource[schema_field])
            if catalog_field in resource:
                resource[catalog_field] = catalog_ref(resource[catalog_field])
    for schema in schemas.values():
        if isinstance(schema, dict) and "catalog_name" in schema:
            schema["catalog_name"] = catalog_ref(schema["catalog_name"])


def set_run_as(config: dict[str, Any], user_name: str) -> list[Diagnostic]:
    """run_as.go: when the bundle has `run_as`, it must name exactly one identity; it is then
    set on every job, pipeline and alert that has no run_as of its own. Without `run_as`,
    nothing is set and everything runs as the deploying identity."""
    # An empty `run_as:` (null) counts as absent (acceptance/bundle/run_as/empty_run_as).
    if config.get("run_as") is None:
        config.pop("run_as", None)
        return []
    run_as = config.get("run_as")
    source = "bundle/config/mutator/resourcemutator/run_as.go"
    if not isinstance(run_as, dict) or not (run_as.get("service_principal_name") or run_as.get("user_name")):
        return [
            Diagnostic(
                "error",
                "run_as section must specify exactly one identity. Neither service_principal_name "
                "nor user_name is specified",
                None,
                source,
            )
        ]
    diagnostics = []
    if run_as.get("service_principal_name") and run_as.get("user_name"):
        diagnostics.append(
            Diagnostic(
                "error",
                "run_as section cannot specify both user_name and service_principal_name",
                None,
                source,
            )
        )
    identity = run_as.get("service_principal_name") or run_as.get("user_name")
    resources = config.get("resources") or {}
    if identity != user_name:
        for kind in ("model_serving_endpoints", "quality_monitors", "apps"):
            if resources.get(kind):
                diagnostics.append(
                    Diagnostic(
                        "error",
                        f"{kind} do not support a setting a run_as user that is different from the owner.",
                        None,
                        source,
                    )
                )
    if any(d.severity == "error" for d in diagnostics):
        return diagnostics
    identity_fields = {k: run_as[k] for k in ("service_principal_name", "user_name") if run_as.get(k)}
    for kind in ("jobs", "pipelines", "alerts"):
        for resource in (resources.get(kind) or {}).values():
            if isinstance(resource, dict) and resource.get("run_as") is None:
                resource["run_as"] = dict(identity_fields)
    return diagnostics


def apply_presets(config: dict[str, Any]) -> list[Diagnostic]:
    """apply_presets.go, for the resource types a medallion bundle uses (jobs, pipelines,
    schemas, volumes, dashboards, alerts, models, registered models): the name prefix on jobs,
    pipelines, dashboards, alerts and models, its
    normalized form (`[dev jane] ` -> `dev_jane_`) on Unity Catalog schemas and registered
    models, none on volumes (their schema carries it); tags; max_concurrent_runs where unset;
    trigger pause status where unset; development pipelines; no continuous pipelines when
    triggers are paused."""
    presets = config.get("presets") or {}
    diagnostics = []
    pause = presets.get("trigger_pause_status") or ""
    if pause not in ("", "PAUSED", "UNPAUSED"):
        diagnostics.append(
            Diagnostic(
                "error",
                "Invalid value for trigger_pause_status, should be PAUSED or UNPAUSED",
                None,
                "bundle/config/mutator/resourcemutator/apply_presets.go",
            )
        )
    prefix = presets.get("name_prefix") or ""
    tags = sorted((presets.get("tags") or {}).items())
    resources = config.get("resources") or {}
    for job in (resources.get("jobs") or {}).values():
        if not isinstance(job, dict):
            continue
        job["name"] = prefix + (job.get("name") or "")
        if tags:
            job_tags = job.setdefault("tags", {})
            for key, value in tags:
                if not job_tags.get(key):
                    job_tags[key] = value
        if not job.get("max_concurrent_runs") and presets.get("jobs_max_concurrent_runs"):
            job["max_concurrent_runs"] = presets["jobs_max_concurrent_runs"]
        if pause:
            for trigger_field in ("schedule", "continuous", "trigger"):
                trigger = job.get(trigger_field)
                if isinstance(trigger, dict) and not trigger.get("pause_status"):
                    trigger["pause_status"] = pause
    for pipeline in (resources.get("pipelines") or {}).values():
        if not isinstance(pipeline, dict):
            continue
        pipeline["name"] = prefix + (pipeline.get("name") or "")
        if presets.get("pipelines_development") is True:
            pipeline["development"] = True
        if pause == "PAUSED":
            # `continuous: false` is the zero value, omitted from the JSON.
            pipeline.pop("continuous", None)
        if tags:
            pipeline_tags = pipeline.setdefault("tags", {})
            for key, value in tags:
                if not pipeline_tags.get(key):
                    pipeline_tags[key] = value
    for dashboard in (resources.get("dashboards") or {}).values():
        if isinstance(dashboard, dict):
            dashboard["display_name"] = prefix + (dashboard.get("display_name") or "")
    for alert in (resources.get("alerts") or {}).values():
        # The prefix; a scheduled alert without its own pause status takes the preset's.
        if not isinstance(alert, dict):
            continue
        alert["display_name"] = prefix + (alert.get("display_name") or "")
        schedule = alert.get("schedule")
        if not (pause and isinstance(schedule, dict) and schedule.get("quartz_cron_schedule")):
            continue
        if not schedule.get("pause_status"):
            schedule["pause_status"] = pause
    for model in (resources.get("models") or {}).values():
        # MLflow models: the prefix, and each preset tag the model does not set itself.
        if isinstance(model, dict):
            model["name"] = prefix + (model.get("name") or "")
            model_tags = model.setdefault("tags", []) if tags else []
            for key, value in tags:
                if not any(isinstance(t, dict) and t.get("key") == key for t in model_tags):
                    model_tags.append({"key": key, "value": value})
    if not (config.get("experimental") or {}).get("skip_name_prefix_for_schema"):
        for schema in (resources.get("schemas") or {}).values():
            if isinstance(schema, dict):
                schema["name"] = normalize_prefix(prefix) + (schema.get("name") or "")
    for model in (resources.get("registered_models") or {}).values():
        if isinstance(model, dict):
            model["name"] = normalize_prefix(prefix) + (model.get("name") or "")
    return diagnostics


def normalize_prefix(prefix: str) -> str:
    """apply_presets.go normalizePrefix: `[dev jane] ` -> `dev_jane_`."""
    prefix = prefix.replace("[", "").strip(" ")
    suffix = "_" if prefix.endswith("]") else ""
    return normalize_string(prefix) + suffix


RESOURCE_PATH = object()
"""Stands for the bundle's `workspace.resource_path` (b.Config.Workspace.ResourcePath) in _DEFAULTS."""

# resource_mutator.go applyInitializeMutators defaults (same as the Terraform provider's), for
# the resource types a medallion bundle uses.
_DEFAULTS: list[tuple[str, tuple[str, ...], Any]] = [
    ("volumes", ("volume_type",), "MANAGED"),
    ("jobs", ("name",), "Untitled"),
    ("jobs", ("max_concurrent_runs",), 1),
    ("jobs", ("schedule", "pause_status"), "UNPAUSED"),
    ("jobs", ("trigger", "pause_status"), "UNPAUSED"),
    ("jobs", ("continuous", "pause_status"), "UNPAUSED"),
    ("jobs", ("queue",), {"enabled": True}),
    ("pipelines", ("edition",), "ADVANCED"),
    ("pipelines", ("channel",), "CURRENT"),
    ("dashboards", ("parent_path",), RESOURCE_PATH),
    ("dashboards", ("embed_credentials",), False),
    ("alerts", ("parent_path",), RESOURCE_PATH),
]


def apply_defaults(config: dict[str, Any]) -> None:
    """bundle.SetDefault: set where unset, and only where the parent exists (a job without
    `trigger` gets no trigger)."""
    resources = config.get("resources") or {}
    resource_path = (config.get("workspace") or {}).get("resource_path")
    for kind, path, default in _DEFAULTS:
        value = resource_path if default is RESOURCE_PATH else default
        for resource in (resources.get(kind) or {}).values():
            if not isinstance(resource, dict):
                continue
            node: Any = resource
            for part in path[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict) and node.get(path[-1]) in (None, ""):
                node[path[-1]] = dict(value) if isinstance(value, dict) else value


def validate_target_mode(
    config: dict[str, Any], user_name: str, short_name: str, target_root_path: Any
) -> list[Diagnostic]:
    """validate_target_mode.go. Development: presets may not unpause triggers; workspace paths
    and the name prefix must contain the user's name. Production: no development pipeline;
    `workspace.root_path` set explicitly by the target (an error, only a recommendation when
    every job has run_as or the deployer is a service principal)."""
    source = "bundle/config/mutator/resourcemutator/validate_target_mode.go"
    mode = (config.get("bundle") or {}).get("mode")
    presets = config.get("presets") or {}
    workspace = config.get("workspace") or {}
    resources = config.get("resources") or {}
    out: list[Diagnostic] = []
    if mode == "development":
        if presets.get("trigger_pause_status") == "UNPAUSED":
            out.append(
                Diagnostic(
                    "error",
                    "target with 'mode: development' cannot set trigger pause status to UNPAUSED by default",
                    _loc(presets.get("trigger_pause_status")),
                    source,
                )
            )
        for field_name in ("root_path", "file_path", "resource_path", "artifact_path", "state_path"):
            value = workspace.get(field_name)
            if value and user_name not in value and short_name not in value:
                if field_name == "artifact_path" and value.startswith("/Volumes"):
                    summary = (
                        f"{field_name} should contain the current username or "
                        "${workspace.current_user.short_name} to ensure uniqueness when using "
                        "'mode: development'"
                    )
                else:
                    summary = (
                        f"{field_name} must start with '~/' or contain the current username to ensure "
                        "uniqueness when using 'mode: development'"
                    )
                out.append(Diagnostic("error", summary, _loc(value), source))
                break
        prefix = presets.get("name_prefix") or ""
        if prefix and user_name not in prefix and short_name not in prefix:
            out.append(
                Diagnostic(
                    "error",
                    "prefix should contain the current username or ${workspace.current_user.short_name} "
                    "to ensure uniqueness when using 'mode: development'",
                    _loc(prefix),
                    source,
                )
            )
    elif mode == "production":
        for pipeline in (resources.get("pipelines") or {}).values():
            if isinstance(pipeline, dict) and pipeline.get("development") is True:
                return [
                    Diagnostic(
                        "error",
                        "target with 'mode: production' cannot include a pipeline with 'development: true'",
                        None,
                        source,
                    )
                ]
        if not target_root_path:
            jobs = resources.get("jobs") or {}
            all_run_as = all(isinstance(j, dict) and j.get("run_as") is not None for j in jobs.values())
            from tests.support.emulator.workspace import is_service_principal

            severity = "recommendation" if all_run_as or is_service_principal(user_name) else "error"
            verb = "should" if severity == "recommendation" else "must"
            out.append(
                Diagnostic(
                    severity,
                    f"target with 'mode: production' {verb} set 'workspace.root_path' to make sure only one "
                    "copy is deployed",
                    None,
                    source,
                )
            )
    elif mode not in (None, ""):
        out.append(
            Diagnostic(
                "error",
                f"unsupported value '{mode}' specified for 'mode': must be either 'development' "
                "or 'production'",
                None,
                source,
            )
        )
    return out


def validate_shared_root(config: dict[str, Any]) -> list[Diagnostic]:
    """bundle/permissions/validate.go: a root under /Workspace/Shared/ without CAN_MANAGE for
    the `users` group is writable by every workspace user: a warning."""
    root = (config.get("workspace") or {}).get("root_path") or ""
    if not root.startswith("/Workspace/Shared/"):
        return []
    for permission in config.get("permissions") or []:
        if (
            isinstance(permission, dict)
            and permission.get("group_name") == "users"
            and permission.get("level") == "CAN_MANAGE"
        ):
            return []
    return [
        Diagnostic(
            "warning",
            f"the bundle root path {root} is writable by all workspace users",
            None,
            "bundle/permissions/validate.go",
        )
    ]


def annotate_deployment(config: dict[str, Any]) -> None:
    """annotate_jobs.go / annotate_pipelines.go: deployment metadata on every job and pipeline;
    jobs are UI_LOCKED (the editable case needs the CLI running inside a workspace) and
    MULTI_TASK."""
    state_path = (config.get("workspace") or {}).get("state_path")
    deployment = {"kind": "BUNDLE", "metadata_file_path": f"{state_path}/metadata.json"}
    resources = config.get("resources") or {}
    for job in (resources.get("jobs") or {}).values():
        if isinstance(job, dict):
            job["deployment"] = dict(deployment)
            job["edit_mode"] = "UI_LOCKED"
            job["format"] = "MULTI_TASK"
    for pipeline in (resources.get("pipelines") or {}).values():
        if isinstance(pipeline, dict):
            pipeline["deployment"] = dict(deployment)


def _loc(value: Any) -> str | None:
    loc = location_of(value)
    return str(loc) if loc else None
