"""`spindrift query` as a DuckDB user expects it, through the installed console script."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines import ingest

REPO = Path(__file__).resolve().parents[1]
SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("query") / "lake"
    seeds = str(REPO / "seeds" / "00[0-2]_*.txt")
    # The job in process (the query command is what is tested here).
    assert ingest.run(["--input", seeds, "--output", str(out)]).manifest["matched"] == 3
    return str(out)


def query(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([SPINDRIFT, "query", *args], capture_output=True, text=True, input=stdin)


TITLES = "select language, title from articles where title is not null order by title"


def test_csv(lake):
    proc = query(lake, "-c", TITLES, "--csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "language,title\n"
        "en,Iraq rocket attack: child killed as missiles hit US embassy in Baghdad\n"
    )


def test_json_and_markdown_and_sql_from_stdin(lake):
    proc = query(lake, "--json", stdin=TITLES + ";")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        {
            "language": "en",
            "title": "Iraq rocket attack: child killed as missiles hit US embassy in Baghdad",
        }
    ]
    md = query(lake, "--markdown", "select 'a|b' as x, null as y")
    assert md.stdout == "| x | y |\n|---|---|\n| a\\|b |  |\n"


def test_no_row_cap_when_not_a_tty(lake):
    proc = query(lake, "select range as n from range(2500)")
    assert proc.returncode == 0, proc.stderr
    rows = [
        line
        for line in proc.stdout.splitlines()
        if line.startswith("│") and line[1:].strip()[0].isdigit()
    ]
    assert len(rows) == 2500
    csv = query(lake, "--csv", "select range as n from range(2500)")
    assert csv.stdout.splitlines()[-1] == "2499" and len(csv.stdout.splitlines()) == 2501


def test_copy_to_stdout_gets_no_table_appended(lake):
    proc = query(
        lake, "copy (select language from articles order by 1 limit 2) to '/dev/stdout' (header)"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "language\nen\nen\n"


def test_several_statements_each_print(lake):
    proc = query(lake, "--csv", "select 1 as a; create view v as select 2 as b; select * from v")
    assert proc.stdout == "a\n1\nb\n2\n"


def test_quarantine_and_duplicates_views(lake):
    proc = query(
        lake,
        "--csv",
        "select (select count(*) from duplicates) d, (select count(*) from quarantine) q",
    )
    assert proc.stdout == "d,q\n1,0\n"


def test_errors(lake, tmp_path):
    bad = query(lake, "select nope")
    assert bad.returncode == 1
    assert bad.stderr.startswith('spindrift: error: Binder Error: Referenced column "nope"')
    missing = query(str(tmp_path / "none"), "select 1")
    assert missing.returncode == 2
    assert (
        missing.stderr
        == f"spindrift: error: lake folder {str(tmp_path / 'none')!r} does not exist\n"
    )
    both = query(lake, "select 1", "-c", "select 2")
    assert both.returncode == 2
    empty = query(lake, stdin="")
    assert empty.returncode == 2
    assert empty.stderr == (
        "spindrift: error: no SQL: give it as an argument, with -c, or on standard input\n"
    )


def test_pipe_into_head_exits_cleanly(lake):
    proc = subprocess.run(
        f"{SPINDRIFT} query {lake} -c 'select * from range(2000000)' --csv | head -n 2",
        shell=True, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.stdout == "range\n0\n"
    assert proc.stderr == ""


def test_query_does_not_import_beam(lake):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipelines.cli", "query", lake, "-c", TITLES,
         "--csv"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "duckdb" in imported
    assert not [name for name in imported if name.startswith("apache_beam")]


def _read_until(fd: int, marker: bytes, timeout: float = 30.0) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_interactive_shell_on_a_tty(lake):
    main, child = pty.openpty()
    proc = subprocess.Popen([SPINDRIFT, "query", lake], stdin=child, stdout=child, stderr=child)
    os.close(child)
    try:
        assert b"spindrift> " in _read_until(main, b"spindrift> ")
        os.write(main, b".tables\n")
        tables = _read_until(main, b"spindrift> ")
        assert b"articles" in tables and b"2 rows" in tables and b"quarantine" in tables
        os.write(main, b"select 6 *\n7 as answer;\n")
        answer = _read_until(main, b"spindrift> ")
        assert b"answer" in answer and b"42" in answer
        os.write(main, b".quit\n")
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(main)
