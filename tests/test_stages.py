"""One TestPipeline test per stage, each with exact expected output."""

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystem import FileMetadata
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.util import assert_that, equal_to

from pipelines.config import ReadConfig, WriteConfig
from pipelines.core import near_dup as nd
from pipelines.core import text as textlib
from pipelines.core.decode import DEFAULT_DECODE
from pipelines.core.headers import DEFAULT_HEADER, parse_article
from pipelines.core.index import IndexConfig, IndexEntry
from pipelines.core.language import LanguageConfig
from pipelines.core.records import Article, DecodedText, Duplicate, Quarantined, RawFile
from pipelines.core.supersede import Superseded
from pipelines.lake.commit import publish
from pipelines.lake.snapshot import Snapshot
from pipelines.transforms.dedup import DropDuplicates, PairIndex, _bucket_pairs
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadArticles, ReadFiles
from pipelines.transforms.tag import RetagCleaned, TagDate, TagLanguage
from pipelines.transforms.write import PublishRun, _ReportParts
from tests.conftest import STARTED, seed
from tests.helpers import CHROME, SITE_PAGES


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _quarantined(run, uri, kind, message, raw=b"", size=-1, sha=None) -> Quarantined:
    return Quarantined(uri, kind, message, raw, size, sha, size > len(raw), STARTED, run.run_id)


def _article(run, body, article_id, **fields) -> Article:
    return Article(
        article_id=article_id,
        source_uri=f"/in/{article_id}.txt",
        body=body,
        content_hash=textlib.content_hash(body),
        encoding="utf-8",
        word_count=textlib.word_count(body),
        ingested_at=STARTED,
        run_id=run.run_id,
        **fields,
    )


