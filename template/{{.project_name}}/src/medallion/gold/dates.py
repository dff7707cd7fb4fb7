"""dim_date: one row per day between the facts' first and last date, plus the unknown date."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from medallion.gold.columns import DATE_COLUMNS, DATE_KEY
from medallion.gold.frames import typed, unknown_member
from medallion.gold.keys import UNKNOWN_KEY


def date_key(value: Column) -> Column:
    """yyyymmdd as INT for a date or timestamp; -1 when it is NULL."""
    day = F.to_date(value)
    return F.coalesce(F.year(day) * 10000 + F.month(day) * 100 + F.dayofmonth(day), F.lit(UNKNOWN_KEY)).cast(
        "int"
    )


def date_dimension(dates: DataFrame, column: str = "date") -> DataFrame:
    """Calendar rows covering every non-NULL value of `dates`' `column`, and key -1."""
    bounds = dates.select(F.to_date(F.col(column)).alias("d")).agg(
        F.min("d").alias("first"), F.max("d").alias("last")
    )
    days = bounds.where(F.col("first").isNotNull()).select(
        F.explode(F.sequence("first", "last", F.expr("INTERVAL 1 DAY"))).alias("date")
    )
    d = F.col("date")
    calendar = days.select(
        date_key(d).alias(DATE_KEY),
        d,
        F.year(d).alias("year"),
        F.quarter(d).alias("quarter"),
        F.month(d).alias("month"),
        F.date_format(d, "MMMM").alias("month_name"),
        F.date_format(d, "yyyy-MM").alias("year_month"),
        F.dayofmonth(d).alias("day"),
        (F.weekday(d) + 1).alias("day_of_week"),
        F.date_format(d, "EEEE").alias("day_name"),
        F.dayofyear(d).alias("day_of_year"),
        F.weekofyear(d).alias("week_of_year"),
        (F.weekday(d) >= 5).alias("is_weekend"),
    )
    unknown = unknown_member(dates.sparkSession, DATE_COLUMNS, {DATE_KEY: UNKNOWN_KEY})
    return typed(calendar, DATE_COLUMNS).unionByName(unknown)
