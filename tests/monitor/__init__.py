"""Tests of `medallion monitor` against a local fake of the Databricks API."""