def test_read_files_reads_quarantines_missing_unreadable_and_too_large(pipeline, run_ctx, tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(b"hello world")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    gone = str(tmp_path / "gone.txt")
    metadata = [
        FileMetadata(str(good), 0),
        FileMetadata(str(big), 0),
        FileMetadata(str(folder), 0),
        FileMetadata(gone, 0),
    ]
    config = ReadConfig(max_article_bytes=1000, raw_cap=100)
    with pipeline as p:
        out = p | beam.Create(metadata) | ReadFiles(config, run_ctx)
        assert_that(
            out.files,
            equal_to([RawFile(str(good), b"hello world", 11, _sha(b"hello world"))]),
            label="files",
        )
        kinds = out.quarantine | beam.Map(lambda q: (q.source_uri, q.error_kind, q.raw_size))
        assert_that(
            kinds,
            equal_to(
                [
                    (str(big), "too_large", 5000),
                    (str(folder), "unreadable", -1),
                    (gone, "vanished", -1),
                ]
            ),
            label="quarantine",
        )
        capped = out.quarantine | beam.Filter(lambda q: q.error_kind == "too_large")
        assert_that(
            capped | beam.Map(lambda q: (len(q.raw), q.truncated, q.raw_sha256)),
            equal_to([(100, True, _sha(b"x" * 1000))]),  # never read past the cap
            label="capped",
        )


def test_read_articles_matches_each_path_once(pipeline, run_ctx, tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(name)
    globs = [str(tmp_path / "*.txt"), str(tmp_path / "a.*")]
    with pipeline as p:
        out = p | ReadArticles(globs, ReadConfig(), run_ctx)
        assert_that(
            out["files"] | beam.Map(lambda f: (f.source_uri, f.data)),
            equal_to([(str(tmp_path / "a.txt"), b"a.txt"), (str(tmp_path / "b.txt"), b"b.txt")]),
            label="files",
        )
        assert_that(
            out["matched"], equal_to([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]), "m"
        )


def test_decode_text(pipeline, run_ctx):
    utf16 = "Grüße".encode("utf-16")
    raws = [
        RawFile("/u16", utf16, len(utf16), _sha(utf16)),
        RawFile("/empty", b"", 0, _sha(b"")),
        RawFile("/bin", b"\x89PNG\r\n", 6, _sha(b"\x89PNG\r\n")),
    ]
    with pipeline as p:
        out = p | beam.Create(raws) | DecodeText(DEFAULT_DECODE, run_ctx)
        assert_that(
            out.decoded,
            equal_to(
                [DecodedText("/u16", _sha(utf16)[:20], "Grüße", "utf-16", utf16, _sha(utf16))]
            ),
            label="decoded",
        )
        assert_that(
            out.quarantine,
            equal_to(
                [
                    _quarantined(run_ctx, "/empty", "empty", "file is empty", b"", 0, _sha(b"")),
                    _quarantined(
                        run_ctx,
                        "/bin",
                        "binary",
                        "file starts with the signature of a binary format",
                        b"\x89PNG\r\n",
                        6,
                        _sha(b"\x89PNG\r\n"),
                    ),
                ]
            ),
            label="quarantine",
        )


def test_normalize_headers_on_seed_001(pipeline, run_ctx):
    raw = seed("001").read_bytes()
    doc = DecodedText("/s/001.txt", "id001", raw.decode("utf-8"), "utf-8", raw, _sha(raw))
    header_only = DecodedText("/s/h.txt", "idh", " date 2020-03-18 ", "utf-8", b"x", _sha(b"x"))
    # Not text at all: stands for any input that makes the parser fail unexpectedly.
    broken = DecodedText("/s/b.txt", "idb", None, "utf-8", b"y", _sha(b"y"))
    with pipeline as p:
        out = (
            p | beam.Create([doc, header_only, broken]) | NormalizeHeaders(DEFAULT_HEADER, run_ctx)
        )
        body = out.articles | beam.Map(lambda a: a)
        assert_that(
            body
            | beam.Map(
                lambda a: (
                    a.article_id,
                    a.title,
                    a.caption,
                    a.credit,
                    a.stripped,
                    a.date_candidates,
                    a.body[:40],
                    a.body.endswith("play out in Iraq."),
                    a.word_count,
                    a.encoding,
                    a.run_id,
                )
            ),
            equal_to(
                [
                    (
                        "id001",
                        None,
                        "Rockets fell in Baghdad near the US Embassy on Tuesday (Lewis Whyld/PA)",
                        "PA Media",
                        ("date-prefix", "caption", "credit"),
                        (("header", "2020-03-18"),),
                        "At least three rockets struck Baghdad’s ",
                        True,
                        336,  # 355 words in the file less date prefix (4), caption (13), credit (2)
                        "utf-8",
                        "test-run",
                    )
                ]
            ),
            label="articles",
        )
        assert_that(
            out.quarantine | beam.Map(lambda q: (q.source_uri, q.error_kind, q.raw)),
            equal_to([("/s/h.txt", "no_body", b"x"), ("/s/b.txt", "internal", b"y")]),
            label="quarantine",
        )


def test_tag_language(pipeline, run_ctx):
    articles = [
        _article(run_ctx, "The government said on Tuesday that the talks would resume.", "en1"),
        _article(
            run_ctx, "Die Regierung teilte am Dienstag mit, dass die Gespräche weitergehen.", "de1"
        ),
        _article(run_ctx, "1234 5678 !!!", "und1"),
    ]
    with pipeline as p:
        out = p | beam.Create(articles) | TagLanguage(LanguageConfig())
        assert_that(
            out | beam.Map(lambda a: (a.article_id, a.language, a.language_confidence > 0.5)),
            equal_to([("en1", "en", True), ("de1", "de", True), ("und1", "und", False)]),
        )


def test_retag_cleaned_names_the_article_language_not_its_menus(pipeline, run_ctx):
    english = "The government said on Tuesday that the talks would resume next week."
    menu = ("Balita", "Mga Larawan", "Ang pinakabagong balita ngayong araw")
    articles = [
        # Tagged from a page whose Tagalog menu came first; the menu is gone now.
        _article(run_ctx, english, "cleaned", language="tl", boilerplate=menu),
        # Nothing removed: the tag stands, whatever it is.
        _article(run_ctx, english, "untouched", language="tl"),
        # What is left is too short to tell: the page's tag stands.
        _article(run_ctx, "Ok.", "short", language="de", boilerplate=menu),
    ]
    with pipeline as p:
        out = p | beam.Create(articles) | RetagCleaned(LanguageConfig())
        assert_that(
            out | beam.Map(lambda a: (a.article_id, a.language)),
            equal_to([("cleaned", "en"), ("untouched", "tl"), ("short", "de")]),
        )


def test_tag_date_prefers_header_then_published_then_dateline(pipeline, run_ctx):
    cands = {
        "a": (("header", "2020-03-18"), ("dateline", "13 March 2020")),
        "b": (("published-line", "Published: 2021-05-04T10:00:00Z"),),
        "c": (("dateline", "13. März 2020"),),
        "d": (("header", "2099-01-01"), ("dateline", "1 Jan 2020")),  # far future is ignored
        "e": (),
    }
    articles = [_article(run_ctx, f"Body {k}.", k, date_candidates=v) for k, v in cands.items()]
    with pipeline as p:
        out = p | beam.Create(articles) | TagDate(run_ctx)
        assert_that(
            out | beam.Map(lambda a: (a.article_id, a.published_date, a.date_source)),
            equal_to(
                [
                    ("a", dt.date(2020, 3, 18), "header"),
                    ("b", dt.date(2021, 5, 4), "published-line"),
                    ("c", dt.date(2020, 3, 13), "dateline"),
                    ("d", dt.date(2020, 1, 1), "dateline"),
                    ("e", None, "none"),
                ]
            ),
        )


def _dup(a: Article, kept: Article, similarity: float, method: str) -> Duplicate:
    return Duplicate(
        a.article_id, a.source_uri, a.title, a.published_date, a.language, a.content_hash,
        kept.article_id, kept.source_uri, similarity, method, kept.article_id, "test-run", False,
        STARTED, "test-run",
    )  # fmt: skip


def test_drop_duplicates_exact_copies_keep_earliest_then_smallest_id(pipeline, run_ctx):
    body = seed("003").read_text(encoding="utf-8")
    late = _article(run_ctx, body, "aaa", published_date=dt.date(2020, 3, 19), language="en")
    early = _article(
        run_ctx, body.upper(), "zzz", published_date=dt.date(2020, 3, 18), language="en"
    )
    undated = _article(run_ctx, body, "bbb", language="en")
    other = _article(run_ctx, seed("004").read_text(encoding="utf-8"), "ccc", language="en")
    with pipeline as p:
        out = p | beam.Create([late, undated, early, other]) | DropDuplicates()
        assert_that(
            out.articles,
            equal_to([dataclasses.replace(early, duplicate_count=2), other]),
            label="kept",
        )
        assert_that(
            out.duplicates,
            equal_to([_dup(late, early, 1.0, "exact"), _dup(undated, early, 1.0, "exact")]),
            label="dups",
        )


def test_drop_duplicates_keeps_an_undated_original_over_a_dated_reordered_copy(pipeline, run_ctx):
    # The same words in another order score the same originality; a date does not break the
    # tie for an edited text (copies gain date lines), only for exact copies (test above).
    body = parse_article(seed("003").read_text(encoding="utf-8")).body
    paras = body.split("\n\n")
    paras[1], paras[2] = paras[2], paras[1]
    swapped = "\n\n".join(paras)
    original = _article(run_ctx, body, "bbb", language="en")
    copy = _article(run_ctx, swapped, "aaa", published_date=dt.date(2020, 3, 18), language="en")
    with pipeline as p:
        out = p | beam.Create([copy, original]) | DropDuplicates()
        assert_that(
            out.articles, equal_to([dataclasses.replace(original, duplicate_count=1)]), label="kept"
        )
        assert_that(
            out.duplicates,
            equal_to([_dup(copy, original, 0.957317, "near:skeleton")]),
            label="dups",
        )


def test_drop_duplicates_spun_seed_copy_is_dropped_distinct_reports_kept(pipeline, run_ctx):
    def art(prefix, article_id):
        body = parse_article(seed(prefix).read_text(encoding="utf-8")).body
        return _article(
            run_ctx, body, article_id, published_date=dt.date(2020, 3, 18), language="en"
        )

    spun, original = art("000", "a000"), art("001", "b001")
    distinct = [art(p, f"c{p}") for p in ("002", "003", "004")]
    with pipeline as p:
        out = p | beam.Create([spun, original, *distinct]) | DropDuplicates()
        assert_that(
            out.articles,
            equal_to([dataclasses.replace(original, duplicate_count=1), *distinct]),
            label="kept",
        )
        assert_that(
            out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id, d.method,
                                                  d.cluster_id, 0.5 < d.similarity < 1.0)),
            equal_to([("a000", "b001", "near:skeleton", "b001", True)]),
            label="dups",
        )  # fmt: skip


