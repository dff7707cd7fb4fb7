"""`medallion deploy --target T` on a default render, end to end through the emulator: the
fake `databricks` CLI resolves and deploys the bundle, the job runs as Jobs runs it (wheel
tasks in a clean venv, the pipeline on local Spark Declarative Pipelines, the nutter data
tests), and both the deploy loop and the job's own monitor task judge the real update.

Each test runs Spark (serialised by the machine-wide lock): keep them few.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import DEFAULT_ANSWERS, render_project
from tests.support.emulator import resolve_target
from tests.support.emulator.fake_cli import install
from tests.support.emulator.jobs import EXCLUDED, FAILED, SUCCESS, JobRun
from tests.support.emulator.privileges import Securable
from tests.support.emulator.server import Emulator, EmulatorServer
from tests.support.emulator.sql_objects import dataset_rows, evaluate_alert
from tests.support.fake_databricks import TOKEN
from tests.support.warehouse_spark import SparkEngine

CATALOG_OWNER = "catalog.owner@example.com"
SP = "6f1d2c3b-0a9e-4d8f-b7c6-5e4d3c2b1a09"
CI = "3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a"  # the service principal CI deploys staging and prod as


@dataclass
class Emulated:
    project: Path
    emulator: Emulator
    server: EmulatorServer
    env: dict[str, str]

    def setup_part_1(self) -> None:
        """README: "once, by a catalog owner: sql/setup.sql PART 1" before the first deploy."""
        self.emulator.privileges.set_owner(Securable("CATALOG", "main"), CATALOG_OWNER, "(existing catalog)")
        text = (self.project / "sql" / "setup.sql").read_text()
        part_1 = text.split("===== PART 2")[0]
        self.emulator.privileges.apply_sql(part_1, CATALOG_OWNER)

    def deploy(
        self, target: str, *extra: str
    ) -> tuple[subprocess.CompletedProcess[str], list[JobRun], float]:
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "medallion", "deploy", "--target", target, "--poll-interval", "1", *extra],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        runs = self.emulator.wait(timeout=1800)
        return done, runs, time.monotonic() - started

    def land_files(self, target: str) -> Path:
        """Files landing upstream in the deployed target's source volume, between job runs (staging
        and prod load no sample; nothing is loaded before the first run)."""
        resolved = self.emulator.resolve(self.project, target)
        pipeline = next(iter(resolved.resources("pipelines").values()))
        deployed = self.emulator.deployed[(str(self.project.resolve()), resolved.target)]
        folder = deployed.target.local_path(pipeline["configuration"]["medallion.source_location"])
        subprocess.run(
            [sys.executable, "-m", "medallion", "sample-data", "--out", str(folder)],
            cwd=self.project,
            env=self.env,
            check=True,
            capture_output=True,
        )
        return folder


@pytest.fixture
def emulated(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Emulated]:
    answers = dict(getattr(request, "param", {}) or {})
    deployer = answers.pop("_deployer", None)  # who runs `medallion deploy` (default: a developer)
    project = render_project({**DEFAULT_ANSWERS, **answers}, tmp_path / "render")
    # Pipeline updates and data tests run on the session's warm shared server (a database per
    # deployed target); tests that never reach Spark start none.
    runs_spark = request.node.get_closest_marker("pipeline") is not None
    server_url = request.getfixturevalue("shared_server").url if runs_spark else None
    emulator = Emulator(
        tmp_path / "workspace", spark_remote=server_url, **({"user": deployer} if deployer else {})
    )
    with EmulatorServer(emulator) as server:
        bin_dir = tmp_path / "bin"
        install(bin_dir)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")},
            "DATABRICKS_HOST": server.url,
            "DATABRICKS_TOKEN": TOKEN,
            "PATH": os.pathsep.join(
                [str(bin_dir), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
            ),
            "PYTHONPATH": str(project / "src"),
        }
        yield Emulated(project, emulator, server, env)


def states(run: JobRun) -> dict[str, str | None]:
    return run.states()


def explain(done: subprocess.CompletedProcess[str], runs: list[JobRun]) -> str:
    lines = [f"deploy exit {done.returncode}", done.stdout[-3000:], done.stderr[-3000:]]
    for run in runs:
        lines.append(f"run {run.run_id}: {run.result_state}")
        for task in run.tasks.values():
            lines.append(f"  {task.task_key}: {task.result_state} {task.state_message[:600]}")
    return "\n".join(lines)


def deployed_target(emulated: Emulated, target: str) -> Any:
    return emulated.emulator.deployed[(str(emulated.project.resolve()), target)]


def alert_states(emulated: Emulated, target: str, spark: Any) -> dict[str, str]:
    """Each deployed alert evaluated once on the emulated warehouse (Spark SQL behind it)."""
    emulated.emulator.fake.sql_engine = SparkEngine(spark)
    deployed = deployed_target(emulated, target)
    found = {key: evaluate_alert(emulated.emulator, deployed, key) for key in deployed.alerts}
    assert all(e.error is None for e in found.values()), found
    return {key.rsplit("_pipeline_", 1)[-1]: e.state for key, e in found.items()}


@pytest.mark.pipeline
def test_dev_loads_the_sample_runs_the_pipeline_and_ends_success(emulated: Emulated, spark: Any):
    emulated.setup_part_1()
    done, runs, seconds = emulated.deploy("dev")
    print(f"dev deploy + job run: {seconds:.0f} s")
    assert len(runs) == 1, explain(done, runs)
    run = runs[0]
    assert states(run).get("load_sample_data") == SUCCESS, explain(done, runs)
    assert states(run).get("run_pipeline") == SUCCESS, explain(done, runs)
    assert states(run).get("monitor") == SUCCESS, explain(done, runs)
    assert run.result_state == SUCCESS, explain(done, runs)
    assert done.returncode == 0, explain(done, runs)
    assert "Verdict: SUCCESS" in done.stdout
    # The dashboard and the alerts deployed with it read this update's tables and event log.
    states_now = alert_states(emulated, "dev", spark)
    assert states_now == dict.fromkeys(("quarantine_share", "orphan_share", "freshness", "fail_rule"), "OK")
    deployed = deployed_target(emulated, "dev")
    (dashboard,) = deployed.dashboards
    grantee = resolve_target(emulated.project, "dev").validate_json["variables"]["grantee"]["value"]
    shares = dataset_rows(emulated.emulator, deployed, dashboard, "quarantine_now", viewer=grantee)
    report = emulated.emulator.updates[-1].report
    assert {r["table_name"]: r["quarantined_rows"] for r in shares} == {
        f"quarantine_{source}": figures["quarantine"] for source, figures in report["conservation"].items()
    }


def first_deploy(emulated: Emulated, target: str) -> None:
    """`bundle deploy` once, so the target's volume exists, then files land upstream in it."""
    emulated.setup_part_1()
    first = subprocess.run(
        ["databricks", "bundle", "deploy", "-t", target],
        cwd=emulated.project,
        env=emulated.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    emulated.land_files(target)


def bronze_rows(emulated: Emulated) -> int:
    report = emulated.emulator.updates[-1].report if emulated.emulator.updates else {}
    tables = report.get("tables") or {}
    return sum(int(t.get("rows") or 0) for n, t in tables.items() if n.startswith("bronze_"))


@pytest.mark.pipeline
@pytest.mark.parametrize(
    "emulated", [{"include_sample_data": "no", "ci_principal": CI, "_deployer": CI}], indirect=True
)
def test_ci_deploys_staging_on_an_empty_landing_zone_then_ingests_what_lands(emulated: Emulated):
    """CI's identity deploys staging (setup.sql granted it the catalog); nothing has landed: the
    first run completes with empty tables and says so; the next run ingests the files that land."""
    emulated.setup_part_1()
    done, runs, seconds = emulated.deploy("staging")
    print(f"staging on an empty landing volume: {seconds:.0f} s")
    run = runs[0]
    assert states(run).get("run_pipeline") == SUCCESS, explain(done, runs)
    assert run.result_state == SUCCESS and done.returncode == 0, explain(done, runs)
    assert "no rows ingested yet: every source is empty" in run.tasks["monitor"].output, explain(done, runs)
    assert "Note: no rows ingested yet" in done.stdout
    assert bronze_rows(emulated) == 0
    emulated.land_files("staging")
    done, runs, _ = emulated.deploy("staging")
    assert runs[-1].result_state == SUCCESS and done.returncode == 0, explain(done, runs)
    assert bronze_rows(emulated) > 300 and "no rows ingested yet" not in done.stdout


PROD = {"prod_run_as": SP, "ci_principal": CI, "include_sample_data": "no", "_deployer": CI}


@pytest.mark.pipeline
@pytest.mark.parametrize("emulated", [PROD], indirect=True)
def test_prod_runs_as_its_principal_on_an_empty_landing_zone_and_the_monitor_judges_it(emulated: Emulated):
    target = "prod"
    emulated.setup_part_1()
    done, runs, seconds = emulated.deploy(target)
    print(f"{target} deploy + job run: {seconds:.0f} s")
    assert len(runs) == 1, explain(done, runs)
    run = runs[0]
    assert states(run).get("load_sample_data") in (None, EXCLUDED), explain(done, runs)
    assert states(run).get("run_pipeline") == SUCCESS, explain(done, runs)
    assert states(run).get("monitor") == SUCCESS, explain(done, runs)
    assert states(run).get("data_tests") == SUCCESS, explain(done, runs)
    updates = emulated.emulator.fake.updates
    assert updates and updates[-1].update_id in run.tasks["monitor"].output, explain(done, runs)
    assert run.result_state == SUCCESS, explain(done, runs)
    assert done.returncode == 0, explain(done, runs)


@pytest.mark.pipeline
def test_staging_runs_the_pipeline_and_a_fail_expectation_turns_the_job_red(emulated: Emulated, spark: Any):
    """Staging loads no sample: the pipeline reads what landed upstream; a `fail` rule stops the
    update and the monitor task's exit code turns the job run red with the diagnosis. (One
    pipeline run covers both: each costs minutes of CI; prod covers the green path.)"""
    spec = emulated.project / "medallion.yml"
    seeded = spec.read_text().replace(
        "{use: email, column: email, action: warn}", "{use: email, column: email, action: fail}"
    )
    assert seeded != spec.read_text()
    spec.write_text(seeded)
    first_deploy(emulated, "staging")
    done, runs, seconds = emulated.deploy("staging", "--max-attempts", "1")
    print(f"staging with a fail rule: {seconds:.0f} s")
    assert len(runs) == 1, explain(done, runs)
    run = runs[0]
    assert "load_sample_data" not in states(run), explain(done, runs)
    assert states(run).get("run_pipeline") == FAILED, explain(done, runs)
    monitor = run.tasks["monitor"]
    assert monitor.result_state == FAILED and monitor.exit_code == 1, explain(done, runs)
    assert "expectation" in monitor.output.lower(), monitor.output
    updates = emulated.emulator.fake.updates
    assert updates and updates[-1].update_id in monitor.output, explain(done, runs)
    assert run.result_state == FAILED
    assert done.returncode == 1
    assert "Verdict: FAILED" in done.stdout
    assert alert_states(emulated, "staging", spark)["fail_rule"] == "TRIGGERED"


@pytest.mark.pipeline
@pytest.mark.parametrize("emulated", [PROD], indirect=True)
def test_without_its_select_grant_the_run_as_principal_fails_naming_the_privilege(emulated: Emulated):
    # Seeded defect: the prod target's grants to the service principal that runs it lose SELECT,
    # which the data tests and the monitor need to read the tables and the event log.
    bundle_file = emulated.project / "databricks.yml"
    lines = bundle_file.read_text().splitlines(keepends=True)
    prod = next(i for i, line in enumerate(lines) if line.startswith("  prod:"))
    select = next(i for i in range(prod, len(lines)) if lines[i].strip() == "- SELECT")
    bundle_file.write_text("".join(lines[:select] + lines[select + 1 :]))
    emulated.setup_part_1()
    done, runs, seconds = emulated.deploy("prod", "--max-attempts", "1")
    print(f"prod without SELECT: {seconds:.0f} s")
    run = runs[0]
    assert run.tasks["run_pipeline"].result_state == SUCCESS, explain(done, runs)
    tests = run.tasks["data_tests"]
    denied = "PERMISSION_DENIED: User does not have SELECT on Schema 'main.medallion_pipeline'"
    assert tests.result_state == FAILED and denied in tests.state_message, explain(done, runs)
    assert run.result_state == FAILED
