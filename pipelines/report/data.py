"""What the report shows, read from a lake with DuckDB and the run manifests (no Beam)."""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from typing import Any

import duckdb

from pipelines.query import connect

TOP_CLUSTERS = 10  # largest duplicate clusters listed
CLUSTER_MEMBERS = 5  # copies named per cluster
QUARANTINE_EXAMPLES = 3  # example inputs per quarantine reason
BOILERPLATE_TOP = 15  # most frequent removed boilerplate lines listed
CHART_LANGUAGES = 8  # languages drawn separately in the per-day chart; the rest are "other"


@dataclass
class ReportData:
    lake: str
    run_id: str | None
    runs: list[dict[str, Any]]
    totals: dict[str, int]
    per_day: list[tuple[Any, str, int]]  # (date, language, articles), dated articles only
    undated: int
    languages: list[tuple[str, int]]
    methods: list[tuple[str, int]]
    similarities: list[tuple[str, float]]  # (method, similarity) of every near duplicate
    clusters: list[dict[str, Any]]
    samples: list[dict[str, Any]]  # dropped spun copies with their survivor's body
    quarantine: list[dict[str, Any]]  # per reason: count and examples
    boilerplate: dict[str, Any] | None  # None when the lake has no `boilerplate` column
    notes: list[str] = field(default_factory=list)


def load_runs(lake: str) -> list[dict[str, Any]]:
    """Every run manifest under `_runs/`, oldest first."""
    runs = []
    for path in sorted(glob.glob(os.path.join(lake, "_runs", "*.json"))):
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        manifest.setdefault("run_id", os.path.basename(path)[: -len(".json")])
        runs.append(manifest)
    return sorted(runs, key=lambda m: m["run_id"])


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    return {row[0] for row in con.execute(f"describe {view}").fetchall()}


def load(lake: str, run_id: str | None = None, samples: int = 6) -> ReportData:
    """Everything the report draws; `run_id` limits the tables to one run's rows."""
    con = connect(lake)
    where = "where run_id = ?" if run_id else ""
    params = [run_id] if run_id else []

    def scalar(sql: str) -> int:
        return con.execute(sql, params).fetchall()[0][0] or 0

    totals = {
        "articles": scalar(f"select count(*) from articles {where}"),
        "duplicates": scalar(f"select count(*) from duplicates {where}"),
        "quarantined": scalar(f"select count(*) from quarantine {where}"),
    }
    per_day = con.execute(
        f"select published_date, language, count(*) from articles {where} "
        f"{'and' if where else 'where'} published_date is not null group by all order by all",
        params,
    ).fetchall()
    undated = scalar(
        f"select count(*) from articles {where} "
        f"{'and' if where else 'where'} published_date is null"
    )
    languages = con.execute(
        f"select language, count(*) n from articles {where} group by 1 order by n desc, 1",
        params,
    ).fetchall()
    methods = con.execute(
        f"select method, count(*) n from duplicates {where} group by 1 order by n desc, 1", params
    ).fetchall()
    similarities = con.execute(
        f"select method, similarity from duplicates {where} "
        f"{'and' if where else 'where'} method <> 'exact' order by 1, 2",
        params,
    ).fetchall()
    clusters = _rows(
        con,
        f"""
        select d.kept_article_id, d.kept_source_uri,
               coalesce(a.title, left(a.body, 90) || '…') as kept_title, count(*) as copies,
               list(d.source_uri order by d.similarity desc)[1:{CLUSTER_MEMBERS}] as members,
               min(d.similarity) as min_similarity, string_agg(distinct d.method, ', ') as methods
        from duplicates d left join articles a on a.article_id = d.kept_article_id
        {where.replace("run_id", "d.run_id")}
        group by all order by copies desc, d.kept_article_id limit {TOP_CLUSTERS}
        """,
        params,
    )
    data = ReportData(
        lake=lake,
        run_id=run_id,
        runs=load_runs(lake),
        totals=totals,
        per_day=per_day,
        undated=undated,
        languages=languages,
        methods=methods,
        similarities=similarities,
        clusters=clusters,
        samples=_samples(con, where, params, samples),
        quarantine=_quarantine(con, where, params),
        boilerplate=_boilerplate(con, where, params),
    )
    return data


