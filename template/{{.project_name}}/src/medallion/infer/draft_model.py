"""What inference found for each table, gathered for the YAML writer."""

from __future__ import annotations

from dataclasses import dataclass

from medallion.infer.foreign_keys import ForeignKey
from medallion.infer.keys import KeyCandidate
from medallion.infer.profile import TableProfile
from medallion.infer.rules import Suggestions
from medallion.infer.star import Star


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


@dataclass(frozen=True)
class Draft:
    """Every table, in name order, and the proposed star."""

    tables: tuple[DraftTable, ...]
    star: Star
