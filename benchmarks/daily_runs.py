"""Simulated daily runs: index size and per-run time must stay flat once the window is full.

    python benchmarks/daily_runs.py [--shared ../shared] [--days 30] [--per-day 500]
                                    [--window-days 7] [--workdir bench-out/daily]

Builds the labelled corpus (benchmarks/dedup_corpus.py), gives every original a day and its
copies the same day or up to 3 days later, rewrites publication dates to consecutive days,
then runs the real ingest job once per day over one output folder and prints, per run:
wall time, articles, duplicates, index entries and index bytes on disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus

from pipelines import ingest
from pipelines.store import INDEX_DIR, LEDGER_DIR


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.parquet")) if folder.exists() else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--per-day", type=int, default=500)
    ap.add_argument("--window-days", type=int, default=7)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path("bench-out/daily"))
    ap.add_argument("--flags", default="", help="extra Beam flags for each run")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    items = dedup_corpus.build(args.shared, args.days * args.per_day, args.seed, log=lambda m: None)
    day = dedup_corpus.arrival_days(items, args.days, args.seed)
    start = dt.date(2024, 1, 1)
    shutil.rmtree(args.workdir, ignore_errors=True)
    out = args.workdir / "out"
    print(f"{len(items)} articles over {args.days} days, index window {args.window_days} days")
    print(f"{'day':>4} {'files':>6} {'wall s':>7} {'articles':>8} {'dups':>5} {'skipped':>7} "
          f"{'index rows':>10} {'index KiB':>9} {'ledger KiB':>10}")  # fmt: skip
    walls, sizes = [], []
    for d in range(args.days):
        date = (start + dt.timedelta(days=d)).isoformat()
        todays = [{**it, "published_date": date} for it in items if day[it["id"]] == d]
        folder = args.workdir / f"day{d:02d}"
        dedup_corpus.write(todays, args.workdir / f"day{d:02d}.jsonl", txt_dir=folder)
        t0 = time.perf_counter()
        m = ingest.run(
            ["--input", str(folder / "*.txt"), "--output", str(out),
             "--index_window_days", str(args.window_days), *args.flags.split()]
        ).manifest  # fmt: skip
        wall = time.perf_counter() - t0
        walls.append(wall)
        sizes.append(m["index_entries"])
        index_kib, ledger_kib = _bytes(out / INDEX_DIR) / 1024, _bytes(out / LEDGER_DIR) / 1024
        print(f"{d:>4} {len(todays):>6} {wall:>7.2f} {m['articles']:>8} {m['duplicates']:>5} "
              f"{m['already_ingested']:>7} {m['index_entries']:>10} "
              f"{index_kib:>9.0f} {ledger_kib:>10.0f}")  # fmt: skip
    full = args.window_days + 1
    if args.days >= 2 * full:
        early, late = slice(full, 2 * full), slice(-full, None)
        mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
        print(f"index rows, days {full}-{2 * full - 1} vs last {full}: "
              f"{mean(sizes[early]):.0f} vs {mean(sizes[late]):.0f} "
              f"(ratio {mean(sizes[late]) / mean(sizes[early]):.2f})")  # fmt: skip
        print(f"wall s,     days {full}-{2 * full - 1} vs last {full}: "
              f"{mean(walls[early]):.2f} vs {mean(walls[late]):.2f} "
              f"(ratio {mean(walls[late]) / mean(walls[early]):.2f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
