"""The dirty retail sample: deterministic batches of customers, products and order lines.

Every seeded defect is listed in `manifest.json` with the outcome the pipeline must produce,
so tests (and users) can check where each bad row ended up.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from medallion.spec.model import Spec
from medallion.vocabulary import FILE_FORMATS, SOURCE_TYPES

Row = dict[str, Any]
"""One source record."""

FORMATS = FILE_FORMATS
TABLES = ("customers", "products", "orders")
SAMPLE_FOLDER = Path("fixtures") / "sample"
"""Where `medallion run-local` reads the sources unless told otherwise (the demo writes the sample there)."""


def is_retail(spec: Spec) -> bool:
    """True for the bundled retail example (the sample data fits it)."""
    return set(spec.source_names) == set(TABLES)


PRIMARY_KEYS = {
    "customers": ("customer_id",),
    "products": ("product_id",),
    "orders": ("order_id", "line_number"),
}
BASE_TIME = datetime(2024, 1, 1, 8, 0, 0)
SEED = 20240101
COUNTRIES = ("DE", "FR", "US", "GB", "NL", "es")
SEGMENTS = ("consumer", "corporate", "small_business")
CATEGORIES = ("Books", "Garden", "Toys", "Kitchen", "Sports")
Record = dict[str, Any]


def stamp(moment: datetime) -> str:
    """Timestamps as the shop system writes them."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Sample:
    """Batches per table (one file each) and the defect manifest."""

    batches: dict[str, list[list[Record]]] = field(default_factory=lambda: {t: [[], [], []] for t in TABLES})
    defects: list[dict[str, Any]] = field(default_factory=list)

    def add(self, table: str, batch: int, record: Record) -> Record:
        self.batches[table][batch].append(record)
        return record

    def defect(self, table: str, record: Record, defect: str, expect: str, **details: Any) -> None:
        """Note a seeded defect: `match` holds raw values that identify the row(s)."""
        key = {k: record.get(k) for k in PRIMARY_KEYS[table]}
        match = {k: _raw(v) for k, v in record.items() if k in (*PRIMARY_KEYS[table], "name", "updated_at")}
        self.defects.append(
            {"table": table, "key": key, "match": match, "defect": defect, "expect": expect, **details}
        )


def _raw(value: Any) -> str | None:
    return None if value is None else str(value)


def generate(scale: int = 1, seed: int = SEED) -> Sample:
    """Build the whole sample in memory; the same arguments always give the same rows."""
    rng = random.Random(seed)
    sample = Sample()
    customers = _customers(sample, rng, 60 * scale)
    products = _products(sample, rng, max(20, 20 * min(scale, 50)))
    _orders(sample, rng, 120 * scale, customers, products)
    return sample


