"""DropDuplicates: keep one article per duplicate group, audit the others."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

import apache_beam as beam

from pipelines.core.records import Article, Duplicate
from pipelines.core.survivor import survivor_key

DUPLICATES = "duplicates"


def _as_duplicate(article: Article, kept: Article, similarity: float, method: str) -> Duplicate:
    return Duplicate(
        article_id=article.article_id,
        source_uri=article.source_uri,
        title=article.title,
        published_date=article.published_date,
        language=article.language,
        content_hash=article.content_hash,
        kept_article_id=kept.article_id,
        kept_source_uri=kept.source_uri,
        similarity=similarity,
        method=method,
        cluster_id=kept.article_id,
        ingested_at=article.ingested_at,
        run_id=article.run_id,
    )


def _keep_one(item: tuple[str, Iterable[Article]]) -> Iterator[Article | beam.pvalue.TaggedOutput]:
    _, group = item
    members = sorted(group, key=survivor_key)
    kept = members[0]
    for dropped in members[1:]:
        yield beam.pvalue.TaggedOutput(DUPLICATES, _as_duplicate(dropped, kept, 1.0, "exact"))
    yield dataclasses.replace(kept, duplicate_count=len(members) - 1)


class DropDuplicates(beam.PTransform):
    """Article -> outputs `articles` (one survivor per group) and `duplicates` (Duplicate rows).

    Groups are articles with the same content_hash (identical normalized body).
    """

    def expand(self, articles: beam.PCollection[Article]) -> beam.pvalue.DoOutputsTuple:
        return (
            articles
            | "KeyByContent" >> beam.Map(lambda a: (a.content_hash, a))
            | "GroupByContent" >> beam.GroupByKey()
            | "KeepOne" >> beam.FlatMap(_keep_one).with_outputs(DUPLICATES, main="articles")
        )
