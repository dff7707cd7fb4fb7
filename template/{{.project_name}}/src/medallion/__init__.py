"""Medallion pipeline helpers.

The top level is what runs on Databricks: the spec (`spec/`), the pipeline's readers, rules,
quarantine and star schema (`context`, `bronze`, `silver`, `gold/`, ...), the monitor
(`monitor/`), the job's wheel-task commands (`commands/`: monitor, sample-data) and the data
tests' figures (`data_tests`, imported by tests/nutter from the synced files). `tooling/` holds
the local tools (local runner, inference, deploy loop, upgrade, pre-commit checks), which the
wheel leaves out.
"""

# The template release these helpers come from (`medallion --version`).
__version__ = "0.6.0"
