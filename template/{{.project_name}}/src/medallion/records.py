"""Turn parsed records (JSON objects, CSV rows) into the spec's columns plus a rescue.

Known keys become STRING columns; keys the spec does not name, fields beyond a CSV file's
header, and records that do not parse at all go to `_rescued_data` (JSON text) so bronze drops
nothing. Text that was not valid in its encoding (U+FFFD after decoding) is never passed on as
if it were right: the value goes to `_rescued_data` with `_encoding_error`, the column is NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medallion.audit import RESCUED_DATA, SOURCE_FILE
from medallion.sql import literal, quote_identifier
from medallion.vocabulary import ENCODING_ERROR_KEY, RAW_RECORD_KEY, RAW_TEXT, RECORD, RESCUE_MAP

MAP_TYPE = "MAP<STRING,STRING>"
REPLACEMENT_CHARACTER = "\ufffd"
ENCODING_ERROR = (
    "the file is not valid in the encoding it was read with (UTF-8 unless source.options.encoding "
    "says otherwise); these values were not decodable: declare source.options.encoding, e.g. ISO-8859-1"
)
# CSV: positional columns read with Spark's parser, mapped to names with each file's header
POSITION = "_medallion_p{}"
CORRUPT = "_medallion_raw"
HEADER_GROUP = "_medallion_header"
EXTRA_KEY = "_c{}"
CSV_MARGIN = 8
_EMPTY_MAP = f"CAST(map() AS {MAP_TYPE})"


def json_record(text: str) -> str:
    """A JSON object's text -> MAP<STRING,STRING> (NULL when it is not a JSON object)."""
    return f"from_json({text}, {literal(MAP_TYPE)})"


def columns_from_record(
    names: tuple[str, ...],
    record: str = RECORD,
    raw: str = RAW_TEXT,
    sources: Mapping[str, str] | None = None,
) -> list[str]:
    """One STRING column per spec column (read by its source name), then `_rescued_data` for
    everything else."""
    read_as = dict(sources or {})
    known = f"array({', '.join(literal(read_as.get(n, n)) for n in names)})"
    unknown = f"map_filter({record}, (k, v) -> NOT array_contains({known}, k))"
    rescued = (
        f"CASE WHEN {raw} IS NULL THEN NULL "
        f"WHEN {record} IS NULL OR {not_kept_whole(raw)} THEN to_json(map({literal(RAW_RECORD_KEY)}, {raw})) "
        f"WHEN cardinality({unknown}) > 0 THEN to_json({unknown}) END AS {RESCUED_DATA}"
    )
    return [f"{record}[{literal(read_as.get(n, n))}] AS {quote_identifier(n)}" for n in names] + [rescued]


def json_columns(
    names: Sequence[str],
    record: str = RECORD,
    raw: str = RAW_TEXT,
    sources: Mapping[str, str] | None = None,
) -> list[str]:
    """A JSON record -> the spec's columns (each read by its source name) and `_rescue_map`
    (unknown keys, or the raw text)."""
    read_as = dict(sources or {})
    known = f"array({', '.join(literal(read_as.get(n, n)) for n in names)})"
    unknown = f"map_filter({record}, (k, v) -> NOT array_contains({known}, k))"
    whole = f"map({literal(RAW_RECORD_KEY)}, {raw})"
    rescue = (
        f"CASE WHEN {raw} IS NULL THEN {_EMPTY_MAP} "
        f"WHEN {record} IS NULL THEN {whole} "
        f"WHEN {not_kept_whole(raw)} THEN {whole} "
        f"ELSE {unknown} END AS {RESCUE_MAP}"
    )
    return [*(f"{record}[{literal(read_as.get(n, n))}] AS {quote_identifier(n)}" for n in names), rescue]


def not_kept_whole(raw: str) -> str:
    """A record the parsed map does not hold whole: a key written twice (the map keeps one of its
    values), text after the record's closing brace (the parser stops there), half a UTF-16 pair,
    or a number the parser prints otherwise. Its raw text is
    then rescued whole beside the columns (unknown keys included), so bronze keeps what was
    received; a map with a key twice is never built (Spark refuses it: DUPLICATED_MAP_KEY)."""
    keys = f"json_object_keys({raw})"
    duplicated = f"coalesce(size(array_distinct({keys})) <> size({keys}), false)"
    trailing = f"NOT ({raw} RLIKE {literal('}' + chr(92) + 's*$')})"
    lone = f"{raw} RLIKE {literal(LONE_SURROGATE)}"
    reprinted = f"{raw} RLIKE {literal(REPRINTED_NUMBER)}"
    return f"({duplicated} OR {trailing} OR {lone} OR {reprinted})"


