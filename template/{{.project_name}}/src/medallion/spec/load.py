"""Load medallion.yml: YAML -> JSON Schema validation -> cross-checks -> typed Spec."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from medallion import expectations, naming
from medallion.spec import fragments, params, scopes
from medallion.spec.errors import SpecError, SpecProblem
from medallion.spec.gold_checks import gold_problems
from medallion.spec.model import (
    Calendar,
    Column,
    CustomTable,
    Dimension,
    DimensionLink,
    Expectation,
    Fact,
    Gold,
    Measure,
    Reference,
    SourceConfig,
    SourceTable,
    Spec,
    Thresholds,
)
from medallion.spec.reserved import reserved_reason
from medallion.spec.yaml_reader import read_document

SCHEMA_PATH = Path(__file__).with_name("medallion.schema.json")
SPEC_FILE_NAME = "medallion.yml"


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def find_spec(start: Path | None = None) -> Path:
    """The medallion.yml in `start` or the nearest parent folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / SPEC_FILE_NAME
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {SPEC_FILE_NAME} in {here} or its parents")


def load_spec(path: Path | str) -> Spec:
    """Read, validate and type a spec file; raise SpecError listing every problem."""
    path = Path(path)
    document = _read_yaml(path)
    if document is None:
        raise SpecError(path, [SpecProblem("", "the file is empty: start with `version: 1` and `sources:`")])
    problems = _non_finite(document) or _schema_problems(document)
    if problems:
        raise SpecError(path, problems)
    builder = _Builder(document)
    spec = builder.build(path)
    if builder.problems:
        raise SpecError(path, builder.problems)
    return spec


def _read_yaml(path: Path) -> Any:
    """UTF-8 YAML without duplicate keys, runaway nesting or alias bombs (see yaml_reader)."""
    return read_document(path)


def _as_date(value: Any) -> date | None:
    """A YAML date, or ISO text of one; None for anything else (timestamps included)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def key_path(parts: Any) -> str:
    """Render a JSON path as sources.orders.expectations[2].action."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _non_finite(value: Any, where: tuple[Any, ...] = ()) -> list[SpecProblem]:
    """YAML's .nan and .inf are floats every comparison fails (or passes) on: never a threshold,
    bound or value a spec can mean."""
    if isinstance(value, float) and not math.isfinite(value):
        return [
            SpecProblem(
                key_path(where) or "(top level)",
                f"{value!r} is not a number a spec can use; write one such as 0.05",
            )
        ]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, (*where, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, (*where, i))]
    return []


def _schema_problems(document: Any) -> list[SpecProblem]:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [_explain(error) for error in errors]


def _explain(error: ValidationError) -> SpecProblem:
    if error.validator in ("oneOf", "anyOf") and error.context:
        same_type = [e for e in error.context if e.validator != "type" or e.relative_path]
        deepest = best_match(same_type or error.context)
        if deepest.validator != "not":
            return _explain(deepest)
    where = key_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(schema.get("properties", {})))
        unknown = sorted(set(error.instance) - set(schema.get("properties", {})))
        return SpecProblem(where, f"unknown key {', '.join(map(repr, unknown))}; allowed keys: {allowed}")
    if error.validator == "pattern" or error.validator == "const":
        hint = schema.get("description", "")
        return SpecProblem(where, f"{error.instance!r} is not allowed. {hint}".strip())
    if error.validator == "enum":
        choices = ", ".join(map(str, schema["enum"]))
        return SpecProblem(where, f"{error.instance!r} is not allowed; use one of: {choices}")
    if error.validator == "required":
        return SpecProblem(where, f"{error.message}; add it")
    if error.validator in ("oneOf", "not") and error.schema_path and "expectation" in str(error.schema_path):
        return SpecProblem(
            where, "give either `name` + `rule` (a SQL predicate) or `use` (a reusable set), not both"
        )
    if (
        error.validator == "oneOf"
        and isinstance(error.instance, dict)
        and {"sql", "python"} <= set(error.instance)
    ):
        return SpecProblem(where, "give either `sql` or `python`, not both")
    if error.validator == "type":
        wanted = schema.get("type")
        kinds = [wanted] if isinstance(wanted, str) else list(wanted or [])
        needed = " or ".join(_KINDS.get(k, k) for k in kinds)
        return SpecProblem(where, f"needs {needed}, not {_kind_of(error.instance)}")
    return SpecProblem(where, error.message)


