"""Silver: typed view, history of valid versions, quarantine and the latest row per key."""

from pyspark import pipelines as dp

from medallion.context import PipelineContext
from medallion.silver import define_silver

define_silver(PipelineContext.from_pipeline(dp))
