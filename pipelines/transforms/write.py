"""PublishRun: stage every output of a run (articles, duplicates, quarantine, index, ledger).

Every writer stages its files under `DIR/_staging/<run_id>/`, outside the visible tables, with
names fixed by (run, partition, shard) so a retried bundle overwrites its own file instead of
adding one, and records each file's size and sha256. PublishRun's last step writes the stage
report; the driver then commits it (`pipelines/lake/commit.py`): no worker ever publishes.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import fastavro
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.config import WriteConfig
from pipelines.core import schema
from pipelines.core.index import IndexConfig, IndexEntry, in_window, window_start
from pipelines.core.records import Article, Duplicate, LedgerEntry, Quarantined
from pipelines.lake import files, layout, retry
from pipelines.lake.commit import HIVE_NULL, StagedFile, write_stage_report
from pipelines.lake.opener import FileOpener
from pipelines.run_context import RunContext

__all__ = ["HIVE_NULL", "PublishRun", "StagedFile", "write_parquet"]


def article_partition(article: Article) -> str:
    """Hive partition folder of an article, e.g. `published_date=2020-03-18/language=en`."""
    date = article.published_date.isoformat() if article.published_date else HIVE_NULL
    return f"published_date={date}/language={article.language}"


def _shard_of(key: str, shards: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % shards


# Columns whose min/max statistics no query can use: article bodies and binary blobs. Written,
# they were ~60 % of a small partition's file (a body's full text, twice per row group).
_NO_STATISTICS = frozenset({"body"})


def _statistics_columns(arrow_schema: pa.Schema) -> list[str]:
    return [
        f.name
        for f in arrow_schema
        if f.name not in _NO_STATISTICS and not pa.types.is_binary(f.type)
    ]


def write_parquet(
    handle, rows: list[dict[str, Any]], arrow_schema: pa.Schema, config: WriteConfig
) -> None:
    """Rows (dicts in schema order or not) -> one Parquet file on an open binary handle."""
    compression = None if config.compression == "none" else config.compression
    with pq.ParquetWriter(
        pa.PythonFile(handle, mode="w"),
        arrow_schema,
        compression=compression,
        write_statistics=_statistics_columns(arrow_schema),
    ) as w:
        for start in range(0, len(rows), config.row_group_rows):
            batch = rows[start : start + config.row_group_rows]
            columns = {name: [row[name] for row in batch] for name in arrow_schema.names}
            w.write_table(pa.Table.from_pydict(columns, schema=arrow_schema))


def _write_avro(handle, rows: list[dict[str, Any]], avro_schema: dict[str, Any]) -> None:
    parsed = fastavro.parse_schema(avro_schema)
    # validator=True: a record that does not match schemas/quarantine.avsc fails the write.
    fastavro.writer(handle, parsed, rows, codec="deflate", validator=True)


@dataclass(frozen=True)
class _FileKind:
    """One file written per shard: its kind, its suffix and how rows become bytes."""

    kind: str
    suffix: str
    write: Callable[[Any, list[dict[str, Any]]], None]


class _WriteShardFn(beam.DoFn):
    """One shard's records -> one staged file per `_FileKind` (the same rows in each)."""

    def __init__(self, outputs: tuple[_FileKind, ...], run: RunContext, sort_key) -> None:
        self._outputs = outputs
        self._run = run
        self._sort_key = sort_key
        self._files: FileOpener | None = None

    def setup(self) -> None:
        self._files = FileOpener()

    def process(self, item: tuple[tuple[str, int], Iterable[Any]]) -> Iterator[StagedFile]:
        (partition, shard), records = item
        rows = sorted((r.to_row() for r in records), key=self._sort_key)
        for out in self._outputs:
            base = layout.folder_of(out.kind)
            folder = f"{base}/{partition}" if partition else base
            name = f"part-{self._run.run_id}-{shard:05d}.{out.suffix}"
            final = f"{self._run.output}/{folder}/{name}"
            if layout.is_local(self._run.output):
                # Staged flat, one folder per kind: a folder per partition cost a mkdir per
                # file (up to ~1 ms each under write load); the commit (lake/commit.py)
                # creates the final ones.
                flat = f"{partition.replace('/', ',')},{name}" if partition else name
                temp = f"{self._run.staging}/{out.kind}/{flat}"
                retry.call(
                    lambda t=temp, o=out: self._stage(t, o, rows), f"writing staged file {temp}"
                )
                # Checksummed here, in parallel on the workers, and verified by every later run.
                size, sha256 = files.checksum(temp)
            else:
                # Object stores: written once at its final, run-unique name, where no reader
                # looks until a snapshot lists it; publishing is one PUT of the snapshot.
                temp = final
                size, sha256 = retry.call(
                    lambda t=temp, o=out: self._stage(t, o, rows, hashed=True),
                    f"writing staged file {temp}",
                )
            yield StagedFile(out.kind, partition, temp, final, len(rows), size, sha256)

    def _stage(self, path: str, out: _FileKind, rows: list[dict[str, Any]], hashed: bool = False):
        """Write one file (a retry rewrites it whole); with `hashed`, its (size, sha256)."""
        if self._files is None:
            self._files = FileOpener()
        with self._files.create(path) as raw:
            handle = files.HashingWriter(raw) if hashed else raw
            out.write(handle, rows)
        return (handle.size, handle.hexdigest()) if hashed else None


