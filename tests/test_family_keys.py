"""Family keys: an index entry keeps the candidate keys of the copies dropped for it, so a
later run buckets it under them too (`core/near_dup/family.py`)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import apache_beam as beam
import numpy as np
from apache_beam.testing.util import assert_that, equal_to

from pipelines.core import near_dup as nd
from pipelines.core.headers import parse_article
from pipelines.core.index import IndexEntry
from pipelines.core.near_dup import family
from pipelines.transforms.dedup import AttachFamilies, DropDuplicates
from pipelines.transforms.dedup.features import article_features, article_key, uid
from tests.conftest import seed
from tests.test_stages import SPUN_SIMILARITY, _article

# Two bands of 32 rows: only near-identical texts share a bucket, so the spun copy (seed 000)
# and its original (001) are never candidates by their own keys.
STRICT = nd.NearDupConfig(bands=2, rows=32)


def _seed_article(run_ctx, prefix: str, article_id: str, day: dt.date):
    parsed = parse_article(seed(prefix).read_text(encoding="utf-8"))
    return _article(
        run_ctx, parsed.body, article_id, title=parsed.title, published_date=day, language="en"
    )


def _sig(article, config=nd.DEFAULT) -> nd.Signature:
    return article_features(
        article.body, article.language, article.title, article.article_id, config
    )[0]


def _entry(article, config=nd.DEFAULT, family_keys: bytes = b"") -> IndexEntry:
    return IndexEntry(
        article.article_id, article.source_uri, article.published_date, article.published_date,
        "en", _sig(article, config), "earlier-run", 7.5, family_keys=family_keys,
    )  # fmt: skip


def test_merge_keys_is_a_sorted_capped_union_whatever_the_order() -> None:
    a = np.array([9, 3, 3, 7], dtype=np.int64)
    b = np.array([7, 1], dtype=np.int64)
    assert family.merge_keys(family.to_bytes(a), b).tolist() == [1, 3, 7, 9]
    assert family.merge_keys(b, a).tolist() == [1, 3, 7, 9]
    many = np.arange(family.FAMILY_MAX_KEYS + 5, dtype=np.int64)[::-1]
    assert family.merge_keys(many).tolist() == list(range(family.FAMILY_MAX_KEYS))


def test_entry_keys_are_its_own_and_its_familys_once(run_ctx) -> None:
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    sig = _sig(original)
    own = nd.candidate_key_array(sig)
    extra = np.array([own[3], 5, 11], dtype=np.int64)  # one key shared with its own
    keys = family.entry_keys(sig, family.to_bytes(extra))
    assert keys.tolist() == sorted({*own.tolist(), 5, 11})


def test_a_run_leaves_the_dropped_copys_keys_with_its_survivor(pipeline, run_ctx) -> None:
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    spun = _seed_article(run_ctx, "000", "a000", dt.date(2020, 3, 18))
    own = nd.candidate_key_array(_sig(original))
    left = family.family_keys(_sig(spun), own)
    # The copy's 65 band keys and 13 long-line keys (all its lines are spun) less the 22
    # buckets it shares with its original.
    assert (len(left), len(np.intersect1d(left, own))) == (56, 0)
    expected = family.to_bytes(left)
    with pipeline as p:
        out = p | beam.Create([original, spun]) | DropDuplicates()
        assert_that(out.families, equal_to([(article_key(uid(original)), expected)]))
        entries = out.index | AttachFamilies(out.families)
        assert_that(
            entries | beam.Map(lambda e: (e.article_id, e.family_keys)),
            equal_to([("b001", expected)]),
            label="entries",
        )


def test_a_stored_entry_merges_the_keys_of_new_copies(pipeline, run_ctx) -> None:
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    spun = _seed_article(run_ctx, "000", "a000", dt.date(2020, 3, 18))
    old = np.array([1, 2], dtype=np.int64)
    entry = _entry(original, family_keys=family.to_bytes(old))
    left = family.family_keys(_sig(spun), nd.candidate_key_array(_sig(original)))
    expected = family.to_bytes(family.merge_keys(old, left))
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([entry])
        out = p | beam.Create([spun]) | DropDuplicates(stored=stored)
        entries = (stored, out.index) | beam.Flatten() | AttachFamilies(out.families)
        assert_that(entries, equal_to([dataclasses.replace(entry, family_keys=expected)]))


def test_a_copy_near_only_to_a_dropped_sibling_meets_the_survivor(pipeline, run_ctx) -> None:
    # An earlier run dropped a copy identical to `spun` for the original: the original's
    # entry keeps that copy's keys, so `spun` meets the original and is verified against it,
    # although the two share no bucket of their own.
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    spun = _seed_article(run_ctx, "000", "a000", dt.date(2020, 3, 18))
    own = set(nd.candidate_key_array(_sig(original, STRICT), STRICT).tolist())
    assert own.isdisjoint(nd.candidate_key_array(_sig(spun, STRICT), STRICT).tolist())
    assert nd.verify(_sig(original, STRICT), _sig(spun, STRICT), STRICT) is not None
    sibling = family.to_bytes(family.family_keys(_sig(spun, STRICT), config=STRICT))
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([_entry(original, STRICT, sibling)])
        out = p | beam.Create([spun]) | DropDuplicates(STRICT, stored=stored)
        assert_that(
            out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id, d.similarity)),
            equal_to([("a000", "b001", SPUN_SIMILARITY)]),
        )
        assert_that(out.articles, equal_to([]), label="kept")


def test_without_family_keys_the_strict_run_keeps_the_copy(pipeline, run_ctx) -> None:
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    spun = _seed_article(run_ctx, "000", "a000", dt.date(2020, 3, 18))
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([_entry(original, STRICT)])
        out = p | beam.Create([spun]) | DropDuplicates(STRICT, stored=stored)
        assert_that(out.articles | beam.Map(lambda a: a.article_id), equal_to(["a000"]))
        assert_that(out.duplicates, equal_to([]), label="dups")


def test_index_entry_round_trips_family_keys(run_ctx) -> None:
    original = _seed_article(run_ctx, "001", "b001", dt.date(2020, 3, 16))
    keys = family.to_bytes(np.array([4, 8], dtype=np.int64))
    entry = _entry(original, family_keys=keys)
    assert IndexEntry.from_row(entry.to_row()).family_keys == keys
    legacy = entry.to_row()
    del legacy["family_keys"]
    assert IndexEntry.from_row(legacy).family_keys == b""
