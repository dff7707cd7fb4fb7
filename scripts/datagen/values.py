"""Building blocks of generated values: name pools, codes, dirt markers, deterministic picks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

BASE_DAY = date(2025, 1, 6)
BASE_TIME = datetime(2024, 6, 1, 0, 0, 0)
CODE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols: booking references are index * an odd number mod 32**6, so all distinct."""

FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "Dmitri", "Émile", "Fatima", "George", "Hana", "Ivan", "Jürgen",
    "Kofi", "Lena", "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zoë", "Mary Ann", "Jean-Luc",
)  # fmt: skip
LAST_NAMES = (
    "O'Brien", "Smith, Jr.", "García", "Müller", "Nguyen", 'Van "The Man" Dyke', "Kowalski",
    "Okafor", "Rossi", "Tanaka", "Dubois", "Ivanova", "Haddad", "Kim", "Silva", "Schmidt",
    "de la Cruz", "Ó Súilleabháin", "Lee", "Andersson",
)  # fmt: skip
CITIES = (
    "Springfield", "Riverton", "Lakeside", "Hillview", "Portsmouth", "Fairview", "Georgetown",
    "Kingston", "Salem", "Clinton", "Madison", "Franklin", "Washington, D.C.", "St. John's",
    "Ashford", "Bristol", "Dover", "Easton", "Milton", "Newport",
)  # fmt: skip
COUNTRIES = ("US", "CA", "GB", "DE", "FR", "ES", "IT", "NL", "JP", "BR", "AU", "IN", "ZA", "MX")
TIMEZONES = ("UTC", "America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin", "Asia/Tokyo")
NOTES = (
    "Wheelchair assistance, gate to seat",
    'Passenger asked for a "quiet" row',
    "Travelling with infant, bassinet requested\nConfirm at check-in",
    'Group booking, see "agent" notes, "party" of 9',
    "Special meal: vegetarian, no nuts\r\nAllergy on file",
    "Pet in cabin; carrier 40x30x20",
)  # fmt: skip
MODELS = (
    ("A320", 180),
    ("A321neo", 220),
    ("B737-800", 189),
    ("B787-9", 290),
    ("E175", 76),
    ("A350-900", 325),
)
FARE_CLASSES = (
    ("F", "First flexible", "first", True, "3.00"),
    ("A", "First saver", "first", False, "2.50"),
    ("J", "Business flexible", "business", True, "2.00"),
    ("C", "Business standard", "business", True, "1.75"),
    ("D", "Business saver", "business", False, "1.50"),
    ("W", "Premium economy", "premium", True, "1.25"),
    ("Y", "Economy flexible", "economy", True, "1.00"),
    ("B", "Economy standard", "economy", True, "0.75"),
    ("M", "Economy classic", "economy", False, "0.50"),
    ("K", "Economy light", "economy", False, "0.50"),
    ("Q", "Economy promo", "economy", False, "0.25"),
    ("V", "Economy basic", "economy", False, "0.25"),
)
FARE_RANGES = {"first": (1500, 25000), "business": (400, 7000), "premium": (150, 1800), "economy": (39, 900)}


@dataclass(frozen=True)
class Bad:
    """A value that is not of its column's type: written as this text in CSV, as NULL in Parquet."""

    text: str


NOT_A_TIME = Bad("not available")


def code(rng: random.Random, length: int, taken: set[str]) -> str:
    """A new upper-case code of `length` letters, not in `taken` (which it joins)."""
    while True:
        value = "".join(rng.choice(CODE_LETTERS) for _ in range(length))
        if value not in taken:
            taken.add(value)
            return value


def booking_ref(index: int) -> str:
    """A distinct six-symbol reference for every index below 32**6."""
    number = (index * 493_854_647 + 170_891_339) % 32**6
    symbols = []
    for _ in range(6):
        number, digit = divmod(number, 32)
        symbols.append(REF_ALPHABET[digit])
    return "".join(symbols)


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    """A money amount between `low` and `high` units, to the cent."""
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def picks(rng: random.Random, count: int, share: float, minimum: int = 2) -> set[int]:
    """`share` of the indices below `count` (at least `minimum`), chosen deterministically."""
    wanted = min(count, max(minimum, round(count * share)))
    return set(rng.sample(range(count), wanted))
