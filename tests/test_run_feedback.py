"""What a run tells its user: summary breakdowns, Beam counters, live progress, quiet workers."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.counters import counter_dict, duplicates_by_method
from pipelines.progress import format_line
from pipelines.summary import human_bytes, language_table, start_up_note

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
QUIET_ROOM = ("apitools", "semi_persistent_directory", "Discarding unparseable args")


def _inputs(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, src / seed.name)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return src


def test_summary_breaks_down_outcomes_and_manifest_keeps_the_counters(tmp_path):
    src, out = _inputs(tmp_path), tmp_path / "lake"
    proc = subprocess.run(
        [SPINDRIFT, "ingest", "--input", str(src), "--output", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # not a TTY: no progress line, and no warnings
    lines = proc.stdout.splitlines()
    assert lines[1] == "  files read:         7  (13.7 KB)"
    assert lines[2] == "  articles written:   4  (1 undated)"
    assert lines[3] == "  duplicates dropped: 1  (near:skeleton 1)"
    assert lines[5] == "  quarantined:        2  (binary 1, empty 1)"
    assert lines[6] == "  languages:          en 4"
    (manifest,) = (out / "_runs").glob("*.json")
    m = json.loads(manifest.read_text())
    size = sum(p.stat().st_size for p in src.iterdir())
    assert m["counters"] == {
        "articles": 4,
        "articles_undated": 1,
        "bytes_read": size,
        "duplicates/near:skeleton": 1,
        "files_matched": 7,
        "files_read": 7,
        "quarantine/binary": 1,
        "quarantine/empty": 1,
    }
    assert set(m["timings"]) == {
        "wall_seconds", "imports", "checks", "state", "graph", "runner_start", "run",
        "ledger_compaction",
    }  # fmt: skip


def test_language_table_is_compact():
    languages = {f"l{i:02d}": 100 - i for i in range(31)}
    languages["en"] = 1900
    assert language_table(languages) == [
        "en 1,900          l00 100           l01 99            l02 98",
        "l03 97            l04 96            l05 95            l06 94",
        "l07 93            l08 92            l09 91            +21 others 1,680",
    ]
    assert language_table({}) == ["none"]


def test_start_up_note_only_when_long():
    quick = {"imports": 1.0, "checks": 0.1, "state": 0.1, "graph": 1.0, "runner_start": 0.5}
    assert start_up_note(quick) is None
    slow = {**quick, "imports": 2.4, "runner_start": 6.2, "run": 20.0}
    assert start_up_note(slow) == (
        "9.8s: imports (Beam) 2.4s, argument and input checks 0.1s, "
        "lock, recovery and state files 0.1s, pipeline construction 1.0s, runner start 6.2s"
    )


def test_human_bytes():
    assert [human_bytes(n) for n in (0, 999, 14_540, 3 * 1024**3)] == [
        "", "999 B", "14.2 KB", "3.0 GB"
    ]  # fmt: skip


def test_progress_line_format():
    counters = counter_dict(
        [
            ("spindrift", "files_matched", 3000),
            ("spindrift", "files_read", 1180),
            ("spindrift.quarantine", "empty", 20),
            ("spindrift.duplicates", "exact", 5),
            ("spindrift.duplicates", "near:skeleton", 7),
            ("spindrift", "articles", 900),
            ("other", "ignored", 1),
        ]
    )
    line = format_line("ReadArticles+DecodeText", counters, 14.0, rate=120.0)
    assert line == (
        " 14.0s · files 1,200/3,000 · 120/s ETA 15s · articles 900 · duplicates 12 · "
        "ReadArticles+DecodeText"
    )
    assert format_line("DropDuplicates", counters, 14.0) == (
        " 14.0s · files 1,200/3,000 · articles 900 · duplicates 12 · DropDuplicates"
    )


def test_live_progress_on_a_tty(tmp_path):
    """On a terminal the run redraws one status line (carriage return + erase line) with files
    done/matched, then clears it before the summary."""
    src, out = _inputs(tmp_path), tmp_path / "lake"
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [SPINDRIFT, "ingest", "--input", str(src), "--output", str(out)],
        stdin=child, stdout=child, stderr=child,
    )  # fmt: skip
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=300) == 0
    os.close(main)
    text = seen.decode("utf-8", "replace")
    assert "\r\x1b[2K" in text
    assert "files 7/7" in text
    assert "run " in text and "files read:         7" in text


@pytest.mark.slow
def test_multi_processing_workers_are_quiet(tmp_path):
    out = tmp_path / "lake"
    proc = subprocess.run(
        [SPINDRIFT, "ingest", "--input", str(SEEDS / "00[01]_*.txt"), "--output", str(out),
         "--direct_running_mode=multi_processing", "--direct_num_workers=2"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    assert "duplicates dropped: 1  (near:skeleton 1)" in proc.stdout
    verbose = subprocess.run(
        [SPINDRIFT, "ingest", "--input", str(SEEDS / "00[01]_*.txt"), "--output", str(out),
         "--direct_running_mode=multi_processing", "--direct_num_workers=2", "-v"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert verbose.returncode == 0
    assert any(noise in verbose.stderr for noise in QUIET_ROOM)  # -v still shows everything


def test_counter_names_and_the_dedup_namespace_fallback():
    counters = counter_dict(
        [
            ("spindrift", "articles", 4),
            ("spindrift.duplicates", "exact", 2),
            ("dedup", "articles_kept", 4),
            ("dedup", "dropped_exact", 2),
        ]
    )
    assert counters == {
        "articles": 4,
        "dedup/articles_kept": 4,
        "dedup/dropped_exact": 2,
        "duplicates/exact": 2,
    }
    assert duplicates_by_method(counters) == {"exact": 2}  # not counted twice
    only_dedup = {"dedup/articles_kept": 3, "dedup/dropped_near:skeleton": 1}
    assert duplicates_by_method(only_dedup) == {"near:skeleton": 1}


def test_summary_shows_boilerplate_counters_when_a_stage_reports_them():
    from pipelines.summary import summary

    manifest = {
        "run_id": "r1", "matched": 3, "articles": 3, "duplicates": 0, "already_ingested": 0,
        "quarantined": 0, "languages": {"en": 3}, "date_min": None, "date_max": None,
        "output": "lake", "timings": {"wall_seconds": 1.0},
        "counters": {"boilerplate/lines_removed": 12, "boilerplate/articles_cleaned": 2},
    }  # fmt: skip
    lines = summary(manifest, "lake/_runs/r1.json").splitlines()
    assert "  boilerplate:        12 lines removed  (from 2 articles)" in lines
    del manifest["counters"]
    assert "boilerplate" not in summary(manifest, "lake/_runs/r1.json")
