"""Files the local run needs: spark-defaults.conf, log4j2.properties and the OSS pipeline spec.

Every Spark setting goes in spark-defaults.conf inside our own SPARK_CONF_DIR (pyspark 4.3
drops --conf flags beyond ten), the catalog is Hive with an embedded Derby metastore inside
`.medallion/` (a second run needs a persistent catalog), and everything binds to loopback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml

from medallion import context
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.resources import Resources, resolve

CATALOG = "spark_catalog"
DATABASE = "default"
LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.pipelines.name = org.apache.spark.sql.pipelines
logger.pipelines.level = warn
logger.errorutils.name = org.apache.spark.sql.connect.utils.ErrorUtils
logger.errorutils.level = off
# PySpark's gateway is logged as a shell; at the root's level Spark neither announces nor
# lowers the level to WARN
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
"""


# The JVM exits at its first OutOfMemoryError instead of limping on (the runner then names it)
EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError"


def spark_defaults(project: LocalProject, resources: Resources | None = None) -> dict[str, str]:
    """Spark settings of both the pipeline server and the read-back session."""
    resources = resources or resolve()
    state = project.state.resolve()
    metastore = f"jdbc:derby:;databaseName={state / 'metastore_db'};create=true"
    derby = f"-Dderby.system.home={state} -Dderby.stream.error.file={state / 'derby.log'} {EXIT_ON_OOM}"
    return {
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": (state / "warehouse").as_uri(),
        "spark.hadoop.javax.jdo.option.ConnectionURL": metastore,
        "spark.driver.extraJavaOptions": derby,
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": str(resources.shuffle_partitions),
        # read by the read-back session; spark-pipelines takes SPARK_DRIVER_MEMORY only
        "spark.driver.memory": resources.driver_memory,
    }


def write_conf_dir(project: LocalProject, resources: Resources | None = None) -> Path:
    """Write spark-defaults.conf and log4j2.properties; return the folder (SPARK_CONF_DIR)."""
    project.conf_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{key} {value}" for key, value in spark_defaults(project, resources).items()]
    (project.conf_dir / "spark-defaults.conf").write_text("\n".join(lines) + "\n")
    (project.conf_dir / "log4j2.properties").write_text(LOG4J)
    return project.conf_dir


def pipeline_configuration(project: LocalProject, source_folder: Path, update_id: str) -> dict[str, str]:
    """The `medallion.*` keys of docs/CONTRACTS.md for the local engine (the source location is
    the local folder of the sources)."""
    return {
        context.ENGINE: "local",
        context.SPEC_PATH: str(project.spec_path.resolve()),
        context.SOURCE_LOCATION: str(source_folder.resolve()),
        context.UPDATE_ID: update_id,
    }


def write_pipeline_spec(
    project: LocalProject,
    source_folder: Path,
    update_id: str,
    database: str = DATABASE,
    sql_conf: Mapping[str, str] | None = None,
) -> Path:
    """The OSS spark-pipeline.yml (its libraries glob is relative to the spec's folder).

    Checkpoints of a database other than the project server's `default` (a --remote run) are
    kept apart: `.medallion/storage-<database>`. `sql_conf` (the run's settings, see
    run_settings.py) joins the `configuration`, which the pipelines CLI sets on its session."""
    project.state.mkdir(parents=True, exist_ok=True)
    libraries = os.path.relpath(project.transformations, project.state)
    storage = project.state / ("storage" if database == DATABASE else f"storage-{database}")
    document = {
        "name": project.name,
        "storage": storage.resolve().as_uri(),
        "catalog": CATALOG,
        "database": database,
        "configuration": {**(sql_conf or {}), **pipeline_configuration(project, source_folder, update_id)},
        "libraries": [{"glob": {"include": f"{libraries}/**"}}],
    }
    project.pipeline_spec.write_text(yaml.safe_dump(document, sort_keys=False))
    return project.pipeline_spec


def spark_environment(project: LocalProject, resources: Resources | None = None) -> dict[str, str]:
    """Environment for Spark processes: our conf dir, loopback, quiet warnings, project on path,
    and the driver memory (the only way spark-pipelines' JVM gets it)."""
    resources = resources or resolve()
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")}
    python_path = os.pathsep.join(p for p in (str(project.src.resolve()), env.get("PYTHONPATH")) if p)
    return env | {
        "SPARK_CONF_DIR": str(project.conf_dir.resolve()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYTHONWARNINGS": "ignore::FutureWarning,ignore::UserWarning",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": python_path,
        "PYSPARK_PYTHON": sys.executable,
        "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
        "SPARK_DRIVER_MEMORY": resources.driver_memory,
    }
