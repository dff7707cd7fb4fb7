"""`--select TABLE[+]`: which tables a run refreshes (dbt-style `+` adds every dependant).

The dependencies come from the spec, the way the helpers build the tables: silver history and
quarantine read bronze of the same source, silver reads its history, a dimension reads its
source's silver and history, dim_date and facts read their sources' silver (facts also their
dimensions), an aggregate reads the tables its SQL names (a Python aggregate, whose inputs
cannot be read from the spec, is taken to read every other table but quality_metrics), and
quality_metrics reads bronze, history, quarantine and the facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from medallion import naming
from medallion.spec.model import Spec


class SelectionError(ValueError):
    """A --select names no table of the pipeline."""


def upstream(spec: Spec) -> dict[str, set[str]]:
    """table -> the tables it reads (every expected table is a key)."""
    deps: dict[str, set[str]] = {name: set() for name in naming.expected_tables(spec)}
    for source in spec.source_names:
        bronze, history = naming.bronze_table(source), naming.history_table(source)
        deps[history] = {bronze}
        deps[naming.quarantine_table(source)] = {bronze}
        deps[naming.silver_table(source)] = {history}
    for dim in spec.gold.dimensions:
        inputs = {naming.silver_table(dim.source), naming.history_table(dim.source)}
        deps[naming.dimension_table(dim.name)] = inputs
    if spec.gold.date_dimension:
        deps[naming.DATE_DIMENSION] = {naming.silver_table(f.source) for f in spec.gold.facts if f.event_time}
    for fact in spec.gold.facts:
        dims = {naming.dimension_table(d) for d in fact.dimension_names}
        deps[naming.fact_table(fact.name)] = {naming.silver_table(fact.source), *dims}
    deps[naming.QUALITY_METRICS] = {
        *(naming.bronze_table(s) for s in spec.source_names),
        *(naming.history_table(s) for s in spec.source_names),
        *(naming.quarantine_table(s) for s in spec.source_names),
        *(naming.fact_table(f.name) for f in spec.gold.facts),
    }
    for aggregate in spec.gold.aggregates:
        name = naming.aggregate_table(aggregate.name)
        others = set(deps) - {name, naming.QUALITY_METRICS}
        if aggregate.sql:
            words = set(re.findall(r"\w+", aggregate.sql.lower()))
            deps[name] = {t for t in others if t.lower() in words}
        else:
            deps[name] = others
    return deps


def downstream(deps: Mapping[str, set[str]], start: str) -> set[str]:
    """`start` and every table that reads it, directly or not."""
    readers: dict[str, set[str]] = {name: set() for name in deps}
    for table, inputs in deps.items():
        for item in inputs:
            readers.setdefault(item, set()).add(table)
    found, todo = {start}, [start]
    while todo:
        for reader in readers.get(todo.pop(), ()):
            if reader not in found:
                found.add(reader)
                todo.append(reader)
    return found


@dataclass(frozen=True)
class Selection:
    """The tables a run refreshes, in the pipeline's order (all of them when `everything`)."""

    tables: tuple[str, ...]
    everything: bool = False

    def cli_args(self, full_refresh: bool) -> list[str]:
        """spark-pipelines' refresh options for this selection."""
        if self.everything:
            return ["--full-refresh-all"] if full_refresh else []
        return ["--full-refresh" if full_refresh else "--refresh", ",".join(self.tables)]

    def refreshed(self, table: str) -> bool:
        return self.everything or table in self.tables


def select(spec: Spec, patterns: Iterable[str]) -> Selection:
    """`bronze_orders`, `silver_orders+`, ... -> the selection (every table when none given)."""
    patterns = [p.strip() for item in patterns for p in item.split(",") if p.strip()]
    deps = upstream(spec)
    if not patterns:
        return Selection(tuple(deps), everything=True)
    chosen: set[str] = set()
    for pattern in patterns:
        name, plus = (pattern[:-1], True) if pattern.endswith("+") else (pattern, False)
        if name not in deps:
            raise SelectionError(
                f"--select {pattern}: no table {name!r} in this pipeline; tables: {', '.join(deps)}"
            )
        chosen |= downstream(deps, name) if plus else {name}
    ordered = tuple(t for t in deps if t in chosen)
    return Selection(ordered, everything=len(ordered) == len(deps))
