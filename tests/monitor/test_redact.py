"""What the monitor and deploy echo is redacted: each rule of medallion/monitor/redact.py, and
what must stay readable."""

from __future__ import annotations

import pytest

from medallion.monitor.redact import redact, redact_all, remember


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
        ("PGPASSWORD=s3cr3t psql -h db", "PGPASSWORD=[REDACTED] psql -h db"),
        (
            "DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=QUJDREVG+/xyz==;EndpointSuffix=x",
            "DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=[REDACTED];EndpointSuffix=x",
        ),
        ("x-api-key: 9f8e7d6c5b4a", "x-api-key: [REDACTED]"),
        ("google AIzaSyA1234567890abcdefghijklmnopqrstuv ok", "google [REDACTED] ok"),
        (
            "key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAKC\n-----END RSA PRIVATE KEY----- after",
            "key [REDACTED] after",
        ),
        ("cut -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqh", "cut [REDACTED]"),
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


def test_a_configured_token_of_any_shape_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "plain-words-token-99")
    assert redact("the CLI said: plain-words-token-99 is invalid") == "the CLI said: [REDACTED] is invalid"


def test_a_remembered_secret_is_redacted_everywhere() -> None:
    remember("Corr3ct-Horse-Battery")
    assert redact_all({"events": ["login Corr3ct-Horse-Battery failed"]}) == {
        "events": ["login [REDACTED] failed"]
    }


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("red \x1b[31mALERT\x1b[0m", "red \\x1b[31mALERT\\x1b[0m"),
        ("over\rwrite", "over\\rwrite"),
        ("crlf\r\nline\tkept", "crlf\nline\tkept"),
        ("evil \u202egnp.exe", "evil \\u202egnp.exe"),
        ("bell\x07 and nul\x00", "bell\\x07 and nul\\x00"),
    ],
)
def test_control_characters_are_shown_as_escapes(text: str, shown: str) -> None:
    assert redact(text) == shown
