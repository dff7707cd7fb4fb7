"""nutter data tests as rendered: Databricks notebooks with nutter fixtures, run by the job after the
pipeline (they run on the local engine's tables in tests/template/test_generated_project.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ("test_bronze", "test_silver", "test_gold")


def test_notebooks_are_databricks_source_with_nutter_fixtures() -> None:
    folder = REPO_ROOT / "template" / "{{.project_name}}" / "tests" / "nutter"
    for name in (*NOTEBOOKS, "run_all"):
        text = (folder / f"{name}.py").read_text()
        assert text.startswith("# Databricks notebook source\n"), name
        ast.parse(text)
    for name in NOTEBOOKS:
        tree = ast.parse((folder / f"{name}.py").read_text())
        bases = [
            ast.unparse(b) for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for b in node.bases
        ]
        assert bases == ["NutterFixture"], name
    run_all = (folder / "run_all.py").read_text()
    assert "%pip install --quiet nutter==0.1.35" in run_all
    assert [line.split()[-1] for line in run_all.splitlines() if "%run" in line] == [
        f"./{n}" for n in NOTEBOOKS
    ]


def test_job_runs_the_data_tests_after_the_pipeline(render_answers) -> None:
    project = render_answers()
    jobs = yaml.safe_load((project / "resources" / "medallion_pipeline.job.yml").read_text())["resources"][
        "jobs"
    ]
    tasks = {t["task_key"]: t for job in jobs.values() for t in job["tasks"]}
    data_tests = tasks["data_tests"]
    assert data_tests["depends_on"] == [{"task_key": "run_pipeline"}]
    assert data_tests["notebook_task"]["notebook_path"] == "../tests/nutter/run_all.py"
    assert set(data_tests["notebook_task"]["base_parameters"]) == {"catalog", "schema", "bundle_root"}
    assert "environment_key" not in data_tests  # serverless notebook tasks install with %pip
    assert (project / "tests" / "nutter" / "run_all.py").exists()
