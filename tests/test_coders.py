"""Round trips and determinism of the record coders in `pipelines.coders`."""

from __future__ import annotations

import datetime as dt

import apache_beam as beam
import numpy as np
import pytest

from pipelines import coders as C
from pipelines.core.index import IndexEntry
from pipelines.core.near_dup import Signature, WordProfile
from pipelines.core.records import (
    Article,
    DecodedText,
    Duplicate,
    LedgerEntry,
    Quarantined,
    RawFile,
)
from pipelines.transforms.dedup import Dropped, Features
from pipelines.transforms.write import StagedFile

UTC = dt.timezone.utc
NOW = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def _sig(n: int = 40) -> Signature:
    rng = np.random.default_rng(n)
    shingles = np.sort(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32))
    return Signature(2**62 + n, shingles, (np.arange(n) % 7).astype(np.uint8), "skeleton", 3 * n)


EMPTY_SIG = Signature(0, np.zeros(0, np.uint32), np.zeros(0, np.uint8), "char+full", 0)


def _article(**kw) -> Article:
    base = dict(
        article_id="a1",
        source_uri="file:///in/ärticle 1.txt",
        body="Ünïcödé body — 東京 \U0001f600\n" * 3,
        content_hash="ab" * 32,
        encoding="utf-8",
        word_count=12,
        ingested_at=NOW,
        run_id="run-1",
        title="Title ✓",
        published_date=dt.date(2020, 3, 18),
        date_source="header",
        language="de",
        language_confidence=0.875,
        encoding_confidence=0.8125,
        dateline="BERLIN",
        caption=None,
        credit="AP",
        byline="Jane Doe, BBC News",
        stripped=("ad", "footer"),
        duplicate_count=2,
        date_candidates=(("header", "2020-03-18"), ("body", "18.3.2020")),
    )
    base.update(kw)
    return Article(**base)


ARTICLES = [
    _article(),
    _article(published_date=None, title=None, dateline=None, credit=None, byline=None, stripped=()),
    _article(body="x" * 5_000_000, word_count=1),
    _article(body="", ingested_at=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    # Off-type values still round-trip exactly (kept as-is).
    _article(ingested_at=dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))),
    _article(ingested_at=dt.datetime(2024, 1, 1, 12)),
    _article(published_date=dt.date(1, 1, 1)),
]

VALUES = [
    *[(C.ArticleCoder, a) for a in ARTICLES],
    (C.SignatureCoder, _sig()),
    (C.SignatureCoder, EMPTY_SIG),
    (C.FeaturesCoder, Features("u1", dt.date(2021, 2, 3), _sig(), stored=True, run_id="r0")),
    (C.FeaturesCoder, Features("u3", None, _sig(), True, "r0", originality=6.25, language="en")),
    (C.FeaturesCoder, Features("u2", None, EMPTY_SIG)),
    (C.FeaturesCoder, Features("u3", None, _sig(), originality=-4.8125)),
    (
        C.WordProfileCoder,
        WordProfile("en", np.array([1, 2**63, 2**64 - 1], np.uint64), 7),
    ),
    (C.WordProfileCoder, WordProfile("", np.zeros(0, np.uint64), 0)),
    (C.DroppedCoder, Dropped("k", 0.93, "near:skeleton", "r0", dt.date(2020, 1, 1))),
    (C.DroppedCoder, Dropped("k", 1.0, "exact")),
    (
        C.DuplicateCoder,
        Duplicate(
            "a2", "u2", None, None, "und", "h", "a1", "u1", 0.5, "exact", "c", "r", False, NOW, "r"
        ),
    ),
    (
        C.QuarantinedCoder,
        Quarantined("u", "decode", "bad ✗", b"\x00\xff" * 1000, 2000, None, True, NOW, "r"),
    ),
    (C.RawFileCoder, RawFile("u", b"", 0, "e3b0")),
    (C.RawFileCoder, RawFile("u", bytes(range(256)) * 4000, 1024000, "ff")),
    (C.DecodedTextCoder, DecodedText("u", "a", "tëxt", "latin-1", b"t\xebxt", "sha")),
    (C.DecodedTextCoder, DecodedText("u", "a", "тест", "koi8-r", b"\xd4\xc5\xd3\xd4", "s", 0.75)),
    (C.LedgerEntryCoder, LedgerEntry("u", "a", "article", "r", NOW)),
    (
        C.IndexEntryCoder,
        IndexEntry("a", "u", None, dt.date(2024, 5, 6), "en", _sig(5), "r"),
    ),
    (
        C.IndexEntryCoder,
        IndexEntry("b", "v", dt.date(2024, 5, 6), dt.date(2024, 5, 6), "en", _sig(5), "r", 6.5),
    ),
    (C.StagedFileCoder, StagedFile("articles", "date=2020-03-18", "/tmp/a", "/out/a", 10)),
]


