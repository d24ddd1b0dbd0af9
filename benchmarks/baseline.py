"""The plain MinHash baseline the benchmarks compare against: datasketch, word 5-grams, 0.8."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

_W_RE = re.compile(r"\w+")


def minhash_matches(
    docs: Iterable[tuple[str, str]], threshold: float = 0.8, num_perm: int = 128
) -> dict:
    """(id, text) pairs -> candidate pairs, pairs verified at `threshold`, and timings.

    Lower-cased \\w+ words, 5-gram shingles, MinHash LSH query, then estimated Jaccard >=
    threshold. Returns {"candidates", "matched", "ids", "sketch_seconds", "lsh_seconds"}.
    """
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    sketches = {}
    for key, text in docs:
        words = _W_RE.findall(text.lower())
        shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))}
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(list(shingles))
        sketches[key] = m
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for key, m in sketches.items():
        lsh.insert(key, m)
    candidates = set()
    for key, m in sketches.items():
        for other in lsh.query(m):
            if other != key:
                candidates.add((key, other) if key < other else (other, key))
    matched = sorted(p for p in candidates if sketches[p[0]].jaccard(sketches[p[1]]) >= threshold)
    return {
        "candidates": candidates,
        "matched": matched,
        "ids": list(sketches),
        "sketch_seconds": t1 - t0,
        "lsh_seconds": time.perf_counter() - t1,
    }
