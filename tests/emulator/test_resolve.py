"""Each semantic the emulator takes from the Databricks CLI, on small hand-written bundles."""

from __future__ import annotations

import json

import pytest

from tests.emulator.conftest import BundleFactory
from tests.support.emulator import BundleError, bundle_targets, resolve_target

NO_ENV: dict[str, str] = {}

VARIABLES = """
bundle:
  name: shop
variables:
  catalog:
    default: main
  schema:
    default: shop
  warehouse_id:
    lookup:
      warehouse: Starter Warehouse
targets:
  dev:
    mode: development
    default: true
    variables:
      schema: shop_${workspace.current_user.short_name}
  prod:
    mode: production
    workspace:
      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}
    variables:
      schema:
        default: shop_prod
      warehouse_id: 0123456789abcdef
"""


def _value(resolved, name):
    return resolved.validate_json["variables"][name]["value"]


# Variables and precedence -------------------------------------------------------------------


def test_default_target_is_the_one_marked_default(make_bundle: BundleFactory) -> None:
    project = make_bundle(VARIABLES)
    assert resolve_target(project, env=NO_ENV).target == "dev"
    assert bundle_targets(project) == ["dev", "prod"]


def test_target_variable_overrides_shorthand_and_full_form(make_bundle: BundleFactory) -> None:
    project = make_bundle(VARIABLES)
    assert _value(resolve_target(project, "dev", env=NO_ENV), "schema") == "shop_data_engineer"
    assert _value(resolve_target(project, "prod", env=NO_ENV), "schema") == "shop_prod"
    assert _value(resolve_target(project, "prod", env=NO_ENV), "catalog") == "main"


def test_precedence_var_flag_over_env_over_overrides_file_over_default(make_bundle: BundleFactory) -> None:
    project = make_bundle(VARIABLES)
    overrides = project / ".databricks" / "bundle" / "dev" / "variable-overrides.json"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(json.dumps({"catalog": "from_file"}))
    env = {"BUNDLE_VAR_catalog": "from_env"}
    assert _value(resolve_target(project, "dev", env=NO_ENV), "catalog") == "from_file"
    assert _value(resolve_target(project, "dev", env=env), "catalog") == "from_env"
    flagged = resolve_target(project, "dev", variables={"catalog": "from_flag"}, env=env)
    assert _value(flagged, "catalog") == "from_flag"
    overrides.unlink()
    assert _value(resolve_target(project, "dev", env=NO_ENV), "catalog") == "main"


def test_lookup_gets_a_deterministic_fake_id_and_is_recorded(make_bundle: BundleFactory) -> None:
    project = make_bundle(VARIABLES)
    first = resolve_target(project, "dev", env=NO_ENV)
    second = resolve_target(project, "dev", env=NO_ENV)
    [use] = first.lookups
    assert (use.variable, use.kind, use.name) == ("warehouse_id", "warehouse", "Starter Warehouse")
    assert len(use.fake_id) == 16 and int(use.fake_id, 16) >= 0
    assert _value(first, "warehouse_id") == use.fake_id == _value(second, "warehouse_id")


def test_target_default_replaces_a_lookup(make_bundle: BundleFactory) -> None:
    prod = resolve_target(make_bundle(VARIABLES), "prod", env=NO_ENV)
    assert prod.lookups == []
    assert _value(prod, "warehouse_id") == "0123456789abcdef"
    assert "lookup" not in prod.validate_json["variables"]["warehouse_id"]


def test_undefined_var_flag_and_undefined_target_variable_stop(make_bundle: BundleFactory) -> None:
    with pytest.raises(BundleError, match="variable nope has not been defined"):
        resolve_target(make_bundle(VARIABLES), "dev", variables={"nope": "x"}, env=NO_ENV)
    bad = VARIABLES + "  other:\n    variables:\n      nope: 1\n"
    with pytest.raises(BundleError, match="variable nope is not defined but is assigned a value"):
        resolve_target(make_bundle(bad), "other", env=NO_ENV)


def test_required_variable_without_value_is_an_error(make_bundle: BundleFactory) -> None:
    project = make_bundle("bundle:\n  name: b\nvariables:\n  needed:\n    description: no default\n")
    resolved = resolve_target(project, env=NO_ENV)
    assert [d.summary.split(".")[0] for d in resolved.errors] == [
        "no value assigned to required variable needed"
    ]


