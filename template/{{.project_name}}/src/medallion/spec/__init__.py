"""The spec (medallion.yml): its JSON Schema, typed model and loader.

The loader is imported on first use (PEP 562): it needs `medallion.expectations` and
`medallion.naming`, which themselves import `medallion.spec.model`; importing it here would
make the package's import order matter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medallion.spec.errors import SpecError, SpecProblem
from medallion.spec.model import (
    Column,
    CustomTable,
    Dimension,
    Expectation,
    Fact,
    Gold,
    Measure,
    Reference,
    SourceConfig,
    SourceTable,
    Spec,
    Thresholds,
)

__all__ = [
    "SCHEMA_PATH",
    "Column",
    "CustomTable",
    "Dimension",
    "Expectation",
    "Fact",
    "Gold",
    "Measure",
    "Reference",
    "SourceConfig",
    "SourceTable",
    "Spec",
    "SpecError",
    "SpecProblem",
    "Thresholds",
    "find_spec",
    "load_spec",
]

_LOADER = ("SCHEMA_PATH", "find_spec", "load_spec")

if TYPE_CHECKING:
    from medallion.spec.load import SCHEMA_PATH, find_spec, load_spec


def __getattr__(name: str) -> Any:
    if name in _LOADER:
        from medallion.spec import load

        return getattr(load, name)
    raise AttributeError(f"module 'medallion.spec' has no attribute {name!r}")
