"""CommitRun's core: reconcile first, then publish; retries are harmless."""

import json
from pathlib import Path

import pytest

from pipelines.store import recover
from pipelines.transforms.write import (
    COMMIT_FILE,
    ReconciliationError,
    StagedFile,
    commit_files,
    plan_commit,
)


def _stage(run_ctx, kind: str, partition: str, rows: int) -> StagedFile:
    folder = f"{kind}/{partition}" if partition else kind
    temp = Path(run_ctx.staging) / folder / "part-test-run-00000.parquet"
    temp.parent.mkdir(parents=True, exist_ok=True)
    temp.write_bytes(b"data")
    final = Path(run_ctx.output) / folder / temp.name
    return StagedFile(kind, partition, str(temp), str(final), rows)


def test_mismatched_counts_fail_before_anything_is_published(run_ctx):
    staged = [
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 3),
        _stage(run_ctx, "duplicates", "", 1),
    ]
    with pytest.raises(ReconciliationError, match="5 inputs matched but 3 articles"):
        commit_files(staged, matched=5, run=run_ctx)
    assert not (Path(run_ctx.output) / "articles").exists()
    assert not (Path(run_ctx.output) / "duplicates").exists()
    assert all(Path(f.temp_path).exists() for f in staged)


def test_commit_moves_files_reports_stats_and_can_be_retried(run_ctx):
    staged = [
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 3),
        _stage(run_ctx, "articles", "published_date=__HIVE_DEFAULT_PARTITION__/language=de", 1),
        _stage(run_ctx, "quarantine", "", 2),
    ]
    stats = commit_files(staged, matched=6, run=run_ctx)
    assert (stats["articles"], stats["duplicates"], stats["quarantined"]) == (4, 0, 2)
    assert stats["languages"] == {"de": 1, "en": 3}
    assert (stats["date_min"], stats["date_max"]) == ("2020-03-18", "2020-03-18")
    assert all(Path(f.final_path).exists() and not Path(f.temp_path).exists() for f in staged)
    assert json.loads((Path(run_ctx.staging) / COMMIT_FILE).read_text())["stats"] == stats
    assert commit_files(staged, matched=6, run=run_ctx) == stats  # a retried commit


def test_killed_mid_publish_is_rolled_forward_by_recovery(run_ctx):
    old_index = Path(run_ctx.output) / "_index" / "part-old-00000.parquet"
    old_index.parent.mkdir(parents=True)
    old_index.write_bytes(b"old")
    staged = [
        _stage(run_ctx, "quarantine", "", 1),
        _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 2),
        _stage(run_ctx, "_index", "", 2),
    ]
    plan = plan_commit(staged, matched=3, skipped=0, replaced=[str(old_index)], run=run_ctx)
    journal = Path(run_ctx.staging) / COMMIT_FILE
    journal.write_text(json.dumps(plan))
    # The run died after publishing the first file only.
    temp, final = plan["renames"][0]
    Path(final).parent.mkdir(parents=True)
    Path(temp).rename(final)
    assert recover(run_ctx.output) == {"rolled_forward": ["test-run"], "rolled_back": []}
    assert all(Path(f.final_path).exists() for f in staged)
    assert not old_index.exists()
    manifest = json.loads((Path(run_ctx.output) / "_runs" / "test-run.json").read_text())
    assert manifest["recovered"] and manifest["articles"] == 2
    assert not Path(run_ctx.staging).exists()


def test_run_killed_before_its_journal_is_rolled_back(run_ctx):
    staged = _stage(run_ctx, "articles", "published_date=2020-03-18/language=en", 2)
    assert recover(run_ctx.output) == {"rolled_forward": [], "rolled_back": ["test-run"]}
    assert not Path(staged.temp_path).exists() and not Path(staged.final_path).exists()
