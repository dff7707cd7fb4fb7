"""Each classifier rule against a realistic Databricks error message."""

from __future__ import annotations

import pytest

from medallion.monitor.diagnosis import RULES, Failure, classify

CASES = [
    (
        "permission_denied",
        "grant",
        Failure(
            "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE SCHEMA on Schema "
            "'main.retail'. SQLSTATE: 42501",
            (("org.apache.spark.sql.AnalysisException", ""),),
        ),
    ),
    (
        "expectation_violation",
        None,
        Failure(
            "Flow 'silver_orders_history' has FAILED fatally. An error occurred because of an expectation.",
            (
                (
                    "com.databricks.sql.transaction.tahoe.DeltaExpectationViolation",
                    "[EXPECTATION_VIOLATION.VERBOSITY_ALL] Flow 'silver_orders_history' failed to "
                    "meet the expectation. "
                    "Violated expectations: 'range_quantity'. "
                    'Input data: \'{"order_id":"o-17","quantity":-3}\'. '
                    'Output record: \'{"order_id":"o-17"}\'. Missing input data: false',
                ),
            ),
        ),
    ),
    (
        "incompatible_source_change",
        "full_refresh",
        Failure(
            "Flow 'silver_orders_history' has FAILED fatally.",
            (
                (
                    "org.apache.spark.sql.streaming.StreamingQueryException",
                    "[DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE] The streaming query was "
                    "reading from an unexpected "
                    "Delta table (id = 'a1'). It used to read from another Delta table (id = 'b2') "
                    "according to checkpoint.",
                ),
            ),
            dataset="silver_orders_history",
        ),
    ),
    (
        "incompatible_source_change",
        "full_refresh",
        Failure(
            "[DELTA_SCHEMA_CHANGED_WITH_STARTING_OPTIONS] Detected schema change in version 7: "
            "streaming source "
            "schema: struct<id:string> data file schema: struct<id:int>",
            dataset="bronze_orders",
        ),
    ),
    (
        "new_source_columns",
        "retry",
        Failure(
            "[UNKNOWN_FIELD_EXCEPTION.NEW_FIELDS_IN_RECORD_WITH_FILE_PATH] Encountered unknown "
            "fields during parsing: "
            "[coupon], which can be fixed by an automatic retry: true",
            dataset="bronze_orders",
        ),
    ),
    (
        "table_or_view_not_found",
        None,
        Failure(
            "[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`retail`.`raw_orders` cannot be "
            "found. Verify the "
            "spelling and correctness of the schema and catalog. SQLSTATE: 42P01; line 1 pos 14"
        ),
    ),
    (
        "cast_error",
        None,
        Failure(
            "[CAST_INVALID_INPUT] The value 'twelve' of the type "
            '"STRING" cannot be cast to "INT" because it is '
            "malformed. Correct the value as per the syntax, or change its target type. Use "
            "`try_cast` to tolerate "
            "malformed input and return NULL instead. SQLSTATE: 22018"
        ),
    ),
    (
        "quota_or_compute",
        None,
        Failure(
            "Update 3f1a is FAILED.",
            (
                (
                    "com.databricks.pipelines.common.errors.DLTSparkException",
                    "QUOTA_EXCEEDED: The serverless compute quota for this workspace is exhausted.",
                ),
            ),
        ),
    ),
    (
        "transient",
        "retry",
        Failure(
            "[INTERNAL_ERROR] The Spark driver has stopped unexpectedly and is restarting. Your "
            "pipeline will be "
            "restarted."
        ),
    ),
]


@pytest.mark.parametrize(("cause", "fix_kind", "failure"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_classifies_its_message(cause: str, fix_kind: str | None, failure: Failure) -> None:
    diagnosis = classify(failure)
    assert (diagnosis.cause, diagnosis.fix_kind) == (cause, fix_kind)
    assert diagnosis.fix and "{" not in diagnosis.fix and "{" not in diagnosis.explanation


def test_every_rule_has_a_case() -> None:
    assert {r.cause for r in RULES} == {c[0] for c in CASES}


def test_details_are_extracted() -> None:
    by_cause = {c[0]: classify(c[2]) for c in reversed(CASES)}
    assert by_cause["expectation_violation"].tables == ("silver_orders_history",)
    assert "range_quantity" in by_cause["expectation_violation"].fix
    assert by_cause["incompatible_source_change"].tables == ("silver_orders_history",)
    assert "main.retail.raw_orders" in by_cause["table_or_view_not_found"].fix
    assert "'twelve' (STRING -> INT)" in by_cause["cast_error"].fix
    assert by_cause["permission_denied"].details["privilege"] == "USE SCHEMA"


def test_unknown_error_shows_first_lines_not_the_stack() -> None:
    stack = "\n".join(f"\tat org.apache.spark.Foo.bar{i}(Foo.scala:{i})" for i in range(100))
    failure = Failure(
        "Flow 'fact_sales' has FAILED.",
        (("java.lang.IllegalStateException", f"Something odd happened\n{stack}"),),
    )
    diagnosis = classify(failure)
    assert diagnosis.cause == "unknown"
    assert diagnosis.evidence == (
        "Flow 'fact_sales' has FAILED.",
        "java.lang.IllegalStateException: Something odd happened",
    )
