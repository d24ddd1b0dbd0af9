"""Lists a pipeline reads when it runs rather than when it is built.

A streaming commit builds (and translates) its graph while the previous commit runs, before it
knows which files it will read or which index and ledger files the lake will hold then
(`pipelines/streaming/microbatch.py`): those lists come from one JSON document, the commit's
spec, written right before its pipeline executes. A batch run passes plain lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import apache_beam as beam

from pipelines.lake import files


@dataclass(frozen=True)
class LateList:
    """The list of strings under `key` of the JSON document at `path`, read at run time."""

    path: str
    key: str

    def read(self) -> list[str]:
        spec = files.read_json(self.path, "a commit's spec is written before its pipeline runs")
        values = spec[self.key]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"{self.path}: {self.key!r} must be a list of strings")
        return values


Listed = Sequence[str] | LateList


def create_list(pbegin: beam.pvalue.PBegin, label: str, values: Listed) -> beam.PCollection[str]:
    """`values` as a PCollection: `beam.Create` of a plain list (the batch graph, unchanged),
    or, for a LateList, one element read into its list when the pipeline runs."""
    if isinstance(values, LateList):
        return pbegin | label >> _ReadLate(values)
    return pbegin | label >> beam.Create(list(values))


class _ReadLate(beam.PTransform):
    def __init__(self, late: LateList) -> None:
        super().__init__()
        self._late = late

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection[str]:
        return (
            pbegin
            | "Spec" >> beam.Create([self._late])
            | "Values" >> beam.FlatMap(LateList.read).with_output_types(str)
        )
