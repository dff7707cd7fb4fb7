"""The spec (medallion.yml): its JSON Schema, typed model and loader."""

from medallion.spec.errors import SpecError, SpecProblem
from medallion.spec.load import SCHEMA_PATH, find_spec, load_spec
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
