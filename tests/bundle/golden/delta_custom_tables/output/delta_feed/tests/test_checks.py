"""The repository checks pre-commit runs: no workspace hosts or tokens, YAML that parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from medallion.tooling.checks import secrets, yaml_files

FAKE_PAT = "dapi" + "0123456789abcdef" * 2  # built at run time so this file passes the check


@pytest.mark.parametrize(
    "line",
    [
        "host: https://dbc-1a2b3c4d-5e6f.cloud.databricks.com",  # secrets: allow
        "host = https://adb-1234567890123456.7.azuredatabricks.net/",  # secrets: allow
        "url: https://1234567890123456.7.gcp.databricks.com",  # secrets: allow
        f"token = {FAKE_PAT}",
        f"DATABRICKS_TOKEN={FAKE_PAT}-2",
        "-----BEGIN RSA " + "PRIVATE KEY-----",
        "aws_access_key_id = AKIA" + "ABCDEFGHIJKLMNOP",
    ],
)
def test_secrets_are_found(line: str) -> None:
    assert list(secrets.scan_text(line)), line


@pytest.mark.parametrize(
    "line",
    [
        "host: ${workspace.host}",
        "see https://docs.databricks.com/dev-tools/bundles/",
        "https://<workspace>.cloud.databricks.com",
        "https://example.cloud.databricks.com",
        "dapi-like but short: dapi1234",
        f"{FAKE_PAT}  # secrets: allow",
    ],
)
def test_harmless_lines_pass(line: str) -> None:
    assert not list(secrets.scan_text(line)), line


def test_findings_are_redacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leaked = tmp_path / "leak.cfg"
    leaked.write_text(f"[DEFAULT]\ntoken = {FAKE_PAT}\n")
    assert secrets.main([str(leaked)]) == 1
    out = capsys.readouterr().out
    assert "leak.cfg:2" in out and FAKE_PAT not in out


def test_project_files_are_clean(root: Path) -> None:
    skip = {".medallion", ".venv", "dist", "build", ".databricks", ".git"}
    files = [p for p in root.rglob("*") if p.is_file() and not skip & set(p.relative_to(root).parts)]
    findings = [f for p in files for f in secrets.scan_file(p)]
    assert not findings, "\n".join(map(str, findings))


def test_yaml_check(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text("a: 1\n---\nb: [1, 2]\n")
    bad.write_text("a: [1, 2\n")
    assert yaml_files.main([str(good)]) == 0
    assert yaml_files.main([str(bad), str(good)]) == 1
