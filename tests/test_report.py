"""`spindrift report`: one self-contained HTML page, checked as text and in headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import ingest
from pipelines.report.diff import side_by_side

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
CHROMIUM_HINT = (
    "no Chromium: install it to run this test (Debian/Ubuntu: `apt-get install chromium`; "
    "`make test` installs it when run as root)"
)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    src, out = root / "in", root / "lake"
    src.mkdir()
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, src / seed.name)
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    # The job in process (the report is what is tested here; `spindrift report` runs below).
    assert ingest.run(["--input", str(src), "--output", str(out)]).manifest["matched"] == 7
    return out


@pytest.fixture(scope="module")
def report(lake) -> Path:
    path = lake.parent / "report.html"
    proc = subprocess.run(
        [SPINDRIFT, "report", str(lake), "-o", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"wrote {path} (")
    return path


def _page_without_plotly(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    first = text.index("<script>")
    return text[:first] + text[text.index("</script>", first) :]


def test_report_is_self_contained(report):
    page = _page_without_plotly(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script src" not in page and "<link" not in page
    assert "Plotly.newPlot" in page  # charts drawn by the inlined plotly.js


def test_report_sections_and_numbers(report):
    page = _page_without_plotly(report)
    for heading in (
        "Articles per day and language",
        "Duplicates",
        "Largest clusters",
        "Spun copies side by side",
        "Boilerplate removed",
        "Quarantine",
        "Run history",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert '<div class="card"><b>4</b><span>articles</span></div>' in page
    assert '<div class="card"><b>1</b><span>duplicates dropped</span></div>' in page
    assert '<div class="card"><b>2</b><span>quarantined</span></div>' in page
    assert "1 of 4 articles have no publication date" in page
    assert "empty.txt</code>" in page and "binary.txt</code>" in page


def test_spun_copy_side_by_side_highlights_swapped_words(report):
    """Seed 000 is a spun copy of 001: 'At least three rockets' became 'At minimum a few'."""
    page = _page_without_plotly(report)
    assert 'At <span class="swap">least three</span> rockets' in page
    assert 'At <span class="swap">minimum a few</span> rockets' in page
    assert "001_9581d82dba44a308.txt</code></h3>" in page  # the survivor, on the left


def test_side_by_side_counts():
    diff = side_by_side(
        "At least three rockets hit the Green Zone.\n\nOfficials said.",
        "At minimum a few rockets hit the Eco-friendly Zone.\n\nOfficers said. Extra.",
    )
    assert (diff.swapped, diff.dropped, diff.added) == (4, 0, 1)
    assert diff.left == (
        'At <span class="swap">least three</span> rockets hit the '
        '<span class="swap">Green</span> Zone.<br><br><span class="swap">Officials</span> said.'
    )


def _commit(lake, path) -> None:
    """List a hand-written articles file in the lake's snapshot (readers read only those)."""
    from pipelines.lake import files, layout
    from pipelines.lake.snapshot import FileEntry, Snapshot, write_snapshot

    size, sha256 = files.checksum(str(path))
    entry = FileEntry(layout.relative(str(lake), str(path)), "articles", 3, size, sha256, "r1")
    write_snapshot(str(lake), Snapshot(version=1, runs=("r1",), files=(entry,)))


def test_boilerplate_section_with_and_without_the_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipelines.report.data import load
    from pipelines.report.page import render

    lake = tmp_path / "lake"
    part = lake / "articles" / "published_date=2020-01-02" / "language=en"
    part.mkdir(parents=True)
    rows = {
        "article_id": ["a", "b", "c"],
        "source_uri": ["/in/a", "/in/b", "/in/c"],
        "title": ["A", "B", "C"],
        "body": ["x", "y", "z"],
        "run_id": ["r1", "r1", "r1"],
    }
    pq.write_table(pa.table(rows), part / "part-0.parquet")
    _commit(lake, part / "part-0.parquet")
    without = render(load(str(lake)), plotly_js="")
    assert "its articles have no <code>boilerplate</code> column" in without
    shutil.rmtree(lake / "articles")
    part.mkdir(parents=True)
    boilerplate = [["Share this", "Related stories"], ["Share this"], []]
    pq.write_table(pa.table({**rows, "boilerplate": boilerplate}), part / "part-0.parquet")
    _commit(lake, part / "part-0.parquet")
    page = render(load(str(lake)), plotly_js="")
    assert "3 boilerplate lines or blocks removed from 2 articles" in page
    assert '<tr><td>Share this</td><td class="n">2</td></tr>' in page
    assert '<tr><td>Related stories</td><td class="n">1</td></tr>' in page


def test_one_run_and_unknown_run(lake, tmp_path):
    (manifest,) = (lake / "_runs").glob("*.json")
    run_id = manifest.stem
    out = tmp_path / "one.html"
    ok = subprocess.run(
        [SPINDRIFT, "report", str(lake), "--run", run_id, "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"run {run_id}" in _page_without_plotly(out)
    bad = subprocess.run(
        [SPINDRIFT, "report", str(lake), "--run", run_id[:-1] + "x", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert bad.stderr == (
        f"spindrift: error: no run {run_id[:-1] + 'x'!r} in {lake}; did you mean {run_id}?\n"
    )


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run_chromium(*args: str) -> subprocess.CompletedProcess:
    browser = _chromium()
    if browser is None:
        pytest.skip(CHROMIUM_HINT)
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
        # Offline: any attempt to fetch something would fail and log a console error.
        "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_report_renders_in_headless_chromium(report, tmp_path):
    dom = _run_chromium("--dump-dom", report.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    # plotly.js ran: each chart became an SVG; the side-by-side view is in the DOM.
    assert dom.stdout.count('class="main-svg"') >= 8
    assert '<span class="swap">minimum a few</span>' in dom.stdout
    shot = tmp_path / "report.png"
    png = _run_chromium(f"--screenshot={shot}", "--window-size=1400,2400", report.as_uri())
    assert png.returncode == 0, png.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
