"""The monitor's SQL on Spark SQL (spark tier): the statements the monitor sent, transpiled from
the Databricks dialect and run on a classic local session, agree with the fast tier's engine;
the monitor's figures come out right on Spark; Spark refuses what the fake refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.monitor import quality
from tests.monitor.test_monitor_sql import EVENT_LOG, MUTATIONS, TRUTH, figures, judge_chain
from tests.support import warehouse_python
from tests.support.fake_databricks import FakeServer, FakeWorkspace
from tests.support.warehouse_spark import SparkEngine
from tests.support.warehouse_sql import Analyzed, SqlFailure, bind, parse


def _plain(rows: list[list[Any]]) -> list[list[str | None]]:
    return sorted([[None if v is None else str(v) for v in row] for row in rows], key=str)


def test_both_engines_agree_on_every_statement_the_monitor_sent(
    spark: Any, server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    judge_chain(workspace, tmp_path)
    queries = [(s, p) for s, p in workspace.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 22  # a readability probe per expected table (18), then the figures
    for sql, params in queries:
        bound = [{"name": k, "value": v} for k, v in params.items()]
        workspace.sql_engine = warehouse_python.run
        fast = workspace.answer_sql(sql, bound)
        workspace.sql_engine = SparkEngine(spark)
        real = workspace.answer_sql(sql, bound)
        assert [n for n, _ in fast.columns] == [n for n, _ in real.columns], sql
        assert _plain(fast.rows) == _plain(real.rows), sql


def test_the_monitor_gets_its_figures_from_spark(
    spark: Any, server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.sql_engine = SparkEngine(spark)
    assert figures(judge_chain(workspace, tmp_path)) == TRUTH


@pytest.mark.parametrize(
    "bug",
    [
        "groups expectations by rule only",
        "reads a field from_json does not declare",
        "joins on the wrong side",
    ],
)
def test_spark_refuses_the_seeded_bugs_the_fake_refuses(
    spark: Any, workspace: FakeWorkspace, bug: str
) -> None:
    name, old, new = MUTATIONS[bug]
    template = getattr(quality, name).replace(old, new)
    sql = template.format(
        event_log=f"`main`.`retail`.`{EVENT_LOG}`",
        updates=":update_0",
        schema=quality._EXPECTATIONS,
        key0="`k0`",
        child="`main`.`retail`.`silver_orders`",
        parent="`main`.`retail`.`silver_customers`",
        select_keys="`customer_id` AS `k0`",
        join="c.`customer_id` = r.`k0`",
        not_null="c.`customer_id` IS NOT NULL",
    )
    params = [{"name": "update_0", "value": "u"}]
    with pytest.raises(SqlFailure) as by_the_fake:
        workspace.answer_sql(sql, params)
    bound = bind(parse(sql), params)
    schemas, rows = workspace.warehouse_tables()
    with pytest.raises(SqlFailure) as by_spark:
        SparkEngine(spark)(Analyzed(bound, [], bound), rows, schemas)
    assert by_spark.value.error_class.split(".")[0] == by_the_fake.value.error_class
