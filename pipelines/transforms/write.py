"""WritePartitions, WriteDuplicates, WriteQuarantine and CommitRun.

Every writer stages its files under `DIR/_staging/<run_id>/`, outside the visible tables, with
names fixed by (run, partition, shard) so a retried bundle overwrites its own file instead of
adding one. CommitRun runs once all files are staged: it checks that every matched input
ended in exactly one output, then renames the staged files into place. A failed or killed run
therefore leaves nothing half-written in `articles/`, `duplicates/` or `quarantine/`.
"""

from __future__ import annotations

import contextlib
import json
import math
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
import fastavro
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.config import WriteConfig
from pipelines.core import schema
from pipelines.core.records import Article, Duplicate, Quarantined
from pipelines.run_context import RunContext

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
COMMIT_FILE = "commit.json"


@dataclass(frozen=True)
class StagedFile:
    """One file written under the staging folder, and where CommitRun moves it."""

    kind: str
    partition: str
    temp_path: str
    final_path: str
    rows: int


def article_partition(article: Article) -> str:
    """Hive partition folder of an article, e.g. `published_date=2020-03-18/language=en`."""
    date = article.published_date.isoformat() if article.published_date else HIVE_NULL
    return f"published_date={date}/language={article.language}"


def _shard_of(key: str, shards: int) -> int:
    return zlib.crc32(key.encode("utf-8")) % shards


def _write_parquet(
    handle, rows: list[dict[str, Any]], arrow_schema: pa.Schema, config: WriteConfig
):
    compression = None if config.compression == "none" else config.compression
    with pq.ParquetWriter(
        pa.PythonFile(handle, mode="w"), arrow_schema, compression=compression
    ) as w:
        for start in range(0, len(rows), config.row_group_rows):
            batch = rows[start : start + config.row_group_rows]
            columns = {name: [row[name] for row in batch] for name in arrow_schema.names}
            w.write_table(pa.Table.from_pydict(columns, schema=arrow_schema))


def _write_avro(handle, rows: list[dict[str, Any]], avro_schema: dict[str, Any]) -> None:
    parsed = fastavro.parse_schema(avro_schema)
    # validator=True: a record that does not match schemas/quarantine.avsc fails the write.
    fastavro.writer(handle, parsed, rows, codec="deflate", validator=True)


class _WriteShardFn(beam.DoFn):
    def __init__(self, kind: str, suffix: str, run: RunContext, write: Callable, sort_key) -> None:
        self._kind = kind
        self._suffix = suffix
        self._run = run
        self._write = write
        self._sort_key = sort_key

    def process(self, item: tuple[tuple[str, int], Iterable[Any]]) -> Iterator[StagedFile]:
        (partition, shard), records = item
        rows = sorted((r.to_row() for r in records), key=self._sort_key)
        folder = f"{self._kind}/{partition}" if partition else self._kind
        name = f"part-{self._run.run_id}-{shard:05d}.{self._suffix}"
        temp = f"{self._run.staging}/{folder}/{name}"
        final = f"{self._run.output}/{folder}/{name}"
        with FileSystems.create(temp) as handle:
            self._write(handle, rows)
        yield StagedFile(self._kind, partition, temp, final, len(rows))


class _WriteStaged(beam.PTransform):
    """Records -> StagedFile, a few files per partition of at most `rows_per_file` rows."""

    def __init__(self, kind, partition_fn, id_fn, rows_per_file, suffix, write, sort_key, run):
        super().__init__()
        self._kind = kind
        self._partition_fn = partition_fn
        self._id_fn = id_fn
        self._rows_per_file = rows_per_file
        self._suffix = suffix
        self._write = write
        self._sort_key = sort_key
        self._run = run

    def expand(self, records: beam.PCollection) -> beam.PCollection[StagedFile]:
        partition_fn, id_fn, per_file = self._partition_fn, self._id_fn, self._rows_per_file
        keyed = records | "KeyByPartition" >> beam.Map(lambda r: (partition_fn(r), r))
        sizes = (
            keyed
            | "One" >> beam.Map(lambda kv: (kv[0], 1))
            | "CountPerPartition" >> beam.CombinePerKey(sum)
        )

        def assign_shard(kv, sizes):
            partition, record = kv
            shards = max(1, math.ceil(sizes[partition] / per_file))
            return (partition, _shard_of(id_fn(record), shards)), record

        return (
            keyed
            | "AssignShard" >> beam.Map(assign_shard, beam.pvalue.AsDict(sizes))
            | "GroupByShard" >> beam.GroupByKey()
            | "WriteShard"
            >> beam.ParDo(
                _WriteShardFn(self._kind, self._suffix, self._run, self._write, self._sort_key)
            )
        )


