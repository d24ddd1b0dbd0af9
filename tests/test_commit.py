"""The commit protocol's core: reconcile first, journal, fence, swap the snapshot; recovery."""

import json
from pathlib import Path

import pytest

from pipelines.lake import files, layout
from pipelines.lake.commit import (
    COMMIT_FILE,
    StagedFile,
    apply_commit,
    plan_commit,
    publish,
    recover,
    write_stage_report,
)
from pipelines.lake.errors import LockLostError, ReconciliationError
from pipelines.lake.lock import run_lock
from pipelines.lake.snapshot import FileEntry, Snapshot, read_snapshot, write_snapshot


def _held() -> None:
    """A fence that always passes (the caller holds the lock)."""


def _stage(run_ctx, kind: str, partition: str, rows: int) -> StagedFile:
    base = layout.folder_of(kind)
    folder = f"{base}/{partition}" if partition else base
    temp = Path(run_ctx.staging) / kind / f"{partition.replace('/', ',')},part-test-run-00000"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(f"data {kind} {partition}".encode())
    suffix = "avro" if kind == layout.QUARANTINE else "parquet"
    final = Path(run_ctx.output) / folder / f"part-test-run-00000.{suffix}"
    size, sha = files.checksum(str(temp))
    return StagedFile(kind, partition, str(temp), str(final), rows, size, sha)


def _report(run_ctx, staged, matched, already=0, skipped=()):
    return write_stage_report(
        run_ctx.output, run_ctx.run_id, staged, matched, already, list(skipped)
    )


def test_mismatched_counts_fail_before_anything_is_published(run_ctx):
    staged = [
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 3),
        _stage(run_ctx, "duplicates", "", 1),
    ]
    _report(run_ctx, staged, matched=5)
    with pytest.raises(ReconciliationError, match="5 inputs matched but 3 articles"):
        publish(run_ctx.output, run_ctx.run_id, Snapshot(), _held)
    assert not (Path(run_ctx.output) / "articles").exists()
    assert not (Path(run_ctx.output) / layout.SNAPSHOT_FILE).exists()
    assert all(Path(f.temp_path).exists() for f in staged)


def test_a_quarantine_without_its_parquet_copy_fails_reconciliation(run_ctx):
    staged = [_stage(run_ctx, "quarantine", "", 2), _stage(run_ctx, "quarantine_index", "", 1)]
    _report(run_ctx, staged, matched=2)
    with pytest.raises(ReconciliationError, match="2 quarantined rows in Avro but 1 in their"):
        publish(run_ctx.output, run_ctx.run_id, Snapshot(), _held)


def test_publish_moves_files_lists_them_in_the_snapshot_and_manifest(run_ctx):
    staged = [
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 3),
        _stage(run_ctx, "articles", "published_date=__HIVE_DEFAULT_PARTITION__/language=de", 1),
        _stage(run_ctx, "quarantine", "", 2),
        _stage(run_ctx, "quarantine_index", "", 2),
    ]
    _report(run_ctx, staged, matched=7, already=1, skipped=[("/in/p.txt", "fifo")])
    manifest = publish(run_ctx.output, run_ctx.run_id, Snapshot(), _held, {"inputs": ["x"]})
    assert (manifest["articles"], manifest["duplicates"], manifest["quarantined"]) == (4, 0, 2)
    assert (manifest["already_ingested"], manifest["skipped"]) == (1, 1)
    assert manifest["skipped_inputs"] == [{"path": "/in/p.txt", "reason": "fifo"}]
    assert manifest["languages"] == {"de": 1, "en": 3}
    assert (manifest["date_min"], manifest["date_max"]) == ("2020-03-18", "2020-03-18")
    assert manifest["inputs"] == ["x"]
    assert all(Path(f.final_path).exists() and not Path(f.temp_path).exists() for f in staged)
    snapshot = read_snapshot(run_ctx.output)
    assert (snapshot.version, snapshot.runs) == (1, ("test-run",))
    assert sorted(f.path for f in snapshot.files) == sorted(
        layout.relative(run_ctx.output, f.final_path) for f in staged
    )
    assert {f.sha256 for f in snapshot.files} == {f.sha256 for f in staged}
    on_disk = json.loads((Path(run_ctx.output) / "_runs" / "test-run.json").read_text())
    assert on_disk == manifest
    assert not Path(run_ctx.staging).exists()


def test_a_run_that_lost_its_lock_never_publishes(run_ctx):
    staged = [_stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 1)]
    _report(run_ctx, staged, matched=1)
    Path(run_ctx.output).mkdir(exist_ok=True)
    with run_lock(run_ctx.output, run_ctx.run_id) as lock:
        # Someone removed the lock file and another run took a new one.
        (Path(run_ctx.output) / layout.LOCK_FILE).unlink()
        with run_lock(run_ctx.output, "intruder"), pytest.raises(LockLostError, match="no longer"):
            publish(run_ctx.output, run_ctx.run_id, Snapshot(), lock.assert_held)
    assert not (Path(run_ctx.output) / layout.SNAPSHOT_FILE).exists()


def test_killed_mid_publish_is_rolled_forward_by_recovery(run_ctx):
    old = Path(run_ctx.output) / "_index" / "part-old-00000.parquet"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    base = Snapshot().after(
        "old", [files_entry(run_ctx.output, old, "_index", "old")], removed=set()
    )
    write_snapshot(run_ctx.output, base)
    staged = [
        _stage(run_ctx, "quarantine", "", 1),
        _stage(run_ctx, "quarantine_index", "", 1),
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 2),
        _stage(run_ctx, "_index", "", 2),
    ]
    plan = plan_commit(run_ctx.output, _report(run_ctx, staged, matched=3), base)
    (Path(run_ctx.staging) / COMMIT_FILE).write_text(json.dumps(plan))
    # The run died after publishing the first file only: readers still see the old snapshot.
    temp, final = plan["renames"][0]
    Path(final).parent.mkdir(parents=True, exist_ok=True)
    Path(temp).rename(final)
    assert read_snapshot(run_ctx.output) == base
    assert recover(run_ctx.output, _held) == {"rolled_forward": ["test-run"], "rolled_back": []}
    assert all(Path(f.final_path).exists() for f in staged)
    assert not old.exists()  # the replaced index is gone once the new one is committed
    snapshot = read_snapshot(run_ctx.output)
    assert snapshot.runs == ("old", "test-run")
    assert [f.path for f in snapshot.of_kind("_index")] == ["_index/part-test-run-00000.parquet"]
    manifest = json.loads((Path(run_ctx.output) / "_runs" / "test-run.json").read_text())
    assert manifest["articles"] == 2
    assert not Path(run_ctx.staging).exists()


def files_entry(output, path, kind, run_id):
    size, sha = files.checksum(str(path))
    return FileEntry(layout.relative(output, str(path)), kind, 1, size, sha, run_id)


def test_run_killed_before_its_journal_is_rolled_back(run_ctx):
    staged = _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 2)
    assert recover(run_ctx.output, _held) == {"rolled_forward": [], "rolled_back": ["test-run"]}
    assert not Path(staged.temp_path).exists() and not Path(staged.final_path).exists()


def test_apply_commit_is_idempotent(run_ctx):
    staged = [_stage(run_ctx, "duplicates", "", 1)]
    plan = plan_commit(run_ctx.output, _report(run_ctx, staged, matched=1), Snapshot())
    apply_commit(run_ctx.output, plan, _held)
    apply_commit(run_ctx.output, plan, _held)
    assert read_snapshot(run_ctx.output).runs == ("test-run",)
