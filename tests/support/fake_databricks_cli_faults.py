"""The fake `databricks` CLI with one fault chosen by FAKE_CLI_FAULT (else it behaves exactly
as tests/support/fake_databricks_cli.py, which it calls).

Faults:
- `hang-deploy`: `bundle deploy` never ends (sleeps; the caller must stop it); its pid goes
  to FAKE_CLI_PID_FILE when set;
- `validate-not-json`: `bundle validate -o json` prints a warning line, then text;
- `help-fails`: `bundle --help` exits 1 with an error on stderr;
- `deploy-fails`: `bundle deploy` exits 1; its stderr quotes a token and a password;
- `no-warehouse`: `bundle validate -o json` has no warehouse_id variable;
- `two-pipelines`: `bundle summary` lists two pipelines (`retail_pipeline`, `other_pipeline`);
- `two-jobs`: `bundle summary` lists two jobs that both run the pipeline.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support import fake_databricks_cli

SECRET_STDERR = (
    "Error: deploying pipeline retail_pipeline: POST /api/2.0/pipelines failed: "
    "Authorization: Bearer dapi0123456789abcdef0123456789abcdef-2 refused; "
    "source jdbc:postgresql://db.example.com/shop?user=etl&password=hunter2 is unreachable"
)


def _log(args: list[str]) -> None:
    with open(os.environ["FAKE_CLI_LOG"], "a") as log:
        log.write(" ".join(args) + "\n")


def _summary(args: list[str], fault: str) -> dict:
    pipeline = {**fake_databricks_cli.PIPELINE, "id": os.environ.get("FAKE_PIPELINE_ID", "")}
    runs = {"tasks": [{"task_key": "run_pipeline", "pipeline_task": {"pipeline_id": pipeline["id"]}}]}
    pipelines = {"retail_pipeline": pipeline}
    jobs = {"retail_job": {"id": "77", "name": "retail_job", **runs}}
    if fault == "two-pipelines":
        pipelines["other_pipeline"] = {**pipeline, "id": "other-id", "name": "other_pipeline"}
    if fault == "two-jobs":
        jobs["backfill_job"] = {"id": "78", "name": "backfill_job", **runs}
    return {
        "bundle": {"name": "retail", "target": "dev"},
        "resources": {"pipelines": pipelines, "jobs": jobs},
    }


def main(args: list[str]) -> int:
    fault = os.environ.get("FAKE_CLI_FAULT", "")
    command = args[1] if len(args) > 1 and args[0] == "bundle" else None
    if fault == "hang-deploy" and command == "deploy":
        _log(args)
        if os.environ.get("FAKE_CLI_PID_FILE"):
            Path(os.environ["FAKE_CLI_PID_FILE"]).write_text(str(os.getpid()))
        print("Uploading bundle files...", file=sys.stderr, flush=True)
        time.sleep(3600)
        return 0
    if fault == "validate-not-json" and command == "validate" and "json" in args:
        _log(args)
        print("Warning: unknown field: lifecycle\n  in resources/pipeline.yml:12:7\nName: retail")
        return 0
    if fault == "help-fails" and command == "--help":
        _log(args)
        print('Error: unknown command "bundle" for "databricks"', file=sys.stderr)
        return 1
    if fault == "deploy-fails" and command == "deploy":
        _log(args)
        print(SECRET_STDERR, file=sys.stderr)
        token = os.environ.get("DATABRICKS_TOKEN", "")
        print(f"Error: \x1b[31mtoken {token} rejected\x1b[0m; PGPASSWORD=s3cr3t", file=sys.stderr)
        return 1
    if fault == "no-warehouse" and command == "validate" and "json" in args:
        _log(args)
        print(json.dumps({"bundle": {"name": "retail", "target": "dev"}, "variables": {}, "resources": {}}))
        return 0
    if fault in ("two-pipelines", "two-jobs") and command == "summary":
        _log(args)
        print(json.dumps(_summary(args, fault)))
        return 0
    return fake_databricks_cli.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
