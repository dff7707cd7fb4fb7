"""Execute the Databricks code path against the recording `dp` and a recording Spark."""

from __future__ import annotations

import inspect
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyspark import pipelines

from medallion.bronze import define_bronze
from medallion.context import PipelineContext, Settings, SettingsError
from medallion.silver import define_silver
from tests.pipeline.specs import retail_document, write_variant
from tests.rendering import render_project
from tests.support.recording_dp import RecordingDP, RecordingFrame, RecordingSpark

VOLUME = "/Volumes/main/raw/landing"


def define(spec_path: Path, engine: str = "databricks", **conf: str) -> RecordingDP:
    dp = RecordingDP()
    settings = {
        "medallion.engine": engine,
        "medallion.spec_path": str(spec_path),
        "medallion.source_location": VOLUME,
        **conf,
    }
    ctx = PipelineContext.from_pipeline(dp, RecordingSpark(settings))
    define_bronze(ctx)
    define_silver(ctx)
    return dp


def frame(dp: RecordingDP, name: str) -> RecordingFrame:
    result = dp.datasets[name].func()  # type: ignore[misc]
    assert isinstance(result, RecordingFrame)
    return result


@pytest.fixture(scope="module")
def json_spec(rendered_retail: Path) -> Path:
    return rendered_retail / "medallion.yml"


def variant(tmp_path: Path, rendered_retail: Path, source: dict[str, Any], **changes: Any) -> Path:
    return write_variant(rendered_retail, tmp_path / "medallion.yml", source, **changes)


def test_registers_every_dataset_with_the_current_api(json_spec: Path) -> None:
    dp = define(json_spec)
    apis = dp.apis()
    for source in ("customers", "products", "orders"):
        assert ("table", f"bronze_{source}") in apis
        assert ("temporary_view", f"typed_{source}") in apis
        assert ("table", f"silver_{source}_history") in apis
        assert ("table", f"quarantine_{source}") in apis
        assert ("create_streaming_table", f"silver_{source}") in apis
        assert ("temporary_view", f"changes_silver_{source}") in apis
    targets = [c.kwargs["target"] for c in dp.calls if c.api == "create_auto_cdc_flow"]
    assert targets == ["silver_customers", "silver_products", "silver_orders"]
    assert {api for api, _ in apis} <= {
        "table",
        "temporary_view",
        "create_streaming_table",
        "create_auto_cdc_flow",
    }


def test_autoloader_reads_json_with_the_spec_schema_and_rescue(json_spec: Path) -> None:
    """A given schema (not hints): Auto Loader then infers nothing, so the first update on an
    empty landing folder starts; `rescue` is the evolution mode a given schema allows."""
    bronze = frame(define(json_spec), "bronze_orders")
    assert (bronze.origin, bronze.reader_format) == ("readStream", "cloudFiles")
    assert [s.args for s in bronze.calls("schema")] == [
        (
            "`order_id` STRING, `line_number` STRING, `customer_id` STRING, `product_id` STRING, "
            "`order_ts` STRING, `status` STRING, `quantity` STRING, `unit_price` STRING, "
            "`discount` STRING, `updated_at` STRING",
        )
    ]
    assert bronze.reader_options == {
        "cloudFiles.format": "json",
        "cloudFiles.schemaEvolutionMode": "rescue",
        "rescuedDataColumn": "_rescued_data",
    }
    assert [s.args for s in bronze.calls("load")] == [(f"{VOLUME}/orders",)]
    expressions = bronze.expressions()
    assert "_metadata.file_path AS _source_file" in expressions
    assert "current_timestamp() AS _ingested_at" in expressions
    assert not any("schemaLocation" in k for k in bronze.reader_options)


def test_history_carries_native_expectations_and_no_filter(json_spec: Path) -> None:
    dp = define(json_spec)
    history = dp.datasets["silver_orders_history"]
    # the orders drop rules of the rendered spec (medallion.yml.tmpl), null-safe: NULL fails
    assert history.expectation_dict("expect_all_or_drop") == {
        "not_null_order_id": "coalesce((`order_id` IS NOT NULL), false)",
        "not_null_line_number": "coalesce((`line_number` IS NOT NULL), false)",
        "not_null_order_ts": "coalesce((`order_ts` IS NOT NULL), false)",
        "not_null_updated_at": "coalesce((`updated_at` IS NOT NULL), false)",
        "range_quantity": "coalesce((`quantity` >= 1 AND `quantity` <= 10000), false)",
        "non_negative_unit_price": "coalesce((`unit_price` >= 0), false)",
        "non_negative_discount": "coalesce((`discount` >= 0), false)",
        "accepted_status": (
            "coalesce((`status` IN ('placed', 'shipped', 'delivered', 'cancelled', 'returned')), false)"
        ),
    }
    warned = history.expectation_dict("expect_all")
    assert warned["discount_within_price"] == "coalesce((discount <= quantity * unit_price), false)"
    # "now" is the update's one instant, fixed when the pipeline was defined (medallion.rules)
    now = re.fullmatch(
        r"coalesce\(\(`order_ts` <= timestamp_micros\((\d+)\)\), false\)", warned["not_in_future_order_ts"]
    )
    assert now and abs(int(now.group(1)) / 1e6 - time.time()) < 600
    assert set(warned) == {"not_in_future_order_ts", "discount_within_price"}
    assert history.expectation_dict("expect_all_or_fail") == {}
    rows = frame(dp, "silver_orders_history")
    assert rows.calls("table")[0].args == ("typed_orders",)
    assert rows.calls("where") == []


