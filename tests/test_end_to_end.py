"""The whole job over seeds/ and over messy generated input, through the CLI and in process."""

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from apache_beam.io.filesystems import FileSystems

from pipelines import ingest
from pipelines.config import ReadConfig
from pipelines.core import schema
from pipelines.options import UsageError
from pipelines.transforms.read import ReadFiles
from tests import helpers
from tests.conftest import REPO, TAGALOG_MENU

SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory) -> tuple[str, subprocess.CompletedProcess]:
    """One run of the installed `spindrift ingest` over its default input (seeds/): the lake
    and the process (its summary), for every test of the seeds' rows."""
    out = str(tmp_path_factory.mktemp("seeds") / "out")
    proc = subprocess.run([SPINDRIFT, "ingest", "--output", out], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out, proc


@pytest.fixture(scope="module")
def seeds_out(seeds_run) -> str:
    out, _ = seeds_run
    assert helpers.manifest(out)["matched"] == 5
    return out


def test_seeds_titles_dates_languages(seeds_out):
    rows = helpers.articles(seeds_out)
    assert sorted(rows) == ["001", "002", "003", "004"]  # 000 is a spun copy of 001
    assert {k: r["title"] for k, r in rows.items()} == {
        "001": None,
        "002": "Iraq rocket attack: child killed as missiles hit US embassy in Baghdad",
        "003": "Turkey condemns deadly Iraq attack on coalition troops",
        "004": None,
    }
    assert {k: (r["published_date"], r["date_source"]) for k, r in rows.items()} == {
        "001": (dt.date(2020, 3, 18), "header"),
        "002": (None, "none"),
        "003": (dt.date(2020, 3, 13), "dateline"),
        "004": (dt.date(2020, 3, 17), "header"),
    }
    assert {r["language"] for r in rows.values()} == {"en"}
    assert all(r["language_confidence"] > 0.9 for r in rows.values())
    body = rows["001"]["body"]
    assert "Lewis Whyld" not in body and "PA Media" not in body
    assert rows["001"]["caption"].endswith("(Lewis Whyld/PA)")
    assert rows["001"]["credit"] == "PA Media"
    assert {k: r["duplicate_count"] for k, r in rows.items()} == {
        "001": 1,
        "002": 0,
        "003": 0,
        "004": 0,
    }


def test_seed_000_is_dropped_as_a_duplicate_of_001(seeds_out):
    (dup,) = helpers.table(
        seeds_out,
        "select source_uri, kept_source_uri, method, similarity, cluster_id = kept_article_id,"
        " published_date from duplicates",
    )
    assert Path(dup[0]).name.startswith("000_") and Path(dup[1]).name.startswith("001_")
    assert dup[2] == "near:skeleton" and 0.5 < dup[3] < 1.0
    assert dup[4] is True and dup[5] == dt.date(2020, 3, 18)


def test_seeds_manifest_reconciles(seeds_out):
    m = helpers.manifest(seeds_out)
    assert (m["matched"], m["articles"], m["duplicates"], m["quarantined"]) == (5, 4, 1, 0)
    assert m["languages"] == {"en": 4}
    assert (m["date_min"], m["date_max"]) == ("2020-03-13", "2020-03-18")
    assert not os.path.exists(os.path.join(seeds_out, "_staging", m["run_id"]))


def test_query_cli_groups_by_language_and_date(seeds_out):
    sql = "select language, published_date, count(*) from articles group by all order by all"
    proc = subprocess.run(
        [SPINDRIFT, "query", seeds_out, sql], capture_output=True, text=True, check=True
    )
    assert helpers.table(seeds_out, sql) == [
        ("en", dt.date(2020, 3, 13), 1),
        ("en", dt.date(2020, 3, 17), 1),
        ("en", dt.date(2020, 3, 18), 1),
        ("en", None, 1),
    ]
    for text in ("2020-03-13", "2020-03-18", "NULL", "en"):
        assert text in proc.stdout


def test_ingest_cli_prints_summary(seeds_run):
    out, proc = seeds_run
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("run ") and " finished in " in lines[0]
    assert "  files read:         5  (11.7 KB)" in lines
    assert "  articles written:   4  (1 undated)" in lines
    assert "  duplicates dropped: 1  (near:skeleton 1)" in lines
    assert "  languages:          en 4" in lines
    assert "  date range:         2020-03-13 .. 2020-03-18" in lines
    assert f"  output:             {out}  (manifest {out}/_runs/" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "/no/such/file.txt"], "does not exist"),
        (["--input", "/tmp/*.no-such-extension-xyz"], "matches no files"),
        (["--output", "/proc/spindrift-out"], "is not writable"),
    ],
)
def test_bad_arguments_are_usage_errors_before_anything_runs(args, message, tmp_path):
    out = tmp_path / "o"
    with pytest.raises(UsageError, match=message):  # in process: `main` makes it exit 2
        ingest.run(["--output", str(out), *args])
    assert not out.exists()


