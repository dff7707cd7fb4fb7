-- Setup of a_very_long_project_name_with_many_parts_2026_v2_final_x: the catalog and the grants that the pipeline's identities
-- and the readers need. Names were rendered by `databricks bundle init` from checked
-- answers and are all backtick-quoted. Every statement is idempotent: run it again
-- whenever an identity changes.
--
-- Identities (who runs what: README.md, "Who runs what")
--   dev deployer:        data.engineer@example.com  (dev deploys and runs as each developer;
--                        add a line per developer, or grant a group instead)
--   CI (deploys staging and prod): not given yet. Before CI's first deploy, put its
--                        application ID in the commented "Deployers" GRANT below and run it.
--   staging/prod run_as: none: they run as their deployer (set prod_run_as in databricks.yml)
--   readers (grantee):   Data Engineers + Analysts
--
-- Order
--   Run this file ONCE per catalog, BEFORE the first `databricks bundle deploy`, as the
--     catalog's owner or a metastore admin: the bundle creates and owns the schema
--     `s_` (resources/a_very_long_project_name_with_many_parts_2026_v2_final_x.schema.yml), so the deployers need the
--     catalog and CREATE SCHEMA first. Paste it into the SQL editor, or run
--     `medallion deploy -t <target> --setup-sql` as the owner. In dev, the setup job
--     (resources/a_very_long_project_name_with_many_parts_2026_v2_final_x_setup.job.yml) runs it as the developer who deploys:
--     `databricks bundle run a_very_long_project_name_with_many_parts_2026_v2_final_x_setup -t dev`.
--   Schema and volume privileges are not here: the bundle grants them on every deploy,
--     per target (resources/a_very_long_project_name_with_many_parts_2026_v2_final_x.schema.yml `grants`), because a deploy
--     replaces the grant list of the schema it manages.
--   Warehouse: every identity above that runs the job needs CAN USE on the SQL warehouse
--     "Shared (Pro) Warehouse - 2" for the monitor's checks, and every deployer for the
--     warehouse lookup at `bundle validate`. That is a warehouse permission, not a Unity
--     Catalog privilege: grant it in the warehouse's Permissions (or
--     `databricks warehouses update-permissions`). `medallion deploy` checks it first.

-- ===== Catalog and sources (before the first deploy) =====

CREATE CATALOG IF NOT EXISTS `_private_catalog_01`
  MANAGED LOCATION 'abfss://lake@acct.dfs.core.windows.net/uc/managed'
  COMMENT 'Medallion pipeline p9 (bronze, silver, gold)';

-- Deployers: use the catalog and create the bundle's schema (each target's deploy creates it).
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `_private_catalog_01` TO `data.engineer@example.com`;
-- GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `_private_catalog_01` TO `<CI service principal application ID>`;

-- Readers: enter the catalog (the bundle grants USE SCHEMA + SELECT on the schema).
GRANT USE CATALOG ON CATALOG `_private_catalog_01` TO `Data Engineers + Analysts`;

-- Sources: the volume landing lives in the pipeline's own schema, which the bundle owns
-- (the deployer can read it). Nothing to grant.

