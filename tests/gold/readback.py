"""Run in a subprocess after a local pipeline run: dump gold facts as JSON on stdout.

Usage: python -m tests.gold.readback PROJECT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from medallion.gold.keys import key_column
from medallion.spec import load_spec
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.session import readback_session, table_reader


def main(folder: str) -> None:
    project = LocalProject.find(Path(folder))
    spec = load_spec(project.spec_path)
    out: dict[str, object] = {"keys": {}, "facts": {}}
    with spark_lock(), readback_session(project) as spark:
        read = table_reader(spark)
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
    main(sys.argv[1])
