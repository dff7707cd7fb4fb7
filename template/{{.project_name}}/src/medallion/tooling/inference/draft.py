"""The inference flow: sample files -> profiles -> keys -> references -> rules -> star -> YAML."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from medallion.tooling.inference.draft_model import Draft, DraftTable
from medallion.tooling.inference.foreign_keys import find_foreign_keys
from medallion.tooling.inference.primary_keys import KeyCandidate, find_key
from medallion.tooling.inference.profile import ColumnProfile, TableProfile, profile_table
from medallion.tooling.inference.read import DEFAULT_MAX_ROWS, all_rows, discover, read_table
from medallion.tooling.inference.star import propose_star
from medallion.tooling.inference.suggested_rules import suggest_rules
from medallion.tooling.inference.types import parse_as
from medallion.tooling.inference.write import render


def build_draft(paths: list[Path], max_rows: int = DEFAULT_MAX_ROWS) -> Draft:
    """Read and analyse every table found under `paths`."""
    found = discover(paths)
    profiles = {name: profile_table(read_table(name, files, max_rows)) for name, files in found.items()}
    keys = {name: find_key(profile) for name, profile in profiles.items()}
    every_key = {
        name: _every_key(profile, key.columns)
        for name, profile in profiles.items()
        if (key := keys[name]) and profile.sample.truncated
    }
    references = find_foreign_keys(profiles, keys, every_key)
    tables = []
    for name, profile in profiles.items():
        outgoing = tuple(fk for fk in references if fk.table == name and fk.confirmed)
        suggested = tuple(fk for fk in references if fk.table == name and not fk.confirmed)
        linked = {c for fk in outgoing for c in fk.columns}
        rules = suggest_rules(profile, keys[name], linked)
        notes = _column_notes(profile, keys[name])
        tables.append(DraftTable(profile, keys[name], rules, outgoing, notes, suggested))
    confirmed = [fk for fk in references if fk.confirmed]
    return Draft(tuple(tables), propose_star(profiles, keys, confirmed))


def infer_spec(paths: list[Path], max_rows: int = DEFAULT_MAX_ROWS) -> str:
    """The drafted medallion.yml text for the sample files under `paths`."""
    return render(build_draft(paths, max_rows))


def _every_key(profile: TableProfile, columns: tuple[str, ...]) -> pd.DataFrame:
    """Every key value of a table sampled with a stride: references are checked against all keys."""
    types = {c: profile.column(c).type for c in columns}
    values = {
        tuple(parse_as(types[c], row.get(c)) for c in columns)
        for row in all_rows(list(profile.sample.files), profile.sample.null_values)
    }
    return pd.DataFrame(sorted(values, key=str), columns=list(columns), dtype=object)


def _column_notes(profile: TableProfile, key: KeyCandidate | None) -> dict[str, str]:
    required = {*key.columns, key.sequence_by} if key else set()
    return {c.name: note for c in profile.columns if (note := _note(c, profile, required))}


def _note(column: ColumnProfile, profile: TableProfile, required: set[str]) -> str:
    typed = column.column
    if typed.note:
        return typed.note
    if typed.bad:
        examples = ", ".join(repr(e) for e in typed.bad_examples)
        caught = (
            "the not_null rule fails them"
            if column.name in required or not typed.nulls
            else "no rule catches them: the column also has NULLs"
        )
        return (
            f"{typed.bad:,} of {profile.rows:,} values are not {column.type} (e.g. {examples}): "
            f"try_cast makes them NULL; {caught}"
        )
    return ""