def test_drop_duplicates_keeps_pages_that_share_only_site_chrome(pipeline, run_ctx):
    day = dt.date(2012, 11, 1)
    pages = [
        _article(run_ctx, f"{own}\n{CHROME}", f"p{k}", title=title, published_date=day,
                 language="en")
        for k, (title, own) in SITE_PAGES.items()
    ]  # fmt: skip
    # A wire story printed by three sites, each with a footer of its own, is still one story.
    story = "\n".join(seed("001").read_text(encoding="utf-8").split("\n")[1:])
    wire = [
        _article(run_ctx, f"{story}\nRead more at site number {i}.", f"w{i}",
                 title="Rockets hit base", published_date=day + dt.timedelta(days=i),
                 language="en")
        for i in range(3)
    ]  # fmt: skip
    p = pipeline
    out = p | beam.Create([*pages, *wire]) | DropDuplicates()
    assert_that(
        out.articles,
        equal_to([*pages, dataclasses.replace(wire[0], duplicate_count=2)]),
        label="kept",
    )
    assert_that(
        out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id, d.method)),
        equal_to([("w1", "w0", "near:skeleton"), ("w2", "w0", "near:skeleton")]),
        label="dups",
    )
    result = p.run()
    result.wait_until_finish()
    refused = result.metrics().query(MetricsFilter().with_name("pairs_refused_site_chrome"))
    # a~b and b~c match as whole texts through the comment rules alone (test_near_dup).
    assert sum(c.committed for c in refused["counters"]) == 2