class _WriteStaged(beam.PTransform):
    """Records -> StagedFile, a few files per partition of at most `rows_per_file` rows.

    `size_hint`: an earlier PCollection whose elements fall in the same partitions and are at
    least as many per partition (e.g. the articles before duplicates were dropped). Counting
    partitions there instead of in `records` lets the runner assign shards while the records
    stream by; counted on `records` themselves, the DirectRunner must first buffer them all
    (a side input computed from the stage that produces them).
    """

    def __init__(
        self,
        kind,
        partition_fn,
        id_fn,
        rows_per_file,
        suffix,
        write,
        sort_key,
        run,
        size_hint: beam.PCollection | None = None,
        companions: tuple[_FileKind, ...] = (),
    ):
        super().__init__()
        self._size_hint = size_hint
        self._outputs = (_FileKind(kind, suffix, write), *companions)
        self._partition_fn = partition_fn
        self._id_fn = id_fn
        self._rows_per_file = rows_per_file
        self._sort_key = sort_key
        self._run = run

    def expand(self, records: beam.PCollection) -> beam.PCollection[StagedFile]:
        partition_fn, id_fn, per_file = self._partition_fn, self._id_fn, self._rows_per_file
        keyed = records | "KeyByPartition" >> beam.Map(lambda r: (partition_fn(r), r))
        if self._size_hint is None:
            ones = keyed | "One" >> beam.Map(lambda kv: (kv[0], 1))
        else:
            ones = self._size_hint | "One" >> beam.Map(lambda r: (partition_fn(r), 1))
        sizes = ones | "CountPerPartition" >> beam.CombinePerKey(sum)

        def assign_shard(kv, sizes):
            partition, record = kv
            shards = max(1, math.ceil(sizes[partition] / per_file))
            return (partition, _shard_of(id_fn(record), shards)), record

        return (
            keyed
            | "AssignShard" >> beam.Map(assign_shard, beam.pvalue.AsDict(sizes))
            | "GroupByShard" >> beam.GroupByKey()
            | "WriteShard" >> beam.ParDo(_WriteShardFn(self._outputs, self._run, self._sort_key))
        )


class WritePartitions(beam.PTransform):
    """Article -> staged Parquet under `articles/published_date=…/language=…/` (zstd).

    `size_hint`: optional PCollection of Articles that includes every article to write (e.g.
    before duplicates were dropped); partitions are sized from it (see `_WriteStaged`).
    """

    def __init__(
        self, config: WriteConfig, run: RunContext, size_hint: beam.PCollection | None = None
    ) -> None:
        super().__init__()
        self._config = config
        self._run = run
        self._size_hint = size_hint

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[StagedFile]:
        config, file_schema = self._config, schema.article_file_schema()
        return articles | "Stage" >> _WriteStaged(
            kind=layout.ARTICLES,
            partition_fn=article_partition,
            id_fn=lambda a: a.article_id,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: write_parquet(handle, rows, file_schema, config),
            sort_key=lambda row: (row["article_id"], row["source_uri"]),
            run=self._run,
            size_hint=self._size_hint,
        )


