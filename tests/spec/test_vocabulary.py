"""The shared names are declared once, in medallion.vocabulary: no other helper module assigns
one of them as a constant of its own, and the spec's JSON schema offers exactly its source
types and file formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

from medallion import vocabulary
from tests.rendering import TEMPLATE_SRC

HELPERS = TEMPLATE_SRC / "medallion"
SCHEMA = HELPERS / "spec" / "medallion.schema.json"


def declared_names() -> set[str]:
    return {*vocabulary.RESERVED_COLUMNS, *vocabulary.LAYERS}


CONSTANT = re.compile(r'^[A-Z][A-Z0-9_]* = "([^"]+)"$', re.MULTILINE)
TUPLE = re.compile(r"^[A-Z][A-Z0-9_]* = \(([^)]*)\)$", re.MULTILINE)


def second_declarations(paths: list[Path]) -> list[str]:
    """Module constants outside medallion.vocabulary that spell a shared name or vocabulary."""
    shared = {*vocabulary.RESERVED_COLUMNS, *vocabulary.LAYERS}
    vocabularies = {
        frozenset(v) for v in (vocabulary.SOURCE_TYPES, vocabulary.FILE_FORMATS, vocabulary.LAYERS)
    }
    found = []
    for path in paths:
        text = path.read_text()
        found += [f"{path.name}: {m.group(0)}" for m in CONSTANT.finditer(text) if m.group(1) in shared]
        found += [
            f"{path.name}: {m.group(0)}"
            for m in TUPLE.finditer(text)
            if frozenset(re.findall(r'"([^"]+)"', m.group(1))) in vocabularies
        ]
    return found


def test_no_helper_declares_a_shared_name_again() -> None:
    helpers = [p for p in sorted(HELPERS.rglob("*.py")) if p.name != "vocabulary.py"]
    assert second_declarations(helpers) == []


def test_a_second_declaration_is_found(tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    copy.write_text('ERRORS = "_errors"\nKINDS = ("files", "delta", "kafka")\nOTHER = "x"\n')
    assert second_declarations([copy]) == [
        'copy.py: ERRORS = "_errors"',
        'copy.py: KINDS = ("files", "delta", "kafka")',
    ]


def test_the_schema_offers_the_vocabularys_source_types_and_formats() -> None:
    text = SCHEMA.read_text()
    document = json.loads(text)
    enums = [set(node["enum"]) for node in _walk(document) if isinstance(node, dict) and "enum" in node]
    assert set(vocabulary.SOURCE_TYPES) in enums
    assert set(vocabulary.FILE_FORMATS) in enums


def _walk(node: object) -> list[object]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found
