"""What a render records for later upgrades: the answers it used and the helpers' hashes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rendering import REPO, files_of, render_project
from tests.support.golden import BUNDLE_UUID, FIXED_UUID

SCHEMA = json.loads((REPO / "databricks_template_schema.json").read_text())
ANSWERS = {
    "project_name": "sales_lake",
    "catalog": "analytics",
    "source_type": "files",
    "file_format": "csv",
    "source_tables": "events, users",
    "ci": "none",
    "grantee": "data-engineers",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project(ANSWERS, tmp_path_factory.mktemp("recorded"))


def test_manifest_is_in_step_with_the_helpers() -> None:
    script = REPO / "scripts" / "sync_template_manifest.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_rendered_helpers_hash_as_the_manifest_says(rendered: Path) -> None:
    manifest = json.loads((rendered / "src/medallion/template_files.json").read_text())
    found = {
        path: hashlib.sha256((rendered / path).read_bytes()).hexdigest()
        for path in files_of(rendered)
        if path.startswith(("src/medallion/", "typings/")) and path != "src/medallion/template_files.json"
    }
    assert found == manifest["files"], "bundle init copies template-owned files verbatim"


def test_answers_file_records_every_prompt(rendered: Path) -> None:
    recorded = json.loads((rendered / ".medallion-template.json").read_text())["answers"]
    prompts = {k for k, v in SCHEMA["properties"].items() if not v["description"].startswith("Derived")}
    assert set(recorded) == prompts
    assert {k: recorded[k] for k in ANSWERS} == ANSWERS


def test_the_recorded_answers_render_the_same_project(rendered: Path, tmp_path: Path) -> None:
    recorded = json.loads((rendered / ".medallion-template.json").read_text())["answers"]
    again = render_project(recorded, tmp_path / "again")
    assert files_of(again) == files_of(rendered)
    for path in files_of(rendered):
        first, second = (rendered / path).read_bytes(), (again / path).read_bytes()
        if path == "databricks.yml":  # bundle init draws a new uuid each time
            first, second = (BUNDLE_UUID.sub(FIXED_UUID, t) for t in (first, second))
        assert first == second, path
