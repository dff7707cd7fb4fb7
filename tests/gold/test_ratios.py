"""safe_divide: NULL on a zero or NULL divisor, in Python and in the spec's SQL, under ANSI mode."""

from __future__ import annotations

from decimal import Decimal

from pyspark.sql import functions as F

from medallion.gold import safe_divide
from medallion.sql import expand_safe_divide


def test_safe_divide_column_and_sql_agree(spark):
    rows = spark.createDataFrame(
        [(Decimal("10.00"), Decimal("4")), (Decimal("1.00"), Decimal("0")), (Decimal("1.00"), None)],
        "n decimal(12,2), d decimal(12,0)",
    )
    python = [r[0] for r in rows.select(safe_divide(F.col("n"), F.col("d"))).collect()]
    sql = [r[0] for r in rows.selectExpr(expand_safe_divide("SAFE_DIVIDE(n, d)")).collect()]
    assert python == sql == [Decimal("2.5"), None, None]
