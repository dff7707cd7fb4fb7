"""Every matrix answer file renders into a bundle that passes offline validation;
every bad answer is refused with the schema's own message and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bundle import bundle_checks
from tests.rendering import REPO, render, render_project

CONFIGS = Path(__file__).with_name("configs")
GOOD = sorted(Path(__file__).with_name("golden").glob("*/input.json"))
BAD = sorted((CONFIGS / "bad").glob("*.json"))
SCHEMA = json.loads((REPO / "databricks_template_schema.json").read_text())


def _message(prompt: str) -> str:
    return SCHEMA["properties"][prompt]["pattern_match_failure_message"]


EXPECTED_REFUSALS = {
    "uppercase_project": _message("project_name"),
    "catalog_space": _message("catalog"),
    "catalog_backtick": _message("catalog"),
    "unknown_source_type": "source_type",
    "malformed_volume": _message("source_location"),
    "files_with_schema_location": "files need a volume path",
    "grantee_backtick": _message("grantee"),
    "grantee_quote": _message("grantee"),
    "run_as_not_uuid": _message("prod_run_as"),
    "tables_semicolon": _message("source_tables"),
    # Answers each prompt pattern once let through.
    "project_is_helpers_package": 'project_name: "medallion" is the name of a Python package',
    "project_shadows_dependency": 'project_name: "pyspark" is the name of a Python package',
    "project_shadows_stdlib": 'project_name: "json" is the name of a Python package',
    "tables_duplicate": 'source_tables: "orders" is listed twice',
    "volume_dot_dot": "source_location: a volume path has no . or .. folders",
    "grantee_trailing_space": _message("grantee"),
    "schema_too_long": _message("schema"),
    "derived_answer_given": "is_retail_sample is derived from source_tables and cannot be set",
    "derived_own_landing_given": "own_landing_volume is derived from source_location and cannot be set",
    "project_too_long": _message("project_name"),
    "kafka_bad_port": "source_location: kafka needs bootstrap servers",
    "delta_three_parts": _message("source_location"),
    "warehouse_colon": _message("sql_warehouse"),
    "profile_space": _message("databricks_cli_profile"),
    "location_http": _message("catalog_managed_location"),
    "unknown_file_format": "file_format",
    # Answers that rendered a broken project: YAML words, colliding derived tables, a transitive dependency.
    "project_shadows_transitive_dependency": 'project_name: "typing_extensions" is the name of a Python',
    "tables_yaml_boolean": 'source_tables: "on" is read by YAML as a boolean or null',
    "tables_yaml_null": 'source_tables: "null" is read by YAML as a boolean or null',
    "tables_history_collision": 'source_tables: "orders" and "orders_history" would both make the table',
    "pipeline_yaml_boolean": 'pipeline_name: "off" is read by YAML as a boolean or null',
    "catalog_yaml_boolean": 'catalog: "yes" is read by YAML as a boolean or null',
}


@pytest.fixture(scope="module", params=GOOD, ids=lambda p: p.parent.name)
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    answers = json.loads(request.param.read_text())
    return render_project(answers, tmp_path_factory.mktemp(request.param.parent.name))


def test_rendered_bundle_is_valid(rendered: Path) -> None:
    assert bundle_checks.problems(rendered) == []


SOURCE_KEYS = {"medallion.source_location", "medallion.source_root", "medallion.kafka.bootstrap_servers"}


def test_pipeline_gets_the_source_location_under_one_key(rendered: Path) -> None:
    """One key, `medallion.source_location`, in every target and for every source type; for delta
    and Kafka it is the source_location answer itself (files may read the bundle's own volume)."""
    config = bundle_checks.merged_config(rendered)
    answers = json.loads((rendered / ".medallion-template.json").read_text())["answers"]
    for target in config["targets"]:
        (pipeline,) = bundle_checks.resources_for_target(config, target)["pipelines"].values()
        configuration = pipeline["configuration"]
        assert SOURCE_KEYS & set(configuration) == {"medallion.source_location"}, target
        if answers["source_type"] != "files":
            assert configuration["medallion.source_location"] == "${var.source_location}"
            assert config["variables"]["source_location"]["default"] == answers["source_location"]


def test_every_bad_answer_file_has_an_expectation() -> None:
    assert {p.stem for p in BAD} == set(EXPECTED_REFUSALS)


@pytest.mark.parametrize("answers_file", BAD, ids=lambda p: p.stem)
def test_bad_answer_is_refused_and_nothing_written(answers_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = render(json.loads(answers_file.read_text()), out)
    assert result.returncode != 0
    assert EXPECTED_REFUSALS[answers_file.stem] in result.stderr
    assert list(out.iterdir()) == []
