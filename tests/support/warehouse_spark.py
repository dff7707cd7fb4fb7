"""Execute a bound statement on a classic local Spark session (the spark tier's engine).

The statement the monitor sent, with its `:name` markers bound, is transpiled by sqlglot from
the Databricks dialect to Spark SQL (`col:a:b` becomes nested `get_json_object`, which keeps
the colon operator's meaning on a JSON string: a STRING, NULL for a missing key) and run as is;
each table it names is a temporary view over the workspace's rows with the declared types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from medallion.spec.fragments import tables_read
from tests.support.warehouse_python import Result
from tests.support.warehouse_sql import Analyzed, SqlFailure, TableKey

_TYPES = {
    "LongType": "LONG",
    "IntegerType": "INT",
    "ShortType": "SHORT",
    "ByteType": "BYTE",
    "DoubleType": "DOUBLE",
    "FloatType": "FLOAT",
    "DecimalType": "DECIMAL",
    "BooleanType": "BOOLEAN",
    "StringType": "STRING",
    "TimestampType": "TIMESTAMP",
    "DateType": "DATE",
}


def view_name(key: TableKey) -> str:
    """The temporary view standing for catalog.schema.table."""
    return "fake__" + "__".join(key)


@dataclass
class SparkEngine:
    """An engine for FakeWorkspace.sql_engine that runs statements on `spark`."""

    spark: Any

    def __call__(
        self,
        analyzed: Analyzed,
        rows: dict[TableKey, list[dict[str, Any]]],
        schemas: dict[TableKey, dict[str, str]],
    ) -> Result:
        """Rows of the bound (not sqlglot-qualified) statement, computed by Spark SQL."""
        tree = (analyzed.bound or analyzed.tree).copy()
        for table in tables_read(tree):
            key = (table.catalog, table.db, table.name)
            self._register(key, rows[key], schemas[key])
            table.set("catalog", None)
            table.set("db", None)
            table.set("this", exp.to_identifier(view_name(key), quoted=True))
        return self.sql(tree.sql(dialect="spark"))

    def sql(self, text: str) -> Result:
        """Run Spark SQL text; Spark's analysis errors become warehouse failures."""
        from pyspark.errors import AnalysisException

        try:
            frame = self.spark.sql(text)
            data = [list(row) for row in frame.collect()]
        except AnalysisException as error:
            condition, state = error.getCondition() or "ANALYSIS_ERROR", error.getSqlState() or "42000"
            text = f"{error.getMessage()} SQLSTATE: {state}"
            raise SqlFailure(condition, text, state, text=text) from None
        columns = [(f.name, _TYPES.get(type(f.dataType).__name__, "STRING")) for f in frame.schema.fields]
        return Result(columns, data)

    def _register(self, key: TableKey, table_rows: list[dict[str, Any]], columns: dict[str, str]) -> None:
        ddl = ", ".join(f"`{name}` {kind}" for name, kind in columns.items())
        values = [tuple(row.get(name) for name in columns) for row in table_rows]
        self.spark.createDataFrame(values, schema=ddl).createOrReplaceTempView(view_name(key))
