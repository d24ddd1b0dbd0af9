"""RemoveBoilerplate: take site chrome out of article bodies before duplicates are looked for.

Every article contributes its line hashes (a LineSketch, as bytes) to one count of the lines
many articles share (Repeats, a singleton side input). Only articles whose body may hold chrome
(`boilerplate.sketch_and_check`) wait for that count and are split against it; the others (most
news articles) go on untouched in the same fused stage, so the bodies of a clean batch are not
held back. The removed lines stay on the article (`boilerplate`), so nothing is lost and a wrong
removal can be seen and undone.

The count is keyed by line hash (`_CountLines`, `line_counts`): no worker ever holds every line
of the batch, only 1/LINE_SHARDS of its distinct lines, and what every worker reads is bounded
by the lines two or more articles share (see docs/capacity.md: one combine holding every sketch
peaked at ~1.6 KB per article, the first thing to run out of memory on a Dataflow worker, at
~2 M articles a run).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from pipelines.core import boilerplate as bp
from pipelines.core.index import IndexEntry
from pipelines.core.records import Article
from pipelines.core.text import content_hash, word_count
from pipelines.transforms.line_counts import ConcatCounts, Counts, SumCounts, by_shard, decode

_NAMESPACE = "boilerplate"
SKETCHES = "sketches"
CHECK = "check"


def _sketches(batch: list[tuple[bytes, bytes]]) -> list[bp.LineSketch]:
    return [bp.LineSketch.from_bytes(encoded) for encoded in batch]


def _doc_frequencies(batch: list[tuple[bytes, bytes]]) -> Iterator[tuple[int, Counts]]:
    """Pass 1, a batch of sketches -> per shard, its line hashes, articles holding each and
    their summed line counts."""
    hashes, counts, totals = bp.line_holders(_sketches(batch))
    if len(hashes):
        yield from by_shard(hashes, counts, totals)


def _shared(shared: Counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass 1's shared lines: hashes, articles holding each, their summed line counts. The
    Counts of an empty batch have no totals column (nothing told their width): zeros."""
    hashes, articles, *totals = decode(shared)
    return hashes, articles, totals[0] if totals else np.zeros(len(hashes), dtype=np.int64)


def _own_line_counts(batch: list[tuple[bytes, bytes]], shared: Counts):
    """Pass 2, a batch of sketches -> per shard, shared hashes and how many of the batch's
    articles with text of their own hold each."""
    hashes, counts = bp.own_line_counts(_sketches(batch), *_shared(shared))
    if len(hashes):
        yield from by_shard(hashes, counts)


def _repeats(own: Counts, shared: Counts) -> bp.Repeats:
    own_hashes, own_counts = decode(own)
    return bp.Repeats.from_counts(*_shared(shared), (own_hashes, own_counts))


class _CountLines(beam.PTransform):
    """LineSketch bytes of every article -> Repeats of the whole batch (a singleton), equal to
    `LineCounts.repeats()` over all of them, counted in two keyed passes (see
    `core/boilerplate/repetition.py`): articles per line hash, then, given the lines two or
    more articles share, those of them with text of their own."""

    def expand(self, sketches):
        batches = sketches | "Batch" >> beam.BatchElements(min_batch_size=64, max_batch_size=2048)
        shared = (
            batches
            | "DocFrequencies" >> beam.FlatMap(_doc_frequencies)
            | "SumPerShard" >> beam.CombinePerKey(SumCounts(min_count=2))
            | "Values" >> beam.Values()
            | "Shared" >> beam.CombineGlobally(ConcatCounts())
        )
        return (
            batches
            | "OwnText" >> beam.FlatMap(_own_line_counts, beam.pvalue.AsSingleton(shared))
            | "SumOwnPerShard" >> beam.CombinePerKey(SumCounts())
            | "OwnValues" >> beam.Values()
            | "AllOwn" >> beam.CombineGlobally(ConcatCounts())
            | "Repeats"
            >> beam.Map(_repeats, beam.pvalue.AsSingleton(shared)).with_output_types(bp.Repeats)
        )


