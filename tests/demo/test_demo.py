"""scripts/demo.py end to end, as a newcomer runs it: green, one progress line per stage,
no Spark start-up noise, and a report that fits on one screen."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pipeline.test_report_page import figures_of
from tests.rendering import REPO

SCREEN_LINES, SCREEN_COLUMNS = 40, 100
NOISE = ("WARNING", "Setting default log level", "setLogLevel", "INFO ", "WARN ", "Traceback")


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[subprocess.CompletedProcess[str], Path]]:
    # A short folder, as `make demo`'s build/demo: the report page's path is on the last line.
    out = Path(tempfile.mkdtemp(prefix="demo-"))
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    yield result, out
    shutil.rmtree(out, ignore_errors=True)


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
    assert "flows: 18 completed" in text and "demo finished in" in text
    report = json.loads((out / "medallion_pipeline" / ".medallion" / "report.json").read_text())
    assert report["status"] == "COMPLETED"
    assert all(c["balanced"] for c in report["conservation"].values())
    reasons = {r["rule"] for rs in report["quarantine_reasons"].values() for r in rs}
    warn_rules = {r["rule"] for r in report["rules"] if r["action"] == "warn"}
    assert reasons and not reasons & warn_rules, "warn rules never send a row to quarantine"


ARTIFACTS = REPO / "build" / "test-artifacts"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.pipeline
def test_demo_ends_with_the_report_page_and_a_browser_shows_the_reports_figures(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    """The page opened in headless Chromium (DOM after load, and a screenshot kept in
    build/test-artifacts/) holds the same figures as the run's report."""
    result, out = demo
    project = out / "medallion_pipeline"
    page = project / ".medallion" / "report.html"
    assert result.stdout.rstrip().splitlines()[-1].endswith(f"; report page: {page}")
    browser = chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (scripts/setup installs Debian's chromium when it can)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-page.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1300,1700", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
    report = json.loads((project / ".medallion" / "report.json").read_text())
    shown = figures_of(dom).figures
    assert shown["status"] == report["status"]
    for name, info in report["tables"].items():
        if info["layer"] != "quality":
            assert shown[f"rows:{name}"] == f"{info['rows']:,}", name
    for rule in report["rules"]:
        assert shown[f"failed:{rule['table']}:{rule['rule']}"] == f"{rule['failed']:,}"
    for source, figures in report["conservation"].items():
        assert shown[f"quarantine:{source}"] == f"{figures['quarantine']:,}"
    for fact, figures in report["gold"].items():
        for measure, total in figures["measures"].items():
            assert shown[f"total:{fact}:{measure}"] == total
        for role, count in figures["orphans"].items():
            assert shown[f"unknown:{fact}:{role}"] == f"{count:,}"


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
