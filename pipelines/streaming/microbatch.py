"""One streaming commit: the batch job's pipeline over a bounded set of landed files.

The same `pipelines.ingest.build` graph and the same commit protocol as a batch run (ledger
skip, dedup within the commit and against the index, staged files, journal, snapshot swap,
manifest); the manifest gains a `streaming` section with the commit's freshness figures.
Called with the watcher's lock held (the fence is the lock's), usually in a forked child that
is prepared (graph built and translated) while the previous commit runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

import pipelines.coders  # noqa: F401  (fast coders for our records, as in the batch job)
from pipelines.ingest import build
from pipelines.lake import files
from pipelines.lake.commit import publish
from pipelines.lake.compact import stage_ledger_compaction
from pipelines.lake.layout import canonical
from pipelines.lake.lock import RunLock
from pipelines.lake.state import State, load_state
from pipelines.lake.supersede import stage_supersede
from pipelines.options import JobArgs
from pipelines.progress import result_counters
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.streaming.scan import Landed
from pipelines.transforms.late import LateList

SPEC_FILE = "spec.json"  # in the commit's staging folder: its inputs, index and ledger files


class CachedViewOptions(PipelineOptions):
    """PipelineOptions whose `view_as` makes one view per options class.

    Beam builds a fresh view (an argparse parser over every options class) on each
    `view_as`, ~1,300 times while one commit's graph is built and run; views share the
    option values (`_all_options`), so one view per class holds the same state. Measured on
    3 x 20-file commits, load ~4: graph CPU 1.0-1.6 s -> 0.5-0.9 s, commit CPU 2.3-3.6 s ->
    2.1-2.5 s. Only the watcher uses it (a long-lived process builds many graphs).
    """

    def view_as(self, cls):  # type: ignore[override]
        views = self.__dict__.setdefault("_spindrift_views", {})  # bypasses option attributes
        if cls not in views:
            views[cls] = super().view_as(cls)
        return views[cls]


def glob_literal(path: str) -> str:
    """`path` as a pattern matching only itself (the reader treats * ? [ as glob characters)."""
    if not any(ch in path for ch in "*?["):
        return path
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in path)


def _percentile(values: Sequence[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def freshness(files: Sequence[Landed], visible_at: float) -> dict[str, float]:
    """Seconds from landing to the commit point for a commit's files (p50, p95, max)."""
    lags = sorted(max(0.0, visible_at - f.landed_at) for f in files)
    return {
        "p50": round(_percentile(lags, 50), 3),
        "p95": round(_percentile(lags, 95), 3),
        "max": round(lags[-1], 3),
    }


@dataclass(frozen=True)
class Order:
    """What the watcher hands a prepared commit: its files, the backlog behind them (files
    still pending), and when it picked them (epoch s; the restart seed's cut-off)."""

    files: tuple[Landed, ...]
    backlog: int
    picked_at: float

    def to_json(self) -> dict[str, Any]:
        return {"files": [asdict(f) for f in self.files], "backlog": self.backlog,
                "picked_at": self.picked_at}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Order:
        files = tuple(Landed(**f) for f in data["files"])
        return cls(files, int(data["backlog"]), float(data["picked_at"]))


class Cancelled(Exception):
    """The watcher stopped before this prepared commit got its files."""


class PreparedCommit:
    """One commit whose pipeline is built before it knows its files.

    The graph reads its inputs and the lake's index and ledger file lists from the commit's
    spec (`LateList`s of `_staging/<run>/spec.json`); on the DirectRunner it is also
    translated (proto, fused stages) before the gate. `run(receive)` waits there for its
    `Order`, loads the lake's state, writes the spec and executes. The watcher prepares the
    next commit while the current one runs, so graph building and translation (~45 % of a
    small commit's CPU) are off the path from landing to queryable.
    """

    def __init__(
        self, job: JobArgs, output: str, ctx: RunContext, lock: RunLock, options: PipelineOptions
    ) -> None:
        started, cpu_started = time.monotonic(), time.process_time()
        self._job, self._output, self._ctx, self._lock = job, output, ctx, lock
        self._spec = f"{ctx.staging}/{SPEC_FILE}"
        runner = resolve_runner(options, gate=self._gate)
        self._gated = not isinstance(runner, str)  # other runners: the gate precedes run()
        self._options = options
        self._pipeline = beam.Pipeline(runner=runner, options=options)
        late = {k: LateList(self._spec, k) for k in ("inputs", "index", "ledger", "paths")}
        build(
            self._pipeline, late["inputs"], job.config, ctx, late["index"], late["ledger"],
            late["paths"],
        )  # fmt: skip
        self._built = (time.monotonic() - started, time.process_time() - cpu_started)
        self._prepare_began = (started, cpu_started)
        self._receive: Callable[[], Order | None] = lambda: None
        self._order: Order | None = None
        self._state: State | None = None
        self._marks: dict[str, float] = {}

    def _gate(self) -> None:
        began, cpu_began = self._prepare_began
        self._marks["prepare"] = time.monotonic() - began
        self._marks["prepare_cpu_seconds"] = time.process_time() - cpu_began
        order = self._receive()
        if order is None:
            raise Cancelled(self._ctx.run_id)
        self._go = (time.monotonic(), time.process_time())
        self._order = order
        self._state = load_state(self._output)
        self._marks["state"] = time.monotonic() - self._go[0]
        inputs = [glob_literal(f.path) for f in order.files]
        spec = {
            "inputs": inputs,
            "index": self._state.index,
            "ledger": self._state.ledger,
            # What the reader will record them as (`source_uri`): the ledger rows to read.
            "paths": [canonical(f.path) for f in order.files],
        }
        files.write_json_atomic(self._spec, spec)

    def run(self, receive: Callable[[], Order | None]) -> dict[str, Any] | None:
        """Wait for the order (`receive()`; None: cancelled, returns None), run the pipeline
        over its files and publish it as run `ctx.run_id`; returns the manifest."""
        self._receive = receive
        try:
            if not self._gated:
                self._gate()
            ran_from = time.monotonic()
            result = self._pipeline.run()
            result.wait_until_finish()
        except Cancelled:
            return None
        ran = time.monotonic()
        visible_at = time.time()  # the snapshot swap follows within milliseconds
        order, state, ctx, marks = self._order, self._state, self._ctx, self._marks
        assert order is not None and state is not None  # set by the gate
        go, cpu_go = self._go
        run_s = ran - max(go + marks["state"], ran_from)
        extra = {
            "inputs": self._job.inputs,
            "output": self._output,
            "started_at": ctx.started_at.isoformat(),
            "recovered_runs": {"rolled_forward": [], "rolled_back": []},
            "counters": result_counters(result),
            "timings": {
                # From the order to the end of the pipeline: the commit's share of the lag.
                "wall_seconds": round(ran - go, 3),
                "state": round(marks["state"], 3),
                "run": round(run_s, 3),
                # CPU over the same span: beside the wall time, how much of the commit was
                # work and how much waiting for a core on a shared machine.
                "cpu_seconds": round(time.process_time() - cpu_go, 3),
                # Before the order: the graph built (and, on the DirectRunner, translated).
                "graph": round(self._built[0], 3),
                "prepare": round(marks["prepare"], 3),
                "prepare_cpu_seconds": round(marks["prepare_cpu_seconds"], 3),
            },
            "options": self._options.get_all_options(
                drop_default=True, retain_unknown_options=True
            ),
            "config": asdict(self._job.config),
            "streaming": {
                "files": len(order.files),
                "bytes": sum(f.size for f in order.files),
                "backlog": order.backlog,
                "first_landed_at": min(f.landed_at for f in order.files),
                "last_landed_at": max(f.landed_at for f in order.files),
                "picked_at": round(order.picked_at, 3),
                "visible_at": round(visible_at, 3),
                "freshness_seconds": freshness(order.files, visible_at),
            },
        }
        if self._job.config_file:
            extra["config_file"] = self._job.config_file
        lock = self._lock
        write = self._job.config.write
        began = time.monotonic()
        stage_supersede(self._output, ctx.run_id, state.snapshot, write)
        compacting = time.monotonic()
        stage_ledger_compaction(self._output, ctx.run_id, state.snapshot, write)
        timings = extra["timings"]
        timings["supersede"] = round(compacting - began, 3)
        timings["ledger_compaction"] = round(time.monotonic() - compacting, 3)
        return publish(self._output, ctx.run_id, state.snapshot, lock.assert_held, extra)


def commit_batch(
    job: JobArgs,
    output: str,
    files: Sequence[Landed],
    ctx: RunContext,
    lock: RunLock,
    backlog: int,
    options: PipelineOptions,
) -> dict[str, Any]:
    """Run the ingest pipeline over `files` and publish it as run `ctx.run_id` (in this
    process, without preparing ahead); returns the manifest. `backlog`: files still pending
    after this commit was picked."""
    order = Order(tuple(files), backlog, time.time())
    manifest = PreparedCommit(job, output, ctx, lock, options).run(lambda: order)
    assert manifest is not None  # an order was given
    return manifest
