"""`medallion deploy --target T`: validate, deploy, run the job, monitor, apply safe fixes, retry.

Exit codes as `medallion monitor`: 0 success, 1 failed, 2 configuration/auth, 3 timeout.
`--timeout` is one wall-clock deadline over the whole command: CLI subprocesses (stopped when
it passes), API calls and their retries, every monitored attempt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from databricks.sdk.errors import DatabricksError

from medallion.commands.monitor import add_timing_arguments
from medallion.monitor import connect
from medallion.monitor.connect import workspace_client
from medallion.monitor.deadline import Deadline, DeadlineReached
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.redact import redact
from medallion.monitor.warehouse import SqlError
from medallion.monitor.watch import Polling
from medallion.spec import SpecError, find_spec, load_spec
from medallion.tooling.deploy_loop.bundle import BundleCli, BundleCommandError
from medallion.tooling.deploy_loop.loop import DeployOptions, deploy


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", "-t", required=True, help="bundle target (dev, prod, ...)")
    parser.add_argument("--spec", type=Path, help="medallion.yml (default: here or above)")
    parser.add_argument(
        "--warehouse-id",
        default=os.environ.get("DATABRICKS_WAREHOUSE_ID"),
        help="SQL warehouse (default: env DATABRICKS_WAREHOUSE_ID or the bundle's warehouse_id)",
    )
    parser.add_argument("--setup-sql", action="store_true", help="run sql/setup.sql first (schemas, grants)")
    parser.add_argument(
        "--allow-full-refresh",
        action="store_true",
        help="allow a full refresh of only the tables an incompatible change broke",
    )
    parser.add_argument(
        "--max-attempts", type=int, default=3, help="runs in total, fixes included (default 3)"
    )
    parser.add_argument("--pipeline", help="pipeline resource key (default: the only one)")
    parser.add_argument("--job", help="job resource key (default: the job that runs the pipeline)")
    parser.add_argument("--profile", help="Databricks config profile")
    add_timing_arguments(
        parser, "wall-clock seconds for the whole deploy (CLI, runs, monitoring) before exit 3"
    )


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec or find_spec())
        deadline = Deadline(connect.make_clock(), args.timeout)
        cli = BundleCli.find(spec.path.parent, deadline)
        options = DeployOptions(
            target=args.target,
            project=spec.path.parent,
            warehouse_id=args.warehouse_id,
            pipeline_key=args.pipeline,
            job_key=args.job,
            setup_sql=args.setup_sql,
            allow_full_refresh=args.allow_full_refresh,
            max_attempts=max(1, args.max_attempts),
            polling=Polling(args.poll_interval, max(args.poll_interval, 30.0), args.timeout),
        )
        return deploy(cli, workspace_client(args.profile, deadline), spec, options)
    except DeadlineReached as error:
        print(f"deploy: timeout: {_one_line(error)}", file=sys.stderr)
        return 3
    except (ConfigurationError, SpecError, FileNotFoundError, DatabricksError) as error:
        print(f"deploy: {redact(str(error))}", file=sys.stderr)
        return 2
    except (BundleCommandError, SqlError) as error:
        print(f"deploy: {redact(str(error))}", file=sys.stderr)
        return 1


def _one_line(error: Exception) -> str:
    return redact(" ".join(str(error).split()))
