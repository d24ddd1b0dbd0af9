"""`spindrift ingest --watch` as a user runs it: commits as files land, dedup across commits,
a changed file, lock, SIGTERM, kill -9 at random moments (tests/stream_kill.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.lake.lock import run_lock
from pipelines.lake.state import check_lake
from pipelines.options import UsageError, parse_args
from pipelines.run_context import RunContext
from pipelines.streaming import scratch
from pipelines.streaming.config import WatchConfig
from pipelines.streaming.microbatch import CachedViewOptions, Order, PreparedCommit
from pipelines.streaming.scan import Landed, Scanner, ingested_times, pick_batch, picked_times
from pipelines.streaming.watch import check_watch_inputs
from tests import crash, stream_kill
from tests.conftest import seed
from tests.helpers import table


def _wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the watcher"
        time.sleep(0.2)


def _manifests(out: Path) -> list[dict]:
    paths = sorted((out / "_runs").glob("*.json"))
    return [json.loads(p.read_text()) for p in paths]


def test_scanner_offers_new_and_changed_files_once(tmp_path):
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("one")
    (inbox / "sub" / "b.txt").write_text("two")
    (inbox / ".c.txt.part").write_text("being written")
    scanner = Scanner([str(inbox)], str(tmp_path / "lake"), settle_seconds=0)
    first = scanner.pending(time.time() + 1)
    assert sorted(Path(f.path).name for f in first) == ["a.txt", "b.txt"]
    scanner.mark_done(first)
    assert scanner.pending(time.time() + 1) == []
    (inbox / "a.txt").write_text("one, changed")
    assert [Path(f.path).name for f in scanner.pending(time.time() + 1)] == ["a.txt"]
    # a file modified just now waits for the settle time
    settling = Scanner([str(inbox)], str(tmp_path / "lake"), settle_seconds=60)
    assert settling.pending(time.time()) == []


def test_restart_seed_counts_from_when_a_commit_picked_its_files(tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.core import schema

    utc = dt.timezone.utc
    rows = [  # a's run started (was prepared) at t=100 and picked its files at t=105
        {"source_uri": "/in/a", "article_id": "x", "outcome": "article", "run_id": "r1",
         "ingested_at": dt.datetime.fromtimestamp(100, utc)},
        {"source_uri": "/in/b", "article_id": "y", "outcome": "article", "run_id": "batch",
         "ingested_at": dt.datetime.fromtimestamp(200, utc)},
    ]  # fmt: skip
    path = tmp_path / "ledger.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=schema.arrow_schema("ledger")), path)
    assert ingested_times([str(path)], {"r1": 105.0}) == {"/in/a": 105.0, "/in/b": 200.0}
    assert ingested_times([str(path)]) == {"/in/a": 100.0, "/in/b": 200.0}


def test_pick_batch_bounds_files_and_bytes():
    files = [Landed(f"/x/{i}", size=10, mtime_ns=i, landed_at=float(i)) for i in range(10)]
    assert [f.path for f in pick_batch(files, max_files=3, max_bytes=1000)] == [
        "/x/0", "/x/1", "/x/2"
    ]  # fmt: skip
    assert len(pick_batch(files, max_files=100, max_bytes=25)) == 2
    big = [Landed("/x/big", size=5000, mtime_ns=0, landed_at=0.0)]
    assert [f.path for f in pick_batch(big, 3, 25)] == ["/x/big"]  # alone, never stuck


def test_watch_config_validates():
    assert WatchConfig().max_files == 400
    for bad in ({"max_files": 0}, {"poll_seconds": 0}, {"stop_grace_seconds": 40}):
        try:
            WatchConfig(**bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} accepted")


def test_watch_commits_as_files_land_and_stops_on_sigterm(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "lake"
    inbox.mkdir()
    stream_kill.land([seed("001"), seed("002")], inbox)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = stream_kill.start(inbox, out, tmp_path / "watch.log", tmp=tmp)
    try:
        _wait_for(lambda: stream_kill.committed_names(out) == 2)
        # a second watcher (or a batch run) on the same lake refuses: exit 3
        second = subprocess.run(stream_kill.watch_argv(inbox, out), capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert second.returncode == 3, second.stderr
        assert "another run holds the lock" in second.stderr
        # the spun copy of 001 lands later: dropped against the index, in its own commit
        stream_kill.land([seed("000")], inbox)
        _wait_for(lambda: stream_kill.committed_names(out) == 3)
        # a changed file is ingested again
        (inbox / seed("002").name).write_text(seed("003").read_text())
        _wait_for(lambda: stream_kill.committed_names(out) == 4)
        # 001's bytes at a new path: an exact duplicate of the published 001, as one batch
        # run over both files would write (not "already ingested")
        shutil.copyfile(seed("001"), inbox / ".copy.part")
        (inbox / ".copy.part").rename(inbox / "copy-of-001.txt")
        _wait_for(lambda: stream_kill.committed_names(out) == 5)
    finally:
        code, seconds = stream_kill.stop(proc)
    log = (tmp_path / "watch.log").read_text()
    assert code == 0, log
    assert seconds < stream_kill.STOP_WITHIN_S
    # the prepared commit killed at the stop left no temporary folder (Beam's included)
    assert list(tmp.iterdir()) == []
    sql = "select source_uri, kept_source_uri, method from duplicates order by 1"
    assert table(str(out), sql) == [
        (str(inbox / seed("000").name), str(inbox / seed("001").name), "near:skeleton"),
        (str(inbox / "copy-of-001.txt"), str(inbox / seed("001").name), "exact"),
    ]
    kept = table(str(out), "select source_uri from articles order by 1")
    assert [Path(u).name for (u,) in kept] == [
        seed("001").name, seed("002").name, seed("002").name
    ]  # fmt: skip
    manifests = _manifests(out)
    assert [m["streaming"]["files"] for m in manifests] == [2, 1, 1, 1]
    assert [(m["articles"], m["duplicates"], m["already_ingested"]) for m in manifests] == [
        (2, 0, 0), (0, 1, 0), (1, 0, 0), (0, 1, 0)
    ]  # fmt: skip
    for m in manifests:
        fresh = m["streaming"]["freshness_seconds"]
        assert 0 <= fresh["p50"] <= fresh["p95"] <= fresh["max"]
    assert log.count(" commit ") == 4
    assert "files 1, articles 0, duplicates 1" in log
    for m in manifests:  # prepared before its files were picked, then ran and published
        assert m["streaming"]["picked_at"] <= m["streaming"]["visible_at"]
        assert m["timings"]["prepare"] > 0 and m["timings"]["cpu_seconds"] > 0


def test_kill_9_at_random_moments_loses_and_doubles_nothing(tmp_path):
    source = sorted(crash.write_inputs(tmp_path / "src", n=36, copies=4).iterdir())
    report = stream_kill.kill_trial(source, tmp_path / "in", tmp_path / "lake", kills=5)
    assert len(report.kills) == 5
    assert report.during >= 2, report.log  # kills inside commits, not only at start-up
    assert report.stop_code == 0, report.log
    assert report.stop_seconds < stream_kill.STOP_WITHIN_S
    assert report.counts == {f.name: 1 for f in source}, report.log
    # each restart removed the temp folders of the commits its killed predecessor ran
    assert list((tmp_path / "tmp").iterdir()) == []
    # the lake checks clean: no half-published commit, every file's checksum right
    # (in this process: `spindrift check` itself is tested in test_reliability.py)
    assert check_lake(str(tmp_path / "lake"))[1] == []
    # the same duplicate pairs as one batch run over the same files; which of a pair survives
    # may differ: a commit keeps what an earlier commit published (README, Streaming)
    batch = tmp_path / "batch"
    shutil.copytree(tmp_path / "in", tmp_path / "in2")
    argv = ["--input", str(tmp_path / "in2"), "--output", str(batch), "-q", "--no-progress"]
    assert ingest.main(argv) == 0
    sql = "select source_uri, kept_source_uri from duplicates"
    pairs = lambda rows: {frozenset((Path(a).name, Path(b).name)) for a, b in rows}  # noqa: E731
    assert pairs(table(str(tmp_path / "lake"), sql)) == pairs(table(str(batch), sql))
    assert len(pairs(table(str(batch), sql))) == 4


def test_sweep_removes_temp_folders_of_watchers_that_are_gone(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead, alive = int(gone.stdout), os.getpid()
    names = [
        f"spindrift-watch-{dead}-20261203T101500Z-0a1b2c-x1",
        f"spindrift-watch-{alive}-20261203T101500Z-0a1b2c-x2",
        "spindrift-watch-notes",
        "beam-pipeline-temp123",
    ]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / names[0] / "beam-pipeline-temp9").mkdir()
    (tmp_path / f"spindrift-watch-{dead}-20261203T101501Z-0a1b2c-file").write_text("")
    assert scratch.sweep(str(tmp_path)) == [names[0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*names[1:], f"spindrift-watch-{dead}-20261203T101501Z-0a1b2c-file"]
    )


def test_a_prepared_commit_waits_for_its_files_and_a_cancelled_one_writes_nothing(tmp_path):
    inbox, out = tmp_path / "in", tmp_path / "lake"
    inbox.mkdir()
    out.mkdir()
    stream_kill.land([seed("001"), seed("000")], inbox)
    job = parse_args(["--watch", "--input", str(inbox), "--output", str(out)])
    options = CachedViewOptions(["--default_sdk_harness_log_level=WARNING"])
    with run_lock(str(out), "test") as lock:
        cancelled = PreparedCommit(job, str(out), RunContext.new(str(out)), lock, options)
        assert cancelled.run(lambda: None) is None
        assert not (out / "_staging").exists() or not list((out / "_staging").iterdir())
        ctx = RunContext.new(str(out))
        prepared = PreparedCommit(job, str(out), ctx, lock, options)  # files not known yet
        picked = Scanner([str(inbox)], str(out), settle_seconds=0).pending(time.time())
        manifest = prepared.run(lambda: Order(tuple(picked), backlog=3, picked_at=12.5))
    assert manifest is not None and manifest["run_id"] == ctx.run_id
    assert (manifest["articles"], manifest["duplicates"], manifest["matched"]) == (1, 1, 2)
    assert (manifest["streaming"]["backlog"], manifest["streaming"]["picked_at"]) == (3, 12.5)
    assert table(str(out), "select count(*) from articles") == [(1,)]
    assert picked_times(str(out), [ctx.run_id]) == {ctx.run_id: 12.5}


def test_watch_flags_are_checked_before_anything_runs():
    job = parse_args(
        ["--watch", "--input", "in", "--max_commit_files", "50", "--poll_seconds", "2"]
    )
    assert job.watch == WatchConfig(max_files=50, poll_seconds=2.0)
    assert parse_args(["--input", "in"]).watch is None
    with pytest.raises(UsageError, match="need --watch"):
        parse_args(["--max_commit_files", "3"])
    with pytest.raises(UsageError, match="max_commit_files must be an int >= 1"):
        parse_args(["--watch", "--max_commit_files", "0"])
    with pytest.raises(UsageError, match="needs at least one --input"):
        check_watch_inputs(None)
    with pytest.raises(UsageError, match="object store"):
        check_watch_inputs(["gs://bucket/news/*.txt"])
