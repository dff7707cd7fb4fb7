"""Find the columns a SQL rule or measure refers to, so typos fail at load time."""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def columns_in(expression: str) -> set[str]:
    """Column names referenced by a Spark SQL expression (lower-cased).

    Raises ValueError with the parser's message when the text is not an expression.
    """
    try:
        tree = sqlglot.parse_one(expression, read="databricks")
    except sqlglot.errors.ParseError as error:
        first = str(error).splitlines()[0]
        raise ValueError(f"not a valid SQL expression: {first}") from None
    if tree is None:
        raise ValueError("empty SQL expression")
    return {column.name.lower() for column in tree.find_all(exp.Column) if column.name}
