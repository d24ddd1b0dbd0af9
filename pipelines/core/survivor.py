"""Which article of a duplicate group is kept."""

from __future__ import annotations

import datetime as dt

from pipelines.core.records import Article

_NO_DATE = dt.date.max


def survivor_key(article: Article) -> tuple:
    """Sort key; the smallest key survives.

    Earliest publication date first (unknown dates last), then a stable tie-break on
    article_id and source_uri, so the choice never depends on input order, runner or workers.
    """
    return (article.published_date or _NO_DATE, article.article_id, article.source_uri)
