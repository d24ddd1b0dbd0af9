"""Reading a finished run's outputs back, for assertions."""

from __future__ import annotations

import glob
import json
import os

import fastavro

from pipelines.query import connect


def articles(output: str) -> dict[str, dict]:
    """Article rows keyed by the seed-style file name prefix (e.g. '001') or base name."""
    con = connect(output)
    cur = con.execute("select * from articles")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {os.path.basename(r["source_uri"]).split("_")[0]: r for r in rows}


def table(output: str, sql: str) -> list[tuple]:
    return connect(output).execute(sql).fetchall()


def quarantine(output: str) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(output, "quarantine", "*.avro"))):
        with open(path, "rb") as handle:
            rows.extend(fastavro.reader(handle))
    return rows


def manifest(output: str) -> dict:
    (path,) = glob.glob(os.path.join(output, "_runs", "*.json"))
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
