"""Every REST call of the monitor and deploy: bounded by the deadline, transient faults retried.

The SDK retries HTTP 429 and 503 (honouring Retry-After) and connection errors by itself. It
does not retry a 500, a 502 or 504 from a proxy (often with an HTML body), or a 200 whose
body is not JSON; those are transient here too and retried with back-off until the deadline.
Authentication, permission, not-found and bad-request answers are not retried (exit 2). A
body that is JSON but not the shape the SDK expects is `MalformedResponse`, naming the
endpoint.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import (
    DatabricksError,
    InternalError,
    TemporarilyUnavailable,
    TooManyRequests,
)
from databricks.sdk.errors import DeadlineExceeded as GatewayTimeout

from medallion.monitor.deadline import Deadline, DeadlineReached, deadline_of
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.redact import redact

T = TypeVar("T")
MAX_BACKOFF_S = 10.0
MAX_ODD_ANSWERS = 3
"""A well-formed but empty answer (`problem` says so) is asked again this many times in all."""
SLEEP_ERROR = "sleep length must be non-negative"
"""What the SDK raises when a 429 or 503 carries a negative Retry-After: a retry, not a fault of ours."""
# error_code values the SDK derives from a gateway's status line (HTML or empty bodies).
_TRANSIENT_CODES = {
    "BAD_GATEWAY",
    "SERVICE_UNAVAILABLE",
    "GATEWAY_TIMEOUT",
    "INTERNAL_SERVER_ERROR",
    "TEMPORARILY_UNAVAILABLE",
    "INTERNAL_ERROR",
    "REQUEST_LIMIT_EXCEEDED",
}
# An empty error body leaves only the status line's reason as the message.
_TRANSIENT_REASONS = {"bad gateway", "service unavailable", "gateway timeout", "internal server error"}


class MalformedResponse(ConfigurationError):
    """The API answered JSON in a shape the SDK cannot read: exit 2, naming the endpoint."""


def transient(error: BaseException) -> str | None:
    """Why `error` is worth another try within the deadline, or None."""
    if isinstance(error, DeadlineReached):
        return None
    if isinstance(error, (InternalError, TemporarilyUnavailable, GatewayTimeout, TooManyRequests)):
        return _first_line(f"{type(error).__name__}: {error}")
    if isinstance(error, DatabricksError):
        if (error.error_code or "") in _TRANSIENT_CODES:
            return _first_line(f"{error.error_code}: {error}")
        if str(error).startswith("unable to parse response"):
            return "an error answer that is not JSON"
        if str(error).strip().lower() in _TRANSIENT_REASONS:
            return f"HTTP {str(error).strip()} with an empty body"
        return None
    if isinstance(error, (requests.exceptions.JSONDecodeError, json.JSONDecodeError)):
        return "an answer that is not JSON"
    if isinstance(error, ValueError) and SLEEP_ERROR in str(error):
        return "a Retry-After the SDK cannot wait for (negative)"
    if isinstance(error, requests.RequestException):
        return _first_line(f"{type(error).__name__}: {error}")
    if isinstance(error, (ConnectionError, TimeoutError)):
        # TimeoutError: the SDK's own retry budget ran out; the error it kept getting is the cause.
        cause = error.__cause__
        return _first_line(f"{type(cause or error).__name__}: {cause or error}")
    return None


def _first_line(text: str) -> str:
    return redact(text.strip().splitlines()[0] if text.strip() else text)[:300]


def _malformed(error: BaseException) -> bool:
    return isinstance(error, (AttributeError, TypeError, KeyError, IndexError, ValueError))


def call(
    client: WorkspaceClient,
    endpoint: str,
    fn: Callable[..., T],
    *args: Any,
    retry: bool = True,
    problem: Callable[[Any], str | None] | None = None,
    **kwargs: Any,
) -> T:
    """`fn(*args, **kwargs)` (an SDK call) within the client's deadline, retrying transient faults.

    `endpoint` names the request in messages ("GET /api/2.0/pipelines/<id>"). `retry=False`
    for a request that must not be sent twice (starting an update). `problem(answer)` says what
    is wrong with a well-formed answer (e.g. an empty body): asked again, at most
    MAX_ODD_ANSWERS times in all, then `MalformedResponse`.
    """
    deadline = deadline_of(client.config.clock)
    attempt = odd = 0
    while True:
        try:
            answer = deadline.run(endpoint, fn, *args, **kwargs)
            wrong = problem(answer) if problem is not None else None
            if wrong is None:
                return answer
            odd += 1
            if odd >= MAX_ODD_ANSWERS or not retry:
                raise MalformedResponse(f"{endpoint} {wrong}")
            attempt += 1
            _back_off(deadline, endpoint, wrong, attempt)
            continue
        except DeadlineReached as error:
            if str(error).startswith(endpoint):
                raise
            raise DeadlineReached(f"{endpoint}: {error}") from None
        except Exception as error:
            reason = transient(error)
            if reason is None:
                if _malformed(error) and not isinstance(error, DatabricksError):
                    raise MalformedResponse(
                        f"{endpoint} answered in a shape this tool cannot read "
                        f"({type(error).__name__}: {_first_line(str(error))}); "
                        "is DATABRICKS_HOST a Databricks workspace, reached without a rewriting proxy?"
                    ) from None
                raise
            if not retry:
                raise ConfigurationError(
                    f"{endpoint} failed ({reason}); not retried because it may have taken effect: "
                    "check the pipeline's updates before trying again"
                ) from None
            attempt += 1
            _back_off(deadline, endpoint, reason, attempt)


def _back_off(deadline: Deadline, endpoint: str, reason: str, attempt: int) -> None:
    wait = min(2.0 ** (attempt - 1), MAX_BACKOFF_S)
    if wait >= deadline.left():
        raise deadline.reached(f"{endpoint} kept failing (last: {reason})")
    print(f"{endpoint}: {reason}; retrying in {wait:.0f} s (try {attempt + 1})", file=sys.stderr)
    deadline.pause(wait)
