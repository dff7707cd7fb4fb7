"""Volume paths a bundle uses, sorted into created, missing (own schema, no volume) and external."""

from __future__ import annotations

from tests.emulator.conftest import BundleFactory
from tests.support.emulator import classify, resolve_target, volume_uses

NO_ENV: dict[str, str] = {}

BUNDLE = """
bundle:
  name: shop
variables:
  catalog:
    default: main
  schema:
    default: shop
  source:
    default: /Volumes/main/shop/landing
targets:
  dev:
    mode: development
    default: true
    variables:
      source: /Volumes/${var.catalog}/${var.schema}/landing
  fixed:
    mode: development
    variables:
      source: ${resources.volumes.landing.volume_path}
  staging:
    mode: production
    workspace:
      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}
    variables:
      schema: shop_staging
  prod:
    mode: production
    workspace:
      root_path: /Workspace/Shared/.bundle/${bundle.name}/${bundle.target}
resources:
  schemas:
    shop_schema:
      catalog_name: ${var.catalog}
      name: ${var.schema}
  volumes:
    landing:
      catalog_name: ${var.catalog}
      schema_name: ${resources.schemas.shop_schema.name}
      name: landing
  pipelines:
    p:
      name: p
      catalog: ${var.catalog}
      schema: ${resources.schemas.shop_schema.name}
      configuration:
        source: ${var.source}
        lookup_table: /Volumes/reference/geo/countries/all.csv
"""


def _all(project):
    return {t: resolve_target(project, t, env=NO_ENV) for t in ("dev", "staging", "prod")}


def test_prod_uses_the_volume_it_creates(make_bundle: BundleFactory) -> None:
    targets = _all(make_bundle(BUNDLE))
    report = classify(targets["prod"], targets.values())
    assert {u.used_at for u in report.created} == {
        "resources.pipelines.p.configuration.source",
        "variables.source.default",
        "variables.source.value",
    }
    assert report.missing == []
    assert [u.volume_path for u in report.external] == ["/Volumes/reference/geo/countries"]


def test_dev_path_without_the_schema_prefix_is_missing(make_bundle: BundleFactory) -> None:
    targets = _all(make_bundle(BUNDLE))
    dev = targets["dev"]
    report = classify(dev)
    assert dev.resources("volumes")["landing"]["schema_name"] == "dev_data_engineer_shop"
    assert {(u.volume_path, u.bundle_schema) for u in report.missing} == {
        ("/Volumes/main/shop/landing", "shop_schema")
    }
    assert report.created == []


def test_staging_reading_prods_schema_is_missing(make_bundle: BundleFactory) -> None:
    targets = _all(make_bundle(BUNDLE))
    report = classify(targets["staging"], targets.values())
    assert {u.volume_path for u in report.missing} == {"/Volumes/main/shop/landing"}
    # Without the other targets the prod schema looks like anyone's: listed as external.
    alone = classify(targets["staging"])
    assert "/Volumes/main/shop/landing" in {u.volume_path for u in alone.external}


def test_the_volume_path_reference_is_created_in_every_dev_schema(make_bundle: BundleFactory) -> None:
    fixed = resolve_target(make_bundle(BUNDLE), "fixed", env=NO_ENV)
    uses = {u.used_at: u for u in volume_uses(fixed)}
    use = uses["resources.pipelines.p.configuration.source"]
    assert use.path == "/Volumes/main/dev_data_engineer_shop/landing"
    assert use.created_by == "landing"
    assert use.schema_owner == "shop_schema"
    assert classify(fixed).missing == []
