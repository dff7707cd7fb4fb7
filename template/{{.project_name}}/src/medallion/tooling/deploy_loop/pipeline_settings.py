"""Resolved pipeline settings in the Pipelines API shape (PipelineSpec JSON)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from databricks.sdk.service.pipelines import PipelineSpec

_REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")


def api_settings(pipeline: dict[str, Any]) -> dict[str, Any]:
    """Keep what the Pipelines API knows (drops bundle-only keys such as permissions)."""
    return PipelineSpec.from_dict(pipeline).as_dict()


def offline_pipeline(project: Path, target: str) -> dict[str, dict[str, Any]]:
    """resources.pipelines of databricks.yml and its includes, with ${var/bundle/resources...} resolved."""
    root = yaml.safe_load((project / "databricks.yml").read_text()) or {}
    values = {f"var.{k}": (v or {}).get("default") for k, v in (root.get("variables") or {}).items()}
    target_config = (root.get("targets") or {}).get(target) or {}
    values.update({f"var.{k}": v for k, v in (target_config.get("variables") or {}).items()})
    values.update({"bundle.target": target, "bundle.name": (root.get("bundle") or {}).get("name")})
    resources: dict[str, dict[str, Any]] = {}
    documents = [
        yaml.safe_load(p.read_text()) or {}
        for pattern in root.get("include") or []
        for p in sorted(project.glob(pattern))
    ]
    target_configs = [((d.get("targets") or {}).get(target) or {}) for d in documents]
    for document in [root, *documents, target_config, *target_configs]:
        for kind, items in (document.get("resources") or {}).items():
            for key, body in (items or {}).items():
                _merge(resources.setdefault(kind, {}).setdefault(key, {}), body or {})

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str):
            return _REFERENCE.sub(lambda m: str(lookup(m.group(1), m.group(0))), value)
        return value

    def lookup(name: str, original: str) -> Any:
        if name in values and values[name] is not None:
            return resolve(values[name])
        parts = name.split(".")
        if (
            parts[0] == "resources"
            and len(parts) == 4
            and parts[3] in resources.get(parts[1], {}).get(parts[2], {})
        ):
            return resolve(resources[parts[1]][parts[2]][parts[3]])
        return original

    return {key: resolve(body) for key, body in resources.get("pipelines", {}).items()}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    """Target overrides merge into mappings key by key, as the CLI merges them."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