class WriteDuplicates(beam.PTransform):
    """Duplicate -> staged Parquet under `duplicates/`."""

    def __init__(self, config: WriteConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, duplicates: beam.PCollection[Duplicate]) -> beam.PCollection[StagedFile]:
        config, dup_schema = self._config, schema.arrow_schema("duplicate")
        return duplicates | "Stage" >> _WriteStaged(
            kind=layout.DUPLICATES,
            partition_fn=lambda d: "",
            id_fn=lambda d: d.article_id + d.source_uri,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: write_parquet(handle, rows, dup_schema, config),
            sort_key=lambda row: (row["cluster_id"], row["article_id"], row["source_uri"]),
            run=self._run,
        )


class WriteQuarantine(beam.PTransform):
    """Quarantined -> staged Avro (fastavro, validated) under `quarantine/`, and beside each
    Avro file a Parquet copy of its rows without the raw bytes: plain DuckDB reads Parquet
    but needs a downloaded extension for Avro."""

    def __init__(self, config: WriteConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, records: beam.PCollection[Quarantined]) -> beam.PCollection[StagedFile]:
        config, avro = self._config, schema.avro_schema("quarantine")
        index_schema = schema.arrow_schema("quarantine", exclude=("raw",))
        parquet = _FileKind(
            layout.QUARANTINE_INDEX,
            "parquet",
            lambda handle, rows: write_parquet(handle, rows, index_schema, config),
        )
        return records | "Stage" >> _WriteStaged(
            kind=layout.QUARANTINE,
            partition_fn=lambda q: "",
            id_fn=lambda q: q.source_uri,
            rows_per_file=self._config.quarantine_rows_per_file,
            suffix="avro",
            write=lambda handle, rows: _write_avro(handle, rows, avro),
            sort_key=lambda row: (row["source_uri"], row["error_kind"]),
            run=self._run,
            companions=(parquet,),
        )


