"""The gated in-process runner of streaming commits (`pipelines/runners.py`)."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from pipelines.runners import GatedFnApiRunner, resolve_runner

EVENTS: list[tuple[str, ...]] = []  # the in-process runner's DoFns run in this process


class _Recorded(beam.DoFn):
    def __init__(self, name: str) -> None:
        self._name = name

    def setup(self) -> None:
        EVENTS.append(("setup", self._name))

    def process(self, element):
        EVENTS.append(("process", self._name))
        yield element


def test_gated_runner_prepares_every_stage_before_the_gate_and_reuses_it() -> None:
    EVENTS.clear()
    runner = resolve_runner(PipelineOptions([]), gate=lambda: EVENTS.append(("gate",)))
    assert isinstance(runner, GatedFnApiRunner)
    with beam.Pipeline(runner=runner) as p:
        grouped = (
            p
            | beam.Create([1, 2, 3])
            | "A" >> beam.ParDo(_Recorded("a"))
            | beam.GroupBy(lambda x: x % 2)  # a second fused stage
            | "B" >> beam.ParDo(_Recorded("b"))
            | beam.MapTuple(lambda key, values: (key, sorted(values)))
        )
        assert_that(grouped, equal_to([(0, [2]), (1, [1, 3])]))
    gate = EVENTS.index(("gate",))
    # Both stages' processors (DoFn.setup) were made before the gate, none after it.
    assert sorted(EVENTS[:gate]) == [("setup", "a"), ("setup", "b")]
    assert sorted(EVENTS[gate + 1 :]) == [("process", "a")] * 3 + [("process", "b")] * 2
