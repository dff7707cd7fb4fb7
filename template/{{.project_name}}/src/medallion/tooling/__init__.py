"""Local tools, run from the project checkout and left out of the deployed wheel.

`commands/` holds the tooling subcommands of `medallion` (validate, run-local, dev, server,
deploy, infer, settings, upgrade); `local/` runs the pipeline on local Spark; `inference/`
drafts a spec from sample files; `deploy_loop/` deploys, runs, monitors and fixes a bundle
target; `upgrade_plan.py` refreshes the helpers; `checks/` are the pre-commit hooks.
What runs on Databricks lives one level up (`medallion.*`) and never imports from here.
"""
