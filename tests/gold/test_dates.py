"""dim_date and date keys under the spec's calendar: sentinel dates cannot inflate the dimension."""

from __future__ import annotations

from datetime import date

from pyspark.sql import functions as F

from medallion.gold.dates import date_dimension, date_key
from medallion.spec.model import Calendar

CALENDAR = Calendar(date(2020, 1, 1), date(2035, 12, 31))
DAYS = ["2024-01-30", "2024-02-02", "9999-12-31", "1900-01-01", None]


def frame(spark, days):
    return spark.createDataFrame([(d,) for d in days], "d string").selectExpr("to_date(d) AS date")


def test_calendar_bounds_the_dimension(spark):
    keys = sorted(r[0] for r in date_dimension(frame(spark, DAYS), calendar=CALENDAR).collect())
    assert keys == [-1, 20240130, 20240131, 20240201, 20240202]


def test_fact_dates_outside_the_calendar_get_the_unknown_date(spark):
    keys = [r[0] for r in frame(spark, DAYS).select(date_key(F.col("date"), CALENDAR)).collect()]
    assert keys == [20240130, 20240202, -1, -1, -1]
    assert set(keys) <= {r[0] for r in date_dimension(frame(spark, DAYS), calendar=CALENDAR).collect()}


def test_without_a_calendar_every_date_counts(spark):
    days = ["1900-01-01", "2024-02-02"]
    dimension = date_dimension(frame(spark, days))
    assert dimension.count() == (date(2024, 2, 2) - date(1900, 1, 1)).days + 1 + 1
    keys = [r[0] for r in frame(spark, days).select(date_key(F.col("date"))).collect()]
    assert keys == [19000101, 20240202]


def test_no_date_inside_the_calendar_leaves_the_unknown_date_only(spark):
    only = date_dimension(frame(spark, ["9999-12-31", None]), calendar=CALENDAR).collect()
    assert [r[0] for r in only] == [-1]
