"""Issue 11's reliability defects, each reproduced through the real job: the CLI where the
defect is in the CLI, a real SIGKILL where it is about crashes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystem import FileMetadata
from apache_beam.testing.util import assert_that, equal_to

from pipelines import ingest
from pipelines.config import ReadConfig
from pipelines.core.records import LedgerEntry
from pipelines.lake import layout
from pipelines.lake.errors import StateError
from pipelines.lake.guards import check_paths
from pipelines.lake.state import check_lake
from pipelines.options import UsageError
from pipelines.transforms.ledger import SkipIngested
from pipelines.transforms.read import ReadFiles, match_local
from tests import crash, helpers
from tests.conftest import STARTED, seed

SPINDRIFT = crash.SPINDRIFT


def _cli(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SPINDRIFT, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


def _run(src: Path, out: Path) -> dict:
    """One in-process run over `src/*.txt` (where the defect is not in the CLI)."""
    return ingest.run(["--input", str(src / "*.txt"), "--output", str(out)]).manifest


def _names(out: Path, table: str) -> set[str]:
    return {Path(u).name for (u,) in helpers.table(str(out), f"select source_uri from {table}")}


# 1. Only regular files are read; never past the cap. ------------------------------------------


def test_fifo_device_link_loop_and_folder_are_skipped_and_counted_not_read(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    crash.write_inputs(src, n=1, copies=0)
    os.mkfifo(src / "p.txt")  # reading it blocked the run forever
    (src / "z.txt").symlink_to("/dev/zero")  # read forever
    (src / "dangling.txt").symlink_to(src / "nowhere")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    (src / "sub.txt").mkdir()
    (src / "back\\slash.txt").write_text((src / "gen-0000.txt").read_text() + " Extra words.")
    manifest = _run(src, out)  # in process: reading, not the CLI, is what is tested
    assert (manifest["matched"], manifest["skipped"]) == (2, 5)
    assert manifest["skipped_reasons"] == {
        "dangling_link": 1,
        "device": 1,
        "directory": 1,
        "fifo": 1,
        "link_loop": 1,
    }
    assert {Path(s["path"]).name for s in manifest["skipped_inputs"]} == {
        "p.txt", "z.txt", "dangling.txt", "loop.txt", "sub.txt",
    }  # fmt: skip
    assert _names(out, "articles") | _names(out, "duplicates") == {
        "gen-0000.txt",
        "back\\slash.txt",
    }


def test_local_matching_lists_every_entry_outside_the_lake(tmp_path):
    for rel in ("a.txt", "b\\c.txt", "sub/d.txt", "sub/deep/e.txt", "lake/_lock", "lake/x.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    top, lake = str(tmp_path), str(tmp_path / "lake")

    def names(pattern: str) -> list[tuple[str, str | None]]:
        return [(p[len(top) + 1 :], r) for p, r in match_local(f"{top}/{pattern}", lake)]

    assert names("*") == [("a.txt", None), ("b\\c.txt", None), ("sub", "directory")]
    assert names("*/*.txt") == [("sub/d.txt", None)]
    assert names("**.txt") == [
        ("a.txt", None), ("b\\c.txt", None), ("sub/d.txt", None), ("sub/deep/e.txt", None),
    ]  # fmt: skip
    assert names("[ab]*.txt") == [("a.txt", None), ("b\\c.txt", None)]
    assert names("lake/*") == []  # the lake's own files are never inputs


def test_a_huge_file_is_quarantined_after_reading_only_the_cap(tmp_path):
    src, out = tmp_path / "in", str(tmp_path / "out")
    src.mkdir()
    with open(src / "huge.txt", "wb") as handle:  # sparse: 8 GiB that cost no disk
        handle.truncate(8 << 30)
    started = time.monotonic()
    ingest.run(["--input", str(src / "*.txt"), "--output", out, "--max_article_mb", "1"])
    assert time.monotonic() - started < 60  # hashing 8 GiB of zeros would take far longer
    ((kind, size, raw, sha, truncated),) = [
        (q["error_kind"], q["raw_size"], q["raw"], q["raw_sha256"], q["truncated"])
        for q in helpers.quarantine(out)
    ]
    assert (kind, size, len(raw), truncated) == ("too_large", 8 << 30, 1 << 20, True)
    assert sha == hashlib.sha256(bytes(1 << 20)).hexdigest()  # of what the cap allows


# 2. State that can be trusted and repaired. ----------------------------------------------------


def _copies(src: Path, dst: Path) -> Path:
    """Exact copies (after normalization) of every input, behind an agency credit."""
    dst.mkdir()
    for path in sorted(src.glob("*.txt")):
        (dst / path.name).write_text(path.read_text() + "\n\nPA Media", encoding="utf-8")
    return dst


def test_emptied_or_corrupt_state_fails_the_run_naming_the_file_and_the_fix(tmp_path):
    src, out = crash.write_inputs(tmp_path / "in", n=6, copies=0), tmp_path / "out"
    _run(src, out)
    copies = _copies(src, tmp_path / "copies")
    (index,) = (out / "_index").glob("*.parquet")
    index.write_bytes(b"")  # was read as "no index": copies published as new articles
    with pytest.raises(StateError) as failed:  # in process; the CLI's exit 1 is checked below
        _run(copies, out)
    assert f"{index} is empty" in str(failed.value)
    assert f"spindrift repair {out}" in str(failed.value)
    assert helpers.table(str(out), "select count(*) from articles") == [(6,)]

    (ledger,) = (out / "_ledger").glob("*.parquet")
    ledger.write_bytes(ledger.read_bytes()[:-1] + b"X")  # same size, one byte flipped
    check = _cli("check", str(out))
    assert check.returncode == 1
    assert f"problem: {ledger} is corrupt" in check.stdout
    assert f"problem: {index} is empty" in check.stdout

    (out / layout.SNAPSHOT_FILE).write_text("{garbage")
    result = _cli("ingest", "--input", str(copies / "*.txt"), "--output", str(out))
    assert result.returncode == 1
    assert f"{out / layout.SNAPSHOT_FILE} is not valid JSON" in result.stderr
    assert "spindrift repair" in result.stderr


def _index_sketches(out) -> dict[str, tuple[bytes, bytes]]:
    rows = pq.read_table(out / "_index").to_pylist()
    assert all(r["line_hashes"] for r in rows)
    return {r["article_id"]: (r["line_hashes"], r["line_long"]) for r in rows}


def test_repair_restores_dedup_after_index_and_ledger_are_deleted(tmp_path):
    src, out = crash.write_inputs(tmp_path / "in", n=8, copies=0), tmp_path / "out"
    first = _run(src, out)
    assert (first["articles"], first["index_entries"], first["ledger_entries"]) == (8, 8, 8)
    sketches = _index_sketches(out)
    shutil.rmtree(out / "_index")
    shutil.rmtree(out / "_ledger")
    assert check_lake(str(out))[1] != []  # in process (`spindrift check` exits 1 on problems)
    repaired = _cli("repair", str(out))
    assert repaired.returncode == 0, repaired.stderr
    assert "(8 ledger entries, 8 index entries" in repaired.stdout
    assert check_lake(str(out))[1] == []
    assert _index_sketches(out) == sketches  # what later runs count chrome lines with

    copies = _copies(src, tmp_path / "copies")
    again = _run(copies, out)
    assert (again["articles"], again["duplicates"]) == (0, 8)  # dropped again, via the index
    assert helpers.table(
        str(out), "select count(*) from duplicates where kept_run_id = ?".replace("?", "'%s'")
        % first["run_id"]
    ) == [(8,)]  # fmt: skip
    rerun = _run(src, out)
    assert (rerun["already_ingested"], rerun["articles"]) == (8, 0)  # via the ledger


def test_repair_rebuilds_a_lost_snapshot_from_the_manifests(tmp_path):
    src, out = crash.write_inputs(tmp_path / "in", n=4, copies=1), tmp_path / "out"
    _run(src, out)
    before = crash.lake_counts(out)
    (out / layout.SNAPSHOT_FILE).unlink()
    result = _cli("query", str(out), "select count(*) from articles")
    assert result.returncode == 1 and "_snapshot.json is missing" in result.stderr
    assert _cli("repair", str(out)).returncode == 0
    assert crash.lake_counts(out) == before == (4, 1, 0)
    assert check_lake(str(out))[1] == []


# 3. Atomic publication: kill -9 at any moment, and a failed commit. ------------------------------


@pytest.fixture(scope="module")
def crash_inputs(tmp_path_factory) -> tuple[Path, tuple[set[str], set[str]]]:
    """The kill-test input and the articles and duplicates of one uninterrupted run over it."""
    top = tmp_path_factory.mktemp("crash")
    src = crash.write_inputs(top / "in", n=120, copies=5, dates=12)
    ingest.run(["--input", str(src / "*.txt"), "--output", str(top / "clean")])
    return src, (_names(top / "clean", "articles"), _names(top / "clean", "duplicates"))


FULL = (120, 5, 0)


@pytest.mark.parametrize(
    ("workers", "phase", "delay", "group"),
    [
        (False, "commit", 0.0, True),  # as soon as the commit is journaled
        (True, "staging", 0.0, False),  # multi-processing: driver only, workers orphaned
        (True, "renamed", 0.0, True),  # multi-processing: driver and workers, mid-commit
    ],
)
def test_killed_runs_never_show_a_partial_run(tmp_path, crash_inputs, workers, phase, delay, group):
    src, clean = crash_inputs
    out = tmp_path / "out"
    sampler = crash.Sampler(out)
    sampler.start()
    try:
        outcome, pgid = crash.kill_run(
            src, out, workers=workers, phase=phase, delay=delay, group=group
        )
        if not group:
            time.sleep(3)  # orphaned SDK workers finish their bundles: they must not publish
        assert sampler.seen <= {(0, 0, 0), FULL}, sampler.seen
        after_kill = crash.lake_counts(out)
        _run(src, out)  # the next run (in process) recovers and completes
    finally:
        sampler.stop()
        crash.reap_group(pgid)
    assert not sampler.errors, sampler.errors[:3]
    assert sampler.seen <= {(0, 0, 0), FULL}, sampler.seen  # all of the run or none of it
    assert after_kill in {(0, 0, 0), FULL}
    assert crash.lake_counts(out) == FULL
    assert (_names(out, "articles"), _names(out, "duplicates")) == clean
    assert check_lake(str(out))[1] == []  # every listed file and manifest verifies
    assert outcome == "killed"


def test_a_failed_commit_publishes_nothing_and_the_next_run_completes(tmp_path, crash_inputs):
    src, clean = crash_inputs
    out = tmp_path / "out"
    out.mkdir()
    (out / "articles").write_text("in the way")  # the commit cannot create articles/...
    with pytest.raises(Exception, match="articles"):
        _run(src, out)
    assert crash.lake_counts(out) == (0, 0, 0)  # not the duplicates or quarantine alone
    (out / "articles").unlink()
    assert _run(src, out)["recovered_runs"]["rolled_forward"]  # the next run completes it
    assert crash.lake_counts(out) == FULL
    assert (_names(out, "articles"), _names(out, "duplicates")) == clean


# 4. Output guards. -------------------------------------------------------------------------------


def test_empty_glob_like_or_overlapping_output_is_a_usage_error(tmp_path):
    src = crash.write_inputs(tmp_path / "in", n=1, copies=0)
    with pytest.raises(UsageError, match="empty"):
        check_paths("", [str(src)])  # guard proven in-process before the CLI could touch /
    lake = tmp_path / "lake"
    (tmp_path / "lake1").mkdir()
    result = _cli("ingest", "--input", str(src / "*.txt"), "--output=")  # as a user runs it
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("spindrift: error: --output is empty")
    cases = [
        (["--output", str(tmp_path / "lake*")], "contains a glob character"),
        (["--input", str(lake), "--output", str(lake)], "lies inside the output lake"),
        (["--input", str(lake / "*"), "--output", str(lake)], "lies inside the output lake"),
    ]
    for args, message in cases:  # the same check in process (the CLI turns it into exit 2)
        argv = args if "--input" in args else ["--input", str(src / "*.txt"), *args]
        lake.mkdir(exist_ok=True)
        with pytest.raises(UsageError, match=re.escape(message)):
            ingest.run(argv)
    assert not (tmp_path / "lake1" / "_index").exists() and not list(lake.iterdir())


def test_the_lakes_own_files_are_never_inputs(tmp_path):
    crash.write_inputs(tmp_path / "news", n=3, copies=0)
    argv = ["--input", str(tmp_path / "**"), "--output", str(tmp_path / "lake")]
    first = ingest.run(argv).manifest
    second = ingest.run(argv).manifest
    assert (first["matched"], first["articles"], first["quarantined"]) == (3, 3, 0)
    assert (second["matched"], second["already_ingested"], second["quarantined"]) == (3, 3, 0)


# 5. Canonical input identity. --------------------------------------------------------------------


def test_the_same_files_spelled_differently_are_not_ingested_again_copies_are_duplicates(
    tmp_path, monkeypatch
):
    crash.write_inputs(tmp_path / "ir", n=3, copies=0)
    monkeypatch.chdir(tmp_path)  # the spellings below are relative to it
    out = str(tmp_path / "lake")
    first = ingest.run(["--input", "ir/*.txt", "--output", out]).manifest
    assert (first["articles"], first["already_ingested"]) == (3, 0)
    for spelling in ("./ir/*.txt", f"{tmp_path}//ir/*.txt"):
        again = ingest.run(["--input", spelling, "--output", out]).manifest
        assert (again["already_ingested"], again["articles"], again["ledger_entries"]) == (3, 0, 0)
    # The same bytes at another path: a new input, dropped as an exact copy of the published
    # article (what one run over both files writes), not counted as already ingested.
    (tmp_path / "moved").mkdir()
    (tmp_path / "ir" / "gen-0001.txt").rename(tmp_path / "moved" / "gen-0001.txt")
    moved = ingest.run(["--input", "moved/*.txt", "--output", out]).manifest
    assert (moved["already_ingested"], moved["articles"], moved["duplicates"]) == (0, 0, 1)
    assert helpers.table(
        out, "select source_uri, kept_source_uri, method, similarity, kept_run_id from duplicates"
    ) == [
        (
            str(tmp_path / "moved" / "gen-0001.txt"),
            str(tmp_path / "ir" / "gen-0001.txt"),
            "exact",
            1.0,
            first["run_id"],
        )
    ]
    sources = {u for (u,) in helpers.table(out, "select source_uri from articles")}
    assert sources == {str(tmp_path / "ir" / f"gen-000{i}.txt") for i in range(3)}
    again = ingest.run(["--input", "moved/*.txt", "--output", out]).manifest
    assert (again["already_ingested"], again["duplicates"], again["ledger_entries"]) == (1, 0, 0)


# 6. Smaller items. --------------------------------------------------------------------------------


def test_an_unreadable_input_is_quarantined_once_per_content(pipeline, run_ctx, tmp_path):
    folder = tmp_path / "not-a-file.txt"  # open() succeeds on a folder; it is no regular file
    folder.mkdir()
    with beam.Pipeline(runner=pipeline.runner, options=pipeline.options) as p:
        read = p | beam.Create([FileMetadata(str(folder), 0)]) | ReadFiles(ReadConfig(), run_ctx)
        ids = read.quarantine | beam.Map(lambda q: (q.error_kind, q.input_id[0], len(q.input_id)))
        assert_that(ids, equal_to([("unreadable", "u", 20)]), label="id")
        recorded = read.quarantine | "AsLedger" >> beam.Map(
            lambda q: LedgerEntry(q.source_uri, q.input_id, "quarantine", "r0", STARTED)
        )
        fresh = (read.files, read.quarantine) | SkipIngested(recorded)
        assert_that(fresh.quarantine, equal_to([]), label="not again")
        assert_that(fresh.skipped, equal_to([str(folder)]), label="skipped")


def test_nul_and_control_characters_are_stripped_and_html_is_quarantined(tmp_path):
    src, out = crash.write_inputs(tmp_path / "in", n=2, copies=0), str(tmp_path / "out")
    text = (src / "gen-0000.txt").read_text()
    # A NUL after the first 64 KiB used to reach `body`; decoding sniffs only that far.
    padded = text + " ".join(["Filler words about the harbour report."] * 2000)
    (src / "gen-0000.txt").write_text(padded[:70_000] + "\x00" + padded[70_000:] + " End.")
    (src / "gen-0001.txt").write_text(
        (src / "gen-0001.txt").read_text() + " Bell\x07 esc\x1b[0m del\x7f"
    )
    (src / "page.txt").write_text(
        "<!DOCTYPE html>\n<html><head><script>var x = 1;</script></head>"
        "<body><p>A story saved from the web.</p></body></html>\n"
    )
    ingest.run(["--input", str(src / "*.txt"), "--output", out])
    rows = {
        Path(uri).name: (stripped, "\x00" in body, any(c in body for c in "\x07\x1b\x7f"))
        for uri, stripped, body in helpers.table(
            out, "select source_uri, stripped, body from articles"
        )
    }
    assert rows == {
        "gen-0000.txt": (["nul", "date-prefix"], False, False),
        "gen-0001.txt": (["control", "date-prefix"], False, False),
    }
    assert [(Path(q["source_uri"]).name, q["error_kind"]) for q in helpers.quarantine(out)] == [
        ("page.txt", "html")
    ]


def test_a_read_that_blocks_is_abandoned_within_the_bound() -> None:
    import time

    from pipelines.transforms.read import BoundedReader

    reader = BoundedReader(0.2)
    assert reader(lambda a, b: a + b, 2, 3) == 5
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="no answer within"):
        reader(time.sleep, 5)  # stands in for a read() blocked on hung storage
    assert time.monotonic() - started < 1.0
    assert reader(lambda: "next read, fresh thread") == "next read, fresh thread"
    with pytest.raises(FileNotFoundError):
        reader(open, "/nonexistent/spindrift-test")


def test_folder_and_glob_inputs_count_a_fifo_and_match_a_backslash_name(tmp_path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a\\b.txt").write_bytes(seed("001").read_bytes())
    os.mkfifo(src / "p.txt")
    for n, given in enumerate([f"{src}/*", str(src)]):
        out = tmp_path / f"out{n}"
        result = ingest.run(["--input", given, "--output", str(out)])  # in process
        manifest = json.loads(next((out / "_runs").glob("*.json")).read_text())
        assert manifest == result.manifest
        assert (manifest["matched"], manifest["articles"]) == (1, 1)
        assert (manifest["skipped"], manifest["skipped_reasons"]) == (1, {"fifo": 1})
        summary = ingest.summary(result).splitlines()  # what `spindrift ingest` prints
        assert "  skipped:            1 not regular files  (fifo 1)" in summary