def _customers(sample: Sample, rng: random.Random, count: int) -> list[str]:
    ids = [f"C{i:06d}" for i in range(1, count + 1)]
    first: dict[str, Record] = {}
    for index, cid in enumerate(ids):
        first[cid] = sample.add(
            "customers",
            0,
            {
                "customer_id": cid,
                "name": f"Customer {index + 1}",
                "email": f"Customer{index + 1}@Example.com",
                "country": rng.choice(COUNTRIES),
                "segment": rng.choice(SEGMENTS),
                "updated_at": stamp(BASE_TIME + timedelta(minutes=index)),
            },
        )
    changed = ids[: max(3, count // 10)]
    for index, cid in enumerate(changed):
        newer = sample.add(
            "customers",
            1,
            {
                **first[cid],
                "country": "NL",
                "segment": "corporate",
                "updated_at": stamp(BASE_TIME + timedelta(days=10, minutes=index)),
            },
        )
        if index == 0:
            sample.defect(
                "customers", newer, "attribute_change", "silver_value", column="country", value="NL"
            )
    late = sample.add(
        "customers",
        2,
        {**first[changed[1]], "country": "FR", "updated_at": stamp(BASE_TIME + timedelta(days=5))},
    )
    sample.defect("customers", late, "late_update", "superseded", column="country", value="NL")
    duplicate = first[ids[2]]
    sample.add("customers", 0, dict(duplicate))
    sample.defect("customers", duplicate, "exact_duplicate", "duplicate")
    bad: list[tuple[Row, str, str, str]] = [
        ({"customer_id": None, "name": "Nobody"}, "null_key", "quarantine", "not_null_customer_id"),
        (
            {"customer_id": "C900001", "updated_at": "yesterday"},
            "bad_timestamp_text",
            "quarantine",
            "not_null_updated_at",
        ),
        ({"customer_id": "C900002", "email": "not-an-email"}, "bad_email", "warn", "valid_email_email"),
        ({"customer_id": "C900003", "segment": "Enterprise"}, "unknown_segment", "warn", "accepted_segment"),
    ]
    for overrides, defect, expect, rule in bad:
        record = sample.add("customers", 1, {**first[ids[-1]], "name": f"Defect {defect}", **overrides})
        sample.defect("customers", record, defect, expect, rule=rule)
    extra = sample.add(
        "customers",
        2,
        {**first[ids[3]], "loyalty_tier": "gold", "updated_at": stamp(BASE_TIME + timedelta(days=20))},
    )
    sample.defect("customers", extra, "extra_column", "rescued", column="loyalty_tier", value="gold")
    return ids


def _products(sample: Sample, rng: random.Random, count: int) -> dict[str, float]:
    prices: dict[str, float] = {}
    for index in range(count):
        pid = f"P{index + 1:05d}"
        prices[pid] = round(rng.uniform(2, 200), 2)
        sample.add(
            "products",
            0,
            {
                "product_id": pid,
                "name": f"Product {index + 1}",
                "category": rng.choice(CATEGORIES),
                "list_price": prices[pid],
                "updated_at": stamp(BASE_TIME + timedelta(minutes=index)),
            },
        )
    repriced = sample.add(
        "products",
        1,
        {
            **sample.batches["products"][0][0],
            "list_price": 9.99,
            "updated_at": stamp(BASE_TIME + timedelta(days=3)),
        },
    )
    sample.defect("products", repriced, "price_change", "silver_value", column="list_price", value="9.99")
    template = sample.batches["products"][0][-1]
    bad: list[tuple[Row, str, str]] = [
        ({"product_id": "P90001", "list_price": -5.0}, "negative_price", "non_negative_list_price"),
        ({"product_id": "P90002", "list_price": "12,99"}, "bad_price_text", "non_negative_list_price"),
        ({"product_id": None}, "null_key", "not_null_product_id"),
    ]
    for overrides, defect, rule in bad:
        record = sample.add("products", 1, {**template, "name": f"Defect {defect}", **overrides})
        sample.defect("products", record, defect, "quarantine", rule=rule)
    return prices


def _orders(
    sample: Sample, rng: random.Random, count: int, customers: list[str], prices: dict[str, float]
) -> None:
    product_ids = list(prices)
    lines: list[Record] = []
    for index in range(count):
        order_ts = BASE_TIME + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1439))
        for line in range(1, rng.randint(1, 4) + 1):
            pid = rng.choice(product_ids)
            lines.append(
                sample.add(
                    "orders",
                    0 if index < count * 0.6 else 1,
                    {
                        "order_id": f"O{index + 1:07d}",
                        "line_number": line,
                        "customer_id": rng.choice(customers),
                        "product_id": pid,
                        "order_ts": stamp(order_ts),
                        "status": "placed",
                        "quantity": rng.randint(1, 5),
                        "unit_price": prices[pid],
                        "discount": rng.choice((0, 0, 0, 1.5, 5)),
                        "updated_at": stamp(order_ts),
                    },
                )
            )
    first = lines[0]
    later = datetime.strptime(first["updated_at"], "%Y-%m-%d %H:%M:%S")
    shipped = sample.add(
        "orders", 1, {**first, "status": " Shipped ", "updated_at": stamp(later + timedelta(days=2))}
    )
    sample.defect("orders", shipped, "status_update", "silver_value", column="status", value="shipped")
    sample.add("orders", 2, {**first, "status": "placed", "updated_at": stamp(later + timedelta(days=1))})
    sample.defect("orders", first, "late_update", "superseded", column="status", value="shipped")
    sample.add("orders", 0, dict(lines[1]))
    sample.defect("orders", lines[1], "exact_duplicate", "duplicate")
    template = lines[-1]
    quarantined: list[tuple[Row, str, str]] = [
        ({"quantity": "two"}, "bad_quantity_text", "range_quantity"),
        ({"quantity": 0}, "zero_quantity", "range_quantity"),
        ({"status": "lost"}, "unknown_status", "accepted_status"),
        ({"order_id": None}, "null_key", "not_null_order_id"),
        ({"order_ts": "31/02/2024"}, "bad_date_text", "not_null_order_ts"),
        ({"unit_price": -1}, "negative_price", "non_negative_unit_price"),
    ]
    for number, (overrides, defect, rule) in enumerate(quarantined):
        record = sample.add("orders", 2, {**template, "order_id": f"Q{number + 1:07d}", **overrides})
        sample.defect("orders", record, defect, "quarantine", rule=rule)
    warned: list[tuple[Row, str, str, dict[str, str]]] = [
        ({"order_ts": "2099-01-01 00:00:00"}, "future_order_ts", "warn", {"rule": "not_in_future_order_ts"}),
        ({"discount": 10000}, "discount_above_value", "warn", {"rule": "discount_within_price"}),
        ({"customer_id": "C999999"}, "orphan_customer", "orphan", {"column": "customer_id"}),
        ({"product_id": "P99999"}, "orphan_product", "orphan", {"column": "product_id"}),
        (
            {"coupon_code": "WELCOME10"},
            "extra_column",
            "rescued",
            {"column": "coupon_code", "value": "WELCOME10"},
        ),
    ]
    for number, (overrides, defect, expect, details) in enumerate(warned):
        record = sample.add("orders", 2, {**template, "order_id": f"W{number + 1:07d}", **overrides})
        sample.defect("orders", record, defect, expect, **details)


