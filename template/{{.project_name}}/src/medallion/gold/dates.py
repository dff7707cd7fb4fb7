"""dim_date: one row per day between the facts' first and last date (inside the spec's calendar),
plus the unknown date."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from medallion.gold.columns import DATE_COLUMNS, DATE_KEY, UNKNOWN_KEY
from medallion.gold.frames import typed, unknown_member
from medallion.spec.model import Calendar


def in_calendar(day: Column, calendar: Calendar | None) -> Column:
    """True for a day inside the calendar (every non-NULL day when there is none)."""
    if calendar is None:
        return day.isNotNull()
    return day.between(F.lit(calendar.first), F.lit(calendar.last))


def date_key(value: Column, calendar: Calendar | None = None) -> Column:
    """yyyymmdd as INT for a date or timestamp; -1 when it is NULL or outside the calendar."""
    day = F.to_date(value)
    key = F.when(in_calendar(day, calendar), F.year(day) * 10000 + F.month(day) * 100 + F.dayofmonth(day))
    return F.coalesce(key, F.lit(UNKNOWN_KEY)).cast("int")


def date_dimension(dates: DataFrame, column: str = "date", calendar: Calendar | None = None) -> DataFrame:
    """Calendar rows from the first to the last value of `dates`' `column` inside `calendar`, and key -1."""
    days_seen = dates.select(F.to_date(F.col(column)).alias("d"))
    bounds = days_seen.where(in_calendar(F.col("d"), calendar)).agg(
        F.min("d").alias("first"), F.max("d").alias("last")
    )
    days = bounds.where(F.col("first").isNotNull()).select(
        F.explode(F.sequence("first", "last", F.expr("INTERVAL 1 DAY"))).alias("date")
    )
    d = F.col("date")
    rows = days.select(
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
    return typed(rows, DATE_COLUMNS).unionByName(unknown)
