"""The rendered data-quality dashboard and alerts, read as the warehouse and the UI would.

Every dataset and alert query parses as Databricks SQL and resolves every table, column, struct
field and documented event-log JSON path against the published event log's documented schema
(tests/support/fake_event_log.py) and quality_metrics' declared schema; every widget reads a
dataset column that exists; every alert watches a column its query returns."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml
from sqlglot import exp

from medallion.gold.quality import COLUMN_TYPES
from tests.bundle.quality_queries import (
    DIALECT,
    alert_queries,
    dashboard,
    dataset_sql,
    output_columns,
)
from tests.support.fake_event_log import DETAILS_SHAPE, EVENT_LOG_COLUMNS
from tests.support.warehouse_sql import SqlFailure, in_schema, lint

CATALOG, SCHEMA_NAME, PIPELINE = "main", "medallion", "medallion_pipeline"


def schemas() -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (CATALOG, SCHEMA_NAME, f"{PIPELINE}_event_log"): dict(EVENT_LOG_COLUMNS),
        (CATALOG, SCHEMA_NAME, "quality_metrics"): dict(COLUMN_TYPES),
    }


def test_every_dataset_resolves_against_the_event_log_and_quality_metrics(default_project: Path) -> None:
    queries = dataset_sql(default_project)
    assert len(queries) >= 8
    for name, sql in queries.items():
        problems = lint(in_schema(sql, CATALOG, SCHEMA_NAME), [], schemas(), {"details": DETAILS_SHAPE})
        assert problems == [], name


def test_every_alert_resolves_and_watches_the_column_its_query_returns(default_project: Path) -> None:
    alerts = alert_queries(default_project, CATALOG, SCHEMA_NAME)
    assert set(alerts) == {
        f"{PIPELINE}_{k}" for k in ("quarantine_share", "orphan_share", "freshness", "fail_rule")
    }
    for key, alert in alerts.items():
        assert lint(alert.sql, [], schemas(), {"details": DETAILS_SHAPE}) == [], key
        assert output_columns(alert.sql) == [alert.column], key
        evaluation = alert.body["evaluation"]
        assert (
            evaluation["comparison_operator"] == "GREATER_THAN" and evaluation["empty_result_state"] == "OK"
        )
        assert evaluation["notification"]["subscriptions"] == [{"user_email": "${var.notification_email}"}]
        assert alert.body["warehouse_id"] == "${var.warehouse_id}"


def test_an_alert_on_a_table_of_another_schema_is_refused(default_project: Path) -> None:
    alert = alert_queries(default_project, CATALOG, "somewhere_else")[f"{PIPELINE}_quarantine_share"]
    with pytest.raises(SqlFailure) as refused:
        lint(alert.sql, [], schemas(), {})
    assert refused.value.error_class == "TABLE_OR_VIEW_NOT_FOUND"


def test_a_misspelt_event_log_path_is_caught(default_project: Path) -> None:
    sql = dataset_sql(default_project)["rows_by_layer"].replace("num_output_rows", "num_outputrows")
    problems = lint(in_schema(sql, CATALOG, SCHEMA_NAME), [], schemas(), {"details": DETAILS_SHAPE})
    assert problems == ["details:flow_progress:metrics:num_outputrows is not a documented path"]


def _widgets(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["widget"] for page in document["pages"] for item in page["layout"]]


def test_every_widget_reads_columns_its_dataset_returns(default_project: Path) -> None:
    document = dashboard(default_project)
    columns = {name: set(output_columns(sql)) for name, sql in dataset_sql(default_project).items()}
    used = set()
    for widget in _widgets(document):
        for query in widget.get("queries", []):
            dataset = query["query"]["datasetName"]
            assert dataset in columns, widget["name"]
            used.add(dataset)
            names = {field["name"] for field in query["query"]["fields"]}
            for field in query["query"]["fields"]:
                referenced = set(re.findall(r"`(\w+)`", field["expression"]))
                assert referenced and referenced <= columns[dataset], (widget["name"], field)
            encodings = widget["spec"]["encodings"]
            encoded = [e["fieldName"] for e in encodings.get("columns", [])]
            encoded += [e["fieldName"] for k, e in encodings.items() if k != "columns"]
            assert set(encoded) <= names, widget["name"]
    assert used == set(columns), "a dataset no widget shows"


def test_widget_names_are_unique_and_positions_fit_the_six_column_grid(default_project: Path) -> None:
    for page in dashboard(default_project)["pages"]:
        names = [item["widget"]["name"] for item in page["layout"]]
        assert len(names) == len(set(names)), page["name"]
        for item in page["layout"]:
            position = item["position"]
            assert position["x"] >= 0 and position["x"] + position["width"] <= 6, item["widget"]["name"]


def test_dashboard_sql_names_no_catalog_or_schema(default_project: Path) -> None:
    """The target's catalog and schema come from dataset_catalog / dataset_schema only."""
    for name, sql in dataset_sql(default_project).items():
        tables = sqlglot.parse_one(sql, read=DIALECT).find_all(exp.Table)
        assert all(not t.db and not t.catalog for t in tables), name


def test_the_dashboard_resource_points_at_the_targets_schema(default_project: Path) -> None:
    (resource,) = default_project.glob("resources/*.dashboard.yml")
    (body,) = yaml.safe_load(resource.read_text())["resources"]["dashboards"].values()
    assert body["dataset_catalog"] == "${var.catalog}"
    assert re.fullmatch(r"\$\{resources\.schemas\.\w+\.name\}", body["dataset_schema"])
    assert body["warehouse_id"] == "${var.warehouse_id}" and body["embed_credentials"] is False
