"""The report's charts: Plotly figures rendered as HTML fragments (plotly.js is inlined once
by the page, so the fragments load nothing from the network)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from pipelines.report.data import CHART_LANGUAGES

_CONFIG = {"displaylogo": False, "responsive": True}
_LAYOUT = {
    "template": "plotly_white",
    "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
    "height": 320,
    "legend": {"orientation": "h", "y": -0.2},
}
# Timings of a run in the order they happen (see ingest.run): start-up parts, then the work.
TIMING_PARTS = ("imports", "checks", "state", "graph", "runner_start", "run")


def fragment(fig: go.Figure) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG)


def articles_per_day(per_day: list[tuple[Any, str, int]]) -> go.Figure | None:
    """Stacked bars: dated articles per publication day, one colour per language."""
    if not per_day:
        return None
    totals: dict[str, int] = {}
    for _, lang, n in per_day:
        totals[lang] = totals.get(lang, 0) + n
    shown = [lang for lang, _ in sorted(totals.items(), key=lambda kv: -kv[1])][:CHART_LANGUAGES]
    series: dict[str, dict[Any, int]] = {}
    for day, lang, n in per_day:
        key = lang if lang in shown else "other"
        series.setdefault(key, {})
        series[key][day] = series[key].get(day, 0) + n
    fig = go.Figure()
    for lang in [*shown, "other"]:
        if lang in series:
            days = sorted(series[lang])
            fig.add_bar(x=days, y=[series[lang][d] for d in days], name=lang)
    fig.update_layout(barmode="stack", title="Articles per publication day", **_LAYOUT)
    fig.update_xaxes(type="date")
    return fig


def bars(labels: list[str], values: list[int], title: str, color: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=color, text=values))
    fig.update_layout(title=title, showlegend=False, **_LAYOUT)
    return fig


def similarity_histogram(similarities: list[tuple[str, float]]) -> go.Figure | None:
    """How similar each dropped near duplicate was to its survivor, per method."""
    if not similarities:
        return None
    fig = go.Figure()
    for method in sorted({m for m, _ in similarities}):
        values = [s for m, s in similarities if m == method]
        fig.add_histogram(x=values, name=method, xbins={"start": 0, "end": 1.0, "size": 0.025})
    fig.update_layout(
        barmode="stack", title="Similarity of near duplicates to their survivor", **_LAYOUT
    )
    fig.update_xaxes(range=[0, 1], title="similarity (containment of skeleton shingles)")
    return fig


def run_timings(runs: list[dict[str, Any]]) -> go.Figure | None:
    """Stacked seconds per run: start-up parts and the pipeline's own work."""
    timed = [r for r in runs if isinstance(r.get("timings"), dict)]
    if not timed:
        return None
    labels = [r["run_id"] for r in timed]
    fig = go.Figure()
    for part in TIMING_PARTS:
        values = [r["timings"].get(part) for r in timed]
        if any(v for v in values):
            fig.add_bar(x=labels, y=[v or 0 for v in values], name=part)
    if not fig.data:  # manifests from before per-part timings: wall time only
        fig.add_bar(x=labels, y=[r["timings"].get("wall_seconds", 0) for r in timed], name="wall")
    fig.update_layout(barmode="stack", title="Seconds per run", **_LAYOUT)
    fig.update_xaxes(type="category")
    return fig
