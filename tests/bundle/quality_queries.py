"""The SQL of the rendered data-quality dashboard and alerts, as the warehouse would receive it.

A dashboard dataset names its tables without catalog or schema: Databricks resolves them in
the dashboard's `dataset_catalog` / `dataset_schema` ("configurable catalog/schema for
dashboards", v0.281.0), which `tests.support.warehouse_sql.in_schema` does. An alert's `query_text` carries
`${var.catalog}` and `${resources.schemas.<key>.name}`, which the CLI substitutes at deploy;
`alert_queries` does the same with the values given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

DIALECT = "databricks"


@dataclass(frozen=True)
class Alert:
    key: str
    sql: str
    column: str
    body: dict[str, Any]


def dashboard(project: Path) -> dict[str, Any]:
    """The rendered .lvdash.json that resources/*.dashboard.yml deploys."""
    (resource,) = project.glob("resources/*.dashboard.yml")
    (body,) = yaml.safe_load(resource.read_text())["resources"]["dashboards"].values()
    return json.loads((resource.parent / body["file_path"]).read_text())


def dataset_sql(project: Path) -> dict[str, str]:
    """Dataset name -> its SQL text, as written (unqualified names)."""
    return {d["name"]: "".join(d["queryLines"]) for d in dashboard(project)["datasets"]}


def output_columns(sql: str) -> list[str]:
    """The names of the columns a query returns (its outermost SELECT)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    assert select is not None, sql
    return [e.alias_or_name for e in select.expressions]


def alert_queries(project: Path, catalog: str, schema: str) -> dict[str, Alert]:
    """Alert key -> its query with the bundle references the CLI resolves at deploy substituted."""
    (resource,) = project.glob("resources/*.alerts.yml")
    alerts = yaml.safe_load(resource.read_text())["resources"]["alerts"]
    found = {}
    for key, body in alerts.items():
        text = body["query_text"].replace("${var.catalog}", catalog)
        text = re.sub(r"\$\{resources\.schemas\.\w+\.name\}", schema, text)
        found[key] = Alert(key, text, body["evaluation"]["source"]["name"], body)
    return found