def test_target_selection_errors(make_bundle: BundleFactory) -> None:
    two = "bundle:\n  name: b\ntargets:\n  a: {}\n  b: {}\n"
    with pytest.raises(BundleError, match="please specify target"):
        resolve_target(make_bundle(two), env=NO_ENV)
    with pytest.raises(BundleError, match="c: no such target"):
        resolve_target(make_bundle(two), "c", env=NO_ENV)
    assert resolve_target(make_bundle("bundle:\n  name: b\n"), env=NO_ENV).target == "default"


# Workspace and bundle references ------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "short"),
    [
        ("test.user.1234@example.com", "test_user_1234"),
        ("first+tag@email.com", "first_tag"),
        ("name-o'mally@website.org", "name_o_mally"),
        ("jöhn.dœ@domain.com", "jöhn_dœ"),
    ],
)
def test_short_name_as_the_cli_derives_it(make_bundle: BundleFactory, user: str, short: str) -> None:
    # The cases of libs/iamutil/user_test.go (databricks/cli v1.13.0).
    assert resolve_target(make_bundle("bundle:\n  name: b\n"), user=user, env=NO_ENV).user.short_name == short


def test_workspace_paths_default_under_the_users_home(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        """
        bundle:
          name: shop
        resources:
          jobs:
            j:
              name: ${bundle.name}-${bundle.target}
              description: ${workspace.file_path} ${workspace.current_user.userName}
        targets:
          dev:
            mode: development
        """
    )
    resolved = resolve_target(project, env=NO_ENV)
    home = "/Workspace/Users/data.engineer@example.com/.bundle/shop/dev"
    assert resolved.validate_json["workspace"] == {
        "current_user": {
            "userName": "data.engineer@example.com",
            "short_name": "data_engineer",
            "domain_friendly_name": "data-engineer",
        },
        "root_path": home,
        "file_path": f"{home}/files",
        "resource_path": f"{home}/resources",
        "artifact_path": f"{home}/artifacts",
        "state_path": f"{home}/state",
    }
    job = resolved.config["resources"]["jobs"]["j"]
    assert job["name"] == "[dev data_engineer] shop-dev"
    assert job["description"] == f"{home}/files data.engineer@example.com"


def test_redundant_workspace_prefix_is_rewritten_with_a_warning(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        """
        bundle:
          name: b
        resources:
          jobs:
            j:
              name: j
              description: /Workspace${workspace.file_path}/x
        """
    )
    resolved = resolve_target(project, env=NO_ENV)
    assert resolved.config["resources"]["jobs"]["j"]["description"] == (
        "/Workspace/Users/data.engineer@example.com/.bundle/b/default/files/x"
    )
    assert any("substring with /Workspace prefix" in d.summary for d in resolved.diagnostics)


# Development mode presets --------------------------------------------------------------------

MEDALLION_LIKE = """
bundle:
  name: shop
include:
  - resources/*.yml
variables:
  catalog:
    default: main
  schema:
    default: shop
targets:
  dev:
    mode: development
    default: true
  prod:
    mode: production
    workspace:
      root_path: /Workspace/Users/deployer@example.com/.bundle/${bundle.name}/${bundle.target}
    run_as:
      service_principal_name: 8f3c2a71-1b2c-4d5e-9f00-123456789abc
    resources:
      jobs:
        shop_job:
          max_concurrent_runs: 3
          tasks:
            - task_key: run
              run_if: ALL_DONE
"""

RESOURCES = {
    "resources/shop.yml": """
        resources:
          schemas:
            shop_schema:
              catalog_name: ${var.catalog}
              name: ${var.schema}
          volumes:
            landing:
              catalog_name: ${var.catalog}
              schema_name: ${var.schema}
              name: landing
          pipelines:
            shop:
              name: shop
              catalog: ${var.catalog}
              schema: ${var.schema}
              root_path: ../src
              libraries:
                - glob:
                    include: ../src/transformations/**
              environment:
                dependencies:
                  - ../dist/*.whl
                  - -r ../requirements.txt
                  - pyyaml
              configuration:
                source: ${resources.volumes.landing.volume_path}/raw
          jobs:
            shop_job:
              name: shop_job
              schedule:
                quartz_cron_expression: 0 0 * * * ?
                timezone_id: UTC
              tasks:
                - task_key: run
                  pipeline_task:
                    pipeline_id: ${resources.pipelines.shop.id}
                - task_key: a_notebook
                  notebook_task:
                    notebook_path: ../notebooks/check.py
                    base_parameters:
                      pipeline: ${resources.pipelines.shop.name}
                      schema: ${resources.schemas.shop_schema.name}
                - task_key: sql
                  sql_task:
                    warehouse_id: abc
                    file:
                      path: ../sql/setup.sql
              environments:
                - environment_key: default
                  spec:
                    dependencies:
                      - ../dist/*.whl
            unpaused_job:
              name: unpaused
              max_concurrent_runs: 2
              trigger:
                pause_status: UNPAUSED
                periodic:
                  interval: 1
                  unit: DAYS
    """,
    "src/transformations/t.py": "x = 1\n",
    "notebooks/check.py": "# Databricks notebook source\nprint(1)\n",
    "sql/setup.sql": "SELECT 1;\n",
    "requirements.txt": "pyyaml\n",
}


