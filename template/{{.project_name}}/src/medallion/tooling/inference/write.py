"""Render the drafted spec as commented YAML text (stable order, no timestamps)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

from medallion.tooling.inference.draft_model import Draft, DraftTable
from medallion.tooling.inference.primary_keys import MAX_COMBINATION_COLUMNS, WIDE_KEY_COLUMNS
from medallion.tooling.inference.star import Role

HEADER = """\
# yaml-language-server: $schema=./src/medallion/spec/medallion.schema.json
#
# Drafted by `medallion infer` from sample files. Every rule carries its evidence from the
# sample as a comment: review them, then check the file with `medallion validate`.
# Each source reads the folder <medallion.source_location>/<table name>/.
"""


def _side_by_side(draft: Draft) -> list[str]:
    """A note when tables were found as files side by side (core/Batting.csv, core/People.csv):
    each source reads a folder of its own, so the files move into one folder per table."""
    moves = [
        f"{t.profile.sample.files[0].name} -> {t.profile.name}/"
        for t in draft.tables
        if t.profile.sample.files and t.profile.sample.files[0].parent.name.lower() != t.profile.name
    ]
    if not moves:
        return []
    shown = ", ".join(moves[:3]) + (f" and {len(moves) - 3} more" if len(moves) > 3 else "")
    return [f"# Tables found as files side by side: give each its folder ({shown}).", "#"]


def flow(value: Any) -> str:
    """One value as inline YAML (flow style), quoted only where YAML needs it."""
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1 << 30, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def render(draft: Draft) -> str:
    """The whole spec file."""
    lines = [HEADER.rstrip("\n"), *_side_by_side(draft), "version: 1", ""]
    default_format, common = _defaults(draft.tables)
    lines += ["defaults:", "  source:", "    type: files", f"    format: {default_format}"]
    if common:
        lines.append(f"    options: {flow(_typed_options(common))}")
    lines += ["", "sources:"]
    for table in draft.tables:
        lines += _source(table, default_format, common)
    if draft.star.dimensions or draft.star.facts:
        lines += ["", "gold:"]
        for section, roles in (("dimensions", draft.star.dimensions), ("facts", draft.star.facts)):
            if roles:
                lines.append(f"  {section}:")
                for role in roles:
                    lines += _role(role)
    return "\n".join(lines) + "\n"


def _line(indent: int, text: str, comment: str = "") -> str:
    return "  " * indent + text + (f"  # {comment}" if comment else "")


def _defaults(tables: tuple[DraftTable, ...]) -> tuple[str, dict[str, str]]:
    formats = Counter(t.profile.sample.format for t in tables)
    default_format = min(formats, key=lambda f: (-formats[f], f))
    same = [t.profile.sample.options for t in tables if t.profile.sample.format == default_format]
    common = {k: v for k, v in sorted(same[0].items()) if all(o.get(k) == v for o in same)}
    return default_format, common


def _typed_options(options: dict[str, str]) -> dict[str, str | bool]:
    """Reader options as YAML: true/false as booleans, the rest as text."""
    return {k: v == "true" if v in ("true", "false") else v for k, v in options.items()}


def _source(table: DraftTable, default_format: str, common: dict[str, str]) -> list[str]:
    sample = table.profile.sample
    read = f"{len(sample.files)} {sample.format} file(s), {table.profile.rows:,} rows sampled"
    if sample.truncated:
        read += f" of {sample.total_rows:,}: one block of rows in {sample.stride:,}, spread over every file"
    if sample.malformed:
        read += f"; {sample.malformed:,} malformed records skipped"
    lines = ["", _line(1, f"{sample.name}:", read)]
    source: dict[str, Any] = {}
    if sample.format != default_format:
        source["format"] = sample.format
    inherited = common if sample.format == default_format else {}
    options = {k: v for k, v in sorted(sample.options.items()) if inherited.get(k) != v}
    if options:
        source["options"] = _typed_options(options)
    if sample.null_values:
        source["null_values"] = list(sample.null_values)
    if source:
        lines.append(_line(2, f"source: {flow(source)}"))
    lines.append(_line(2, "columns:" if table.profile.columns else "columns: {}"))
    renamed = sample.source_names
    for column in table.profile.columns:
        extras = {
            key: value
            for key, value in (
                ("source_name", renamed.get(column.name)),
                ("case", table.rules.case.get(column.name)),
            )
            if value
        }
        spec: Any = {"type": column.type, **extras} if extras else column.type
        lines.append(_line(3, f"{column.name}: {flow(spec)}", table.column_notes.get(column.name, "")))
    for name, body in table.derived.items():
        lines.append(
            _line(3, f"{name}: {flow(body)}", f"derived {table.derived_notes.get(name, '')}".strip())
        )
    if table.key:
        lines.append(_line(2, f"primary_key: {flow(list(table.key.columns))}", table.key.evidence))
        if table.key.sequence_by:
            lines.append(_line(2, f"sequence_by: {table.key.sequence_by}"))
    else:
        lines.append(
            _line(
                2,
                f"# no unique column set of up to {WIDE_KEY_COLUMNS} columns in the sample (composite keys "
                "searched among "
                f"the {MAX_COMBINATION_COLUMNS} most id-like columns): add primary_key by hand",
            )
        )
    if table.rules.rules:
        lines.append(_line(2, "expectations:"))
        lines += [_line(3, f"- {flow(s.entry)}", s.evidence) for s in table.rules.rules]
    if table.thresholds:
        lines.append(_line(2, "thresholds:"))
        lines += [
            _line(3, f"{name}: {value}", table.threshold_notes.get(name, ""))
            for name, value in table.thresholds.items()
        ]
    if table.references:
        lines.append(_line(2, "references:"))
        lines += [
            _line(3, f"- {flow({'columns': list(fk.columns), 'table': fk.target})}", fk.evidence)
            for fk in table.references
        ]
    if table.suggested_references:
        if not table.references:
            lines.append(_line(2, "# references:"))
        lines += [
            _line(
                2,
                f"# - {flow({'columns': list(fk.columns), 'table': fk.target})}",
                f"a link between facts: {fk.evidence}"
                if fk.fact_link
                else f"suggestion, only {fk.share:.0%} match: {fk.evidence}",
            )
            for fk in table.suggested_references
        ]
    return lines


def _role(role: Role) -> list[str]:
    lines = [_line(2, f"{role.name}:", role.reason)]
    for key, value in role.body.items():
        if isinstance(value, dict):
            lines.append(_line(3, f"{key}:"))
            lines += [_line(4, f"{k}: {flow(v)}", role.notes.get(k, "")) for k, v in value.items()]
        else:
            lines.append(_line(3, f"{key}: {flow(value)}"))
    return lines