def test_bad_arguments_give_one_line_and_nonzero_exit(tmp_path):
    argv = [SPINDRIFT, "ingest", "--output", str(tmp_path / "o"), "--input", "/no/such/file.txt"]
    proc = subprocess.run(argv, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not exist" in lines[0]
    assert lines[0].startswith("spindrift: error:")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (tmp_path / "o").exists()


def _messy_inputs(folder: Path) -> None:
    seed = (REPO / "seeds").glob("003_*.txt").__next__().read_text(encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "invalid-utf8.txt").write_bytes("Zürich".encode() + b" \xc3\x28 then more text")
    (folder / "utf16.txt").write_bytes(seed.encode("utf-16"))
    (folder / "huge.txt").write_bytes(b"All work and no play. " * (50 * 1024 * 1024 // 22))
    (folder / "header-only.txt").write_text(" date 2020-03-18 \n", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Grüße aus München, sagte er am Montag.".encode("latin-1"))
    (folder / "cp1251.txt").write_bytes(
        "Правительство России объявило в среду о новых мерах поддержки экономики.".encode("cp1251")
    )
    # A byte that is a letter in several code pages, in too little text to tell which.
    (folder / "uncertain.txt").write_bytes(b"only \x81 undefined in cp1252")
    unreadable = folder / "unreadable.txt"
    unreadable.write_text("secret")
    unreadable.chmod(0)


def _without_root_file_access() -> list[str]:
    """Command prefix that makes chmod 0 bite even for root: drop the DAC override caps."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]


def test_messy_input_every_file_ends_in_exactly_one_output(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _messy_inputs(src)
    command = [SPINDRIFT, "ingest", "--input", str(src / "*.txt"), "--output", str(out)]
    proc = subprocess.run([*_without_root_file_access(), *command], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    m = helpers.manifest(str(out))
    assert (m["matched"], m["articles"], m["duplicates"], m["quarantined"]) == (10, 3, 0, 7)
    kinds = {Path(q["source_uri"]).name: q for q in helpers.quarantine(str(out))}
    assert {k: q["error_kind"] for k, q in kinds.items()} == {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "invalid-utf8.txt": "undecodable",
        "uncertain.txt": "uncertain_encoding",
        "huge.txt": "too_large",
        "header-only.txt": "no_body",
        "unreadable.txt": "unreadable",
    }
    huge = kinds["huge.txt"]
    assert huge["truncated"] and len(huge["raw"]) == ReadConfig.raw_cap
    assert huge["raw_size"] == (src / "huge.txt").stat().st_size
    assert kinds["invalid-utf8.txt"]["raw"] == (src / "invalid-utf8.txt").read_bytes()
    assert all(q["message"] and "\n" not in q["message"] for q in kinds.values())
    # Plain DuckDB (no extension) reads the quarantine's Parquet copy: the same rows, no bytes.
    plain = duckdb.sql(
        f"select * exclude (quarantined_at) from read_parquet('{out}/quarantine/*.parquet')"
    ).fetchall()
    columns = [
        c for c in schema.arrow_schema("quarantine").names if c not in ("raw", "quarantined_at")
    ]
    assert sorted(plain) == sorted(tuple(q[c] for c in columns) for q in kinds.values())
    sql = "select octet_length(raw) n from quarantine_raw where source_uri like '%invalid-utf8%'"
    raw = subprocess.run(
        [SPINDRIFT, "query", str(out), "--csv", "-c", sql], capture_output=True, text=True
    )
    assert raw.stdout == f"n\n{(src / 'invalid-utf8.txt').stat().st_size}\n", raw.stderr
    rows = helpers.articles(str(out))
    assert rows["utf16.txt"]["encoding"] == "utf-16"
    assert rows["utf16.txt"]["published_date"] == dt.date(2020, 3, 13)
    assert rows["latin1.txt"]["encoding"] == "cp1252"
    assert rows["latin1.txt"]["language"] == "de"
    assert rows["latin1.txt"]["encoding_confidence"] == 0.8182
    assert rows["utf16.txt"]["encoding_confidence"] == 1.0
    assert (rows["cp1251.txt"]["encoding"], rows["cp1251.txt"]["language"]) == ("cp1251", "ru")
    assert rows["cp1251.txt"]["body"].startswith("Правительство России объявило")
    assert kinds["uncertain.txt"]["raw"] == b"only \x81 undefined in cp1252"


def test_path_vanishing_between_match_and_read(pipeline, run_ctx, tmp_path):
    import apache_beam as beam
    from apache_beam.testing.util import assert_that, equal_to

    path = tmp_path / "soon-gone.txt"
    path.write_text("here for a moment")
    (metadata,) = FileSystems.match([str(path)])[0].metadata_list
    path.unlink()
    with pipeline as p:
        out = p | beam.Create([metadata]) | ReadFiles(ReadConfig(), run_ctx)
        assert_that(out.files, equal_to([]), label="files")
        assert_that(
            out.quarantine | beam.Map(lambda q: (q.error_kind, "soon-gone.txt" in q.message)),
            equal_to([("vanished", True)]),
            label="quarantine",
        )


def test_articles_under_a_foreign_menu_are_tagged_and_partitioned_by_their_own_language(tmp_path):
    # One site's pages: the same Tagalog menu above each English article. The page's first
    # characters read as Tagalog; its prose lines are English, and so is the tag (no retag
    # after the menu is removed as chrome is needed), and the row lands in language=en.
    src = tmp_path / "in"
    src.mkdir()
    for prefix in ("001", "002", "003", "004"):
        (seed_path,) = (REPO / "seeds").glob(f"{prefix}_*")
        body = seed_path.read_text(encoding="utf-8").split("\n", 1)[1]
        page = "\n".join(TAGALOG_MENU) + "\n\n" + body
        (src / f"{prefix}_page.txt").write_text(f"Page {prefix}\n\n{page}", encoding="utf-8")
    out = tmp_path / "out"
    ingest.run(["--input", str(src / "*.txt"), "--output", str(out)])
    rows = helpers.articles(str(out))
    assert {k: (r["language"], r["boilerplate"]) for k, r in rows.items()} == {
        k: ("en", list(TAGALOG_MENU)) for k in ("001", "002", "003", "004")
    }
    assert "language/retagged_after_cleaning" not in helpers.manifest(str(out))["counters"]
    assert sorted(p.name for p in (out / "articles").glob("*/*")) == ["language=en"] * len(
        list((out / "articles").glob("*/*"))
    )
