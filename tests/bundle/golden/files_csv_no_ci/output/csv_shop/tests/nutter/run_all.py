# Databricks notebook source
# MAGIC %md
# MAGIC # Data tests after the pipeline (the job's `data_tests` task)
# MAGIC Installs nutter here (serverless notebook tasks take no job environment), then runs the
# MAGIC bronze, silver and gold fixtures in this session. A failed assertion fails the task.
# MAGIC Parameters: `catalog`, `schema`, `bundle_root` (the bundle's deployed files).

# COMMAND ----------

# MAGIC %pip install --quiet nutter==0.1.35 PyYAML jsonschema

# COMMAND ----------

# MAGIC %run ./test_bronze

# COMMAND ----------

# MAGIC %run ./test_silver

# COMMAND ----------

# MAGIC %run ./test_gold
