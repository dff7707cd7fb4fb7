"""Secrets and control characters out of everything the monitor and deploy echo (event
messages, CLI output, errors, reports, the fix log).

Redaction is by what a secret is, not only how it looks; each match is replaced by `[REDACTED]`,
keeping the label that shows what was removed:
- the configured credentials themselves, whatever their shape: the values of DATABRICKS_TOKEN,
  DATABRICKS_CLIENT_SECRET, DATABRICKS_PASSWORD (and any `remember`-ed at connection time);
- PEM blocks (`-----BEGIN ... PRIVATE KEY-----` to its END, or to the end of the text);
- credentials in URLs: `scheme://user:SECRET@host`;
- authorization headers: `Bearer SECRET`, `Basic SECRET`;
- assignments of secret-named keys, with any prefix: `PGPASSWORD=...`, `pwd: ...`,
  `"client_secret": "..."`, `x-api-key: ...`, `AccountKey=...` (connection strings),
  `token=...`, `access_key`, `sig`, `credential` (any case, `=` or `:`, quoted or not);
- token-shaped words anywhere: Databricks personal access tokens and OAuth secrets (`dapi...`,
  `dose...`), JSON web tokens (`eyJ....eyJ....`), AWS access key ids (`AKIA...`), GitHub
  tokens (`ghp_...`, `github_pat_...`), Slack tokens (`xox?-...`), Google API keys (`AIza...`).

Control characters (ESC sequences, carriage returns, bidirectional overrides) from outside
text are shown as escapes (`\\x1b`), so that nothing echoed can rewrite the terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

MARK = "[REDACTED]"
CREDENTIAL_VARIABLES = ("DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_PASSWORD")
MIN_KNOWN_LENGTH = 6
"""A remembered credential shorter than this is not searched for (it would mask ordinary words)."""

_KNOWN: set[str] = set()
_LONG_KEYS = (
    r"password|passwd|client_secret|secret|access_token|refresh_token|id_token|token|"
    r"api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key|account[_-]?key|"
    r"shared[_-]?access[_-]?key|credentials?"
)
_SHORT_KEYS = r"pwd|sig"
_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;&}]+)"""
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S
        ),
        MARK,
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@"), rf"\1{MARK}@"),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{4,}"), rf"\1\2{MARK}"),
    (re.compile(rf"""(?i)(["']?[a-z0-9_-]*(?:{_LONG_KEYS})["']?\s*[=:]\s*){_VALUE}"""), rf"\1{MARK}"),
    (re.compile(rf"""(?i)(["']?\b(?:[a-z0-9_]*_)?(?:{_SHORT_KEYS})["']?\s*[=:]\s*){_VALUE}"""), rf"\1{MARK}"),
    (re.compile(r"\b(?:dapi|dose)[A-Za-z0-9_-]{4,}"), MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MARK),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MARK),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MARK),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MARK),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), MARK),
]


def remember(*secrets: str | None) -> None:
    """Credentials this process holds (a configured token, a client secret): redacted wherever
    they appear, whatever their shape."""
    _KNOWN.update(s for s in secrets if s and len(s) >= MIN_KNOWN_LENGTH)


def _known(environment: Iterable[str] = CREDENTIAL_VARIABLES) -> list[str]:
    values = {os.environ.get(name, "") for name in environment} | _KNOWN
    return sorted((v for v in values if len(v) >= MIN_KNOWN_LENGTH), key=len, reverse=True)


def neutralize(text: str) -> str:
    """Control characters shown as escapes (line breaks and tabs stay; CRLF becomes LF)."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def redact(text: str) -> str:
    """`text` with every secret replaced and its control characters neutralized."""
    for secret in _known():
        text = text.replace(secret, MARK)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return neutralize(text)


def redact_all(value: Any) -> Any:
    """Every string inside a JSON-like value redacted (keys stay)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_all(v) for v in value]
    return value
