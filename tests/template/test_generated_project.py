"""The generated project's own pytest suite passes as rendered, and its editor stubs stay complete."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.recording_dp import EXPECT_DECORATORS
from tests.template.conftest import ProjectSuite, project_pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STUB = REPO_ROOT / "template" / "{{.project_name}}" / "typings" / "pyspark" / "pipelines" / "__init__.pyi"
DATABRICKS_ONLY = set(EXPECT_DECORATORS)  # Databricks' expect* decorators, absent from the OSS module


def test_fast_tests_pass_for_a_custom_spec(render_answers) -> None:
    project = render_answers(source_tables="invoices, payments", include_sample_data="no", ci="none")
    result = project_pytest(project, "-m", "not pipeline")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.pipeline
def test_full_suite_passes_on_the_retail_sample(retail_project_suite: ProjectSuite) -> None:
    """Two local runs (full refresh + incremental): COMPLETED, tables, conservation, rule figures."""
    result = retail_project_suite.result
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]


def stub_names() -> set[str]:
    tree = ast.parse(STUB.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_stubs_cover_the_oss_api_and_databricks_names() -> None:
    import pyspark.pipelines as dp

    assert set(dp.__all__) | DATABRICKS_ONLY <= stub_names()


def test_stubs_take_the_parameters_of_the_oss_api() -> None:
    import inspect

    import pyspark.pipelines as dp

    tree = ast.parse(STUB.read_text())
    declared: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            declared.setdefault(node.name, set()).update(names)
    for name in dp.__all__:
        real = set(inspect.signature(getattr(dp, name)).parameters) - {"query_function"}
        assert real <= declared[name], f"{name}: stub lacks {real - declared[name]}"
