"""What a resolution returns: the resolved configuration and everything found on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.emulator.references import Dangling

CLI_TAG = "v1.13.0"
"""The databricks/cli tag whose sources the emulator follows (paths cited in comments)."""


class BundleError(Exception):
    """The CLI would stop before producing any configuration (no such target, bad YAML, ...)."""


@dataclass(frozen=True)
class Diagnostic:
    """One CLI diagnostic: severity `error`, `warning` or `recommendation`, its summary, where it
    points (if anywhere) and the CLI source that emits it."""

    severity: str
    summary: str
    location: str | None = None
    source: str = ""

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"{self.severity}: {self.summary}{where}"


@dataclass(frozen=True)
class CurrentUser:
    """`${workspace.current_user.*}` as bundle/config/mutator/populate_current_user.go fills it."""

    user_name: str
    short_name: str
    domain_friendly_name: str
    is_service_principal: bool

    def as_config(self) -> dict[str, Any]:
        return {
            "userName": self.user_name,
            "short_name": self.short_name,
            "domain_friendly_name": self.domain_friendly_name,
        }


@dataclass(frozen=True)
class LookupUse:
    """A `lookup` variable: it needs the workspace, so it got a deterministic fake id."""

    variable: str
    kind: str
    name: str
    fake_id: str


@dataclass
class ResolvedBundle:
    """One target of a bundle, resolved.

    - `validate_json`: the shape and values of `databricks bundle validate -t T -o json`:
      `${resources.<kind>.<key>.<field>}` references stay verbatim as the CLI leaves them
      (they are resolved at deploy time).
    - `config`: the same tree with those references substituted as a deploy would
      (`id` -> `resource_ids`, other fields -> the resolved field, e.g. a prefixed `name`):
      what the workspace holds after `bundle deploy`. Job runners read this one.
    - `dangling`: every reference that names nothing (unknown variable, resource or field),
      with where it is used. The CLI stops at the first; the emulator lists them all.
    - `diagnostics`: the CLI's errors, warnings and recommendations for this target.
    - `lookups`: variables resolved by `lookup` (a real workspace is needed to confirm them).
    - `schemas_before_presets`: resource key -> (catalog, name) of each bundle schema before
      the development prefix, so callers can tell a bundle schema named without its prefix.
    """

    project: Path
    target: str
    user: CurrentUser
    validate_json: dict[str, Any]
    config: dict[str, Any]
    dangling: list[Dangling] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lookups: list[LookupUse] = field(default_factory=list)
    resource_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    schemas_before_presets: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def mode(self) -> str | None:
        return (self.config.get("bundle") or {}).get("mode")

    def resources(self, kind: str) -> dict[str, Any]:
        return (self.config.get("resources") or {}).get(kind) or {}