class WritePartitions(beam.PTransform):
    """Article -> staged Parquet under `articles/published_date=…/language=…/` (zstd)."""

    def __init__(self, config: WriteConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[StagedFile]:
        config, file_schema = self._config, schema.article_file_schema()
        return articles | "Stage" >> _WriteStaged(
            kind="articles",
            partition_fn=article_partition,
            id_fn=lambda a: a.article_id,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: _write_parquet(handle, rows, file_schema, config),
            sort_key=lambda row: (row["article_id"], row["source_uri"]),
            run=self._run,
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
            kind="duplicates",
            partition_fn=lambda d: "",
            id_fn=lambda d: d.article_id + d.source_uri,
            rows_per_file=config.rows_per_file,
            suffix="parquet",
            write=lambda handle, rows: _write_parquet(handle, rows, dup_schema, config),
            sort_key=lambda row: (row["cluster_id"], row["article_id"], row["source_uri"]),
            run=self._run,
        )


class WriteQuarantine(beam.PTransform):
    """Quarantined -> staged Avro (fastavro, validated) under `quarantine/`."""

    def __init__(self, config: WriteConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, records: beam.PCollection[Quarantined]) -> beam.PCollection[StagedFile]:
        avro = schema.avro_schema("quarantine")
        return records | "Stage" >> _WriteStaged(
            kind="quarantine",
            partition_fn=lambda q: "",
            id_fn=lambda q: q.source_uri,
            rows_per_file=self._config.quarantine_rows_per_file,
            suffix="avro",
            write=lambda handle, rows: _write_avro(handle, rows, avro),
            sort_key=lambda row: (row["source_uri"], row["error_kind"]),
            run=self._run,
        )


class ReconciliationError(RuntimeError):
    """Matched inputs do not equal articles + duplicates + quarantined."""


def _ensure_parent(path: str) -> None:
    parent = path.rsplit("/", 1)[0]
    if not FileSystems.exists(parent):
        # Fails when created concurrently, or on an object store without real folders.
        with contextlib.suppress(OSError):
            FileSystems.mkdirs(parent)


def commit_files(staged: list[StagedFile], matched: int, run: RunContext) -> dict[str, Any]:
    """Reconcile counts, then move staged files into the visible tables; return run stats.

    Raises ReconciliationError before anything is moved when a record went missing.
    Safe to retry: files already moved by an earlier attempt are skipped.
    """
    rows = {"articles": 0, "duplicates": 0, "quarantine": 0}
    languages: dict[str, int] = {}
    dates: list[str] = []
    for f in staged:
        rows[f.kind] += f.rows
        if f.kind == "articles":
            date_part, lang_part = f.partition.split("/")
            lang = lang_part.split("=", 1)[1]
            languages[lang] = languages.get(lang, 0) + f.rows
            date = date_part.split("=", 1)[1]
            if date != HIVE_NULL:
                dates.append(date)
    total = rows["articles"] + rows["duplicates"] + rows["quarantine"]
    if total != matched:
        raise ReconciliationError(
            f"run {run.run_id}: {matched} inputs matched but {rows['articles']} articles + "
            f"{rows['duplicates']} duplicates + {rows['quarantine']} quarantined = {total}"
        )
    # Quarantine and duplicates first, articles last: a reader never sees an article whose
    # audit rows are missing.
    order = {"quarantine": 0, "duplicates": 1, "articles": 2}
    for f in sorted(staged, key=lambda f: (order[f.kind], f.final_path)):
        if not FileSystems.exists(f.temp_path) and FileSystems.exists(f.final_path):
            continue
        _ensure_parent(f.final_path)
        FileSystems.rename([f.temp_path], [f.final_path])
    stats = {
        "run_id": run.run_id,
        "matched": matched,
        "articles": rows["articles"],
        "duplicates": rows["duplicates"],
        "quarantined": rows["quarantine"],
        "languages": dict(sorted(languages.items())),
        "date_min": min(dates) if dates else None,
        "date_max": max(dates) if dates else None,
        "files": sorted(f.final_path for f in staged),
    }
    with FileSystems.create(f"{run.staging}/{COMMIT_FILE}") as handle:
        handle.write(json.dumps(stats, indent=2).encode("utf-8"))
    return stats


class CommitRun(beam.PTransform):
    """(StagedFile PCollections, matched paths) -> one stats dict, after moving files in place."""

    def __init__(self, matched: beam.PCollection[str], run: RunContext) -> None:
        super().__init__()
        self._matched = matched
        self._run = run

    def expand(self, staged: beam.PCollection[StagedFile]) -> beam.PCollection[dict]:
        run = self._run
        matched = self._matched | "CountMatched" >> beam.combiners.Count.Globally()
        return (
            staged
            | "AllStaged" >> beam.combiners.ToList()
            | "Commit"
            >> beam.Map(
                lambda files, n: commit_files(files, n, run), beam.pvalue.AsSingleton(matched)
            )
        )