REPRINTED_NUMBER = r"[:\[,]\s*-?(?:0|[1-9][0-9]*)(?:\.(?:[0-9]+0|[0-9]{16,})(?![0-9])|(?:\.[0-9]+)?[eE])"
"""A JSON number the parser reads as a double and prints otherwise: a fraction ending in 0 after
its first digit (1.10 -> 1.1), an exponent (1e2 -> 100.0), 16 or more decimals."""


LONE_SURROGATE = (
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
"""A JSON escape of half a UTF-16 pair (\\ud800 alone): no character, so a parser can only
replace it; the raw text keeps it."""


def checked_columns(names: Sequence[str], rescue: str = RESCUE_MAP) -> list[str]:
    """The spec's columns and `_rescued_data`, with undecodable text moved to the rescue.

    A value holding U+FFFD (what a decoder leaves for bytes it could not read) becomes NULL and
    goes to `_rescued_data` under its column name, next to `_encoding_error` saying how to fix it.
    """
    bad = REPLACEMENT_CHARACTER
    pairs = ", ".join(f"{literal(n)}, {quote_identifier(n)}" for n in names)
    undecodable = f"map_filter(map({pairs}), (k, v) -> contains(v, {literal(bad)}))"
    flagged = (
        f"cardinality({undecodable}) > 0 OR exists(map_values({rescue}), v -> contains(v, {literal(bad)}))"
    )
    note_map = f"map({literal(ENCODING_ERROR_KEY)}, {literal(ENCODING_ERROR)})"
    note = f"CASE WHEN {flagged} THEN {note_map} ELSE {_EMPTY_MAP} END"
    merged = f"map_concat({rescue}, {undecodable}, {note})"
    columns = [
        f"CASE WHEN contains({quote_identifier(n)}, {literal(bad)}) THEN NULL "
        f"ELSE {quote_identifier(n)} END AS {quote_identifier(n)}"
        for n in names
    ]
    rescued = f"CASE WHEN cardinality({merged}) > 0 THEN to_json({merged}) END AS {RESCUED_DATA}"
    return [*columns, rescued]


@dataclass(frozen=True)
class CsvLayout:
    """The headers of a table's CSV files: distinct headers, which file has which, read width."""

    headers: tuple[tuple[str, ...], ...]
    files: Mapping[str, int]

    @property
    def width(self) -> int:
        """Positional fields read per record: the widest header plus a margin for extra fields."""
        return max((len(h) for h in self.headers), default=0) + CSV_MARGIN

    def schema(self) -> str:
        """The reader's schema: every position as STRING, then the corrupt-record column."""
        return ", ".join([*(f"{POSITION.format(i)} STRING" for i in range(self.width)), f"{CORRUPT} STRING"])


def header_group(layout: CsvLayout, path: str = SOURCE_FILE) -> str:
    """Which header a row's file has (NULL for a file that was not there at definition time).

    `path` is `_metadata.file_path`, a URI with `%XX` escapes (a literal `+` stays as is); the
    layout's keys are plain `file:<absolute path>`.
    """
    if not layout.files:
        return f"CAST(NULL AS INT) AS {HEADER_GROUP}"
    entries = ", ".join(f"{literal(f)}, {g}" for f, g in sorted(layout.files.items()))
    decoded = f"try_url_decode(replace({path}, '+', '%2B'))"
    return f"try_element_at(map({entries}), {decoded}) AS {HEADER_GROUP}"


def rescue_keys(header: Sequence[str], names: Sequence[str]) -> dict[int, str]:
    """Rescue key per position of one header that is not a spec column (first occurrence wins)."""
    keys: dict[int, str] = {}
    seen: set[str] = set()
    reserved = {RAW_RECORD_KEY, ENCODING_ERROR_KEY}
    for position, name in enumerate(header):
        if name in names and name not in seen:
            seen.add(name)
            continue
        clash = not name or name in seen or name in reserved or name in names
        keys[position] = EXTRA_KEY.format(position) if clash else name
        seen.add(name)
    return keys


def csv_not_kept_whole(width: int, sep: str, quote: str) -> str:
    """A CSV record its parsed fields do not hold whole, from its raw text (`CORRUPT`):

    - it is not RFC 4180 (a quote inside a quoted field that is neither doubled nor closing,
      e.g. `"say \\"hi\\""` from a backslash-escaping writer: Spark's parser then keeps
      the quotes and splits the field at its comma);
    - a carriage return in it is in no field (the parser turns CRLF inside quotes into LF).

    Its raw text is then rescued whole beside the columns, as for JSON (`not_kept_whole`)."""
    field = rfc4180_field(sep, quote)
    shape = f"^(?:{field})(?:{_java_literal(sep)}(?:{field}))*+$"
    returns = " + ".join(f"coalesce({_count_cr(POSITION.format(i))}, 0)" for i in range(width))
    # CASE evaluates the per-field count only for the few records holding a carriage return
    has_return = f"contains({CORRUPT}, {literal(chr(13))})"
    lost_return = f"CASE WHEN {has_return} THEN {_count_cr(CORRUPT)} <> {returns} END"
    return f"(NOT ({CORRUPT} RLIKE {literal(shape)}) OR coalesce({lost_return}, false))"


def rfc4180_field(sep: str, quote: str) -> str:
    """One field as Java regex: quoted (a quote inside doubled) or unquoted (no separator, no line
    break, not starting with a quote). Possessive, so long records need no backtracking stack."""
    q, s = _java_literal(quote), _java_literal(sep)
    return f"{q}[^{q}]*+(?:{q}{q}[^{q}]*+)*+{q}|(?!{q})(?:(?!{s})[^\\r\\n])*+"


def _java_literal(text: str) -> str:
    """`text` as Java regex matching itself, in or out of a character class."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in text)


def _count_cr(text: str) -> str:
    return f"(length({text}) - length(replace({text}, {literal(chr(13))}, '')))"


def csv_columns(
    names: Sequence[str],
    layout: CsvLayout,
    sources: Mapping[str, str] | None = None,
    not_whole: str | None = None,
) -> list[str]:
    """Positional fields -> the spec's columns by each file's header (a column is found under
    its source name, `sources`, exactly as the header writes it), and `_rescue_map`.

    Unknown header columns are rescued under their names, fields beyond the header as `_c<i>`,
    and a record wider than the read width, or one matching `not_whole` (SQL, see
    `csv_not_kept_whole`), whole as `_raw_record`.
    A file whose header is unknown has every field rescued by position.
    """
    width = layout.width
    read_as = dict(sources or {})
    columns = []
    for name in names:
        source = read_as.get(name, name)
        branches = [
            f"WHEN {group} THEN {POSITION.format(header.index(source))}"
            for group, header in enumerate(layout.headers)
            if source in header
        ]
        value = f"CASE {HEADER_GROUP} {' '.join(branches)} END" if branches else "CAST(NULL AS STRING)"
        columns.append(f"{value} AS {quote_identifier(name)}")
    altered = f"{POSITION.format(width - 1)} IS NOT NULL" + (f" OR {not_whole}" if not_whole else "")
    overflow = f"CASE WHEN {altered} THEN {CORRUPT} END"

    def rescue_map(keys: Mapping[int, str]) -> str:
        pairs = [f"{literal(k)}, {POSITION.format(i)}" for i, k in sorted(keys.items())]
        pairs.append(f"{literal(RAW_RECORD_KEY)}, {overflow}")
        return f"map_filter(map({', '.join(pairs)}), (k, v) -> v IS NOT NULL)"

    groups = []
    for group, header in enumerate(layout.headers):
        keys = rescue_keys(header, [read_as.get(n, n) for n in names]) | {
            i: EXTRA_KEY.format(i) for i in range(len(header), width)
        }
        groups.append(f"WHEN {group} THEN {rescue_map(keys)}")
    unknown = rescue_map({i: EXTRA_KEY.format(i) for i in range(width)})
    rescue = f"CASE {HEADER_GROUP} {' '.join(groups)} ELSE {unknown} END AS {RESCUE_MAP}"
    return [*columns, rescue]
