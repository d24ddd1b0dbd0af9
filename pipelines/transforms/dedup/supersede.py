"""What superseding needs from DropDuplicates: which published survivors a new article
replaces, and each member's originality for the rule (a stored member's from its index
entry, where every kept article's is kept). The rows are rewritten at commit
(`pipelines/lake/supersede.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.core import near_dup as nd
from pipelines.core.index import IndexEntry
from pipelines.core.supersede import Superseded
from pipelines.transforms.dedup.features import Features, split_uid

# An index entry written before originality was kept: its published survivor can still be
# superseded by an earlier date, never on originality (unknown is not "less original").
UNKNOWN_ORIGINALITY = math.inf

SUPERSEDED_COUNTER = Metrics.counter("dedup", "superseded")


def member_originality(features: Features, supersede: bool) -> float:
    """A cluster member's originality for `choose_survivor`: a new article's own score; a
    stored one's from its index entry when superseding (else unused: it wins). Originality
    is a function of the article alone, so scores from two commits compare as in one run."""
    if not features.stored:
        return features.originality or 0.0
    if not supersede:
        return 0.0
    return UNKNOWN_ORIGINALITY if features.originality is None else features.originality


def superseded(old: Features, new: Features, match: nd.Match) -> Superseded:
    """A published survivor `old` (an index entry) beaten by `new`: an article of this run,
    or a published survivor (`new.stored`) this run's articles linked it with."""
    old_id, old_uri = split_uid(old.uid)
    new_id, new_uri = split_uid(new.uid)
    SUPERSEDED_COUNTER.inc()
    return Superseded(
        old_id=old_id,
        old_uri=old_uri,
        old_date=old.published_date,
        old_language=old.language or "",
        old_run_id=old.run_id or "",
        new_id=new_id,
        new_uri=new_uri,
        new_date=new.published_date,
        similarity=match.similarity,
        method=match.method,
        new_run_id=new.run_id or "",
    )


def _drop(entry: IndexEntry, gone: Iterable[str]) -> Iterable[IndexEntry]:
    if entry.uid not in gone:
        yield entry


class KeepCurrent(beam.PTransform):
    """The stored index entries minus those of superseded survivors (their place in the
    index goes to the new survivor's entry)."""

    def __init__(self, superseded: beam.PCollection[Superseded]) -> None:
        super().__init__()
        self._superseded = superseded

    def expand(self, stored: beam.PCollection[IndexEntry]) -> beam.PCollection[IndexEntry]:
        gone = (
            self._superseded
            | "Uids" >> beam.Map(lambda s: s.old_uid)
            # Nothing superseded: no set (four transforms less), and the side input's default.
            | "AsSet" >> beam.CombineGlobally(beam.combiners.ToSetCombineFn()).without_defaults()
        )
        return stored | "Drop" >> beam.FlatMap(
            _drop, beam.pvalue.AsSingleton(gone, default_value=frozenset())
        ).with_output_types(IndexEntry)
