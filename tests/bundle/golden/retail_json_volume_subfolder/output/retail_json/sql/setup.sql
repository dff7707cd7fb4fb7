-- Setup of retail_json: the catalog and the grants that the pipeline's identities
-- and the readers need. Names were rendered by `databricks bundle init` from checked
-- answers and are all backtick-quoted. Every statement is idempotent: run it again
-- whenever an identity changes.
--
-- Identities (who runs what: README.md, "Who runs what")
--   dev deployer:        data.engineer@example.com  (dev deploys and runs as each developer;
--                        add a line per developer, or grant a group instead)
--   CI (deploys staging and prod): not given yet. Before CI's first deploy, put its
--                        application ID in the commented "Deployers" GRANT below and run it.
--   staging/prod run_as: 00000000-0000-4000-8000-000000000001  (service principal running the job and pipeline)
--   readers (grantee):   data.engineer@example.com
--
-- Order
--   Run this file ONCE per catalog, BEFORE the first `databricks bundle deploy`, as the
--     catalog's owner or a metastore admin: the bundle creates and owns the schema
--     `retail_json` (resources/retail_json.schema.yml), so the deployers need the
--     catalog and CREATE SCHEMA first. Paste it into the SQL editor, or run
--     `medallion deploy -t <target> --setup-sql` as the owner. In dev, the setup job
--     (resources/retail_json_setup.job.yml) runs it as the developer who deploys:
--     `databricks bundle run retail_json_setup -t dev`.
--   Schema and volume privileges are not here: the bundle grants them on every deploy,
--     per target (resources/retail_json.schema.yml `grants`), because a deploy
--     replaces the grant list of the schema it manages.
--   Warehouse: every identity above that runs the job needs CAN USE on the SQL warehouse
--     "Serverless Starter Warehouse" for the monitor's checks, and every deployer for the
--     warehouse lookup at `bundle validate`. That is a warehouse permission, not a Unity
--     Catalog privilege: grant it in the warehouse's Permissions (or
--     `databricks warehouses update-permissions`). `medallion deploy` checks it first.

-- ===== Catalog and sources (before the first deploy) =====

CREATE CATALOG IF NOT EXISTS `main`
  COMMENT 'Medallion pipeline retail_json (bronze, silver, gold)';

-- Deployers: use the catalog and create the bundle's schema (each target's deploy creates it).
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `data.engineer@example.com`;
-- GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `<CI service principal application ID>`;

-- The run_as principal: enter the catalog (the bundle grants it the schema in staging and prod).
GRANT USE CATALOG ON CATALOG `main` TO `00000000-0000-4000-8000-000000000001`;

-- Readers: enter the catalog (the bundle grants USE SCHEMA + SELECT on the schema).
GRANT USE CATALOG ON CATALOG `main` TO `data.engineer@example.com`;

-- Sources: Auto Loader reads the volume main.retail.raw (READ VOLUME only).
GRANT USE CATALOG ON CATALOG `main` TO `data.engineer@example.com`;
GRANT USE SCHEMA ON SCHEMA `main`.`retail` TO `data.engineer@example.com`;
GRANT READ VOLUME ON VOLUME `main`.`retail`.`raw` TO `data.engineer@example.com`;
GRANT USE CATALOG ON CATALOG `main` TO `00000000-0000-4000-8000-000000000001`;
GRANT USE SCHEMA ON SCHEMA `main`.`retail` TO `00000000-0000-4000-8000-000000000001`;
GRANT READ VOLUME ON VOLUME `main`.`retail`.`raw` TO `00000000-0000-4000-8000-000000000001`;

