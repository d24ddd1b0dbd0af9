"""Run the real job over real scraped web pages and score it with shared/tools/score_web.py.

    python benchmarks/web_eval.py [--shared ../shared] [--workdir DIR] [--flags "..."]

Run A reads ``corpora/webpages/raw`` and ``gold`` together: every page is a distinct article,
so any cluster of two pages is a false merge, and a page's raw and gold text should end in one
cluster (raw<->gold recall). Run B reads ``raw`` alone and also scores the kept bodies' tokens
against the gold text (precision, recall). Prints one line of figures per run.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from measure import TreeSampler  # noqa: E402


def run(inputs: list[str], out: Path, flags: list[str]) -> dict:
    from pipelines import ingest

    argv = [a for i in inputs for a in ("--input", i)] + ["--output", str(out), *flags]
    with TreeSampler() as usage:
        manifest = ingest.run(argv).manifest
    counts = {k: manifest[k] for k in ("articles", "duplicates", "quarantined")}
    return {"seconds": round(usage.wall_seconds, 1), **counts}


def score(shared: Path, out: Path, with_bodies: bool) -> dict:
    tool = shared / "tools" / "score_web.py"
    args = [sys.executable, str(tool), str(out)]
    if with_bodies:
        args.append(str(shared / "corpora" / "webpages"))
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument(
        "--flags",
        default="--direct_running_mode=multi_processing --direct_num_workers=2",
        help="Beam flags for the job",
    )
    args = ap.parse_args(argv)
    web = args.shared / "corpora" / "webpages"
    flags = shlex.split(args.flags)
    with tempfile.TemporaryDirectory(prefix="web-eval-") as tmp:
        work = args.workdir or Path(tmp)
        started = time.perf_counter()
        a = run([str(web / "raw" / "*.txt"), str(web / "gold" / "*.txt")], work / "A", flags)
        a.update(score(args.shared, work / "A", with_bodies=False))
        b = run([str(web / "raw" / "*.txt")], work / "B", flags)
        b.update(score(args.shared, work / "B", with_bodies=True))
        print("run A (raw + gold):", json.dumps(a))
        print("run B (raw alone): ", json.dumps(b))
        print(f"total {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