@pytest.fixture
def shop(make_bundle: BundleFactory):
    return make_bundle(MEDALLION_LIKE, RESOURCES)


def test_dev_prefixes_jobs_pipelines_and_schemas(shop) -> None:
    dev = resolve_target(shop, "dev", env=NO_ENV)
    resources = dev.config["resources"]
    assert resources["jobs"]["shop_job"]["name"] == "[dev data_engineer] shop_job"
    assert resources["pipelines"]["shop"]["name"] == "[dev data_engineer] shop"
    assert resources["schemas"]["shop_schema"]["name"] == "dev_data_engineer_shop"
    # Volumes are not prefixed; their schema is captured as the bundle schema, prefix included.
    assert resources["volumes"]["landing"]["name"] == "landing"
    assert resources["volumes"]["landing"]["schema_name"] == "dev_data_engineer_shop"
    assert dev.validate_json["resources"]["volumes"]["landing"]["schema_name"] == (
        "${resources.schemas.shop_schema.name}"
    )
    assert resources["pipelines"]["shop"]["schema"] == "dev_data_engineer_shop"
    assert dev.schemas_before_presets == {"shop_schema": ("main", "shop")}


def test_dev_pauses_triggers_but_keeps_an_explicit_unpause(shop) -> None:
    jobs = resolve_target(shop, "dev", env=NO_ENV).config["resources"]["jobs"]
    assert jobs["shop_job"]["schedule"]["pause_status"] == "PAUSED"
    assert jobs["unpaused_job"]["trigger"]["pause_status"] == "UNPAUSED"


def test_dev_concurrency_development_pipelines_tags_and_lock(shop) -> None:
    dev = resolve_target(shop, "dev", env=NO_ENV)
    jobs = dev.config["resources"]["jobs"]
    assert jobs["shop_job"]["max_concurrent_runs"] == 4
    assert jobs["unpaused_job"]["max_concurrent_runs"] == 2
    assert jobs["shop_job"]["tags"] == {"dev": "data_engineer"}
    pipeline = dev.config["resources"]["pipelines"]["shop"]
    assert pipeline["development"] is True
    assert pipeline["tags"] == {"dev": "data_engineer"}
    assert dev.config["bundle"]["deployment"] == {"lock": {"enabled": False}}
    assert dev.errors == []


def test_production_has_no_prefix_and_unpaused_defaults(shop) -> None:
    prod = resolve_target(shop, "prod", env=NO_ENV)
    resources = prod.config["resources"]
    assert resources["jobs"]["shop_job"]["name"] == "shop_job"
    assert resources["jobs"]["shop_job"]["schedule"]["pause_status"] == "UNPAUSED"
    assert resources["schemas"]["shop_schema"]["name"] == "shop"
    assert "development" not in resources["pipelines"]["shop"]
    assert prod.errors == []


def test_target_resources_deep_merge_and_tasks_merge_by_key_sorted(shop) -> None:
    job = resolve_target(shop, "prod", env=NO_ENV).config["resources"]["jobs"]["shop_job"]
    assert job["max_concurrent_runs"] == 3
    assert [t["task_key"] for t in job["tasks"]] == ["a_notebook", "run", "sql"]
    run = next(t for t in job["tasks"] if t["task_key"] == "run")
    assert run["run_if"] == "ALL_DONE"
    assert "pipeline_task" in run


def test_run_as_on_every_job_and_pipeline(shop) -> None:
    prod = resolve_target(shop, "prod", env=NO_ENV)
    identity = {"service_principal_name": "8f3c2a71-1b2c-4d5e-9f00-123456789abc"}
    for kind in ("jobs", "pipelines"):
        for key, resource in prod.config["resources"][kind].items():
            assert resource["run_as"] == identity, (kind, key)
    dev = resolve_target(shop, "dev", env=NO_ENV)
    assert all("run_as" not in j for j in dev.config["resources"]["jobs"].values())


