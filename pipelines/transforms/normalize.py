"""DecodeText and NormalizeHeaders: raw bytes -> text -> Article with a normalized body."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam

from pipelines.core import text as textlib
from pipelines.core.decode import DecodeConfig, DecodeError, decode_bytes
from pipelines.core.headers import HeaderConfig, HeaderError, parse_article
from pipelines.core.records import Article, DecodedText, RawFile
from pipelines.core.sanitize import looks_like_html, strip_controls
from pipelines.run_context import RunContext
from pipelines.transforms.common import QUARANTINE, quarantine


class DecodeFn(beam.DoFn):
    def __init__(self, config: DecodeConfig, run: RunContext) -> None:
        self._config = config
        self._run = run

    def process(self, raw: RawFile) -> Iterator[DecodedText | beam.pvalue.TaggedOutput]:
        try:
            decoded = decode_bytes(raw.data, self._config)
        except Exception as exc:
            # DecodeError is the expected verdict; anything else is a bug on this input and
            # is quarantined (kind internal) rather than failing the run.
            kind = exc.kind if isinstance(exc, DecodeError) else "internal"
            yield quarantine(
                self._run,
                raw.source_uri,
                kind,
                str(exc) if kind != "internal" else f"{type(exc).__name__}: {exc}",
                raw=raw.data,
                raw_size=raw.size,
                raw_sha256=raw.sha256,
            )
            return
        yield DecodedText(
            source_uri=raw.source_uri,
            article_id=raw.sha256[:20],
            text=decoded.text,
            encoding=decoded.encoding,
            raw=raw.data,
            raw_sha256=raw.sha256,
            encoding_confidence=decoded.confidence,
        )


class DecodeText(beam.PTransform):
    """RawFile -> outputs `decoded` (DecodedText) and `quarantine` (empty, binary, undecodable,
    uncertain_encoding)."""

    def __init__(self, config: DecodeConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, files: beam.PCollection[RawFile]) -> beam.pvalue.DoOutputsTuple:
        return files | "Decode" >> beam.ParDo(DecodeFn(self._config, self._run)).with_outputs(
            QUARANTINE, main="decoded"
        )


class NormalizeFn(beam.DoFn):
    def __init__(self, config: HeaderConfig, run: RunContext) -> None:
        self._config = config
        self._run = run
        self._sanitized = beam.metrics.Metrics.counter("spindrift", "articles_control_stripped")

    def process(self, doc: DecodedText) -> Iterator[Article | beam.pvalue.TaggedOutput]:
        try:
            text, removed = strip_controls(doc.text)
            # None: an HTML page, quarantined below rather than published with its markup.
            parsed = None if looks_like_html(text) else parse_article(text, self._config)
        except Exception as exc:
            # HeaderError is an expected verdict (no_body); anything else is a parser bug on
            # this input, which must not fail the whole run: quarantine it with its raw bytes
            # so it can be reproduced.
            kind = exc.kind if isinstance(exc, HeaderError) else "internal"
            message = str(exc) if kind != "internal" else f"{type(exc).__name__}: {exc}"
            yield quarantine(
                self._run,
                doc.source_uri,
                kind,
                message,
                raw=doc.raw,
                raw_size=len(doc.raw),
                raw_sha256=doc.raw_sha256,
            )
            return
        if parsed is None:  # counted by quarantine() under its kind
            yield quarantine(
                self._run,
                doc.source_uri,
                "html",
                "an HTML page, not article text",
                raw=doc.raw,
                raw_size=len(doc.raw),
                raw_sha256=doc.raw_sha256,
            )
            return
        if removed:
            self._sanitized.inc()
        yield Article(
            article_id=doc.article_id,
            source_uri=doc.source_uri,
            body=parsed.body,
            content_hash=textlib.content_hash(parsed.body),
            encoding=doc.encoding,
            encoding_confidence=doc.encoding_confidence,
            word_count=textlib.word_count(parsed.body),
            ingested_at=self._run.started_at,
            run_id=self._run.run_id,
            title=parsed.title,
            dateline=parsed.dateline,
            caption=parsed.caption,
            credit=parsed.credit,
            byline=parsed.byline,
            stripped=(*removed, *parsed.stripped),
            date_candidates=parsed.date_candidates,
        )


class NormalizeHeaders(beam.PTransform):
    """DecodedText -> outputs `articles` (Article) and `quarantine` (no_body, html).

    NUL and control characters are removed first and recorded in `stripped` ("nul",
    "control"); an HTML page is quarantined as `html` rather than published with its markup.
    """

    def __init__(self, config: HeaderConfig, run: RunContext) -> None:
        super().__init__()
        self._config = config
        self._run = run

    def expand(self, docs: beam.PCollection[DecodedText]) -> beam.pvalue.DoOutputsTuple:
        return docs | "Normalize" >> beam.ParDo(NormalizeFn(self._config, self._run)).with_outputs(
            QUARANTINE, main="articles"
        )
