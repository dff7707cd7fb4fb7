"""What `medallion validate` compiles stays true to the pipeline: the reserved names are the
pipeline's own columns, the columns each fragment is checked against are the tables' columns,
aggregates are rendered the same way, the command runs as a process without Spark, and a
Spark error from a flow is traced back to its spec key."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medallion.spec import load_spec, reserved, scopes, trace
from medallion.spec.fragments import render_aggregate
from tests.rendering import python_with_project


def test_reserved_names_are_the_columns_the_pipeline_adds() -> None:
    from medallion import records, vocabulary

    for helper in (
        *vocabulary.AUDIT_COLUMNS,
        vocabulary.ERRORS_COLUMN,
        vocabulary.RAW,
        vocabulary.ROW_NUMBER,
        *vocabulary.KAFKA_META,
        vocabulary.ENCODING_ERROR_KEY,
        records.CORRUPT,
        records.HEADER_GROUP,
        records.POSITION.format(0),
        "__event_time",
        "__rank",
    ):
        assert reserved.reserved_reason(helper), helper
    assert reserved.reserved_reason("customer_id") is None


def test_fragment_scopes_are_the_tables_columns(default_project: Path) -> None:
    from medallion import silver

    spec = load_spec(default_project / "medallion.yml")
    orders = spec.source("orders")
    history = [c.strip("`") for c in silver.history_columns(orders)]
    assert list(scopes.silver_columns(orders)) == history


def test_aggregates_are_rendered_as_the_pipeline_renders_them(default_project: Path) -> None:
    from medallion.gold.aggregates import render_sql

    spec = load_spec(default_project / "medallion.yml")
    (aggregate,) = spec.gold.aggregates
    known = ["fact_sales", "dim_date", "dim_product"]
    assert render_aggregate(aggregate.sql or "") == render_sql(aggregate.sql or "", known)


def test_placeholders_and_safe_divide_inside_literals_stay_text() -> None:
    """Only SQL text is rewritten: '{fact_sales}' and 'safe_divide(' in a string literal or a
    quoted name are what the user wrote."""
    from medallion.gold.aggregates import placeholders, render_sql

    sql = (
        "SELECT '{fact_sales} safe_divide(' AS label, `{dim_date}` AS q, "
        "safe_divide(SUM(amount), 2) AS r FROM {fact_sales}"
    )
    expected = (
        "SELECT '{fact_sales} safe_divide(' AS label, `{dim_date}` AS q, "
        "try_divide(SUM(amount), 2) AS r FROM `fact_sales`"
    )
    assert placeholders(sql) == ["fact_sales"]
    assert render_sql(sql, ["fact_sales"]) == expected == render_aggregate(sql)


def test_rules_and_measures_carry_their_spec_keys(default_project: Path) -> None:
    spec = load_spec(default_project / "medallion.yml")
    orders = {r.name: r.key for r in spec.source("orders").row_rules}
    assert orders["discount_within_price"] == "sources.orders.expectations[5]"
    assert orders["range_quantity"] == "sources.orders.expectations[1]"
    (sales,) = spec.gold.facts
    assert {m.key for m in sales.measures} >= {"gold.facts.sales.measures.amount"}


# -- the command as a process ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda t: t.replace("Customer master data", "Soci\u00e9t\u00e9").encode("latin-1"), "description"),
        (lambda t: t.replace("discount <= quantity", "discount <= 1 -- q").encode(), "expectations[5].rule"),
        (lambda t: t.replace("version: 1", "version: 1\nx: " + "[" * 50_000).encode(), "(top level)"),
    ],
    ids=["latin-1", "sql comment", "runaway nesting"],
)
def test_validate_process_exits_2_without_traceback_or_spark(
    default_project: Path, tmp_path: Path, change, key: str
) -> None:
    spec = tmp_path / "medallion.yml"
    spec.write_bytes(change((default_project / "medallion.yml").read_text()))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "medallion", "validate", "--spec", str(spec)],
        env=python_with_project(default_project),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and key in done.stderr
    assert "pyspark" not in done.stderr.lower()
    assert elapsed < 15, f"validate took {elapsed:.1f} s"


def test_validate_imports_no_spark(default_project: Path) -> None:
    code = (
        "import sys; from medallion import cli; "
        f"code = cli.main(['validate', '--spec', {str(default_project / 'medallion.yml')!r}]); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'pyspark'], 'pyspark imported'; "
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=python_with_project(default_project),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# -- a flow's Spark error back to its spec key ---------------------------------------------------

# Messages as Spark 4.3 prints them for the compiled rule (captured from a local session).
UNRESOLVED_COLUMN = (
    "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `discont` "
    "cannot be resolved. Did you mean one of the following? [`discount`, `status`, `quantity`]. "
    "SQLSTATE: 42703; line 1 pos 49;\n'Filter (coalesce((quantity#0 > 0), false) AND "
    "'coalesce(('discont <= 1), false))"
)
UNRESOLVED_ROUTINE = (
    "[UNRESOLVED_ROUTINE] Cannot resolve routine `lenght` on search path [`system`.`builtin`, "
    "`system`.`session`, `spark_catalog`.`default`]. SQLSTATE: 42883; line 1 pos 49"
)
CAST_INVALID_INPUT = (
    '[CAST_INVALID_INPUT] The value \'one\' of the type "STRING" cannot be cast to "BIGINT" because it is '
    "malformed. SQLSTATE: 22018\n== SQL (line 1, position 50) ==\n"
    "...ty > 0), false)) AND (coalesce((quantity >= 'one'), false))\n"
)


def with_rule(default_project: Path, text: str):
    """The retail spec with discount_within_price changed after validation (as an older spec
    or a hand-built one could reach a flow)."""
    spec = load_spec(default_project / "medallion.yml")
    orders = spec.source("orders")
    rules = tuple(
        dataclasses.replace(r, rule=text) if r.name == "discount_within_price" else r
        for r in orders.expectations
    )
    changed = dataclasses.replace(orders, expectations=rules)
    return dataclasses.replace(spec, sources=tuple(changed if s is orders else s for s in spec.sources))


@pytest.mark.parametrize(
    ("rule_text", "message"),
    [
        ("discont <= 1", UNRESOLVED_COLUMN),
        ("lenght(status) > 0", UNRESOLVED_ROUTINE),
        ("quantity >= 'one'", CAST_INVALID_INPUT),
    ],
    ids=["unresolved column", "unknown function", "bad cast"],
)
def test_flow_error_is_traced_to_the_rule_key(default_project: Path, rule_text: str, message: str) -> None:
    spec = with_rule(default_project, rule_text)
    found = trace.locate(spec, message, "silver_orders_history")
    assert found and found[0].key == "sources.orders.expectations[5].rule", found
    line = trace.explain(spec, message, "silver_orders_history")
    assert line is not None
    assert "sources.orders.expectations[5].rule (rule discount_within_price" in line
    assert str(spec.path) in line


def test_measure_and_aggregate_errors_are_traced(default_project: Path) -> None:
    spec = load_spec(default_project / "medallion.yml")
    measure = (
        '[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve "((quantity * unit_price) - '
        'coalesce(discount, 0))" due to data type mismatch'
    )
    (first, *_) = trace.locate(spec, measure, "fact_sales")
    assert first.key == "gold.facts.sales.measures.amount"
    aggregate = "[UNRESOLVED_COLUMN] name `f`.`amount` cannot be resolved ... agg_daily_sales"
    (found,) = trace.locate(spec, aggregate, "agg_daily_sales")
    assert found.key == "gold.aggregates.daily_sales.sql"


def test_unrelated_errors_are_not_traced(default_project: Path) -> None:
    spec = load_spec(default_project / "medallion.yml")
    message = "[TABLE_OR_VIEW_NOT_FOUND] The table or view `bronze_orders` cannot be found."
    assert trace.explain(spec, message, "silver_orders_history") is None


# -- no invented refusals: SQL Spark runs passes validate (tests/spec/test_spark_agrees.py runs it) --

ACCEPTED_RULES = [
    "order_ts > 'yesterday'",
    "order_ts >= '2024'",
    "order_ts <= '2024-01-31T10:00:00Z'",
    "quantity = '1'",
    "status = '5'",
    "status <> '--' AND status <> 'a;b' AND status <> '/*'",
    "exists(array(quantity), x -> x > 0)",
    "safe_divide(discount, quantity) < 1",
    "_rescued_data IS NULL",
    "`discount` <= `quantity` * `unit_price`",
    "CASE WHEN status = 'cancelled' THEN discount = 0 ELSE true END",
    "coalesce(discount, 0) BETWEEN 0 AND 100",
]


@pytest.mark.parametrize("text", ACCEPTED_RULES)
def test_rules_spark_runs_are_accepted(default_project: Path, tmp_path: Path, text: str) -> None:
    import yaml

    document = yaml.safe_load((default_project / "medallion.yml").read_text())
    document["sources"]["orders"]["expectations"][5]["rule"] = text
    document["sources"]["orders"]["expectations"].append(
        {"use": "range", "column": "order_ts", "min": "2020-01-01", "max": "today", "action": "warn"}
    )
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    load_spec(path)


def test_validate_explains_a_pipeline_log(default_project: Path, tmp_path: Path) -> None:
    """`medallion validate --explain-log` names the key behind each Spark error of a failed run,
    skipping the downstream TABLE_OR_VIEW_NOT_FOUND errors."""
    import io
    from contextlib import redirect_stdout

    import yaml

    from medallion import cli
    from medallion.spec.trace import explain_log

    spec = with_rule(default_project, "discont <= 1")
    log = "\n".join(
        [
            "2026-11-30 01:00:00: Flow 'spark_catalog.default.bronze_orders' has COMPLETED.",
            "2026-11-30 01:00:01: Flow 'spark_catalog.default.silver_orders_history' has FAILED.",
            *UNRESOLVED_COLUMN.splitlines(),
            "\tat org.apache.spark.sql.catalyst.analysis.CheckAnalysis.checkAnalysis(CheckAnalysis.scala:1)",
            "2026-11-30 01:00:02: Flow 'spark_catalog.default.fact_sales' has FAILED.",
            "[TABLE_OR_VIEW_NOT_FOUND] The table or view `silver_orders` cannot be found.",
        ]
    )
    (line,) = explain_log(spec, log)
    assert "sources.orders.expectations[5].rule (rule discount_within_price: `discont <= 1`)" in line
    assert "UNRESOLVED_COLUMN" in line

    # the command, on a valid spec and a log of a run whose rule was since fixed
    (tmp_path / ".medallion").mkdir()
    (tmp_path / ".medallion" / "pipeline.log").write_text(log.replace("discont", "discount_x"))
    document = yaml.safe_load((default_project / "medallion.yml").read_text())
    (tmp_path / "medallion.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(["validate", "--spec", str(tmp_path / "medallion.yml"), "--explain-log"])
    assert code == 0
    assert "no Spark error in it comes from" in out.getvalue()


# Lines 17-20 of .medallion/pipeline.log of a real `medallion run-local` (pyspark 4.3.0) whose
# rule discount_within_price was `array_contains(status, 'x') = false` (sqlglot types it as a
# boolean; Spark refuses a string argument); plan lines cut at 700 characters. The plan prints
# the table's other rules too (accepted_status's IN list among them).
RUN_LOCAL_LOG = (
    "2026-11-30 01:30:52: Failed to resolve flow: 'spark_catalog.default.quarantine_orders'.\n"
    'Error: [DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "array_contains(status, x)'
    '" due to data type mismatch: The first parameter requires the "ARRAY" type, however "statu'
    's" has the type "STRING". SQLSTATE: 42K09; line 1 pos 777;\n'
    "'Project [order_id#240, line_number#241, customer_id#242, product_id#243, order_ts#244, st"
    "atus#245, quantity#246, unit_price#247, discount#248, updated_at#249, _rescued_data#348, _"
    "ingested_at#350, _source_file#349, _update_id#351, _raw#250, 'filter('array(if (coalesce(i"
    "snotnull(order_id#240), false)) cast(null as string) else not_null_order_id, if (coalesce("
    "isnotnull(line_number#241), false)) cast(null as string) else not_null_line_number, if (co"
    "alesce(isnotnull(order_ts#244), false)) cast(null as string) else not_null_order_ts, if (c"
    "oalesce(isnotnull(updated_at#249), false)) cast(null as string) else not_null_updated_at, "
    "if (coalesce(((quantity#246 >= 1) AND (quantity#246 <= 10000)), false)\n"
    "+- ~Filter NOT (((coalesce(isnotnull(order_id#240), false) AND coalesce(isnotnull(line_num"
    "ber#241), false)) AND (coalesce(isnotnull(order_ts#244), false) AND coalesce(isnotnull(upd"
    "ated_at#249), false))) AND ((coalesce(((quantity#246 >= 1) AND (quantity#246 <= 10000)), f"
    "alse) AND coalesce((unit_price#247 >= cast(cast(0 as decimal(1,0)) as decimal(12,2))), fal"
    "se)) AND (coalesce((discount#248 >= cast(cast(0 as decimal(1,0)) as decimal(12,2))), false"
    ") AND coalesce(status#245 IN (placed,shipped,delivered,cancelled,returned), false))))\n"
)


def test_real_run_local_log_is_traced_to_the_rule(default_project: Path) -> None:
    from medallion.spec.trace import explain_log

    spec = with_rule(default_project, "array_contains(status, 'x') = false")
    (line,) = explain_log(spec, RUN_LOCAL_LOG)
    assert "sources.orders.expectations[5].rule (rule discount_within_price" in line
    assert "DATATYPE_MISMATCH" in line


def test_explain_log_reads_only_the_end_of_a_huge_log(tmp_path: Path, monkeypatch) -> None:
    """A log of any size: only its last MAX_LOG_BYTES are read (an unbounded read of a 17 GB file
    was killed by the kernel), from a whole line, and the command says so."""
    from medallion.tooling.commands import validate

    monkeypatch.setattr(validate, "MAX_LOG_BYTES", 1024)
    log = tmp_path / "pipeline.log"
    log.write_text("noise line\n" * 5000 + "last line\n")
    text, size = validate.read_tail(log, 1024)
    assert size == log.stat().st_size > 1024
    assert len(text.encode()) <= 1024 and text.startswith("noise line\n") and text.endswith("last line\n")