def test_quarantine_is_not_all_drop_rules_with_errors(json_spec: Path) -> None:
    dp = define(json_spec)
    quarantine = frame(dp, "quarantine_customers")
    where = quarantine.calls("where")[0].args[0]
    assert where == (
        "NOT ((coalesce((`customer_id` IS NOT NULL), false)) AND "
        "(coalesce((`updated_at` IS NOT NULL), false)))"
    )
    assert any(e.endswith(" AS _errors") and "filter(array(" in e for e in quarantine.expressions())
    assert "_raw" in quarantine.expressions()


def test_silver_is_kept_by_an_scd1_auto_cdc_flow_in_the_local_order(json_spec: Path) -> None:
    dp = define(json_spec)
    (table,) = [c for c in dp.calls if c.api == "create_streaming_table" and c.name == "silver_orders"]
    assert table.kwargs["cluster_by"] == ["order_id", "line_number"]
    (flow,) = [
        c for c in dp.calls if c.api == "create_auto_cdc_flow" and c.kwargs["target"] == "silver_orders"
    ]
    assert set(flow.kwargs) <= set(inspect.signature(pipelines.create_auto_cdc_flow).parameters)
    assert flow.kwargs | {"target": None} == {
        "target": None,
        "source": "changes_silver_orders",
        "keys": ["order_id", "line_number"],
        "sequence_by": "_sequence",
        "except_column_list": ["_sequence"],
        "stored_as_scd_type": 1,
    }
    changes = frame(dp, "changes_silver_orders")
    assert changes.origin == "readStream" and changes.calls("table")[0].args == ("silver_orders_history",)
    where, star, select = changes.expressions()
    assert (where, star) == ("`order_id` IS NOT NULL AND `line_number` IS NOT NULL", "*")
    assert select.startswith("struct(`updated_at`, _ingested_at, _source_file, xxhash64(`order_id`")
    assert select.endswith(") AS _sequence")


def test_a_table_without_primary_key_keeps_its_materialized_view(
    tmp_path: Path, rendered_retail: Path
) -> None:
    document = retail_document(rendered_retail)
    del document["sources"]["products"]["primary_key"]
    document["gold"]["dimensions"]["product"]["key"] = ["product_id"]
    for reference in document["sources"]["orders"]["references"]:
        if reference["table"] == "products":
            reference["key"] = ["product_id"]
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document))
    dp = define(path)
    assert dp.datasets["silver_products"].api == "materialized_view"
    assert "changes_silver_products" not in dp.datasets


def test_typed_view_uses_ansi_safe_casts(json_spec: Path) -> None:
    typed = frame(define(json_spec), "typed_orders")
    assert typed.calls("table")[0].args == ("bronze_orders",)
    expressions = typed.expressions()
    assert "try_cast(nullif(trim(CAST(`unit_price` AS STRING)), '') AS DECIMAL(12,2)) AS `unit_price`" in (
        expressions
    )
    assert "lower(nullif(trim(CAST(`status` AS STRING)), '')) AS `status`" in expressions


def test_parquet_and_csv_autoloader_options(tmp_path: Path, rendered_retail: Path) -> None:
    parquet = frame(
        define(variant(tmp_path, rendered_retail, {"type": "files", "format": "parquet"})), "bronze_products"
    )
    assert parquet.reader_options["cloudFiles.format"] == "parquet"
    assert "`list_price` DECIMAL(12,2)" in parquet.calls("schema")[0].args[0]
    csv = frame(
        define(variant(tmp_path, rendered_retail, {"type": "files", "format": "csv"})), "bronze_products"
    )
    assert csv.reader_options["cloudFiles.format"] == "csv" and csv.reader_options["header"] == "true"


def resolve_secret_references(configuration: dict[str, str], vault: dict[str, str]) -> dict[str, str]:
    """What Databricks does to pipeline configuration values (Spark conf) before the code runs.

    `{{secrets/<scope>/<key>}}` is resolved in Spark configuration properties and environment
    variables only (docs.databricks.com/security/secrets/secrets-spark-conf-env-var); the same
    text anywhere else, such as a DataFrame reader option, stays literal.
    """
    pattern = re.compile(r"\{\{secrets/(.+?)/([^/}]+)\}\}")
    return {key: pattern.sub(lambda m: vault[m.group(2)], value) for key, value in configuration.items()}


