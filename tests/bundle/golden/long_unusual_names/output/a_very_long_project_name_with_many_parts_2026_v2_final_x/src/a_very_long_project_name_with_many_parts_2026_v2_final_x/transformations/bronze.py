"""Bronze: one streaming table per source in medallion.yml, every record kept with audit columns."""

from pyspark import pipelines as dp

from medallion.bronze import define_bronze
from medallion.context import PipelineContext

define_bronze(PipelineContext.from_pipeline(dp))
