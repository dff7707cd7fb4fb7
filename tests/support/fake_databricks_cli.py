"""A stand-in for the `databricks` CLI: records its arguments, prints realistic bundle output.

Environment: FAKE_CLI_LOG (file to append argument lines to), FAKE_CLI_VERSION (default
0.281.0; "legacy" prints what the PyPI databricks-cli prints), FAKE_PIPELINE_ID. `bundle run`
asks the fake workspace at DATABRICKS_HOST to start the job, as the real CLI does.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request

PIPELINE = {
    "name": "retail_pipeline",
    "catalog": "main",
    "schema": "retail",
    "serverless": True,
    "libraries": [{"glob": {"include": "/Workspace/Users/me/.bundle/retail/dev/files/src/retail/**"}}],
    "configuration": {"medallion.engine": "databricks"},
    "event_log": {"catalog": "main", "schema": "retail", "name": "retail_pipeline_event_log"},
    "permissions": [{"level": "CAN_VIEW", "group_name": "users"}],
}


def main(args: list[str]) -> int:
    with open(os.environ["FAKE_CLI_LOG"], "a") as log:
        log.write(" ".join(args) + "\n")
    if args == ["--version"]:
        version = os.environ.get("FAKE_CLI_VERSION", "0.281.0")
        print("Version 0.18.0" if version == "legacy" else f"Databricks CLI v{version}")
        return 0
    if args[:1] != ["bundle"]:
        print(f"Error: unknown command {args[:1]}", file=sys.stderr)
        return 1
    command = args[1] if len(args) > 1 else "--help"
    pipeline = {**PIPELINE, "id": os.environ.get("FAKE_PIPELINE_ID", "")}
    resources = {
        "pipelines": {"retail_pipeline": pipeline},
        "jobs": {"retail_job": {"id": "77", "name": "retail_job"}},
    }
    if command == "--help":
        print("Databricks Asset Bundles let you express data/AI/analytics projects as code.")
    elif command == "validate" and "json" in args:
        config_pipeline = {k: v for k, v in pipeline.items() if k != "id"}
        print(
            json.dumps(
                {
                    "bundle": {"name": "retail", "target": "dev"},
                    "variables": {"warehouse_id": {"value": "wh-1234"}},
                    "resources": {"pipelines": {"retail_pipeline": config_pipeline}},
                }
            )
        )
    elif command == "validate":
        print("Name: retail\nTarget: dev\n\nValidation OK!")
    elif command == "deploy":
        print("Uploading bundle files...\nDeploying resources...\nDeployment complete!", file=sys.stderr)
    elif command == "summary":
        print(json.dumps({"bundle": {"name": "retail", "target": "dev"}, "resources": resources}))
    elif command == "run":
        request = urllib.request.Request(
            os.environ["DATABRICKS_HOST"] + "/api/2.2/jobs/run-now",
            data=json.dumps({"job_id": 77}).encode(),
            method="POST",
            headers={
                "Authorization": "Bearer " + os.environ["DATABRICKS_TOKEN"],
                "Content-Type": "application/json",
            },
        )
        run = json.loads(urllib.request.urlopen(request).read())
        print(f"Run URL: {os.environ['DATABRICKS_HOST']}/?o=1#job/77/run/{run['run_id']}")
    else:
        print(f"Error: unknown bundle command {command}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
