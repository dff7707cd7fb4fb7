"""Cross-checks of the gold section that need the whole star (types, names, placeholders)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from medallion import naming
from medallion.spec.model import Dimension, Fact, Gold, SourceTable
from medallion.sql import find_outside_literals

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TIME_TYPES = ("date", "timestamp", "timestamp_ntz")
INTEGRAL = ("tinyint", "smallint", "int", "bigint")
SCD2_COLUMNS = ("valid_from", "valid_to", "is_current")

Problem = tuple[str, str]


def gold_problems(gold: Gold, sources: Mapping[str, SourceTable]) -> list[Problem]:
    """Every problem of a gold section whose references already resolve."""
    dims = {d.name: d for d in gold.dimensions}
    problems = [p for d in gold.dimensions for p in _dimension(d, sources[d.source])]
    problems += [p for f in gold.facts for p in _fact(f, sources, dims)]
    if gold.date_dimension and "date" in dims:
        problems.append(("gold.dimensions.date", "dim_date is the date dimension: rename this dimension"))
    for dim in gold.dimensions:
        clash = naming.versions_table(dim.name).removeprefix("dim_")
        if dim.scd == 2 and clash in dims:
            problems.append(
                (
                    f"gold.dimensions.{clash}",
                    f"{naming.versions_table(dim.name)} holds the versions of SCD2 dimension {dim.name} "
                    "on Databricks: rename this dimension",
                )
            )
    problems += list(_aggregates(gold, sources))
    return problems


def _dimension(dim: Dimension, source: SourceTable) -> Iterator[Problem]:
    where = f"gold.dimensions.{dim.name}"
    reserved = {f"{dim.name}_key", *(SCD2_COLUMNS if dim.scd == 2 else ())}
    for column in [*dim.key, *dim.attributes]:
        if column in reserved:
            yield where, f"column {column!r} clashes with a generated column ({', '.join(sorted(reserved))})"
    for column in set(dim.key) & set(dim.attributes):
        yield f"{where}.attributes", f"{column!r} is part of the key; leave it out of attributes"
    sequence = source.sequence_by
    if dim.scd == 2 and sequence and _type(source, sequence) not in TIME_TYPES:
        yield (
            f"{where}.scd",
            f"SCD2 validity comes from {source.name}.{sequence}: it must be a date or timestamp",
        )


def _fact(fact: Fact, sources: Mapping[str, SourceTable], dims: Mapping[str, Dimension]) -> Iterator[Problem]:
    where = f"gold.facts.{fact.name}"
    source = sources[fact.source]
    missing = [c for c in source.primary_key if c not in fact.grain]
    if missing:
        yield f"{where}.grain", f"one fact row per {source.name} row: add the primary key column(s) {missing}"
    if fact.event_time and _type(source, fact.event_time) not in TIME_TYPES:
        yield f"{where}.event_time", f"{fact.event_time} must be a date or timestamp column"
    for link in fact.links:
        dim = dims[link.dimension]
        for column, key in zip(link.foreign_key, dim.key, strict=False):
            ours, theirs = _type(source, column), _type(sources[dim.source], key)
            if ours and theirs and not _compatible(ours, theirs):
                yield (
                    f"{where}.dimensions.{link.role}",
                    f"{column} is {ours} but dim_{dim.name}.{key} is {theirs}: declare the same type",
                )
    for measure in fact.measures:
        if not (measure.type.startswith("decimal") or measure.type in INTEGRAL):
            yield (
                f"{where}.measures.{measure.name}.type",
                f"{measure.type!r} is not exact: use decimal(p,s) (money) or an integer type",
            )
    generated = [
        *fact.grain,
        *([fact.event_time] if fact.event_time else []),
        *fact.attributes,
        *(f"{link.role}_key" for link in fact.links),
        *(["date_key"] if fact.event_time else []),
    ]
    kept = {*fact.grain, *([fact.event_time] if fact.event_time else []), *fact.attributes}
    for link in fact.links:
        if f"{link.role}_key" in kept:
            yield (
                f"{where}.dimensions.{link.role}",
                f"the role's surrogate key {link.role}_key clashes with the fact's own column "
                f"{link.role}_key: give the role another name, e.g. "
                f"{link.role}_dim: {{dimension: {link.dimension}, columns: {list(link.foreign_key)}}}",
            )
    taken = set(dict.fromkeys(generated))
    for measure in fact.measures:
        if measure.name in taken:
            yield f"{where}.measures.{measure.name}", "a measure cannot share its name with a fact column"


def _aggregates(gold: Gold, sources: Mapping[str, SourceTable]) -> Iterator[Problem]:
    tables = {naming.silver_table(s) for s in sources}
    tables |= {naming.dimension_table(d.name) for d in gold.dimensions}
    tables |= {naming.fact_table(f.name) for f in gold.facts}
    tables |= {naming.aggregate_table(a.name) for a in gold.aggregates}
    if gold.date_dimension:
        tables.add(naming.DATE_DIMENSION)
    for aggregate in gold.aggregates:
        own = naming.aggregate_table(aggregate.name)
        for name in find_outside_literals(aggregate.sql or "", PLACEHOLDER):
            if name not in tables - {own}:
                known = ", ".join(sorted(tables - {own}))
                yield f"gold.aggregates.{aggregate.name}.sql", f"{{{name}}} is not a table; known: {known}"


def _type(source: SourceTable, column: str) -> str:
    return source.column(column).type if column in source.column_names else ""


def _compatible(ours: str, theirs: str) -> bool:
    return ours == theirs or (ours in INTEGRAL and theirs in INTEGRAL)
