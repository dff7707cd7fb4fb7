"""What inference found for each table, gathered for the YAML writer."""

from __future__ import annotations

from dataclasses import dataclass, field

from medallion.tooling.inference.foreign_keys import ForeignKey
from medallion.tooling.inference.primary_keys import KeyCandidate
from medallion.tooling.inference.profile import TableProfile
from medallion.tooling.inference.star import Star
from medallion.tooling.inference.suggested_rules import Suggestions


@dataclass(frozen=True)
class DraftTable:
    """One source table's draft: profile, key, rules, references, column comments."""

    profile: TableProfile
    key: KeyCandidate | None
    rules: Suggestions
    references: tuple[ForeignKey, ...]
    column_notes: dict[str, str]
    suggested_references: tuple[ForeignKey, ...] = ()
    """References whose names match but whose values match less well: written commented out."""
    thresholds: dict[str, float] = field(default_factory=dict)
    """Drafted data-quality limits (max_orphan_fraction, max_quarantine_fraction) and their evidence
    in `threshold_notes`."""
    threshold_notes: dict[str, str] = field(default_factory=dict)
    derived: dict[str, dict[str, str]] = field(default_factory=dict)
    """Proposed derived columns (name -> {type, expr}) and their evidence in `derived_notes`."""
    derived_notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    """Every table, in name order, and the proposed star."""

    tables: tuple[DraftTable, ...]
    star: Star