def _paragraphs(name: str) -> list[str]:
    """A seed's paragraphs of 10+ words, one per line, without digits."""
    blocks = seed(name).read_text(encoding="utf-8").split("\n\n")
    return [
        "".join(c for c in b.replace("\n", " ") if not c.isdigit())
        for b in blocks
        if len(b.split()) >= 10
    ]


def test_drop_duplicates_keeps_two_pages_that_open_with_different_articles(pipeline, run_ctx):
    # Two posts of one site under the same long column (seed 004's paragraphs), the column
    # outweighing both; and b saved again by another site with a footer of its own.
    day = dt.date(2012, 11, 1)
    column = _paragraphs("004")
    a = _article(
        run_ctx, "\n".join(_paragraphs("002")[:5] + column), "a", published_date=day, language="en"
    )
    b = _article(
        run_ctx, "\n".join(_paragraphs("003")[:5] + column), "b", published_date=day, language="en"
    )
    b2 = _article(
        run_ctx,
        f"{b.body}\nRead more at site number two.",
        "b2",
        published_date=day + dt.timedelta(days=1),
        language="en",
    )
    p = pipeline
    out = p | beam.Create([a, b, b2]) | DropDuplicates()
    assert_that(
        out.articles, equal_to([a, dataclasses.replace(b, duplicate_count=1)]), label="kept"
    )
    assert_that(
        out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id, d.method)),
        equal_to([("b2", "b", "near:skeleton")]),
        label="dups",
    )
    result = p.run()
    result.wait_until_finish()
    refused = result.metrics().query(MetricsFilter().with_name("pairs_refused_openings"))
    assert sum(c.committed for c in refused["counters"]) == 2  # a~b and a~b2


@pytest.mark.parametrize("with_openings", [True, False])
def test_a_published_page_that_opens_with_another_article_is_no_original(
    pipeline, run_ctx, with_openings
):
    # Page a was published by an earlier run; its index row keeps its openings, so page b,
    # which shares only the column, is kept as one batch run over both would keep it. An
    # entry written before openings were kept is judged without the test.
    day = dt.date(2012, 11, 1)
    column = _paragraphs("004")
    sig = nd.signature("\n".join(_paragraphs("002")[:5] + column), "en")
    row = IndexEntry("a", "/in/a.txt", day, day, "en", sig, "earlier-run").to_row()
    if not with_openings:
        row["openings"] = b""
    entry = IndexEntry.from_row(row)
    b = _article(run_ctx, "\n".join(_paragraphs("003")[:5] + column), "b",
                 published_date=day + dt.timedelta(days=1), language="en")  # fmt: skip
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([entry])
        out = p | beam.Create([b]) | DropDuplicates(stored=stored)
        assert_that(out.articles, equal_to([b] if with_openings else []), label="kept")
        assert_that(
            out.duplicates | beam.Map(lambda d: (d.article_id, d.kept_article_id)),
            equal_to([] if with_openings else [("b", "a")]),
            label="dups",
        )