def test_run_as_keeps_a_resources_own_identity_and_refuses_two(make_bundle: BundleFactory) -> None:
    own = make_bundle(
        """
        bundle:
          name: b
        run_as:
          user_name: someone@example.com
        resources:
          jobs:
            mine:
              name: mine
              run_as:
                user_name: me@example.com
            other:
              name: other
        """
    )
    jobs = resolve_target(own, env=NO_ENV).config["resources"]["jobs"]
    assert jobs["mine"]["run_as"] == {"user_name": "me@example.com"}
    assert jobs["other"]["run_as"] == {"user_name": "someone@example.com"}
    both = make_bundle(
        "bundle:\n  name: b\nrun_as:\n  user_name: a@example.com\n  service_principal_name: x\n"
        "resources:\n  jobs:\n    j:\n      name: j\n"
    )
    assert [d.summary for d in resolve_target(both, env=NO_ENV).errors] == [
        "run_as section cannot specify both user_name and service_principal_name"
    ]
    empty = make_bundle("bundle:\n  name: b\nrun_as: {}\n")
    assert "must specify exactly one identity" in resolve_target(empty, env=NO_ENV).errors[0].summary


# Validations by mode ------------------------------------------------------------------------


def test_production_without_root_path_is_an_error(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        "bundle:\n  name: b\nresources:\n  jobs:\n    j:\n      name: j\n"
        "targets:\n  prod:\n    mode: production\n"
    )
    [error] = resolve_target(project, env=NO_ENV).errors
    assert error.summary == (
        "target with 'mode: production' must set 'workspace.root_path' to make sure only one copy is deployed"
    )
    as_principal = resolve_target(project, user="8f3c2a71-1b2c-4d5e-9f00-123456789abc", env=NO_ENV)
    assert as_principal.errors == []
    assert [d.severity for d in as_principal.diagnostics] == ["recommendation"]


def test_production_refuses_a_development_pipeline(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        "bundle:\n  name: b\nresources:\n  pipelines:\n    p:\n      name: p\n      development: true\n"
        "targets:\n  prod:\n    mode: production\n    workspace:\n      root_path: /Workspace/Shared/b\n"
    )
    assert [d.summary for d in resolve_target(project, env=NO_ENV).errors] == [
        "target with 'mode: production' cannot include a pipeline with 'development: true'"
    ]


def test_development_refuses_unpaused_presets_and_a_prefix_without_the_user(
    make_bundle: BundleFactory,
) -> None:
    project = make_bundle(
        "bundle:\n  name: b\ntargets:\n  dev:\n    mode: development\n"
        "    presets:\n      trigger_pause_status: UNPAUSED\n      name_prefix: 'team_'\n"
    )
    summaries = [d.summary for d in resolve_target(project, env=NO_ENV).errors]
    assert (
        summaries[0]
        == "target with 'mode: development' cannot set trigger pause status to UNPAUSED by default"
    )
    assert summaries[1].startswith("prefix should contain the current username")


def test_shared_root_warns(make_bundle: BundleFactory) -> None:
    resolved = resolve_target(make_bundle(VARIABLES), "prod", env=NO_ENV)
    assert [d.severity for d in resolved.diagnostics] == ["warning"]
    assert "writable by all workspace users" in resolved.diagnostics[0].summary


# Paths --------------------------------------------------------------------------------------


def test_relative_paths_become_workspace_paths(shop) -> None:
    dev = resolve_target(shop, "dev", env=NO_ENV)
    files = "/Workspace/Users/data.engineer@example.com/.bundle/shop/dev/files"
    pipeline = dev.config["resources"]["pipelines"]["shop"]
    assert pipeline["root_path"] == f"{files}/src"
    assert pipeline["libraries"] == [{"glob": {"include": f"{files}/src/transformations/**"}}]
    # Local artifact references stay local (the deploy uploads and replaces them); pip flags
    # get the workspace path; package names stay as they are.
    assert pipeline["environment"]["dependencies"] == [
        "./dist/*.whl",
        f"-r {files}/requirements.txt",
        "pyyaml",
    ]
    job = dev.config["resources"]["jobs"]["shop_job"]
    tasks = {t["task_key"]: t for t in job["tasks"]}
    assert tasks["a_notebook"]["notebook_task"]["notebook_path"] == f"{files}/notebooks/check"
    assert tasks["sql"]["sql_task"]["file"]["path"] == f"{files}/sql/setup.sql"
    assert job["environments"][0]["spec"]["dependencies"] == ["./dist/*.whl"]


