"""RemoveBoilerplate: take site chrome out of article bodies before duplicates are looked for.

Two passes over the batch: every article contributes its line hashes (LineSketch) to one
count of the lines many articles share (Repeats, a single small combine over int64 arrays);
then each body is split against that count. The removed lines stay on the article
(`boilerplate`), so nothing is lost and a wrong removal can be seen and undone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.core import boilerplate as bp
from pipelines.core.records import Article
from pipelines.core.text import content_hash, word_count

_NAMESPACE = "boilerplate"


class _CountLines(beam.CombineFn):
    """LineSketch per article -> Repeats of the whole batch."""

    def create_accumulator(self) -> bp.LineCounts:
        return bp.LineCounts()

    def add_input(self, acc: bp.LineCounts, sketch: bp.LineSketch) -> bp.LineCounts:
        return acc.add(sketch)

    def merge_accumulators(self, accs: Iterable[bp.LineCounts]) -> bp.LineCounts:
        accs = iter(accs)
        merged = next(accs)
        for acc in accs:
            merged.merge(acc)
        return merged

    def extract_output(self, acc: bp.LineCounts) -> bp.Repeats:
        return acc.repeats()


def _sketch(article: Article) -> bp.LineSketch:
    return bp.line_sketch(article.body)


class _SplitFn(beam.DoFn):
    """Article -> the article with chrome lines moved from `body` to `boilerplate`."""

    def __init__(self, config: bp.BoilerplateConfig) -> None:
        self._config = config
        self._cleaned = Metrics.counter(_NAMESPACE, "articles_cleaned")
        self._lines = Metrics.counter(_NAMESPACE, "lines_removed")
        self._chars = Metrics.counter(_NAMESPACE, "chars_removed")

    def process(self, article: Article, repeats: bp.Repeats):
        split = bp.split_boilerplate(article.body, article.language, repeats, self._config)
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


class RemoveBoilerplate(beam.PTransform):
    """Article -> Article without site chrome in `body` (see module doc). Every input comes
    out once; with `config.enabled` False the articles pass through untouched."""

    def __init__(self, config: bp.BoilerplateConfig = bp.DEFAULT) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        if not self._config.enabled:
            return articles
        repeats = (
            articles
            | "LineSketches" >> beam.Map(_sketch).with_output_types(bp.LineSketch)
            | "CountLines" >> beam.CombineGlobally(_CountLines()).with_output_types(bp.Repeats)
        )
        return articles | "SplitBoilerplate" >> beam.ParDo(
            _SplitFn(self._config), beam.pvalue.AsSingleton(repeats)
        ).with_output_types(Article)
