"""The airline operations domain: its tables, columns and the star a data engineer would draw.

Nine tables in the `<root>/<table>/` layout. The design below is what the generator builds
the data to mean; tests compare what `medallion infer` drafts with it, and the oracle computes
gold figures from the raw files with it (never from the pipeline's own code).
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds: how a value is written (CSV text, Parquet type) and what type it should infer as.
STR, INT, MONEY, DEC4, DATE, TS, BOOL = "str", "int", "money", "dec4", "date", "ts", "bool"
KIND_TYPES = {
    STR: "string",
    INT: "int",
    MONEY: "decimal",
    DEC4: "decimal",
    DATE: "date",
    TS: "timestamp",
    BOOL: "boolean",
}
"""The Spark type (family for decimals) a column of each kind should be inferred as."""


@dataclass(frozen=True)
class Table:
    """One source table as designed: columns in file order (name, kind), key, change column."""

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    sequence_by: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def kind(self, column: str) -> str:
        return dict(self.columns)[column]


@dataclass(frozen=True)
class Link:
    """A foreign key: `columns` of `table` name the key of `target` (a dimension role in gold)."""

    table: str
    columns: tuple[str, ...]
    target: str


AIRPORTS = Table(
    "airports",
    (
        ("airport_code", STR),
        ("airport_name", STR),
        ("city", STR),
        ("country_code", STR),
        ("latitude", DEC4),
        ("longitude", DEC4),
        ("elevation_ft", INT),
        ("timezone", STR),
    ),
    ("airport_code",),
)
CARRIERS = Table(
    "carriers",
    (
        ("carrier_code", STR),
        ("carrier_name", STR),
        ("alliance", STR),
        ("country_code", STR),
        ("founded_year", INT),
    ),
    ("carrier_code",),
)
AIRCRAFT = Table(
    "aircraft",
    (
        ("tail_number", STR),
        ("carrier_code", STR),
        ("aircraft_model", STR),
        ("seats", INT),
        ("manufacture_year", INT),
    ),
    ("tail_number",),
)
FARE_CLASSES = Table(
    "fare_classes",
    (
        ("fare_class_code", STR),
        ("fare_class_name", STR),
        ("cabin", STR),
        ("refundable", BOOL),
        ("mileage_multiplier", MONEY),
    ),
    ("fare_class_code",),
)
PASSENGERS = Table(
    "passengers",
    (
        ("passenger_id", STR),
        ("first_name", STR),
        ("last_name", STR),
        ("email", STR),
        ("phone", STR),
        ("loyalty_tier", STR),
        ("birth_date", DATE),
        ("country_code", STR),
        ("updated_at", TS),
    ),
    ("passenger_id",),
    "updated_at",
)
FLIGHTS = Table(
    "flights",
    (
        ("carrier_code", STR),
        ("flight_number", INT),
        ("flight_date", DATE),
        ("origin_airport_code", STR),
        ("destination_airport_code", STR),
        ("tail_number", STR),
        ("scheduled_departure", TS),
        ("actual_departure", TS),
        ("departure_delay_minutes", INT),
        ("arrival_delay_minutes", INT),
        ("distance_miles", INT),
        ("passengers_boarded", INT),
        ("flight_status", STR),
        ("updated_at", TS),
    ),
    ("carrier_code", "flight_number", "flight_date"),
    "updated_at",
)
BOOKINGS = Table(
    "bookings",
    (
        ("booking_ref", STR),
        ("passenger_id", STR),
        ("booked_at", TS),
        ("sales_channel", STR),
        ("booking_status", STR),
        ("party_size", INT),
        ("total_amount", MONEY),
        ("notes", STR),
        ("updated_at", TS),
    ),
    ("booking_ref",),
    "updated_at",
)
SEGMENTS = Table(
    "segments",
    (
        ("booking_ref", STR),
        ("segment_number", INT),
        ("carrier_code", STR),
        ("flight_number", INT),
        ("flight_date", DATE),
        ("fare_class_code", STR),
        ("seat", STR),
        ("fare_amount", MONEY),
        ("tax_amount", MONEY),
        ("miles_earned", INT),
        ("segment_status", STR),
        ("updated_at", TS),
    ),
    ("booking_ref", "segment_number"),
    "updated_at",
)
PAYMENTS = Table(
    "payments",
    (
        ("payment_id", STR),
        ("booking_ref", STR),
        ("paid_at", TS),
        ("payment_method", STR),
        ("amount", MONEY),
        ("card_last4", STR),
    ),
    ("payment_id",),
)

TABLES: tuple[Table, ...] = (
    AIRPORTS,
    CARRIERS,
    AIRCRAFT,
    FARE_CLASSES,
    PASSENGERS,
    FLIGHTS,
    BOOKINGS,
    SEGMENTS,
    PAYMENTS,
)
BY_NAME = {t.name: t for t in TABLES}

LINKS: tuple[Link, ...] = (
    Link("aircraft", ("carrier_code",), "carriers"),
    Link("flights", ("carrier_code",), "carriers"),
    Link("flights", ("origin_airport_code",), "airports"),
    Link("flights", ("destination_airport_code",), "airports"),
    Link("flights", ("tail_number",), "aircraft"),
    Link("bookings", ("passenger_id",), "passengers"),
    Link("segments", ("booking_ref",), "bookings"),
    Link("segments", ("carrier_code",), "carriers"),
    Link("segments", ("carrier_code", "flight_number", "flight_date"), "flights"),
    Link("segments", ("fare_class_code",), "fare_classes"),
    Link("payments", ("booking_ref",), "bookings"),
)
"""Every foreign key; flights plays the airport dimension twice (origin and destination)."""

FACTS = ("flights", "bookings", "segments", "payments")
"""Tables with an event time, references and measures: the facts of the star."""
DIMENSIONS = ("airports", "carriers", "aircraft", "fare_classes", "passengers", "flights", "bookings")
"""Referenced tables: each becomes a dimension."""
PARQUET_IN_MIXED = ("carriers", "fare_classes", "flights", "payments")
"""The tables written as Parquet when the format is `mixed` (the rest are CSV)."""


def links_of(table: str) -> tuple[Link, ...]:
    return tuple(link for link in LINKS if link.table == table)
