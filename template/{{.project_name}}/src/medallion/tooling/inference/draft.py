"""The inference flow: sample files -> profiles -> keys -> references -> rules -> star -> YAML."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd

from medallion.tooling.inference.draft_model import Draft, DraftTable
from medallion.tooling.inference.foreign_keys import ForeignKey, between_facts, find_foreign_keys
from medallion.tooling.inference.primary_keys import KeyCandidate, find_key
from medallion.tooling.inference.profile import ColumnProfile, TableProfile, profile_table
from medallion.tooling.inference.read import DEFAULT_MAX_ROWS, all_rows, discover, read_table
from medallion.tooling.inference.star import propose_star
from medallion.tooling.inference.suggested_rules import Suggestions, suggest_rules
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
    references = between_facts(
        _over_the_whole_files(find_foreign_keys(profiles, keys, every_key), profiles, every_key), keys
    )
    tables = []
    for name, profile in profiles.items():
        outgoing = tuple(fk for fk in references if fk.table == name and fk.confirmed)
        suggested = tuple(fk for fk in references if fk.table == name and not fk.confirmed)
        linked = {c for fk in outgoing for c in fk.columns}
        rules = suggest_rules(profile, keys[name], linked)
        notes = _column_notes(profile, keys[name])
        limits, why = draft_thresholds(profile, rules, outgoing)
        derived, derived_notes = propose_dates(profile)
        tables.append(
            DraftTable(
                profile, keys[name], rules, outgoing, notes, suggested, limits, why, derived, derived_notes
            )
        )
    confirmed = [fk for fk in references if fk.confirmed]
    star = propose_star(profiles, keys, confirmed)
    for table in tables:
        for fact in star.facts:
            if fact.body.get("source") == table.profile.name and table.derived:
                fact.body["event_time"] = next(iter(table.derived))
    return Draft(tuple(tables), star)


def infer_spec(paths: list[Path], max_rows: int = DEFAULT_MAX_ROWS) -> str:
    """The drafted medallion.yml text for the sample files under `paths`."""
    return render(build_draft(paths, max_rows))


DATE_PARTS = ("year", "month", "day")
DATE_EXPR = "CAST(try_to_timestamp(concat_ws('-', year, month, day), 'y-M-d') AS DATE)"


def propose_dates(profile: TableProfile) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """A derived date from year, month and day columns (whole numbers), named `date` (or
    `<table>_date` when taken); the evidence says whether a timestamp of the table disagrees
    with them (a UTC time stamp of a local day), which is why the parts decide the date."""
    names = {c.name: c for c in profile.columns}
    parts = [names.get(p) for p in DATE_PARTS]
    if not all(c is not None and c.type in ("int", "bigint") for c in parts):
        return {}, {}
    name = "date" if "date" not in names else f"{profile.name}_date"
    evidence = "from year, month and day"
    for column in profile.columns:
        if column.type != "timestamp":
            continue
        rows = profile.frame[[*DATE_PARTS, column.name]].dropna()
        differ = sum(
            1
            for y, m, d, moment in rows.itertuples(index=False)
            if (int(y), int(m), int(d)) != (moment.year, moment.month, moment.day)
        )
        if differ:
            share = f"{differ:,} of {len(rows):,} rows ({differ / len(rows):.1%})"
            evidence += f"; {column.name}'s date differs on {share}, e.g. a UTC time of a local day"
    return {name: {"type": "date", "expr": DATE_EXPR}}, {name: evidence}


MARGIN = 1.5
"""A drafted threshold is the observed share times this, plus two points, rounded up."""


def draft_thresholds(
    profile: TableProfile, rules: Suggestions, references: tuple[ForeignKey, ...]
) -> tuple[dict[str, float], dict[str, str]]:
    """Limits the monitor judges runs by, from the shares observed in the files, with a margin:
    the worst reference's orphan share, and the share of rows a drop rule would quarantine
    (NULL in a column a drop rule requires)."""
    limits: dict[str, float] = {}
    notes: dict[str, str] = {}
    if references:
        worst = max(references, key=lambda fk: fk.orphan_share)
        limits["max_orphan_fraction"] = _with_margin(worst.orphan_share)
        notes["max_orphan_fraction"] = (
            f"worst observed: {worst.orphan_share:.1%} of {', '.join(worst.columns)} -> {worst.target}"
        )
    required = sorted(
        {
            column
            for s in rules.rules
            if s.entry.get("use") == "not_null" and s.entry.get("action") == "drop"
            for column in [s.entry.get("column"), *(s.entry.get("columns") or [])]
            if column
        }
    )
    if required and profile.rows:
        dropped = int(profile.frame[required].isna().any(axis=1).sum())
        share = dropped / profile.rows
        limits["max_quarantine_fraction"] = _with_margin(share)
        notes["max_quarantine_fraction"] = (
            f"observed: {share:.1%} of rows lack {', '.join(required)} (drop rules; others may add more)"
        )
    return limits, notes


def _with_margin(share: float) -> float:
    return min(1.0, math.ceil((share * MARGIN + 0.02) * 100) / 100)


def _over_the_whole_files(
    references: list[ForeignKey], profiles: dict[str, TableProfile], every_key: dict[str, pd.DataFrame]
) -> list[ForeignKey]:
    """Each confirmed reference of a sampled (truncated) table, its match counted over every row
    of the table's files (one read of them for all its references)."""
    counted: dict[int, ForeignKey] = {}
    by_table: dict[str, list[tuple[int, ForeignKey]]] = {}
    for index, fk in enumerate(references):
        if fk.confirmed and profiles[fk.table].sample.truncated:
            by_table.setdefault(fk.table, []).append((index, fk))
    for table, entries in by_table.items():
        profile = profiles[table]
        known = [_known_keys(fk, profiles, every_key) for _, fk in entries]
        types = {c: profile.column(c).type for _, fk in entries for c in fk.columns}
        found = [0] * len(entries)
        total = [0] * len(entries)
        sample = profile.sample
        for row in all_rows(list(sample.files), sample.null_values, sample.headers):
            typed = {c: parse_as(t, row.get(c)) for c, t in types.items()}
            for position, (_, fk) in enumerate(entries):
                values = tuple(typed[c] for c in fk.columns)
                if any(v is None for v in values):
                    continue
                total[position] += 1
                found[position] += tuple(str(v) for v in values) in known[position]
        for position, (index, fk) in enumerate(entries):
            if total[position]:
                counted[index] = replace(fk, found=found[position], total=total[position])
    return [counted.get(index, fk) for index, fk in enumerate(references)]


def _known_keys(
    fk: ForeignKey, profiles: dict[str, TableProfile], every_key: dict[str, pd.DataFrame]
) -> set[tuple[str, ...]]:
    keys = every_key.get(fk.target)
    if keys is None:
        keys = profiles[fk.target].frame[list(fk.target_key)]
    return {tuple(str(v) for v in row) for row in keys[list(fk.target_key)].dropna().itertuples(index=False)}


def _every_key(profile: TableProfile, columns: tuple[str, ...]) -> pd.DataFrame:
    """Every key value of a table sampled with a stride: references are checked against all keys."""
    types = {c: profile.column(c).type for c in columns}
    values = {
        tuple(parse_as(types[c], row.get(c)) for c in columns)
        for row in all_rows(list(profile.sample.files), profile.sample.null_values, profile.sample.headers)
    }
    return pd.DataFrame(sorted(values, key=str), columns=list(columns), dtype=object)


def _column_notes(profile: TableProfile, key: KeyCandidate | None) -> dict[str, str]:
    required = {*key.columns, *([key.sequence_by] if key.sequence_by else [])} if key else set()
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
