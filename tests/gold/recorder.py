"""A minimal recording stand-in for `pyspark.pipelines` (materialized views only).

It refuses keyword arguments the real OSS decorator does not accept, so whatever passes
here is callable on the local engine too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark import pipelines

ACCEPTED = set(inspect.signature(pipelines.materialized_view).parameters) - {"query_function"}


@dataclass
class Dataset:
    """One declared dataset: its options and query function."""

    options: dict[str, Any]
    query: Callable[[], Any]


class RecordingDP:
    """Records `materialized_view(...)(query)` calls by dataset name, in order."""

    def __init__(self) -> None:
        self.datasets: dict[str, Dataset] = {}

    def materialized_view(self, **options: Any) -> Callable[[Callable[[], Any]], None]:
        unknown = set(options) - ACCEPTED
        assert not unknown, f"pyspark.pipelines.materialized_view does not accept {unknown}"

        def register(query: Callable[[], Any]) -> None:
            assert options["name"] not in self.datasets, f"{options['name']} declared twice"
            self.datasets[options["name"]] = Dataset(options, query)

        return register
