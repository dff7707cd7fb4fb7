# Editor stubs for `from pyspark import pipelines as dp`: the open-source API (pyspark 4.1+)
# plus the names only Databricks provides (expectations; Databricks-only parameters).
# Type checkers read them from ./typings (pyright's default stubPath; mypy: MYPY_PATH=typings).
# They are not installed or imported at run time; see README ("Why not databricks-dlt").
from collections.abc import Callable
from typing import Literal, TypeVar, overload

from pyspark.sql import Column, DataFrame
from pyspark.sql.types import StructType

QueryFunction = Callable[[], DataFrame]
F = TypeVar("F", bound=QueryFunction)
Decorator = Callable[[F], F]

# ---- datasets (open source and Databricks) ------------------------------------------
@overload
def table(query_function: F) -> F: ...
@overload
def table(
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: dict[str, str] | None = None,
    table_properties: dict[str, str] | None = None,
    partition_cols: list[str] | None = None,
    cluster_by: list[str] | None = None,
    schema: StructType | str | None = None,
    format: str | None = None,
    # Databricks only:
    cluster_by_auto: bool | None = None,
    path: str | None = None,
    row_filter: str | None = None,
    private: bool | None = None,
) -> Decorator[F]: ...
@overload
def materialized_view(query_function: F) -> F: ...
@overload
def materialized_view(
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: dict[str, str] | None = None,
    table_properties: dict[str, str] | None = None,
    partition_cols: list[str] | None = None,
    cluster_by: list[str] | None = None,
    schema: StructType | str | None = None,
    format: str | None = None,
    # Databricks only:
    cluster_by_auto: bool | None = None,
    path: str | None = None,
    row_filter: str | None = None,
    private: bool | None = None,
) -> Decorator[F]: ...
@overload
def temporary_view(query_function: F) -> F: ...
@overload
def temporary_view(
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: dict[str, str] | None = None,
) -> Decorator[F]: ...
def append_flow(
    *,
    target: str,
    name: str | None = None,
    spark_conf: dict[str, str] | None = None,
    # Databricks only: process the source once (a backfill).
    once: bool | None = None,
) -> Decorator[F]: ...
def create_streaming_table(
    name: str,
    *,
    comment: str | None = None,
    table_properties: dict[str, str] | None = None,
    partition_cols: list[str] | None = None,
    cluster_by: list[str] | None = None,
    schema: StructType | str | None = None,
    format: str | None = None,
    # Databricks only:
    cluster_by_auto: bool | None = None,
    path: str | None = None,
    row_filter: str | None = None,
    expect_all: dict[str, str] | None = None,
    expect_all_or_drop: dict[str, str] | None = None,
    expect_all_or_fail: dict[str, str] | None = None,
) -> None: ...
def create_sink(name: str, format: str, options: dict[str, str] | None = None) -> None: ...

# ---- AutoCDC (runs on Databricks; fails locally on Parquet tables: no MERGE) -------
def create_auto_cdc_flow(
    target: str,
    source: str,
    keys: list[str] | list[Column],
    sequence_by: str | Column,
    apply_as_deletes: str | Column | None = None,
    column_list: list[str] | list[Column] | None = None,
    except_column_list: list[str] | list[Column] | None = None,
    stored_as_scd_type: Literal[1, 2, "1", "2"] | None = None,
    name: str | None = None,
    *,
    track_history_column_list: list[str] | list[Column] | None = None,
    track_history_except_column_list: list[str] | list[Column] | None = None,
    spark_conf: dict[str, str] | None = None,
    # Databricks only:
    ignore_null_updates: bool | None = None,
    apply_as_truncates: str | Column | None = None,
    once: bool | None = None,
) -> None: ...

# ---- expectations (Databricks only; locally the helpers filter with the same SQL) --
# One named rule: a SQL predicate over one row (a NULL result counts as a failure here,
# because the helpers compile every rule to coalesce((rule), false)).
def expect(name: str, constraint: str) -> Decorator[F]: ...
def expect_or_drop(name: str, constraint: str) -> Decorator[F]: ...
def expect_or_fail(name: str, constraint: str) -> Decorator[F]: ...

# Several rules at once: {rule name: SQL predicate}.
def expect_all(expectations: dict[str, str]) -> Decorator[F]: ...
def expect_all_or_drop(expectations: dict[str, str]) -> Decorator[F]: ...
def expect_all_or_fail(expectations: dict[str, str]) -> Decorator[F]: ...
