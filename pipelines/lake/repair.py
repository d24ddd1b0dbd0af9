"""`spindrift repair LAKE`: rebuild `_index`, `_ledger` and the snapshot from what was published.

The published tables carry everything the state needs: each article, duplicate and
quarantine row names its input's content id (`article_id`, `input_id`), its run and time, so
the ledger is their union; the index is each kept article's signature, recomputed from its
stored body, title and language with the same function the run used, and kept within the
window of the last run's configuration. Runs with a journal in `_staging/` are finished
first; the snapshot is rebuilt from the run manifests when it is itself lost.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import fastavro
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.config import WriteConfig
from pipelines.core import near_dup as nd
from pipelines.core import schema
from pipelines.core.boilerplate import published_sketch
from pipelines.core.index import IndexConfig, IndexEntry, effective_date, in_window, window_start
from pipelines.core.records import LedgerEntry
from pipelines.lake import files, layout
from pipelines.lake.commit import COMMIT_FILE, HIVE_NULL, recover
from pipelines.lake.errors import StateError
from pipelines.lake.lock import run_lock
from pipelines.lake.snapshot import FileEntry, Snapshot, read_snapshot, write_snapshot
from pipelines.lake.state import file_problem
from pipelines.transforms.dedup import article_features
from pipelines.transforms.write import write_parquet


def _manifests(output: str) -> list[dict[str, Any]]:
    folder = layout.join(output, layout.RUNS_DIR)
    found = []
    for name in files.list_dir(folder):
        if name.endswith(".json"):
            found.append(files.read_json(f"{folder}/{name}", f"delete or restore {folder}/{name}"))
    return found


def _rows_of(path: str, kind: str) -> int:
    if kind == layout.QUARANTINE:
        with open(path, "rb") as handle:
            return sum(1 for _ in fastavro.reader(handle))
    return pq.read_metadata(path).num_rows


def _entry(output: str, item: Any, run_id: str) -> FileEntry:
    """A manifest's file entry; older manifests list bare paths: checksum them now."""
    if isinstance(item, dict):
        return FileEntry.from_json(item)
    path = item if item.startswith(output) else layout.join(output, item)
    size, sha256 = files.checksum(path)
    kind = layout.relative(output, path).split("/", 1)[0]
    if kind == layout.QUARANTINE and path.endswith(".parquet"):
        kind = layout.QUARANTINE_INDEX
    return FileEntry(
        layout.relative(output, path), kind, _rows_of(path, kind), size, sha256, run_id
    )


def _finish_journaled(output: str) -> list[str]:
    """Without a snapshot: complete the renames of journaled runs, drop unjournaled staging."""
    finished = []
    root = layout.staging_root(output)
    for name in files.list_dir(root):
        folder = f"{root}/{name}"
        if name.startswith("."):
            continue
        journal = f"{folder}/{COMMIT_FILE}"
        if FileSystems.exists(journal):
            plan = files.read_json(journal, f"delete {folder}")
            for temp, final in plan["renames"]:
                if FileSystems.exists(temp):
                    parent = final.rsplit("/", 1)[0]
                    if not FileSystems.exists(parent):
                        FileSystems.mkdirs(parent)
                    FileSystems.rename([temp], [final])
            files.write_json_atomic(layout.manifest_path(output, name), plan["manifest"])
            finished.append(name)
        FileSystems.delete([folder])
    return finished


def _tables(output: str, snapshot: Snapshot | None) -> tuple[list[str], list[FileEntry]]:
    """Committed runs and their table files, from the snapshot or else the manifests."""
    if snapshot is not None:
        runs = list(snapshot.runs)
        tables = [f for f in snapshot.files if f.kind in layout.PUBLISHED]
    else:
        manifests = sorted(_manifests(output), key=lambda m: m["run_id"])
        runs = [m["run_id"] for m in manifests]
        tables = [
            e
            for m in manifests
            for e in (_entry(output, item, m["run_id"]) for item in m.get("files", []))
            if e.kind in layout.PUBLISHED
        ]
    problems = [p for e in tables if (p := file_problem(output, e))]
    if problems:
        raise StateError(
            f"cannot repair: published table file {problems[0]}; restore it from a backup "
            "(repair rebuilds state from the tables, it cannot rebuild the tables)"
        )
    return runs, tables


def _ledger(output: str, tables: list[FileEntry]) -> list[LedgerEntry]:
    entries = []
    for f in tables:
        path = layout.join(output, f.path)
        if f.kind == layout.QUARANTINE_INDEX:
            continue  # the same rows as the Avro files, without their bytes
        if f.kind == layout.QUARANTINE:
            with open(path, "rb") as handle:
                for row in fastavro.reader(handle):
                    sha = row.get("raw_sha256")
                    key = row.get("input_id") or (sha[:20] if sha else None)
                    if key:
                        entries.append(
                            LedgerEntry(
                                row["source_uri"], key, "quarantine", row["run_id"],
                                row["quarantined_at"],
                            )
                        )  # fmt: skip
            continue
        outcome = "article" if f.kind == layout.ARTICLES else "duplicate"
        columns = ["source_uri", "article_id", "run_id", "ingested_at"]
        for row in pq.read_table(path, columns=columns).to_pylist():
            entries.append(
                LedgerEntry(
                    row["source_uri"], row["article_id"], outcome, row["run_id"], row["ingested_at"]
                )
            )
    return entries


