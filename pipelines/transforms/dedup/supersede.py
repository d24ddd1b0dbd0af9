"""What superseding needs from DropDuplicates: which published survivors a new article
replaces, and every kept article's originality in its index entry (so a later commit can
compare a new member with it). The rows are rewritten at commit (`pipelines/lake/supersede.py`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.core import near_dup as nd
from pipelines.core.index import IndexEntry
from pipelines.core.supersede import Superseded
from pipelines.transforms.dedup.features import Features, article_key, split_uid

# An index entry written before originality was kept: its published survivor can still be
# superseded by an earlier date, never on originality (unknown is not "less original").
UNKNOWN_ORIGINALITY = math.inf

SUPERSEDED_COUNTER = Metrics.counter("dedup", "superseded")


def member_originality(features: Features, computed: float, supersede: bool) -> float:
    """A cluster member's originality for `choose_survivor`: this run's score for a new
    article; a stored one's from its index entry when superseding (else unused: it wins)."""
    if not features.stored:
        return computed
    if not supersede:
        return 0.0
    return UNKNOWN_ORIGINALITY if features.originality is None else features.originality


def superseded(old: Features, new: Features, match: nd.Match) -> Superseded:
    """A published survivor `old` (an index entry) beaten by the new article `new`."""
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
    )


def _score(item: tuple[int, nd.WordProfile], freq: nd.WordFreq) -> tuple[int, float]:
    key, profile = item
    return key, nd.profile_originality(profile, freq) or 0.0


def _attach(item: tuple[int, Mapping[str, Iterable]]) -> Iterable[IndexEntry]:
    _, joined = item
    scores = list(joined["score"])
    for entry in joined["entry"]:
        yield dataclasses.replace(entry, originality=scores[0] if scores else None)


class WithOriginality(beam.PTransform):
    """IndexEntry of this run's kept articles -> the same with `originality`: the score the
    stage gives every article (`near_dup.profile_originality` against the run's WordFreq),
    joined by article key (no side input proportional to the run's articles)."""

    def __init__(self, profiles: beam.PCollection, freq: beam.PCollection) -> None:
        super().__init__()
        self._profiles, self._freq = profiles, freq

    def expand(self, entries: beam.PCollection[IndexEntry]) -> beam.PCollection[IndexEntry]:
        scores = self._profiles | "Score" >> beam.Map(_score, beam.pvalue.AsSingleton(self._freq))
        keyed = entries | "ByKey" >> beam.Map(lambda e: (article_key(e.uid), e))
        return (
            {"entry": keyed, "score": scores}
            | "Join" >> beam.CoGroupByKey()
            | "Attach" >> beam.FlatMap(_attach).with_output_types(IndexEntry)
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
            | "AsSet" >> beam.combiners.ToSet()
        )
        return stored | "Drop" >> beam.FlatMap(
            _drop, beam.pvalue.AsSingleton(gone)
        ).with_output_types(IndexEntry)
