"""Spec variants of the rendered retail spec (other source types, extra rules)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def retail_document(project: Path) -> dict[str, Any]:
    return yaml.safe_load((project / "medallion.yml").read_text())


def write_variant(project: Path, target: Path, source: dict[str, Any], **changes: Any) -> Path:
    """The retail spec with other source defaults (and top-level changes) written to `target`."""
    document = retail_document(project)
    document["defaults"]["source"] = source
    document.update(changes)
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def without_gold(project: Path) -> Path:
    """Drop the gold section of a project's spec: these tests judge bronze and silver alone."""
    document = retail_document(project)
    document.pop("gold", None)
    (project / "medallion.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project