def _partition(path: str) -> tuple[dt.date | None, str]:
    parts = dict(p.split("=", 1) for p in path.split("/") if "=" in p)
    date = parts["published_date"]
    return (None if date == HIVE_NULL else dt.date.fromisoformat(date)), parts["language"]


def _index(output: str, tables: list[FileEntry], window: IndexConfig) -> list[IndexEntry]:
    """Every article's signature, recomputed from its body as DropDuplicates computes it (with
    the default NearDupConfig), then kept within the window. Family keys (the candidate keys
    of copies dropped for an article) are not rebuilt: `duplicates/` keeps no text to sign, so
    a repaired index finds a later copy through its survivor's own keys only."""
    dedup = nd.NearDupConfig()
    entries = []
    columns = ["article_id", "source_uri", "title", "body", "boilerplate", "ingested_at", "run_id"]
    for f in tables:
        if f.kind != layout.ARTICLES:
            continue
        published, language = _partition(f.path)
        for row in pq.read_table(layout.join(output, f.path), columns=columns).to_pylist():
            entries.append(
                IndexEntry(
                    article_id=row["article_id"],
                    source_uri=row["source_uri"],
                    published_date=published,
                    effective_date=effective_date(published, row["ingested_at"]),
                    language=language,
                    signature=article_features(
                        row["body"], language, row["title"], row["article_id"], dedup
                    )[0],
                    run_id=row["run_id"],
                    **_line_sketch(row["body"], row["boilerplate"] or ()),
                )
            )
    newest = max((e.published_date for e in entries if e.published_date), default=None)
    start = window_start(newest, window)
    return [e for e in entries if in_window(e.effective_date, start)]


def _line_sketch(body: str, removed: list[str]) -> dict[str, bytes]:
    """An entry's line sketch fields, as DropDuplicates writes them."""
    line_hashes, line_long = published_sketch(body, removed).to_bytes()
    return {"line_hashes": line_hashes, "line_long": line_long}


def _window(output: str, runs: list[str]) -> IndexConfig:
    """The index window of the last run that recorded its configuration."""
    for run_id in reversed(runs):
        path = layout.manifest_path(output, run_id)
        if FileSystems.exists(path):
            days = files.read_json(path, "").get("config", {}).get("index", {}).get("window_days")
            if days is not None:
                return IndexConfig(window_days=int(days))
    return IndexConfig()


def _write_state(
    output: str, repair_id: str, kind: str, rows: list[dict[str, Any]], name: str, sort_key
) -> list[FileEntry]:
    if not rows:
        return []
    rows.sort(key=sort_key)
    path = layout.join(output, f"{kind}/part-{repair_id}-00000.parquet")
    parent = path.rsplit("/", 1)[0]
    if not FileSystems.exists(parent):
        FileSystems.mkdirs(parent)
    with FileSystems.create(path) as handle:
        write_parquet(handle, rows, schema.arrow_schema(name), WriteConfig())
    size, sha256 = files.checksum(path)
    return [FileEntry(layout.relative(output, path), kind, len(rows), size, sha256, repair_id)]


def repair(output: str) -> dict[str, Any]:
    """Rebuild the lake's state under its lock; returns the repair's manifest."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    repair_id = f"{now:%Y%m%dT%H%M%SZ}-repair-{secrets.token_hex(3)}"
    with run_lock(output, repair_id) as lock:
        try:
            recover(output, lock.assert_held)
            snapshot: Snapshot | None = read_snapshot(output)
        except StateError:
            snapshot = None
            _finish_journaled(output)
        runs, tables = _tables(output, snapshot)
        ledger = [e.to_row() for e in _ledger(output, tables)]
        index = [e.to_row() for e in _index(output, tables, _window(output, runs))]
        added = _write_state(
            output, repair_id, layout.LEDGER_DIR, ledger, "ledger",
            lambda r: (r["source_uri"], r["article_id"]),
        ) + _write_state(
            output, repair_id, layout.INDEX_DIR, index, "index_entry",
            lambda r: (r["effective_date"], r["article_id"], r["source_uri"]),
        )  # fmt: skip
        version = snapshot.version if snapshot else len(runs)
        base = Snapshot(version=version, runs=tuple(runs), files=tuple(tables))
        rebuilt = base.after(repair_id, added, removed=set())
        manifest = {
            "run_id": repair_id,
            "repair": True,
            "started_at": now.isoformat(),
            "ledger_entries": len(ledger),
            "index_entries": len(index),
            "files": [f.to_json() for f in added],
            "snapshot_version": rebuilt.version,
        }
        files.write_json_atomic(layout.manifest_path(output, repair_id), manifest)
        lock.assert_held()
        write_snapshot(output, rebuilt)
        keep = {layout.join(output, f.path) for f in added}
        for kind in layout.STATE:
            folder = layout.join(output, kind)
            stale = [f"{folder}/{n}" for n in files.list_dir(folder) if f"{folder}/{n}" not in keep]
            if stale:
                FileSystems.delete(stale)
    return manifest
