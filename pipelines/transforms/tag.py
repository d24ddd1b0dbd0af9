"""TagLanguage, RetagCleaned and TagDate: fill in an Article's language and publication date."""

from __future__ import annotations

import dataclasses

import apache_beam as beam

from pipelines.core import dates
from pipelines.core.language import UND, LanguageConfig, detect_language, warm_up
from pipelines.core.records import Article
from pipelines.run_context import RunContext


class TagLanguageFn(beam.DoFn):
    def __init__(self, config: LanguageConfig) -> None:
        self._config = config

    def setup(self) -> None:
        # Load langdetect's profiles once per worker process, not inside the first bundle.
        warm_up()

    def process(self, article: Article):
        text = f"{article.title}\n{article.body}" if article.title else article.body
        tag = detect_language(text, self._config)
        yield dataclasses.replace(
            article, language=tag.language, language_confidence=tag.confidence
        )


class TagLanguage(beam.PTransform):
    """Article -> Article with `language` (ISO 639-1 or und) and `language_confidence`."""

    def __init__(self, config: LanguageConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        return articles | "Detect" >> beam.ParDo(TagLanguageFn(self._config))


class RetagCleanedFn(beam.DoFn):
    def __init__(self, config: LanguageConfig) -> None:
        self._config = config
        self._retagged = beam.metrics.Metrics.counter("language", "retagged_after_cleaning")

    def setup(self) -> None:
        warm_up()

    def process(self, article: Article):
        if not article.boilerplate:
            yield article
            return
        text = f"{article.title}\n{article.body}" if article.title else article.body
        tag = detect_language(text, self._config)
        # und: what is left is too little to tell; the page's tag is the better guess.
        if tag.language in (UND, article.language):
            yield article
            return
        self._retagged.inc()
        yield dataclasses.replace(
            article, language=tag.language, language_confidence=tag.confidence
        )


class RetagCleaned(beam.PTransform):
    """Article -> Article: the language of a body that lost chrome lines, detected again on
    what is left, so the tag names the article's language rather than its menus' (a scraped
    English post under a Tagalog sidebar was `tl`, and was then compared with the wrong
    function words). Bodies without removed lines pass through untouched.
    """

    def __init__(self, config: LanguageConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        return articles | "Detect" >> beam.ParDo(RetagCleanedFn(self._config)).with_output_types(
            Article
        )


class TagDate(beam.PTransform):
    """Article -> Article with `published_date` and `date_source` chosen from its header.

    Priority: the ``date`` prefix (header), a published line, then the highest dateline or date
    on the byline line (see `pipelines.core.headers`). Dates after the run's start (plus the
    configured grace) or otherwise impossible are ignored.
    """

    def __init__(self, run: RunContext, config: dates.DateConfig = dates.DEFAULT) -> None:
        super().__init__()
        self._today = run.started_at.date()
        self._config = config

    def expand(self, articles: beam.PCollection[Article]) -> beam.PCollection[Article]:
        today, config = self._today, self._config
        return articles | "Choose" >> beam.Map(_tag_date, today, config)


def _tag_date(article: Article, today, config) -> Article:
    published, source = dates.publication_date(article.date_candidates, today=today, config=config)
    return dataclasses.replace(article, published_date=published, date_source=source)
