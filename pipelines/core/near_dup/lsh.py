"""Candidate generation: MinHash LSH over skeleton shingles and long-line keys, with capped
buckets."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable

import numpy as np

from pipelines.core.near_dup.config import DEFAULT, NearDupConfig
from pipelines.core.near_dup.hashing import SHINGLE_MULT, mix64
from pipelines.core.near_dup.skeleton import Signature


@functools.lru_cache(maxsize=16)
def _perm_params(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=(num_perm, 1), dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=(num_perm, 1), dtype=np.uint64)
    return a, b


def minhash(sig: Signature, config: NearDupConfig = DEFAULT) -> np.ndarray:
    """uint32[num_perm] MinHash of the unique skeleton shingles (all-ones if empty)."""
    uniq = sig.shingles.astype(np.uint64)
    if len(uniq) == 0:
        return np.full(config.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    a, b = _perm_params(config.num_perm, config.seed)
    x = uniq[None, :] * a
    x += b
    # The top 32 bits of the minimum are the minimum of the top 32 bits.
    return (mix64(x).min(axis=1) >> np.uint64(32)).astype(np.uint32)


# Salt of the long-line keys: a key space of their own beside the exact and band keys.
_LINE_KEY_SALT = np.uint64(0x4C494E45)


def _line_keys(sig: Signature) -> np.ndarray:
    """One key per long line (``Signature.openings``): texts sharing a paragraph word for
    word meet even when one is a small part of the other (a clean text inside its scraped
    page), whose shingle sets are too unlike for MinHash bands."""
    if sig.openings is None:
        return np.zeros(0, dtype=np.int64)
    salted = sig.openings.hashes.astype(np.uint64) ^ _LINE_KEY_SALT
    # Unique: an article is in a bucket once (a line it repeats is one key).
    return np.unique((mix64(salted) >> np.uint64(1)).astype(np.int64))


def candidate_key_array(sig: Signature, config: NearDupConfig = DEFAULT) -> np.ndarray:
    """`candidate_keys` as an int64 array (the exact key first, then one per band, then
    one per long line)."""
    exact = np.array([sig.exact], dtype=np.int64)
    if len(sig.shingles) == 0:
        return exact
    mh = minhash(sig, config).reshape(config.bands, config.rows).astype(np.uint64)
    band_ids = np.arange(1, config.bands + 1, dtype=np.uint64)[:, None]
    acc = band_ids * SHINGLE_MULT[31]
    for r in range(config.rows):
        acc = acc + mh[:, r : r + 1] * SHINGLE_MULT[r]
    band_keys = (mix64(acc[:, 0]) >> np.uint64(1)).astype(np.int64)
    return np.concatenate([exact, band_keys, _line_keys(sig)])


def candidate_keys(sig: Signature, config: NearDupConfig = DEFAULT) -> list[int]:
    """LSH keys (non-negative 63-bit ints); articles sharing any key are candidate pairs.

    One key per band plus one exact-content key, so exact copies always meet even when their
    skeleton is empty, plus one per long line (``_line_keys``). Empty articles get only the
    exact key.
    """
    return candidate_key_array(sig, config).tolist()


def bucket_pairs(members: Iterable[Hashable], config: NearDupConfig = DEFAULT) -> list[tuple]:
    """Candidate pairs ``(a, b)`` with ``a < b`` from one LSH bucket.

    Buckets up to ``bucket_cap`` are paired exhaustively; larger ones (typically shared
    boilerplate or one story syndicated many times) only pair each member with the next
    ``bucket_window`` members in id order, keeping cost linear. Copies of one story still
    connect through the chain of windows.
    """
    ms = sorted(set(members))
    n = len(ms)
    if n <= config.bucket_cap:
        return [(ms[i], ms[j]) for i in range(n) for j in range(i + 1, n)]
    w = config.bucket_window
    return [(ms[i], ms[j]) for i in range(n) for j in range(i + 1, min(n, i + 1 + w))]


def candidate_pairs(
    keyed: Iterable[tuple[Hashable, Iterable[int]]], config: NearDupConfig = DEFAULT
) -> set[tuple]:
    """In-memory equivalent of GroupByKey(key) + ``bucket_pairs``: ids sharing >= 1 key."""
    buckets: dict[int, list] = {}
    for aid, keys in keyed:
        for k in keys:
            buckets.setdefault(k, []).append(aid)
    out: set[tuple] = set()
    for ms in buckets.values():
        if len(ms) > 1:
            out.update(bucket_pairs(ms, config))
    return out
