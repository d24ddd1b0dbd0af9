"""What duplicate detection knows of an article: keys, features, decisions (no Beam graph)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

import apache_beam as beam
import numpy as np

from pipelines.core import near_dup as nd
from pipelines.core.boilerplate import strip_filler
from pipelines.core.index import IndexEntry
from pipelines.core.near_dup.own_text import own_text
from pipelines.core.records import Article

DUPLICATES = "duplicates"
FAMILY = "family"
FEATURES = "features"
INDEX = "index"
MEMBERS = "members"
PAIRS = "pairs"
PENDING = "pending"
SUPERSEDED = "superseded"


def uid(article: Article) -> str:
    """Unique key of an article in a run; sorts by article_id, then source_uri."""
    return f"{article.article_id}|{article.source_uri}"


def article_key(uid_: str) -> int:
    """63-bit integer key of a uid: what the shuffles and side inputs of DropDuplicates use.

    Band keys, candidate pairs and joins carry this 8-byte int instead of the ~90-character
    uid: measured at 25k articles, the uid made up most of the ~115 MB of band keys. Two
    inputs with one key meet in every LSH bucket and fail the run in `_verify` (see
    `PairIndex`); for distinct uids the odds are ~n^2 / 2^64.
    """
    digest = hashlib.blake2b(uid_.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def split_uid(key: str) -> tuple[str, str]:
    """(article_id, source_uri) of a uid; article ids are hex, so the first '|' splits."""
    article_id, source_uri = key.split("|", 1)
    return article_id, source_uri


@dataclass(frozen=True)
class Features:
    """What duplicate detection needs of an article (no body text).

    `originality`: `nd.originality` of the article's text, a function of the article alone.
    `stored` marks an article published by an earlier run (from the index, `run_id` set,
    with the `originality` and `language` its entry holds: what superseding needs; None for
    entries written before originality was kept).
    """

    uid: str
    published_date: dt.date | None
    signature: nd.Signature
    stored: bool = False
    run_id: str | None = None
    originality: float | None = 0.0
    language: str | None = None


def stored_features(entry: IndexEntry) -> tuple[int, Features]:
    """An index entry as a (key, Features) member (it survives against new articles unless
    the lake supersedes published survivors)."""
    return article_key(entry.uid), Features(
        entry.uid,
        entry.published_date,
        entry.signature,
        True,
        entry.run_id,
        entry.originality,
        entry.language,
    )


@dataclass(frozen=True)
class Dropped:
    """Decision for an article that is a duplicate of `kept_uid`.

    `kept_run_id` is None when the kept article is from this run.
    """

    kept_uid: str
    similarity: float
    method: str
    kept_run_id: str | None = None
    kept_date: dt.date | None = None


def article_features(
    body: str, language: str, title: str | None, article_id: str, config: nd.NearDupConfig
) -> tuple[nd.Signature, float]:
    """What an article is compared by: its signature and originality (also what
    `spindrift repair` recomputes from a published body to rebuild the index)."""
    # Template filler (Lorem ipsum) is no article's content: pages made of it are not copies
    # of each other for sharing it.
    text = strip_filler(body)
    if text.strip():
        sig, profile = nd.features(text, language, config, title=title)
        return sig, nd.originality(text, language, profile)
    # No article text (all of it was chrome or filler): nothing to compare, so the article
    # only matches byte-identical copies of its file (same article_id).
    sig = nd.Signature(article_key(article_id), _NO_SHINGLES, _NO_POSITIONS, "empty", 0)
    return sig, nd.originality("", language)


def _features(article: Article, config: nd.NearDupConfig, common: np.ndarray | None = None):
    """Main output: (key, Features); PENDING: (article, signature, originality), what
    ApplyDecisions needs.
    Keys are `article_key(uid)`. `common`: the batch's common lines (`_CommonLines`); then the
    Features' signature carries the article's own text (`Signature.own`)."""
    uid_ = uid(article)
    key = article_key(uid_)
    sig, originality = article_features(
        article.body, article.language, article.title, article.article_id, config
    )
    compared = sig if common is None else with_own_text(sig, article, common, config)
    yield key, Features(uid_, article.published_date, compared, originality=originality)
    yield beam.pvalue.TaggedOutput(PENDING, (article, sig, originality))


def with_own_text(
    sig: nd.Signature, article: Article, common: np.ndarray, config: nd.NearDupConfig
) -> nd.Signature:
    """The signature with the article's own text (`own_text`) attached."""
    own, text = own_text(article.body, common)
    if own.partial and text is not None and strip_filler(text).strip():
        own_sig = nd.signature(strip_filler(text), article.language, config, article.title)
        own = dataclasses.replace(own, signature=own_sig)
    return dataclasses.replace(sig, own=own)


_NO_SHINGLES = np.zeros(0, dtype=np.uint32)
_NO_POSITIONS = np.zeros(0, dtype=np.uint8)