class WriteIndex(beam.PTransform):
    """IndexEntry (stored and new) -> staged Parquet under `_index/`, inside the time window.

    The window ends at the newest publication date among all entries; entries whose
    effective date is older than the window are evicted, so the index stays bounded however
    long the lake grows.
    """

    def __init__(self, config: WriteConfig, index: IndexConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._index = index
        self._run = run

    def expand(self, entries: beam.PCollection[IndexEntry]) -> beam.PCollection[StagedFile]:
        config, index_config = self._config, self._index
        index_schema = schema.arrow_schema("index_entry")
        # Newest publication date; undated entries (aged by ingest day) do not move the window,
        # or one undated article would evict a whole archive being back-filled.
        newest = (
            entries
            | "PublishedDate"
            >> beam.FlatMap(lambda e: [e.published_date] if e.published_date else [])
            # Without Beam's default (four transforms less): no dated entry, no element.
            | "Newest" >> beam.CombineGlobally(lambda ds: max(ds, default=None)).without_defaults()
        )
        kept = entries | "InWindow" >> beam.Filter(
            lambda e, n: in_window(e.effective_date, window_start(n, index_config)),
            beam.pvalue.AsSingleton(newest, default_value=None),
        )
        return kept | "Stage" >> _WriteStaged(
            kind=layout.INDEX_DIR,
            partition_fn=lambda e: "",
            id_fn=lambda e: e.uid,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: write_parquet(handle, rows, index_schema, config),
            sort_key=lambda row: (row["effective_date"], row["article_id"], row["source_uri"]),
            run=self._run,
        )


class WriteLedger(beam.PTransform):
    """LedgerEntry -> staged Parquet under `_ledger/` (append-only, one set of files per run).

    `size_hint`: optional PCollection with at least one element per entry (e.g. the matched
    input paths), so files are sized without buffering the entries (see `_WriteStaged`).
    """

    def __init__(
        self, config: WriteConfig, run: RunContext, size_hint: beam.PCollection | None = None
    ) -> None:
        super().__init__()
        self._config = config
        self._run = run
        self._size_hint = size_hint

    def expand(self, entries: beam.PCollection[LedgerEntry]) -> beam.PCollection[StagedFile]:
        config, ledger_schema = self._config, schema.arrow_schema("ledger")
        return entries | "Stage" >> _WriteStaged(
            kind=layout.LEDGER_DIR,
            partition_fn=lambda e: "",
            id_fn=lambda e: e.article_id,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: write_parquet(handle, rows, ledger_schema, config),
            sort_key=lambda row: (row["source_uri"], row["article_id"]),
            run=self._run,
            size_hint=self._size_hint,
        )


class PublishRun(beam.PTransform):
    """A run's outputs -> its stage report (one dict), every file staged and checksummed.

    Input: a dict with `articles`, `duplicates`, `quarantine`, `index` (IndexEntry, stored and
    new), `ledger` (LedgerEntry), `matched` (every regular input path), `already_ingested`
    (inputs the ledger skipped) and `skipped` ((path, reason) of matches that are not regular
    files) and, optionally, `superseded` (published survivors a new article replaces; the commit
    rewrites their rows: `lake.supersede`). Publication itself is the driver's
    (`lake.commit.publish`), under the run lock.
    `article_hint`: articles before duplicates were dropped, to size article files early.
    """

    def __init__(
        self,
        write: WriteConfig,
        index: IndexConfig,
        run: RunContext,
        article_hint: beam.PCollection | None = None,
    ) -> None:
        super().__init__()
        self._write = write
        self._index = index
        self._run = run
        self._article_hint = article_hint

    def expand(self, outputs: dict[str, beam.PCollection]) -> beam.PCollection[dict]:
        write, run = self._write, self._run
        staged = (
            outputs["articles"]
            | "StageArticles" >> WritePartitions(write, run, self._article_hint),
            outputs["duplicates"] | "StageDuplicates" >> WriteDuplicates(write, run),
            outputs["quarantine"] | "StageQuarantine" >> WriteQuarantine(write, run),
            outputs["index"] | "StageIndex" >> WriteIndex(write, self._index, run),
            outputs["ledger"] | "StageLedger" >> WriteLedger(write, run, outputs["matched"]),
        ) | "AllStaged" >> beam.Flatten()
        gone = outputs.get("superseded")
        if gone is None:
            gone = staged.pipeline | "NoneSuperseded" >> beam.Create([])
        # One global combine for the report's five parts: each CombineGlobally adds eight
        # transforms, and Beam's per-transform cost is most of a small run's start-up.
        parts = [
            pcoll | f"Tag{name.title()}" >> beam.Map(lambda x, name=name: (name, x))
            for name, pcoll in (
                ("staged", staged),
                ("matched", outputs["matched"]),
                ("already", outputs["already_ingested"]),
                ("skipped", outputs["skipped"]),
                ("superseded", gone),
            )
        ]
        return (
            parts
            | "AllParts" >> beam.Flatten()
            | "Gather" >> beam.CombineGlobally(_ReportParts())
            | "Report"
            >> beam.Map(
                lambda p: write_stage_report(
                    run.output,
                    run.run_id,
                    p["staged"],
                    p["matched"],
                    p["already"],
                    [tuple(x) for x in p["skipped"]],
                    sorted(
                        (x.to_json() for x in p["superseded"]),
                        key=lambda x: (x["old_id"], x["old_uri"]),
                    ),
                )
            ).with_output_types(dict)
        )


class _ReportParts(beam.CombineFn):
    """(part, element) pairs -> the stage report's parts: `staged` files, `skipped` and
    `superseded` as lists, `matched` and `already` (already ingested) as counts."""

    _LISTS = ("staged", "skipped", "superseded")
    _COUNTS = ("matched", "already")

    def create_accumulator(self) -> dict[str, Any]:
        return {**{k: [] for k in self._LISTS}, **{k: 0 for k in self._COUNTS}}

    def add_input(self, acc: dict[str, Any], tagged: tuple[str, Any]) -> dict[str, Any]:
        part, element = tagged
        if part in self._COUNTS:
            acc[part] += 1
        else:
            acc[part].append(element)
        return acc

    def merge_accumulators(self, accs: Iterable[dict[str, Any]]) -> dict[str, Any]:
        out = self.create_accumulator()
        for acc in accs:
            for k in self._LISTS:
                out[k].extend(acc[k])
            for k in self._COUNTS:
                out[k] += acc[k]
        return out

    def extract_output(self, acc: dict[str, Any]) -> dict[str, Any]:
        return acc
