"""The Spindrift ingest job: raw news text files -> Hive-partitioned Parquet.

    python -m pipelines.ingest --input 'news/*.txt' --output out [Beam flags ...]

Reads whole files, decodes them, normalizes their headers, tags language and publication date,
drops duplicates, and writes articles, duplicates and quarantine; then a run manifest.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

import pipelines.coders  # (registers fast coders for our records; see module doc)
from pipelines.config import PipelineConfig
from pipelines.lake import layout, objstore
from pipelines.lake.commit import begin, publish, recover
from pipelines.lake.compact import stage_ledger_compaction
from pipelines.lake.errors import LockedError
from pipelines.lake.guards import check_paths
from pipelines.lake.lock import run_lock
from pipelines.lake.state import load_state
from pipelines.lake.supersede import stage_supersede
from pipelines.options import (
    JobArgs,
    UsageError,
    check_output,
    parse_args,
    resolve_inputs,
)
from pipelines.progress import ProgressLine, RunProgress, live_terminal, result_counters
from pipelines.quiet import filter_relayed_worker_logs, filtered_stderr
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.store import ReadIndex, ReadLedger
from pipelines.summary import summary as run_summary
from pipelines.transforms.boilerplate import RemoveBoilerplate
from pipelines.transforms.dedup import AttachFamilies, DropDuplicates
from pipelines.transforms.dedup.supersede import KeepCurrent
from pipelines.transforms.late import Listed
from pipelines.transforms.ledger import RecordLedger, SkipIngested
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadArticles
from pipelines.transforms.tag import RetagCleaned, TagDate, TagLanguage
from pipelines.transforms.write import PublishRun


@dataclass(frozen=True)
class RunResult:
    """What a finished run wrote: the manifest's content and where the manifest is."""

    manifest: dict[str, Any]
    manifest_path: str


def build(
    pipeline: beam.Pipeline,
    inputs: Listed,
    config: PipelineConfig,
    run: RunContext,
    index: Listed = (),
    ledger: Listed = (),
    ledger_only: Listed | None = None,
) -> beam.PCollection[dict]:
    """Apply the ingest stages to `pipeline`; reads top to bottom like the job description.

    `index` and `ledger`: the state files earlier runs left under `_index/` and `_ledger/`;
    `ledger_only`: when the run's input paths are known (a streaming commit), their canonical
    form, so only their ledger entries are read.
    Each list may be a LateList, read when the pipeline runs (streaming commits build their
    graph before they know their files: `pipelines/streaming/microbatch.py`).
    """
    read = pipeline | "ReadArticles" >> ReadArticles(inputs, config.read, run)
    ingested = pipeline | "ReadLedger" >> ReadLedger(ledger, ledger_only)
    fresh = (read["files"], read["quarantine"]) | "SkipIngested" >> SkipIngested(ingested)
    decoded = fresh.files | "DecodeText" >> DecodeText(config.decode, run)
    normalized = decoded.decoded | "NormalizeHeaders" >> NormalizeHeaders(config.header, run)
    tagged = (
        normalized.articles
        | "TagLanguage" >> TagLanguage(config.language)
        | "TagDate" >> TagDate(run)
    )
    stored = pipeline | "ReadIndex" >> ReadIndex(index)
    cleaned = tagged | "RemoveBoilerplate" >> RemoveBoilerplate(config.boilerplate, stored)
    # Only checked bodies can have lost lines; the untouched part keeps its tag.
    cleaned = cleaned._replace(
        checked=cleaned.checked | "RetagCleaned" >> RetagCleaned(config.language)
    )
    deduped = cleaned | "DropDuplicates" >> DropDuplicates(
        config.dedup, stored, config.index.supersede
    )
    quarantined = (
        fresh.quarantine,
        decoded.quarantine,
        normalized.quarantine,
    ) | "CollectQuarantine" >> beam.Flatten()
    ledger_entries = (
        deduped.articles,
        deduped.duplicates,
        quarantined,
    ) | "RecordLedger" >> RecordLedger(run)
    current = stored | "DropSupersededEntries" >> KeepCurrent(deduped.superseded)
    index_entries = (
        (current, deduped.index)
        | "CollectIndex" >> beam.Flatten()
        | "AttachFamilies" >> AttachFamilies(deduped.families)
    )
    outputs = {
        "articles": deduped.articles,
        "duplicates": deduped.duplicates,
        "quarantine": quarantined,
        "index": index_entries,
        "ledger": ledger_entries,
        "matched": read["matched"],
        "already_ingested": fresh.skipped,
        "skipped": read["skipped"],
        "superseded": deduped.superseded,
    }
    # Partition sizes come from the articles as tagged last (RetagCleaned may move one).
    hint = (cleaned.untouched, cleaned.checked) | "BeforeDedup" >> beam.Flatten()
    return outputs | "PublishRun" >> PublishRun(config.write, config.index, run, hint)


