"""`medallion settings --target T`: the pipeline's resolved settings as Pipelines API JSON.

Uses `databricks bundle validate -t T -o json` when the CLI is available; otherwise reads
databricks.yml and resources/*.yml itself (workspace paths then stay unresolved) and says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from medallion.monitor.errors import ConfigurationError
from medallion.spec import find_spec
from medallion.tooling.deploy_loop.bundle import BundleCli, BundleCommandError, only_key
from medallion.tooling.deploy_loop.pipeline_settings import api_settings, offline_pipeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", "-t", required=True, help="bundle target (dev, prod, ...)")
    parser.add_argument("--pipeline", help="pipeline resource key (default: the only one)")
    parser.add_argument("--project", type=Path, help="bundle folder (default: where medallion.yml is)")


def run(args: argparse.Namespace) -> int:
    try:
        project = args.project or find_spec().parent
        try:
            cli = BundleCli.find(project)
        except ConfigurationError as missing:
            print(
                f"settings: offline (no usable databricks CLI: {str(missing).splitlines()[0]}); "
                "${workspace.*} paths stay unresolved",
                file=sys.stderr,
            )
            _check_target(project, args.target)  # the CLI refuses an unknown target itself
            pipelines = offline_pipeline(project, args.target)
        else:
            pipelines = (
                cli.json("bundle", "validate", "-t", args.target).get("resources", {}).get("pipelines", {})
            )
        key = only_key(pipelines, "pipeline", args.pipeline)
    except (ConfigurationError, FileNotFoundError, OSError) as error:
        print(f"settings: {error}", file=sys.stderr)
        return 2
    except BundleCommandError as error:
        print(f"settings: {error}", file=sys.stderr)
        return 1
    print(json.dumps(api_settings(pipelines[key]), indent=2, sort_keys=True))
    return 0


def _check_target(project: Path, target: str) -> None:
    """Refuse a target databricks.yml does not declare (the CLI refuses it too)."""
    bundle = yaml.safe_load((project / "databricks.yml").read_text()) or {}
    targets = sorted((bundle.get("targets") or {}).keys())
    if target not in targets:
        raise ConfigurationError(f"no target {target!r} in databricks.yml; it has: {', '.join(targets)}")
