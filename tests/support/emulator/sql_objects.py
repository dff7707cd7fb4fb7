"""The deployed dashboards' datasets and SQL alerts, run on the emulated warehouse.

Who runs a query: an alert runs as its `run_as`, else its owner (databricks-sdk
`sql.AlertV2.run_as`: "If not specified, it will default to the alert owner"); a dashboard
deployed with `embed_credentials: false` runs each dataset as its viewer (AI/BI dashboards docs,
"Embed credentials"). A dataset's table names without catalog or schema resolve in the
dashboard's `dataset_catalog` / `dataset_schema` (databricks/cli
bundle/config/resources/dashboard.go). Privileges are the emulator's model, checked by the
same rule as the Statement Execution API (`statement_refusal`).

An alert's evaluation follows the SQL alerts docs (docs.databricks.com/sql/user/alerts): the
`source` column of the result (its `aggregation` over the rows when set, else the first row's
value) is compared with the threshold by `comparison_operator`: TRIGGERED when it holds, else
OK; no rows gives `empty_result_state`; a query that fails gives ERROR.
"""

from __future__ import annotations

import json
import operator
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.emulator.task_paths import identity_of
from tests.support.warehouse_sql import SqlFailure, in_schema

COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GREATER_THAN": operator.gt,
    "GREATER_THAN_OR_EQUAL": operator.ge,
    "LESS_THAN": operator.lt,
    "LESS_THAN_OR_EQUAL": operator.le,
    "EQUAL": operator.eq,
    "NOT_EQUAL": operator.ne,
}
AGGREGATE: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "COUNT": len,
    "COUNT_DISTINCT": lambda v: len(set(v)),
    "AVG": statistics.mean,
    "MEDIAN": statistics.median,
    "MIN": min,
    "MAX": max,
}


@dataclass(frozen=True)
class Evaluation:
    state: str
    value: float | None = None
    error: str | None = None


def _answer(emulator: Any, identity: str, sql: str) -> list[dict[str, Any]]:
    """Rows of `sql` run by `identity` on the emulated warehouse; refusals raise SqlFailure."""
    from tests.support.emulator.server import statement_refusal

    refused = statement_refusal(emulator.privileges, identity, sql)
    if refused is not None:
        error = refused["status"]["error"]
        raise SqlFailure(error["error_code"], error["message"], "42501")
    return emulator.fake.answer_sql(sql, []).records()


def evaluate_alert(emulator: Any, deployed: Any, key: str) -> Evaluation:
    """One evaluation of a deployed alert, as its identity."""
    alert = deployed.alerts[key]
    identity = identity_of(alert, deployed.owner)
    evaluation = alert["evaluation"]
    try:
        rows = _answer(emulator, identity, alert["query_text"])
    except SqlFailure as error:
        return Evaluation("ERROR", error=str(error))
    if not rows:
        return Evaluation(str(evaluation.get("empty_result_state") or "UNKNOWN"))
    source = evaluation["source"]
    values = [float(r[source["name"]]) for r in rows if r.get(source["name"]) is not None]
    aggregation = source.get("aggregation")
    value = AGGREGATE[aggregation](values) if aggregation else values[0]
    threshold = float(evaluation["threshold"]["value"]["double_value"])
    fired = COMPARE[evaluation["comparison_operator"]](value, threshold)
    return Evaluation("TRIGGERED" if fired else "OK", value)


def dataset_rows(emulator: Any, deployed: Any, key: str, dataset: str, viewer: str) -> list[dict[str, Any]]:
    """The rows a viewer of a deployed dashboard sees for one dataset."""
    dashboard = deployed.dashboards[key]
    document = json.loads(dashboard["serialized_dashboard"])
    (found,) = [d for d in document["datasets"] if d["name"] == dataset]
    sql = in_schema(
        "".join(found["queryLines"]), str(dashboard["dataset_catalog"]), str(dashboard["dataset_schema"])
    )
    identity = viewer if dashboard.get("embed_credentials") is False else deployed.owner
    return _answer(emulator, identity, sql)
