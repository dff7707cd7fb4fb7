"""What the monitor and deploy echo is redacted: each rule of medallion/monitor/redact.py, and
what must stay readable."""

from __future__ import annotations

import pytest

from medallion.monitor.redact import redact, redact_all


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Authorization: Bearer dapi0123456789abcdef0123456789abcdef-2", "Authorization: Bearer [REDACTED]"),
        ("header Basic dXNlcjpwYXNzd29yZA==", "header Basic [REDACTED]"),
        ("token dapi0123456789abcdef leaked", "token [REDACTED] leaked"),
        ("client secret dose0123456789abcdef", "client secret [REDACTED]"),
        (
            "jdbc:postgresql://db/x?user=etl&password=hunter2&ssl=1",
            "jdbc:postgresql://db/x?user=etl&password=[REDACTED]&ssl=1",
        ),
        ('password: "two words; and more" next', "password: [REDACTED] next"),
        ('{"client_secret": "abc123", "n": 1}', '{"client_secret": [REDACTED], "n": 1}'),
        ("DATABRICKS_TOKEN=dapi-fake rest", "DATABRICKS_TOKEN=[REDACTED] rest"),
        ("pwd=abc; next", "pwd=[REDACTED]; next"),
        ("https://etl:p4ss@host.example.com/path", "https://etl:[REDACTED]@host.example.com/path"),
        ("sas ?sv=2020&sig=abcdEF%2B12&se=1", "sas ?sv=2020&sig=[REDACTED]&se=1"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end", "jwt [REDACTED] end"),
        ("aws AKIAABCDEFGHIJKLMNOP key", "aws [REDACTED] key"),
        ("gh ghp_abcdefghijklmnopqrstuvwxyz0123 x", "gh [REDACTED] x"),
    ],
)
def test_secrets_are_redacted(text: str, shown: str) -> None:
    assert redact(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "[TABLE_OR_VIEW_NOT_FOUND] The table `main`.`retail`.`silver_orders` cannot be found.",
        "spark.sql.shuffle.partitions=8, 12 tokens in 5 rows",
        "Update 3f1a is FAILED. Flow 'silver_orders' has FAILED.",
        "secrets/scope/key is referenced as {{secrets/retail/api}}",
    ],
)
def test_ordinary_text_stays(text: str) -> None:
    assert redact(text) == text


def test_json_values_are_redacted_keys_kept() -> None:
    report = {"diagnoses": [{"evidence": ["Bearer abcdefgh1234"], "password": 3}], "n": 1}
    assert redact_all(report) == {"diagnoses": [{"evidence": ["Bearer [REDACTED]"], "password": 3}], "n": 1}
