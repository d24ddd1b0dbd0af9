"""Originality compared across streaming commits (what superseding relies on), pure Python.

    python benchmarks/commit_originality.py [--size 6000] [--commit 100] [--shared ../shared]

The streaming benchmark's corpus and arrival order (`streaming.py`: spun copies 60-180 s after
their originals at 20 files/s), cut into commits of `--commit` files. Each article is scored as
the dedup stage scores it today (`near_dup.profile_originality` against the word frequencies
of its own commit: what its index entry keeps) and as one batch run over every file scores it.
Prints how often a spun copy out-scores its original in each case: superseding on originality
picks the copy exactly then. (Raw texts, not the pipeline's cleaned bodies: an approximation.)
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus
from streaming import COPY_DELAY_S

from pipelines.core import near_dup as nd


def arrival(items: list[dict], rate: float, seed: int) -> list[dict]:
    """Items in landing order, as `streaming.write_corpus` lands them."""
    rng = random.Random(seed)
    span = len(items) / rate
    at: dict[str, float] = {}
    for it in items:
        if it["role"] != "spun":
            at[it["id"]] = rng.uniform(0, span)
    originals = {it["id"]: it for it in items if it["role"] != "spun"}
    for it in items:
        if it["role"] == "spun":
            base = at[it["group"]] if it["group"] in originals else rng.uniform(0, span)
            at[it["id"]] = base + rng.uniform(*COPY_DELAY_S)
    return sorted(items, key=lambda it: at[it["id"]])


def scores(items: list[dict], profiles: dict[str, nd.WordProfile]) -> dict[str, float]:
    freq = nd.WordFreq()
    for it in items:
        freq.add_profile(profiles[it["id"]])
    return {it["id"]: nd.profile_originality(profiles[it["id"]], freq) or 0.0 for it in items}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=6000)
    ap.add_argument("--commit", type=int, default=100, help="files per commit (default 100)")
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED)
    args = ap.parse_args()
    items = dedup_corpus.build(args.shared, size=args.size, seed=args.seed, log=lambda *a: None)
    order = arrival(items[: args.size], args.rate, args.seed)
    profiles = {it["id"]: nd.word_profile(it["text"], it["language"]) for it in order}
    commit_of: dict[str, int] = {}
    per_commit: dict[str, float] = {}
    for start in range(0, len(order), args.commit):
        chunk = order[start : start + args.commit]
        per_commit.update(scores(chunk, profiles))
        commit_of.update((it["id"], start // args.commit) for it in chunk)
    batch = scores(order, profiles)
    by_id = {it["id"]: it for it in order}
    pairs = [(by_id[it["group"]], it) for it in order
             if it["role"] == "spun" and it["group"] in by_id]  # fmt: skip
    apart = [(o, c) for o, c in pairs if commit_of[o["id"]] != commit_of[c["id"]]]
    siblings = {
        c["id"]: any(x["group"] == c["group"] and x["id"] != c["id"]
                     and commit_of[x["id"]] == commit_of[c["id"]] for x in order)
        for _, c in apart
    }  # fmt: skip

    def beats(score: dict[str, float], sel: list[tuple[dict, dict]]) -> str:
        won = sum(1 for o, c in sel if score[c["id"]] > score[o["id"]])
        return f"{won}/{len(sel)} ({100 * won / max(1, len(sel)):.1f} %)"

    with_sib = [(o, c) for o, c in apart if siblings[c["id"]]]
    alone = [(o, c) for o, c in apart if not siblings[c["id"]]]
    print(f"{len(order)} files, commits of {args.commit}; a spun copy out-scores its original:")
    print(f"  one batch run's scores: {beats(batch, pairs)}")
    print(f"  each scored in its own commit (copy and original in different commits): "
          f"{beats(per_commit, apart)}")  # fmt: skip
    print(f"    copies whose commit holds another copy of the same original: "
          f"{beats(per_commit, with_sib)}; the others: {beats(per_commit, alone)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
