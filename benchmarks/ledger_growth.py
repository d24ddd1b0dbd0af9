"""What a run costs as the lake's ledger grows file by file, with and without compaction.

    python benchmarks/ledger_growth.py [--runs 300] [--files 2] [--max-files 64]

A watcher commits every few seconds and each commit adds `_ledger/` files; every run checksums
and reads each of them. This runs the same small batches (`--files` generated articles each)
alternately into two lakes, one with `[write] ledger_max_files` = `--max-files` and one with
compaction out of reach, and prints per tenth of the runs the median wall time, the time spent
loading and verifying state (`timings.state`) and the ledger files each lake lists.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "pri", "sol", "dar", "fem")
NO_COMPACTION = 1_000_000


def _article(rng: random.Random) -> str:
    def sentence() -> str:
        words = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(12)]
        return f"The {words[0]} of {' '.join(words[1:6])} said {' '.join(words[6:])}."

    return " date 2024-05-01 " + " ".join(sentence() for _ in range(12))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--files", type=int, default=2, help="articles per run")
    ap.add_argument("--max-files", type=int, default=64, help="ledger_max_files of lake B")
    args = ap.parse_args(argv)
    from pipelines import ingest
    from pipelines.lake.state import load_state

    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="ledger-growth-") as tmp:
        top = Path(tmp)
        lakes = {
            "no compaction": NO_COMPACTION,
            f"ledger_max_files={args.max_files}": args.max_files,
        }
        confs, stats = {}, {name: [] for name in lakes}
        for i, (name, limit) in enumerate(lakes.items()):
            confs[name] = top / f"conf{i}.toml"
            confs[name].write_text(f"[write]\nledger_max_files = {limit}\n")
        for run in range(args.runs):
            inbox = top / f"in{run:05d}"
            inbox.mkdir()
            for k in range(args.files):
                (inbox / f"a{run:05d}-{k}.txt").write_text(_article(rng), encoding="utf-8")
            for i, name in enumerate(lakes):
                out = str(top / f"lake{i}")
                argv_ = ["--input", str(inbox), "--output", out, "-q", "--no-progress",
                         "--config", str(confs[name])]  # fmt: skip
                manifest = ingest.run(argv_).manifest
                timings = manifest["timings"]
                stats[name].append((timings["wall_seconds"], timings.get("state", 0.0)))
        step = max(1, args.runs // 10)
        for i, name in enumerate(lakes):
            files = len(load_state(str(top / f"lake{i}")).ledger)
            print(f"{name}: {files} ledger files at the end")
            for start in range(0, args.runs, step):
                part = stats[name][start : start + step]
                wall = statistics.median(w for w, _ in part)
                state = statistics.median(s for _, s in part)
                print(f"  runs {start + 1:4d}-{start + len(part):4d}: wall median {wall:.2f}s,"
                      f" state {state:.3f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
