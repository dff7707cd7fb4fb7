"""Compile the spec's SQL the way the pipeline will, without Spark: rules, measures, aggregates.

Each fragment is scanned for what would change the compiled SQL around it (a `--` or `/* */`
comment swallows the `), false)` that `coalesce((rule), false)` appends; a `;` starts another
statement), parsed with sqlglot's Databricks dialect, checked against the columns of the table
it runs on, and typed: a rule must be true or false, a measure a number. Every finding is a
sentence that says what to change; the caller adds the file and the key path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError, TokenError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.schema import MappingSchema

from medallion.spec.spark_functions import FUNCTIONS
from medallion.sql import expand_safe_divide, find_outside_literals, outside_literals, quote_identifier

DIALECT = "databricks"
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SCOPE = "__medallion_scope"
# Databricks SQL functions Apache Spark does not have (AI, H3 and geospatial, secrets, groups):
# accepted, since a Databricks-only pipeline may use them; run-local cannot run them.
DATABRICKS_PREFIXES = ("ai_", "h3_", "st_", "vector_", "http_")
DATABRICKS_FUNCTIONS = frozenset(
    {"secret", "is_member", "is_account_group_member", "current_metastore", "current_recipient", "uuid"}
)
_TEXTUAL = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}
_NOT_NUMBERS = {
    *_TEXTUAL,
    exp.DataType.Type.BOOLEAN,
    exp.DataType.Type.DATE,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPNTZ,
    exp.DataType.Type.TIMESTAMPLTZ,
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.DATETIME,
    exp.DataType.Type.BINARY,
    exp.DataType.Type.ARRAY,
    exp.DataType.Type.MAP,
    exp.DataType.Type.STRUCT,
}
_UNTYPED = {exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL}


@dataclass(frozen=True)
class Scope:
    """The table a fragment runs on: its name (for messages) and column name -> Spark type."""

    table: str
    columns: Mapping[str, str]


def scan(text: str, *, allow_comments: bool = False, allow_trailing_semicolon: bool = False) -> list[str]:
    """Comments and statement separators outside string literals and quoted names."""
    found: list[str] = []
    index, quote, length = 0, "", len(text)
    while index < length:
        char = text[index]
        if quote:
            if char == "\\" and quote != "`":
                index += 2
                continue
            if char == quote:
                quote = ""
            index += 1
            continue
        pair = text[index : index + 2]
        if char in "'\"`":
            quote = char
        elif pair in ("--", "/*") and not allow_comments:
            found.append(
                f"contains a SQL comment ({pair!r} at character {index + 1}): in the compiled SQL it "
                "would swallow what the pipeline appends after the fragment; remove it "
                "(a YAML comment, `#` after the value, is fine)"
            )
            break
        elif char == ";" and not (allow_trailing_semicolon and not text[index + 1 :].strip(" \t\r\n;")):
            found.append(
                f"contains ';' at character {index + 1}: a fragment is one expression, never "
                "several statements; remove the ';' and anything after it"
            )
            break
        index += 1
    return found


_MISSING = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]+\.(\w+)'>")


def explain_parse_error(error: SqlglotError) -> str:
    """The parser's complaint in words, with where it is (no sqlglot class names)."""
    if isinstance(error, TokenError):
        return "a quote ('), double quote or backtick (`) is not closed"
    details = getattr(error, "errors", None) or [{}]
    first = details[0] if isinstance(details[0], dict) else {}
    description = str(first.get("description") or str(error).splitlines()[0])
    missing = _MISSING.search(description)
    if missing:
        operator, part = missing[2].upper(), missing[1]
        description = f"the {operator} operator or clause is incomplete (its {part} is missing)"
    description = re.sub(r"\. Line: ?\d+, Col: ?\d+\.?.*$", "", description)
    where = ""
    if first.get("line") and first.get("col"):
        near = str(first.get("start_context", ""))[-20:] + str(first.get("highlight", ""))
        where = f" at line {first['line']}, column {first['col']}"
        if near.strip():
            where += f" (near `{near.strip()}`)"
    return f"{description}{where}"


