"""State kept next to the data: the index and ledger readers, the run lock and crash recovery.

Driver-side I/O only; the matching rules live in `core/near_dup.py` and `core/index.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.parquetio import ReadAllFromParquet

from pipelines.core.index import IndexEntry
from pipelines.core.records import LedgerEntry
from pipelines.transforms.write import COMMIT_FILE, apply_commit, read_journal

INDEX_DIR = "_index"
LEDGER_DIR = "_ledger"
RUNS_DIR = "_runs"
LOCK_FILE = "_lock"


class LockedError(RuntimeError):
    """Another run holds the output folder's lock."""


def list_files(pattern: str) -> list[str]:
    """Paths matching `pattern`, sorted; [] when nothing (or no folder) matches."""
    try:
        return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)
    except Exception:
        return []


def index_files(output: str) -> list[str]:
    return list_files(f"{output}/{INDEX_DIR}/*.parquet")


def ledger_files(output: str) -> list[str]:
    return list_files(f"{output}/{LEDGER_DIR}/*.parquet")


class ReadIndex(beam.PTransform):
    """The given `_index/` Parquet files -> IndexEntry (none when the list is empty)."""

    def __init__(self, files: list[str]) -> None:
        super().__init__()
        self._files = list(files)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[IndexEntry]:
        return (
            pbegin
            | "Files" >> beam.Create(self._files)
            | "Read" >> ReadAllFromParquet()
            | "Entries" >> beam.Map(IndexEntry.from_row)
        )


class ReadLedger(beam.PTransform):
    """The `_ledger/` Parquet files -> LedgerEntry."""

    def __init__(self, files: list[str]) -> None:
        super().__init__()
        self._files = list(files)

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[LedgerEntry]:
        return (
            pbegin
            | "Files" >> beam.Create(self._files)
            | "Read" >> ReadAllFromParquet(columns=["source_uri", "article_id", "outcome",
                                                   "run_id", "ingested_at"])
            | "Entries" >> beam.Map(lambda row: LedgerEntry(**row))
        )  # fmt: skip


@contextlib.contextmanager
def run_lock(output: str, run_id: str) -> Iterator[None]:
    """Hold the output folder's lock for the duration of a run.

    An advisory `flock` on `DIR/_lock`: released by the kernel when the process dies, so a
    crashed run never leaves a stale lock. Object stores (gs://, s3://) have no such lock:
    there the scheduler must not overlap runs (documented in deploy/schedule/README.md).
    """
    if "://" in output:
        yield
        return
    path = os.path.join(output, LOCK_FILE)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(
                f"another run holds the lock on {output!r} ({holder}); not starting"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"run {run_id} pid {os.getpid()} host {socket.gethostname()} "
                     f"since {dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H:%M:%SZ}\n")  # fmt: skip
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_manifest(output: str, run_id: str, manifest: dict) -> str:
    path = f"{output}/{RUNS_DIR}/{run_id}.json"
    temp = f"{path}.tmp"
    with FileSystems.create(temp) as handle:
        handle.write(json.dumps(manifest, indent=2, default=str).encode("utf-8"))
    FileSystems.rename([temp], [path])
    return path


def recover(output: str) -> dict[str, list[str]]:
    """Finish or discard the work of runs that died; call with the lock held.

    A run that journaled its commit plan is rolled forward (its files published, its
    manifest written, marked recovered); a run that died earlier is rolled back (its staged
    files deleted). Returns {'rolled_forward': [...], 'rolled_back': [...]}.
    """
    done: dict[str, list[str]] = {"rolled_forward": [], "rolled_back": []}
    for staging in list_files(f"{output}/_staging/*/{COMMIT_FILE}"):
        folder = staging[: -len(COMMIT_FILE) - 1]
        run_id = folder.rsplit("/", 1)[1]
        plan = read_journal(folder)
        apply_commit(plan)
        if not FileSystems.exists(f"{output}/{RUNS_DIR}/{run_id}.json"):
            write_manifest(output, run_id, {**plan["stats"], "recovered": True})
        done["rolled_forward"].append(run_id)
    staging_root = f"{output}/_staging"
    if "://" not in output and os.path.isdir(staging_root):
        for name in sorted(os.listdir(staging_root)):
            folder = f"{staging_root}/{name}"
            if name.startswith(".") or not os.path.isdir(folder):
                continue
            if name not in done["rolled_forward"]:
                done["rolled_back"].append(name)
            FileSystems.delete([folder])
    return done
