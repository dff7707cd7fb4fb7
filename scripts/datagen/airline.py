"""Rows of the airline domain, deterministic from a seed and a target row count.

Reference tables (carriers, airports, aircraft, fare classes) are small and fixed in size;
a schedule of routes flown daily makes the flights; passengers book bookings of one to four
segments, paid by one or two payments. Dirt a real feed has is seeded on purpose and counted:
re-sent rows of a key with a later `updated_at` (a later delivery file), exact duplicates,
broken copies that must land in quarantine (a NULL key part, an unreadable `updated_at`),
orphan foreign keys, NULLs in optional columns, quoted text with commas, quotes and newlines,
mixed-case category values and CRLF line endings in some files.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from datagen import domain
from datagen.values import (
    BASE_DAY,
    CITIES,
    COUNTRIES,
    FARE_CLASSES,
    FARE_RANGES,
    FIRST_NAMES,
    LAST_NAMES,
    MODELS,
    NOT_A_TIME,
    NOTES,
    TIMEZONES,
    booking_ref,
    cents,
    code,
    picks,
)

Row = list[Any]
Sink = Callable[[str, Row], None]

AIRPORT_COUNT = 150
CARRIER_COUNT = 24
CARRIERS_PER_PAIR = 3
RESEND = {"passengers": 0.04, "flights": 0.03, "bookings": 0.05, "segments": 0.02}
UNREADABLE_TIME = 0.001
NULL_KEY = 0.0005
ORPHAN = {"flights": 0.002, "bookings": 0.003, "segments": 0.003, "payments": 0.002}
DUPLICATE = 0.005
SEGMENTS_PER_BOOKING = ((1, 35), (2, 45), (3, 12), (4, 8))
ORPHAN_FLIGHT_NUMBER = 9000
"""Flight numbers from here up belong to no route: a segment on one is an orphan."""


@dataclass(frozen=True)
class Plan:
    """Table sizes for a target total: bookings are about a fifth of the rows, the rest follow
    (each booking brings 1.9 segments, 1.03 payments, 0.3 passengers, 0.4 flights on average)."""

    rows: int

    @property
    def bookings(self) -> int:
        return max(200, self.rows * 26 // 125)

    @property
    def passengers(self) -> int:
        return max(100, self.bookings * 3 // 10)

    @property
    def routes(self) -> int:
        pairs = max(8, min(70, self.rows // 15_000))
        return pairs * CARRIERS_PER_PAIR * 2

    @property
    def days(self) -> int:
        return max(4, round(self.bookings * 0.4 / self.routes))

    @property
    def aircraft(self) -> int:
        return max(3 * CARRIER_COUNT, self.routes + self.routes // 5)

    def planned(self, table: str) -> int:
        """About how many rows a table gets (sizes its files); 0 for the small reference tables."""
        return {
            "passengers": self.passengers,
            "flights": self.routes * self.days,
            "bookings": self.bookings,
            "segments": self.bookings * 2,
            "payments": self.bookings * 11 // 10,
        }.get(table, 0)


@dataclass
class Counts:
    """What was seeded in one table, for the manifest."""

    resent: int = 0
    duplicates: int = 0
    quarantined: int = 0
    orphans: dict[str, int] = field(default_factory=dict)

    def orphan(self, columns: Sequence[str]) -> None:
        name = ",".join(columns)
        self.orphans[name] = self.orphans.get(name, 0) + 1


@dataclass(frozen=True)
class Route:
    carrier: str
    flight_number: int
    origin: str
    destination: str
    distance: int
    departs: time
    tails: tuple[str, str]


@dataclass
class Reference:
    """The small tables, kept in memory: later tables draw their foreign keys from them."""

    carriers: list[str]
    airports: list[str]
    fleet: dict[str, list[tuple[str, int]]]
    routes: list[Route]


def stamp(day: Any, clock: time) -> datetime:
    return datetime.combine(day, clock)


class Airline:
    """Generates every table in turn and hands each row to `sink(table, row)`."""

    def __init__(self, plan: Plan, seed: int, sink: Sink):
        self.plan = plan
        self.seed = seed
        self.sink = sink
        self.counts = {t.name: Counts() for t in domain.TABLES}
        self.tails: dict[str, list[Row]] = {t.name: [] for t in domain.TABLES}
        """Rows of the later delivery (re-sends, duplicates, broken copies), written last."""

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}/{table}")

    def emit(self, table: str, row: Row) -> None:
        self.sink(table, row)

    def later(self, table: str, row: Row) -> None:
        self.tails[table].append(row)

    def flush_later(self, table: str) -> None:
        rows = self.tails[table]
        self.rng(f"{table}/later").shuffle(rows)
        for row in rows:
            self.sink(table, row)
        self.tails[table] = []

    def broken_copies(self, table: str, rows: list[Row], rng: random.Random) -> None:
        """Copies that cannot be placed: a NULL key part, or an unreadable update time."""
        design = domain.BY_NAME[table]
        columns = design.column_names
        for index in picks(rng, len(rows), NULL_KEY):
            row = list(rows[index])
            row[columns.index(design.key[-1])] = None
            self.later(table, row)
            self.counts[table].quarantined += 1
        if design.sequence_by:
            for index in picks(rng, len(rows), UNREADABLE_TIME):
                row = list(rows[index])
                row[columns.index(design.sequence_by)] = NOT_A_TIME
                self.later(table, row)
                self.counts[table].quarantined += 1

    # -- reference tables ------------------------------------------------------------------

    def reference(self) -> Reference:
        carriers = self.carriers()
        airports = self.airports()
        fleet = self.aircraft(carriers)
        self.fare_classes()
        return Reference(carriers, airports, fleet, self.routes(carriers, airports, fleet))

    def carriers(self) -> list[str]:
        rng = self.rng("carriers")
        taken: set[str] = set()
        codes = []
        for number in range(CARRIER_COUNT):
            carrier = code(rng, 2, taken)
            codes.append(carrier)
            alliance = rng.choice(("Star Alliance", "oneworld", "SkyTeam", None))
            name = f"{rng.choice(CITIES)} {rng.choice(('Airways', 'Air', 'Airlines', 'Aviation'))} {number}"
            self.emit("carriers", [carrier, name, alliance, rng.choice(COUNTRIES), rng.randrange(1919, 2016)])
        return codes

    def airports(self) -> list[str]:
        rng = self.rng("airports")
        taken: set[str] = set()
        codes = []
        rows = []
        for number in range(AIRPORT_COUNT):
            airport = code(rng, 3, taken)
            codes.append(airport)
            city = rng.choice(CITIES)
            name = (
                f'{city} International, Terminal "{number % 5 + 1}"'
                if number % 3 == 0
                else f"{city} {airport}"
            )
            latitude = Decimal(rng.randrange(-600_000, 700_000)) / 10_000
            longitude = Decimal(rng.randrange(-1_799_999, 1_799_999)) / 10_000
            zone = rng.choice(TIMEZONES) if number % 10 else None
            row = [
                airport,
                name,
                city,
                rng.choice(COUNTRIES),
                latitude,
                longitude,
                rng.randrange(-1266, 14472),
                zone,
            ]
            rows.append(row)
            self.emit("airports", row)
        broken = list(rows[7])
        broken[0] = None
        self.emit("airports", broken)
        self.counts["airports"].quarantined += 1
        return codes

    def aircraft(self, carriers: list[str]) -> dict[str, list[tuple[str, int]]]:
        rng = self.rng("aircraft")
        fleet: dict[str, list[tuple[str, int]]] = {c: [] for c in carriers}
        taken: set[str] = set()
        for number in range(self.plan.aircraft):
            carrier = carriers[number % len(carriers)]
            model, seats = rng.choice(MODELS)
            tail = f"N{100 + number}{code(rng, 2, taken)}"
            fleet[carrier].append((tail, seats))
            self.emit("aircraft", [tail, carrier, model, seats, rng.randrange(1995, 2025)])
        return fleet

    def fare_classes(self) -> None:
        for fare_class, name, cabin, refundable, multiplier in FARE_CLASSES:
            self.emit("fare_classes", [fare_class, name, cabin, refundable, Decimal(multiplier)])

    def routes(
        self, carriers: list[str], airports: list[str], fleet: dict[str, list[tuple[str, int]]]
    ) -> list[Route]:
        """City pairs served both ways by several carriers, each with its own flight numbers."""
        rng = self.rng("routes")
        next_number = dict.fromkeys(carriers, 100)
        routes = []
        pairs = self.plan.routes // (CARRIERS_PER_PAIR * 2)
        for _ in range(pairs):
            origin, destination = rng.sample(airports, 2)
            distance = rng.randrange(90, 8_500)
            for carrier in rng.sample(carriers, CARRIERS_PER_PAIR):
                planes = rng.sample(fleet[carrier], 2)
                tails = (planes[0][0], planes[1][0])
                for there, back in ((origin, destination), (destination, origin)):
                    departs = time(rng.randrange(5, 23), rng.choice((0, 5, 15, 20, 30, 45, 50)))
                    routes.append(Route(carrier, next_number[carrier], there, back, distance, departs, tails))
                    next_number[carrier] += 1
        return routes

    # -- flights ---------------------------------------------------------------------------

    def flights(self, ref: Reference) -> None:
        rng = self.rng("flights")
        total = len(ref.routes) * self.plan.days
        resent = picks(rng, total, RESEND["flights"])
        orphans = picks(rng, total, ORPHAN["flights"])
        seats = {tail: n for planes in ref.fleet.values() for tail, n in planes}
        finals: list[Row] = []
        for day in range(self.plan.days):
            flight_date = BASE_DAY + timedelta(days=day)
            for number, route in enumerate(ref.routes):
                index = day * len(ref.routes) + number
                tail = route.tails[day % 2]
                if index in orphans:
                    tail = f"N0{len(finals) % 100:02d}QX"
                    self.counts["flights"].orphan(("tail_number",))
                row = self.flight(rng, route, flight_date, tail, seats.get(tail, 150))
                finals.append(row)
                if index in resent:
                    self.emit("flights", self.scheduled_version(row))
                    self.later("flights", row)
                    self.counts["flights"].resent += 1
                else:
                    self.emit("flights", row)
        self.broken_copies("flights", finals, rng)
        self.flush_later("flights")

    @staticmethod
    def flight(rng: random.Random, route: Route, flight_date: Any, tail: str, seats: int) -> Row:
        scheduled = stamp(flight_date, route.departs)
        roll = rng.random()
        if roll < 0.02:
            status, actual, delay, arrival, boarded = "cancelled", None, None, None, None
        else:
            delay = rng.randrange(-12, 35) if rng.random() < 0.9 else rng.randrange(35, 1_440)
            arrival = delay + rng.randrange(-25, 20)
            actual = scheduled + timedelta(minutes=delay)
            status = "diverted" if roll < 0.025 else "landed"
            boarded = rng.randrange(0, seats + 1)
        updated = scheduled + timedelta(hours=rng.randrange(2, 30), seconds=rng.randrange(3600))
        return [
            route.carrier,
            route.flight_number,
            flight_date,
            route.origin,
            route.destination,
            tail,
            scheduled,
            actual,
            delay,
            arrival,
            route.distance,
            boarded,
            status,
            updated,
        ]

    @staticmethod
    def scheduled_version(final: Row) -> Row:
        """The same flight as first sent, before it flew: no times, no delays, an earlier update."""
        row = list(final)
        row[7:10] = [None, None, None]
        row[11] = None
        row[12] = "scheduled"
        row[13] = final[6] - timedelta(days=1, minutes=17)
        return row

    # -- passengers ------------------------------------------------------------------------

    def passengers(self) -> None:
        rng = self.rng("passengers")
        count = self.plan.passengers
        resent = picks(rng, count, RESEND["passengers"])
        finals: list[Row] = []
        for number in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            handle = "".join(
                ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == ".")
            )
            email = f"{handle}{number}@example.com" if rng.random() > 0.05 else None
            if email and rng.random() < 0.03:
                email = email.upper()
            phone = f"+1-555-{rng.randrange(10_000):04d}" if rng.random() > 0.1 else None
            tier = rng.choices(("none", "silver", "gold", "platinum"), (60, 25, 11, 4))[0]
            born = (
                BASE_DAY - timedelta(days=rng.randrange(18 * 365, 85 * 365)) if rng.random() > 0.02 else None
            )
            updated = datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(400_000))
            row = [f"P{number:07d}", first, last, email, phone, tier, born, rng.choice(COUNTRIES), updated]
            finals.append(row)
            if number in resent:
                upgraded = list(row)
                upgraded[5] = {"none": "silver", "silver": "gold"}.get(tier, "platinum")
                upgraded[8] = updated + timedelta(days=rng.randrange(1, 200))
                self.emit("passengers", row)
                self.later("passengers", upgraded)
                finals[-1] = upgraded
                self.counts["passengers"].resent += 1
            else:
                self.emit("passengers", row)
        self.broken_copies("passengers", finals, rng)
        self.flush_later("passengers")

    # -- bookings, segments, payments ------------------------------------------------------

    def trips(self, ref: Reference) -> None:
        """Every booking with its segments and payments (three tables written side by side)."""
        rng = self.rng("bookings")
        count = self.plan.bookings
        resent = picks(rng, count, RESEND["bookings"])
        orphans = picks(rng, count, ORPHAN["bookings"])
        finals: dict[str, list[Row]] = {"bookings": [], "segments": [], "payments": []}
        payment_number = 0
        for number in range(count):
            reference = booking_ref(number)
            passenger = f"P{rng.randrange(self.plan.passengers):07d}"
            if number in orphans:
                passenger = f"P{self.plan.passengers + number:07d}"
                self.counts["bookings"].orphan(("passenger_id",))
            segments = self.segments(rng, ref, reference)
            first_day = segments[0][4]
            booked = stamp(first_day, time(0)) - timedelta(
                days=rng.randrange(1, 150), seconds=rng.randrange(86_400)
            )
            total = sum((s[7] + s[8] for s in segments), Decimal("0.00"))
            channel = rng.choices(("web", "app", "agent", "call_center"), (50, 30, 15, 5))[0]
            if rng.random() < 0.01:
                channel = channel.upper()
            status = rng.choices(("confirmed", "ticketed", "cancelled"), (70, 20, 10))[0]
            notes = rng.choice(NOTES) if rng.random() < 0.03 else None
            updated = booked + timedelta(minutes=rng.randrange(1, 600))
            booking = [
                reference,
                passenger,
                booked,
                channel,
                status,
                rng.randrange(1, 7),
                total,
                notes,
                updated,
            ]
            finals["bookings"].append(booking)
            if number in resent:
                held = [*booking[:4], "held", booking[5], total + cents(rng, 1, 40), booking[7], booked]
                self.emit("bookings", held)
                self.later("bookings", booking)
                self.counts["bookings"].resent += 1
            else:
                self.emit("bookings", booking)
            for segment in segments:
                segment[11] = updated + timedelta(minutes=rng.randrange(1, 60))
                finals["segments"].append(segment)
                self.segment_versions(rng, segment)
            payment_number = self.payments(rng, booking, payment_number, count, finals["payments"])
        for table, rows in finals.items():
            self.broken_copies(table, rows, self.rng(f"{table}/broken"))
            self.flush_later(table)

    def segments(self, rng: random.Random, ref: Reference, reference: str) -> list[Row]:
        legs = rng.choices([n for n, _ in SEGMENTS_PER_BOOKING], [w for _, w in SEGMENTS_PER_BOOKING])[0]
        day = rng.randrange(self.plan.days)
        rows = []
        for leg in range(1, legs + 1):
            route = rng.choice(ref.routes)
            number = route.flight_number
            if rng.random() < ORPHAN["segments"]:
                number = ORPHAN_FLIGHT_NUMBER + rng.randrange(900)
                self.counts["segments"].orphan(("carrier_code", "flight_number", "flight_date"))
            fare = rng.choices(FARE_CLASSES, (2, 1, 3, 3, 2, 6, 10, 14, 16, 16, 14, 13))[0]
            fare_code: str | None = fare[0]
            if rng.random() < 0.002:
                fare_code = None
                self.counts["segments"].orphan(("fare_class_code",))
            low, high = FARE_RANGES[fare[2]]
            seat = f"{rng.randrange(1, 60)}{rng.choice('ABCDEFHJK')}" if rng.random() > 0.15 else None
            miles = int(route.distance * Decimal(fare[4]))
            flight_date = BASE_DAY + timedelta(days=day)
            rows.append(
                [
                    reference,
                    leg,
                    route.carrier,
                    number,
                    flight_date,
                    fare_code,
                    seat,
                    cents(rng, low, high),
                    cents(rng, 5, 350),
                    miles,
                    "ticketed",
                    None,
                ]
            )
            day = min(self.plan.days - 1, day + rng.randrange(0, 4))
        return rows

    def segment_versions(self, rng: random.Random, segment: Row) -> None:
        """Most segments are sent once; some again later, flown (and some with a corrected tax)."""
        if rng.random() >= RESEND["segments"]:
            self.emit("segments", segment)
            return
        self.emit("segments", list(segment))
        segment[10] = rng.choice(("flown", "no_show", "refunded"))
        if rng.random() < 0.5:
            segment[8] = segment[8] + cents(rng, 1, 9)
        segment[11] = segment[11] + timedelta(days=rng.randrange(1, 90), seconds=rng.randrange(1, 3600))
        self.later("segments", segment)
        self.counts["segments"].resent += 1

    def payments(
        self, rng: random.Random, booking: Row, number: int, bookings: int, finals: list[Row]
    ) -> int:
        """One payment per booking, a refund beside it for some; a few point at no booking."""
        reference = booking[0]
        if rng.random() < ORPHAN["payments"]:
            reference = booking_ref(bookings + number)
            self.counts["payments"].orphan(("booking_ref",))
        paid = booking[2] + timedelta(minutes=rng.randrange(1, 90))
        amounts = [booking[6]]
        if rng.random() < 0.08:
            amounts.append(-cents(rng, 10, 300))
        for amount in amounts:
            method = rng.choices(("card", "voucher", "miles", "bank_transfer"), (80, 8, 7, 5))[0]
            last4 = f"{rng.randrange(10_000):04d}" if method == "card" else None
            row = [f"PAY{number:08d}", reference, paid, method, amount, last4]
            finals.append(row)
            self.emit("payments", row)
            if rng.random() < DUPLICATE:
                self.later("payments", list(row))
                self.counts["payments"].duplicates += 1
            number += 1
            paid += timedelta(days=rng.randrange(1, 30))
        return number

    def run(self) -> None:
        """Every table, reference tables first."""
        ref = self.reference()
        self.flights(ref)
        self.passengers()
        self.trips(ref)
