# Databricks notebook source
# MAGIC %md
# MAGIC # Silver data tests (nutter)
# MAGIC For every source: the silver tables exist, every bronze row is in the history or the
# MAGIC quarantine (conservation), no history row breaks a drop rule, every quarantined row
# MAGIC names the rules it broke, and `silver_<t>` has one row per primary key.

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


class SilverFixture(NutterFixture):
    """Silver and quarantine account for every bronze row, and obey the rules."""

    def run_a_presence(self) -> None:
        tables = dt.layer_tables(SPEC, CATALOG, SCHEMA, "silver_history", "silver", "quarantine")
        self.absent = dt.missing(spark, tables)

    def assertion_a_presence(self) -> None:
        assert not self.absent, f"missing silver tables: {self.absent}"

    def run_conservation(self) -> None:
        self.figures = {t.name: dt.conservation(spark, t, CATALOG, SCHEMA) for t in SPEC.sources}

    def assertion_conservation(self) -> None:
        broken = {t: f for t, f in self.figures.items() if f[0] != f[1] + f[2]}
        assert not broken, f"bronze != history + quarantine (bronze, history, quarantine): {broken}"
        empty = [t for t, f in self.figures.items() if f[0] > 0 and f[1] == 0]
        assert not empty, f"rows ingested but no valid rows at all in: {empty}"

    def run_rules(self) -> None:
        sources = SPEC.sources
        self.violations = {t.name: dt.drop_rule_violations(spark, t, CATALOG, SCHEMA) for t in sources}
        self.unexplained = {t.name: dt.unexplained_quarantine(spark, t, CATALOG, SCHEMA) for t in sources}

    def assertion_rules(self) -> None:
        assert not any(self.violations.values()), f"history rows breaking a drop rule: {self.violations}"
        unexplained = self.unexplained
        assert not any(unexplained.values()), f"quarantined rows without known _errors: {unexplained}"

    def run_unique_keys(self) -> None:
        self.duplicates = {t.name: dt.duplicate_keys(spark, t, CATALOG, SCHEMA) for t in SPEC.sources}

    def assertion_unique_keys(self) -> None:
        assert not any(self.duplicates.values()), f"duplicate primary keys in silver: {self.duplicates}"


# COMMAND ----------

result = SilverFixture().execute_tests()
print(result.to_string())  # the nutter report: one line per test, tracebacks of failures
if not result.test_results.passed():
    raise AssertionError("silver data tests failed (see the report above)")
