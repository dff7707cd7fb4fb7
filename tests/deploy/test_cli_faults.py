"""`medallion deploy` when the CLI or the API misbehaves: each case
asserts the exit code, a clear one-line cause and no traceback; secrets in the CLI's stderr
are redacted; `--timeout` stops a hanging `bundle deploy` (its process is gone) and bounds
the monitoring too."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from databricks.sdk.clock import RealClock

from medallion.cli import main
from medallion.monitor import connect
from tests.deploy.conftest import install_fake_cli
from tests.support.fake_databricks import TOKEN, FakeServer, FakeWorkspace, Fault

FAULT_CLI = Path(__file__).resolve().parents[1] / "support" / "fake_databricks_cli_faults.py"


@pytest.fixture
def fault_cli(tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fault-injecting fake CLI first on PATH; FAKE_CLI_FAULT picks the fault."""
    return install_fake_cli(FAULT_CLI, tmp_path, server, monkeypatch)


def deploy(project: Path, *args: str) -> tuple[int, float]:
    started = time.monotonic()
    code = main(
        ["deploy", "--spec", str(project / "medallion.yml"), "-t", "dev", "--poll-interval", "1", *args]
    )
    return code, time.monotonic() - started


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("deploy: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_hanging_bundle_deploy_is_stopped_at_the_deadline(
    project: Path,
    fault_cli: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setattr(connect, "make_clock", RealClock)
    monkeypatch.setenv("FAKE_CLI_FAULT", "hang-deploy")
    pid_file = tmp_path / "hung.pid"
    monkeypatch.setenv("FAKE_CLI_PID_FILE", str(pid_file))
    code, took = deploy(project, "--timeout", "4")
    assert code == 3 and took <= 4 + 10, took
    line = one_error_line(capsys.readouterr().err)
    assert line == (
        "deploy: timeout: `databricks bundle deploy -t dev` was still running (stopped it); "
        "the --timeout of 4 s ran out"
    )
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


@pytest.mark.parametrize(
    ("fault", "code", "says"),
    [
        (
            "validate-not-json",
            1,
            "bundle validate -t dev -o json printed no JSON (Expecting value at line 1)",
        ),
        ("help-fails", 2, 'bundle --help` failed (1: Error: unknown command "bundle" for "databricks")'),
        ("no-warehouse", 2, "no warehouse: pass --warehouse-id or set the bundle variable warehouse_id"),
        (
            "two-pipelines",
            2,
            "the bundle has 2 pipelines (other_pipeline, retail_pipeline): choose one with --pipeline",
        ),
        ("two-jobs", 2, "the bundle has 2 jobs (backfill_job, retail_job): choose one with --job"),
    ],
)
def test_cli_faults_give_a_clear_exit(
    project: Path,
    fault_cli: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    fault: str,
    code: int,
    says: str,
) -> None:
    monkeypatch.setenv("FAKE_CLI_FAULT", fault)
    assert deploy(project)[0] == code
    assert says in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(("fault", "choice"), [("two-pipelines", "--pipeline"), ("two-jobs", "--job")])
def test_a_choice_among_several_resources_deploys(
    project: Path, fault_cli: Path, monkeypatch: pytest.MonkeyPatch, fault: str, choice: str
) -> None:
    monkeypatch.setenv("FAKE_CLI_FAULT", fault)
    key = "retail_pipeline" if choice == "--pipeline" else "retail_job"
    assert deploy(project, choice, key)[0] == 0
    assert "bundle run -t dev retail_job --no-wait" in fault_cli.read_text()


def test_a_failing_bundle_command_exits_1_with_its_stderr_redacted(
    project: Path, fault_cli: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("FAKE_CLI_FAULT", "deploy-fails")
    assert deploy(project)[0] == 1
    err = capsys.readouterr().err
    assert "deploy: databricks bundle deploy -t dev failed (1):" in err
    assert "Bearer [REDACTED]" in err and "password=[REDACTED]" in err
    assert "dapi0123" not in err and "hunter2" not in err and "Traceback" not in err
    assert TOKEN not in err and "s3cr3t" not in err and "\x1b" not in err  # by meaning, not shape
    assert "\\x1b[31mtoken [REDACTED] rejected" in err


def test_no_cli_on_path_exits_2(
    project: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(project / "no-bin"))
    assert deploy(project)[0] == 2
    assert "no `databricks` CLI on PATH" in one_error_line(capsys.readouterr().err)


def test_an_api_that_stays_unavailable_ends_deploy_at_the_deadline(
    project: Path,
    fault_cli: Path,
    workspace: FakeWorkspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setattr(connect, "make_clock", RealClock)
    unavailable = Fault(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")
    workspace.fail("GET", r"^/api/2\.0/pipelines/[^/]+$", unavailable, forever=True)
    code, took = deploy(project, "--timeout", "6")
    assert code == 3 and took <= 6 + 10, took
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("deploy: timeout: GET /api/2.0/pipelines/") and "ran out" in line


@pytest.mark.parametrize("flag", [["--poll-interval", "0.1"], ["--timeout", "0"], ["--timeout", "nan"]])
def test_timing_flags_are_checked(project: Path, fault_cli: Path, flag: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        deploy(project, *flag)
    assert exited.value.code == 2
