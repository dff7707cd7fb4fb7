"""Candidate foreign keys: name affinity to another table's key, value containment, many-to-one.

Values alone are not enough for numbers: a line number 1..7 is contained in any 25-row integer
key. A reference needs each column's name to match the key column it points at (after table
prefixes such as `c_`/`l_`, or in `<table>_id`/`<table>key` form), possibly behind a role
word (`origin_airport_code`, `return_city`); or, for text, values that are (almost) all codes
of another table's key with enough distinct codes to mean something (`origin` and `dest` hold
`airports.faa`). A column named exactly as the key it matches is a reference even with many
orphans (the draft's orphan threshold then says how many); other references with affinity but
a lower match rate are kept as suggestions (written commented out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import product

import pandas as pd

from medallion.tooling.inference.primary_keys import KeyCandidate
from medallion.tooling.inference.profile import TableProfile

MIN_CONTAINMENT = 0.95
MIN_SUGGESTED = 0.5
"""Below MIN_CONTAINMENT but at least this share: a commented suggestion with its match rate."""
MIN_INTEGER_COVERAGE = 0.1
"""Integer columns must also hit this share of the target's keys (quantities 1..10 are not ids)."""
MIN_CODES = 10
"""A text key needs this many distinct codes before values alone make a reference to it."""
INTEGER_TYPES = ("int", "bigint", "smallint", "tinyint")


@dataclass(frozen=True)
class ForeignKey:
    """Columns of one table whose values are (almost all) keys of another table."""

    table: str
    columns: tuple[str, ...]
    target: str
    target_key: tuple[str, ...]
    found: int
    total: int
    same_name: bool = False
    """Each column is named exactly as the key column it matches (tailnum -> planes.tailnum)."""
    by_values: bool = False
    """Found by its values only (origin -> airports.faa): no name in common."""
    fact_link: str | None = None
    """Why this links two facts (see between_facts): suggested only, never a dimension."""

    @property
    def share(self) -> float:
        return self.found / self.total

    @property
    def confirmed(self) -> bool:
        """Contained well enough to be proposed as a reference (else only suggested); a column
        named exactly as its key is one at any share above MIN_SUGGESTED."""
        if self.fact_link:
            return False
        return self.share >= MIN_CONTAINMENT or self.same_name

    @property
    def orphan_share(self) -> float:
        return (self.total - self.found) / self.total

    @property
    def evidence(self) -> str:
        orphans = self.total - self.found
        share = 100 * self.found / self.total
        how = f"values found in {self.target}.{', '.join(self.target_key)}; " if self.by_values else ""
        found = (
            f"{how}{self.found:,} of {self.total:,} non-null values ({share:.1f}%) found; {orphans:,} orphans"
        )
        if self.fact_link:
            found += f"; {self.fact_link}"
        return found


def between_facts(references: list[ForeignKey], keys: dict[str, KeyCandidate | None]) -> list[ForeignKey]:
    """Mark the references that link two facts (each fact references the dimensions itself):
    - the target is an association: every column of its key is one of its own references
      (appearances: year, team -> teams; player -> people);
    - or the target's key holds a whole reference of its own (batting: player -> people) and the
      referencing row's key holds the whole reference (fielding's player, year, stint, position
      holds batting's player, year, stint): a detail of a fact line.
    An order line still references its order (orders' key is its own), and a segment its flight
    (the segment's key does not hold the flight)."""
    covered: dict[str, set[str]] = {}
    held: dict[str, tuple[str, ...]] = {}
    for fk in references:
        if fk.confirmed and fk.target != fk.table:
            covered.setdefault(fk.table, set()).update(fk.columns)
            key = keys.get(fk.table)
            if key and set(fk.columns) <= set(key.columns):
                held.setdefault(fk.table, fk.columns)
    marked = []
    for fk in references:
        target = keys.get(fk.target)
        own = keys.get(fk.table)
        target_key = set(target.columns) if target else set()
        own_key = set(own.columns) if own else set()
        if target_key and target_key <= covered.get(fk.target, set()):
            why = f"every column of {fk.target}'s key is a reference of its own: an association, a fact"
            fk = replace(fk, fact_link=why)
        elif fk.target in held and set(fk.columns) <= own_key:
            why = (
                f"{fk.target}'s key holds its reference {', '.join(held[fk.target])} and {fk.table}'s key "
                "holds this one: a detail of a fact line"
            )
            fk = replace(fk, fact_link=why)
        marked.append(fk)
    return marked


