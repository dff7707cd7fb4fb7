# Databricks notebook source
# MAGIC %md
# MAGIC # Bronze data tests (nutter)
# MAGIC Every source's `bronze_<t>` exists and holds rows. Runs as the job's `data_tests` task
# MAGIC after the pipeline; locally: `python tests/nutter/run_local.py` (see its docstring).

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
from medallion.spec import load_spec

SPEC = load_spec(f"{ROOT}/medallion.yml")

# COMMAND ----------


class BronzeFixture(NutterFixture):
    """Bronze tables are present; an empty one means no rows ingested yet (said, not failed)."""

    def run_bronze(self) -> None:
        self.tables = dt.layer_tables(SPEC, CATALOG, SCHEMA, "bronze")
        self.absent = dt.missing(spark, self.tables)
        present = {k: v for k, v in self.tables.items() if k not in self.absent}
        self.counts = {short: dt.row_count(spark, name) for short, name in present.items()}

    def assertion_bronze(self) -> None:
        assert not self.absent, f"missing bronze tables: {self.absent}"
        empty = [t for t, n in self.counts.items() if n == 0]
        if empty:  # a first update on an empty landing zone: the monitor reports the same
            print(f"no rows ingested yet in: {', '.join(empty)}")


# COMMAND ----------

result = BronzeFixture().execute_tests()
print(result.to_string())  # the nutter report: one line per test, tracebacks of failures
if not result.test_results.passed():
    raise AssertionError("bronze data tests failed (see the report above)")
