"""`.medallion/report.html`: the local run report as one self-contained page.

The pipeline as a graph (sources -> bronze -> silver history / quarantine -> silver -> gold)
with row counts on its nodes, failed rows per rule as bars, quarantine reasons, orphans and
gold totals: the figures of run-report.json, nothing else. No script, stylesheet or font is
fetched: the page works from a file, offline. Every figure carries `data-figure="<key>"` so
that a reader (or a test) can find it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from medallion import naming
from medallion.spec.model import Spec
from medallion.tooling.local.run_report_text import BALANCED, rows_text
from medallion.tooling.local.selection import upstream

PAGE = "report.html"
COLUMNS = ("bronze", "silver history / quarantine", "silver", "gold: dimensions", "gold: facts")
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 190, 44, 60, 14, 10

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1b1f24; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.status-COMPLETED { color: #1a7f37; } .status-FAILED { color: #cf222e; }
table { border-collapse: collapse; } td, th { padding: 3px 10px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #f6f8fa; }
.bar { display: inline-block; height: 12px; vertical-align: middle; }
.drop { background: #bf8700; } .warn { background: #8c959f; } .fail { background: #cf222e; }
.node rect { fill: #fff; stroke: #57606a; rx: 6; } .node.quarantine rect { stroke: #bf8700; }
.node.gold rect { stroke: #9a6700; fill: #fff8c5; } .node.missing rect { stroke: #cf222e; }
.node text { font-size: 12px; } .node .rows { font-weight: 600; }
.edge { fill: none; stroke: #8c959f; stroke-width: 1.2; }
"""


def _column(table: str, layer: str) -> int:
    if layer == "bronze":
        return 0
    if layer in ("silver_history", "quarantine"):
        return 1
    if layer == "silver":
        return 2
    return 3 if table.startswith("dim_") else 4


def graph(report: Mapping[str, Any], spec: Spec) -> str:
    """An SVG of the tables (quality_metrics aside) in layer columns, edges from what each reads."""
    tables = {n: i for n, i in (report.get("tables") or {}).items() if i.get("layer") != "quality"}
    columns: list[list[str]] = [[] for _ in COLUMNS]
    for name, info in tables.items():
        columns[_column(name, str(info.get("layer")))].append(name)
    place = {
        name: (PAD + c * (NODE_W + GAP_X), PAD + 24 + r * (NODE_H + GAP_Y))
        for c, names in enumerate(columns)
        for r, name in enumerate(names)
    }
    width = PAD * 2 + len(COLUMNS) * NODE_W + (len(COLUMNS) - 1) * GAP_X
    height = PAD * 2 + 24 + max(1, *(len(c) for c in columns)) * (NODE_H + GAP_Y)
    parts = [
        f'<text x="{PAD + c * (NODE_W + GAP_X)}" y="{PAD + 12}" font-weight="600">{escape(title)}</text>'
        for c, title in enumerate(COLUMNS)
    ]
    for table, inputs in upstream(spec).items():
        for source in sorted(inputs):
            if table in place and source in place:
                (x1, y1), (x2, y2) = place[source], place[table]
                a, b = (x1 + NODE_W, y1 + NODE_H / 2), (x2, y2 + NODE_H / 2)
                middle = (a[0] + b[0]) / 2
                path = f"M{a[0]},{a[1]} C{middle},{a[1]} {middle},{b[1]} {b[0]},{b[1]}"
                parts.append(f'<path class="edge" d="{path}"/>')
    for name, (x, y) in place.items():
        info = tables[name]
        kinds = {"quarantine": "quarantine", "gold": "gold"}.get(str(info.get("layer")), "")
        kinds += " missing" if info.get("rows") is None else ""
        parts.append(
            f'<g class="node {kinds.strip()}" transform="translate({x},{y})">'
            f'<rect width="{NODE_W}" height="{NODE_H}"/>'
            f'<text x="8" y="17">{escape(name)}</text>'
            f'<text class="rows" x="8" y="35" data-figure="rows:{escape(name)}">'
            f"{rows_text(report, name)}</text></g>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="pipeline graph">{"".join(parts)}</svg>'
    )


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]) -> str:
    head = "".join(
        f'<th class="{"n" if n else ""}">{escape(h)}</th>' for h, n in zip(headers, numeric, strict=True)
    )
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(text: object, figure: str | None = None, numeric: bool = False) -> str:
    attribute = f' data-figure="{escape(figure)}"' if figure else ""
    shown = f"{text:,}" if isinstance(text, int) and not isinstance(text, bool) else str(text)
    return f'<td class="{"n" if numeric else ""}"{attribute}>{escape(shown)}</td>'


