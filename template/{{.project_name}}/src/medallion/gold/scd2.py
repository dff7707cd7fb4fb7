"""SCD2 versions from an append-only history, with window functions (both engines).

Rules, in sequence_by order per natural key:
- a row opens a version only when its tracked values differ from the previous row's
  (NULL-safe), so an identical re-send is absorbed and a late-arriving older version
  lands in its place in time;
- untracked attributes take the latest value seen within the version (type 1 in place);
- rows with the same key and sequence value keep one, newest `_ingested_at`, `_source_file` first;
- rows with a NULL key part or NULL sequence value cannot be placed in time and are left out;
- valid_to is the next version's valid_from (exclusive) or 9999-12-31 for the current one.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from medallion.gold.columns import END_OF_TIME, IS_CURRENT, VALID_FROM, VALID_TO
from medallion.gold.frames import latest_first, one_per


def scd2_versions(
    history: DataFrame,
    key: Sequence[str],
    attributes: Sequence[str],
    track: Sequence[str],
    sequence_by: str,
) -> DataFrame:
    """Natural key, attributes, valid_from, valid_to, is_current: one row per version."""
    keep = [*key, *[a for a in attributes if a not in key]]
    placed = history.where(F.col(sequence_by).isNotNull())
    for column in key:
        placed = placed.where(F.col(column).isNotNull())
    distinct = one_per(placed, [*key, sequence_by], latest_first(None, keep), [*keep, sequence_by])
    timeline = Window.partitionBy(*key).orderBy(F.col(sequence_by))
    tracked = F.struct(*(F.col(c) for c in track))
    opens = ~tracked.eqNullSafe(F.lag(tracked).over(timeline))
    flagged = distinct.select(
        *keep, F.col(sequence_by).cast("timestamp").alias("__seq"), opens.alias("__opens")
    )
    so_far = (
        Window.partitionBy(*key).orderBy("__seq").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    numbered = flagged.select("*", F.sum(F.col("__opens").cast("int")).over(so_far).alias("__version"))
    version = Window.partitionBy(*key, "__version")
    runs = numbered.select("*", F.min("__seq").over(version).alias(VALID_FROM))
    last_in_run = one_per(runs, [*key, "__version"], [F.col("__seq").desc()], [*keep, VALID_FROM])
    versions = Window.partitionBy(*key).orderBy(F.col(VALID_FROM))
    next_from = F.lead(VALID_FROM).over(versions)
    return last_in_run.select(
        *keep,
        F.col(VALID_FROM),
        F.coalesce(next_from, F.lit(END_OF_TIME).cast("timestamp")).alias(VALID_TO),
        next_from.isNull().alias(IS_CURRENT),
    )
