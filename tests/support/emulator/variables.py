"""Variable values: `--var`, `BUNDLE_VAR_<name>`, the variable-overrides file, defaults, and
`lookup` variables (which need a workspace, so they get a deterministic fake id here).

databricks/cli v1.13.0: `bundle/config/mutator/set_variables.go`,
`resolve_lookup_variables.go`, `resolve_variable_references.go` (ResolveVariableReferencesInLookup,
lookupForVariables), `bundle/config/variable/lookup.go`, `resolve_warehouse.go`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.emulator.model import BundleError, Diagnostic, LookupUse
from tests.support.emulator.references import REFERENCE, expand_var_shorthand, references_in

BUNDLE_VAR_PREFIX = "BUNDLE_VAR_"


def set_variables(config: dict[str, Any], project: Path, env: Mapping[str, str]) -> list[Diagnostic]:
    """set_variables.go setVariable, per variable without a value yet (a `--var` value was set
    before): the environment `BUNDLE_VAR_<name>`; else a lookup variable waits for its lookup;
    else `.databricks/bundle/<target>/variable-overrides.json`; else the default; else an error."""
    diagnostics: list[Diagnostic] = []
    target = (config.get("bundle") or {}).get("target")
    overrides_file = project / ".databricks" / "bundle" / str(target) / "variable-overrides.json"
    file_values: dict[str, Any] = {}
    if overrides_file.is_file():
        loaded = json.loads(overrides_file.read_text())
        if not isinstance(loaded, dict):
            raise BundleError(f"failed to parse variables file {overrides_file}: invalid format")
        file_values = loaded
    variables = config.get("variables") or {}
    for name in list(variables):
        definition = variables[name] = dict(variables[name] or {})
        if "value" in definition:
            continue
        complex_type = definition.get("type") == "complex"
        if BUNDLE_VAR_PREFIX + name in env:
            if complex_type:
                raise BundleError(
                    f"setting via environment variables ({BUNDLE_VAR_PREFIX}{name}) is not supported "
                    f"for complex variable {name}"
                )
            definition["value"] = env[BUNDLE_VAR_PREFIX + name]
        elif definition.get("lookup"):
            continue
        elif file_values.get(name) is not None:
            definition["value"] = file_values[name]
        elif "default" in definition and definition["default"] is not None:
            definition["value"] = definition["default"]
        else:
            diagnostics.append(
                Diagnostic(
                    "error",
                    f"no value assigned to required variable {name}. Variables are usually assigned in "
                    'databricks.yml, and they can be overridden using "--var", the '
                    f"{BUNDLE_VAR_PREFIX}{name} environment variable, or "
                    ".databricks/bundle/<target>/variable-overrides.json",
                    None,
                    "bundle/config/mutator/set_variables.go",
                )
            )
    return diagnostics


def check_lookup_references(config: dict[str, Any]) -> list[Diagnostic]:
    """lookupForVariables: a lookup may reference variables, but not another lookup variable."""
    diagnostics = []
    variables = config.get("variables") or {}
    for name, definition in variables.items():
        for field_value in ((definition or {}).get("lookup") or {}).values():
            if not isinstance(field_value, str):
                continue
            for reference in references_in(field_value):
                full = expand_var_shorthand(reference).split(".")
                if full[0] == "variables" and len(full) > 1 and (variables.get(full[1]) or {}).get("lookup"):
                    diagnostics.append(
                        Diagnostic(
                            "error",
                            f"variable {name}: lookup variables cannot contain references to another "
                            "lookup variables",
                            None,
                            "bundle/config/mutator/resolve_variable_references.go",
                        )
                    )
    return diagnostics


def fake_id(kind: str, *parts: str) -> str:
    """A deterministic stand-in for an id the workspace would assign or return.

    Warehouse ids are 16 lower-case hex characters and job ids are integers (the formats the
    template itself accepts and the Jobs API returns); everything else gets a UUID, the format
    of pipeline ids. Only the format is emulated: a real workspace is needed for real ids."""
    digest = hashlib.sha256("/".join((kind, *parts)).encode()).hexdigest()
    if kind in ("warehouse", "warehouses", "sql_warehouses"):
        return digest[:16]
    if kind in ("job", "jobs"):
        return str(int(digest[:12], 16))
    return str(uuid.UUID(digest[:32]))


def resolve_lookups(config: dict[str, Any]) -> list[LookupUse]:
    """resolve_lookup_variables.go: each lookup variable without a value gets the id of the named
    object (here a fake id derived from kind and name); a lookup with a value is ignored."""
    uses = []
    for name, definition in (config.get("variables") or {}).items():
        lookup = (definition or {}).get("lookup")
        if not lookup or "value" in definition:
            continue
        # variable/lookup.go: exactly one kind is set (alert, cluster, cluster_policy, dashboard,
        # instance_pool, job, metastore, notification_destination, pipeline, query,
        # service_principal, warehouse).
        kind, object_name = next(iter(lookup.items()))
        if isinstance(object_name, str) and REFERENCE.search(object_name):
            continue  # left unresolved; reported as dangling by the caller
        value = fake_id(kind, str(object_name))
        definition["value"] = value
        uses.append(LookupUse(name, kind, str(object_name), value))
    return uses
