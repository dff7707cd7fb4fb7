"""Data-quality figures computed by querying tables: rule counts, table checks, orphans.

These run after a local update (the local engine has no expectation metrics) on any Spark
session; the monitor can use them against a warehouse too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from medallion import naming, rules
from medallion.audit import RESCUED_DATA, SOURCE_FILE
from medallion.silver import typed_query
from medallion.spec.model import Expectation, SourceTable, Spec
from medallion.sql import literal, quote_identifier
from medallion.vocabulary import ERRORS_COLUMN

ReadTable = Callable[[str], Any]
_AGE = re.compile(r"^(\d+)\s+(second|minute|hour|day)s?$")


def rule_counts(bronze: Any, table: SourceTable) -> list[dict[str, Any]]:
    """Passed/failed per row rule over every bronze row, typed exactly as silver types it."""
    row_rules = table.row_rules
    if not row_rules:
        return []
    predicates = rules.compiled(row_rules)
    counts = (
        typed_query(bronze, table)
        .selectExpr(
            "count(1) AS total",
            *(f"count_if(NOT {p}) AS {quote_identifier(n)}" for n, p in predicates.items()),
        )
        .collect()[0]
    )
    return [
        {
            "table": naming.history_table(table.name),
            "rule": e.name,
            "action": e.action,
            "passed": int(counts["total"]) - int(counts[e.name]),
            "failed": int(counts[e.name]),
        }
        for e in row_rules
    ]


def quarantine_reasons(quarantine: Any, table: SourceTable, top: int = 10) -> list[dict[str, Any]]:
    """The most frequent quarantining (drop/fail) rules among quarantined rows.

    `_errors` also lists the warn rules a quarantined row failed; those did not send it there.
    """
    warn_only = [e.name for e in table.rules_with_action("warn")]
    reasons = quarantine.selectExpr(f"explode({ERRORS_COLUMN}) AS rule")
    if warn_only:
        reasons = reasons.where(f"rule NOT IN ({', '.join(literal(n) for n in warn_only)})")
    rows = (
        reasons.groupBy("rule").count().orderBy("count", "rule", ascending=[False, True]).limit(top).collect()
    )
    return [{"rule": r["rule"], "rows": int(r["count"])} for r in rows]


def rescued_by_file(bronze: Any, table: SourceTable, top: int = 10) -> dict[str, int]:
    """Bronze rows with something in `_rescued_data`, per source file (most first): what the
    readers could not put in a column, or kept as received beside it."""
    rows = (
        bronze.where(f"{RESCUED_DATA} IS NOT NULL")
        .groupBy(SOURCE_FILE)
        .count()
        .orderBy("count", SOURCE_FILE, ascending=[False, True])
        .limit(top)
        .collect()
    )
    return {str(r[SOURCE_FILE]): int(r["count"]) for r in rows}


FOUND = "_medallion_found"


def orphans(read: ReadTable, spec: Spec, table: SourceTable) -> list[dict[str, Any]]:
    """Per reference: current rows whose foreign key has no match in the referenced table
    (rows with a NULL in the key are not checked); one query per reference."""
    results = []
    child = read(naming.silver_table(table.name))
    for reference in table.references:
        target = spec.source(reference.table)
        key = reference.key or target.primary_key
        present = " AND ".join(f"{quote_identifier(c)} IS NOT NULL" for c in reference.columns)
        parent = (
            read(naming.silver_table(target.name))
            .selectExpr(
                *(
                    f"{quote_identifier(k)} AS {quote_identifier(c)}"
                    for k, c in zip(key, reference.columns, strict=True)
                ),
                f"true AS {FOUND}",
            )
            .distinct()  # one parent row per key: the left join keeps the child's row count
        )
        counts = (
            child.where(present)
            .join(parent, on=list(reference.columns), how="left")
            .selectExpr("count(1) AS checked", f"count_if({FOUND} IS NULL) AS orphans")
            .collect()[0]
        )
        results.append(
            {
                "table": naming.silver_table(table.name),
                "columns": list(reference.columns),
                "references": naming.silver_table(target.name),
                "checked": int(counts["checked"]),
                "orphans": int(counts["orphans"]),
            }
        )
    return results


def interval(max_age: str) -> str:
    """'2 days' -> INTERVAL 2 DAYS (the spec's max_age, already validated)."""
    match = _AGE.match(max_age.strip())
    if not match:
        raise ValueError(f"not a max_age: {max_age!r}")
    return f"INTERVAL {int(match.group(1))} {match.group(2).upper()}S"


def table_check(read: ReadTable, table: SourceTable, check: Expectation) -> dict[str, Any]:
    """Evaluate one table check (unique, freshness) on silver_<t>."""
    current = read(naming.silver_table(table.name))
    params = check.params
    result = {
        "table": naming.silver_table(table.name),
        "check": check.name,
        "use": check.use,
        "action": check.action,
    }
    if check.use == "unique":
        columns = list(params.get("columns") or [params["column"]])
        duplicates = current.groupBy(*columns).count().where("count > 1").count()
        return result | {
            "passed": duplicates == 0,
            "failed": duplicates,
            "detail": f"{duplicates} key(s) of {', '.join(columns)} on more than one row",
        }
    column = quote_identifier(params["column"])
    row = current.selectExpr(
        f"CAST(max({column}) AS STRING) AS newest",
        f"coalesce(max({column}) >= current_timestamp() - {interval(params['max_age'])}, false) AS fresh",
    ).collect()[0]
    detail = f"newest {params['column']} = {row['newest']}, allowed age {literal(params['max_age'])}"
    return result | {"passed": bool(row["fresh"]), "failed": 0 if row["fresh"] else 1, "detail": detail}
