"""Every `/Volumes/<catalog>/<schema>/<volume>/...` path a resolved bundle uses, and whether the
bundle creates that volume in that target.

A Unity Catalog volume path is `/Volumes/<catalog>/<schema>/<volume>/<path>` (Databricks docs,
"What are Unity Catalog volumes?", docs.databricks.com/volumes/). A bundle creates a volume
with a `resources.volumes` entry; its resolved `catalog_name`, `schema_name` (after the
development prefix of its schema) and `name` give that path (the CLI computes the same
`volume_path`: bundle/config/mutator/initialize_volume_paths.go, v1.13.0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tests.support.emulator.model import ResolvedBundle
from tests.support.emulator.tree import format_path, walk_strings

VOLUME_PATH = re.compile(r"/Volumes/([^/\s'\"]+)/([^/\s'\"]+)/([^/\s'\"]+)((?:/[^\s'\"]*)?)")


@dataclass(frozen=True)
class VolumeUse:
    """One volume path found in the resolved configuration.

    `created_by` is the `resources.volumes` key that creates this volume in this target, or
    None. `schema_owner` is the `resources.schemas` key whose resolved (catalog, name) is the
    path's schema in this target, or None. `bundle_schema` is the key of a bundle schema that
    the path names in some other form: the schema's name before the development prefix, or
    its name in another resolved target of the same bundle (see `classify`)."""

    path: str
    used_at: str
    catalog: str
    schema: str
    volume: str
    created_by: str | None
    schema_owner: str | None
    bundle_schema: str | None = None

    @property
    def volume_path(self) -> str:
        return f"/Volumes/{self.catalog}/{self.schema}/{self.volume}"


@dataclass(frozen=True)
class VolumeReport:
    """Volume paths of one target, sorted into what the bundle creates, what it should create
    (the path is under a schema the bundle owns, in this or another form, but no volume of
    the bundle is there) and what is external (another owner's schema: allowed, listed)."""

    target: str
    created: list[VolumeUse]
    missing: list[VolumeUse]
    external: list[VolumeUse]


def created_volumes(resolved: ResolvedBundle) -> dict[str, tuple[str, str, str]]:
    """resources.volumes key -> (catalog, schema, name) as deployed in this target."""
    out = {}
    for key, volume in resolved.resources("volumes").items():
        if isinstance(volume, dict):
            out[key] = (
                str(volume.get("catalog_name")),
                str(volume.get("schema_name")),
                str(volume.get("name")),
            )
    return out


def created_schemas(resolved: ResolvedBundle) -> dict[str, tuple[str, str]]:
    """resources.schemas key -> (catalog, name) as deployed in this target (prefix included)."""
    out = {}
    for key, schema in resolved.resources("schemas").items():
        if isinstance(schema, dict):
            out[key] = (str(schema.get("catalog_name")), str(schema.get("name")))
    return out


def volume_uses(
    resolved: ResolvedBundle, sections: Iterable[str] = ("resources", "variables")
) -> list[VolumeUse]:
    """Every volume path in the deployed configuration's `sections` (pipeline configuration,
    job task parameters, variable values, ...) except the `volume_path` the CLI computes for
    each created volume, with what creates the volume and owns its schema in this target."""
    volumes = created_volumes(resolved)
    schemas = created_schemas(resolved)
    uses = []
    for section in sections:
        tree: Any = resolved.config.get(section)
        for path, text in walk_strings(tree, (section,)):
            if len(path) == 4 and path[:2] == ("resources", "volumes") and path[3] == "volume_path":
                continue
            for match in VOLUME_PATH.finditer(text):
                catalog, schema, volume = match.group(1), match.group(2), match.group(3)
                uses.append(
                    VolumeUse(
                        path=match.group(0),
                        used_at=format_path(path),
                        catalog=catalog,
                        schema=schema,
                        volume=volume,
                        created_by=next(
                            (k for k, v in volumes.items() if v == (catalog, schema, volume)), None
                        ),
                        schema_owner=next((k for k, v in schemas.items() if v == (catalog, schema)), None),
                    )
                )
    return uses


def classify(resolved: ResolvedBundle, others: Iterable[ResolvedBundle] = ()) -> VolumeReport:
    """Sort the volume paths of `resolved` (see VolumeReport). A path counts as under the
    bundle's own schema when its (catalog, schema) is a bundle schema in this target, or that
    schema's name before the development prefix, or that schema as resolved in one of
    `others` (other targets of the same bundle): a dev target reading its schema without the
    `dev_<user>_` prefix, or staging reading prod's schema, uses a volume it does not create."""
    own_forms: dict[tuple[str, str], str] = {}
    for bundle in (resolved, *others):
        for key, names in created_schemas(bundle).items():
            own_forms.setdefault(names, key)
        for key, names in bundle.schemas_before_presets.items():
            own_forms.setdefault(names, key)
    created, missing, external = [], [], []
    for use in volume_uses(resolved):
        if use.created_by is not None:
            created.append(use)
            continue
        owner = use.schema_owner or own_forms.get((use.catalog, use.schema))
        if owner is not None:
            missing.append(_with_owner(use, owner))
        else:
            external.append(use)
    return VolumeReport(resolved.target, created, missing, external)


def _with_owner(use: VolumeUse, owner: str) -> VolumeUse:
    return VolumeUse(
        use.path, use.used_at, use.catalog, use.schema, use.volume, use.created_by, use.schema_owner, owner
    )
