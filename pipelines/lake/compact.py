"""Ledger compaction: keep the number of `_ledger/` files bounded.

Every run appends its ledger entries as new files, so a lake fed by a watcher (a commit every
few seconds) or by hourly runs gathers thousands of small files, and every run checksums each
one (`state.load_state`) and reads each one (`ReadLedger`): the cost of a commit grew with the
number of commits before it. When the snapshot lists `WriteConfig.ledger_max_files` ledger
files or more, the driver merges them into one file (Arrow tables, no row objects), staged with
the run; the run's commit replaces them, as every run replaces the index's files (state files:
only runs read them, under the lock, so they are deleted at once).
"""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.config import WriteConfig
from pipelines.core import schema
from pipelines.lake import files, layout
from pipelines.lake.commit import LEDGER_COMPACTION, STAGED_FILE, StagedFile, staging_folder
from pipelines.lake.errors import StateError
from pipelines.lake.snapshot import Snapshot

COMPACT_FOLDER = "compact"  # under the run's staging folder (local lakes)
_SHARD = "c00000"  # the merged file's shard name: apart from the pipeline's numbered shards


def stage_ledger_compaction(output: str, run_id: str, base: Snapshot, write: WriteConfig) -> int:
    """Merge `base`'s ledger files into one staged with run `run_id` when there are
    `write.ledger_max_files` or more, and record it in the stage report (call with the lock
    held, after the pipeline, before `publish`). Returns how many files it replaces."""
    listed = base.of_kind(layout.LEDGER_DIR)
    if len(listed) < write.ledger_max_files:
        return 0
    path = f"{staging_folder(output, run_id)}/{STAGED_FILE}"
    report = files.read_json(path, "the pipeline finished without its stage report")
    if LEDGER_COMPACTION in report:
        return len(report[LEDGER_COMPACTION]["replaced"])  # already staged (a retried publish)
    arrow = schema.arrow_schema("ledger")
    tables = []
    for entry in listed:
        source = layout.join(output, entry.path)
        with FileSystems.open(source) as handle:
            table = pq.read_table(handle)
        if table.num_rows != entry.rows:
            raise StateError(
                f"{source} holds {table.num_rows} ledger entries, run {entry.run_id} wrote "
                f"{entry.rows}; run `spindrift repair {output}`"
            )
        tables.append(table.select(arrow.names).cast(arrow))
    merged = pa.concat_tables(tables).sort_by([("source_uri", "ascending"),
                                               ("article_id", "ascending")])  # fmt: skip
    name = f"part-{run_id}-{_SHARD}.parquet"
    final = layout.join(output, f"{layout.LEDGER_DIR}/{name}")
    temp = final
    if layout.is_local(output):
        temp = f"{staging_folder(output, run_id)}/{COMPACT_FOLDER}/{name}"
    with FileSystems.create(temp) as raw:
        handle = files.HashingWriter(raw)
        compression = None if write.compression == "none" else write.compression
        pq.write_table(
            merged, pa.PythonFile(handle, mode="w"), compression=compression,
            row_group_size=write.row_group_rows,
        )  # fmt: skip
    staged = StagedFile(
        layout.LEDGER_DIR, "", temp, final, merged.num_rows, handle.size, handle.hexdigest()
    )
    report["files"] = sorted(
        [*report["files"], dataclasses.asdict(staged)], key=lambda f: f["final_path"]
    )
    report[LEDGER_COMPACTION] = {
        "file": final,
        "replaced": sorted(e.path for e in listed),
        "rows": merged.num_rows,
    }
    files.write_json_atomic(path, report)
    return len(listed)
