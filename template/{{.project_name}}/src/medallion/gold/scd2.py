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
from medallion.gold.frames import latest_first


def scd2_versions(
    history: DataFrame,
    key: Sequence[str],
    attributes: Sequence[str],
    track: Sequence[str],
    sequence_by: str,
) -> DataFrame:
    """Natural key, attributes, valid_from, valid_to, is_current: one row per version.

    Every step is a window over the natural key in sequence order, so Spark shuffles and sorts
    the history once: the windows ordered by `sequence_by` alone reuse the first window's sort,
    whose order extends theirs with the tie-breakers.
    """
    values = [a for a in attributes if a not in key]
    keep = [*key, *values]
    seq = F.col(sequence_by)
    placed = history.where(seq.isNotNull())
    for column in key:
        placed = placed.where(F.col(column).isNotNull())
    # Same key and instant: the first row newest-first is the one kept (lag sees a new instant).
    arrival = Window.partitionBy(*key).orderBy(seq, *latest_first(None, values))
    new_instant = ~seq.eqNullSafe(F.lag(seq).over(arrival))
    distinct = placed.select(*keep, seq, new_instant.alias("__new")).where(F.col("__new"))
    timeline = Window.partitionBy(*key).orderBy(seq)
    tracked = F.struct(*(F.col(c) for c in track))
    opens = ~tracked.eqNullSafe(F.lag(tracked).over(timeline))
    flagged = distinct.select(*keep, seq, opens.alias("__opens"))
    so_far = timeline.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    opened_at = F.last(F.when(F.col("__opens"), seq), ignorenulls=True).over(so_far)
    closes = F.coalesce(F.lead("__opens").over(timeline), F.lit(True))
    # The last row of each version carries its latest untracked values; it stands for the version.
    last_rows = flagged.select(
        *keep, seq, opened_at.cast("timestamp").alias(VALID_FROM), closes.alias("__closes")
    ).where(F.col("__closes"))
    next_from = F.lead(VALID_FROM).over(timeline)
    return last_rows.select(
        *keep,
        F.col(VALID_FROM),
        F.coalesce(next_from, F.lit(END_OF_TIME).cast("timestamp")).alias(VALID_TO),
        next_from.isNull().alias(IS_CURRENT),
    )