def _same(a, b) -> None:
    assert type(a) is type(b)
    assert a == b
    for name in getattr(type(a), "__dataclass_fields__", {}):
        x, y = getattr(a, name), getattr(b, name)
        assert type(x) is type(y), name
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and x.flags.writeable
        elif isinstance(x, dt.datetime):
            assert x.tzinfo == y.tzinfo and x.utcoffset() == y.utcoffset()
        elif isinstance(x, (Signature, WordProfile)):
            _same(x, y)
        else:
            assert x == y, name


@pytest.mark.parametrize("coder_cls,value", VALUES)
def test_round_trip_exact(coder_cls, value):
    coder = coder_cls()
    data = coder.encode(value)
    _same(coder.decode(data), value)
    # Article equality ignores date_candidates (compare=False); check it explicitly.
    if isinstance(value, Article):
        assert coder.decode(data).date_candidates == value.date_candidates


@pytest.mark.parametrize("coder_cls,value", VALUES)
def test_same_bytes_twice(coder_cls, value):
    coder = coder_cls()
    assert coder.encode(value) == coder.encode(value)
    assert coder_cls().encode(value) == coder.encode(value)
    assert not coder.is_deterministic()  # pickle's memo makes no promise; Beam must not rely


@pytest.mark.parametrize("coder_cls,value", VALUES)
def test_fallback_coder_round_trips_nested(coder_cls, value):
    coder = C.RecordsPrimitivesCoder()
    for element in (value, ("key", value), [value, None, 3], {"k": (1, value)}):
        data = coder.encode(element)
        assert coder.encode(element) == data
        assert coder.decode(data) == element


def test_fallback_coder_still_pickles_other_types():
    coder = C.RecordsPrimitivesCoder()
    for element in (dt.date(2020, 1, 1), frozenset({1, 2}), ("x", NOW), None, 2**70):
        assert coder.decode(coder.encode(element)) == element


def test_registered():
    registry = beam.coders.registry
    for coder_cls in C.RECORD_CODERS:
        assert isinstance(registry.get_coder(coder_cls.record_type), coder_cls)
    assert isinstance(registry.get_coder(beam.typehints.Any), C.RecordsPrimitivesCoder)
    kv = registry.get_coder(beam.typehints.Tuple[str, Article])
    assert isinstance(kv.value_coder(), C.ArticleCoder)


def test_keys_use_beams_deterministic_encoding():
    coder = C.RecordsPrimitivesCoder()
    assert not coder.is_deterministic()
    det = coder.as_deterministic_coder("step")
    assert det.is_deterministic()
    baseline = beam.coders.FastPrimitivesCoder().as_deterministic_coder("step")
    for key in ("k", ("a", 1), (dt.date(2020, 1, 1).toordinal(), "x")):
        assert det.encode(key) == baseline.encode(key)


def test_coders_pickle():
    from apache_beam.internal import pickler

    for coder in (C.ArticleCoder(), C.RecordsPrimitivesCoder()):
        clone = pickler.loads(pickler.dumps(coder))
        assert clone == coder
        assert clone.decode(coder.encode(ARTICLES[0])) == ARTICLES[0]
