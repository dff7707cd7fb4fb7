"""Run the pipeline on local Apache Spark Declarative Pipelines and report what it did."""
