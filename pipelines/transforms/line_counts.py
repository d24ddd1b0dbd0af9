"""Counting line hashes over a batch in shards: what RemoveBoilerplate's repetition counts and
DropDuplicates' common lines share.

A part is `Counts`: sorted int64 hashes, their int64 counts and any further int64 columns
summed like them, as raw bytes (cheap to shuffle with Beam's primitive coders). Parts are
keyed by `hash mod LINE_SHARDS` (`by_shard`), summed per shard (`SumCounts`) and the shards put
together (`ConcatCounts`), so no worker holds every line of a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import numpy as np

from pipelines.core.boilerplate import add_counts

# Line hashes are counted in this many shards (hash mod LINE_SHARDS): a worker holds ~1/64 of a
# batch's distinct lines (one shard's sum peaked at ~9 bytes per article: ~0.9 GB at 100 M).
LINE_SHARDS = 64

# (sorted int64 hashes, int64 counts, further int64 columns summed like the counts) as raw
# bytes; RemoveBoilerplate's pass 1 adds its holders' summed line counts.
Counts = tuple[bytes, ...]


def encode(hashes: np.ndarray, *columns: np.ndarray) -> Counts:
    return (hashes.astype(np.int64).tobytes(), *(c.astype(np.int64).tobytes() for c in columns))


def decode(counts: Counts) -> tuple[np.ndarray, ...]:
    return tuple(np.frombuffer(part, dtype=np.int64) for part in counts)


def by_shard(hashes: np.ndarray, *columns: np.ndarray) -> Iterator[tuple[int, Counts]]:
    """(hashes, counts, ...) -> (shard, their part), one element per non-empty shard."""
    shard = hashes % LINE_SHARDS
    order = np.argsort(shard, kind="stable")  # hashes stay sorted within a shard
    hashes, shard = hashes[order], shard[order]
    columns = tuple(c[order] for c in columns)
    starts = np.flatnonzero(np.concatenate([[True], shard[1:] != shard[:-1]]))
    ends = np.append(starts[1:], len(shard))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(shard[start]), encode(hashes[start:end], *(c[start:end] for c in columns))


class SumCounts(beam.CombineFn):
    """Counts parts of one shard -> their sum per hash; `min_count` drops the hashes counted
    fewer times from the output."""

    def __init__(self, min_count: int = 0) -> None:
        self._min_count = min_count

    def create_accumulator(self) -> list:
        return []

    def add_input(self, acc: list, counts: Counts) -> list:
        acc.append(decode(counts))
        # Compacted as it grows: a shard's accumulator stays near its distinct hashes.
        return [add_counts(acc)] if len(acc) >= 64 else acc

    def merge_accumulators(self, accs: Iterable[list]) -> list:
        return [add_counts(part for acc in accs for part in acc)]

    def extract_output(self, acc: list) -> Counts:
        hashes, counts, *columns = add_counts(acc)
        keep = counts >= self._min_count
        return encode(hashes[keep], counts[keep], *(c[keep] for c in columns))


class ConcatCounts(beam.CombineFn):
    """Per-shard Counts -> one Counts of all shards, sorted by hash. Shards hold disjoint
    hashes, so this only concatenates."""

    def create_accumulator(self) -> list:
        return []

    def add_input(self, acc: list, counts: Counts) -> list:
        acc.append(decode(counts))
        return acc

    def merge_accumulators(self, accs: Iterable[list]) -> list:
        return [part for acc in accs for part in acc]

    def extract_output(self, acc: list) -> Counts:
        return encode(*add_counts(acc))
