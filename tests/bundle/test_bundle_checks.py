"""The offline validator itself catches what it claims to (so a green matrix means something)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from tests.bundle import bundle_checks


def _copy(project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / project.name
    shutil.copytree(project, copy)
    return copy


def _edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_unknown_pipeline_field_is_caught(default_project: Path, tmp_path: Path) -> None:
    project = _copy(default_project, tmp_path)
    (pipeline_file,) = (project / "resources").glob("*.pipeline.yml")
    _edit_yaml(pipeline_file, lambda d: next(iter(d["resources"]["pipelines"].values())).update(target="x"))
    found = bundle_checks.problems(project)
    assert any("target" in p for p in found)


def test_undeclared_variable_is_caught(default_project: Path, tmp_path: Path) -> None:
    project = _copy(default_project, tmp_path)
    job_file = project / "resources" / "medallion_pipeline.job.yml"
    job_file.write_text(job_file.read_text().replace("${var.catalog}", "${var.katalog}", 1))
    assert any("katalog" in p for p in bundle_checks.problems(project))


def test_leftover_template_text_is_caught(default_project: Path, tmp_path: Path) -> None:
    project = _copy(default_project, tmp_path)
    (project / "README.md").write_text("Hello {{.project_name}}\n")
    assert any("leftover template text" in p for p in bundle_checks.problems(project))


def test_wrong_mode_is_caught(default_project: Path, tmp_path: Path) -> None:
    project = _copy(default_project, tmp_path)
    _edit_yaml(project / "databricks.yml", lambda d: d["targets"]["prod"].update(mode="development"))
    assert any("targets.prod.mode" in p for p in bundle_checks.problems(project))
