"""The generator's own design as oracle rules (no spec involved): what the data was built to mean."""

from __future__ import annotations

from datagen import domain

from tests.scale.oracle import FactRules, TableRules

DESIGN_TYPES = {
    domain.STR: "string",
    domain.INT: "int",
    domain.MONEY: "decimal(12,2)",
    domain.DEC4: "decimal(12,4)",
    domain.DATE: "date",
    domain.TS: "timestamp",
    domain.BOOL: "boolean",
}


def design_rules() -> dict[str, TableRules]:
    """Every table: designed types, key and change column; a NULL key part or change time is invalid."""
    return {
        t.name: TableRules(
            t.name,
            {c: DESIGN_TYPES[k] for c, k in t.columns},
            t.key,
            t.sequence_by,
            (*t.key, *([t.sequence_by] if t.sequence_by else [])),
        )
        for t in domain.TABLES
    }


def design_fact(table: str) -> FactRules:
    """A fact over every money and integer column that is no key, with one role per reference."""
    design = domain.BY_NAME[table]
    links = domain.links_of(table)
    linked = {c for link in links for c in link.columns}
    measures = {
        c: c
        for c, kind in design.columns
        if kind in (domain.MONEY, domain.INT) and c not in design.key and c not in linked
    }
    roles = {"+".join(link.columns): (link.target, link.columns) for link in links}
    return FactRules(table, table, measures, roles)
