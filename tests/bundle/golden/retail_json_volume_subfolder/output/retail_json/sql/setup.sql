-- Setup of retail_json: the catalog and the grants that the pipeline's identities
-- and the readers need. Names were rendered by `databricks bundle init` from checked
-- answers and are all backtick-quoted. Every statement is idempotent: run it again
-- whenever an identity changes.
--
-- Identities
--   deployer (dev):      data.engineer@example.com  (the pipeline runs as whoever deploys dev;
--                        add a line per developer, or grant a group instead)
--   prod run_as:         00000000-0000-4000-8000-000000000001  (service principal running staging/prod)
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
--   The service principal also needs CAN USE on the SQL warehouse for the monitor's checks
--     (warehouse permissions, not Unity Catalog: grant it in the warehouse's Permissions).

-- ===== Catalog and sources (before the first deploy) =====

CREATE CATALOG IF NOT EXISTS `main`
  COMMENT 'Medallion pipeline retail_json (bronze, silver, gold)';

-- The pipeline's identities: use the catalog and create the bundle's schema.
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `data.engineer@example.com`;
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `00000000-0000-4000-8000-000000000001`;

-- Readers: enter the catalog (the bundle grants USE SCHEMA + SELECT on the schema).
GRANT USE CATALOG ON CATALOG `main` TO `data.engineer@example.com`;

-- Sources: Auto Loader reads the volume main.retail.raw (READ VOLUME only).
GRANT USE CATALOG ON CATALOG `main` TO `data.engineer@example.com`;
GRANT USE SCHEMA ON SCHEMA `main`.`retail` TO `data.engineer@example.com`;
GRANT READ VOLUME ON VOLUME `main`.`retail`.`raw` TO `data.engineer@example.com`;
GRANT USE CATALOG ON CATALOG `main` TO `00000000-0000-4000-8000-000000000001`;
GRANT USE SCHEMA ON SCHEMA `main`.`retail` TO `00000000-0000-4000-8000-000000000001`;
GRANT READ VOLUME ON VOLUME `main`.`retail`.`raw` TO `00000000-0000-4000-8000-000000000001`;

