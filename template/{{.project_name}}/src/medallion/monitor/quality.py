"""Data-quality figures of an update, read with SQL from the published event-log table."""

from __future__ import annotations

from typing import Any

from medallion import naming
from medallion.monitor.judge import source_of
from medallion.monitor.warehouse import Warehouse, object_name
from medallion.spec.model import Spec

_EXPECTATIONS = "array<struct<name: string, dataset: string, passed_records: bigint, failed_records: bigint>>"

ROWS_SQL = """SELECT origin.dataset_name AS dataset,
       SUM(CAST(details:flow_progress:metrics:num_output_rows AS BIGINT)) AS num_output_rows
FROM {event_log}
WHERE event_type = 'flow_progress' AND origin.update_id IN ({updates})
GROUP BY origin.dataset_name"""

EXPECTATIONS_SQL = """SELECT e.dataset AS dataset, e.name AS rule,
       SUM(e.passed_records) AS passed, SUM(e.failed_records) AS failed
FROM (
  SELECT explode(from_json(details:flow_progress:data_quality:expectations, '{schema}')) AS e
  FROM {event_log}
  WHERE event_type = 'flow_progress' AND origin.update_id IN ({updates})
)
GROUP BY e.dataset, e.name
ORDER BY e.dataset, e.name"""

ORPHANS_SQL = """SELECT COUNT(*) AS checked, COUNT_IF(r.{key0} IS NULL) AS orphans
FROM {child} AS c
LEFT JOIN (SELECT DISTINCT {select_keys} FROM {parent}) AS r ON {join}
WHERE {not_null}"""


def _markers(update_ids: list[str]) -> tuple[str, dict[str, str]]:
    names = {f"update_{i}": update_id for i, update_id in enumerate(update_ids)}
    return ", ".join(f":{name}" for name in names), names


def output_rows(
    warehouse: Warehouse, event_log: tuple[str, str, str], update_ids: list[str]
) -> dict[str, int]:
    """Rows each dataset wrote during the updates (flow_progress metrics.num_output_rows)."""
    markers, parameters = _markers(update_ids)
    sql = ROWS_SQL.format(event_log=object_name(*event_log), updates=markers)
    rows: dict[str, int] = {}
    for row in warehouse.query(sql, parameters):
        dataset = _table_name(str(row["dataset"]))
        rows[dataset] = rows.get(dataset, 0) + int(row["num_output_rows"] or 0)
    return rows


def _table_name(dataset: str) -> str:
    """The table part of a dataset name, whether the event log qualifies it or not."""
    return dataset.split(".")[-1].strip("`")


def expectation_results(
    warehouse: Warehouse, event_log: tuple[str, str, str], update_ids: list[str], spec: Spec
) -> list[dict[str, Any]]:
    """Passed/failed records per rule and dataset, with each rule's action from the spec."""
    markers, parameters = _markers(update_ids)
    sql = EXPECTATIONS_SQL.format(schema=_EXPECTATIONS, event_log=object_name(*event_log), updates=markers)
    results = []
    for row in warehouse.query(sql, parameters):
        dataset = _table_name(str(row["dataset"]))
        source = source_of(dataset, spec)
        actions = {e.name: e.action for e in spec.source(source).expectations} if source else {}
        results.append(
            {
                "table": dataset,
                "rule": row["rule"],
                "action": actions.get(row["rule"], "unknown"),
                "passed": int(row["passed"] or 0),
                "failed": int(row["failed"] or 0),
            }
        )
    return results


def orphan_counts(
    warehouse: Warehouse, catalog: str, schema: str, spec: Spec, readable: set[str]
) -> list[dict[str, Any]]:
    """For each reference between silver tables (both readable): rows and rows with no match."""
    counts = []
    for source in spec.sources:
        for reference in source.references:
            child, parent = naming.silver_table(source.name), naming.silver_table(reference.table)
            if source.thresholds.max_orphan_fraction is None or not {child, parent} <= readable:
                continue
            keys = reference.key or spec.source(reference.table).primary_key
            aliases = [object_name(f"k{i}") for i in range(len(keys))]
            columns = [object_name(c) for c in reference.columns]
            sql = ORPHANS_SQL.format(
                key0=aliases[0],
                child=object_name(catalog, schema, child),
                parent=object_name(catalog, schema, parent),
                select_keys=", ".join(f"{object_name(k)} AS {a}" for k, a in zip(keys, aliases, strict=True)),
                join=" AND ".join(f"c.{c} = r.{a}" for c, a in zip(columns, aliases, strict=True)),
                not_null=" AND ".join(f"c.{c} IS NOT NULL" for c in columns),
            )
            row = warehouse.query(sql)[0]
            counts.append(
                {
                    "table": child,
                    "columns": list(reference.columns),
                    "references": parent,
                    "checked": int(row["checked"] or 0),
                    "orphans": int(row["orphans"] or 0),
                }
            )
    return counts
