"""Which input files are new or changed since the watcher last committed them (no Beam).

A watched input is a local folder (read recursively, names starting with '.' skipped, as the
batch job does) or a local glob. Only regular files are picked up: a FIFO or device would be
skipped by every commit and offered again forever. A file is ready once it has not been
modified for `settle_seconds`; its landing time is its inode change time (`st_ctime`), which a
rename into place sets, so the freshness figures count from the moment it appeared.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pipelines.lake import layout
from pipelines.lake.guards import inside


@dataclass(frozen=True)
class Landed:
    """A ready input: its identity for change detection and when it landed (epoch s)."""

    path: str
    size: int
    mtime_ns: int
    landed_at: float

    @property
    def version(self) -> tuple[int, int]:
        return self.size, self.mtime_ns


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                yield os.path.join(root, name)


def list_candidates(patterns: Sequence[str], exclude: str) -> Iterator[str]:
    """Every path the watched inputs name now (folders recursively, globs by the reader's
    own matcher), outside the lake `exclude`."""
    from pipelines.transforms.read import match_local

    for pattern in patterns:
        if os.path.isdir(pattern):
            yield from (p for p in _walk(pattern) if not inside(p, exclude))
        else:
            yield from (p for p, reason in match_local(pattern, exclude) if reason is None)


def ingested_times(
    ledger_files: Iterable[str], picked_at: Mapping[str, float] | None = None
) -> dict[str, float]:
    """source_uri -> when its latest recording run took its files (epoch s) over the lake's
    ledger files: the run's `picked_at` when given (a streaming commit is prepared, and its
    `ingested_at` fixed, before it picks its files), else its `ingested_at`."""
    import pyarrow.parquet as pq

    picked_at = picked_at or {}
    latest: dict[str, float] = {}
    for path in ledger_files:
        table = pq.read_table(path, columns=["source_uri", "ingested_at", "run_id"])
        uris = table.column("source_uri").to_pylist()
        times = table.column("ingested_at").to_pylist()
        runs = table.column("run_id").to_pylist()
        for uri, when, run_id in zip(uris, times, runs, strict=True):
            t = picked_at.get(run_id)
            if t is None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=dt.timezone.utc)
                t = when.timestamp()
            if t > latest.get(uri, float("-inf")):
                latest[uri] = t
    return latest


def picked_times(output: str, run_ids: Iterable[str]) -> dict[str, float]:
    """run_id -> `streaming.picked_at` of the committed streaming runs among `run_ids`."""
    from pipelines.lake import files

    found = {}
    for run_id in run_ids:
        path = layout.manifest_path(output, run_id)
        streaming = files.read_json(path, "run `spindrift check`").get("streaming") or {}
        if "picked_at" in streaming:
            found[run_id] = float(streaming["picked_at"])
    return found


class Scanner:
    """Lists the inputs and returns the ready files not yet committed in their current version."""

    def __init__(self, patterns: Sequence[str], exclude: str, settle_seconds: float) -> None:
        self._patterns = [layout.canonical(p) for p in patterns]
        self._exclude = layout.canonical(exclude)
        self._settle = settle_seconds
        self._done: dict[str, tuple[int, int]] = {}

    def _stat_all(self) -> Iterator[tuple[str, os.stat_result]]:
        for path in list_candidates(self._patterns, self._exclude):
            try:
                st = os.stat(path)
            except OSError:
                continue  # vanished (or a dangling link) between listing and stat
            if stat.S_ISREG(st.st_mode):
                yield path, st

    def seed(self, ingested: dict[str, float]) -> int:
        """After a restart: files the ledger recorded and that were not modified after that
        run took its files (`ingested_times`) count as done (a rerun would skip them anyway);
        returns how many."""
        n = 0
        for path, st in self._stat_all():
            when = ingested.get(path)
            if when is not None and st.st_mtime_ns / 1e9 <= when:
                self._done[path] = (st.st_size, st.st_mtime_ns)
                n += 1
        return n

    def pending(self, now: float) -> list[Landed]:
        """Ready files that are new or changed, oldest landing first."""
        found = []
        for path, st in self._stat_all():
            version = (st.st_size, st.st_mtime_ns)
            if self._done.get(path) == version:
                continue
            if now - st.st_mtime < self._settle:
                continue  # still being written
            found.append(Landed(path, st.st_size, st.st_mtime_ns, st.st_ctime))
        return sorted(found, key=lambda f: (f.landed_at, f.path))

    def mark_done(self, files: Iterable[Landed]) -> None:
        for f in files:
            self._done[f.path] = f.version

    def __len__(self) -> int:
        return len(self._done)


def pick_batch(pending: Sequence[Landed], max_files: int, max_bytes: int) -> list[Landed]:
    """The oldest pending files within the commit's bounds (always at least one)."""
    batch: list[Landed] = []
    total = 0
    for f in pending:
        if batch and (len(batch) >= max_files or total + f.size > max_bytes):
            break
        batch.append(f)
        total += f.size
    return batch
