"""Gold: the star schema of medallion.yml (dimensions, dim_date, facts, aggregates) and
quality_metrics, the data-quality figures the dashboard and the alerts read."""

from pyspark import pipelines as dp

from medallion.context import PipelineContext
from medallion.gold import define_gold

define_gold(PipelineContext.from_pipeline(dp))