def run(argv: Sequence[str] | JobArgs | None = None, *, imports_s: float = 0.0) -> RunResult:
    """Validate arguments, run the job to completion, write the manifest and return it.

    `argv`: a `spindrift ingest` command line (job flags and Beam flags) or its parsed form.
    `imports_s`: seconds the caller spent importing, recorded as part of start-up.
    Raises UsageError for bad arguments before anything runs, LockedError when another run
    holds the output folder, StateError when the lake's state cannot be trusted (naming the
    file and the fix); the commit protocol is `pipelines/lake/commit.py`.
    """
    clock = _Clock()
    job = argv if isinstance(argv, JobArgs) else parse_args(sys.argv[1:] if argv is None else argv)
    args = list(job.beam_args)
    if not any(a.startswith("--default_sdk_harness_log_level") for a in args):
        # SDK worker processes (multi_processing, portable runners) log every bundle at INFO.
        args.append("--default_sdk_harness_log_level=WARNING")
    options = PipelineOptions(args)
    # The driver's own file-system calls (output probe, input globs, the commit) reach
    # object stores with the run's options (--s3_endpoint_url …), as the workers do.
    FileSystems.set_options(options)
    objstore.configure(objstore.S3Settings.from_options(options.get_all_options()))
    output_arg = check_paths(job.output, job.inputs)
    inputs = [layout.canonical(p) for p in resolve_inputs(job.inputs)]
    output = check_output(output_arg)
    config = job.config
    ctx = RunContext.new(output)
    clock.lap("checks")

    with run_lock(output, ctx.run_id) as lock:
        recovered = recover(output, lock.assert_held)
        begin(output, ctx.run_id)
        state = load_state(output)
        clock.lap("state")
        started = time.monotonic()
        progress = RunProgress()
        live = job.progress and live_terminal(sys.stderr)
        runner = resolve_runner(options, progress, poll=live)
        pipeline = beam.Pipeline(runner=runner, options=options)
        build(pipeline, inputs, config, ctx, state.index, state.ledger)
        clock.lap("graph")
        quiet_workers = job.log_level >= logging.WARNING
        with (
            _maybe(filtered_stderr(), quiet_workers) as terminal,
            ProgressLine(progress, terminal if job.progress else _NO_TTY),
        ):
            result = pipeline.run()
            result.wait_until_finish()
        seconds = time.monotonic() - started
        clock.lap("run")
        if progress.first_bundle_at is not None:
            clock.split("run", "runner_start", progress.first_bundle_at - clock.mark_before("run"))
        counters = result_counters(result)

        extra = {
            "inputs": job.inputs or inputs,
            "output": output,
            "started_at": ctx.started_at.isoformat(),
            "recovered_runs": recovered,
            "counters": counters,
            "timings": {"wall_seconds": round(seconds, 3), "imports": round(imports_s, 3),
                        **clock.rounded()},
            "options": options.get_all_options(drop_default=True, retain_unknown_options=True),
            "config": asdict(config),
        }  # fmt: skip
        if job.config_file:
            extra["config_file"] = job.config_file
        # Committed by the driver, under the lock it still holds (the fence), never a worker;
        # published rows a new article supersedes are rewritten first, staged with the run.
        stage_supersede(output, ctx.run_id, state.snapshot, config.write)
        compacting = time.monotonic()
        stage_ledger_compaction(output, ctx.run_id, state.snapshot, config.write)
        extra["timings"]["ledger_compaction"] = round(time.monotonic() - compacting, 3)
        manifest = publish(output, ctx.run_id, state.snapshot, lock.assert_held, extra)
    return RunResult(manifest=manifest, manifest_path=layout.manifest_path(output, ctx.run_id))


