"""The persistent near-duplicate index: what later runs need to catch copies of earlier articles.

Pure logic, no storage: entries hold a kept article's signature (no text); a time window
bounds them. The batch job keeps entries as Parquet under `DIR/_index/`; a streaming job can
keep the same entries in bounded, evicting state and call the same functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipelines.core.near_dup import Signature
from pipelines.core.near_dup.openings import Openings
from pipelines.core.near_dup.skeleton import POSITION_LEVELS


@dataclass(frozen=True)
class IndexConfig:
    """`window_days`: entries dated more than this before the newest date seen are evicted.
    `supersede`: a new article that beats a published (indexed) member of its group by the
    batch rule (`near_dup.choose_survivor`) replaces it as the survivor: its published row
    moves to duplicates, copy-on-write in the same commit. Off, published survivors stay."""

    window_days: int = 30
    supersede: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.window_days, int) or self.window_days < 0:
            raise ValueError("window_days must be an int >= 0")
        if not isinstance(self.supersede, bool):
            raise ValueError("supersede must be true or false")


@dataclass(frozen=True)
class IndexEntry:
    """One kept article in the index.

    `originality`: the score the dedup stage gave the article (`near_dup.originality`), what
    superseding compares a new member with; None in entries written before it was kept (or
    rebuilt by `spindrift repair`).
    `line_hashes`, `line_long`: the article's line sketch as published
    (`boilerplate.published_sketch`: int64 hashes and a flag byte per line as raw bytes),
    what later runs count repeated chrome lines with; empty in entries written before.
    `family_keys`: LSH candidate keys of the copies dropped for this article (int64 raw
    bytes, sorted unique, `family.merge_keys`): later runs bucket the entry under them too.
    """

    article_id: str
    source_uri: str
    published_date: dt.date | None
    effective_date: dt.date
    language: str
    signature: Signature
    run_id: str
    originality: float | None = None
    line_hashes: bytes = b""
    line_long: bytes = b""
    family_keys: bytes = b""

    @property
    def uid(self) -> str:
        return f"{self.article_id}|{self.source_uri}"

    def to_row(self) -> dict[str, Any]:
        """A row of `schemas/index_entry.avsc`."""
        sig = self.signature
        return {
            "article_id": self.article_id,
            "source_uri": self.source_uri,
            "published_date": self.published_date,
            "effective_date": self.effective_date,
            "language": self.language,
            "exact": int(sig.exact),
            "shingles": sig.shingles.astype("<u4").tobytes(),
            "positions": sig.positions.astype(np.uint8).tobytes(),
            "mode": sig.mode,
            "n_tokens": int(sig.n_tokens),
            "main_start": int(sig.main_start),
            "main_end": int(sig.main_end),
            "numbers": sig.numbers.astype("<u4").tobytes(),
            "run_id": self.run_id,
            "originality": self.originality,
            "line_hashes": self.line_hashes,
            "line_long": self.line_long,
            "openings": sig.openings.packed if sig.openings is not None else b"",
            "family_keys": self.family_keys,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> IndexEntry:
        signature = Signature(
            exact=int(row["exact"]),
            shingles=np.frombuffer(row["shingles"], dtype="<u4").astype(np.uint32),
            positions=np.frombuffer(row["positions"], dtype=np.uint8).copy(),
            mode=row["mode"],
            n_tokens=int(row["n_tokens"]),
            # Entries written before main blocks existed cover the whole article.
            main_start=int(row.get("main_start") or 0),
            main_end=int(row.get("main_end") or POSITION_LEVELS),
            numbers=np.frombuffer(row.get("numbers") or b"", dtype="<u4").astype(np.uint32),
            # Entries written before openings were kept (or with no long line) have none.
            openings=Openings(row["openings"]) if row.get("openings") else None,
        )
        return cls(
            article_id=row["article_id"],
            source_uri=row["source_uri"],
            published_date=row["published_date"],
            effective_date=row["effective_date"],
            language=row["language"],
            signature=signature,
            run_id=row["run_id"],
            # Entries written before originality was kept have no such column.
            originality=row.get("originality"),
            # Entries written before line sketches were kept have no such columns.
            line_hashes=row.get("line_hashes") or b"",
            line_long=row.get("line_long") or b"",
            # Entries written before copies' keys were kept have none.
            family_keys=row.get("family_keys") or b"",
        )


def effective_date(published: dt.date | None, ingested: dt.datetime) -> dt.date:
    """The date an entry ages by: its publication date, else the day it was ingested."""
    return published or ingested.date()


def window_start(newest: dt.date | None, config: IndexConfig) -> dt.date | None:
    """First date still inside the window, given the newest date seen (None: keep all)."""
    return None if newest is None else newest - dt.timedelta(days=config.window_days)


def in_window(date: dt.date, start: dt.date | None) -> bool:
    return start is None or date >= start
