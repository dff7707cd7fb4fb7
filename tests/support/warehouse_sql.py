"""The fake warehouse's SQL front end, without Spark: parse with sqlglot's Databricks dialect,
bind named parameter markers from the request's `parameters`, and resolve every table, column
and struct field against the tables the workspace holds, failing the way Databricks SQL does.

Error classes and texts follow the Databricks SQL error reference
(docs.databricks.com/aws/en/error-messages/error-classes): PARSE_SYNTAX_ERROR,
UNBOUND_SQL_PARAMETER, TABLE_OR_VIEW_NOT_FOUND, UNRESOLVED_COLUMN, FIELD_NOT_FOUND.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.schema import MappingSchema

from medallion.spec.fragments import tables_read

DIALECT = "databricks"
TableKey = tuple[str, str, str]
# Statements the fake accepts without executing them (setup SQL: grants, schemas).
NO_OP = (exp.Grant, exp.Revoke, exp.Create, exp.Use, exp.Command)


class SqlFailure(Exception):
    """A statement the warehouse refuses: error class, message and SQLSTATE, as Databricks reports them."""

    def __init__(
        self, error_class: str, message: str, sql_state: str = "42000", text: str | None = None
    ) -> None:
        super().__init__(text or f"[{error_class}] {message} SQLSTATE: {sql_state}")
        self.error_class = error_class
        self.sql_state = sql_state

    @classmethod
    def from_text(cls, text: str) -> SqlFailure:
        """A failure from a full Databricks error text such as `[CLASS] message SQLSTATE: 42501`."""
        found = re.match(r"^\[([A-Z_.]+)\]", text)
        state = re.search(r"SQLSTATE: (\w+)", text)
        return cls(found[1] if found else "UNKNOWN", text, state[1] if state else "42000", text=text)


@dataclass(frozen=True)
class Analyzed:
    """A bound, qualified SELECT, the tables it reads, and the bound statement as sent."""

    tree: exp.Expr
    tables: list[TableKey]
    bound: exp.Expr | None = None


def parse(sql: str) -> exp.Expr:
    """One statement in the Databricks dialect."""
    try:
        trees = [t for t in sqlglot.parse(sql, read=DIALECT) if t is not None]
    except ParseError as error:
        raise SqlFailure("PARSE_SYNTAX_ERROR", f"Syntax error: {error.errors[0]['description']}.") from None
    if len(trees) != 1:
        raise SqlFailure("PARSE_SYNTAX_ERROR", "Syntax error: expected exactly one statement.")
    return trees[0]


def bind(tree: exp.Expr, parameters: list[dict[str, Any]]) -> exp.Expr:
    """Replace each `:name` marker by its typed literal (Statement Execution API `parameters`:
    name, value, type defaulting to STRING; a missing value is NULL)."""
    values = {p["name"]: p for p in parameters}
    bound = tree.copy()
    for marker in list(bound.find_all(exp.Placeholder)):
        name = marker.name
        if not name:
            raise SqlFailure("UNBOUND_SQL_PARAMETER", "Found the unbound parameter: ?.", "42P02")
        if name not in values:
            raise SqlFailure("UNBOUND_SQL_PARAMETER", f"Found the unbound parameter: {name}.", "42P02")
        marker.replace(_literal(values[name]))
    return bound


def _literal(parameter: dict[str, Any]) -> exp.Expr:
    value, kind = parameter.get("value"), (parameter.get("type") or "STRING").upper()
    if value is None:
        return exp.Null()
    text = exp.Literal.string(str(value))
    return text if kind == "STRING" else exp.cast(text, exp.DataType.build(kind, dialect=DIALECT))


def analyze(tree: exp.Expr, schemas: dict[TableKey, dict[str, str]]) -> Analyzed:
    """Qualify a SELECT against `schemas`; unknown tables, columns and struct fields fail.
    A WITH query's names are its own, not tables."""
    tables = [_key(t) for t in tables_read(tree)]
    for key in tables:
        if key not in schemas:
            raise SqlFailure(
                "TABLE_OR_VIEW_NOT_FOUND",
                f"The table or view `{key[0]}`.`{key[1]}`.`{key[2]}` cannot be found.",
                "42P01",
            )
    nested: dict[str, Any] = {}  # catalog -> schema -> table -> column -> type
    for catalog, schema, name in tables:
        nested.setdefault(catalog, {}).setdefault(schema, {})[name] = schemas[(catalog, schema, name)]
    mapping = MappingSchema(nested, dialect=DIALECT)
    try:
        qualified = qualify(tree.copy(), schema=mapping, dialect=DIALECT, validate_qualify_columns=True)
    except OptimizeError as error:
        raise SqlFailure("UNRESOLVED_COLUMN", str(error), "42703") from None
    for scope in traverse_scope(qualified):
        _check_fields(scope, schemas)
        _check_grouping(scope.expression)
    return Analyzed(qualified, tables, tree)


