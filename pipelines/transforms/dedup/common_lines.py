"""_CommonLines: the lines many distinct articles of the batch carry (site chrome), which
duplicate detection must not match on (see `core/near_dup/own_text.py`).

Counted by line hash in shards (`transforms/line_counts.py`), like RemoveBoilerplate's
repetition counts, so no worker holds every line of the batch: pass 1 counts articles per line
and keeps the lines more than OWN_MAX_HOLDERS articles carry; pass 2 counts, per such line, the
articles with text of their own that carry it; lines with COMMON_MIN_HOLDERS or more are common.
"""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
import numpy as np

from pipelines.core import boilerplate as bp
from pipelines.core.near_dup import own_text as ot
from pipelines.core.records import Article
from pipelines.transforms.line_counts import ConcatCounts, Counts, SumCounts, by_shard, decode

Sketch = tuple[bytes, bytes]


def _sketch(article: Article) -> Sketch:
    return ot.line_sketch(article.body).to_bytes()


def _line_holders(batch: list[Sketch]) -> Iterator[tuple[int, Counts]]:
    """Pass 1: a batch of sketches -> per shard, its line hashes and articles holding each."""
    hashes, counts = bp.doc_frequencies(ot.LineSketch.from_bytes(s) for s in batch)
    if len(hashes):
        yield from by_shard(hashes, counts)


def _own_holders(batch: list[Sketch], widely: Counts) -> Iterator[tuple[int, Counts]]:
    """Pass 2: a batch of sketches -> per shard, widely held lines and how many of the batch's
    articles with text of their own carry each."""
    held = ot.common_candidates((ot.LineSketch.from_bytes(s) for s in batch), decode(widely)[0])
    hashes, counts = np.unique(held, return_counts=True)
    if len(hashes):
        yield from by_shard(hashes, counts.astype(np.int64))


def _hashes(counts: Counts) -> np.ndarray:
    return decode(counts)[0]


class _CommonLines(beam.PTransform):
    """Articles (one PCollection or a tuple of parts) -> the sorted int64 hashes of the batch's
    common lines (a singleton)."""

    def expand(self, articles):
        parts = list(articles) if isinstance(articles, tuple) else [articles]
        sketches = [part | f"Sketch{i}" >> beam.Map(_sketch) for i, part in enumerate(parts)]
        if len(sketches) > 1:
            sketches = [tuple(sketches) | "AllSketches" >> beam.Flatten()]
        batches = sketches[0] | "Batch" >> beam.BatchElements(
            min_batch_size=64, max_batch_size=2048
        )
        widely = (
            batches
            | "LineHolders" >> beam.FlatMap(_line_holders)
            | "SumPerShard" >> beam.CombinePerKey(SumCounts(min_count=ot.OWN_MAX_HOLDERS + 1))
            | "Values" >> beam.Values()
            | "Widely" >> beam.CombineGlobally(ConcatCounts())
        )
        return (
            batches
            | "OwnHolders" >> beam.FlatMap(_own_holders, beam.pvalue.AsSingleton(widely))
            | "SumOwnPerShard" >> beam.CombinePerKey(SumCounts(min_count=ot.COMMON_MIN_HOLDERS))
            | "OwnValues" >> beam.Values()
            | "Common" >> beam.CombineGlobally(ConcatCounts())
            | "Hashes" >> beam.Map(_hashes).with_output_types(np.ndarray)
        )
