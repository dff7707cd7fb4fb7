"""The workspace client the monitor and deploy commands use, and its clock."""

from __future__ import annotations

import math

from databricks.sdk import WorkspaceClient
from databricks.sdk.clock import Clock, RealClock
from databricks.sdk.config import Config

from medallion.monitor.deadline import Deadline, DeadlineClock
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.redact import redact, remember

# Longest wait for one HTTP answer (the SDK's default is 60 s). Statements are submitted with
# a 10 s server-side wait, so 30 s leaves room; a hung connection is retried by the SDK.
HTTP_TIMEOUT_S = 30.0
# The SDK's own retry budget per request (default 300 s), never more than the deadline.
SDK_RETRY_BUDGET_S = 300


def make_clock() -> Clock:
    """The clock for every wait (SDK retries and our polling); tests swap in a fast one."""
    return RealClock()


def workspace_client(profile: str | None = None, deadline: Deadline | None = None) -> WorkspaceClient:
    """A client from the usual unified auth (environment, profile, notebook context).

    Every sleep of the SDK (its retries of 429/503 and connection errors) is on a clock that
    refuses to sleep past `deadline`; its retry budget and HTTP read timeout are bounded too.
    Authentication itself (which may call the workspace) runs within the deadline.
    """
    deadline = deadline or Deadline(make_clock(), None)
    budget = SDK_RETRY_BUDGET_S if math.isinf(deadline.seconds) else deadline.seconds
    retry_s = max(1, min(SDK_RETRY_BUDGET_S, math.ceil(budget)))

    def connect() -> WorkspaceClient:
        try:
            config = Config(
                profile=profile,
                clock=DeadlineClock(deadline),
                retry_timeout_seconds=retry_s,
                http_timeout_seconds=HTTP_TIMEOUT_S,
                product="medallion",
                product_version="1.0.0",
            )
        except ValueError as error:
            raise ConfigurationError(f"cannot authenticate to Databricks: {redact(str(error))}") from None
        remember(config.token, config.client_secret, config.password)
        return WorkspaceClient(config=config)

    return deadline.run("authenticating to Databricks", connect)