def test_pair_index_looks_up_both_ends_once():
    index = PairIndex(np.array([5, 1, 5, 3]), np.array([1, 5, 9, 3]))
    assert index.partners_of(1).tolist() == [5]
    assert index.partners_of(5).tolist() == [1, 9]
    assert index.partners_of(9).tolist() == [5]
    assert index.partners_of(3).tolist() == [3]  # two inputs share key 3
    assert index.partners_of(4).tolist() == []


def test_bucket_pairs_pairs_bucket_members_and_flags_a_shared_key():
    bands = np.array([10, 10, 20, 20, 20, 30, 30], dtype=np.int64)
    owners = np.array([1, 2, 1, 2, 3, 7, 7], dtype=np.int64)
    ((a, b),) = _bucket_pairs((0, [(bands, owners)]), nd.DEFAULT)
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [
        (1, 2),
        (1, 2),
        (1, 3),
        (2, 3),
        (7, 7),
    ]


def test_drop_duplicates_fails_when_the_index_already_holds_an_input(pipeline, run_ctx):
    article = _article(
        run_ctx,
        seed("003").read_text(encoding="utf-8"),
        "aaa",
        language="en",
        published_date=dt.date(2020, 3, 18),
    )
    entry = IndexEntry(
        article_id=article.article_id,
        source_uri=article.source_uri,
        published_date=article.published_date,
        effective_date=article.published_date,
        language="en",
        signature=nd.signature(article.body, "en", title=article.title),
        run_id="earlier-run",
    )
    # The runner wraps the error in its own exception type; the message is what users see.
    with pytest.raises(Exception, match="is shared by"), pipeline as p:
        stored = p | "Stored" >> beam.Create([entry])
        _ = p | beam.Create([article]) | DropDuplicates(stored=stored)


def _spun_entry_and_original(run_ctx, originality: float | None):
    """The index entry of the published spun copy of seed 001 (2020-03-18) and seed 001 itself
    as a new article dated two days earlier."""
    spun = parse_article(seed("000").read_text(encoding="utf-8"))
    entry = IndexEntry(
        "a000", "/in/spun.txt", dt.date(2020, 3, 18), dt.date(2020, 3, 18), "en",
        nd.signature(spun.body, "en", title=spun.title), "earlier-run", originality,
    )  # fmt: skip
    body = parse_article(seed("001").read_text(encoding="utf-8")).body
    original = _article(run_ctx, body, "b001", published_date=dt.date(2020, 3, 16), language="en")
    return entry, original


@pytest.mark.parametrize("supersede", [True, False])
def test_drop_duplicates_supersedes_a_published_survivor_only_when_asked(
    pipeline, run_ctx, supersede
):
    entry, original = _spun_entry_and_original(run_ctx, originality=7.5)
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([entry])
        out = p | beam.Create([original]) | DropDuplicates(stored=stored, supersede=supersede)
        if supersede:
            gone = [
                Superseded("a000", "/in/spun.txt", dt.date(2020, 3, 18), "en", "earlier-run",
                           "b001", original.source_uri, dt.date(2020, 3, 16), SPUN_SIMILARITY,
                           "near:skeleton")
            ]  # fmt: skip
            kept, dups = [dataclasses.replace(original, duplicate_count=1)], []
        else:
            gone, kept = [], []
            dups = [dataclasses.replace(
                _dup(original, original, SPUN_SIMILARITY, "near:skeleton"),
                kept_article_id="a000", kept_source_uri="/in/spun.txt", cluster_id="a000",
                kept_run_id="earlier-run", kept_is_later=True,
            )]  # fmt: skip
        assert_that(out.superseded, equal_to(gone), label="superseded")
        assert_that(out.articles, equal_to(kept), label="kept")
        assert_that(out.duplicates, equal_to(dups), label="dups")
        # The kept article's index entry carries the score the stage gave it: a one-article
        # batch, so every word's document frequency is 1, and 16 sentences.
        assert_that(
            out.index | beam.Map(lambda e: (e.article_id, round(e.originality, 12))),
            equal_to([("b001", round(2.110238543689574, 12))] if supersede else []),
            label="index",
        )


