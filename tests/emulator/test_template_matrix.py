"""The template, rendered for every supported answer combination, resolved for every target as
the CLI would: nothing dangles, nothing the CLI refuses, and every volume path under the
bundle's own schemas is a volume the bundle creates in that target.

The full product of the answers that change the bundle's shape is 80 renders (files x 3
formats, delta, kafka; x sample data, personal schemas, CI, production run_as); a render
takes about 0.15 s here, so the whole product runs instead of a pairwise subset.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.rendering import OFFLINE_ENV, RENDERER, render_project
from tests.support.emulator import (
    ResolvedBundle,
    bundle_targets,
    classify,
    resolve_target,
    unknown_dynamic_references,
)

RUN_AS_APPLICATION_ID = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"
USER = "data.engineer@example.com"
GOOD_CONFIGS = sorted((Path(__file__).parents[1] / "bundle" / "golden").glob("*/input.json"))


def _combinations() -> list[dict[str, str]]:
    sources = [("files", "json"), ("files", "csv"), ("files", "parquet"), ("delta", None), ("kafka", None)]
    out = []
    for (source_type, file_format), sample, personal, ci, run_as in itertools.product(
        sources, ("yes", "no"), ("yes", "no"), ("github", "none"), ("", RUN_AS_APPLICATION_ID)
    ):
        answers = {
            "source_type": source_type,
            "include_sample_data": sample,
            "personal_schemas": personal,
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
            "personal" if answers["personal_schemas"] == "yes" else "shared",
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

    def targets(self, combo: str, answers: dict[str, str] | None = None) -> dict[str, ResolvedBundle]:
        if combo not in self._resolved:
            chosen = COMBINATIONS[combo] if answers is None else answers
            project = _render(chosen, self._base / combo)
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
    renders: Renders, case: tuple[str, str], record_property: pytest.RecordProperty
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
    if COMBINATIONS[combo]["personal_schemas"] == "yes":
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
