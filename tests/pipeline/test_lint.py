"""Pipeline code must not use the DataFrame calls that lose dependency edges locally.

On pyspark 4.3 `withColumn`/`withColumns`/`withColumnRenamed` on a pipeline read lose the
dependency edge on a second run, and `.drop(...)` fails: use select/selectExpr instead.
"""

from __future__ import annotations

import re

from tests.rendering import REPO

SRC = REPO / "template" / "{{.project_name}}" / "src"
PIPELINE_CODE = [
    *(
        SRC / "medallion" / f"{name}.py"
        for name in ("bronze", "silver", "readers", "kafka", "records", "audit")
    ),
    *sorted((SRC / "medallion" / "gold").glob("*.py")),
    *sorted((SRC / "{{.project_name}}" / "transformations").glob("*.py")),
]
FORBIDDEN = re.compile(r"\.(withColumn|withColumns|withColumnRenamed|withColumnsRenamed|drop)\(")


def test_pipeline_code_exists() -> None:
    assert all(path.is_file() for path in PIPELINE_CODE)
    assert any(path.parent.name == "transformations" for path in PIPELINE_CODE)


def test_no_calls_that_lose_dependency_edges() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in PIPELINE_CODE
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert offenders == []


def test_transformation_files_stay_thin() -> None:
    for name in ("bronze.py", "silver.py"):
        text = (SRC / "{{.project_name}}" / "transformations" / name).read_text()
        assert "from pyspark import pipelines as dp" in text
        assert "PipelineContext.from_pipeline(dp)" in text
        assert len([line for line in text.splitlines() if line.strip()]) <= 10