def parse_expression(text: str) -> exp.Expression:
    """One expression, or ValueError with the parser's first line."""
    try:
        statements = sqlglot.parse(text, read=DIALECT)
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    except (ParseError, TokenError) as error:
        raise ValueError(f"is not a valid SQL expression: {explain_parse_error(error)}") from None
    statements = [s for s in statements if s is not None]
    if not statements:
        raise ValueError("is empty: write an expression such as `quantity > 0`")
    if len(statements) > 1:
        raise ValueError("has more than one statement: a fragment is one expression; remove the ';'")
    (statement,) = statements
    if not isinstance(statement, exp.Expression):
        raise ValueError("is not an expression: write one such as `quantity > 0`")
    return statement


MAX_FRAGMENT = 10_000  # characters; a rule or measure is a line or two
TOO_DEEP = "is nested too deeply to compile (parentheses or operators hundreds deep); simplify it"


def check_fragment(text: str, scope: Scope, kind: str) -> list[str]:
    """Problems of one rule (kind 'rule'), measure ('measure') or derived column ('derived') on
    `scope`'s columns."""
    if len(text) > MAX_FRAGMENT:
        return [f"is {len(text)} characters long; a {kind} is one expression (at most {MAX_FRAGMENT})"]
    try:
        return _check_fragment(text, scope, kind)
    except RecursionError:
        return [TOO_DEEP]


def _check_fragment(text: str, scope: Scope, kind: str) -> list[str]:
    problems = scan(text) or substituted(text)
    if problems:
        return problems
    try:
        tree = parse_expression(text)
    except ValueError as error:
        return [str(error)]
    problems = _shape(tree, kind)
    if problems:
        return problems
    problems = _columns(tree, scope) or _collections(tree, scope)
    if problems:
        return problems
    typed = _typed(tree, scope)
    if typed is None:
        return []
    problems = _comparisons(typed) or _casts_of_text(typed)
    if problems:
        return problems
    result = typed.type
    if not isinstance(result, exp.DataType) or result.this in _UNTYPED:
        return []
    shown = result.sql(DIALECT)
    if kind == "rule" and result.this != exp.DataType.Type.BOOLEAN:
        numeric = result.this in exp.DataType.NUMERIC_TYPES
        example = f"{text.strip()} > 0" if numeric else f"{text.strip()} IS NOT NULL"
        return [
            f"is not a condition: it gives {shown}, but a rule must be true or false for each row; "
            f"compare it with something, e.g. `{example}`"
        ]
    if kind == "measure" and result.this in _NOT_NUMBERS:
        return [f"gives {shown}, but a measure must be a number (it is cast to a decimal or integer type)"]
    return []


def _shape(tree: exp.Expression, kind: str) -> list[str]:
    where = {"rule": "a rule", "derived": "a derived column"}.get(kind, "a measure")
    if tree.find(exp.Star):
        return ["uses `*`, which is not a value here: check for a doubled operator such as `* *`"]
    if isinstance(tree, exp.Alias):
        return [
            f"is not one expression: it reads as `{tree.this.sql(DIALECT)}` named "
            f"`{tree.alias}`; check for a doubled or missing operator or comma"
        ]
    if not isinstance(tree, exp.Condition) or isinstance(tree, exp.Query):
        return [f"is a statement, not an expression: {where} is one SQL expression over a row"]
    if tree.find(exp.Query):
        return [f"contains a subquery: {where} sees one row of its table; use gold.aggregates for queries"]
    if tree.find(exp.Window):
        return [f"contains a window function (OVER): {where} sees one row; use gold.aggregates"]
    aggregate = tree.find(exp.AggFunc)
    if aggregate is not None:
        name = aggregate.sql_name().lower()
        return [f"uses the aggregate {name}(): {where} sees one row; aggregate in gold.aggregates"]
    return (
        unknown_functions(tree)
        or refused_functions(tree)
        or decimal_types(tree)
        or _divisions(tree)
        or _long_literals(tree)
        or _regex_flavour(tree)
    )


MAX_DIGITS = 38
_PYTHON_ONLY_REGEX = re.compile(r"\(\?P[<=>]")
_REGEX_CALLS = {"rlike", "regexp", "regexp_like", "regexp_extract", "regexp_extract_all", "regexp_replace",
                "regexp_count", "regexp_instr", "regexp_substr", "split"}  # fmt: skip


