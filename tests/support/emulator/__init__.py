"""Offline workspace emulator, part 1: resolve a bundle target the way the Databricks CLI does.

Test support, not a product feature. Follows databricks/cli v1.13.0 (tests/emulator/
test_cli_parity.py compares it with that release's acceptance tests when DATABRICKS_CLI_CHECKOUT
names a clone); each behaviour cites the source it emulates.

API
---
`resolve_target(project, target=None, user="data.engineer@example.com", variables=None, *, env=None)
-> ResolvedBundle` resolves one target (the default target when None) for the deploying
identity `user`, with `--var` values `variables` and `BUNDLE_VAR_<name>` read from `env`
(os.environ when None). Raises `BundleError` only where the CLI produces no configuration at
all (no such target, unreadable YAML, an undefined `--var`).

`ResolvedBundle`:
- `validate_json`: what `databricks bundle validate -t T -o json` prints: top-level keys
  `bundle` (name, target, environment, uuid, mode, git.bundle_root_path, deployment.lock in
  development), `include` (included files, omitted when none), `workspace` (current_user
  {userName, short_name, domain_friendly_name}, root_path, file_path, resource_path,
  artifact_path, state_path, profile/host if set), `variables` (`<name>: {default,
  description, lookup, value}`), `artifacts`, `presets`, `run_as`, `sync` (paths default
  ["."]), `permissions` and `resources.<kind>.<key>` (jobs, pipelines, schemas, volumes, ...) with presets,
  run_as, defaults and translated paths applied. `${resources.<kind>.<key>.<field>}`
  references stay verbatim, as the CLI leaves them until deploy.
- `config`: the same tree as deployed, those references substituted (`id` -> the fake id in
  `resource_ids`, other fields -> the resolved field, e.g. a schema's prefixed `name`).
- `dangling`: list of `Dangling(reference, path, location, reason)`: every reference that
  does not resolve (unknown variable, unknown resource, unknown field, unknown prefix),
  with the config path where it is used and the file:line where it was written.
- `diagnostics`: `Diagnostic(severity, summary, location, source)`, the CLI's errors,
  warnings and recommendations (`errors` lists the errors).
- `lookups`: `LookupUse(variable, kind, name, fake_id)` for variables that need the workspace.
- `resource_ids`: (kind, key) -> deterministic fake id (`jobs`: digits, `pipelines` and
  others: a UUID); `schemas_before_presets`: key -> (catalog, name) before the dev prefix.
- `user`: `CurrentUser(user_name, short_name, domain_friendly_name, is_service_principal)`.

`bundle_targets(project) -> list[str]` lists the targets a bundle declares.

For runners: `job_views(resolved) -> {key: JobView(key, job_id, settings)}` (`.tasks` in the CLI's
order, `.task(key)`, `.environments`, `.parameters`), `pipeline_views(resolved) -> {key:
PipelineView(key, pipeline_id, settings)}` (`.configuration`), `pipeline_by_id`,
`unknown_dynamic_references(resolved)` (`{{job.parameters.x}}` / `{{tasks.k...}}` naming
nothing). Settings are the `config` tree's `resources.jobs.<key>` /
`resources.pipelines.<key>`, unchanged in shape.

For volumes: `volume_uses(resolved)` lists every `/Volumes/<catalog>/<schema>/<volume>/...`
path in resources and variables with the volume resource that creates it in this target
(if any); `classify(resolved, others)` sorts them into created / missing (under a schema the
bundle owns, in any target or before its prefix, but not created) / external.

Emulated (with the CLI source cited in each module): loading and includes, target selection
and overrides, variable precedence (--var > BUNDLE_VAR_ > variable-overrides.json >
target default > default), lookups (fake ids), `${var.*}`, `${bundle.*}`, `${workspace.*}`
(current user short name, root/file/artifact/state/resource paths), development presets and
production checks, run_as, Unity Catalog dependency capture, relative path translation, job
task and parameter merging, deployment metadata. Not emulated (a real workspace or CLI is
needed): authentication and `workspace.host`, real lookups and ids, git details, Python
resources (PyDABs), `sync` outside the bundle root, pipeline glob expansion of notebook/file
libraries, permissions beyond the shared-root warning, Terraform/direct engine validation of
resource fields.
"""

from __future__ import annotations

from tests.support.emulator.model import (
    CLI_TAG,
    BundleError,
    CurrentUser,
    Diagnostic,
    LookupUse,
    ResolvedBundle,
)
from tests.support.emulator.references import Dangling
from tests.support.emulator.resolve import DEFAULT_USER, bundle_targets, resolve_target
from tests.support.emulator.views import (
    JobView,
    PipelineView,
    job_views,
    pipeline_by_id,
    pipeline_views,
    unknown_dynamic_references,
)
from tests.support.emulator.volumes import VolumeReport, VolumeUse, classify, volume_uses

__all__ = [
    "CLI_TAG",
    "DEFAULT_USER",
    "BundleError",
    "CurrentUser",
    "Dangling",
    "Diagnostic",
    "JobView",
    "LookupUse",
    "PipelineView",
    "ResolvedBundle",
    "VolumeReport",
    "VolumeUse",
    "bundle_targets",
    "classify",
    "job_views",
    "pipeline_by_id",
    "pipeline_views",
    "resolve_target",
    "unknown_dynamic_references",
    "volume_uses",
]
