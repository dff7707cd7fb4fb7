"""Bad specs, table-driven: each is refused by `medallion validate` with exit 2, the spec file,
the key path of the mistake and a fix, and never a traceback.

Each case changes the rendered retail spec, either as data (`edit`) or as text (`raw`, for what
only exists in the text: duplicate keys, encodings, nesting). The first group is every spec
case users reported; the rest are neighbours Spark would also reject at run time.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion import cli

Doc = dict[str, Any]


@dataclass(frozen=True)
class Case:
    key: str  # the key path the message must name ("(top level)" for the whole file)
    words: tuple[str, ...]  # the gist of the message (and of the fix), case-insensitive
    edit: Callable[[Doc], None] | None = None
    raw: Callable[[str], bytes] | None = None
    exact: bool = True  # the key is the whole path (False: a prefix, e.g. deep nesting)


def orders(d: Doc) -> Doc:
    return d["sources"]["orders"]


def rule(text: str) -> Callable[[Doc], None]:
    """Replace the retail rule discount_within_price (orders.expectations[5]) by `text`."""

    def edit(d: Doc) -> None:
        orders(d)["expectations"][5]["rule"] = text

    return edit


def measure(text: str | Doc) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d["gold"]["facts"]["sales"]["measures"]["amount"] = text

    return edit


def aggregate(sql: str) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d["gold"]["aggregates"]["daily_sales"]["sql"] = sql

    return edit


def expectation(index: int, **changes: Any) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        orders(d)["expectations"][index].update(changes)

    return edit


def add_expectation(entry: Doc) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        orders(d)["expectations"].append(entry)

    return edit


def column(name: str, spark_type: str | Doc, table: str = "orders") -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d["sources"][table]["columns"][name] = spark_type

    return edit


def role_meeting_a_fact_column(d: Doc) -> None:
    """The fact keeps a column `line_number_key` and plays customer as the role `line_number`."""
    orders(d)["columns"]["line_number_key"] = "string"
    sales = d["gold"]["facts"]["sales"]
    sales["attributes"].append("line_number_key")
    sales["dimensions"]["line_number"] = {"dimension": "customer", "columns": ["customer_id"]}


def text(old: str, new: str, encoding: str = "utf-8") -> Callable[[str], bytes]:
    def raw(spec: str) -> bytes:
        assert old in spec, old
        return spec.replace(old, new, 1).encode(encoding)

    return raw


def nested(levels: int) -> Callable[[str], bytes]:
    return text(
        "description: Customer master data, re-sent whole or in part whenever it changes.",
        "description: " + "[" * levels + "x" + "]" * levels,
    )


def alias_bomb(spec: str) -> bytes:
    lines = ["bomb:", '  l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return (spec + "\n" + "\n".join(lines) + "\n").encode()


RULE = "sources.orders.expectations[5].rule"
MEASURE = "gold.facts.sales.measures.amount"
AGGREGATE = "gold.aggregates.daily_sales.sql"
DESCRIPTION = "description: Customer master data, re-sent whole or in part whenever it changes."

CASES: dict[str, Case] = {
    # -- the reported cases, one by one -----------------------------------------------------------
    "rule with a -- comment": Case(RULE, ("comment", "swallow"), rule("discount <= 1 -- cap")),
    "rule quantity * * unit_price": Case(
        RULE, ("`*`", "doubled operator"), rule("discount <= quantity * * unit_price")
    ),
    "rule ; DROP TABLE x": Case(RULE, ("';'", "one expression"), rule("discount <= 1; DROP TABLE x")),
    "non-boolean rule discount + 1": Case(RULE, ("not a condition", "decimal"), rule("discount + 1")),
    "column decimal(50,2)": Case(
        "sources.orders.columns.unit_price",
        ("precision must be 1 to 38",),
        column("unit_price", "decimal(50,2)"),
    ),
    "aggregate SELEC *": Case(AGGREGATE, ("not valid sql", "select"), aggregate("SELEC * FROM {fact_sales}")),
    "range min 'one'": Case(
        "sources.orders.expectations[1].min",
        ("'one' is not a number", "fail the whole query"),
        expectation(1, min="one"),
    ),
    "range min > max": Case(
        "sources.orders.expectations[1].min", ("greater than max", "swap"), expectation(1, min=100, max=1)
    ),
    "duplicate source key": Case(
        "sources.orders",
        ("duplicate key 'orders'", "first at line"),
        raw=text("\ngold:", "\n  orders:\n    columns: {order_id: string}\n\ngold:"),
    ),
    "duplicate column key": Case(
        "sources.orders.columns.quantity",
        ("duplicate key 'quantity'", "remove or rename"),
        raw=text("      quantity: int\n", "      quantity: int\n      quantity: bigint\n"),
    ),
    "duplicate key in a rule": Case(
        "sources.orders.expectations[5].action",
        ("duplicate key 'action'",),
        raw=text('unit_price", action: warn}', 'unit_price", action: warn, action: drop}'),
    ),
    "non-UTF-8 spec (Latin-1)": Case(
        "sources.customers.description",
        ("not utf-8", "byte 0xe9", "save the file as utf-8"),
        raw=text("Customer master data", "Customer master data (clients, soci\u00e9t\u00e9s)", "latin-1"),
    ),
    "deep nesting (runaway brackets)": Case("(top level)", ("nested too deeply",), raw=nested(20_000)),
    "nesting past the limit": Case(
        "sources.customers.description[0]", ("nested more than 32 levels",), raw=nested(40), exact=False
    ),
    "audit column _rescued_data": Case(
        "sources.orders.columns._rescued_data", ("pipeline adds itself",), column("_rescued_data", "string")
    ),
    "audit column _errors": Case(
        "sources.orders.columns._errors", ("pipeline adds itself", "rename"), column("_errors", "string")
    ),
    "audit column _ingested_at": Case(
        "sources.customers.columns._ingested_at",
        ("pipeline adds itself",),
        column("_ingested_at", "timestamp", "customers"),
    ),
    "audit column _source_file": Case(
        "sources.products.columns._source_file",
        ("pipeline adds itself",),
        column("_source_file", "string", "products"),
    ),
    # -- rules ------------------------------------------------------------------------------
    "rule /* */ comment": Case(RULE, ("comment",), rule("discount /* max */ <= 1")),
    "rule optimizer hint": Case(RULE, ("comment",), rule("discount <= 1 /*+ REPARTITION(2) */")),
    "rule on a missing column": Case(RULE, ("unknown column", "discont", "quantity"), rule("discont <= 1")),
    "rule names a table alias": Case(RULE, ("table or alias", "column name alone"), rule("o.discount <= 1")),
    "rule reads a field of a number": Case(RULE, ("not a struct",), rule("quantity.amount > 0")),
    "rule treats text as an array": Case(
        RULE, ("array_contains", "not an array"), rule("array_contains(status, 'x') = false")
    ),
    "rule nested 3000 parentheses deep": Case(
        RULE, ("nested too deeply",), rule("(" * 3000 + "quantity > 1" + ")" * 3000)
    ),
    "aggregate nested 3000 deep": Case(
        AGGREGATE, ("nested too deeply",), aggregate("SELECT " + "(" * 3000 + "1" + ")" * 3000 + " AS x")
    ),
    "rule with an aggregate": Case(RULE, ("aggregate sum()", "one row"), rule("sum(quantity) > 0")),
    "rule with a window": Case(RULE, ("window function",), rule("row_number() OVER (ORDER BY order_id) = 1")),
    "rule with a subquery": Case(RULE, ("subquery",), rule("quantity > (SELECT 1)")),
    "rule calls a misspelt function": Case(
        RULE, ("lenght()", "did you mean length"), rule("lenght(status) > 0")
    ),
    "rule with an unclosed quote": Case(RULE, ("not closed",), rule("status = 'placed")),
    "rule incomplete": Case(RULE, ("not a valid sql expression", "incomplete"), rule("discount <=")),
    "rule only spaces": Case(RULE, ("is empty",), rule("   ")),
    "rule is a bare star": Case(RULE, ("`*`",), rule("*")),
    "rule that is a text column": Case(RULE, ("not a condition", "is not null"), rule("status")),
    "rule compares text with a number": Case(RULE, ("compares text", "try_cast"), rule("status > 5")),
    "rule compares a number with 'one'": Case(
        RULE, ("'one', which is not a number",), rule("quantity = 'one'")
    ),
    "rule compares a time with 'next week'": Case(RULE, ("not a time",), rule("order_ts > 'next week'")),
    "rule ends with ); and more": Case(RULE, ("';'",), rule("discount <= 1); SELECT (1")),
    # -- reusable sets ----------------------------------------------------------------------
    "accepted value not a number": Case(
        "sources.orders.expectations[6].values[1]",
        ("'a' is not a number",),
        add_expectation(
            {"use": "accepted_values", "column": "quantity", "values": [1, "a"], "action": "warn"}
        ),
    ),
    "accepted numbers on a text column": Case(
        "sources.orders.expectations[3].values[0]", ("quote it",), expectation(3, values=[1, 2])
    ),
    "range on a timestamp with text": Case(
        "sources.orders.expectations[6].max",
        ("not a timestamp",),
        add_expectation({"use": "range", "column": "order_ts", "max": "next week", "action": "warn"}),
    ),
    "range with a number on a text column": Case(
        "sources.orders.expectations[6].min",
        ("quote it",),
        add_expectation({"use": "range", "column": "status", "min": 1, "action": "warn"}),
    ),
    "non_negative on a text column": Case(
        "sources.orders.expectations[6].column",
        ("numbers only",),
        add_expectation({"use": "non_negative", "column": "status", "action": "warn"}),
    ),
    "not_in_future on a number": Case(
        "sources.orders.expectations[6].column",
        ("date or timestamp",),
        add_expectation({"use": "not_in_future", "column": "quantity", "action": "warn"}),
    ),
    "regex that does not compile": Case(
        "sources.orders.expectations[6].pattern",
        ("not a regular expression",),
        add_expectation({"use": "regex", "column": "status", "pattern": "([a-z]+", "action": "warn"}),
    ),
    "two rules with one name": Case(
        "sources.orders.expectations[6]",
        ("two rules are named", "expectations[5]"),
        add_expectation({"name": "discount_within_price", "rule": "discount >= 0", "action": "warn"}),
    ),
    # -- measures and types -----------------------------------------------------------------
    "measure quantity * * unit_price": Case(
        MEASURE, ("`*`", "doubled operator"), measure("quantity * * unit_price")
    ),
    "measure with a comment": Case(MEASURE, ("comment",), measure("quantity * unit_price -- gross")),
    "measure on a missing column": Case(MEASURE, ("unknown column", "amount_net"), measure("amount_net * 2")),
    "measure that is text": Case(MEASURE, ("must be a number",), measure("status")),
    "measure with an aggregate": Case(MEASURE, ("aggregate sum()",), measure("sum(quantity)")),
    "measure type decimal(39,0)": Case(
        f"{MEASURE}.type",
        ("precision must be 1 to 38",),
        measure({"expr": "quantity", "type": "decimal(39,0)"}),
    ),
    "column scale above precision": Case(
        "sources.products.columns.list_price",
        ("cannot exceed the precision",),
        column("list_price", "decimal(5,6)", "products"),
    ),
    # -- aggregates -------------------------------------------------------------------------
    "aggregate with two statements": Case(
        AGGREGATE, ("';'", "one query"), aggregate("SELECT 1; DROP TABLE x")
    ),
    "aggregate is a DROP": Case(
        AGGREGATE, ("one select query", "drop"), aggregate("DROP TABLE {fact_sales}")
    ),
    "aggregate on a missing column": Case(
        AGGREGATE,
        ("does not exist", "amout", "amount"),
        aggregate("SELECT SUM(f.amout) AS revenue FROM {fact_sales} f"),
    ),
    "aggregate casts to decimal(40,2)": Case(
        AGGREGATE,
        ("decimal(40,2)", "38"),
        aggregate("SELECT CAST(SUM(amount) AS DECIMAL(40,2)) AS s FROM {fact_sales}"),
    ),
    "aggregate clustered by a missing column": Case(
        "gold.aggregates.daily_sales.cluster_by[0]",
        ("no column 'region'", "category"),
        lambda d: d["gold"]["aggregates"]["daily_sales"].update(cluster_by=["region"]),
    ),
    "measure casts to decimal(50,2)": Case(
        MEASURE, ("decimal(50,2)",), measure("CAST(quantity AS DECIMAL(50,2))")
    ),
    "source with no body": Case(
        "sources.orders", ("needs a mapping", "no value"), lambda d: d["sources"].update(orders=None)
    ),
    "aggregate calls a misspelt function": Case(
        AGGREGATE, ("summ()",), aggregate("SELECT summ(amount) AS revenue FROM {fact_sales}")
    ),
    # -- the YAML itself --------------------------------------------------------------------
    "column named on (YAML boolean)": Case(
        "sources.orders.columns.on",
        ("read by yaml as a bool", "quote it"),
        raw=text("      quantity: int\n", "      quantity: int\n      on: string\n"),
    ),
    "calendar date 2020-13-45": Case(
        "gold.calendar.from",
        ("cannot be read as timestamp",),
        raw=text("from: 2020-01-01", "from: 2020-13-45"),
    ),
    "sources whose tables clash": Case(
        "sources.orders_history",
        ("silver_orders_history", "source orders"),
        lambda d: d["sources"].update(orders_history={"columns": {"id": "string"}}),
    ),
    "python tag": Case(
        "sources.customers.description",
        ("yaml tag", "remove the tag"),
        raw=text(DESCRIPTION, "description: !!python/name:os.system"),
    ),
    "alias bomb": Case("bomb", ("aliases", "expanded"), raw=alias_bomb, exact=False),
    "UTF-16 file": Case(
        "(top level)", ("utf-16", "save it as utf-8"), raw=lambda spec: spec.encode("utf-16")
    ),
    "NUL byte in the text": Case(
        "(top level)", ("u+0000", "line 20", "remove it"), raw=text("Customer master", "Customer\x00master")
    ),
    "empty file": Case("(top level)", ("empty",), raw=lambda spec: b"# nothing yet\n"),
    "reserved prefix __": Case("sources.orders.columns.__rank", ("reserved",), column("__rank", "int")),
    # -- hostile rules: reflection, randomness, substitution, non-numbers ----------------------
    "rule calls reflect": Case(
        RULE,
        ("reflect()", "java code"),
        rule("reflect('java.lang.System', 'getenv', 'HOME') IS NOT NULL"),
    ),
    "rule calls java_method": Case(RULE, ("java_method()", "java code"), rule("java_method('a', 'b') = 'c'")),
    "rule calls rand": Case(RULE, ("rand()", "both or neither"), rule("rand() > 0.5")),
    "rule calls uuid": Case(RULE, ("uuid()", "differently"), rule("uuid() <> ''")),
    "rule calls raise_error": Case(
        RULE, ("raise_error()", "action: fail"), rule("raise_error('no') IS NULL")
    ),
    "rule with ${...} in a literal": Case(RULE, ("${", "concat"), rule("status <> '${spark.app.id}'")),
    "rule order_ts > 5": Case(RULE, ("time `order_ts`", "number"), rule("order_ts > 5")),
    "rule CAST(status AS INT)": Case(RULE, ("try_cast(status as int)",), rule("CAST(status AS INT) > 1")),
    "rule divides by a column": Case(
        RULE, ("divides by `discount`", "try_divide"), rule("quantity / discount > 1")
    ),
    "rule with a 42-digit number": Case(
        RULE, ("42 digits", "38"), rule("quantity < 123456789012345678901234567890123456789012")
    ),
    "rule with a Python regex": Case(RULE, ("(?p", "java", "(?<name>"), rule("status rlike '(?P<s>open)'")),
    "aggregate calls reflect": Case(
        AGGREGATE,
        ("reflect()",),
        aggregate("SELECT reflect('java.lang.System', 'getenv', 'HOME') AS home FROM {fact_sales}"),
    ),
    "aggregate with an unterminated brace": Case(
        AGGREGATE,
        ("'{'", "placeholder"),
        aggregate("SELECT date_key, SUM(amount) AS r FROM {fact_sales GROUP BY 1"),
    ),
    "aggregate naming a column twice": Case(
        AGGREGATE,
        ("'revenue' twice",),
        aggregate("SELECT SUM(amount) AS revenue, SUM(quantity) AS Revenue FROM {fact_sales}"),
    ),
    "threshold .nan": Case(
        "sources.orders.thresholds.max_quarantine_fraction",
        ("nan", "not a number"),
        lambda d: orders(d).setdefault("thresholds", {}).update({"max_quarantine_fraction": float("nan")}),
    ),
    "range bound .inf": Case(
        "sources.orders.expectations[1].max",
        ("inf",),
        lambda d: orders(d)["expectations"].__setitem__(
            1, {"use": "range", "column": "quantity", "min": 0, "max": float("inf"), "action": "warn"}
        ),
    ),
    # -- source_name: each column of the files is read once, derived columns are not read -------
    "two columns read from one source column": Case(
        "sources.orders.columns.qty.source_name",
        ("'quantity'", "already read as 'quantity'"),
        column("qty", {"type": "int", "source_name": "quantity"}),
    ),
    "a derived column with a source_name": Case(
        "sources.orders.columns.doubled.source_name",
        ("derived", "remove source_name"),
        column("doubled", {"type": "int", "expr": "quantity * 2", "source_name": "Doubled"}),
    ),
    "a role whose key meets a fact column": Case(
        "gold.facts.sales.dimensions.line_number",
        ("line_number_key", "clashes", "another name"),
        role_meeting_a_fact_column,
    ),
}


@pytest.fixture(scope="module")
def retail_text(default_project: Path) -> str:
    return (default_project / "medallion.yml").read_text()


def validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["validate", "--spec", str(path)])
    return code, out.getvalue(), err.getvalue()


def write_case(case: Case, retail_text: str, folder: Path) -> Path:
    path = folder / "medallion.yml"
    if case.raw is not None:
        path.write_bytes(case.raw(retail_text))
    else:
        document = yaml.safe_load(retail_text)
        assert case.edit is not None
        case.edit(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


def refusal(case: Case, retail_text: str, folder: Path) -> str | None:
    """None when validate refuses the case as promised, else what went wrong."""
    path = write_case(case, retail_text, folder)
    code, out, err = validate(path)
    if code != 2:
        return f"exit {code}:\n{out}{err}"
    if "Traceback" in err or "Traceback" in out:
        return f"traceback:\n{err}"
    lines = [line for line in err.splitlines() if line.startswith(f"{path}: ")]
    marker = f"{path}: {case.key}: " if case.exact else f"{path}: {case.key}"
    hits = [line for line in lines if line.startswith(marker)]
    if not hits:
        return f"no problem at {case.key}:\n{err}"
    if not any(all(w.lower() in line.lower() for w in case.words) for line in hits):
        return f"the message at {case.key} lacks {case.words}:\n{err}"
    if not err.rstrip().endswith("nothing was run"):
        return f"no closing count:\n{err}"
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_bad_spec_is_refused_naming_its_key(name: str, retail_text: str, tmp_path: Path) -> None:
    problem = refusal(CASES[name], retail_text, tmp_path)
    assert problem is None, problem


def test_retail_spec_still_validates(default_project: Path) -> None:
    code, out, err = validate(default_project / "medallion.yml")
    assert code == 0, err
    assert "compiled 17 rule(s), 4 measure(s), 1 SQL aggregate(s)" in out


REPORTED = (
    "rule with a -- comment",
    "rule quantity * * unit_price",
    "rule ; DROP TABLE x",
    "non-boolean rule discount + 1",
    "column decimal(50,2)",
    "aggregate SELEC *",
    "range min 'one'",
    "range min > max",
    "duplicate source key",
    "duplicate column key",
    "non-UTF-8 spec (Latin-1)",
    "deep nesting (runaway brackets)",
    "audit column _rescued_data",
    "audit column _errors",
)


def test_tally(retail_text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """At least 40 bad specs, the reported ones among them; prints the tally (run with -s to see it)."""
    assert len(CASES) >= 40
    assert set(REPORTED) <= set(CASES)
    failed = {}
    for index, (name, case) in enumerate(CASES.items()):
        folder = tmp_path / str(index)
        folder.mkdir()
        problem = refusal(case, retail_text, folder)
        if problem:
            failed[name] = problem
    refused = len(CASES) - len(failed)
    with capsys.disabled():
        print(
            f"\nbad specs: {len(CASES)} cases ({len(REPORTED)} reported); {refused} refused by "
            f"`medallion validate` with exit 2, the file and the key path, no traceback; {len(failed)} not"
        )
    assert not failed, failed