def find_foreign_keys(
    tables: dict[str, TableProfile],
    keys: dict[str, KeyCandidate | None],
    every_key: dict[str, pd.DataFrame] | None = None,
) -> list[ForeignKey]:
    """For every table, the best-contained reference per column set, sorted (suggestions included).

    `every_key` holds all key values of tables that were sampled (values are checked against
    all of them, not only the sampled keys); other tables' keys come from their sample.
    """
    every_key = every_key or {}
    found: list[ForeignKey] = []
    for name, table in tables.items():
        own = keys[name]
        own_key = own.columns if own else ()
        best: dict[tuple[str, ...], ForeignKey] = {}
        for target_name, target_key in sorted(keys.items()):
            if target_name == name or target_key is None:
                continue
            target = tables[target_name]
            key_rows = every_key.get(target_name)
            if key_rows is None:
                key_rows = target.frame[list(target_key.columns)]
            for fk in _references(table, target, target_key.columns, key_rows):
                if fk.columns == own_key:
                    continue
                current = best.get(fk.columns)
                if current is None or fk.share > current.share:
                    best[fk.columns] = fk
        found.extend(best[c] for c in sorted(best))
    return _one_direction(found, tables)


def _one_direction(found: list[ForeignKey], tables: dict[str, TableProfile]) -> list[ForeignKey]:
    """Two tables pointing at each other are 1:1: keep the side with more rows as the many side."""

    def size(fk: ForeignKey) -> tuple[int, str]:
        return (tables[fk.table].rows, fk.table)

    pairs = {(fk.table, fk.target): fk for fk in found}
    return [
        fk
        for fk in found
        if (fk.target, fk.table) not in pairs or size(fk) > size(pairs[(fk.target, fk.table)])
    ]


_TABLE_PREFIX = re.compile(r"^[a-z]{1,2}_(?=[a-z])")
_ID_SUFFIX = re.compile(r"_?(id|key|code|no|nr|num|number)$")


def core_name(name: str) -> str:
    """l_orderkey -> orderkey, ps_partkey -> partkey, customer_id -> customer_id."""
    return _TABLE_PREFIX.sub("", name.lower())


def stem_name(name: str) -> str:
    """orderkey -> order, customer_id -> customer, id -> ''."""
    return _ID_SUFFIX.sub("", core_name(name)).rstrip("_")


