"""Candidate pairs: LSH band keys, capped buckets, pair shards, and verification per pair."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from pipelines.core import near_dup as nd
from pipelines.core.index import IndexEntry
from pipelines.core.near_dup.family import entry_keys
from pipelines.core.near_dup.openings import openings_differ
from pipelines.transforms.dedup.features import FEATURES, MEMBERS, PAIRS, Features, article_key


class PairIndex:
    """Candidate pairs of article keys, looked up by either end.

    Holds each pair in both directions as two aligned int64 arrays sorted by (key, partner),
    deduplicated. A pair (k, k) means two inputs share key k (see `article_key`).
    """

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.keys, self.partners = _sorted_unique(np.concatenate([a, b]), np.concatenate([b, a]))

    @classmethod
    def directed(cls, keys: np.ndarray, partners: np.ndarray) -> PairIndex:
        """An index of (key, partner) entries as given (both directions already present): one
        shard of the whole index when `keys` are the keys of that shard."""
        index = cls.__new__(cls)
        index.keys, index.partners = _sorted_unique(keys, partners)
        return index

    def partners_of(self, key: int) -> np.ndarray:
        """Sorted partner keys of `key` (empty when it has none)."""
        lo, hi = np.searchsorted(self.keys, [key, key + 1])
        return self.partners[lo:hi]

    def __len__(self) -> int:
        return len(self.keys)


def _sorted_unique(keys: np.ndarray, partners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys = keys.astype(np.int64, copy=False)
    partners = partners.astype(np.int64, copy=False)
    order = np.lexsort((partners, keys))
    keys, partners = keys[order], partners[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (partners[1:] != partners[:-1])
    return keys[new], partners[new]


# LSH keys are spread over this many groups; each group's buckets are built in one sort.
_KEY_GROUPS = 64


def _band_keys(batch: list[tuple[int, Features]], config: nd.NearDupConfig):
    """A batch of articles -> (group, (band keys, article keys)) per key group, as two int64
    arrays: a few elements per group instead of ~80 per article, encoded as raw arrays."""
    bands = [nd.candidate_key_array(features.signature, config) for _, features in batch]
    yield from _grouped([key for key, _ in batch], bands)


def _stored_band_keys(batch: list[IndexEntry], config: nd.NearDupConfig):
    """`_band_keys` of index entries: their own keys and their family's (`near_dup.family`)."""
    bands = [entry_keys(e.signature, e.family_keys, config) for e in batch]
    yield from _grouped([article_key(e.uid) for e in batch], bands)


def _grouped(keys: list[int], bands: list[np.ndarray]):
    """Article keys and each one's band keys -> (group, (band keys, article keys))."""
    owners = np.repeat(np.array(keys, dtype=np.int64), [len(b) for b in bands])
    band = np.concatenate(bands)
    group = band % _KEY_GROUPS
    order = np.argsort(group, kind="stable")
    band, owner, group = band[order], owners[order], group[order]
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    ends = np.append(starts[1:], len(group))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(group[start]), (band[start:end], owner[start:end])


def _bucket_pairs(item: tuple[int, Iterable[tuple]], config: nd.NearDupConfig):
    """One key group -> its candidate pairs as (a, b) int64 arrays, a != b except (k, k)
    for an article key that two inputs share."""
    _, batches = item
    parts = list(batches)
    band = np.concatenate([b for b, _ in parts])
    owner = np.concatenate([o for _, o in parts])
    order = np.lexsort((owner, band))  # by band key, then article key
    band, owner = band[order], owner[order]
    same_band = band[1:] == band[:-1]
    # An article has one entry per bucket, so an owner repeated within a bucket is two inputs
    # with one key: kept as a self-pair, which _verify reports.
    shared = owner[1:][same_band & (owner[1:] == owner[:-1])]
    starts = np.flatnonzero(np.concatenate([[True], ~same_band]))
    sizes = np.diff(np.append(starts, len(band)))
    # Buckets of two (most of them) are paired in one vectorised step; larger ones go
    # through nd.bucket_pairs (cap and window).
    two = starts[sizes == 2]
    a, b = owner[two], owner[two + 1]
    distinct = a != b
    big_a: list[int] = []
    big_b: list[int] = []
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        for x, y in nd.bucket_pairs(owner[start : start + size].tolist(), config):
            big_a.append(x)
            big_b.append(y)
    yield (
        np.concatenate([a[distinct], np.array(big_a, dtype=np.int64), shared]),
        np.concatenate([b[distinct], np.array(big_b, dtype=np.int64), shared]),
    )


