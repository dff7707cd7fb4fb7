"""scripts/demo.py end to end, as a newcomer runs it: green, one progress line per stage,
no Spark start-up noise, and a report that fits on one screen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rendering import REPO

SCREEN_LINES, SCREEN_COLUMNS = 40, 100
NOISE = ("WARNING", "Setting default log level", "setLogLevel", "INFO ", "WARN ", "Traceback")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return result, out


@pytest.mark.pipeline
def test_demo_is_green_and_fits_on_one_screen(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = demo
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) <= SCREEN_LINES, "\n".join(lines)
    assert max(map(len, lines)) <= SCREEN_COLUMNS, max(lines, key=len)
    assert [line[:5] for line in lines if line.startswith("[")] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    assert not [line for line in lines if any(noise in line for noise in NOISE)]


@pytest.mark.pipeline
def test_demo_report_shows_every_subject(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, out = demo
    text = result.stdout
    for subject in ("rows ", "gold ", "fact_sales ", "rules ", "quarantine ", "orphans ", "Verdict: SUCCESS"):
        assert subject in text, subject
    assert "flows: 17 completed" in text and "demo finished in" in text
    report = json.loads((out / "medallion_pipeline" / ".medallion" / "report.json").read_text())
    assert report["status"] == "COMPLETED"
    assert all(c["balanced"] for c in report["conservation"].values())
    reasons = {r["rule"] for rs in report["quarantine_reasons"].values() for r in rs}
    warn_rules = {r["rule"] for r in report["rules"] if r["action"] == "warn"}
    assert reasons and not reasons & warn_rules, "warn rules never send a row to quarantine"


def test_demo_refuses_to_empty_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "no earlier demo" in result.stderr
    assert (tmp_path / "precious.txt").read_text() == "keep me"
