"""Scheduled runs: catch copies of earlier runs' articles, rerun safely, survive kills."""

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines import ingest
from pipelines.store import LOCK_FILE
from tests import helpers
from tests.conftest import SEEDS

SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "pri", "sol", "dar", "fem")


def _sentence(rng: random.Random) -> str:
    # Invented content words from a large space, so no two generated stories share phrasing.
    words = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(12)]
    return f"The {words[0]} of {' '.join(words[1:6])} said {' '.join(words[6:])}."


def _write_articles(folder: Path, n: int, seed: int = 1, date: str = "2024-05-01") -> None:
    """`n` distinct generated articles (random word order; no two are near-duplicates)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = f" date {date} " + " ".join(_sentence(rng) for _ in range(18))
        (folder / f"gen-{seed}-{i:04d}.txt").write_text(body, encoding="utf-8")


def _ids(output: str, table: str) -> set[str]:
    return {Path(u).name for (u,) in helpers.table(output, f"select source_uri from {table}")}


def test_copy_of_an_earlier_runs_article_is_dropped_and_reruns_write_nothing(tmp_path):
    out = str(tmp_path / "out")
    first = ingest.run(["--input", str(SEEDS / "00[1-4]_*.txt"), "--output", out]).manifest
    assert (first["articles"], first["duplicates"], first["index_entries"]) == (4, 0, 4)

    second = ingest.run(["--input", str(SEEDS / "000_*.txt"), "--output", out]).manifest
    assert (second["articles"], second["duplicates"], second["already_ingested"]) == (0, 1, 0)
    ((source, kept, kept_run, later),) = helpers.table(
        out, "select source_uri, kept_source_uri, kept_run_id, kept_is_later from duplicates"
    )
    assert Path(source).name.startswith("000_") and Path(kept).name.startswith("001_")
    assert kept_run == first["run_id"] and later is False
    assert second["index_entries"] == 4  # the copy is not indexed
    # ... but its survivor's entry keeps the copy's candidate keys (56 of its 78: the others
    # are the survivor's own), so a later copy nearer to it than to 001 still meets 001.
    family = duckdb.sql(
        f"select source_uri, octet_length(family_keys) // 8 from read_parquet('{out}/_index/*')"
        " where octet_length(family_keys) > 0"
    ).fetchall()
    assert [(Path(uri).name[:4], n) for uri, n in family] == [("001_", 56)]

    third = ingest.run(["--input", str(SEEDS / "*.txt"), "--output", out]).manifest
    assert (third["matched"], third["already_ingested"]) == (5, 5)
    assert (third["articles"], third["duplicates"], third["quarantined"]) == (0, 0, 0)
    assert helpers.table(out, "select count(*) from articles") == [(4,)]
    assert helpers.table(out, "select count(*) from duplicates") == [(1,)]


def test_cli_summary_reports_already_ingested(tmp_path):
    out = str(tmp_path / "out")
    inputs = str(SEEDS / "00[12]_*.txt")
    ingest.run(["--input", inputs, "--output", out])  # the first run: in process
    proc = subprocess.run(
        [SPINDRIFT, "ingest", "--input", inputs, "--output", out],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert "already ingested:   2" in proc.stdout
    assert "articles written:   0" in proc.stdout


def test_an_earlier_dated_original_arriving_later_is_audited_not_rewritten(tmp_path):
    src, out = tmp_path / "in", str(tmp_path / "out")
    src.mkdir()
    original = (SEEDS / "001_9581d82dba44a308.txt").read_text(encoding="utf-8")
    spun = (SEEDS / "000_09ebb983a3b43bad.txt").read_text(encoding="utf-8")
    (src / "copy.txt").write_text(spun, encoding="utf-8")  # dated 2020-03-18
    ingest.run(["--input", str(src / "copy.txt"), "--output", out])
    (src / "original.txt").write_text(original.replace("2020-03-18", "2020-03-16"), "utf-8")
    ingest.run(["--input", str(src / "original.txt"), "--output", out])
    assert _ids(out, "articles") == {"copy.txt"}  # published rows are never rewritten
    assert helpers.table(
        out, "select published_date, kept_is_later, kept_source_uri like '%copy.txt' "
        "from duplicates"
    ) == [(dt.date(2020, 3, 16), True, True)]  # fmt: skip


def test_index_keeps_only_the_time_window(tmp_path):
    out = str(tmp_path / "out")
    _write_articles(tmp_path / "jan", 3, seed=1, date="2024-01-01")
    _write_articles(tmp_path / "mar", 2, seed=2, date="2024-03-01")
    ingest.run(["--input", str(tmp_path / "jan" / "*.txt"), "--output", out])
    wide = str(tmp_path / "wide")
    shutil.copytree(out, wide)  # the same January lake (its snapshot lists lake-relative paths)
    m = ingest.run(["--input", str(tmp_path / "mar" / "*.txt"), "--output", out]).manifest
    assert m["index_entries"] == 2  # January is more than 30 days before March 1
    index = pq.read_table(os.path.join(out, "_index")).to_pylist()
    assert sorted(r["effective_date"] for r in index) == [dt.date(2024, 3, 1)] * 2
    argv = ["--input", str(tmp_path / "mar" / "*.txt"), "--output", wide]
    assert ingest.run([*argv, "--index_window_days", "90"]).manifest["index_entries"] == 5


def _wait_for_lock(output: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    lock = output / LOCK_FILE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and "pid" in lock.read_text():
            return
        if proc.poll() is not None:
            pytest.fail(f"first run ended before it took the lock: {proc.returncode}")
        time.sleep(0.05)
    pytest.fail("first run never took the lock")


def test_second_concurrent_run_refuses_with_a_clear_message(tmp_path):
    _write_articles(tmp_path / "in", 300)
    out = tmp_path / "out"
    argv = [SPINDRIFT, "ingest", "--input", str(tmp_path / "in" / "*.txt"), "--output", str(out)]
    first = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_lock(out, first)
    second = subprocess.run(argv, capture_output=True, text=True)
    assert second.returncode == 3
    assert second.stderr.strip().startswith("spindrift: another run holds the lock")
    assert len(second.stderr.strip().splitlines()) == 1
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert helpers.manifest(str(out))["articles"] == 300  # only the first run's manifest


def test_ledger_files_are_merged_once_there_are_ledger_max_files(tmp_path):
    # Every run adds a ledger file; the run that starts with `ledger_max_files` (2 here) of
    # them merges them into one, which its commit publishes in their place, and the merged
    # ledger still skips every input ingested before.
    from pipelines.lake.state import check_lake, load_state

    out, conf = str(tmp_path / "out"), tmp_path / "spindrift.toml"
    conf.write_text("[write]\nledger_max_files = 2\n")
    for i in range(3):
        _write_articles(tmp_path / f"in{i}", 3 + i, seed=10 + i)
    runs = [
        ingest.run(["--input", str(tmp_path / f"in{i}"), "--output", out, "--config", str(conf)])
        for i in range(3)
    ]
    manifests = [r.manifest for r in runs]
    assert [m.get("ledger_compacted") for m in manifests] == [None, None, {"files": 2, "rows": 7}]
    assert [m["ledger_entries"] for m in manifests] == [3, 4, 5]  # each run's own inputs
    ledger = sorted(Path(p).name for p in load_state(out).ledger)
    run3 = manifests[2]["run_id"]
    assert ledger == [f"part-{run3}-00000.parquet", f"part-{run3}-c00000.parquet"]
    assert sorted(os.listdir(Path(out) / "_ledger")) == ledger  # the merged files are gone
    assert check_lake(out)[1] == []
    rows = pq.read_table(Path(out) / "_ledger" / ledger[1]).to_pylist()
    assert len(rows) == 7 and [r["source_uri"] for r in rows] == sorted(
        r["source_uri"] for r in rows
    )
    again = ingest.run(
        ["--input", str(tmp_path / "in*" / "*.txt"), "--output", out, "--config", str(conf)]
    ).manifest
    assert (again["matched"], again["already_ingested"], again["articles"]) == (12, 12, 0)