def _divisions(tree: exp.Expression) -> list[str]:
    """`a / b`, `a div b`, `a % b`: under ANSI SQL a zero divisor fails the whole update
    (DIVIDE_BY_ZERO) instead of failing one row; only a non-zero number may divide."""
    for node in tree.find_all(exp.Div, exp.IntDiv, exp.Mod):
        divisor = node.expression
        while isinstance(divisor, (exp.Paren, exp.Neg)):
            divisor = divisor.this
        if isinstance(divisor, exp.Literal) and not divisor.is_string and _non_zero(divisor.this):
            continue
        safe = "try_mod" if isinstance(node, exp.Mod) else "try_divide"
        return [
            f"divides by `{_shown(node.expression)}`: one zero divisor fails the whole update under ANSI "
            f"SQL; write {safe}({_shown(node.this)}, {_shown(node.expression)}) (NULL on zero)"
        ]
    return []


def _non_zero(text: str) -> bool:
    try:
        return float(text) != 0
    except ValueError:
        return False


def _long_literals(tree: exp.Expression) -> list[str]:
    """A whole or decimal number written with more than 38 digits: Spark's DECIMAL holds 38."""
    for literal in tree.find_all(exp.Literal):
        if literal.is_string or "e" in literal.this.lower():
            continue
        digits = sum(ch.isdigit() for ch in literal.this.lstrip("0"))
        if digits > MAX_DIGITS:
            return [
                f"writes a number with {digits} digits; Spark's DECIMAL holds at most {MAX_DIGITS}: "
                "write fewer digits, or a double such as 1.5E40"
            ]
    return []


def _regex_flavour(tree: exp.Expression) -> list[str]:
    """Patterns run on Java's regex engine: Python's named groups (?P<name>...) do not parse there."""
    patterns: list[str] = []
    for node in tree.find_all(exp.RegexpLike, exp.RegexpExtract, exp.RegexpReplace, exp.RegexpSplit):
        argument = node.expression
        if isinstance(argument, exp.Literal) and argument.is_string:
            patterns.append(argument.this)
    for node in tree.find_all(exp.Anonymous):
        if str(node.name).lower() in _REGEX_CALLS and len(node.expressions) > 1:
            argument = node.expressions[1]
            if isinstance(argument, exp.Literal) and argument.is_string:
                patterns.append(argument.this)
    for pattern in patterns:
        if _PYTHON_ONLY_REGEX.search(pattern):
            return [
                f"uses the Python-only regex syntax (?P...) in {pattern!r}: Spark runs Java regexes; "
                "name a group with (?<name>...) and refer back with \\k<name>"
            ]
    return []


def decimal_types(tree: exp.Expr) -> list[str]:
    """DECIMAL(p,s) written in SQL with p > 38 or s > p (Spark refuses the type)."""
    from medallion.spec.params import decimal_problem

    for data_type in tree.find_all(exp.DataType):
        if data_type.this != exp.DataType.Type.DECIMAL or len(data_type.expressions) != 2:
            continue
        try:
            precision, scale = (int(p.sql()) for p in data_type.expressions)
        except ValueError:
            continue
        problem = decimal_problem(f"decimal({precision},{scale})")
        if problem:
            return [f"casts to {problem}"]
    return []


REFLECTION = frozenset({"reflect", "java_method", "try_reflect"})
NONDETERMINISTIC = frozenset(
    {"rand", "randn", "random", "randstr", "uniform", "uuid", "shuffle", "monotonically_increasing_id",
     "spark_partition_id"}
)  # fmt: skip
STOPS_THE_QUERY = frozenset({"raise_error", "assert_true"})
_SUBSTITUTED = re.compile(r"\$\{")


def _function_names(tree: exp.Expr) -> list[str]:
    return [
        str(node.name).lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower()
        for node in tree.find_all(exp.Func)
    ]


def refused_functions(tree: exp.Expr, *, aggregate: bool = False) -> list[str]:
    """Functions a spec may not call: reflection runs Java code; a function that answers
    differently each time splits a row into both history and quarantine (or neither), since each
    side evaluates the rule on its own (aggregates may use those); raise_error and assert_true
    stop the whole update instead of failing one rule."""
    for name in _function_names(tree):
        if name in REFLECTION:
            return [
                f"calls {name}(), which runs Java code (reflection): not allowed in a spec; write it in SQL"
            ]
        if name in NONDETERMINISTIC and not aggregate:
            return [
                f"calls {name}(), which answers differently each time it runs: history and quarantine "
                "evaluate each rule separately, so a row could land in both or neither; use a "
                "deterministic expression (e.g. sample by key: abs(hash(order_id)) % 10 = 0)"
            ]
        if name in STOPS_THE_QUERY and not aggregate:
            return [
                f"calls {name}(), which stops the whole update instead of failing the rule; "
                "give the rule `action: fail` to stop on it"
            ]
    return []


