-- Setup of delta_feed: the catalog and the grants that the pipeline's identities
-- and the readers need. Names were rendered by `databricks bundle init` from checked
-- answers and are all backtick-quoted. Every statement is idempotent: run it again
-- whenever an identity changes.
--
-- Identities (who runs what: README.md, "Who runs what")
--   dev deployer:        data.engineer@example.com  (dev deploys and runs as each developer;
--                        add a line per developer, or grant a group instead)
--   CI (deploys staging and prod): 3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a
--   staging/prod run_as: 3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a  (service principal running the job and pipeline)
--   readers (grantee):   data.engineer@example.com
--
-- Order
--   Run this file ONCE per catalog, BEFORE the first `databricks bundle deploy`, as the
--     catalog's owner or a metastore admin: the bundle creates and owns the schema
--     `delta_feed` (resources/delta_feed.schema.yml), so the deployers need the
--     catalog and CREATE SCHEMA first. Paste it into the SQL editor, or run
--     `medallion deploy -t <target> --setup-sql` as the owner. In dev, the setup job
--     (resources/delta_feed_setup.job.yml) runs it as the developer who deploys:
--     `databricks bundle run delta_feed_setup -t dev`.
--   Schema and volume privileges are not here: the bundle grants them on every deploy,
--     per target (resources/delta_feed.schema.yml `grants`), because a deploy
--     replaces the grant list of the schema it manages.
--   Warehouse: every identity above that runs the job needs CAN USE on the SQL warehouse
--     "Serverless Starter Warehouse" for the monitor's checks, and every deployer for the
--     warehouse lookup at `bundle validate`. That is a warehouse permission, not a Unity
--     Catalog privilege: grant it in the warehouse's Permissions (or
--     `databricks warehouses update-permissions`). `medallion deploy` checks it first.

-- ===== Catalog and sources (before the first deploy) =====

CREATE CATALOG IF NOT EXISTS `main`
  COMMENT 'Medallion pipeline delta_feed (bronze, silver, gold)';

-- Deployers: use the catalog and create the bundle's schema (each target's deploy creates it).
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `data.engineer@example.com`;
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a`;

-- Readers: enter the catalog (the bundle grants USE SCHEMA + SELECT on the schema).
GRANT USE CATALOG ON CATALOG `main` TO `data.engineer@example.com`;

-- Sources: the pipeline reads the Delta tables of bronze_cat.raw_events (SELECT only).
GRANT USE CATALOG ON CATALOG `bronze_cat` TO `data.engineer@example.com`;
GRANT USE SCHEMA, SELECT ON SCHEMA `bronze_cat`.`raw_events` TO `data.engineer@example.com`;
GRANT USE CATALOG ON CATALOG `bronze_cat` TO `3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a`;
GRANT USE SCHEMA, SELECT ON SCHEMA `bronze_cat`.`raw_events` TO `3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a`;