def _same_word(a: str, b: str) -> bool:
    """cust ~ customer, part ~ parts: one is the other's start and at least 3 letters long."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and long.startswith(short)


def _role_of(a: str, b: str) -> bool:
    """origin_airport ~ airport, return_city ~ city: `a` is `b` behind a role word; or an id
    followed by one (team_id_winner ~ team_id)."""
    return len(b) >= 3 and (a.endswith("_" + b) or (a.startswith(b + "_") and bool(_ID_SUFFIX.search(b))))


def role_word(column: str, key_column: str) -> str:
    """The role word of a column that plays a key: origin (origin_airport), winner (team_id_winner)."""
    a, b = core_name(column), core_name(key_column)
    if a == b:
        return ""
    return a[: -len(b) - 1] if a.endswith("_" + b) else a[len(b) + 1 :]


def name_affinity(column: str, key_column: str, target: str) -> bool:
    """Does `column` look like it names `key_column` of table `target`?"""
    a, b = core_name(column), core_name(key_column)
    if a == b or _role_of(a, b):
        return True
    if not (_ID_SUFFIX.search(a) and _ID_SUFFIX.search(b)):
        return False
    stem_a, stem_b = stem_name(column), stem_name(key_column)
    if stem_b and stem_a and (_same_word(stem_a, stem_b) or _role_of(stem_a, stem_b)):
        return True
    table_words = {target.lower(), singular_name(target.lower())}
    return (
        bool(stem_a) and not stem_b and any(_same_word(stem_a, w) or _role_of(stem_a, w) for w in table_words)
    )


def singular_name(name: str) -> str:
    """customers -> customer, categories -> category (as star.singular, without importing it)."""
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x")):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + replacement
    return name[:-1] if name.endswith("s") and not name.endswith("ss") and len(name) > 2 else name


def _references(
    table: TableProfile, target: TableProfile, key: tuple[str, ...], key_rows: pd.DataFrame
) -> list[ForeignKey]:
    options = [
        [
            c.name
            for c in table.columns
            if _family(c.type) == _family(target.column(k).type)
            and name_affinity(c.name, k, target.name)
            and _contained_share(table, c.name, key_rows[k])
        ]
        for k in key
    ]
    result = []
    for columns in product(*options):
        if len(set(columns)) != len(columns) or not _one_role(columns, key, table.sample.columns):
            continue
        fk = _containment(table, columns, target, key, key_rows)
        if fk is not None:
            same = all(core_name(c) == core_name(k) for c, k in zip(columns, key, strict=True))
            result.append(replace(fk, same_name=same))
    named = {fk.columns for fk in result}
    for column in _code_columns(table, target, key, key_rows):
        if (column,) in named:
            continue
        fk = _containment(table, (column,), target, key, key_rows)
        if fk is not None and fk.share >= MIN_CONTAINMENT:
            result.append(replace(fk, by_values=True))
    return result


def _code_columns(
    table: TableProfile, target: TableProfile, key: tuple[str, ...], key_rows: pd.DataFrame
) -> list[str]:
    """Text columns whose values are (almost) all codes of a single-column text key with at least
    MIN_CODES distinct codes: a reference by values, whatever the column is called."""
    if len(key) != 1 or target.column(key[0]).type != "string":
        return []
    codes = set(key_rows[key[0]].dropna().astype(str))
    if len(codes) < MIN_CODES:
        return []
    found = []
    for column in table.columns:
        if column.type != "string" or column.distinct < 2:
            continue
        values = table.frame[column.name].dropna().astype(str)
        if len(values) and values.isin(codes).mean() >= MIN_CONTAINMENT:
            found.append(column.name)
    return found


def _one_role(columns: tuple[str, ...], key: tuple[str, ...], table_columns: tuple[str, ...] = ()) -> bool:
    """Composite columns play one role: (return_city, return_branch_code), not (return_city,
    branch_code) when the table has return_branch_code. A column without a role is shared
    context when the table has no role version of it: (year_id, team_id_winner)."""
    words = [(column, role_word(column, key_column)) for column, key_column in zip(columns, key, strict=True)]
    played = {word for _, word in words if word}
    plain = [column for column, word in words if not word]
    if len(played) > 1:
        return False
    if not played or not plain:
        return True
    role = next(iter(played))
    names = set(table_columns)
    return not any(f"{role}_{c}" in names or f"{c}_{role}" in names for c in plain)


def _family(spark_type: str) -> str:
    whole = spark_type in INTEGER_TYPES or (spark_type.startswith("decimal") and spark_type.endswith(",0)"))
    return "integer" if whole else spark_type


def _contained_share(table: TableProfile, column: str, key_values: pd.Series) -> bool:
    values = table.frame[column].dropna()
    return len(values) > 0 and values.isin(set(key_values.dropna())).mean() >= MIN_SUGGESTED


def _containment(
    table: TableProfile,
    columns: tuple[str, ...],
    target: TableProfile,
    key: tuple[str, ...],
    key_rows: pd.DataFrame,
) -> ForeignKey | None:
    values = table.frame[list(columns)].dropna()
    keys = key_rows[list(key)].dropna().drop_duplicates()
    if values.empty or keys.empty:
        return None
    distinct = values.drop_duplicates()
    if len(distinct) < 2:
        return None
    value_rows = pd.MultiIndex.from_frame(values.astype(str))
    key_rows = pd.MultiIndex.from_frame(keys.astype(str))
    hits = int(value_rows.isin(key_rows).sum())
    if hits / len(values) < MIN_SUGGESTED:
        return None
    if all(_family(table.column(c).type) == "integer" for c in columns):
        covered = int(pd.MultiIndex.from_frame(distinct.astype(str)).isin(key_rows).sum())
        sampled_keys = len(target.frame[list(key)].dropna().drop_duplicates())
        if covered < min(len(keys), sampled_keys) * MIN_INTEGER_COVERAGE:
            return None
    return ForeignKey(table.name, tuple(columns), target.name, key, hits, len(values))