_KINDS = {
    "object": "a mapping (indented `key: value` lines)",
    "array": "a list ([a, b] or `- item` lines)",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (the key has no value: give it one or remove the key)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: quote it)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return f"{value!r}"


class _Builder:
    """Turns a schema-valid document into a Spec, collecting cross-reference problems."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.problems: list[SpecProblem] = []
        defaults = document.get("defaults", {})
        self.default_source = defaults.get("source", {})
        self.default_thresholds = defaults.get("thresholds", {})

    def problem(self, key: str, message: str) -> None:
        self.problems.append(SpecProblem(key, message))

    def build(self, path: Path) -> Spec:
        sources = tuple(
            self.source_table(name, body or {}) for name, body in self.document["sources"].items()
        )
        by_name = {s.name: s for s in sources}
        for table in sources:
            self.check_references(table, by_name)
        self.check_table_names(sources)
        gold = self.gold(self.document.get("gold") or {}, by_name)
        return Spec(path, sources, gold, Thresholds(**self.default_thresholds))

    # -- sources ---------------------------------------------------------------------------

    def source_table(self, name: str, body: dict[str, Any]) -> SourceTable:
        where = f"sources.{name}"
        declared = body.get("columns") or {}
        columns = tuple(self.column(col, value) for col, value in declared.items())
        for column in columns:
            key = f"{where}.columns.{column.name}"
            reason = reserved_reason(column.name)
            if reason:
                self.problem(
                    key,
                    f"{reason}; rename this column (e.g. {column.name.strip('_')!r}) or remove it "
                    "(a field of that name in the data then lands in _rescued_data)",
                )
            problem = params.decimal_problem(column.type)
            if problem:
                self.problem(key + (".type" if isinstance(declared[column.name], dict) else ""), problem)
        self.check_derived(where, columns)
        self.check_source_names(where, columns)
        known = {c.name for c in columns}
        primary_key = tuple(body.get("primary_key", ()))
        for index, column in enumerate(primary_key):
            self.check_column(f"{where}.primary_key[{index}]", column, known)
        sequence_by = body.get("sequence_by")
        if sequence_by:
            self.check_column(f"{where}.sequence_by", sequence_by, known)
        rules = self.expectations(where, body.get("expectations", []), columns, primary_key)
        references = tuple(
            Reference(tuple(r["columns"]), r["table"], tuple(r.get("key", ())))
            for r in body.get("references", [])
        )
        for index, reference in enumerate(references):
            for referencing in reference.columns:
                self.check_column(f"{where}.references[{index}].columns", referencing, known)
        thresholds = Thresholds(**{**self.default_thresholds, **body.get("thresholds", {})})
        source = self.source_config(name, body.get("source", {}))
        self.check_null_tokens(where, body.get("expectations", []), source.null_values)
        return SourceTable(
            name=name,
            source=source,
            columns=columns,
            primary_key=primary_key,
            sequence_by=sequence_by,
            expectations=rules,
            references=references,
            thresholds=thresholds,
            description=body.get("description", ""),
        )

    def check_derived(self, where: str, columns: tuple[Column, ...]) -> None:
        """A derived column is one row-level expression over the typed source columns (not over
        other derived ones), compiled like a rule; its value is cast to its type."""
        raw = {c.name: c.type for c in columns if c.expr is None}
        table = where.split(".", 1)[1]
        scope = fragments.Scope(naming.typed_view(table), raw)
        for column in columns:
            if column.expr is not None:
                self.check_fragment(f"{where}.columns.{column.name}.expr", column.expr, scope, "derived")

    def check_source_names(self, where: str, columns: tuple[Column, ...]) -> None:
        """Each source column is read into one spec column; a derived column is not read at all."""
        readers: dict[str, str] = {}
        for column in columns:
            key = f"{where}.columns.{column.name}.source_name"
            if column.expr is not None and column.source_name is not None:
                self.problem(key, "a derived column (expr) is computed, not read: remove source_name")
            elif column.expr is None and column.read_as in readers:
                self.problem(
                    key if column.source_name else f"{where}.columns.{column.name}",
                    f"the source's column {column.read_as!r} is already read as "
                    f"{readers[column.read_as]!r}; read each source column once",
                )
            elif column.expr is None:
                readers[column.read_as] = column.name

    def check_null_tokens(
        self, where: str, entries: list[dict[str, Any]], null_values: tuple[str, ...]
    ) -> None:
        """An accepted value that is one of the source's null tokens can never match: silver
        reads it as NULL (so a rule would pass or fail on it for the wrong reason)."""
        tokens = {v.strip() for v in null_values}
        for index, entry in enumerate(entries):
            for position, value in enumerate(entry.get("values") or []):
                if isinstance(value, str) and value.strip() in tokens:
                    self.problem(
                        f"{where}.expectations[{index}].values[{position}]",
                        f"{value!r} is one of source.null_values: silver reads it as NULL, never as a "
                        "value; remove it here (a not_null rule catches missing values)",
                    )

    @staticmethod
    def column(name: str, value: str | dict[str, Any]) -> Column:
        """`name: type` or `name: {type, ...}`; keys left out take the model's defaults."""
        if isinstance(value, str):
            return Column(name, _normalise_type(value))
        return Column(name=name, **{**value, "type": _normalise_type(value["type"])})

    def source_config(self, name: str, body: dict[str, Any]) -> SourceConfig:
        """defaults.source under the table's own keys; keys neither sets take the model's
        defaults, except path and topic, which default to the table's name."""
        merged = {**self.default_source, **body}
        options = {**self.default_source.get("options", {}), **body.get("options", {})}
        config = SourceConfig(
            **{
                **merged,
                "path": merged.get("path", name),
                "null_values": tuple(str(v) for v in merged.get("null_values", ())),
                "options": {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in options.items()},
            }
        )
        if config.type == "files" and not config.format:
            self.problem(f"sources.{name}.source.format", "files need a format: json, csv or parquet")
        return dataclasses.replace(
            config,
            format=config.format if config.type == "files" else None,
            topic=merged.get("topic", name) if config.type == "kafka" else None,
        )

    def expectations(
        self,
        where: str,
        entries: list[dict[str, Any]],
        columns: tuple[Column, ...],
        primary_key: tuple[str, ...],
    ) -> tuple[Expectation, ...]:
        known = {c.name for c in columns}
        types = {c.name: c.type for c in columns}
        scope = scopes.history_scope(where.split(".", 1)[1], columns)
        result: list[Expectation] = []
        for index, entry in enumerate(entries):
            key = f"{where}.expectations[{index}]"
            if entry.get("use") == "unique" and "column" not in entry and "columns" not in entry:
                if not primary_key:
                    self.problem(key, "`unique` needs `columns` or the table's primary_key")
                    continue
                entry = {**entry, "columns": list(primary_key)}
            try:
                expanded = expectations.expand(entry)
            except expectations.ExpectationParamError as error:
                self.problem(f"{key}.{error.key}", str(error))
                continue
            for column in expectations.referenced_columns(entry):
                self.check_column(key, column, known)
            for sub, message in expectations.entry_problems(entry, types):
                self.problem(f"{key}.{sub}", message)
            if "rule" in entry:
                self.check_fragment(f"{key}.rule", entry["rule"], scope, "rule", f" (rule {entry['name']})")
            result.extend(dataclasses.replace(rule, key=key) for rule in expanded)
        seen: dict[str, str] = {}
        for rule in result:
            if rule.name in seen:
                first = seen[rule.name].rsplit(".", 1)[-1]
                self.problem(
                    rule.key or f"{where}.expectations",
                    f"two rules are named {rule.name!r} (this one and {first}); "
                    "give one another `name`: rule names label the quarantine's _errors and the metrics",
                )
            seen.setdefault(rule.name, rule.key)
        return tuple(result)

    def check_table_names(self, sources: tuple[SourceTable, ...]) -> None:
        """Two sources whose tables would share a name (orders' history is silver_orders_history,
        the silver table of a source named orders_history)."""
        owner: dict[str, str] = {}
        for source in sources:
            name = source.name
            tables = (
                naming.bronze_table(name),
                naming.typed_view(name),
                naming.history_table(name),
                naming.quarantine_table(name),
                naming.silver_table(name),
            )
            for table in tables:
                if table in owner and owner[table] != name:
                    self.problem(
                        f"sources.{name}",
                        f"its table {table} is also a table of source {owner[table]}; rename one of them",
                    )
                owner.setdefault(table, name)

    def check_column(self, key: str, column: str, known: set[str]) -> None:
        if known and column not in known:
            self.problem(key, f"no column {column!r}; the table's columns are: {', '.join(sorted(known))}")

    def check_fragment(self, key: str, text: str, scope: fragments.Scope, kind: str, label: str = "") -> None:
        """Compile one rule or measure the way the pipeline will; a problem per finding."""
        messages = fragments.check_fragment(text, scope, kind)
        if not messages and kind == "rule":
            from medallion import rules  # lazily: medallion.rules imports this package

            try:
                fragments.parse_expression(rules.compile_rule(text))
            except ValueError as error:
                messages = [f"breaks the compiled predicate ({error}); write one self-contained expression"]
        for message in messages:
            # a rule's key is a list index: quote its SQL and name; a measure's key is its name
            self.problem(key, f"{_shown(text)}{label} {message}" if label else message)

    def check_references(self, table: SourceTable, by_name: dict[str, SourceTable]) -> None:
        for index, reference in enumerate(table.references):
            key = f"sources.{table.name}.references[{index}]"
            target = by_name.get(reference.table)
            if target is None:
                self.problem(
                    f"{key}.table", f"no source table {reference.table!r}; known: {', '.join(by_name)}"
                )
                continue
            target_key = reference.key or target.primary_key
            if not target_key:
                self.problem(f"{key}.key", f"{reference.table} has no primary_key; name the `key` columns")
            elif len(target_key) != len(reference.columns):
                self.problem(
                    key, f"{len(reference.columns)} column(s) cannot match a {len(target_key)}-column key"
                )

    # -- gold ------------------------------------------------------------------------------

    def gold(self, body: dict[str, Any], sources: dict[str, SourceTable]) -> Gold:
        dimensions = tuple(
            d for d in (self.dimension(n, b, sources) for n, b in body.get("dimensions", {}).items()) if d
        )
        by_dim = {d.name: d for d in dimensions}
        facts = tuple(
            f for f in (self.fact(n, b, sources, by_dim) for n, b in body.get("facts", {}).items()) if f
        )
        aggregates = tuple(
            CustomTable(
                n, b.get("sql"), b.get("python"), tuple(b.get("cluster_by", ())), b.get("description", "")
            )
            for n, b in body.get("aggregates", {}).items()
        )
        date_dimension = body.get("date_dimension", bool(facts))
        gold = Gold(dimensions, facts, date_dimension, aggregates, self.calendar(body.get("calendar")))
        for key, message in gold_problems(gold, sources):
            self.problem(key, message)
        tables = scopes.aggregate_tables(gold, sources)
        for aggregate in aggregates:
            if aggregate.sql is not None:
                own = {n: c for n, c in tables.items() if n != naming.aggregate_table(aggregate.name)}
                messages = fragments.check_aggregate(aggregate.sql, own)
                for message in messages:
                    self.problem(f"gold.aggregates.{aggregate.name}.sql", f"the query {message}")
                outputs = None if messages else fragments.output_columns(aggregate.sql)
                for index, column in enumerate(aggregate.cluster_by):
                    if outputs is not None and column not in outputs:
                        self.problem(
                            f"gold.aggregates.{aggregate.name}.cluster_by[{index}]",
                            f"the query has no column {column!r}; its columns are: {', '.join(outputs)}",
                        )
        return gold

    def calendar(self, body: dict[str, Any] | None) -> Calendar | None:
        """gold.calendar: {from, to} as dates (YAML dates or YYYY-MM-DD text), from <= to."""
        if body is None:
            return None
        bounds = {end: _as_date(body.get(end)) for end in ("from", "to")}
        for end, value in bounds.items():
            if value is None:
                given = body.get(end)
                fix = "write YYYY-MM-DD, e.g. 2020-01-01"
                self.problem(f"gold.calendar.{end}", f"{given!r} is not a date: {fix}")
        first, last = bounds["from"], bounds["to"]
        if first is None or last is None:
            return None
        if first > last:
            self.problem("gold.calendar", f"from {first} is after to {last}: swap them")
            return None
        return Calendar(first, last)

    def _source_for(self, key: str, name: str, sources: dict[str, SourceTable]) -> SourceTable | None:
        source = sources.get(name)
        if source is None:
            self.problem(key, f"no source table {name!r}; known: {', '.join(sources)}")
        return source

    def dimension(self, name: str, body: dict[str, Any], sources: dict[str, SourceTable]) -> Dimension | None:
        where = f"gold.dimensions.{name}"
        source = self._source_for(f"{where}.source", body["source"], sources)
        if source is None:
            return None
        known = set(source.column_names)
        natural_key = tuple(body.get("key") or source.primary_key)
        if not natural_key:
            self.problem(f"{where}.key", f"{source.name} has no primary_key; give the dimension a `key`")
        attributes = tuple(body.get("attributes") or [c for c in source.column_names if c not in natural_key])
        scd = body.get("scd", 1)
        track = tuple(body.get("track") or attributes)
        for field_name, columns in (("key", natural_key), ("attributes", attributes), ("track", track)):
            for column in columns:
                self.check_column(f"{where}.{field_name}", column, known)
        if scd == 2 and not source.sequence_by:
            self.problem(
                f"{where}.scd", f"SCD2 needs versions in order: set sources.{source.name}.sequence_by"
            )
        if "track" in body and scd != 2:
            self.problem(f"{where}.track", "`track` only applies to scd: 2")
        return Dimension(name, source.name, natural_key, attributes, scd, track, body.get("description", ""))

    def fact(
        self, name: str, body: dict[str, Any], sources: dict[str, SourceTable], dims: dict[str, Dimension]
    ) -> Fact | None:
        where = f"gold.facts.{name}"
        source = self._source_for(f"{where}.source", body["source"], sources)
        if source is None:
            return None
        known = set(source.column_names)
        grain = tuple(body.get("grain") or source.primary_key)
        if not grain:
            self.problem(f"{where}.grain", f"{source.name} has no primary_key; give the fact a `grain`")
        for column in grain:
            self.check_column(f"{where}.grain", column, known)
        event_time = body.get("event_time")
        if event_time:
            self.check_column(f"{where}.event_time", event_time, known)
        links = []
        for role, value in body.get("dimensions", {}).items():
            link = self.dimension_link(f"{where}.dimensions.{role}", role, value, known, dims)
            if link is None:
                continue
            if dims[link.dimension].scd == 2 and not event_time:
                self.problem(
                    f"{where}.event_time",
                    f"{naming.dimension_table(link.dimension)} is SCD2: the fact needs an event_time",
                )
            links.append(link)
        measures = []
        for measure_name, value in body["measures"].items():
            spec = {"expr": value} if isinstance(value, str) else value
            key = f"{where}.measures.{measure_name}"
            self.check_fragment(key, spec["expr"], scopes.measure_scope(source), "measure")
            measure_type = _normalise_type(spec.get("type", "decimal(18,2)"))
            problem = params.decimal_problem(measure_type)
            if problem:
                self.problem(f"{key}.type", problem)
            measures.append(
                Measure(measure_name, spec["expr"], measure_type, spec.get("description", ""), key=key)
            )
        attributes = tuple(body.get("attributes", ()))
        for column in attributes:
            self.check_column(f"{where}.attributes", column, known)
        return Fact(
            name,
            source.name,
            grain,
            event_time,
            tuple(links),
            tuple(measures),
            attributes,
            body.get("description", ""),
        )

    def dimension_link(
        self, key: str, role: str, value: Any, known: set[str], dims: dict[str, Dimension]
    ) -> DimensionLink | None:
        """`role: [columns]` (the role is the dimension) or `role: {dimension: d, columns: [...]}`."""
        if isinstance(value, dict):
            name, columns = value.get("dimension", role), value.get("columns", [])
        else:
            name, columns = role, value
        dimension = dims.get(name)
        if dimension is None:
            where = f"{key}.dimension" if isinstance(value, dict) else key
            self.problem(where, f"no dimension {name!r}; known: {', '.join(dims) or 'none'}")
            return None
        if len(columns) != len(dimension.key):
            self.problem(
                key,
                f"{naming.dimension_table(name)} has a {len(dimension.key)}-column key {list(dimension.key)}",
            )
        for column in columns:
            self.check_column(key, column, known)
        return DimensionLink(role, name, tuple(columns))


def _shown(text: str, limit: int = 60) -> str:
    """A fragment as quoted in messages: one line, cut to `limit` characters."""
    flat = " ".join(text.split())
    return "`" + (flat if len(flat) <= limit else flat[: limit - 3] + "...") + "`"


def _normalise_type(text: str) -> str:
    aliases = {"integer": "int", "long": "bigint", "short": "smallint", "byte": "tinyint"}
    compact = text.strip().lower().replace(" ", "")
    return aliases.get(compact, compact)
