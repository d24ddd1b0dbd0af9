"""RemoveBoilerplate: take site chrome out of article bodies before duplicates are looked for.

Every article contributes its line hashes (a LineSketch, as bytes) to one count of the lines
many articles share (Repeats, a single small combine over int64 arrays). Only articles whose
body may hold chrome (`boilerplate.sketch_and_check`) wait for that count and are split
against it; the others (most news articles) go on untouched in the same fused stage, so the
bodies of a clean batch are not held back. The removed lines stay on the article
(`boilerplate`), so nothing is lost and a wrong removal can be seen and undone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.core import boilerplate as bp
from pipelines.core.records import Article
from pipelines.core.text import content_hash, word_count

_NAMESPACE = "boilerplate"
SKETCHES = "sketches"
CHECK = "check"


class _CountLines(beam.CombineFn):
    """LineSketch bytes per article -> Repeats of the whole batch."""

    def create_accumulator(self) -> bp.LineCounts:
        return bp.LineCounts()

    def add_input(self, acc: bp.LineCounts, encoded: tuple[bytes, bytes]) -> bp.LineCounts:
        return acc.add(bp.LineSketch.from_bytes(encoded))

    def merge_accumulators(self, accs: Iterable[bp.LineCounts]) -> bp.LineCounts:
        accs = iter(accs)
        merged = next(accs)
        for acc in accs:
            merged.merge(acc)
        return merged

    def extract_output(self, acc: bp.LineCounts) -> bp.Repeats:
        return acc.repeats()


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


class Cleaned(NamedTuple):
    """What RemoveBoilerplate returns: articles that needed no check (untouched) and the
    checked ones, chrome removed. Consumers take both (DropDuplicates does, part by part)."""

    untouched: beam.PCollection
    checked: beam.PCollection


class RemoveBoilerplate(beam.PTransform):
    """Article -> Cleaned (see module doc). Every input comes out once, in one of the two
    parts; with `config.enabled` False all articles are `untouched`."""

    def __init__(self, config: bp.BoilerplateConfig = bp.DEFAULT) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles: beam.PCollection[Article]) -> Cleaned:
        if not self._config.enabled:
            none = articles.pipeline | "NoneChecked" >> beam.Create([]).with_output_types(Article)
            return Cleaned(articles, none)
        routed = articles | "Route" >> beam.ParDo(_RouteFn(self._config)).with_outputs(
            SKETCHES, CHECK, main="untouched"
        )
        repeats = routed[SKETCHES] | "CountLines" >> beam.CombineGlobally(
            _CountLines()
        ).with_output_types(bp.Repeats)
        checked = routed[CHECK] | "SplitBoilerplate" >> beam.ParDo(
            _SplitFn(self._config), beam.pvalue.AsSingleton(repeats)
        ).with_output_types(Article)
        return Cleaned(routed.untouched, checked)
