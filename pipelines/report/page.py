"""The report as one static HTML page: inline CSS, inline plotly.js, no network at view time."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from pipelines.report import charts
from pipelines.report.data import ReportData
from pipelines.report.diff import side_by_side

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2933;
 background:#f5f7fa}
header{background:#102a43;color:#fff;padding:18px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#bcccdc}main{padding:8px 32px 40px;max-width:1400px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;margin:18px 0;
 padding:16px 20px}
h2{margin:0 0 10px;font-size:18px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:18px}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:12px 18px;
 min-width:120px}
.card b{display:block;font-size:24px}.card span{color:#627d98}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;
 border-bottom:1px solid #e4e7eb;vertical-align:top}th{color:#486581;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#829ab1}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin:10px 0 22px}
.pair>div{border:1px solid #d9e2ec;border-radius:6px;padding:10px;max-height:360px;overflow:auto}
.pair h3{font-size:13px;margin:0 0 6px;color:#486581}
.swap{background:#ffe3a3;border-radius:2px}.gone{background:#ffd0d0;text-decoration:line-through}
.added{background:#c6f7d6}.legend span{padding:1px 6px;margin-right:8px}
code{font-size:12px;word-break:break-all}
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{v:,}</td>' if i in numeric and isinstance(v, int) else f"<td>{v}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _chart(fig, empty: str = "Nothing to draw.") -> str:
    return charts.fragment(fig) if fig is not None else f'<p class="muted">{_esc(empty)}</p>'


def _cards(data: ReportData) -> str:
    cards = [
        ("articles", data.totals["articles"]),
        ("duplicates dropped", data.totals["duplicates"]),
        ("quarantined", data.totals["quarantined"]),
        ("undated articles", data.undated),
        ("languages", len(data.languages)),
        ("runs", len(data.runs)),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{n:,}</b><span>{_esc(label)}</span></div>' for label, n in cards
    ) + "</div>"  # fmt: skip


def _volume(data: ReportData) -> str:
    langs = _table(
        ["language", "articles"], [[_esc(lang), n] for lang, n in data.languages], numeric={1}
    )
    note = (
        f'<p class="muted">{data.undated:,} of {data.totals["articles"]:,} articles have no '
        "publication date and are not in the chart (published_date is NULL).</p>"
        if data.undated
        else ""
    )
    per_day = charts.articles_per_day(data.per_day)
    return (
        "<section><h2>Articles per day and language</h2>"
        f'<div class="grid"><div>{_chart(per_day, "No dated articles to draw.")}{note}</div>'
        f'<div style="max-height:360px;overflow:auto">{langs}</div></div></section>'
    )


def _duplicates(data: ReportData) -> str:
    methods = charts.bars(
        [m for m, _ in data.methods], [n for _, n in data.methods], "Duplicates by method",
        "#d9822b",
    ) if data.methods else None  # fmt: skip
    rows = [
        [
            f"<b>{_esc(c['kept_title'] or '(no title)')}</b><br>"
            f"<code>{_esc(c['kept_source_uri'])}</code>",
            c["copies"],
            _esc(c["methods"]),
            f"{c['min_similarity']:.2f}",
            "<br>".join(f"<code>{_esc(m)}</code>" for m in c["members"]),
        ]
        for c in data.clusters
    ]
    clusters = (
        _table(["survivor", "copies", "methods", "min. similarity", "copies (first 5)"], rows, {1})
        if rows
        else '<p class="muted">No duplicates.</p>'
    )
    return (
        "<section><h2>Duplicates</h2>"
        f'<div class="grid"><div>{_chart(methods)}</div>'
        f"<div>{_chart(charts.similarity_histogram(data.similarities))}</div></div>"
        f"<h2>Largest clusters</h2>{clusters}</section>"
    )


def _samples(data: ReportData) -> str:
    if not data.samples:
        return (
            "<section><h2>Spun copies side by side</h2>"
            '<p class="muted">No near (spun) duplicates in this selection.</p></section>'
        )
    parts = [
        "<section><h2>Spun copies side by side</h2>",
        '<p class="legend">The survivor (kept) on the left, the dropped copy on the right: '
        '<span class="swap">swapped words</span><span class="gone">only in the survivor</span>'
        '<span class="added">only in the copy</span></p>',
    ]
    for s in data.samples:
        if s["copy_body"] is None:
            left, right = (
                _esc(s["kept_body"]),
                '<p class="muted">source file no longer readable</p>',
            )
            counts = ""
        else:
            diff = side_by_side(s["kept_body"] or "", s["copy_body"])
            left, right = diff.left, diff.right
            counts = f" · {diff.swapped} words swapped, {diff.dropped} dropped, {diff.added} added"
        title = _esc(s["kept_title"] or s["title"] or "(no title)")
        detail = f"{_esc(s['method'])} similarity {s['similarity']:.2f}{counts}"
        parts.append(
            f'<h3>{title} <span class="muted">{detail}</span></h3><div class="pair">'
            f"<div><h3>kept: <code>{_esc(s['kept_source_uri'])}</code></h3>{left}</div>"
            f"<div><h3>dropped: <code>{_esc(s['source_uri'])}</code></h3>{right}</div></div>"
        )
    parts.append("</section>")
    return "".join(parts)


def _boilerplate(data: ReportData) -> str:
    b = data.boilerplate
    if b is None:
        body = (
            '<p class="muted">This lake records no removed boilerplate (its articles have no '
            "<code>boilerplate</code> column).</p>"
        )
    elif not b["lines"]:
        body = '<p class="muted">No boilerplate was removed.</p>'
    else:
        body = (
            f"<p>{b['lines']:,} boilerplate lines or blocks removed from {b['articles']:,} "
            "articles. "
            "Most frequent:</p>"
            + _table(["removed text", "times"], [[_esc(t), n] for t, n in b["top"]], {1})
        )
    return f"<section><h2>Boilerplate removed</h2>{body}</section>"


def _quarantine(data: ReportData) -> str:
    if not data.quarantine:
        return '<section><h2>Quarantine</h2><p class="muted">Nothing quarantined.</p></section>'
    fig = charts.bars(
        [q["kind"] for q in data.quarantine],
        [q["count"] for q in data.quarantine],
        "Quarantined inputs by reason",
        "#c23030",
    )

    def example(e: dict) -> str:
        size = f'<span class="muted">({e["raw_size"]:,} bytes)</span>'
        return f"<code>{_esc(e['source_uri'])}</code> — {_esc(e['message'])} {size}"

    rows = [
        [f"<b>{_esc(q['kind'])}</b>", q["count"], "<br>".join(map(example, q["examples"]))]
        for q in data.quarantine
    ]
    return (
        f'<section><h2>Quarantine</h2><div class="grid"><div>{_chart(fig)}</div>'
        f"<div>{_table(['reason', 'inputs', 'examples'], rows, {1})}</div></div></section>"
    )


def _runs(data: ReportData) -> str:
    rows = []
    for r in reversed(data.runs):
        t = r.get("timings") or {}
        mark = " ◀" if r["run_id"] == data.run_id else ""
        rows.append(
            [
                f"<code>{_esc(r['run_id'])}</code>{mark}",
                _esc((r.get("started_at") or "")[:19].replace("T", " ")),
                r.get("matched", ""),
                r.get("articles", ""),
                r.get("duplicates", ""),
                r.get("quarantined", ""),
                r.get("already_ingested", ""),
                f"{t['wall_seconds']:.1f}" if "wall_seconds" in t else "",
                "recovered" if r.get("recovered") else "",
            ]
        )
    table = _table(
        ["run", "started (UTC)", "matched", "articles", "duplicates", "quarantined",
         "already ingested", "seconds", ""],
        rows, {2, 3, 4, 5, 6},
    )  # fmt: skip
    return (
        f"<section><h2>Run history</h2>{_chart(charts.run_timings(data.runs))}"
        f'<div style="max-height:360px;overflow:auto">{table}</div></section>'
    )


def render(data: ReportData, plotly_js: str, generated: dt.datetime | None = None) -> str:
    """The whole page; `plotly_js` is the plotly.js source, inlined once."""
    generated = generated or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    scope = f"run {data.run_id}" if data.run_id else "all runs"
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>Spindrift report · {_esc(data.lake)}</title><style>{_CSS}</style>",
            f"<script>{plotly_js}</script></head><body>",
            f"<header><h1>Spindrift report</h1><p>lake <code>{_esc(data.lake)}</code> · {scope}"
            f" · generated {generated.isoformat()}</p></header><main>",
            _cards(data),
            _volume(data),
            _duplicates(data),
            _samples(data),
            _boilerplate(data),
            _quarantine(data),
            _runs(data),
            "</main></body></html>\n",
        ]
    )