SPUN_SIMILARITY = 0.736842  # the spun copy against its original (near:skeleton)
CUT_SIMILARITY = 0.675439  # the spun copy without its last paragraph against the original


@pytest.mark.parametrize("supersede", [True, False])
def test_a_new_copy_linking_two_published_survivors(pipeline, run_ctx, supersede):
    """Two published survivors (an original and its spun copy, published by runs that never
    compared them) and a new copy of the spun one that matches both: one batch run would keep
    the original and drop the rest for it. Superseding, the spun copy moves to the original
    (kept by the earlier run); without, published survivors stay, and the new copy is dropped
    for the original either way."""
    original = parse_article(seed("001").read_text(encoding="utf-8"))
    spun = parse_article(seed("000").read_text(encoding="utf-8"))
    day = dt.date
    first = IndexEntry(
        "a001", "/in/original.txt", day(2020, 3, 16), day(2020, 3, 16), "en",
        nd.signature(original.body, "en", title=original.title), "run-1", 2.0,
    )  # fmt: skip
    second = IndexEntry(
        "a000", "/in/spun.txt", day(2020, 3, 18), day(2020, 3, 18), "en",
        nd.signature(spun.body, "en", title=spun.title), "run-2", 1.9,
    )  # fmt: skip
    cut = "\n\n".join(spun.body.split("\n\n")[:-1])
    copy = _article(
        run_ctx, cut, "c000", title=spun.title, published_date=day(2020, 3, 19), language="en"
    )
    with pipeline as p:
        stored = p | "Stored" >> beam.Create([first, second])
        out = p | beam.Create([copy]) | DropDuplicates(stored=stored, supersede=supersede)
        gone = [
            Superseded("a000", "/in/spun.txt", day(2020, 3, 18), "en", "run-2", "a001",
                       "/in/original.txt", day(2020, 3, 16), SPUN_SIMILARITY, "near:skeleton",
                       new_run_id="run-1")
        ]  # fmt: skip
        assert_that(out.superseded, equal_to(gone if supersede else []), label="superseded")
        assert_that(out.articles, equal_to([]), label="kept")
        dup = Duplicate(
            "c000", "/in/c000.txt", spun.title, day(2020, 3, 19), "en", copy.content_hash,
            "a001", "/in/original.txt", CUT_SIMILARITY, "near:skeleton", "a001", "run-1", False,
            STARTED, "test-run",
        )  # fmt: skip
        assert_that(out.duplicates, equal_to([dup]), label="dups")


