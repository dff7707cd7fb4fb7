"""The Unity Catalog privilege model: GRANTs from SQL, bundle grants and ownership, inheritance."""

from __future__ import annotations

from tests.support.emulator.privileges import (
    Need,
    PrivilegeModel,
    Securable,
    pipeline_needs,
)

ME, SP, READER = "me@example.com", "6f1d-sp", "analysts"


def bundle(schema: str = "dev_me_retail") -> dict:
    return {
        "resources": {
            "schemas": {
                "retail": {
                    "catalog_name": "main",
                    "name": schema,
                    "grants": [{"principal": READER, "privileges": ["USE_SCHEMA", "SELECT"]}],
                }
            },
            "volumes": {"landing": {"catalog_name": "main", "schema_name": schema, "name": "landing"}},
        }
    }


def test_grants_in_setup_sql_are_recorded_with_backticks_and_several_privileges():
    model = PrivilegeModel()
    model.apply_sql(
        f"""-- PART 1
        CREATE CATALOG IF NOT EXISTS `main` COMMENT 'x; y';
        GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `{ME}`;
        GRANT READ VOLUME ON VOLUME `raw`.`files`.`landing` TO `{SP}`;
        GRANT USE SCHEMA, SELECT ON SCHEMA `raw`.`src` TO `{SP}`;
        GRANT ALL PRIVILEGES ON SCHEMA main.retail TO `{SP}`;""",
        "admin@example.com",
    )
    assert model.owners[Securable("CATALOG", "main")] == "admin@example.com"
    assert model.has(ME, "USE CATALOG", Securable("CATALOG", "main"))
    assert model.has(ME, "CREATE_SCHEMA", Securable("CATALOG", "main"))
    assert model.has(SP, "READ VOLUME", Securable("VOLUME", "raw.files.landing"))
    assert model.has(SP, "SELECT", Securable("TABLE", "raw.src.orders"))  # inherited from the schema
    assert model.has(SP, "CREATE MATERIALIZED VIEW", Securable("SCHEMA", "main.retail"))  # ALL PRIVILEGES
    assert not model.has(ME, "USE SCHEMA", Securable("SCHEMA", "main.retail"))


def test_the_deployer_owns_what_the_bundle_creates_and_readers_get_the_bundle_grants():
    model = PrivilegeModel()
    model.apply_bundle(bundle(), ME)
    schema = Securable("SCHEMA", "main.dev_me_retail")
    assert model.has(ME, "CREATE TABLE", schema)
    assert model.has(ME, "WRITE VOLUME", Securable("VOLUME", "main.dev_me_retail.landing"))
    assert model.has(READER, "SELECT", Securable("TABLE", "main.dev_me_retail.silver_orders"))
    assert not model.has(READER, "CREATE TABLE", schema)


def test_a_pipeline_of_the_deployer_needs_use_catalog_from_setup_sql():
    model = PrivilegeModel()
    model.apply_bundle(bundle(), ME)
    needs = pipeline_needs("main", "dev_me_retail", read_volumes=[("main", "dev_me_retail", "landing")])
    missing = model.missing(ME, needs)
    assert missing == [Need("USE CATALOG", Securable("CATALOG", "main"))]
    assert missing[0].denied() == "PERMISSION_DENIED: User does not have USE CATALOG on Catalog 'main'."
    model.apply_sql(f"GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `{ME}`", "admin@example.com")
    assert model.missing(ME, needs) == []


def test_a_run_as_service_principal_needs_schema_privileges_it_does_not_own():
    model = PrivilegeModel()
    model.apply_bundle(bundle("retail"), ME)
    model.apply_sql(f"GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `{SP}`", "admin@example.com")
    needs = pipeline_needs("main", "retail")
    assert [n.privilege for n in model.missing(SP, needs)] == [
        "USE SCHEMA",
        "CREATE TABLE",
        "CREATE MATERIALIZED VIEW",
    ]
    model.apply_sql(
        f"GRANT USE SCHEMA, CREATE TABLE, CREATE MATERIALIZED VIEW ON SCHEMA `main`.`retail` TO `{SP}`", ME
    )
    assert model.missing(SP, needs) == []
