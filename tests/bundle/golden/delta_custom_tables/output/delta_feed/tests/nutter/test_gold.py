# Databricks notebook source
# MAGIC %md
# MAGIC # Gold data tests (nutter)
# MAGIC Every dimension, fact and aggregate of the star schema exists and holds rows, and
# MAGIC every fact row found its dimension members (surrogate keys are never NULL).

# COMMAND ----------

# ruff: noqa: E402, F821  (spark and dbutils come from the notebook runtime)
import sys

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("schema", "")
dbutils.widgets.text("bundle_root", "")
CATALOG = dbutils.widgets.get("catalog")
SCHEMA = dbutils.widgets.get("schema")
ROOT = dbutils.widgets.get("bundle_root")
if f"{ROOT}/src" not in sys.path:
    sys.path.insert(0, f"{ROOT}/src")  # the helpers as deployed with the bundle

# COMMAND ----------

from runtime.nutterfixture import NutterFixture

from medallion import data_tests as dt
from medallion import naming
from medallion.spec import load_spec
from medallion.sql import quote_identifier

SPEC = load_spec(f"{ROOT}/medallion.yml")

# COMMAND ----------


class GoldFixture(NutterFixture):
    """The star schema is complete and its facts are joined to their dimensions."""

    def run_gold_tables(self) -> None:
        self.tables = dt.layer_tables(SPEC, CATALOG, SCHEMA, "gold")
        self.absent = dt.missing(spark, self.tables)
        present = {k: v for k, v in self.tables.items() if k not in self.absent}
        self.counts = {short: dt.row_count(spark, name) for short, name in present.items()}
        self.not_ingested = dt.not_ingested(spark, SPEC, CATALOG, SCHEMA)

    def assertion_gold_tables(self) -> None:
        assert not self.absent, f"missing gold tables: {self.absent}"
        empty = [t for t, n in self.counts.items() if n == 0]
        # Gold may be empty only while a source has ingested nothing yet.
        assert not empty or self.not_ingested, f"empty gold tables: {empty}"

    def run_fact_keys(self) -> None:
        self.null_keys = {}
        for fact in SPEC.gold.facts:
            name = dt.qualified(CATALOG, SCHEMA, naming.fact_table(fact.name))
            keys = [quote_identifier(f"{link.role}_key") for link in fact.links]
            if keys:
                where = " OR ".join(f"{k} IS NULL" for k in keys)
                query = f"SELECT COUNT(*) AS n FROM {name} WHERE {where}"
                self.null_keys[fact.name] = int(spark.sql(query).collect()[0]["n"])

    def assertion_fact_keys(self) -> None:
        assert not any(self.null_keys.values()), f"fact rows with a NULL surrogate key: {self.null_keys}"


# COMMAND ----------

result = GoldFixture().execute_tests()
print(result.to_string())  # the nutter report: one line per test, tracebacks of failures
if not result.test_results.passed():
    raise AssertionError("gold data tests failed (see the report above)")
