"""The `.avsc` files and the Python records must describe the same columns."""

import dataclasses
import datetime as dt

import fastavro
import pyarrow as pa
import pytest

from pipelines.core import schema
from pipelines.core.records import (
    TRANSIENT_ARTICLE_FIELDS,
    Article,
    Duplicate,
    Quarantined,
)

NOW = dt.datetime(2020, 3, 18, 12, tzinfo=dt.timezone.utc)


def _persisted(record_type) -> list[str]:
    return [
        f.name for f in dataclasses.fields(record_type) if f.name not in TRANSIENT_ARTICLE_FIELDS
    ]


@pytest.mark.parametrize(
    ("name", "record_type"),
    [("article", Article), ("duplicate", Duplicate), ("quarantine", Quarantined)],
)
def test_record_fields_match_schema(name, record_type):
    assert sorted(_persisted(record_type)) == sorted(schema.field_names(name))


def test_article_arrow_types_come_from_avro():
    s = schema.arrow_schema("article")
    assert s.field("published_date").type == pa.date32()
    assert s.field("published_date").nullable
    assert s.field("ingested_at").type == pa.timestamp("us", tz="UTC")
    assert s.field("stripped").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert s.field("word_count").type == pa.int32()
    assert not s.field("body").nullable
    assert schema.arrow_schema("quarantine").field("raw").type == pa.binary()


def test_article_files_leave_out_partition_keys():
    names = schema.article_file_schema().names
    assert "published_date" not in names and "language" not in names
    assert len(names) == len(schema.field_names("article")) - 2


def test_a_full_article_row_converts_to_arrow_and_validates_as_avro():
    article = Article(
        article_id="a" * 20,
        source_uri="/x.txt",
        body="Body.",
        content_hash="0" * 64,
        encoding="utf-8",
        word_count=1,
        ingested_at=NOW,
        run_id="r",
        published_date=dt.date(2020, 3, 18),
        stripped=("title",),
        date_candidates=(("header", "2020-03-18"),),
    )
    row = article.to_row()
    assert "date_candidates" not in row
    table = pa.Table.from_pylist([row], schema=schema.arrow_schema("article"))
    assert table.column("published_date")[0].as_py() == dt.date(2020, 3, 18)
    assert fastavro.validate(row, fastavro.parse_schema(schema.avro_schema("article")))


def test_quarantine_record_validates_against_avsc():
    record = Quarantined("/x", "binary", "m", b"\x00", 1, "0" * 64, False, NOW, "r")
    parsed = fastavro.parse_schema(schema.avro_schema("quarantine"))
    assert fastavro.validate(record.to_row(), parsed)
    bad = dataclasses.replace(record, error_kind="not-a-kind")
    with pytest.raises(fastavro.validation.ValidationError):
        fastavro.validate(bad.to_row(), parsed)


def test_index_entry_row_validates_and_reads_back_its_line_sketch():
    from pipelines.core import boilerplate as bp
    from pipelines.core import near_dup as nd
    from pipelines.core.index import IndexEntry

    lines = bp.published_sketch(
        "A first paragraph that is long enough to count as prose.\nMenu", ()
    )
    entry = IndexEntry(
        "a", "/a.txt", None, dt.date(2020, 3, 18), "en", nd.signature("Body text.", "en"), "r",
        0.5, *lines.to_bytes(),
    )  # fmt: skip
    row = entry.to_row()
    assert fastavro.validate(row, fastavro.parse_schema(schema.avro_schema("index_entry")))
    back = IndexEntry.from_row(row)
    assert (back.line_hashes, back.line_long) == (entry.line_hashes, entry.line_long)
    assert bp.LineSketch.from_bytes((back.line_hashes, back.line_long)).long.tolist() == [1, 0]
    # A file written before sketches were kept has no such columns: the entry counts no lines.
    old = {k: v for k, v in row.items() if not k.startswith("line_")}
    assert (IndexEntry.from_row(old).line_hashes, IndexEntry.from_row(old).line_long) == (b"", b"")


def test_index_entry_keeps_the_signatures_openings():
    from pipelines.core import near_dup as nd
    from pipelines.core.index import IndexEntry

    text = (
        "The mayor of the city said on Monday that the council had voted to fund the new line.\n"
        "Menu\n"
        "The cost of the project, a share of the budget, was the subject of a debate in the hall."
    )
    sig = nd.signature(text, "en")
    assert sig.openings.words_before.tolist() == [0, 18]
    entry = IndexEntry("a", "/a.txt", None, dt.date(2020, 3, 18), "en", sig, "r")
    row = entry.to_row()
    assert fastavro.validate(row, fastavro.parse_schema(schema.avro_schema("index_entry")))
    assert IndexEntry.from_row(row).signature == sig
    # Written before openings were kept: none, and the pair is judged without the test.
    old = {k: v for k, v in row.items() if k != "openings"}
    assert IndexEntry.from_row(old).signature.openings is None
