"""medallion.schema.json, written from the model (the `spec_key` fields of medallion.spec.model)
and the expectation sets (medallion.expectations) by `make sync`; a test fails when the file
differs from `document()`.

Field types give the schema (text, true/false, a number, a choice of literals, a list of
identifiers, another definition); a field's `schema` overrides that where the type says too
little (a pattern, a mapping of names, a shorthand).
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from medallion.spec import model

SCHEMA_FILE = Path(__file__).parents[1] / "spec" / "medallion.schema.json"

DEFINITIONS: dict[str, type] = {
    "column": model.Column,
    "source": model.SourceConfig,
    "reference": model.Reference,
    "thresholds": model.Thresholds,
    "source_table": model.SourceTable,
    "gold": model.Gold,
    "calendar": model.Calendar,
    "dimension": model.Dimension,
    "fact": model.Fact,
    "measure": model.Measure,
    "custom_table": model.CustomTable,
}
"""Definition name -> the model class whose spec keys it lists."""
NAMES = {cls: name for name, cls in DEFINITIONS.items()}
SOURCE_DEFAULT_KEYS = ("type", "format", "options")
"""The source keys `defaults.source` may set for every source."""

SPARK_TYPES = (
    "string|boolean|tinyint|smallint|int|integer|bigint|long|short|byte|float|double|date|timestamp|"
    "timestamp_ntz|binary"
)


def document() -> dict[str, Any]:
    """The whole JSON Schema of medallion.yml."""
    definitions = {name: definition(cls) for name, cls in DEFINITIONS.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "medallion.schema.json",
        "title": "Medallion pipeline spec",
        "description": "Sources, data-quality rules and the gold star schema of one medallion pipeline.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "sources"],
        "properties": {
            "version": {"const": 1, "description": "Spec format version; always 1."},
            "defaults": {
                "type": "object",
                "additionalProperties": False,
                "description": "Settings merged into every source unless the source sets them itself.",
                "properties": {
                    "source": {"$ref": "#/$defs/source_defaults"},
                    "thresholds": {"$ref": "#/$defs/thresholds"},
                },
            },
            "sources": model.mapping_of(
                "source_table",
                "One entry per source table; the key is the table name used in bronze_<t>, silver_<t>...",
                minProperties=1,
            ),
            "gold": {"$ref": "#/$defs/gold"},
        },
        "$defs": {
            **_basic_definitions(),
            **definitions,
            "source_defaults": _source_defaults(definitions["source"]),
            "expectation": expectation_definition(),
        },
    }


def text() -> str:
    """The file's text."""
    return json.dumps(document(), indent=2) + "\n"


def _basic_definitions() -> dict[str, Any]:
    return {
        "identifier": {
            "type": "string",
            "pattern": "^[a-z_][a-z0-9_]{0,62}$",
            "description": "A lower-case identifier: letters, digits and underscores, starting with a "
            "letter or underscore.",
        },
        "identifier_list": {"type": "array", "minItems": 1, "uniqueItems": True, "items": model.IDENTIFIER},
        "spark_type": {
            "type": "string",
            "pattern": rf"^({SPARK_TYPES}|decimal(\(\s*\d+\s*,\s*\d+\s*\))?)$",
            "description": "A lower-case Spark SQL type: string, boolean, int, bigint, double, date, "
            "timestamp, decimal(p,s)...",
        },
    }


def definition(cls: type) -> dict[str, Any]:
    """One model class as a YAML mapping of its spec keys (no other keys allowed)."""
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required = []
    for item in fields(cls):
        meta = item.metadata
        if not meta.get("spec_key"):
            continue
        key = meta["yaml"] or item.name
        schema = dict(meta["schema"]) if meta["schema"] is not None else field_schema(hints[item.name])
        if meta["description"]:
            schema["description"] = meta["description"]
        properties[key] = schema
        if meta["required"]:
            required.append(key)
    mapping: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if required:
        mapping["required"] = required
    mapping["properties"] = properties
    summary = (cls.__doc__ or "").strip().split("\n\n")[0]
    return _shaped(cls, mapping, " ".join(summary.split()))


def _shaped(cls: type, mapping: dict[str, Any], summary: str) -> dict[str, Any]:
    """The written forms a class allows besides the full mapping."""
    if cls is model.Column:  # `name: int` or `name: {type: int, ...}`
        return {"description": summary, "oneOf": [model.SPARK_TYPE, mapping]}
    if cls is model.Measure:  # `amount: quantity * price` or `amount: {expr: ..., type: ...}`
        return {"description": summary, "oneOf": [{"type": "string", "minLength": 1}, mapping]}
    if cls is model.CustomTable:
        return {"description": summary, **mapping, "oneOf": [{"required": ["sql"]}, {"required": ["python"]}]}
    return {"description": summary, **mapping}


def field_schema(annotation: Any) -> dict[str, Any]:
    """The JSON Schema a field's type gives."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        (present,) = [a for a in args if a is not type(None)]
        return field_schema(present)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is tuple and args == (str, Ellipsis):
        return dict(model.IDENTIFIER_LIST)
    if is_dataclass(annotation) and annotation in NAMES:
        return {"$ref": f"#/$defs/{NAMES[annotation]}"}
    simple = {str: "string", bool: "boolean", float: "number", int: "integer"}
    if annotation in simple:
        return {"type": simple[annotation]}
    raise TypeError(f"no JSON Schema for {annotation!r}: give the field a `schema`")


def _source_defaults(source: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Source settings every source takes unless it sets them itself.",
        "properties": {key: source["properties"][key] for key in SOURCE_DEFAULT_KEYS},
    }


def expectation_definition() -> dict[str, Any]:
    """A rule (`name` + `rule`) or a set (`use` + the parameters the sets declare)."""
    from medallion.expectations import EXPECTATION_SETS  # it imports this package

    parameters: dict[str, Any] = {}
    for use, expectation_set in EXPECTATION_SETS.items():
        for name, schema in expectation_set.parameters.items():
            if parameters.setdefault(name, schema) != schema:
                raise ValueError(f"expectation set {use}: parameter {name!r} differs from another set's")
    summaries = "; ".join(f"{name}: {s.summary}" for name, s in EXPECTATION_SETS.items())
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["action"],
        "description": "Either a named SQL predicate (name + rule) or a reusable set (use + its parameters).",
        "properties": {
            "name": model.IDENTIFIER,
            "rule": {
                "type": "string",
                "minLength": 1,
                "description": "A SQL boolean expression over the typed columns; NULL counts as failure. "
                "One expression: no -- or /* */ comments, no ';' (medallion validate compiles it).",
            },
            "use": {
                "enum": list(EXPECTATION_SETS),
                "description": f"A reusable expectation set (medallion.expectations): {summaries}.",
            },
            "action": {
                "enum": list(get_args(model.Action)),
                "description": "warn: keep and count; drop: send to quarantine; fail: stop the update.",
            },
            **parameters,
        },
        "oneOf": [
            {"required": ["rule", "name"], "not": {"required": ["use"]}},
            {"required": ["use"], "not": {"required": ["rule"]}},
        ],
    }
