"""Fast checks of medallion.yml (no Spark): it loads, and names, keys and rules hang together."""

from __future__ import annotations

from collections import Counter

from medallion import naming
from medallion.spec import Spec


def test_spec_loads(spec: Spec) -> None:
    assert spec.sources, "medallion.yml declares no source"


def test_expected_tables_cover_every_layer(spec: Spec) -> None:
    tables = naming.expected_tables(spec)
    for source in spec.source_names:
        assert tables[naming.bronze_table(source)] == "bronze"
        assert tables[naming.history_table(source)] == "silver_history"
        assert tables[naming.quarantine_table(source)] == "quarantine"
        assert tables[naming.silver_table(source)] == "silver"


def test_rule_names_are_unique_per_table(spec: Spec) -> None:
    for table in spec.sources:
        counts = Counter(e.name for e in table.expectations)
        assert not [n for n, c in counts.items() if c > 1], f"{table.name}: duplicate rule names"


def test_keys_and_sequence_columns_exist(spec: Spec) -> None:
    for table in spec.sources:
        if not table.columns:
            continue  # a table still to be described: `medallion infer` drafts it
        columns = set(table.column_names)
        assert set(table.primary_key) <= columns, table.name
        assert table.sequence_by is None or table.sequence_by in columns, table.name


def test_money_is_decimal(spec: Spec) -> None:
    money_words = ("price", "amount", "revenue", "cost", "discount", "total")
    for table in spec.sources:
        for column in table.columns:
            if any(word in column.name for word in money_words):
                assert column.type.startswith("decimal"), f"{table.name}.{column.name} is {column.type}"
