"""Map a Spark error from a pipeline flow back to the medallion.yml key that produced it.

`medallion validate` (and every engine, which loads the spec the same way) refuses what
sqlglot can see. What only Spark can see (a function's argument types, a cast of a value at
run time) still fails a flow, with the compiled SQL buried in a long message:

    [UNRESOLVED_COLUMN.WITH_SUGGESTION] ... name `discont` cannot be resolved ...
    'Filter (coalesce((quantity#0 > 0), false) AND 'coalesce(('discont <= 1), false))

`explain(spec, message, table)` finds the spec's fragment in such a message and says where it
is: "medallion.yml sources.orders.expectations[5].rule (rule discount_ok: `discont <= 1`)".
Matching, most certain first: the fragment's own text (ignoring quotes, parentheses, spaces,
`#12` attribute ids), a name Spark could not resolve that only some fragments use, a rule name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from medallion import naming
from medallion.spec.fragments import parse_expression, render_aggregate
from medallion.spec.model import Spec

_IDS = re.compile(r"#\d+L?")
_DROP = re.compile(r"[\s()`'\"]+")
_UNRESOLVED = re.compile(r"(?:name|routine|function)\s+`([^`]+)`(?:\.`([^`]+)`)*", re.IGNORECASE)
MIN_TEXT = 5  # shorter fragments (`x > 0`) match too much text by accident


@dataclass(frozen=True)
class Fragment:
    """One piece of SQL from the spec and where it runs."""

    key: str
    kind: str  # rule | measure | aggregate
    name: str
    text: str
    tables: tuple[str, ...]  # the flows that run it

    def describe(self, path: str = "medallion.yml") -> str:
        flat = " ".join(self.text.split())
        shown = flat if len(flat) <= 80 else flat[:77] + "..."
        return f"{path} {self.key} ({self.kind} {self.name}: `{shown}`)"


def fragments_of(spec: Spec) -> list[Fragment]:
    """Every rule, measure and SQL aggregate of the spec with its key and flows."""
    found: list[Fragment] = []
    for source in spec.sources:
        flows = (
            naming.typed_view(source.name),
            naming.history_table(source.name),
            naming.quarantine_table(source.name),
        )
        for rule in source.row_rules:
            key = f"{rule.key}.rule" if rule.key and rule.use is None else rule.key
            found.append(
                Fragment(
                    key or f"sources.{source.name}.expectations", "rule", rule.name, rule.rule or "", flows
                )
            )
    for fact in spec.gold.facts:
        for measure in fact.measures:
            key = measure.key or f"gold.facts.{fact.name}.measures.{measure.name}"
            found.append(
                Fragment(key, "measure", measure.name, measure.expr, (naming.fact_table(fact.name),))
            )
    for aggregate in spec.gold.aggregates:
        if aggregate.sql is not None:
            key = f"gold.aggregates.{aggregate.name}.sql"
            found.append(
                Fragment(
                    key, "aggregate", aggregate.name, aggregate.sql, (naming.aggregate_table(aggregate.name),)
                )
            )
    return found


def _normal(text: str) -> str:
    return _DROP.sub("", _IDS.sub("", text)).lower()


def _names(fragment: Fragment) -> set[str]:
    """Column and function names a fragment uses (lower case)."""
    try:
        text = render_aggregate(fragment.text) if fragment.kind == "aggregate" else fragment.text
        tree = parse_expression(text)
    except (ValueError, RecursionError):
        return set()
    names = {c.name.lower() for c in tree.find_all(exp.Column)}
    names |= {str(f.name).lower() for f in tree.find_all(exp.Anonymous)}
    names |= {f.sql_name().lower() for f in tree.find_all(exp.Func) if not isinstance(f, exp.Anonymous)}
    return names


def _focus(message: str) -> list[str]:
    """The parts of a Spark message that show the failing expression itself: the SQL context
    under `== SQL (line l, position p) ==` and the expression in `Cannot resolve "..."`."""
    parts = re.findall(r'[Cc]annot resolve "((?:[^"\\]|\\.)*)"', message)
    lines = message.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("== SQL") and index + 1 < len(lines):
            parts.append(lines[index + 1].replace("...", " "))
    return parts


def locate(spec: Spec, message: str, table: str | None = None) -> list[Fragment]:
    """The fragments `message` is about, most certain first (empty when none is recognised).

    A failed flow's message often prints its whole plan, where every rule of the table
    appears: the name Spark could not resolve and the failing expression's own context decide
    first; text found anywhere in the message only when nothing narrower matched.
    """
    every = fragments_of(spec)
    candidates = [f for f in every if table is None or table in f.tables] or every

    def contained(fragments: list[Fragment], text: str) -> list[Fragment]:
        normal = _normal(text)
        found = [f for f in fragments if len(_normal(f.text)) >= MIN_TEXT and _normal(f.text) in normal]
        return sorted(found, key=lambda f: -len(_normal(f.text)))

    unresolved = {m.lower() for groups in _UNRESOLVED.findall(message) for m in groups if m}
    if unresolved:
        by_name = [f for f in candidates if unresolved & _names(f)]
        if by_name:
            in_text = contained(by_name, message)
            return in_text + [f for f in by_name if f not in in_text]
    for part in _focus(message):
        found = contained(candidates, part)  # the fragment inside the failing expression's text
        if found:
            return found
        piece = _normal(part)  # or the failing sub-expression inside one fragment
        inside = [f for f in candidates if len(piece) >= MIN_TEXT and piece in _normal(f.text)]
        if inside:
            return inside
    found = contained(candidates, message)
    if len(found) == 1:  # a plan prints every rule of the table: only an unambiguous match counts
        return found
    words = set(re.findall(r"[a-z_][a-z0-9_]*", message.lower()))
    return [f for f in candidates if f.kind == "rule" and f.name.lower() in words]


def explain(spec: Spec, message: str, table: str | None = None) -> str | None:
    """One line naming the spec key(s) behind a flow's error, or None when none is recognised."""
    found = locate(spec, message, table)
    if not found:
        return None
    first = found[0].describe(str(spec.path))
    more = _others(found[1:])
    return f"comes from {first}{more}: fix it there, then `medallion validate`"


def _others(rest: Iterable[Fragment]) -> str:
    keys = [f.key for f in rest]
    return f" (or {', '.join(keys[:3])}{'...' if len(keys) > 3 else ''})" if keys else ""


_ERROR_CLASS = re.compile(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]")
# downstream effects of an upstream failure, never the cause
_CONSEQUENCES = ("TABLE_OR_VIEW_NOT_FOUND",)
CHUNK_LINES = 40


def explain_log(spec: Spec, text: str) -> list[str]:
    """One line per spec key behind the errors in a pipeline log (the first error line each)."""
    lines = text.splitlines()
    flows = {t for f in fragments_of(spec) for t in f.tables}
    found: dict[str, str] = {}
    for index, line in enumerate(lines):
        match = _ERROR_CLASS.search(line)
        if not match or match[1].split(".")[0] in _CONSEQUENCES:
            continue
        chunk = "\n".join(lines[index : index + CHUNK_LINES])
        before = "\n".join(lines[max(0, index - CHUNK_LINES) : index + 1])
        named = [t for t in flows if t in before]
        table = max(named, key=before.rfind) if named else None
        located = locate(spec, chunk, table)
        if located and located[0].key not in found:
            error = line.strip()[match.start() :][:200]
            found[located[0].key] = f"{located[0].describe(str(spec.path))}\n    Spark: {error}"
    return list(found.values())
