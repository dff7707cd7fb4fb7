"""medallion.schema.json is written from the model and the expectation sets (make sync): the file
is current, every spec key of the model is a key of the schema and back, a set's parameters and a
field's description reach the schema, and what the schema cannot be written from is refused."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

import pytest

from medallion import expectations
from medallion.spec import model
from medallion.tooling import spec_schema
from medallion.tooling.spec_schema import DEFINITIONS, document, field_schema


def test_the_file_is_what_the_model_writes() -> None:
    assert spec_schema.SCHEMA_FILE.read_text() == spec_schema.text(), "run make sync"


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_spec_key_is_in_the_schema_and_nothing_else(name: str) -> None:
    cls = DEFINITIONS[name]
    keys = [f.metadata["yaml"] or f.name for f in dataclasses.fields(cls) if f.metadata.get("spec_key")]
    definition = document()["$defs"][name]
    mapping = (
        definition["oneOf"][1] if "oneOf" in definition and name in ("column", "measure") else definition
    )
    assert list(mapping["properties"]) == keys
    internal = {f.name for f in dataclasses.fields(cls) if not f.metadata.get("spec_key")}
    assert not internal & set(mapping["properties"]) - set(keys)


def test_the_yaml_names_differ_where_python_cannot_spell_them() -> None:
    calendar = document()["$defs"]["calendar"]
    assert calendar["required"] == ["from", "to"]
    assert "dimensions" in document()["$defs"]["fact"]["properties"]


def test_a_new_set_parameter_reaches_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    sets = dict(expectations.EXPECTATION_SETS)
    sets["between_dates"] = dataclasses.replace(
        sets["range"], parameters={"column": expectations.COLUMN, "inclusive": {"type": "boolean"}}
    )
    monkeypatch.setattr(expectations, "EXPECTATION_SETS", sets)
    expectation = document()["$defs"]["expectation"]
    assert "between_dates" in expectation["properties"]["use"]["enum"]
    assert expectation["properties"]["inclusive"] == {"type": "boolean"}
    assert spec_schema.text() != spec_schema.SCHEMA_FILE.read_text(), "the staleness check would fail"


def test_two_sets_may_not_declare_one_parameter_differently(monkeypatch: pytest.MonkeyPatch) -> None:
    sets = dict(expectations.EXPECTATION_SETS)
    sets["odd"] = dataclasses.replace(sets["regex"], parameters={"column": {"type": "integer"}})
    monkeypatch.setattr(expectations, "EXPECTATION_SETS", sets)
    with pytest.raises(ValueError, match="parameter 'column' differs"):
        document()


@dataclasses.dataclass(frozen=True)
class Probe:
    """A probe's summary.

    Not in the schema."""

    name: str
    depth: int = dataclasses.field(metadata=model.spec_key("How deep.", required=True))
    mode: Literal["a", "b"] = dataclasses.field(default="a", metadata=model.spec_key(yaml="kind"))
    code: str | None = dataclasses.field(
        default=None, metadata=model.spec_key(schema={"type": "string", "pattern": "^[A-Z]+$"})
    )


def test_a_class_becomes_a_mapping_of_its_spec_keys() -> None:
    assert spec_schema.definition(Probe) == {
        "description": "A probe's summary.",
        "type": "object",
        "additionalProperties": False,
        "required": ["depth"],
        "properties": {
            "depth": {"type": "integer", "description": "How deep."},
            "kind": {"enum": ["a", "b"]},
            "code": {"type": "string", "pattern": "^[A-Z]+$"},
        },
    }


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (str, {"type": "string"}),
        (bool | None, {"type": "boolean"}),
        (tuple[str, ...], model.IDENTIFIER_LIST),
        (model.Thresholds, {"$ref": "#/$defs/thresholds"}),
    ],
)
def test_field_types_give_their_schema(annotation: Any, schema: dict[str, Any]) -> None:
    assert field_schema(annotation) == schema


def test_a_type_without_a_schema_is_refused() -> None:
    with pytest.raises(TypeError, match="give the field a `schema`"):
        field_schema(dict[str, int])


def test_the_loader_validates_with_the_file() -> None:
    from medallion.spec.load import SCHEMA_PATH

    assert json.loads(SCHEMA_PATH.read_text()) == document()
