"""Beam readers of the lake's state: the index and the ledger, from verified file lists.

Which files to read (and whether they can be trusted) is `pipelines/lake/state.py`'s job.
"""

from __future__ import annotations

import apache_beam as beam
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
    """The `_ledger/` Parquet files -> LedgerEntry."""

    def __init__(self, files: Listed) -> None:
        super().__init__()
        self._files = files if isinstance(files, LateList) else list(files)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[LedgerEntry]:
        return (
            create_list(pbegin, "Files", self._files)
            | "Read" >> ReadAllFromParquet(columns=_LEDGER_COLUMNS)
            | "Entries" >> beam.Map(lambda row: LedgerEntry(**row))
        )