def test_kafka_credentials_reach_the_reader_resolved(tmp_path: Path, rendered_retail: Path) -> None:
    """A first-deploy defect: secret references inside the JAAS reader option reached the broker as text."""
    project = render_project({"source_type": "kafka"}, tmp_path / "render")
    document = yaml.safe_load(next((project / "resources").glob("*.pipeline.yml")).read_text())
    configuration = next(iter(document["resources"]["pipelines"].values()))["configuration"]
    kafka_conf = {key: value for key, value in configuration.items() if key.startswith("medallion.kafka.")}
    assert "{{secrets/" in kafka_conf["medallion.kafka.password"]
    vault = {"kafka-username": "svc-reader", "kafka-password": "pa55=word"}
    resolved = resolve_secret_references(kafka_conf, vault)
    resolved["medallion.source_location"] = "broker-1:9093"
    dp = define(variant(tmp_path, rendered_retail, {"type": "kafka"}), **resolved)
    bronze = frame(dp, "bronze_orders")
    assert bronze.reader_format == "kafka"
    options = bronze.reader_options
    assert options["kafka.bootstrap.servers"] == "broker-1:9093"
    assert options["subscribe"] == "orders" and options["startingOffsets"] == "earliest"
    assert options["kafka.security.protocol"] == "SASL_SSL"
    assert options["kafka.sasl.jaas.config"] == (
        "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="svc-reader" password="pa55=word";'
    )
    assert not any("{{secrets/" in value for value in options.values())
    assert "from_json(CAST(value AS STRING), 'MAP<STRING,STRING>') AS _record" in bronze.expressions()
    assert dp.datasets["bronze_orders"].kwargs["table_properties"]["pipelines.reset.allowed"] == "false"


def test_kafka_refuses_an_unresolved_secret_reference(tmp_path: Path, rendered_retail: Path) -> None:
    spec = variant(tmp_path, rendered_retail, {"type": "kafka"})
    dp = define(
        spec,
        **{
            "medallion.source_location": "broker-1:9093",
            "medallion.kafka.username": "{{secrets/kafka/kafka-username}}",
            "medallion.kafka.password": "{{secrets/kafka/kafka-password}}",
        },
    )
    with pytest.raises(SettingsError, match=r"medallion\.kafka\.username was not resolved"):
        dp.datasets["bronze_orders"].func()  # type: ignore[misc]


def test_kafka_needs_bootstrap_servers(tmp_path: Path, rendered_retail: Path) -> None:
    dp = define(variant(tmp_path, rendered_retail, {"type": "kafka"}), **{"medallion.source_location": ""})
    with pytest.raises(SettingsError, match=r"medallion\.source_location to the bootstrap servers"):
        dp.datasets["bronze_orders"].func()  # type: ignore[misc]


def test_delta_streams_the_table_skipping_change_commits(tmp_path: Path, rendered_retail: Path) -> None:
    document = retail_document(rendered_retail)
    document["sources"]["customers"]["source"] = {"skip_change_commits": True}
    spec = tmp_path / "medallion.yml"
    spec.write_text(yaml.safe_dump({**document, "defaults": {"source": {"type": "delta"}}}))
    bronze = frame(define(spec, **{"medallion.source_location": "main.raw"}), "bronze_customers")
    assert bronze.reader_options == {"skipChangeCommits": "true"}
    assert bronze.calls("table")[0].args == ("`main`.`raw`.`customers`",)


def test_fail_rules_become_expect_all_or_fail(tmp_path: Path, rendered_retail: Path) -> None:
    document = retail_document(rendered_retail)
    document["sources"]["products"]["expectations"].append(
        {"name": "price_below_limit", "rule": "list_price < 100000", "action": "fail"}
    )
    spec = tmp_path / "medallion.yml"
    spec.write_text(yaml.safe_dump(document))
    history = define(spec).datasets["silver_products_history"]
    assert history.expectation_dict("expect_all_or_fail") == {
        "price_below_limit": "coalesce((list_price < 100000), false)"
    }
    local = define(spec, engine="local")
    assert local.datasets["silver_products_history"].expectations == []
    where = frame(local, "silver_products_history").calls("where")[0].args[0]
    assert "raise_error(" in where and "coalesce((list_price < 100000), false)" in where


def test_local_engine_filters_with_the_same_predicates(json_spec: Path) -> None:
    on_databricks = define(json_spec).datasets["silver_orders_history"].expectation_dict("expect_all_or_drop")
    dp = define(json_spec, engine="local")
    assert dp.datasets["silver_orders"].kwargs.get("cluster_by") is None
    where = frame(dp, "silver_orders_history").calls("where")[0].args[0]
    assert len(on_databricks) == 8
    for predicate in on_databricks.values():  # the local stand-in keeps what Databricks keeps
        assert f"({predicate})" in where
    bronze = frame(dp, "bronze_orders")
    assert bronze.reader_format == "text"
    assert "pipelines.reset.allowed" not in dp.datasets["bronze_orders"].kwargs["table_properties"]


def test_settings_name_the_missing_key() -> None:
    with pytest.raises(SettingsError, match=r"medallion\.spec_path"):
        Settings.from_conf(lambda key: {"medallion.engine": "local"}.get(key))
    with pytest.raises(SettingsError, match=r"medallion\.engine"):
        Settings.from_conf(lambda key: {"medallion.engine": "spark", "medallion.spec_path": "x"}.get(key))
