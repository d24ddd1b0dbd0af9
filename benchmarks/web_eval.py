"""Run the real job over real scraped web pages and score it with shared/tools/score_web.py.

    python benchmarks/web_eval.py [--shared ../shared] [--workdir DIR] [--flags "..."]
        [--runs N [--seed S]] [--only-b]

Run A reads ``corpora/webpages/raw`` and ``gold`` together: every page is a distinct article,
so any cluster of two pages is a false merge, and a page's raw and gold text should end in one
cluster (raw<->gold recall). Run B reads ``raw`` alone and also scores the kept bodies' tokens
against the gold text (precision, recall); with ``--runs N`` run B is N scheduled runs over
the pages in random order into one lake (what chrome removal sees across runs). Prints one
line of figures per run, with the pages dropped for another page split into those whose clean
text is the same article (the corpus holds some articles under two or more page ids) and
distinct articles (named, with the share of clean text they have in common).
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
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


def run(inputs: list[str], out: Path, flags: list[str], runs: int = 1, seed: int = 0) -> dict:
    """The job over `inputs` into `out`: one run, or with `runs` > 1 the matched files in
    random order (`seed`) split into that many scheduled runs into the same lake."""
    from pipelines import ingest

    groups = [inputs]
    if runs > 1:
        paths = sorted(p for pattern in inputs for p in glob.glob(pattern))
        random.Random(seed).shuffle(paths)
        groups = [paths[i::runs] for i in range(runs)]
    counts = {"articles": 0, "duplicates": 0, "quarantined": 0}
    with TreeSampler() as usage:
        for group in groups:
            argv = [a for i in group for a in ("--input", i)] + ["--output", str(out), *flags]
            manifest = ingest.run(argv).manifest
            for key in counts:
                counts[key] += manifest[key]
    return {"seconds": round(usage.wall_seconds, 1), "runs": len(groups), **counts}


def score(shared: Path, out: Path, with_bodies: bool) -> dict:
    tool = shared / "tools" / "score_web.py"
    args = [sys.executable, str(tool), str(out)]
    if with_bodies:
        args.append(str(shared / "corpora" / "webpages"))
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)


# A wrongly dropped page whose hand-cleaned text shares at least this share of its word
# 5-grams with its survivor's is the same article saved under two page ids (Readability's test
# pages, CleanEval's dev and final copies of one page): no duplicate detection can keep both.
SAME_ARTICLE_CONTAINMENT = 0.9
_WORD = re.compile(r"\w+")


def _five_grams(path: Path) -> set[tuple[str, ...]]:
    words = _WORD.findall(path.read_text(encoding="utf-8").lower())
    return {tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def wrong_drops(out: Path, web: Path) -> dict:
    """Pages dropped for a different page, split by whether the two gold texts are the same
    article (SAME_ARTICLE_CONTAINMENT, smaller side) or distinct articles, and the distinct
    pairs with their gold containment."""
    import duckdb

    rows = duckdb.sql(
        f"select source_uri, kept_source_uri from read_parquet('{out}/duplicates/**/*.parquet')"
    ).fetchall()
    page = {u: Path(u).stem for row in rows for u in row}
    kept_of = {page[u]: page[k] for u, k in rows if page[u] != page[k]}
    grams: dict[str, set] = {}

    def gold(p: str) -> set:
        if p not in grams:
            grams[p] = _five_grams(web / "gold" / f"{p}.txt")
        return grams[p]

    same, distinct = 0, []
    for p, k in sorted(kept_of.items()):
        shared = len(gold(p) & gold(k)) / max(1, min(len(gold(p)), len(gold(k))))
        if shared >= SAME_ARTICLE_CONTAINMENT:
            same += 1
        else:
            distinct.append(f"{p}~{k}:{shared:.2f}")
    return {"dropped_for_same_article_text": same, "dropped_distinct": distinct}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    ap.add_argument(
        "--flags",
        default="--direct_running_mode=multi_processing --direct_num_workers=2",
        help="Beam flags for the job",
    )
    ap.add_argument(
        "--runs",
        type=int,
        default=1,
        help="run B as this many scheduled runs into one lake (pages in random order)",
    )
    ap.add_argument("--seed", type=int, default=0, help="page order with --runs")
    ap.add_argument("--only-b", action="store_true", help="skip run A")
    args = ap.parse_args(argv)
    web = args.shared / "corpora" / "webpages"
    flags = shlex.split(args.flags)
    with tempfile.TemporaryDirectory(prefix="web-eval-") as tmp:
        work = args.workdir or Path(tmp)
        started = time.perf_counter()
        if not args.only_b:
            a = run([str(web / "raw" / "*.txt"), str(web / "gold" / "*.txt")], work / "A", flags)
            a.update(score(args.shared, work / "A", with_bodies=False))
            a.update(wrong_drops(work / "A", web))
            print("run A (raw + gold):", json.dumps(a))
        b = run([str(web / "raw" / "*.txt")], work / "B", flags, args.runs, args.seed)
        b.update(score(args.shared, work / "B", with_bodies=True))
        b.update(wrong_drops(work / "B", web))
        print("run B (raw alone): ", json.dumps(b))
        print(f"total {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