def test_missing_files_and_wrong_kinds_are_errors(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        """
        bundle:
          name: b
        resources:
          jobs:
            j:
              name: j
              tasks:
                - task_key: nb
                  notebook_task:
                    notebook_path: plain.py
                - task_key: gone
                  sql_task:
                    warehouse_id: w
                    file:
                      path: missing.sql
        """,
        {"plain.py": "print('not a notebook')\n"},
    )
    summaries = sorted(d.summary for d in resolve_target(project, env=NO_ENV).errors)
    assert summaries[0].startswith("resources.jobs.j.tasks[0].sql_task.file.path: file missing.sql not found")
    assert summaries[1].startswith(
        "resources.jobs.j.tasks[1].notebook_task.notebook_path: expected a notebook"
    )


# Resource references and dangling ones ---------------------------------------------------------


def test_resource_references_resolve_to_fake_ids_and_prefixed_names(shop) -> None:
    dev = resolve_target(shop, "dev", env=NO_ENV)
    tasks = {t["task_key"]: t for t in dev.config["resources"]["jobs"]["shop_job"]["tasks"]}
    pipeline_id = dev.resource_ids[("pipelines", "shop")]
    assert tasks["run"]["pipeline_task"]["pipeline_id"] == pipeline_id
    assert tasks["a_notebook"]["notebook_task"]["base_parameters"] == {
        "pipeline": "[dev data_engineer] shop",
        "schema": "dev_data_engineer_shop",
    }
    # validate -o json leaves them for the deploy, as the CLI does.
    raw = {t["task_key"]: t for t in dev.validate_json["resources"]["jobs"]["shop_job"]["tasks"]}
    assert raw["run"]["pipeline_task"]["pipeline_id"] == "${resources.pipelines.shop.id}"
    assert resolve_target(shop, "dev", env=NO_ENV).resource_ids == dev.resource_ids
    assert resolve_target(shop, "prod", env=NO_ENV).resource_ids[("pipelines", "shop")] != pipeline_id


def test_volume_path_reference_resolves_at_validate(shop) -> None:
    dev = resolve_target(shop, "dev", env=NO_ENV)
    configuration = dev.validate_json["resources"]["pipelines"]["shop"]["configuration"]
    assert configuration["source"] == "/Volumes/main/dev_data_engineer_shop/landing/raw"


def test_every_dangling_reference_is_listed_with_its_location(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        """
        bundle:
          name: b
        include:
          - resources/*.yml
        variables:
          known:
            default: k
        """,
        {
            "resources/j.yml": """
                resources:
                  jobs:
                    j:
                      name: j
                      tasks:
                        - task_key: t
                          pipeline_task:
                            pipeline_id: ${resources.pipelines.nope.id}
                          notebook_task:
                            notebook_path: /Workspace/x
                            base_parameters:
                              a: ${var.unknown}
                              b: ${resources.jobs.j.no_such_field}
                              c: ${var.known}-${bundle.nothing}
                              d: ${artifacts.whl.path}
                """
        },
    )
    resolved = resolve_target(project, env=NO_ENV)
    found = {(d.reference, d.reason.split(" ")[0]) for d in resolved.dangling}
    assert found == {
        ("var.unknown", "unknown"),
        ("resources.pipelines.nope.id", "unknown"),
        ("resources.jobs.j.no_such_field", "resource"),
        ("bundle.nothing", "no"),
        ("artifacts.whl.path", "left"),
    }
    unknown_var = next(d for d in resolved.dangling if d.reference == "var.unknown")
    assert unknown_var.path == "resources.jobs.j.tasks[0].notebook_task.base_parameters.a"
    assert unknown_var.location is not None and unknown_var.location.endswith("resources/j.yml:13")
    assert resolved.config["resources"]["jobs"]["j"]["tasks"][0]["notebook_task"]["base_parameters"]["c"] == (
        "k-${bundle.nothing}"
    )


def test_duplicate_resource_keys_across_files_are_an_error(make_bundle: BundleFactory) -> None:
    project = make_bundle(
        "bundle:\n  name: b\ninclude:\n  - a.yml\n  - b.yml\n",
        {
            "a.yml": "resources:\n  jobs:\n    j:\n      name: a\n",
            "b.yml": "resources:\n  jobs:\n    j:\n      name: b\n",
        },
    )
    assert [d.summary for d in resolve_target(project, env=NO_ENV).errors] == [
        "multiple resources have been defined with the same key: j"
    ]


def test_yes_and_no_stay_strings_as_in_yaml_1_2(make_bundle: BundleFactory) -> None:
    project = make_bundle("bundle:\n  name: b\nvariables:\n  flag:\n    default: yes\n")
    assert _value(resolve_target(project, env=NO_ENV), "flag") == "yes"
