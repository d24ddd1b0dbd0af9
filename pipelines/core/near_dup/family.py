"""Family keys: the LSH candidate keys of the copies dropped for a survivor, kept with it.

One run over a story and its copies links a heavy rewrite to the story through a lighter copy
(the rewrite shares an LSH bucket with the copy, the copy with the story) and then verifies
the rewrite against the story directly (`survivor.split_chains`). Runs that see the copies
one by one (scheduled runs, streaming commits) only have the survivor's entry in the index:
the lighter copy was dropped and never indexed, so the rewrite met nothing and was kept. An
index entry therefore keeps the candidate keys of the copies dropped for it, and a later run
buckets the entry under them as under its own: the rewrite meets the survivor and is
verified against it, with the same rules as any pair (no A~B~C chain is ever accepted).

Measured on the streaming benchmark (6,000 files at 20 files/s, copies 60-180 s after their
originals): 5 heavy rewrites one batch run dropped and the stream kept (similarity to the
story 0.21-0.35) were all of this kind.
"""

from __future__ import annotations

import numpy as np

from pipelines.core.near_dup.config import DEFAULT, NearDupConfig
from pipelines.core.near_dup.lsh import candidate_key_array
from pipelines.core.near_dup.skeleton import Signature

# At most this many family keys per entry (8 bytes each): eight copies' worth of the default
# 64 bands and exact key (six or seven with their long-line keys: ~15 for a news article).
# Copies of one story share many keys, so a family of dozens of wire copies stays near this;
# the cap bounds an index entry's growth at ~4 KB.
FAMILY_MAX_KEYS = 8 * 65

_EMPTY = np.zeros(0, dtype=np.int64)


def family_keys(
    sig: Signature, survivor: np.ndarray | None = None, config: NearDupConfig = DEFAULT
) -> np.ndarray:
    """The keys a dropped copy leaves with its survivor: its candidate keys, sorted unique,
    without those in ``survivor`` (the survivor's own candidate keys, which its entry is
    bucketed under anyway: 36 % of the copies' keys in the streaming benchmark)."""
    keys = np.unique(candidate_key_array(sig, config))
    return keys if survivor is None else np.setdiff1d(keys, survivor, assume_unique=False)


def merge_keys(*parts: bytes | np.ndarray) -> np.ndarray:
    """Union of key sets (raw int64 bytes or arrays), sorted, capped at FAMILY_MAX_KEYS by
    keeping the smallest keys: one subset whatever order the copies came in."""
    arrays = [np.frombuffer(p, dtype="<i8") if isinstance(p, bytes) else p for p in parts]
    keys = np.unique(np.concatenate([_EMPTY, *arrays]).astype(np.int64, copy=False))
    return keys[:FAMILY_MAX_KEYS]


def to_bytes(keys: np.ndarray) -> bytes:
    """Keys as the index stores them (int64 little-endian)."""
    return keys.astype("<i8").tobytes()


def entry_keys(sig: Signature, family: bytes, config: NearDupConfig = DEFAULT) -> np.ndarray:
    """The keys an index entry is bucketed under: its own and its family's, sorted unique (an
    owner twice in one bucket would read as two inputs sharing one key)."""
    own = candidate_key_array(sig, config)
    if not family:
        return np.unique(own)
    return np.unique(np.concatenate([own, np.frombuffer(family, dtype="<i8").astype(np.int64)]))