class _Clock:
    """Named laps of the driver's time (seconds), for the manifest and the summary."""

    def __init__(self) -> None:
        self._last = time.monotonic()
        self._starts: dict[str, float] = {}
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self._starts[name] = self._last
        self.laps[name] = now - self._last
        self._last = now

    def mark_before(self, name: str) -> float:
        return self._starts[name]

    def split(self, name: str, first: str, seconds: float) -> None:
        """Carve the first `seconds` of lap `name` out as lap `first`."""
        seconds = min(max(seconds, 0.0), self.laps[name])
        self.laps = {
            **{k: v for k, v in self.laps.items() if k != name},
            first: seconds,
            name: self.laps[name] - seconds,
        }

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.laps.items()}


class _NoTty(io.StringIO):
    def isatty(self) -> bool:
        return False


_NO_TTY = _NoTty()


@contextlib.contextmanager
def _maybe(context, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield sys.stderr
        return
    with context as value:
        yield value


def summary(result: RunResult) -> str:
    """A short human summary of a finished run (see pipelines/summary.py)."""
    return run_summary(result.manifest, result.manifest_path)


# Beam loggers that log a failing element's traceback (once per layer) before the error
# reaches main(), which reports it in one line; with --debug or -v they speak again.
_LOUD_ON_FAILURE = (
    "apache_beam.runners.common",
    "apache_beam.runners.worker.sdk_worker",
    "apache_beam.runners.worker.bundle_processor",
    "apache_beam.runners.portability.fn_api_runner",
)


def configure_logging(level: int, debug: bool = False) -> None:
    """Log to stderr at `level`; Beam's per-layer failure tracebacks only with --debug/-v."""
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    quiet = level >= logging.WARNING and not debug
    if level >= logging.WARNING:
        filter_relayed_worker_logs()
    for name in _LOUD_ON_FAILURE:
        logging.getLogger(name).setLevel(logging.CRITICAL if quiet else logging.NOTSET)


def failure_line(exc: BaseException) -> str:
    """The first line of an error's message; when it only announces a list ("...errors:"),
    the first item too, so the one line says what went wrong."""
    lines = [" ".join(line.split()) for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return ""
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def main(argv: Sequence[str] | None = None) -> int:
    """`spindrift ingest`: exit 0 done, 1 run failed, 2 bad arguments, 3 output locked."""
    imports_s = time.monotonic() - pipelines.PROCESS_STARTED
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        job = parse_args(args)
        configure_logging(job.log_level, job.debug)
        if job.watch is not None:  # streaming: continuous micro-batches (pipelines/streaming)
            from pipelines.streaming.watch import watch

            return watch(job, job.watch)
        result = run(job, imports_s=imports_s)
    except UsageError as exc:
        print(f"spindrift: error: {exc}", file=sys.stderr)
        return 2
    except LockedError as exc:
        print(f"spindrift: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first = failure_line(exc)
        hint = "" if debug else "  (--debug shows the traceback)"
        print(f"spindrift: run failed: {type(exc).__name__}: {first}{hint}", file=sys.stderr)
        return 1
    if not job.quiet:
        try:
            print(summary(result), flush=True)
        except BrokenPipeError:  # `spindrift ingest ... | head`: the reader left; not a failure
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
