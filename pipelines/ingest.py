"""The Spindrift ingest job: raw news text files -> Hive-partitioned Parquet.

    python -m pipelines.ingest --input 'news/*.txt' --output out [Beam flags ...]

Reads whole files, decodes them, normalizes their headers, tags language and publication date,
drops duplicates, and writes articles, duplicates and quarantine; then a run manifest.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

import pipelines.coders  # noqa: F401  (registers fast coders for our records; see module doc)
from pipelines.config import PipelineConfig
from pipelines.options import (
    JobArgs,
    UsageError,
    check_output,
    parse_args,
    resolve_inputs,
)
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.store import (
    LockedError,
    ReadIndex,
    ReadLedger,
    index_files,
    ledger_files,
    recover,
    run_lock,
    write_manifest,
)
from pipelines.transforms.dedup import DropDuplicates
from pipelines.transforms.ledger import RecordLedger, SkipIngested
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadArticles
from pipelines.transforms.tag import TagDate, TagLanguage
from pipelines.transforms.write import (
    CommitRun,
    WriteDuplicates,
    WriteIndex,
    WriteLedger,
    WritePartitions,
    WriteQuarantine,
    read_journal,
)


@dataclass(frozen=True)
class RunResult:
    """What a finished run wrote: the manifest's content and where the manifest is."""

    manifest: dict[str, Any]
    manifest_path: str


def build(
    pipeline: beam.Pipeline,
    inputs: list[str],
    config: PipelineConfig,
    run: RunContext,
    index: Sequence[str] = (),
    ledger: Sequence[str] = (),
) -> beam.PCollection[dict]:
    """Apply the ingest stages to `pipeline`; reads top to bottom like the job description.

    `index` and `ledger`: the state files earlier runs left under `_index/` and `_ledger/`.
    """
    read = pipeline | "ReadArticles" >> ReadArticles(inputs, config.read, run)
    ingested = pipeline | "ReadLedger" >> ReadLedger(ledger)
    fresh = read["files"] | "SkipIngested" >> SkipIngested(ingested)
    decoded = fresh.files | "DecodeText" >> DecodeText(config.decode, run)
    normalized = decoded.decoded | "NormalizeHeaders" >> NormalizeHeaders(config.header, run)
    tagged = (
        normalized.articles
        | "TagLanguage" >> TagLanguage(config.language)
        | "TagDate" >> TagDate(run)
    )
    stored = pipeline | "ReadIndex" >> ReadIndex(index)
    deduped = tagged | "DropDuplicates" >> DropDuplicates(config.dedup, stored)
    quarantined = (
        read["quarantine"],
        decoded.quarantine,
        normalized.quarantine,
    ) | "CollectQuarantine" >> beam.Flatten()
    ledger_entries = (
        deduped.articles,
        deduped.duplicates,
        quarantined,
    ) | "RecordLedger" >> RecordLedger(run)
    index_entries = (stored, deduped.index) | "CollectIndex" >> beam.Flatten()
    staged = (
        deduped.articles | "WritePartitions" >> WritePartitions(config.write, run, tagged),
        deduped.duplicates | "WriteDuplicates" >> WriteDuplicates(config.write, run),
        quarantined | "WriteQuarantine" >> WriteQuarantine(config.write, run),
        index_entries | "WriteIndex" >> WriteIndex(config.write, config.index, run),
        ledger_entries | "WriteLedger" >> WriteLedger(config.write, run, read["matched"]),
    ) | "CollectStaged" >> beam.Flatten()
    return staged | "CommitRun" >> CommitRun(read["matched"], fresh.skipped, list(index), run)


def run(argv: Sequence[str] | JobArgs | None = None) -> RunResult:
    """Validate arguments, run the job to completion, write the manifest and return it.

    `argv`: a `spindrift ingest` command line (job flags and Beam flags) or its parsed form.
    Raises UsageError for bad arguments before anything runs, LockedError when another run
    holds the output folder.
    """
    job = argv if isinstance(argv, JobArgs) else parse_args(sys.argv[1:] if argv is None else argv)
    args = list(job.beam_args)
    if not any(a.startswith("--default_sdk_harness_log_level") for a in args):
        # SDK worker processes (multi_processing, portable runners) log every bundle at INFO.
        args.append("--default_sdk_harness_log_level=WARNING")
    options = PipelineOptions(args)
    inputs = resolve_inputs(job.inputs)
    output = check_output(job.output)
    config = job.config
    ctx = RunContext.new(output)

    with run_lock(output, ctx.run_id):
        recovered = recover(output)
        index, ledger = index_files(output), ledger_files(output)
        started = time.monotonic()
        pipeline = beam.Pipeline(runner=resolve_runner(options), options=options)
        build(pipeline, inputs, config, ctx, index, ledger)
        pipeline.run().wait_until_finish()
        seconds = time.monotonic() - started

        plan = read_journal(ctx.staging)
        manifest = {
            **plan["stats"],
            "inputs": job.inputs or inputs,
            "output": output,
            "started_at": ctx.started_at.isoformat(),
            "recovered_runs": recovered,
            "timings": {"wall_seconds": round(seconds, 3)},
            "options": options.get_all_options(drop_default=True, retain_unknown_options=True),
            "config": asdict(config),
        }
        manifest_path = write_manifest(output, ctx.run_id, manifest)
        FileSystems.delete([ctx.staging])
    return RunResult(manifest=manifest, manifest_path=manifest_path)


def summary(result: RunResult) -> str:
    """A short human summary of a finished run."""
    m = result.manifest
    langs = ", ".join(f"{k} {v}" for k, v in m["languages"].items()) or "none"
    dates = f"{m['date_min']} .. {m['date_max']}" if m["date_min"] else "no dates"
    return "\n".join(
        [
            f"run {m['run_id']} finished in {m['timings']['wall_seconds']:.1f}s",
            f"  files read:         {m['matched']}",
            f"  articles written:   {m['articles']}",
            f"  duplicates dropped: {m['duplicates']}",
            f"  already ingested:   {m['already_ingested']}",
            f"  quarantined:        {m['quarantined']}",
            f"  languages:          {langs}",
            f"  date range:         {dates}",
            f"  output:             {m['output']}  (manifest {result.manifest_path})",
        ]
    )


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
    for name in _LOUD_ON_FAILURE:
        logging.getLogger(name).setLevel(logging.CRITICAL if quiet else logging.NOTSET)


def main(argv: Sequence[str] | None = None) -> int:
    """`spindrift ingest`: exit 0 done, 1 run failed, 2 bad arguments, 3 output locked."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        job = parse_args(args)
        configure_logging(job.log_level, job.debug)
        result = run(job)
    except UsageError as exc:
        print(f"spindrift: error: {exc}", file=sys.stderr)
        return 2
    except LockedError as exc:
        print(f"spindrift: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:
        if debug:
            traceback.print_exc()
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        hint = "" if debug else "  (--debug shows the traceback)"
        print(f"spindrift: run failed: {type(exc).__name__}: {first}{hint}", file=sys.stderr)
        return 1
    if not job.quiet:
        print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
