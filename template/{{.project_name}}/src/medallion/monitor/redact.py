"""Secrets out of everything the monitor and deploy echo (event messages, CLI output, errors).

Rules, in order; each match is replaced by `[REDACTED]`, keeping the label that shows what
was removed:
- credentials in URLs: `scheme://user:SECRET@host`;
- authorization headers: `Bearer SECRET`, `Basic SECRET`;
- assignments of secret-named keys: `password=...`, `pwd: ...`, `"client_secret": "..."`,
  `token=...`, `api_key`, `access_key`, `secret`, `sig`, `credential` (any case, `=` or `:`,
  quoted or not);
- token-shaped words anywhere: Databricks personal access tokens and OAuth secrets (`dapi...`,
  `dose...`), JSON web tokens (`eyJ....eyJ....`), AWS access key ids (`AKIA...`), GitHub
  tokens (`ghp_...`, `github_pat_...`), Slack tokens (`xox?-...`).
"""

from __future__ import annotations

import re
from typing import Any

MARK = "[REDACTED]"

_KEYS = (
    r"password|passwd|pwd|client_secret|secret|access_token|refresh_token|id_token|token|"
    r"api_key|apikey|access_key|secret_key|private_key|sig|credentials?"
)
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@"), rf"\1{MARK}@"),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{4,}"), rf"\1\2{MARK}"),
    (
        re.compile(
            rf"""(?i)(["']?\b(?:[a-z0-9_]*_)?(?:{_KEYS})["']?\s*[=:]\s*)(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;&}}]+)"""
        ),
        rf"\1{MARK}",
    ),
    (re.compile(r"\b(?:dapi|dose)[A-Za-z0-9_-]{4,}"), MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), MARK),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MARK),
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MARK),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), MARK),
]


def redact(text: str) -> str:
    """`text` with every secret-looking part replaced."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redact_all(value: Any) -> Any:
    """Every string inside a JSON-like value redacted (keys stay)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_all(v) for v in value]
    return value