def substituted(text: str) -> list[str]:
    """`${...}` anywhere: Spark's variable substitution rewrites it before the SQL is parsed,
    inside string literals too."""
    if _SUBSTITUTED.search(text):
        return [
            "contains `${`, which Spark replaces with a configuration variable before parsing (even "
            "inside quotes); write the text as concat('$', '{...}') instead"
        ]
    return []


def unknown_functions(tree: exp.Expr) -> list[str]:
    """Calls of functions Spark does not have (sqlglot parses those as Anonymous)."""
    for call in tree.find_all(exp.Anonymous):
        name = str(call.name).lower()
        if isinstance(call.parent, exp.Dot) or name in FUNCTIONS or name == "safe_divide":
            continue  # catalog.schema.function(...) is a Unity Catalog function: Spark decides
        if name.startswith(DATABRICKS_PREFIXES) or name in DATABRICKS_FUNCTIONS:
            continue  # Databricks-only: runs there, not in run-local (see --explain-log)
        close = difflib.get_close_matches(name, FUNCTIONS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return [f"calls {name}(), which is not a Spark SQL function{hint}; check the spelling"]
    return []


def _columns(tree: exp.Expression, scope: Scope) -> list[str]:
    if not scope.columns:
        return []
    known = {c.lower() for c in scope.columns}
    missing: list[str] = []
    for column in tree.find_all(exp.Column):
        name = column.name.lower()
        qualifier = column.table.lower()
        if qualifier and qualifier not in known:
            return [
                f"names a table or alias `{column.table}` (`{column.sql(DIALECT)}`); "
                f"the fragment runs on {scope.table}: write the column name alone"
            ]
        if qualifier:  # spec columns are never structs: `quantity.x` has no field to read
            spark_type = scope.columns.get(column.table) or scope.columns.get(qualifier) or "not a struct"
            return [
                f"reads a field of `{column.table}` (`{column.sql(DIALECT)}`), but {column.table} is "
                f"{spark_type}, not a struct; write the column name alone"
            ]
        if not qualifier and name and name not in known and name not in missing:
            missing.append(name)
    if missing:
        return [
            f"refers to unknown column(s) {', '.join(missing)}; the columns of {scope.table} are: "
            f"{', '.join(sorted(known))}"
        ]
    return []


_COLLECTION_FUNCTIONS = (
    exp.ArrayContains,
    exp.ArraySize,
    exp.Bracket,
    exp.Exists,
    exp.ArrayFilter,
    exp.Transform,
    exp.Reduce,
    exp.ArrayDistinct,
    exp.ArrayMax,
    exp.ArrayMin,
    exp.ArrayToString,
    exp.ArrayPosition,
    exp.ArrayRemove,
    exp.ArraySort,
    exp.Flatten,
    exp.ArraySlice,
    exp.ArrayExcept,
    exp.Explode,
    exp.MapKeys,
)
_COLLECTION_NAMES = {"cardinality", "forall", "arrays_overlap", "array_union", "map_values", "map_entries"}


def _collections(tree: exp.Expression, scope: Scope) -> list[str]:
    """Array and map functions applied to a spec column: spec columns are never arrays or maps,
    and Spark refuses them with DATATYPE_MISMATCH."""
    for node in tree.find_all(exp.Func, exp.Bracket):
        is_collection = isinstance(node, _COLLECTION_FUNCTIONS) or (
            isinstance(node, exp.Anonymous) and str(node.name).lower() in _COLLECTION_NAMES
        )
        first = node.this if not isinstance(node, exp.Anonymous) else (node.expressions or [None])[0]
        if not is_collection or not isinstance(first, exp.Column) or first.table:
            continue
        spark_type = scope.columns.get(first.name) or scope.columns.get(first.name.lower())
        if spark_type:
            return [
                f"uses `{node.sql(DIALECT)}` on {first.name}, which is {spark_type}, not an array or "
                "map: Spark refuses it (DATATYPE_MISMATCH)"
            ]
    return []


def _typed(tree: exp.Expression, scope: Scope) -> exp.Expression | None:
    """The fragment with sqlglot's types (None when the columns' types are not all known)."""
    if not scope.columns or any(not t for t in scope.columns.values()):
        return None
    try:
        body = tree.copy()
        for column in body.find_all(exp.Column):
            if not column.table:
                column.set("table", exp.to_identifier(_SCOPE))
        schema = MappingSchema({_SCOPE: dict(scope.columns)}, dialect=DIALECT)
        query = exp.select(body.as_("value")).from_(_SCOPE)
        typed = annotate_types(query, schema=schema, dialect=DIALECT)
        return typed.selects[0].this
    except (SqlglotError, OptimizeError, KeyError, ValueError, TypeError, AttributeError):
        return None  # a type sqlglot cannot work out: Spark decides at run time


def _shown(node: exp.Expr) -> str:
    plain = node.copy()
    for column in plain.find_all(exp.Column):
        column.set("table", None)
    return plain.sql(DIALECT)


def _kind(node: exp.Expr) -> str:
    data_type = node.type
    if not isinstance(data_type, exp.DataType):
        return ""
    if data_type.this in exp.DataType.TEXT_TYPES:
        return "text"
    if data_type.this in exp.DataType.NUMERIC_TYPES:
        return "number"
    if data_type.this in exp.DataType.TEMPORAL_TYPES:
        return "time"
    return ""


def _comparisons(tree: exp.Expression) -> list[str]:
    """Text compared with a number or a time: under ANSI SQL Spark casts the text, and one value
    that does not cast fails the whole query (CAST_INVALID_INPUT) instead of failing the rule."""
    pairs: list[tuple[exp.Expr, exp.Expr]] = []
    for comparison in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ):
        pairs.append((comparison.left, comparison.right))
    for among in tree.find_all(exp.In):
        pairs += [(among.this, value) for value in among.expressions]
    for between in tree.find_all(exp.Between):
        pairs += [(between.this, between.args["low"]), (between.this, between.args["high"])]
    for left, right in pairs:
        if {_kind(left), _kind(right)} == {"time", "number"}:
            return [
                f"compares the time `{_shown(left if _kind(left) == 'time' else right)}` with the number "
                f"`{_shown(right if _kind(left) == 'time' else left)}`: Spark refuses the query "
                "(DATATYPE_MISMATCH); compare with a date or timestamp, e.g. DATE'2024-01-31'"
            ]
        for text, other in ((left, right), (right, left)):
            target = _kind(other)
            if _kind(text) != "text" or target not in ("number", "time"):
                continue
            if isinstance(text, exp.Literal) and text.is_string:
                if not _casts(text.this, target):
                    return [
                        f"compares {_shown(other)} with '{text.this}', which is not a {target}: Spark "
                        f"would fail the whole query casting it; write a valid {target} "
                        f"({'e.g. 10' if target == 'number' else 'e.g. 2024-01-31'})"
                    ]
                continue
            return [
                f"compares text `{_shown(text)}` with a {target} (`{_shown(other)}`): Spark casts "
                f"every text value and fails the whole query on the first one that is not a {target}; "
                f"compare text with text, or use try_cast({_shown(text)} AS ...)"
            ]
    return []


