"""Typed records that flow through the pipeline.

`Article` is the one record for an article from decoding to writing; its persisted fields are
exactly those of `schemas/article.avsc` (a test keeps them in step). `Duplicate` and `Quarantined`
mirror `schemas/duplicate.avsc` and `schemas/quarantine.avsc`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Header facts found by NormalizeHeaders and consumed by TagDate; not persisted.
TRANSIENT_ARTICLE_FIELDS = frozenset({"date_candidates"})


@dataclass(frozen=True, slots=True)
class RawFile:
    """The bytes of one matched input file (possibly a capped prefix, see `size`)."""

    source_uri: str
    data: bytes
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Article:
    """One article. Stages fill it in with `dataclasses.replace`; it is never mutated."""

    article_id: str
    source_uri: str
    body: str
    content_hash: str
    encoding: str
    word_count: int
    ingested_at: dt.datetime
    run_id: str
    title: str | None = None
    published_date: dt.date | None = None
    date_source: str = "none"
    language: str = "und"
    language_confidence: float = 0.0
    encoding_confidence: float = 1.0
    dateline: str | None = None
    caption: str | None = None
    credit: str | None = None
    byline: str | None = None
    stripped: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    duplicate_count: int = 0
    # (source, raw text) pairs in priority order, e.g. (("header", "2020-03-18"),).
    date_candidates: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def to_row(self) -> dict[str, Any]:
        """The persisted fields as a dict (schema order is applied by the writer)."""
        row = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in TRANSIENT_ARTICLE_FIELDS
        }
        row["stripped"] = list(self.stripped)
        row["boilerplate"] = list(self.boilerplate)
        return row


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An article dropped as a duplicate of `kept_article_id`."""

    article_id: str
    source_uri: str
    title: str | None
    published_date: dt.date | None
    language: str
    content_hash: str
    kept_article_id: str
    kept_source_uri: str
    similarity: float
    method: str
    cluster_id: str
    kept_run_id: str
    kept_is_later: bool
    ingested_at: dt.datetime
    run_id: str

    @classmethod
    def of(
        cls,
        article: Article,
        kept_id: str,
        kept_uri: str,
        similarity: float,
        method: str,
        kept_run_id: str,
        kept_date: dt.date | None,
    ) -> Duplicate:
        """`article` dropped for the kept article; `kept_is_later` when the survivor is dated
        after it (a copy that arrived before its original, see Scheduled runs)."""
        later = (
            kept_date is not None
            and article.published_date is not None
            and kept_date > article.published_date
        )
        return cls(
            article_id=article.article_id,
            source_uri=article.source_uri,
            title=article.title,
            published_date=article.published_date,
            language=article.language,
            content_hash=article.content_hash,
            kept_article_id=kept_id,
            kept_source_uri=kept_uri,
            similarity=similarity,
            method=method,
            cluster_id=kept_id,
            kept_run_id=kept_run_id,
            kept_is_later=later,
            ingested_at=article.ingested_at,
            run_id=article.run_id,
        )

    def to_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An input that could not become an article, with (a capped prefix of) its raw bytes."""

    source_uri: str
    error_kind: str
    message: str
    raw: bytes
    raw_size: int
    raw_sha256: str | None
    truncated: bool
    quarantined_at: dt.datetime
    run_id: str
    # The ledger's identity of the input (see LedgerEntry.article_id); None: retried next run.
    # Defaults to the content id of raw_sha256.
    input_id: str | None = None

    def __post_init__(self) -> None:
        if self.input_id is None and self.raw_sha256:
            object.__setattr__(self, "input_id", self.raw_sha256[:20])

    def to_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A file's text after decoding, before header normalization."""

    source_uri: str
    article_id: str
    text: str
    encoding: str
    raw: bytes  # kept so a later quarantine still holds the original bytes
    raw_sha256: str
    encoding_confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """An input file a run accounted for; mirrors `schemas/ledger.avsc`."""

    source_uri: str
    article_id: str  # the input's content id: with its path, what a rerun is recognised by
    outcome: str  # article | duplicate | quarantine
    run_id: str
    ingested_at: dt.datetime

    @property
    def key(self) -> tuple[str, str]:
        """(canonical path, content id): the same file again is skipped; its bytes at another
        path are a new input (an exact duplicate of what was published, as in one batch run)."""
        return self.source_uri, self.article_id

    def to_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