def _samples(con, where: str, params: list, n: int) -> list[dict[str, Any]]:
    """Up to `n` dropped near (spun) copies, one per survivor, spread evenly over the range of
    similarities (the least similar, the most, and quantiles between), with both bodies.

    The duplicates table keeps no body; the copy's text comes from a `body` column when the
    lake has one, else from its source file, decoded and normalized by the job's own code.
    """
    if n <= 0:
        return []
    d_where = where.replace("run_id", "d.run_id")
    candidates = con.execute(
        f"""
        select article_id from (
            select d.article_id, d.similarity, row_number() over (
                partition by d.kept_article_id order by d.similarity, d.article_id) as k
            from duplicates d join articles a on a.article_id = d.kept_article_id
            {d_where} {"and" if where else "where"} d.method <> 'exact'
        ) where k = 1 order by similarity, article_id
        """,
        params,
    ).fetchall()
    if not candidates:
        return []
    count = min(n, len(candidates))
    step = (len(candidates) - 1) / max(count - 1, 1)
    chosen = sorted({candidates[round(i * step)][0] for i in range(count)})
    has_body = "body" in _columns(con, "duplicates")
    body = "d.body as copy_body," if has_body else ""
    rows = _rows(
        con,
        f"""
        select d.article_id, d.source_uri, d.title, d.similarity, d.method, {body}
               d.kept_source_uri, coalesce(a.title, left(a.body, 90) || '…') as kept_title,
               a.body as kept_body
        from duplicates d join articles a on a.article_id = d.kept_article_id
        where d.article_id in (select unnest(?::varchar[])) and d.method <> 'exact'
        order by d.similarity, d.article_id
        """,
        [chosen],
    )
    for row in rows:
        if not has_body:
            row["copy_body"] = read_body(row["source_uri"])
    return rows


def read_body(source_uri: str) -> str | None:
    """The normalized body of an input file, as the job would parse it; None if unreadable."""
    from pipelines.core.decode import DecodeError, decode_bytes
    from pipelines.core.headers import HeaderError, parse_article

    try:
        with open(source_uri, "rb") as handle:
            text, _ = decode_bytes(handle.read())
        return parse_article(text).body
    except (OSError, DecodeError, HeaderError):
        return None


def _quarantine(con, where: str, params: list) -> list[dict[str, Any]]:
    kinds = con.execute(
        f"select error_kind, count(*) n from quarantine {where} group by 1 order by n desc, 1",
        params,
    ).fetchall()
    out = []
    for kind, count in kinds:
        examples = _rows(
            con,
            f"select source_uri, message, raw_size, truncated from quarantine "
            f"where error_kind = ? {'and run_id = ?' if where else ''} "
            f"order by source_uri limit {QUARANTINE_EXAMPLES}",
            [kind, *params],
        )
        out.append({"kind": kind, "count": count, "examples": examples})
    return out


def _boilerplate(con, where: str, params: list) -> dict[str, Any] | None:
    """Most frequent removed boilerplate lines, or None when articles has no such column."""
    if "boilerplate" not in _columns(con, "articles"):
        return None
    articles, lines = con.execute(
        f"select count(*) filter (where len(boilerplate) > 0), coalesce(sum(len(boilerplate)), 0) "
        f"from articles {where}",
        params,
    ).fetchall()[0]
    top = con.execute(
        f"select line, count(*) n from (select unnest(boilerplate) as line from articles {where}) "
        f"group by 1 order by n desc, 1 limit {BOILERPLATE_TOP}",
        params,
    ).fetchall()
    return {"articles": articles, "lines": lines, "top": top}
