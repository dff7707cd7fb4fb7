"""Execute an analyzed SELECT on in-memory rows with sqlglot's Python executor (the fast tier's
engine), giving the few Databricks functions the monitor uses their documented meaning:

- `col:key:key` on a STRING parses it as JSON and returns the value as STRING, NULL when a key
  is missing (docs: "`:` (colon sign) operator", sql/language-manual/functions/colonsign);
- `from_json(text, schema)` parses to the declared type, NULL on malformed input;
- `explode(array)` yields one row per element, none for NULL or empty arrays;
- `count_if(cond)` counts rows where cond is true; CAST of NULL is NULL.
The spark tier runs the same statements on Spark SQL and checks both agree.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlglot import exp
from sqlglot.errors import ExecuteError
from sqlglot.executor import ensure_tables
from sqlglot.executor.env import ENV
from sqlglot.executor.python import PythonExecutor
from sqlglot.optimizer import optimize
from sqlglot.optimizer.eliminate_subqueries import eliminate_subqueries
from sqlglot.optimizer.qualify import qualify
from sqlglot.planner import Plan

from tests.support.warehouse_sql import DIALECT, Analyzed, SqlFailure, TableKey, element_type

_RULES = (qualify, eliminate_subqueries)  # what the planner needs; the full optimizer is slow
_SCRATCH = ("fake_engine", "exploded")
_names = itertools.count(1)


@dataclass
class Result:
    """Column names with their Databricks type names, and rows of Python values."""

    columns: list[tuple[str, str]]
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        """Each row as {column name: value}."""
        names = [name for name, _ in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _extract(this: Any, path: list[Any]) -> str | None:
    if this is None:
        return None
    try:
        value = json.loads(this) if isinstance(this, str) else this
    except json.JSONDecodeError:
        return None
    for key in path:
        if isinstance(value, dict):
            value = value.get(str(key))
        elif isinstance(value, list) and str(key).isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return _json_text(value)


def _coerce(value: Any, kind: exp.DataType) -> Any:
    if value is None:
        return None
    if kind.is_type(exp.DType.STRUCT):
        if not isinstance(value, dict):
            return None
        return {f.name: _coerce(value.get(f.name), f.args["kind"]) for f in kind.expressions}
    if kind.is_type(exp.DType.ARRAY):
        return [_coerce(v, kind.expressions[0]) for v in value] if isinstance(value, list) else None
    if kind.is_type(*exp.DataType.INTEGER_TYPES):
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind.is_type(*exp.DataType.REAL_TYPES):
        return float(value) if isinstance(value, (int, float)) else None
    return _json_text(value)


def _from_json(text: Any, schema: str) -> Any:
    try:
        parsed = json.loads(text) if text is not None else None
    except json.JSONDecodeError:
        return None
    return _coerce(parsed, exp.DataType.build(schema, dialect=DIALECT))


def _cast(this: Any, to: Any) -> Any:
    if this is None:
        return None
    try:
        return ENV["CAST"](this, to)
    except (ValueError, TypeError):
        raise SqlFailure(
            "CAST_INVALID_INPUT", f"The value '{this}' cannot be cast to {to}.", "22018"
        ) from None


FUNCTIONS = {
    "JSONEXTRACT": _extract,
    "FROMJSON": _from_json,
    "COUNTIF": lambda values: sum(1 for v in values if v is True),
    "CAST": _cast,
}


def run(
    analyzed: Analyzed, rows: dict[TableKey, list[dict[str, Any]]], schemas: dict[TableKey, dict[str, str]]
) -> Result:
    """Rows of the analyzed statement over `rows` (each table's rows as dicts)."""
    rows, schemas = dict(rows), dict(schemas)
    tree = _explode_first(analyzed.tree.copy(), rows, schemas)
    nested: dict[str, Any] = {}
    for (catalog, schema, name), table_rows in rows.items():
        nested.setdefault(catalog, {}).setdefault(schema, {})[name] = table_rows
    schema_tree: dict[str, Any] = {}
    for (catalog, schema, name), columns in schemas.items():
        schema_tree.setdefault(catalog, {}).setdefault(schema, {})[name] = columns
    try:
        optimized = optimize(tree, schema_tree, leave_tables_isolated=True, dialect=DIALECT, rules=_RULES)
        table = PythonExecutor(env=FUNCTIONS, tables=ensure_tables(nested, dialect=DIALECT)).execute(
            Plan(optimized)
        )
    except SqlFailure:
        raise
    except (ExecuteError, NotImplementedError, KeyError, TypeError) as error:
        raise SqlFailure("INTERNAL_ERROR", f"the fake's Python engine cannot run this: {error!r}") from None
    assert isinstance(analyzed.tree, exp.Query), "the front end admits queries only"
    names = [s.alias_or_name for s in analyzed.tree.selects]
    data = [list(row) for row in table.rows]
    return Result([(n, _type_of([r[i] for r in data])) for i, n in enumerate(names)], data)


def _type_of(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "LONG"
    if isinstance(sample, float):
        return "DOUBLE"
    if isinstance(sample, Decimal):
        return "DECIMAL"
    return "STRING"


def _explode_first(
    tree: exp.Expr, rows: dict[TableKey, list[dict[str, Any]]], schemas: dict[TableKey, dict[str, str]]
) -> exp.Expr:
    """Run each SELECT with an `explode(..) AS e` projection on its own, flatten its rows into a
    scratch table and read that table instead (sqlglot's planner has no generators)."""
    for select in reversed(list(tree.find_all(exp.Select))):
        exploded = [p for p in select.selects if isinstance(p.unalias(), exp.Explode)]
        if not exploded:
            continue
        inner = select.copy()
        for projection in inner.selects:
            if isinstance(projection.unalias(), exp.Explode):
                projection.unalias().replace(projection.unalias().this)
        plain = run(Analyzed(inner, []), rows, schemas)
        names = [n for n, _ in plain.columns]
        target = exploded[0].alias_or_name
        kind = element_type(exploded[0].unalias())
        flat = [
            {**dict(zip(names, row, strict=True)), target: element}
            for row in plain.rows
            for element in (row[names.index(target)] or [])
        ]
        key = (*_SCRATCH, f"t{next(_names)}")
        rows[key] = flat
        schemas[key] = {n: "STRING" for n in names}
        if kind is not None:
            schemas[key][target] = kind.sql(dialect=DIALECT)
        scratch = exp.select(*[exp.column(n, quoted=True) for n in names]).from_(
            exp.table_(key[2], db=key[1], catalog=key[0], quoted=True)
        )
        select.replace(scratch)
        if select is tree:
            return scratch
    return tree
