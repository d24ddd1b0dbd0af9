"""SkipIngested and RecordLedger: reruns over inputs already accounted for write nothing new.

An input's identity is its canonical path and its content id (the `article_id` of its bytes;
`input_id` for inputs quarantined by the reader): `ir/a.txt`, `./ir/a.txt` and an absolute path
of the same file are one input, and a file changed in place is a new one. The same bytes at
another path (a copy, or a moved file) are a new input too: they go through the run and, as
in one batch run over both files, become an `exact` duplicate of the published article (or
the same quarantine), so a series of runs writes what one run over all the files would.
"""

from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam

from pipelines.core.records import Duplicate, LedgerEntry, Quarantined, RawFile
from pipelines.run_context import RunContext
from pipelines.transforms.common import QUARANTINE

SKIPPED = "skipped"


def content_id(raw: RawFile) -> str:
    return raw.sha256[:20]


class _SkipFn(beam.DoFn):
    def __init__(self) -> None:
        self.ingested = beam.metrics.Metrics.counter("spindrift", "already_ingested")

    def process(self, item: RawFile | Quarantined, seen: dict):
        key = content_id(item) if isinstance(item, RawFile) else item.input_id
        if key is not None and (item.source_uri, key) in seen:
            self.ingested.inc()
            yield beam.pvalue.TaggedOutput(SKIPPED, item.source_uri)
        elif isinstance(item, RawFile):
            yield item
        else:
            yield beam.pvalue.TaggedOutput(QUARANTINE, item)


class Fresh(NamedTuple):
    files: beam.PCollection  # RawFile not ingested before
    quarantine: beam.PCollection  # reader quarantine not recorded before
    skipped: beam.PCollection  # source URIs already ingested


class SkipIngested(beam.PTransform):
    """(RawFile, reader Quarantined) -> Fresh(files, quarantine, skipped).

    An input counts as ingested when the ledger holds its path with its content id; a changed
    file is ingested again, an unreadable one is quarantined once until its size or mtime
    changes, and the same bytes at a new path are a new input (see the module doc).
    """

    def __init__(self, ledger: beam.PCollection[LedgerEntry]) -> None:
        super().__init__()
        self._ledger = ledger

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> Fresh:
        seen = self._ledger | "Keys" >> beam.Map(lambda e: (e.key, None))
        out = (
            inputs
            | "Inputs" >> beam.Flatten()
            | "Skip"
            >> beam.ParDo(_SkipFn(), beam.pvalue.AsDict(seen)).with_outputs(
                SKIPPED, QUARANTINE, main="files"
            )
        )
        return Fresh(out.files, out[QUARANTINE], out[SKIPPED])


class RecordLedger(beam.PTransform):
    """(articles, duplicates, quarantine) -> one LedgerEntry per input with a content id.

    Inputs that vanished before they could be read have none and are retried next run.
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
            if q.input_id:
                yield entry(q.source_uri, q.input_id, "quarantine")

        def from_duplicate(d: Duplicate) -> LedgerEntry:
            return entry(d.source_uri, d.article_id, "duplicate")

        return (
            articles
            | "Articles" >> beam.Map(lambda a: entry(a.source_uri, a.article_id, "article")),
            duplicates | "Duplicates" >> beam.Map(from_duplicate),
            quarantine | "Quarantine" >> beam.FlatMap(from_quarantine),
        ) | "All" >> beam.Flatten()