def test_publish_run_stages_and_the_driver_commits(pipeline, run_ctx):
    en = [
        _article(
            run_ctx, f"Story {i}.", f"id{i}", published_date=dt.date(2020, 3, 18), language="en"
        )
        for i in range(5)
    ]
    undated = _article(run_ctx, "Sans date.", "fr0", language="fr")
    with pipeline as p:
        none = p | "None" >> beam.Create([])
        outputs = {
            "articles": p | beam.Create([*en, undated]),
            "duplicates": none,
            "quarantine": none,
            "index": none,
            "ledger": none,
            "matched": p | "Matched" >> beam.Create([f"/m{i}" for i in range(6)]),
            "already_ingested": none,
            "skipped": p | "Skipped" >> beam.Create([("/in/fifo", "fifo")]),
        }
        report = outputs | PublishRun(WriteConfig(rows_per_file=2), IndexConfig(), run_ctx)
        assert_that(
            report | beam.Map(lambda r: (r["matched"], r["skipped"], len(r["files"]))),
            equal_to([(6, [["/in/fifo", "fifo"]], 4)]),
        )
    assert not (Path(run_ctx.output) / "articles").exists()  # staged, not published
    stats = publish(run_ctx.output, run_ctx.run_id, Snapshot(), lambda: None)
    assert (stats["articles"], stats["languages"], stats["date_min"]) == (
        6,
        {"en": 5, "fr": 1},
        "2020-03-18",
    )
    out = Path(run_ctx.output)
    en_files = sorted(out.glob("articles/published_date=2020-03-18/language=en/*.parquet"))
    assert len(en_files) == 3  # ceil(5 / 2) shards
    assert all(f.name.startswith("part-test-run-") for f in en_files)
    table = pq.read_table([str(f) for f in en_files])
    assert sorted(table.column("article_id").to_pylist()) == [f"id{i}" for i in range(5)]
    stored = pq.ParquetFile(en_files[0]).schema_arrow.names
    assert "language" not in stored and "published_date" not in stored
    group = pq.ParquetFile(en_files[0]).metadata.row_group(0)
    assert group.column(0).compression == "ZSTD"
    columns = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    assert columns["article_id"].statistics.has_min_max
    assert columns["body"].statistics is None  # min/max of article text is never useful
    undated_dir = out / "articles" / "published_date=__HIVE_DEFAULT_PARTITION__" / "language=fr"
    assert len(list(undated_dir.glob("*.parquet"))) == 1
    assert not list((out / "_staging" / "test-run").rglob("*.parquet"))  # all moved


def test_publish_run_reports_a_run_with_nothing_new(pipeline, run_ctx):
    """Every input already ingested: the report still comes, with empty parts and the count."""
    with pipeline as p:
        none = p | "None" >> beam.Create([])
        outputs = {
            "articles": none,
            "duplicates": none,
            "quarantine": none,
            "index": none,
            "ledger": none,
            "matched": p | "Matched" >> beam.Create(["/m0", "/m1"]),
            "already_ingested": p | "Already" >> beam.Create(["/m0", "/m1"]),
            "skipped": none,
        }
        report = outputs | PublishRun(WriteConfig(), IndexConfig(), run_ctx)
        assert_that(
            report
            | beam.Map(
                lambda r: (
                    r["matched"],
                    r["already_ingested"],
                    r["skipped"],
                    r["files"],
                    r["superseded"],
                )
            ),
            equal_to([(2, 2, [], [], [])]),
        )


def test_report_parts_merge_accumulators_from_several_bundles():
    fn = _ReportParts()
    a = fn.add_input(fn.create_accumulator(), ("staged", "f1"))
    a = fn.add_input(a, ("matched", "/m0"))
    b = fn.add_input(fn.create_accumulator(), ("matched", "/m1"))
    b = fn.add_input(b, ("skipped", ("/in/fifo", "fifo")))
    b = fn.add_input(b, ("already", "/m1"))
    merged = fn.extract_output(fn.merge_accumulators([a, b, fn.create_accumulator()]))
    assert merged == {
        "staged": ["f1"],
        "skipped": [("/in/fifo", "fifo")],
        "superseded": [],
        "matched": 2,
        "already": 1,
    }


def test_read_ledger_only_reads_the_entries_of_the_given_paths(pipeline, tmp_path):
    # A streaming commit knows its input paths: it reads only their ledger entries (a file
    # changed in place has two), not every input ever ingested.
    from pipelines.core import schema
    from pipelines.core.records import LedgerEntry
    from pipelines.store import ReadLedger
    from pipelines.transforms.write import write_parquet

    at = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    entries = [
        LedgerEntry(f"/in/{name}.txt", aid, "article", "r1", at)
        for name, aid in (("a", "1"), ("b", "2"), ("c", "3"), ("a", "4"))
    ]
    paths = []
    for i, part in enumerate((entries[:2], entries[2:])):
        paths.append(str(tmp_path / f"part-{i}.parquet"))
        with open(paths[-1], "wb") as handle:
            rows = [e.to_row() for e in part]
            write_parquet(handle, rows, schema.arrow_schema("ledger"), WriteConfig())
    with pipeline as p:
        only = p | "Only" >> ReadLedger(paths, ["/in/a.txt", "/in/z.txt"])
        every = p | "Every" >> ReadLedger(paths)
        assert_that(only, equal_to([entries[0], entries[3]]), label="only")
        assert_that(every, equal_to(entries), label="every")