# -- writing ---------------------------------------------------------------------------------


def write_batch(
    folder: Path, table: str, part: int, records: list[Record], fmt: str, source_type: str
) -> Path:
    """Write one batch file: DIR/<table>/part-000N.<ext> (Kafka-shaped for kafka sources)."""
    target = folder / table
    target.mkdir(parents=True, exist_ok=True)
    if source_type == "kafka":
        return _write_json(target / f"part-{part:04d}.json", _kafka_records(table, part, records))
    if source_type == "delta" or fmt == "parquet":
        return _write_parquet(target / f"part-{part:04d}.parquet", records)
    if fmt == "csv":
        return _write_csv(target / f"part-{part:04d}.csv", records)
    return _write_json(target / f"part-{part:04d}.json", records)


def _columns(records: list[Record]) -> list[str]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    return list(names)


def _write_json(path: Path, records: list[Record]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _write_csv(path: Path, records: list[Record]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_columns(records), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.write_text(buffer.getvalue())
    return path


def _write_parquet(path: Path, records: list[Record]) -> Path:
    """Raw landing Parquet: every column as text, as a loader would land it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = _columns(records)
    data = {c: pa.array([_raw(r.get(c)) for r in records], pa.string()) for c in columns}
    pq.write_table(pa.table(data), path)
    return path


def _kafka_records(table: str, part: int, records: list[Record]) -> list[Record]:
    keys = PRIMARY_KEYS[table]
    return [
        {
            "key": "|".join(str(r.get(k)) for k in keys),
            "value": json.dumps(r),
            "topic": table,
            "partition": 0,
            "offset": part * 1_000_000 + index,
            "timestamp": (BASE_TIME + timedelta(days=part)).isoformat(),
        }
        for index, r in enumerate(records)
    ]


def layout_for(spec: Spec) -> tuple[str, str]:
    """(format, source type) in which the spec's sources read the sample; ValueError saying why
    the sample does not fit (other tables, or tables read in different ways)."""
    if set(spec.source_names) != set(TABLES):
        raise ValueError(
            f"the spec's sources ({', '.join(spec.source_names)}) are not the sample's ({', '.join(TABLES)})"
        )
    ways = {(s.source.format or "json", s.source.type) for s in spec.sources}
    if len(ways) != 1:
        shown = ", ".join(f"{s.name}: {s.source.type} {s.source.format or 'json'}" for s in spec.sources)
        raise ValueError(f"the sample is written one way for every table; the spec reads {shown}")
    return ways.pop()


def write_sample(
    out: Path, fmt: str = "json", source_type: str = "files", scale: int = 1, seed: int = SEED
) -> dict[str, Any]:
    """Generate and write the sample plus manifest.json; return the manifest."""
    if fmt not in FORMATS or source_type not in SOURCE_TYPES:
        raise ValueError(f"format must be one of {FORMATS} and source type one of {SOURCE_TYPES}")
    sample = generate(scale, seed)
    tables: dict[str, Any] = {}
    for table, batches in sample.batches.items():
        files = [write_batch(out, table, i + 1, b, fmt, source_type) for i, b in enumerate(batches) if b]
        tables[table] = {
            "rows": sum(len(b) for b in batches),
            "files": [str(f.relative_to(out)) for f in files],
        }
    manifest = {
        "seed": seed,
        "scale": scale,
        "format": fmt,
        "source_type": source_type,
        "tables": tables,
        "defects": sample.defects,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
