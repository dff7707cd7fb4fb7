"""Watch a pipeline update (on Databricks or a local run report) and judge it."""
