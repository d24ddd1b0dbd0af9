"""Copy-on-write of published rows when a run supersedes survivors (`IndexConfig.supersede`).

The pipeline lists in its stage report the published survivors a new article beats
(`core.supersede.Superseded`). Before the journal (step 2 of `commit.py`), the driver, holding
the lock, stages the files that change:

- each `articles/` file holding a superseded survivor, rewritten without it (`replaces` names
  the published file; a file left empty is `retired` instead);
- each `duplicates/` file holding a row that names a superseded survivor, rewritten with the
  row repointed at the new survivor;
- one new `duplicates/` file with the superseded survivors' rows, pointing at the new ones.

They are staged, journaled and swapped in by the snapshot with the run's own files, so a
reader sees the old survivor or the new, never both or neither, and a run killed at any point
is rolled back (no journal yet) or forward (`commit.recover`). Only files holding affected
rows are read whole: the others are ruled out from one or two columns. A survivor's row, and
a duplicates row naming it, are written by the run that published the survivor or by a later
one (a rewrite), so files of earlier runs are not opened at all.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.config import WriteConfig
from pipelines.core import schema
from pipelines.core.supersede import (
    Superseded,
    repoint,
    split_articles,
    superseded_duplicate,
    uid,
)
from pipelines.lake import files, layout
from pipelines.lake.commit import HIVE_NULL, STAGED_FILE, StagedFile, staging_folder
from pipelines.lake.errors import StateError
from pipelines.lake.snapshot import Snapshot
from pipelines.transforms.write import write_parquet

REWRITE_FOLDER = "rewrite"  # under the run's staging folder (local lakes)
MOVED_SHARD = "s00000"  # the superseded survivors' duplicates rows


def partition_of(date: Any, language: str) -> str:
    """The `articles/` partition folder of a date (None: undated) and language."""
    day = date.isoformat() if date is not None else HIVE_NULL
    return f"published_date={day}/language={language}"


_RUN_SECOND = re.compile(r"\d{8}T\d{6}Z")  # how `RunContext.new` and repair ids begin


def _second(run_id: str) -> str | None:
    """The start second of a run id (`<YYYYmmddTHHMMSSZ>-…`), by which run ids sort; None for
    an id of another form (its files are never ruled out by age)."""
    head = run_id.split("-", 1)[0]
    return head if _RUN_SECOND.fullmatch(head) else None


def _older(run_id: str, since: str | None) -> bool:
    """Whether run `run_id` started before second `since` (False when either is unknown)."""
    second = _second(run_id)
    return second is not None and since is not None and second < since


def _oldest(run_ids: list[str]) -> str | None:
    """The earliest start second among runs (None when one of them has an unknown form)."""
    seconds = [_second(r) for r in run_ids]
    return None if any(s is None for s in seconds) else min(seconds)  # type: ignore[type-var]


def _read_rows(path: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a published Parquet file (the file's own columns: no partition keys)."""
    try:
        with files.open_read(path) as handle:
            return pq.ParquetFile(handle).read(columns=columns).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise StateError(
            f"cannot read published file {path} to supersede rows in it: {exc}"
        ) from None


def _keys(path: str, id_col: str, uri_col: str) -> set[str]:
    return {uid(r[id_col], r[uri_col]) for r in _read_rows(path, [id_col, uri_col])}


class _Stager:
    """Writes a run's rewritten files: staged under `_staging/<run>/rewrite/` (object stores:
    at their final, run-unique names) with size and sha256, as the pipeline's writers do."""

    def __init__(self, output: str, run_id: str, write: WriteConfig) -> None:
        self._output, self._run_id, self._write = output, run_id, write
        self._count = 0
        self.staged: list[StagedFile] = []

    def stage(
        self,
        kind: str,
        partition: str,
        rows: list[dict[str, Any]],
        replaces: str = "",
        shard: str | None = None,
    ) -> None:
        if shard is None:
            shard = f"r{self._count:05d}"
            self._count += 1
        folder = f"{kind}/{partition}" if partition else kind
        name = f"part-{self._run_id}-{shard}.parquet"
        final = layout.join(self._output, f"{folder}/{name}")
        temp = final
        if layout.is_local(self._output):
            flat = f"{partition.replace('/', ',')},{name}" if partition else name
            temp = f"{staging_folder(self._output, self._run_id)}/{REWRITE_FOLDER}/{kind}/{flat}"
        arrow = schema.article_file_schema() if kind == layout.ARTICLES else None
        arrow = arrow or schema.arrow_schema("duplicate")
        with FileSystems.create(temp) as raw:
            handle = files.HashingWriter(raw)
            write_parquet(handle, rows, arrow, self._write)
        self.staged.append(
            StagedFile(kind, partition, temp, final, len(rows), handle.size, handle.hexdigest(),
                       replaces)
        )  # fmt: skip