def _bar(count: int, most: int, action: str) -> str:
    width = 0 if not most else max(1, round(240 * count / most)) if count else 0
    return f'<td><span class="bar {escape(action)}" style="width:{width}px"></span></td>'


def rules_section(report: Mapping[str, Any]) -> str:
    rules = report.get("rules") or []
    if not rules:
        return ""
    most = max(r["failed"] for r in rules)
    rows = [
        [
            _cell(r["table"]),
            _cell(r["rule"]),
            _cell(r["action"]),
            _cell(r["failed"], f"failed:{r['table']}:{r['rule']}", True),
            _bar(r["failed"], most, r["action"]),
        ]
        for r in rules
    ]
    table = _table(("table", "rule", "action", "failed rows", ""), rows, (False, False, False, True, False))
    return "<h2>Failed rows per rule</h2>" + table


def quarantine_section(report: Mapping[str, Any]) -> str:
    rows = []
    for source, figures in (report.get("conservation") or {}).items():
        table = naming.quarantine_table(source)
        checked = (figures.get("history") or 0) + (figures.get("quarantine") or 0)
        share = (
            f"{figures['quarantine'] / checked:.2%}"
            if checked and figures.get("quarantine") is not None
            else "-"
        )
        reasons = ", ".join(
            f"{r['rule']} {r['rows']:,}" for r in (report.get("quarantine_reasons") or {}).get(table) or []
        )
        rows.append(
            [
                _cell(source),
                _cell(figures.get("bronze"), f"bronze:{source}", True),
                _cell(figures.get("history"), f"history:{source}", True),
                _cell(figures.get("quarantine"), f"quarantine:{source}", True),
                _cell(share, f"quarantine_share:{source}", True),
                _cell(BALANCED[figures.get("balanced")], f"balanced:{source}"),
                _cell(reasons or "-", f"reasons:{table}"),
            ]
        )
    headers = ("source", "bronze", "history", "quarantine", "share", "balanced", "reasons")
    table = _table(headers, rows, (False, True, True, True, True, False, False))
    return "<h2>Quarantine (every bronze row is in history or quarantine)</h2>" + table


def orphans_section(report: Mapping[str, Any]) -> str:
    rows = [
        [
            _cell(f"{o['table']}.{'/'.join(o['columns'])}"),
            _cell(o["references"]),
            _cell(o["orphans"], f"orphans:{o['table']}:{'/'.join(o['columns'])}", True),
            _cell(o["checked"], None, True),
        ]
        for o in report.get("orphans") or []
    ]
    for fact, figures in (report.get("gold") or {}).items():
        rows += [
            [
                _cell(f"{fact}.{role}_key"),
                _cell("unknown member (-1)"),
                _cell(count, f"unknown:{fact}:{role}", True),
                _cell(figures["rows"], None, True),
            ]
            for role, count in figures["orphans"].items()
        ]
    if not rows:
        return ""
    table = _table(("reference", "finds no row in", "orphans", "of rows"), rows, (False, False, True, True))
    return "<h2>Orphans</h2>" + table


def gold_section(report: Mapping[str, Any]) -> str:
    rows = [
        [
            _cell(fact),
            _cell(measure),
            _cell(total if total is not None else "-", f"total:{fact}:{measure}", True),
        ]
        for fact, figures in (report.get("gold") or {}).items()
        for measure, total in figures["measures"].items()
    ]
    if not rows:
        return ""
    return "<h2>Gold totals</h2>" + _table(("fact", "measure", "total"), rows, (False, False, True))


def render(report: Mapping[str, Any], spec: Spec) -> str:
    """The whole page for one run report."""
    status = str(report.get("status", "UNKNOWN"))
    errors = "".join(f"<li>{escape(str(e))}</li>" for e in report.get("errors") or [])
    sections = [
        f'<h1>Local run: <span class="status-{escape(status)}" data-figure="status">'
        f"{escape(status)}</span></h1>",
        f"<p>{report.get('duration_s', '-')} s; update {escape(str(report.get('update_id') or '-'))}</p>",
        f"<ul>{errors}</ul>" if errors else "",
        "<h2>Pipeline</h2>",
        graph(report, spec),
        rules_section(report),
        quarantine_section(report),
        orphans_section(report),
        gold_section(report),
    ]
    body = "\n".join(s for s in sections if s)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Local run report</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def write_page(report: Mapping[str, Any], spec: Spec, folder: Path) -> Path:
    """Write report.html into `folder` (the project's .medallion) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / PAGE
    path.write_text(render(report, spec), encoding="utf-8")
    return path