def _casts_of_text(tree: exp.Expression) -> list[str]:
    """CAST of text to a number, time or boolean: under ANSI SQL one value that does not convert
    fails the whole update instead of failing its row."""
    for node in tree.find_all(exp.Cast):
        if isinstance(node, exp.TryCast) or _kind(node.this) != "text":
            continue
        target = node.to
        if target.this in exp.DataType.TEXT_TYPES:
            continue
        shown = target.sql(DIALECT)
        return [
            f"casts text `{_shown(node.this)}` to {shown}: one value that does not convert fails the whole "
            f"update under ANSI SQL; write try_cast({_shown(node.this)} AS {shown}) (NULL when it does not)"
        ]
    return []


def _casts(value: str, target: str) -> bool:
    from medallion.spec.params import value_as

    _, why = value_as(value, "double" if target == "number" else "timestamp")
    return why is None


# -- gold.aggregates ---------------------------------------------------------------------------


def render_aggregate(sql: str) -> str:
    """The text the pipeline runs: {table} -> `table`, safe_divide( -> try_divide( (the pipeline's
    medallion.gold.aggregates.render_sql calls this after checking the table names)."""
    quoted = outside_literals(sql, PLACEHOLDER, lambda m: quote_identifier(m.group(1)))
    return expand_safe_divide(quoted)


