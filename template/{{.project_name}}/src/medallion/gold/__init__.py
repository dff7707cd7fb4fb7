"""Gold star schema: dimensions (SCD1/SCD2), dim_date, facts and aggregates as materialized views,
and quality_metrics, the pipeline's own data-quality figures (medallion.gold.quality).

`define_gold` (medallion.gold.pipeline) and `safe_divide` (medallion.gold.ratios) are imported
on first use (PEP 562): they need pyspark, and the spec's checks read the gold tables' columns
(medallion.gold.columns) without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["define_gold", "safe_divide"]

if TYPE_CHECKING:
    from medallion.gold.pipeline import define_gold
    from medallion.gold.ratios import safe_divide


def __getattr__(name: str) -> Any:
    if name == "define_gold":
        from medallion.gold.pipeline import define_gold

        return define_gold
    if name == "safe_divide":
        from medallion.gold.ratios import safe_divide

        return safe_divide
    raise AttributeError(f"module 'medallion.gold' has no attribute {name!r}")
