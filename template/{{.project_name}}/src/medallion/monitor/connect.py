"""The workspace client the monitor and deploy commands use, and its clock."""

from __future__ import annotations

from databricks.sdk import WorkspaceClient
from databricks.sdk.clock import Clock, RealClock
from databricks.sdk.config import Config


class ConfigurationError(Exception):
    """Bad arguments, authentication or an unknown resource: exit code 2."""


def make_clock() -> Clock:
    """The clock for every wait (SDK retries and our polling); tests swap in a fast one."""
    return RealClock()


def workspace_client(profile: str | None = None) -> WorkspaceClient:
    """A client from the usual unified auth (environment, profile, notebook context)."""
    try:
        config = Config(profile=profile, clock=make_clock(), product="medallion", product_version="1.0.0")
    except ValueError as error:
        raise ConfigurationError(f"cannot authenticate to Databricks: {error}") from None
    return WorkspaceClient(config=config)
