"""`notebook_task` and `sql_task` of one deployed target.

notebook_task: the only notebooks a medallion bundle runs are the nutter data tests
(`tests/nutter/run_all`); locally they run through the project's own `tests/nutter/run_local.py`,
which keeps nutter in its own virtual environment (nutter installs
top-level `tests`, `common`, `runtime`, `cli` packages) and reads the tables of the last local
update. `base_parameters` reach the notebook as widgets (notebook task docs); the pipeline's
Unity Catalog schema is the target's local database (Target.local_database), read through the
server the update ran on. The job's identity needs USE
CATALOG, USE SCHEMA and SELECT on the schema it tests (privileges.py).

sql_task (`file.path` on a warehouse): the statements run as the job's identity (run_as or
owner); their GRANTs and CREATE CATALOG are recorded in the privilege model (parsed with
sqlglot, Databricks dialect). Whether the identity may grant (owner or MANAGE) is not checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.emulator.artifacts import CACHE
from tests.support.emulator.jobs import TaskContext, TaskOutcome
from tests.support.emulator.privileges import Need, PrivilegeModel, Securable, schema_reach
from tests.support.emulator.task_paths import Target, identity_of

NUTTER_RUNNER = Path("tests") / "nutter" / "run_local.py"
TIMEOUT_S = 1200


class NotebookTasks:
    def __init__(self, target: Target, privileges: PrivilegeModel | None = None) -> None:
        self.target = target
        self.privileges = privileges

    def __call__(self, task: dict[str, Any], ctx: TaskContext) -> TaskOutcome:
        notebook = task["notebook_task"]
        path = self.target.local_path(str(notebook["notebook_path"]))
        runner = path.parent / "run_local.py"
        if path.name not in ("run_all", "run_all.py") or not runner.exists():
            return TaskOutcome(False, f"the emulator runs only the nutter data tests, not {path}")
        parameters = {str(k): str(v) for k, v in (notebook.get("base_parameters") or {}).items()}
        if self.privileges is not None and parameters.get("catalog") and parameters.get("schema"):
            catalog, schema = parameters["catalog"], parameters["schema"]
            needs = [
                *schema_reach(catalog, schema),
                Need("SELECT", Securable("SCHEMA", f"{catalog}.{schema}")),
            ]
            missing = self.privileges.missing(identity_of(ctx.job, self.target.deployer), needs)
            if missing:
                return TaskOutcome(False, missing[0].denied())
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        command = [sys.executable, str(runner), "--venv", str(CACHE / "nutter-venv")]
        command += ["--schema", self.target.local_database]
        if self.target.spark_remote:
            command += ["--remote", self.target.spark_remote]
        done = subprocess.run(
            command,
            cwd=self.target.files,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        output = done.stdout + done.stderr
        summary = [line for line in done.stdout.splitlines() if line.endswith(("PASSED", "FAILED"))]
        if done.returncode == 0:
            return TaskOutcome(True, "; ".join(summary) or "data tests passed", output, 0)
        tail = "; ".join(summary) or "\n".join(output.strip().splitlines()[-3:])
        return TaskOutcome(False, f"data tests failed: {tail}", output, done.returncode)


class SqlTasks:
    def __init__(self, target: Target, privileges: PrivilegeModel) -> None:
        self.target = target
        self.privileges = privileges
        self.statements: list[str] = []

    def __call__(self, task: dict[str, Any], ctx: TaskContext) -> TaskOutcome:
        sql_task = task["sql_task"]
        file = (sql_task.get("file") or {}).get("path")
        if not file:
            return TaskOutcome(False, "only sql_task.file is emulated (no queries, dashboards or alerts)")
        local = self.target.bundle_path(str(file))
        if not local.exists() and not local.suffix:
            local = local.with_suffix(".sql")
        identity = identity_of(ctx.job, self.target.deployer)
        recorded = self.privileges.apply_sql(local.read_text(), identity)
        self.statements += recorded
        return TaskOutcome(True, f"{len(recorded)} statement(s) recorded from {local.name} as {identity}")
