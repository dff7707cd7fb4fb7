"""quality_metrics' limits come from medallion.yml: a source's own, the spec's, else the default."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from medallion.gold.quality import DEFAULT_HOURS_WITHOUT_NEW_ROWS, balanced_union, hours_without_new_rows
from medallion.spec import SpecError, load_spec


def spec_with(tmp_path: Path, defaults: dict[str, Any], orders: dict[str, Any]) -> Any:
    document = {
        "version": 1,
        "defaults": {"source": {"type": "files", "format": "json"}, "thresholds": defaults},
        "sources": {
            "orders": {"columns": {"id": "string"}, "thresholds": orders},
            "customers": {"columns": {"id": "string"}},
        },
    }
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document))
    return load_spec(path)


def test_a_sources_limit_wins_over_the_specs_and_the_default(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, {"max_hours_without_new_rows": 48}, {"max_hours_without_new_rows": 6})
    assert hours_without_new_rows(spec, spec.source("orders")) == 6
    assert hours_without_new_rows(spec, spec.source("customers")) == 48
    plain = spec_with(tmp_path, {}, {})
    assert hours_without_new_rows(plain, plain.source("orders")) == DEFAULT_HOURS_WITHOUT_NEW_ROWS == 36


@pytest.mark.parametrize("hours", [0, -1, "a day"])
def test_a_limit_that_is_not_a_positive_number_is_refused_naming_its_key(tmp_path: Path, hours: Any) -> None:
    with pytest.raises(SpecError) as refused:
        spec_with(tmp_path, {}, {"max_hours_without_new_rows": hours})
    assert "sources.orders.thresholds.max_hours_without_new_rows" in str(refused.value)


class Node:
    """Stands for a DataFrame: a union nests one level deeper than its deeper side."""

    def __init__(self, depth: int = 1, leaves: int = 1) -> None:
        self.depth, self.leaves = depth, leaves

    def unionByName(self, other: Node) -> Node:
        return Node(max(self.depth, other.depth) + 1, self.leaves + other.leaves)


@pytest.mark.parametrize("count", [1, 2, 3, 9, 64, 100])
def test_the_union_of_every_metric_nests_logarithmically(count: int) -> None:
    """Spark Connect refuses plans nested past its protobuf limit: nine airline tables already
    made a chain of unions too deep (Exceeded upb_DecodeOptions_MaxDepth)."""
    union = balanced_union(cast(Any, [Node() for _ in range(count)]))  # trees of stand-ins
    assert union.leaves == count
    assert union.depth <= 1 + (count - 1).bit_length()
