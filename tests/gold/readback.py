"""Run in a subprocess after a local pipeline run: dump gold facts as JSON on stdout.

Usage: python -m tests.gold.readback PROJECT_DIR [--remote sc://HOST:PORT --database NAME]
(the server and database a `run-local --remote` run wrote to; by default the project's own).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medallion.gold.columns import key_column
from medallion.spec import load_spec
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.session import connect_session, readback_session, table_reader


@contextmanager
def tables(project: LocalProject, remote: str | None, database: str | None) -> Iterator[Any]:
    """read(name) on the project's own tables, or on the database of the --remote server."""
    if remote and database:
        with connect_session(Endpoint(remote), database) as spark:
            yield table_reader(spark, database)
        return
    with spark_lock(), readback_session(project) as spark:
        yield table_reader(spark)


def main(folder: str, remote: str | None = None, database: str | None = None) -> None:
    project = LocalProject.find(Path(folder))
    spec = load_spec(project.spec_path)
    out: dict[str, object] = {"keys": {}, "facts": {}}
    with tables(project, remote, database) as read:
        for dim in spec.gold.dimensions:
            rows = read(f"dim_{dim.name}").collect()
            extra = ["valid_from"] if dim.scd == 2 else []
            out["keys"][dim.name] = sorted(  # type: ignore[index]
                [r[key_column(dim.name)], *(str(r[c]) for c in [*dim.key, *extra])] for r in rows
            )
        for fact in spec.gold.facts:
            table = read(f"fact_{fact.name}")
            silver = read(f"silver_{fact.source}")
            sums = {
                m.name: [
                    str(table.selectExpr(f"SUM({m.name})").collect()[0][0]),
                    str(silver.selectExpr(f"SUM(CAST({m.expr} AS {m.type}))").collect()[0][0]),
                ]
                for m in fact.measures
            }
            dated = bool(fact.event_time and spec.gold.date_dimension)
            days = read("dim_date").select("date_key") if dated else None
            out["facts"][fact.name] = {  # type: ignore[index]
                "date_keys_missing": table.join(days, "date_key", "left_anti").count() if days else None,
                "rows": table.count(),
                "grains": table.select(*fact.grain).distinct().count(),
                "silver_rows": silver.count(),
                "sums": sums,
            }
        if spec.gold.date_dimension:
            span = read("dim_date").where("date_key <> -1").selectExpr("min(date)", "max(date)").collect()[0]
            out["dates"] = [str(span[0]), str(span[1])]
    print(json.dumps(out))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("project")
    parser.add_argument("--remote")
    parser.add_argument("--database")
    args = parser.parse_args()
    main(args.project, args.remote, args.database)