class _RouteFn(beam.DoFn):
    """Article -> its sketch (SKETCHES), and the article itself: to CHECK when its body may
    hold chrome, else on the main output, untouched."""

    def __init__(self, config: bp.BoilerplateConfig) -> None:
        self._config = config
        self._checked = Metrics.counter(_NAMESPACE, "articles_checked")

    def process(self, article: Article):
        sketch, check = bp.sketch_and_check(article.body, self._config)
        yield beam.pvalue.TaggedOutput(SKETCHES, sketch.to_bytes())
        if check:
            self._checked.inc()
            yield beam.pvalue.TaggedOutput(CHECK, article)
        else:
            yield article


class _SplitFn(beam.DoFn):
    """Article -> the article with chrome lines moved from `body` to `boilerplate`."""

    def __init__(self, config: bp.BoilerplateConfig) -> None:
        self._config = config
        self._cleaned = Metrics.counter(_NAMESPACE, "articles_cleaned")
        self._lines = Metrics.counter(_NAMESPACE, "lines_removed")
        self._chars = Metrics.counter(_NAMESPACE, "chars_removed")

    def process(self, article: Article, repeats: bp.Repeats):
        split = bp.split_boilerplate(
            article.body, article.language, repeats, self._config, title=article.title or ""
        )
        if not split.removed:
            yield article
            return
        self._cleaned.inc()
        self._lines.inc(len(split.removed))
        self._chars.inc(len(article.body) - len(split.body))
        yield dataclasses.replace(
            article,
            body=split.body,
            boilerplate=split.removed,
            word_count=word_count(split.body),
            content_hash=content_hash(split.body),
        )


class Cleaned(NamedTuple):
    """What RemoveBoilerplate returns: articles that needed no check (untouched) and the
    checked ones, chrome removed. Consumers take both (DropDuplicates does, part by part)."""

    untouched: beam.PCollection
    checked: beam.PCollection


def _stored_sketch(entry: IndexEntry) -> Iterator[tuple[bytes, bytes]]:
    """An index entry's published line sketch, as `_RouteFn` emits a new article's (none for
    entries written before sketches were kept)."""
    if entry.line_hashes:
        yield entry.line_hashes, entry.line_long


class RemoveBoilerplate(beam.PTransform):
    """Article -> Cleaned (see module doc). Every input comes out once, in one of the two
    parts; with `config.enabled` False all articles are `untouched`.

    `stored`: IndexEntry of articles earlier runs published (inside the index window); their
    lines count with the batch's, so a line that many distinct articles carried over the
    window is chrome in a small scheduled run or a streaming commit as in one large run.
    Published bodies are not cleaned again.
    """

    def __init__(
        self, config: bp.BoilerplateConfig = bp.DEFAULT, stored: beam.PCollection | None = None
    ) -> None:
        super().__init__()
        self._config = config
        self._stored = stored

    def expand(self, articles: beam.PCollection[Article]) -> Cleaned:
        if not self._config.enabled:
            none = articles.pipeline | "NoneChecked" >> beam.Create([]).with_output_types(Article)
            return Cleaned(articles, none)
        routed = articles | "Route" >> beam.ParDo(_RouteFn(self._config)).with_outputs(
            SKETCHES, CHECK, main="untouched"
        )
        sketches = routed[SKETCHES]
        if self._stored is not None:
            earlier = self._stored | "StoredSketches" >> beam.FlatMap(_stored_sketch)
            sketches = (sketches, earlier) | "AllSketches" >> beam.Flatten()
        repeats = sketches | "CountLines" >> _CountLines()
        checked = routed[CHECK] | "SplitBoilerplate" >> beam.ParDo(
            _SplitFn(self._config), beam.pvalue.AsSingleton(repeats)
        ).with_output_types(Article)
        return Cleaned(routed.untouched, checked)
