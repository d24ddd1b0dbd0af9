"""Superseding a published survivor: the rows a commit rewrites when one of its new articles
beats an article already published (pure: rows in, rows out; no Beam, no storage).

With superseding on (`IndexConfig.supersede`), a duplicate group split over commits gets the
survivor one batch run would pick (`near_dup.choose_survivor(..., prefer_stored=False)`):
the new survivor is published, the old one's `articles/` row becomes a `duplicates` row
pointing at it, and every `duplicates` row that named the old survivor is repointed. The
lake (`pipelines/lake/supersede.py`) finds the files holding those rows and rewrites them
copy-on-write in the same commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipelines.core.records import Duplicate


@dataclass(frozen=True)
class Superseded:
    """A published survivor (`old_*`, as its index entry knows it) replaced by `new_*`: an
    article of this run, or (`new_run_id` set) one published earlier that a new article
    linked it with (one batch run would have dropped the old one for it). `similarity` and
    `method` are the old one's match to the new."""

    old_id: str
    old_uri: str
    old_date: dt.date | None
    old_language: str
    old_run_id: str
    new_id: str
    new_uri: str
    new_date: dt.date | None
    similarity: float
    method: str
    new_run_id: str = ""  # "" when the new survivor is published by this run

    @property
    def old_uid(self) -> str:
        return uid(self.old_id, self.old_uri)

    def to_json(self) -> dict[str, Any]:
        """A JSON object (dates as ISO strings): how the stage report carries it."""
        return {
            **self.__dict__,
            "old_date": _iso(self.old_date),
            "new_date": _iso(self.new_date),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Superseded:
        return cls(
            **{
                **data,
                "old_date": _date(data["old_date"]),
                "new_date": _date(data["new_date"]),
                "similarity": float(data["similarity"]),
            }
        )


def uid(article_id: str, source_uri: str) -> str:
    """An article's key: byte-identical copies at two paths share an id, not a uid."""
    return f"{article_id}|{source_uri}"


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def kept_is_later(kept: dt.date | None, own: dt.date | None) -> bool:
    """`Duplicate.kept_is_later`: the survivor is dated after the dropped article."""
    return kept is not None and own is not None and kept > own


def split_articles(
    rows: Iterable[dict[str, Any]], gone: Mapping[str, Superseded]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """An `articles/` file's rows -> (rows that stay, rows of superseded survivors)."""
    kept, removed = [], []
    for row in rows:
        (removed if uid(row["article_id"], row["source_uri"]) in gone else kept).append(row)
    return kept, removed


def superseded_duplicate(row: dict[str, Any], s: Superseded, run_id: str) -> dict[str, Any]:
    """The `duplicates` row of a superseded survivor (its `articles/` row, without the
    partition columns, which `s` carries): it points at the new survivor, kept by `run_id`
    (or by `s.new_run_id`, an earlier run)."""
    return Duplicate(
        article_id=row["article_id"],
        source_uri=row["source_uri"],
        title=row["title"],
        published_date=s.old_date,
        language=s.old_language,
        content_hash=row["content_hash"],
        kept_article_id=s.new_id,
        kept_source_uri=s.new_uri,
        similarity=s.similarity,
        method=s.method,
        cluster_id=s.new_id,
        kept_run_id=s.new_run_id or run_id,
        kept_is_later=kept_is_later(s.new_date, s.old_date),
        ingested_at=row["ingested_at"],
        run_id=row["run_id"],
    ).to_row()


def repoint(
    row: dict[str, Any], by_old: Mapping[str, Superseded], run_id: str
) -> dict[str, Any] | None:
    """A `duplicates` row that named a superseded survivor, now naming the new one (None:
    the row names no superseded survivor). Its similarity and method stay those measured
    against the old survivor: the dropped article's signature is not kept anywhere."""
    s = by_old.get(uid(row["kept_article_id"], row["kept_source_uri"]))
    if s is None:
        return None
    return {
        **row,
        "kept_article_id": s.new_id,
        "kept_source_uri": s.new_uri,
        "cluster_id": s.new_id,
        "kept_run_id": s.new_run_id or run_id,
        "kept_is_later": kept_is_later(s.new_date, row["published_date"]),
    }
