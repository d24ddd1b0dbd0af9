"""Beam readers of the lake's state: the index and the ledger, from verified file lists.

Which files to read (and whether they can be trusted) is `pipelines/lake/state.py`'s job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import ReadAllFromParquet

from pipelines.core.index import IndexEntry
from pipelines.core.records import LedgerEntry
from pipelines.lake.layout import INDEX_DIR, LEDGER_DIR, LOCK_FILE, RUNS_DIR  # noqa: F401
from pipelines.transforms.late import LateList, Listed, create_list

_LEDGER_COLUMNS = ["source_uri", "article_id", "outcome", "run_id", "ingested_at"]


class ReadIndex(beam.PTransform):
    """The given `_index/` Parquet files (a list or a LateList) -> IndexEntry (none when the
    list is empty)."""

    def __init__(self, files: Listed) -> None:
        super().__init__()
        self._files = files if isinstance(files, LateList) else list(files)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[IndexEntry]:
        return (
            create_list(pbegin, "Files", self._files)
            | "Read" >> ReadAllFromParquet()
            | "Entries" >> beam.Map(IndexEntry.from_row)
        )


class ReadLedger(beam.PTransform):
    """The `_ledger/` Parquet files -> LedgerEntry.

    `only`: canonical input paths (a list or a LateList); then only their entries are read,
    all a run over just those paths can look up (`SkipIngested` looks up path and content id).
    The ledger holds every input ever: a streaming commit that read it whole turned every
    entry into Python objects (~17 us an entry in a commit's stage profile here: extrapolated,
    ~30 s a commit after a day at 20 files/s); filtered in Arrow, only the commit's own paths
    become entries.
    """

    def __init__(self, files: Listed, only: Listed | None = None) -> None:
        super().__init__()
        self._files = files if isinstance(files, LateList) else list(files)
        self._only = only if only is None or isinstance(only, LateList) else list(only)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[LedgerEntry]:
        files = create_list(pbegin, "Files", self._files)
        if self._only is None:
            rows = files | "Read" >> ReadAllFromParquet(columns=_LEDGER_COLUMNS)
        else:
            only = create_list(pbegin, "Only", self._only) | "Paths" >> beam.combiners.ToList()
            rows = files | "ReadOnly" >> beam.FlatMap(_rows_of, beam.pvalue.AsSingleton(only))
        return rows | "Entries" >> beam.Map(lambda row: LedgerEntry(**row))


def _rows_of(path: str, only: list[str]) -> Iterator[dict[str, Any]]:
    """The ledger rows of one file whose `source_uri` is one of `only`."""
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle, columns=_LEDGER_COLUMNS)
    keep = pc.is_in(table["source_uri"], value_set=pa.array(only, type=pa.string()))
    yield from table.filter(keep).to_pylist()