def check_aggregate(sql: str, tables: Mapping[str, Mapping[str, str] | None]) -> list[str]:
    """Problems of one aggregate's SQL; `tables` maps the tables it may read to their columns
    (None: columns unknown, e.g. another aggregate)."""
    try:
        return _check_aggregate(sql, tables)
    except RecursionError:
        return [TOO_DEEP]


def _check_aggregate(sql: str, tables: Mapping[str, Mapping[str, str] | None]) -> list[str]:
    problems = (
        scan(sql, allow_comments=True, allow_trailing_semicolon=True) or substituted(sql) or _braces(sql)
    )
    if problems:
        return [p.replace("a fragment is one expression", "an aggregate is one query") for p in problems]
    text = render_aggregate(sql)
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except (ParseError, TokenError) as error:
        return [f"is not valid SQL: {explain_parse_error(error)}; write one SELECT query"]
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        kind = type(statements[0]).__name__.upper() if statements else "nothing"
        return [f"must be one SELECT query (found {kind}); the pipeline runs it as a materialized view"]
    query = statements[0]
    return (
        unknown_functions(query)
        or refused_functions(query, aggregate=True)
        or decimal_types(query)
        or _duplicate_columns(sql)
        or _aggregate_columns(query, tables)
    )


_BRACE = re.compile(r"([{}])")


def _braces(sql: str) -> list[str]:
    """A brace in the SQL text (outside literals) that is not part of a {table} placeholder."""
    text = outside_literals(sql, PLACEHOLDER, lambda _: "")
    stray = find_outside_literals(text, _BRACE)
    if stray:
        return [f"has a {stray[0]!r} that is no {{table}} placeholder: write a gold table as {{fact_sales}}"]
    return []


def _duplicate_columns(sql: str) -> list[str]:
    """Two output columns of one name: the materialized view cannot be created."""
    names = [n.lower() for n in output_columns(sql) or []]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        return [f"names the column {repeated[0]!r} twice: give each output column its own name (AS ...)"]
    return []


def output_columns(sql: str) -> list[str] | None:
    """The names of an aggregate's columns (None when `*` or an unnamed expression hides some)."""
    try:
        statements = [s for s in sqlglot.parse(render_aggregate(sql), read=DIALECT) if s is not None]
    except (ParseError, TokenError, RecursionError):
        return None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        return None
    query = statements[0]
    selects = query.selects
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in selects):
        return None
    names = query.named_selects
    return names if len(names) == len(selects) else None


def tables_read(query: exp.Expr) -> list[exp.Table]:
    """The tables a query reads: every table name but those naming its own WITH queries (a
    qualified name is always a table)."""
    ctes = {c.alias for c in query.find_all(exp.CTE)}
    return [t for t in query.find_all(exp.Table) if t.db or t.name not in ctes]


def _aggregate_columns(query: exp.Query, tables: Mapping[str, Mapping[str, str] | None]) -> list[str]:
    """Unknown columns of the pipeline's own tables, when sqlglot can resolve the query."""
    from sqlglot.optimizer.qualify import qualify

    read = tables_read(query)
    if query.find(exp.Lateral) or query.find(exp.Unnest) or not read:
        return []  # table-valued functions and lateral views: Spark decides
    if any(t.db or not isinstance(tables.get(t.name), Mapping) for t in read):
        return []  # a table we cannot see into (another aggregate, or not ours): Spark decides
    columns = {t.name: dict(tables[t.name] or {}) for t in read}
    schema: dict[str, object] = dict(columns)
    try:
        qualify(query.copy(), schema=schema, dialect=DIALECT, validate_qualify_columns=True)
    except OptimizeError as error:
        message = str(error).splitlines()[0]
        if "could not be resolved" in message or "Unknown column" in message:
            known = "; ".join(f"{t}: {', '.join(columns[t])}" for t in sorted(columns))
            return [f"refers to a column that does not exist ({message}); the columns are {known}"]
        return []
    except (SqlglotError, KeyError, ValueError, TypeError, AttributeError, RecursionError):
        return []
    return []
