"""The template, rendered for every supported answer combination, resolved for every target as
the CLI would: nothing dangles, nothing the CLI refuses, and every volume path under the
bundle's own schemas is a volume the bundle creates in that target; every task's identity
holds what its task needs, a run_as principal can read the bundle's files, failure mail goes to
an address, and no pipeline installs a wheel that dynamic_version leaves unpatched.

The full product of the answers that change the bundle's shape is 80 renders (files x 3
formats, delta, kafka; x sample data, a named CI principal, CI, production run_as); a render
takes about 0.15 s here, so the whole product runs instead of a pairwise subset.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from medallion.spec.fragments import tables_read
from tests.rendering import OFFLINE_ENV, RENDERER, render_project
from tests.support.emulator import (
    ResolvedBundle,
    bundle_targets,
    classify,
    resolve_target,
    unknown_dynamic_references,
)
from tests.support.emulator.privileges import (
    Need,
    PrivilegeModel,
    Securable,
    pipeline_needs,
    schema_reach,
    volume_needs,
)
from tests.support.emulator.task_paths import VOLUME_PATH, identity_of
from tests.support.emulator.task_pipeline import DELTA_SOURCE
from tests.support.emulator.task_wheel import volume_arguments

RUN_AS_APPLICATION_ID = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"
CI_APPLICATION_ID = "3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a"
USER = "data.engineer@example.com"
GOOD_CONFIGS = sorted((Path(__file__).parents[1] / "bundle" / "golden").glob("*/input.json"))


def _combinations() -> list[dict[str, str]]:
    sources = [("files", "json"), ("files", "csv"), ("files", "parquet"), ("delta", None), ("kafka", None)]
    out = []
    for (source_type, file_format), sample, ci_principal, ci, run_as in itertools.product(
        sources, ("yes", "no"), ("", CI_APPLICATION_ID), ("github", "none"), ("", RUN_AS_APPLICATION_ID)
    ):
        answers = {
            "source_type": source_type,
            "include_sample_data": sample,
            "ci_principal": ci_principal,
            "ci": ci,
            "prod_run_as": run_as,
        }
        if file_format:
            answers["file_format"] = file_format
        out.append(answers)
    return out


def _combination_id(answers: dict[str, str]) -> str:
    source = answers["source_type"] + (f"-{answers['file_format']}" if "file_format" in answers else "")
    return "_".join(
        [
            source,
            "sample" if answers["include_sample_data"] == "yes" else "nosample",
            "ciprincipal" if answers["ci_principal"] else "noprincipal",
            "github" if answers["ci"] == "github" else "noci",
            "sp" if answers["prod_run_as"] else "deployer",
        ]
    )


COMBINATIONS = {_combination_id(a): a for a in _combinations()}
# ci=github adds a staging target; every render has dev and prod.
CASES = [
    (combo, target)
    for combo, answers in COMBINATIONS.items()
    for target in (("dev", "staging", "prod") if answers["ci"] == "github" else ("dev", "prod"))
]


def _render(answers: dict[str, str], output_dir: Path) -> Path:
    """Render this repository's template, or the template at $EMULATOR_TEMPLATE_PATH (another
    checkout, e.g. an older commit, to see what the matrix says about it)."""
    other = os.environ.get("EMULATOR_TEMPLATE_PATH")
    if not other:
        return render_project(answers, output_dir)
    output_dir.mkdir(parents=True)
    config = output_dir.parent / f"{output_dir.name}.answers.json"
    config.write_text(json.dumps(answers))
    command = [str(RENDERER), other, "--config-file", str(config), "--output-dir", str(output_dir)]
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, **OFFLINE_ENV})
    return output_dir / answers.get("project_name", "medallion_pipeline")


class Renders:
    """Each combination rendered once and resolved once per target, on first use."""

    def __init__(self, base: Path) -> None:
        self._base = base
        self._resolved: dict[str, dict[str, ResolvedBundle]] = {}
        self.projects: dict[str, Path] = {}

    def targets(self, combo: str, answers: dict[str, str] | None = None) -> dict[str, ResolvedBundle]:
        if combo not in self._resolved:
            chosen = COMBINATIONS[combo] if answers is None else answers
            project = _render(chosen, self._base / combo)
            self.projects[combo] = project
            self._resolved[combo] = {
                target: resolve_target(project, target, user=USER, env={})
                for target in bundle_targets(project)
            }
        return self._resolved[combo]


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Renders:
    return Renders(tmp_path_factory.mktemp("emulator_matrix"))


def _ids(case: tuple[str, str]) -> str:
    return f"{case[0]}-{case[1]}"


def test_the_matrix_covers_every_target_the_template_declares(renders: Renders) -> None:
    for combo, answers in COMBINATIONS.items():
        expected = {target for c, target in CASES if c == combo}
        assert set(renders.targets(combo)) == expected, (combo, answers)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_dangling_reference(renders: Renders, case: tuple[str, str]) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    assert [str(d) for d in resolved.dangling] == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_job_dynamic_values_name_declared_parameters_and_tasks(
    renders: Renders, case: tuple[str, str]
) -> None:
    combo, target = case
    assert unknown_dynamic_references(renders.targets(combo)[target]) == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_error_the_cli_would_report(renders: Renders, case: tuple[str, str]) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    assert [str(d) for d in resolved.errors] == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_volume_path_under_an_own_schema_that_the_bundle_does_not_create(
    renders: Renders, case: tuple[str, str], record_property: Callable[[str, object], None]
) -> None:
    combo, target = case
    targets = renders.targets(combo)
    report = classify(targets[target], targets.values())
    # Paths under a schema the bundle never owns are external sources: allowed, listed.
    record_property("external_volume_paths", sorted({u.volume_path for u in report.external}))
    missing = sorted({f"{u.path} (at {u.used_at}; bundle schema {u.bundle_schema})" for u in report.missing})
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_jobs_and_pipelines_carry_the_development_prefix_only_in_dev(
    renders: Renders, case: tuple[str, str]
) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    names = [j["name"] for j in resolved.resources("jobs").values()]
    names += [p["name"] for p in resolved.resources("pipelines").values()]
    assert names
    if target == "dev":
        assert all(n.startswith("[dev data_engineer] ") for n in names), names
    else:
        assert not any(n.startswith("[dev ") for n in names), names


@pytest.mark.parametrize("combo", list(COMBINATIONS))
def test_every_target_has_its_own_schema(renders: Renders, combo: str) -> None:
    """No two targets write into the same schema (dev never into prod's); a personal dev schema
    carries the developer's short name."""
    targets = renders.targets(combo)
    schemas = {
        target: {(s["catalog_name"], s["name"]) for s in resolved.resources("schemas").values()}
        for target, resolved in targets.items()
    }
    assert all(schemas.values()), schemas
    for first, second in itertools.combinations(schemas, 2):
        assert not schemas[first] & schemas[second], (first, second, schemas)
    assert all("data_engineer" in name for _, name in schemas["dev"]), schemas["dev"]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_run_as_on_every_job_and_pipeline_outside_dev(renders: Renders, case: tuple[str, str]) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    run_as = {
        f"{kind}.{key}": resource.get("run_as")
        for kind in ("jobs", "pipelines")
        for key, resource in resolved.resources(kind).items()
    }
    if target != "dev" and COMBINATIONS[combo]["prod_run_as"]:
        expected = {"service_principal_name": RUN_AS_APPLICATION_ID}
        assert run_as == dict.fromkeys(run_as, expected)
    else:
        # No run_as: everything runs as the deploying identity (run_as.go sets nothing).
        assert run_as == dict.fromkeys(run_as)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_pipelines_write_into_the_schema_the_bundle_creates(renders: Renders, case: tuple[str, str]) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    schemas = {(s["catalog_name"], s["name"]) for s in resolved.resources("schemas").values()}
    for key, pipeline in resolved.resources("pipelines").items():
        assert (pipeline["catalog"], pipeline["schema"]) in schemas, key
        event_log = pipeline.get("event_log")
        if event_log:
            assert (event_log["catalog"], event_log["schema"]) in schemas, key


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_pipeline_tasks_name_the_bundles_pipelines(renders: Renders, case: tuple[str, str]) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    ids = {resolved.resource_ids[("pipelines", key)] for key in resolved.resources("pipelines")}
    for job_key, job in resolved.resources("jobs").items():
        for task in job.get("tasks") or []:
            if "pipeline_task" in task:
                assert task["pipeline_task"]["pipeline_id"] in ids, (job_key, task["task_key"])


@pytest.mark.parametrize("answers_file", GOOD_CONFIGS, ids=lambda p: p.parent.name)
def test_every_good_answer_file_resolves_cleanly(renders: Renders, answers_file: Path) -> None:
    targets = renders.targets(f"good-{answers_file.parent.name}", json.loads(answers_file.read_text()))
    problems = {
        target: [str(d) for d in resolved.dangling] + [str(d) for d in resolved.errors]
        for target, resolved in targets.items()
    }
    assert problems == {target: [] for target in targets}


# -- identities: who deploys and runs each target, and what each task needs -------------------

CATALOG_OWNER = "catalog.owner@example.com"


def _deployer(combo: str, target: str) -> str:
    """Developers deploy dev; CI's principal deploys staging and prod when the answers name it
    (otherwise whoever deploys them: the developer stands in)."""
    ci_principal = COMBINATIONS[combo]["ci_principal"]
    return ci_principal if target != "dev" and ci_principal else USER


def _privileges_after_setup(project: Path, resolved: ResolvedBundle, deployer: str) -> PrivilegeModel:
    """The catalog's owner ran sql/setup.sql as rendered for this deployer, then the deployer
    deployed the target (creating and owning its schema and volume, with the bundle's grants)."""
    model = PrivilegeModel()
    model.set_owner(Securable("CATALOG", "main"), CATALOG_OWNER, "(existing catalog)")
    model.apply_sql((project / "sql" / "setup.sql").read_text(), CATALOG_OWNER)
    model.apply_bundle(resolved.config, deployer)
    return model


def _task_needs(task: dict[str, Any], pipeline: dict[str, Any]) -> list[Need]:
    """What a task of the run+monitor job needs: the pipeline's privileges for its update
    ("Use Unity Catalog with pipelines"), SELECT on the schema for the monitor's and the data
    tests' reads (tables and the published event log), and volume access for volume arguments."""
    catalog, schema = str(pipeline["catalog"]), str(pipeline["schema"])
    if "pipeline_task" in task:
        configuration = {str(k): str(v) for k, v in (pipeline.get("configuration") or {}).items()}
        volumes = [
            (m["catalog"], m["schema"], m["volume"])
            for m in (VOLUME_PATH.match(v) for v in configuration.values())
            if m
        ]
        source = configuration.get("medallion.source_location", "")
        source_catalog, _, source_schema = source.partition(".")
        schemas = [(source_catalog, source_schema)] if DELTA_SOURCE.match(source) else []
        return pipeline_needs(catalog, schema, read_volumes=volumes, read_schemas=schemas)
    reads = [*schema_reach(catalog, schema), Need("SELECT", Securable("SCHEMA", f"{catalog}.{schema}"))]
    if "notebook_task" in task:
        return reads
    parameters = [str(p) for p in (task.get("python_wheel_task") or {}).get("parameters") or []]
    needs = reads if "monitor" in parameters else []
    for path, written in volume_arguments(parameters):
        match = VOLUME_PATH.match(path)
        assert match is not None
        needs += volume_needs(match["catalog"], match["schema"], match["volume"], written)
    return needs


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_task_identity_holds_every_privilege_its_task_needs(
    renders: Renders, case: tuple[str, str]
) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    deployer = _deployer(combo, target)
    model = _privileges_after_setup(renders.projects[combo], resolved, deployer)
    (pipeline,) = resolved.config["resources"]["pipelines"].values()
    missing = []
    for key, job in resolved.config["resources"]["jobs"].items():
        identity = identity_of(job, deployer)
        for task in job.get("tasks") or []:
            if "sql_task" in task:
                continue  # the dev setup job: run by the catalog's owner or a holder of MANAGE
            missing += [
                f"{key}.{task['task_key']} as {identity}: {n.denied()}"
                for n in model.missing(identity, _task_needs(task, pipeline))
            ]
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_a_run_as_principal_may_read_the_bundle_files(renders: Renders, case: tuple[str, str]) -> None:
    """Its pipeline source, notebooks and wheel live in the deployer's root_path; only top-level
    permissions reach that folder (databricks/cli bundle/permissions/workspace_root.go)."""
    combo, target = case
    resolved = renders.targets(combo)[target]
    deployer = _deployer(combo, target)
    runners = {identity_of(j, deployer) for j in resolved.config["resources"]["jobs"].values()}
    readers = {
        p.get("service_principal_name") or p.get("user_name") or p.get("group_name")
        for p in resolved.validate_json.get("permissions") or []
        if p.get("level") in ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE")
    }
    assert runners - {deployer} <= readers


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_no_mail_to_a_service_principal_and_no_stale_pipeline_wheel(
    renders: Renders, case: tuple[str, str]
) -> None:
    combo, target = case
    resolved = renders.targets(combo)[target]
    resources = resolved.config["resources"]
    addresses = [
        address
        for pipeline in resources["pipelines"].values()
        for notification in pipeline.get("notifications") or []
        for address in notification.get("email_recipients") or []
    ]
    addresses += [
        address
        for job in resources["jobs"].values()
        for address in (job.get("email_notifications") or {}).get("on_failure") or []
    ]
    assert addresses and all("@" in a for a in addresses), addresses
    # dynamic_version patches job wheels only (bundle/libraries/switch_to_patched_wheels.go):
    # a pipeline must not install the built wheel.
    for pipeline in resources["pipelines"].values():
        dependencies = (pipeline.get("environment") or {}).get("dependencies") or []
        assert not [d for d in dependencies if str(d).endswith(".whl")], dependencies


# -- the data-quality dashboard and alerts ---------------------------------------------------


def _tables_read(sql: str) -> set[tuple[str, str]]:
    """(catalog, schema) of every three-part table name a query reads."""
    return {(t.catalog, t.db) for t in tables_read(sqlglot.parse_one(sql, read="databricks"))}


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_the_dashboard_and_the_alerts_read_their_own_targets_schema(
    renders: Renders, case: tuple[str, str]
) -> None:
    """Deployed as the CLI resolves them: the dashboard's JSON read from file_path, its
    datasets pointed at the target's catalog and schema, in the target's resource folder; four
    alerts reading only that schema, mailing the notification address, paused in dev only
    (apply_presets.go: development pauses alert schedules)."""
    combo, target = case
    resolved = renders.targets(combo)[target]
    resources = resolved.config["resources"]
    (pipeline,) = resources["pipelines"].values()
    home = (str(pipeline["catalog"]), str(pipeline["schema"]))
    (dashboard,) = resources["dashboards"].values()
    project = renders.projects[combo]
    assert (
        dashboard["serialized_dashboard"]
        == (project / "src" / "dashboards" / "quality.lvdash.json").read_text()
    )
    assert (dashboard["dataset_catalog"], dashboard["dataset_schema"]) == home
    assert dashboard["parent_path"] == resolved.config["workspace"]["resource_path"]
    assert dashboard["display_name"].startswith("[dev ") == (target == "dev")
    alerts = resources["alerts"]
    assert len(alerts) == 4
    for key, alert in alerts.items():
        assert _tables_read(alert["query_text"]) == {home}, key
        assert alert["display_name"].startswith("[dev ") == (target == "dev"), key
        assert alert["schedule"].get("pause_status") == ("PAUSED" if target == "dev" else None), key
        (subscription,) = alert["evaluation"]["notification"]["subscriptions"]
        assert "@" in subscription["user_email"] and "${" not in str(alert), key


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_alert_identities_and_dashboard_viewers_may_read_the_schema(
    renders: Renders, case: tuple[str, str]
) -> None:
    """An alert's query runs as its run_as (the bundle's, set by run_as.go) or its owner, the
    deployer; a dashboard without embedded credentials runs as its viewer: the grantee."""
    combo, target = case
    resolved = renders.targets(combo)[target]
    deployer = _deployer(combo, target)
    model = _privileges_after_setup(renders.projects[combo], resolved, deployer)
    (pipeline,) = resolved.config["resources"]["pipelines"].values()
    catalog, schema = str(pipeline["catalog"]), str(pipeline["schema"])
    reads = [*schema_reach(catalog, schema), Need("SELECT", Securable("SCHEMA", f"{catalog}.{schema}"))]
    missing = []
    for key, alert in resolved.config["resources"]["alerts"].items():
        identity = identity_of(alert, deployer)
        missing += [f"{key} as {identity}: {n.denied()}" for n in model.missing(identity, reads)]
    grantee = str(resolved.validate_json["variables"]["grantee"]["value"])
    missing += [f"dashboard viewer {grantee}: {n.denied()}" for n in model.missing(grantee, reads)]
    assert missing == []
