"""The error every command maps to exit code 2, kept apart from the Databricks SDK.

`medallion run-local` reads local reports and raises it, and importing the SDK costs about
1.3 s of every local run's start."""

from __future__ import annotations


class ConfigurationError(Exception):
    """Bad arguments, authentication or an unknown resource: exit code 2."""
