"""The emulator against the Databricks CLI's own golden outputs (its acceptance tests at the tag
the emulator follows), read from a clone of https://github.com/databricks/cli with its tags
whose path is in DATABRICKS_CLI_CHECKOUT; skipped, saying so, when it is unset.

Each case runs the emulator on the acceptance test's input and compares with the recorded
output of `databricks bundle validate`, after the same placeholder substitution the CLI's test
harness does ([USERNAME]). Known gaps are named where they are excluded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator import CLI_TAG, BundleError, resolve_target

CHECKOUT = os.environ.get("DATABRICKS_CLI_CHECKOUT", "")
MIRROR = Path(CHECKOUT)
USER = "tester@databricks.com"

pytestmark = pytest.mark.skipif(
    not CHECKOUT or not MIRROR.is_dir() or shutil.which("git") is None,
    reason="DATABRICKS_CLI_CHECKOUT (a databricks/cli clone with tags) is not set",
)


def _case(name: str, tmp_path: Path) -> Path:
    """Extract acceptance/bundle/<name> at CLI_TAG into tmp_path."""
    archive = subprocess.run(
        ["git", "-C", str(MIRROR), "archive", CLI_TAG, f"acceptance/bundle/{name}"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "acceptance" / "bundle" / name


def _placeholders(value: Any) -> Any:
    text = json.dumps(value)
    for real, placeholder in (
        (USER, "[USERNAME]"),
        ("dev tester]", "dev [USERNAME]]"),
        ("dev_tester_", "dev_[USERNAME]_"),
    ):
        text = text.replace(real, placeholder)
    return json.loads(text.replace('"tester"', '"[USERNAME]"'))


def test_path_translation_matches_paths_nominal(tmp_path: Path) -> None:
    case = _case("paths/nominal", tmp_path)
    resolved = resolve_target(case, "development", user=USER, env={})
    resources = _placeholders(resolved.validate_json["resources"])
    assert resources["jobs"]["my_job"]["tasks"] == json.loads((case / "output.job.json").read_text())
    assert resources["pipelines"]["my_pipeline"]["libraries"] == json.loads(
        (case / "output.pipeline.json").read_text()
    )
    # The `error` target: the CLI stops at a notebook that does not exist.
    errors = resolve_target(case, "error", user=USER, env={}).errors
    assert any("notebook resources/this value is overridden not found" in d.summary for d in errors)


@pytest.mark.parametrize("target", ["default", "override"])
def test_relative_paths_match_relative_path_translation(tmp_path: Path, target: str) -> None:
    case = _case("paths/relative_path_translation", tmp_path)
    tasks = resolve_target(case, target, user=USER, env={}).validate_json["resources"]["jobs"]["job"]["tasks"]
    got = _placeholders({"paths": [t["spark_python_task"]["python_file"] for t in tasks]})
    assert got == json.loads((case / f"output.{target}.json").read_text())


@pytest.mark.parametrize(
    ("output", "prefix"),
    [
        ("without_presets", None),
        ("with_static_prefix", "prefix"),
        ("with_empty_prefix", '""'),
        ("with_nil_prefix", ""),
    ],
)
def test_whole_validate_output_matches_presets_name_prefix_dev(
    tmp_path: Path, output: str, prefix: str | None
) -> None:
    case = _case("validate/presets_name_prefix_dev", tmp_path)
    template = (case / "databricks.yml.tmpl").read_text()
    if prefix is None:
        text = "\n".join(line for line in template.splitlines() if "PRESETS" not in line)
    else:
        text = template.replace("$PREFIX", prefix)
    (case / "databricks.yml").write_text(text)
    resolved = resolve_target(case, user=USER, env={})
    got = _placeholders(resolved.validate_json)
    expected = json.loads((case / f"out.{output}.json").read_text())
    # Not emulated: the user's workspace id. After an error the CLI skips the later mutators
    # (deployment metadata); the emulator goes on and reports the error.
    expected["workspace"]["current_user"].pop("id")
    if resolved.errors:
        for field_name in ("deployment", "edit_mode", "format"):
            got["resources"]["jobs"]["job1"].pop(field_name)
    assert got == expected


def test_variable_precedence_matches_env_overrides(tmp_path: Path) -> None:
    case = _case("variables/env_overrides", tmp_path)

    def result(target: str, env: dict[str, str]) -> str:
        return resolve_target(case, target, user=USER, env=env).validate_json["variables"]["result"]["value"]

    assert result("env-with-single-variable-override", {}) == "default-a dev-b"
    assert result("env-with-two-variable-overrides", {}) == "prod-a prod-b"
    assert result("env-with-two-variable-overrides", {"BUNDLE_VAR_b": "env-var-b"}) == "prod-a env-var-b"
    missing = resolve_target(case, "env-missing-a-required-variable-assignment", user=USER, env={})
    assert [d.summary for d in missing.errors] == [
        "no value assigned to required variable b. Variables are usually assigned in databricks.yml, and "
        'they can be overridden using "--var", the BUNDLE_VAR_b environment variable, or '
        ".databricks/bundle/<target>/variable-overrides.json"
    ]
    with pytest.raises(BundleError, match="variable c is not defined but is assigned a value"):
        resolve_target(case, "env-using-an-undefined-variable", user=USER, env={})


@pytest.mark.parametrize(
    ("target", "final"), [("target_x", "hello from foo x"), ("target_y", "hi from foo y")]
)
def test_nested_references_match_var_in_var(tmp_path: Path, target: str, final: str) -> None:
    case = _case("variables/var_in_var", tmp_path)
    variables = resolve_target(case, target, user=USER, env={}).validate_json["variables"]
    assert variables["final"] == {"default": final, "value": final}


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("run_as/empty_run_as", []),
        ("run_as/empty_override", []),
        (
            "run_as/empty_sp",
            [
                "run_as section must specify exactly one identity. Neither service_principal_name nor "
                "user_name is specified"
            ],
        ),
        (
            "run_as/invalid_both_sp_and_user",
            ["run_as section cannot specify both user_name and service_principal_name"],
        ),
    ],
)
def test_run_as_validation_matches(tmp_path: Path, name: str, errors: list[str]) -> None:
    case = _case(name, tmp_path)
    assert [d.summary for d in resolve_target(case, user=USER, env={}).errors] == errors