def in_schema(sql: str, catalog: str, schema: str) -> str:
    """`sql` with every table named without catalog and schema placed in catalog.schema, as a
    dashboard's `dataset_catalog` / `dataset_schema` resolve them (databricks/cli
    bundle/config/resources/dashboard.go)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    for table in tables_read(tree):
        if not table.db:
            table.set("db", exp.to_identifier(schema, quoted=True))
            table.set("catalog", exp.to_identifier(catalog, quoted=True))
    return tree.sql(dialect=DIALECT)


def _key(table: exp.Table) -> TableKey:
    if not (table.catalog and table.db):
        raise SqlFailure("TABLE_OR_VIEW_NOT_FOUND", f"Use a three-part name for `{table.name}`.", "42P01")
    return (table.catalog, table.db, table.name)


def _check_fields(scope: Scope, schemas: dict[TableKey, dict[str, str]]) -> None:
    """Every `col.field` must name a field of the struct `col` (base table or exploded from_json)."""
    for dot in scope.expression.find_all(exp.Dot):
        column = dot.this
        if not isinstance(column, exp.Column) or dot.find_ancestor(exp.Select) is not scope.expression:
            continue
        struct = column_type(column, scope, schemas)
        if struct is None or not struct.is_type(exp.DType.STRUCT):
            continue
        fields = [f.name for f in struct.expressions]
        if dot.name not in fields:
            raise SqlFailure(
                "FIELD_NOT_FOUND",
                f"No such struct field `{dot.name}` in {', '.join(f'`{f}`' for f in fields)}.",
                "42704",
            )


def _check_grouping(select: exp.Expr) -> None:
    """With GROUP BY, every column read outside an aggregate must be a grouping expression."""
    if not isinstance(select, exp.Select):
        return
    group = select.args.get("group")
    if not group:
        return
    grouped = {g.sql(dialect=DIALECT) for g in group.expressions}
    for projection in select.selects:
        if projection.unalias().sql(dialect=DIALECT) in grouped:
            continue
        for column in projection.find_all(exp.Column):
            # inside an aggregate, or its FILTER (WHERE ...) clause
            if column.find_ancestor(exp.AggFunc, exp.Filter):
                continue
            reference = column.parent if isinstance(column.parent, exp.Dot) else column
            if reference.sql(dialect=DIALECT) not in grouped:
                raise SqlFailure(
                    "MISSING_AGGREGATION",
                    f"The non-aggregating expression {reference.sql(dialect=DIALECT)} is based on columns "
                    "which are not participating in the GROUP BY clause.",
                    "42803",
                )


def column_type(
    column: exp.Column, scope: Scope, schemas: dict[TableKey, dict[str, str]]
) -> exp.DataType | None:
    """The declared type of a qualified column: a base table's, or an `explode(from_json(.., schema))`."""
    source = scope.sources.get(column.table)
    if isinstance(source, exp.Table):
        declared = schemas[_key(source)].get(column.name)
        return exp.DataType.build(declared, dialect=DIALECT) if declared else None
    if isinstance(source, Scope) and isinstance(source.expression, exp.Query):
        for projection in source.expression.selects:
            if projection.alias_or_name == column.name:
                return element_type(projection.unalias())
    return None


def element_type(expression: exp.Expr) -> exp.DataType | None:
    if isinstance(expression, exp.Explode) and isinstance(expression.this, exp.FromJson):
        declared = expression.this.expression
        if isinstance(declared, exp.Literal):
            array = exp.DataType.build(declared.name, dialect=DIALECT)
            return array.expressions[0] if array.expressions else None
    return None


def json_paths(tree: exp.Expr) -> list[tuple[str, list[str]]]:
    """Every `column:key:key` extraction as (column, keys), outermost chains only."""
    paths = []
    for node in tree.find_all(exp.JSONExtract):
        if isinstance(node.parent, exp.JSONExtract) and node.parent.this is node:
            continue
        keys: list[str] = []
        current: exp.Expr = node
        while isinstance(current, exp.JSONExtract):
            keys[:0] = [str(k.this) for k in current.expression.expressions if isinstance(k, exp.JSONPathKey)]
            current = current.this
        paths.append((current.name, keys))
    return paths


def from_json_schemas(tree: exp.Expr) -> list[exp.DataType]:
    """The declared schema of every `from_json(.., 'schema')`."""
    return [
        exp.DataType.build(node.expression.name, dialect=DIALECT)
        for node in tree.find_all(exp.FromJson)
        if isinstance(node.expression, exp.Literal)
    ]


def lint(
    sql: str,
    parameters: list[dict[str, Any]],
    schemas: dict[TableKey, dict[str, str]],
    json_shapes: dict[str, Any],
) -> list[str]:
    """Problems Databricks would not report but that make a query wrong: a parameter sent but
    never used, a `:` path or a from_json field that the documented JSON shapes do not have
    (`json_shapes` maps a JSON column to its documented shape; Databricks returns NULL there).
    Refusals (syntax, unbound markers, unknown tables, columns or fields) raise SqlFailure."""
    tree = parse(sql)
    if isinstance(tree, NO_OP):
        return []
    markers = {m.name for m in tree.find_all(exp.Placeholder)}
    unused = [p["name"] for p in parameters if p["name"] not in markers]
    problems = [f"parameter :{name} is sent but not used" for name in unused]
    analyzed = analyze(bind(tree, parameters), schemas)
    for column, keys in json_paths(analyzed.tree):
        shape = json_shapes.get(column)
        for depth, key in enumerate(keys):
            if not isinstance(shape, dict) or key not in shape:
                problems.append(f"{column}:{':'.join(keys[: depth + 1])} is not a documented path")
                break
            shape = shape[key]
    documented = _documented_records(json_shapes)
    for declared in from_json_schemas(analyzed.tree):
        record = declared.expressions[0] if declared.is_type(exp.DType.ARRAY) else declared
        fields = {f.name: f.args["kind"].sql(dialect=DIALECT).upper() for f in record.expressions}
        if not any(fields.items() <= shape.items() for shape in documented):
            problems.append(f"from_json schema {declared.sql(dialect=DIALECT)} matches no documented record")
    return problems


def _documented_records(shape: Any) -> list[dict[str, str]]:
    """Every record (dict of leaf types) in a documented shape, including array elements."""
    found = []
    if isinstance(shape, list):
        return [r for item in shape for r in _documented_records(item)]
    if isinstance(shape, dict):
        leaves = {k: v for k, v in shape.items() if isinstance(v, str)}
        if leaves:
            found.append(leaves)
        for value in shape.values():
            found += _documented_records(value)
    return found
