"""Family keys in the Beam graph: the candidate keys a run's dropped copies leave with their
survivors are merged per survivor and added to its index entry (`core/near_dup/family.py`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import apache_beam as beam

from pipelines.core.index import IndexEntry
from pipelines.core.near_dup import family
from pipelines.transforms.dedup.features import article_key


class _MergeFamilyKeys(beam.CombineFn):
    """Candidate keys (int64 bytes) of one survivor's dropped copies -> their merged set."""

    def create_accumulator(self) -> list[bytes]:
        return []

    def add_input(self, acc: list[bytes], keys: bytes) -> list[bytes]:
        acc.append(keys)
        return acc

    def merge_accumulators(self, accs: Iterable[list[bytes]]) -> list[bytes]:
        return [family.to_bytes(family.merge_keys(*(k for acc in accs for k in acc)))]

    def extract_output(self, acc: list[bytes]) -> bytes:
        return family.to_bytes(family.merge_keys(*acc))


def _with_family(entry: IndexEntry, families: Mapping[int, bytes]) -> IndexEntry:
    keys = families.get(article_key(entry.uid))
    if keys is None:
        return entry
    merged = family.to_bytes(family.merge_keys(entry.family_keys, keys))
    return dataclasses.replace(entry, family_keys=merged)


class AttachFamilies(beam.PTransform):
    """IndexEntry (stored and new) -> the same, each survivor with the candidate keys of the
    copies this run dropped for it added to its `family_keys` (`near_dup.family`).

    The families are a dict side input, proportional to this run's dropped copies (~0.5 KB
    each), like the dedup decisions."""

    def __init__(self, families: beam.PCollection | None) -> None:
        super().__init__()
        self._families = families

    def expand(self, entries: beam.PCollection[IndexEntry]) -> beam.PCollection[IndexEntry]:
        if self._families is None:
            return entries
        return entries | "WithFamily" >> beam.Map(
            _with_family, beam.pvalue.AsDict(self._families)
        ).with_output_types(IndexEntry)
