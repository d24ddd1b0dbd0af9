"""SkipIngested and RecordLedger: reruns over files already ingested write nothing new."""

from __future__ import annotations

import apache_beam as beam

from pipelines.core.records import Duplicate, LedgerEntry, Quarantined, RawFile
from pipelines.run_context import RunContext

SKIPPED = "skipped"


def ledger_key(source_uri: str, article_id: str) -> str:
    return f"{source_uri}|{article_id}"


class _SkipFn(beam.DoFn):
    def process(self, raw: RawFile, seen: dict):
        if ledger_key(raw.source_uri, raw.sha256[:20]) in seen:
            yield beam.pvalue.TaggedOutput(SKIPPED, raw.source_uri)
        else:
            yield raw


class SkipIngested(beam.PTransform):
    """RawFile -> outputs `files` (not ingested before) and `skipped` (source URIs).

    A file counts as ingested when the ledger holds its path with the same content id; a
    changed file at the same path is ingested again.
    """

    def __init__(self, ledger: beam.PCollection[LedgerEntry]) -> None:
        super().__init__()
        self._ledger = ledger

    def expand(self, files: beam.PCollection[RawFile]) -> beam.pvalue.DoOutputsTuple:
        seen = self._ledger | "Keys" >> beam.Map(lambda e: (e.key, None))
        return files | "Skip" >> beam.ParDo(_SkipFn(), beam.pvalue.AsDict(seen)).with_outputs(
            SKIPPED, main="files"
        )


class RecordLedger(beam.PTransform):
    """(articles, duplicates, quarantine) -> one LedgerEntry per input with a content id.

    Inputs quarantined before they could be read (unreadable, vanished) have none and are
    retried by the next run.
    """

    def __init__(self, run: RunContext) -> None:
        super().__init__()
        self._run = run

    def expand(self, outputs: tuple) -> beam.PCollection[LedgerEntry]:
        articles, duplicates, quarantine = outputs
        run = self._run

        def entry(uri: str, article_id: str, outcome: str) -> LedgerEntry:
            return LedgerEntry(uri, article_id, outcome, run.run_id, run.started_at)

        def from_quarantine(q: Quarantined):
            if q.raw_sha256:
                yield entry(q.source_uri, q.raw_sha256[:20], "quarantine")

        def from_duplicate(d: Duplicate) -> LedgerEntry:
            return entry(d.source_uri, d.article_id, "duplicate")

        return (
            articles
            | "Articles" >> beam.Map(lambda a: entry(a.source_uri, a.article_id, "article")),
            duplicates | "Duplicates" >> beam.Map(from_duplicate),
            quarantine | "Quarantine" >> beam.FlatMap(from_quarantine),
        ) | "All" >> beam.Flatten()