def _probe(item: tuple[int, Features], index: PairIndex) -> Iterator[tuple[int, tuple]]:
    """(key, features) -> (key, (key, features)) when it has a partner at or below it, and
    (partner, (key, features)) for each larger partner: every pair meets at its larger key."""
    key, features = item
    partners = index.partners_of(key)
    if len(partners) == 0:
        return
    if partners[0] <= key:
        yield key, (key, features)
    for other in partners[partners > key].tolist():
        yield other, (key, features)


# The pair index is split into this many shards of article keys (key mod PAIR_SHARDS); one
# worker holds one shard's pairs and features, ~1/256 of them: ~1 GB of pairs at 100 M articles
# a run (extrapolated in docs/capacity.md), where the broadcast index needed ~256 GB per process.
PAIR_SHARDS = 256


def _pair_shard(key: int) -> int:
    return key % PAIR_SHARDS


def _pair_parts(pairs: tuple[np.ndarray, np.ndarray]) -> Iterator[tuple[int, tuple]]:
    """(a, b) candidate pairs of one key group -> both directions, split by `_pair_shard` of
    the first key: (shard, (keys, partners)) int64 arrays."""
    a, b = pairs
    if not len(a):
        return
    keys = np.concatenate([a, b]).astype(np.int64, copy=False)
    partners = np.concatenate([b, a]).astype(np.int64, copy=False)
    shard = keys % PAIR_SHARDS
    order = np.argsort(shard, kind="stable")
    keys, partners, shard = keys[order], partners[order], shard[order]
    starts = np.flatnonzero(np.concatenate([[True], shard[1:] != shard[:-1]]))
    ends = np.append(starts[1:], len(shard))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(shard[start]), (keys[start:end], partners[start:end])


def _probe_shard(item: tuple[int, dict]) -> Iterator[tuple[int, tuple]]:
    """One shard: its pair parts and (key, features) of its articles -> `_probe` of each."""
    _, joined = item
    parts = list(joined[PAIRS])
    if not parts:
        return
    empty = np.zeros(0, dtype=np.int64)
    index = PairIndex.directed(
        np.concatenate([empty, *(k for k, _ in parts)]),
        np.concatenate([empty, *(p for _, p in parts)]),
    )
    for member in joined[FEATURES]:
        yield from _probe(member, index)


def _only(features: Iterable[Features], key: int) -> Features:
    found = list(features)
    if len(found) != 1:
        raise RuntimeError(
            f"article key {key} is shared by {sorted(f.uid for f in found)}: either the index "
            "already holds this input (its ledger entry is gone) or two uids collide in 64 "
            "bits; move one of these inputs to a later run"
        )
    return found[0]


def _verify(item: tuple[int, Iterable[tuple[int, Features]]], config: nd.NearDupConfig):
    """Main output: verified (a, b) key pairs; MEMBERS: (key, Features) of both ends."""
    key, values = item
    values = list(values)
    features = _only((f for source, f in values if source == key), key)
    for other_key, other in values:
        if other_key == key or (other.stored and features.stored):
            continue  # itself, or both already published: nothing to decide
        if nd.verify(other.signature, features.signature, config):
            yield other_key, key
            yield beam.pvalue.TaggedOutput(MEMBERS, (other_key, other))
            yield beam.pvalue.TaggedOutput(MEMBERS, (key, features))
        else:
            if _refused_as_chrome(other.signature, features.signature, config):
                _REFUSED_CHROME.inc()
            if _refused_for_openings(other.signature, features.signature, config):
                _REFUSED_OPENINGS.inc()


# Candidate pairs that match as whole texts but only through lines many distinct articles of
# the batch carry (site chrome, `own_text`): refused, and counted so a run shows how many.
_REFUSED_CHROME = Metrics.counter("dedup", "pairs_refused_site_chrome")


def _refused_as_chrome(a: nd.Signature, b: nd.Signature, config: nd.NearDupConfig) -> bool:
    """Whether a pair `verify` refused would match without own text (only asked when one of
    them lost common lines, so whole articles cost nothing more)."""
    partial = (a.own is not None and a.own.partial) or (b.own is not None and b.own.partial)
    return partial and nd.verify(replace(a, own=None), replace(b, own=None), config) is not None


# Candidate pairs refused because both open with different articles of their own and share
# only a later block (`near_dup.openings`), counted likewise.
_REFUSED_OPENINGS = Metrics.counter("dedup", "pairs_refused_openings")


def _refused_for_openings(a: nd.Signature, b: nd.Signature, config: nd.NearDupConfig) -> bool:
    """Whether a pair `verify` refused would match without the openings test (the openings
    are compared first: pairs sharing no long line cost one lookup)."""
    if not config.opening_min_words or not openings_differ(
        a, b, config.opening_min_words, config.min_containment
    ):
        return False
    return nd.verify(a, b, replace(config, opening_min_words=0)) is not None


def _components(pairs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    ids = {i for pair in pairs for i in pair}
    yield from nd.cluster(ids, pairs).items()
