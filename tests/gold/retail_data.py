"""A small hand-made retail silver layer with known answers, and the gold star built from it."""

from __future__ import annotations

from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession

from medallion.gold.dates import date_dimension
from medallion.gold.dimensions import build_dimension
from medallion.gold.facts import build_fact
from medallion.gold.frames import latest_first, one_per
from medallion.spec import Spec
from tests.gold.frames import silver
from tests.gold.test_scd2 import HISTORY as CUSTOMER_HISTORY


def _product(pid: str, at: str, price: str, category: str = "books") -> dict[str, object]:
    return {
        "product_id": pid,
        "name": pid.upper(),
        "category": category,
        "list_price": Decimal(price),
        "updated_at": at,
        "_ingested_at": at,
    }


PRODUCT_HISTORY = [
    _product("p1", "2024-01-01", "9.99"),
    _product("p1", "2024-04-01", "12.00"),
    _product("p2", "2024-01-01", "5.00", "toys"),
]


def _line(
    order: str,
    line: int,
    customer: str | None,
    product: str | None,
    at: str | None,
    qty: int,
    price: str,
    discount: str | None = None,
    status: str = "placed",
) -> dict[str, object]:
    return {
        "order_id": order,
        "line_number": line,
        "customer_id": customer,
        "product_id": product,
        "order_ts": at,
        "status": status,
        "quantity": qty,
        "unit_price": Decimal(price),
        "discount": None if discount is None else Decimal(discount),
        "updated_at": at or "2024-06-01",
    }


ORDERS = [
    _line("o1", 1, "c1", "p1", "2023-12-01", 2, "10.00"),  # before c1's first version: earliest
    _line("o1", 2, "c1", "p2", "2024-02-20", 1, "5.00", "0.50"),  # second version
    _line("o2", 1, "c1", "p1", "2024-03-01", 3, "12.00", status="cancelled"),  # boundary: third version
    _line("o3", 1, "c2", "p9", "2024-05-05", 1, "7.25"),  # orphan product
    _line("o4", 1, "cX", "p1", "2024-05-06", 4, "12.00", "1.00"),  # orphan customer
    _line("o5", 1, None, "p2", "2024-05-07", 2, "5.00"),  # NULL customer
    _line("o6", 1, "c2", "p2", None, 1, "5.00"),  # NULL event time
]
EXPECTED_ORPHANS = {"customer": 2, "product": 1}
EXPECTED_AMOUNT = (
    Decimal("20.00")
    + Decimal("4.50")
    + Decimal("36.00")
    + Decimal("7.25")
    + Decimal("47.00")
    + Decimal("10.00")
    + Decimal("5.00")
)


def latest(history: DataFrame, key: list[str], sequence_by: str = "updated_at") -> DataFrame:
    """silver_<t> stand-in: the newest version per key."""
    return one_per(history, key, latest_first(sequence_by, []), history.columns)


def retail_star(spark: SparkSession, spec: Spec) -> dict[str, DataFrame]:
    """Silver inputs and every gold table of the retail star, as DataFrames."""
    customers = silver(spark, spec, "customers", CUSTOMER_HISTORY)
    products = silver(spark, spec, "products", PRODUCT_HISTORY)
    orders = silver(spark, spec, "orders", ORDERS)
    dims = {d.name: d for d in spec.gold.dimensions}
    tables = {
        "silver_orders": orders,
        "dim_customer": build_dimension(
            spec, dims["customer"], latest(customers, ["customer_id"]), customers
        ),
        "dim_product": build_dimension(spec, dims["product"], latest(products, ["product_id"]), products),
        "dim_date": date_dimension(orders, "order_ts"),
    }
    fact = spec.gold.facts[0]
    links = {d: tables[f"dim_{d}"] for d in fact.dimension_names}
    tables["fact_sales"] = build_fact(spec, fact, orders, links)
    return {name: frame.cache() for name, frame in tables.items()}