def _rewrite_articles(
    output: str, base: Snapshot, gone: dict[str, Superseded], stager: _Stager, run_id: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Stage the `articles/` files without the superseded survivors; returns their new
    duplicates rows and the files left empty (retired)."""
    # Per partition, the oldest run that published one of its superseded survivors: a row is
    # in a file of the run that published it or of a later run that rewrote that file.
    runs: dict[str, list[str]] = {}
    for g in gone.values():
        runs.setdefault(partition_of(g.old_date, g.old_language), []).append(g.old_run_id)
    since = {partition: _oldest(ids) for partition, ids in runs.items()}
    moved: list[dict[str, Any]] = []
    retired: list[str] = []
    prefix = f"{layout.ARTICLES}/"
    for entry in base.of_kind(layout.ARTICLES):
        partition = entry.path[len(prefix) :].rsplit("/", 1)[0]
        if partition not in since or _older(entry.run_id, since[partition]):
            continue
        path = layout.join(output, entry.path)
        if not _keys(path, "article_id", "source_uri") & gone.keys():
            continue
        kept, removed = split_articles(_read_rows(path), gone)
        for row in removed:
            moved.append(superseded_duplicate(row, gone[uid(row["article_id"], row["source_uri"])],
                                              run_id))  # fmt: skip
        if kept:
            stager.stage(layout.ARTICLES, partition, kept, replaces=entry.path)
        else:
            retired.append(entry.path)
    found = {uid(r["article_id"], r["source_uri"]) for r in moved}
    missing = sorted(gone.keys() - found)
    if missing:
        s = gone[missing[0]]
        partition = partition_of(s.old_date, s.old_language)
        folder = layout.join(output, f"{layout.ARTICLES}/{partition}")
        raise StateError(
            f"run {run_id} supersedes the published article {s.old_id} ({s.old_uri}), but no "
            f"file the snapshot lists under {folder} holds it; run `spindrift check {output}`"
        )
    return moved, retired


def _repoint_duplicates(
    output: str, base: Snapshot, gone: dict[str, Superseded], stager: _Stager, run_id: str
) -> None:
    """Stage the `duplicates/` files holding rows that name a superseded survivor, repointed."""
    oldest = _oldest([g.old_run_id for g in gone.values()])
    for entry in base.of_kind(layout.DUPLICATES):
        if _older(entry.run_id, oldest):
            continue  # written before any superseded survivor was published
        path = layout.join(output, entry.path)
        if not _keys(path, "kept_article_id", "kept_source_uri") & gone.keys():
            continue
        rows = [repoint(r, gone, run_id) or r for r in _read_rows(path)]
        rows.sort(key=_DUPLICATE_ORDER)
        stager.stage(layout.DUPLICATES, "", rows, replaces=entry.path)


_DUPLICATE_ORDER: Callable[[dict[str, Any]], tuple] = lambda r: (  # noqa: E731
    r["cluster_id"],
    r["article_id"],
    r["source_uri"],
)  # the order WriteDuplicates writes


def stage_supersede(output: str, run_id: str, base: Snapshot, write: WriteConfig) -> int:
    """Stage the rewrites of the survivors run `run_id` supersedes on top of `base` and add
    them to its stage report (call with the lock held, after the pipeline, before `publish`).
    Returns how many published survivors the run supersedes."""
    path = f"{staging_folder(output, run_id)}/{STAGED_FILE}"
    report = files.read_json(path, "the pipeline finished without its stage report")
    gone = {s.old_uid: s for s in map(Superseded.from_json, report.get("superseded", []))}
    if not gone or report.get("retired") or any(f.get("replaces") for f in report["files"]):
        return len(gone)  # nothing to rewrite, or already staged
    stager = _Stager(output, run_id, write)
    moved, retired = _rewrite_articles(output, base, gone, stager, run_id)
    _repoint_duplicates(output, base, gone, stager, run_id)
    stager.stage(layout.DUPLICATES, "", sorted(moved, key=_DUPLICATE_ORDER), shard=MOVED_SHARD)
    staged = [*report["files"], *(dataclasses.asdict(f) for f in stager.staged)]
    report["files"] = sorted(staged, key=lambda f: f["final_path"])
    report["retired"] = sorted(retired)
    files.write_json_atomic(path, report)
    return len(gone)
