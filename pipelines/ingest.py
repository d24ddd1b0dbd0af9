"""The Spindrift ingest job: raw news text files -> Hive-partitioned Parquet.

    python -m pipelines.ingest --input 'news/*.txt' --output out [Beam flags ...]

Reads whole files, decodes them, normalizes their headers, tags language and publication date,
drops duplicates, and writes articles, duplicates and quarantine; then a run manifest.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

import pipelines.coders  # noqa: F401  (registers fast coders for our records; see module doc)
from pipelines.config import PipelineConfig
from pipelines.lake import layout
from pipelines.lake.commit import publish, recover
from pipelines.lake.errors import LockedError
from pipelines.lake.guards import check_paths
from pipelines.lake.lock import run_lock
from pipelines.lake.state import load_state
from pipelines.options import (
    IngestOptions,
    UsageError,
    check_output,
    pipeline_config,
    resolve_inputs,
)
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.store import ReadIndex, ReadLedger
from pipelines.transforms.dedup import DropDuplicates
from pipelines.transforms.ledger import RecordLedger, SkipIngested
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadArticles
from pipelines.transforms.tag import TagDate, TagLanguage
from pipelines.transforms.write import PublishRun


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
    fresh = (read["files"], read["quarantine"]) | "SkipIngested" >> SkipIngested(ingested)
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
        fresh.quarantine,
        decoded.quarantine,
        normalized.quarantine,
    ) | "CollectQuarantine" >> beam.Flatten()
    ledger_entries = (
        deduped.articles,
        deduped.duplicates,
        quarantined,
    ) | "RecordLedger" >> RecordLedger(run)
    index_entries = (stored, deduped.index) | "CollectIndex" >> beam.Flatten()
    outputs = {
        "articles": deduped.articles,
        "duplicates": deduped.duplicates,
        "quarantine": quarantined,
        "index": index_entries,
        "ledger": ledger_entries,
        "matched": read["matched"],
        "already_ingested": fresh.skipped,
        "skipped": read["skipped"],
    }
    return outputs | "PublishRun" >> PublishRun(config.write, config.index, run, tagged)


def run(argv: Sequence[str] | None = None) -> RunResult:
    """Validate arguments, run the job to completion, write the manifest and return it.

    Raises UsageError for bad arguments before anything runs, LockedError when another run
    holds the output folder, StateError when the lake's state cannot be trusted (naming the
    file and the fix); the commit protocol is `pipelines/lake/commit.py`.
    """
    args = list(argv) if argv is not None else sys.argv[1:]
    if not any(a.startswith("--default_sdk_harness_log_level") for a in args):
        # SDK worker processes (multi_processing, portable runners) log every bundle at INFO.
        args.append("--default_sdk_harness_log_level=WARNING")
    options = PipelineOptions(args)
    ingest = options.view_as(IngestOptions)
    output_arg = check_paths(ingest.output, ingest.input)
    inputs = [layout.canonical(p) for p in resolve_inputs(ingest.input)]
    output = check_output(output_arg)
    config = pipeline_config(ingest)
    ctx = RunContext.new(output)

    with run_lock(output, ctx.run_id) as lock:
        recovered = recover(output, lock.assert_held)
        state = load_state(output)
        started = time.monotonic()
        pipeline = beam.Pipeline(runner=resolve_runner(options), options=options)
        build(pipeline, inputs, config, ctx, state.index, state.ledger)
        pipeline.run().wait_until_finish()
        seconds = time.monotonic() - started
        extra = {
            "inputs": inputs,
            "output": output,
            "started_at": ctx.started_at.isoformat(),
            "recovered_runs": recovered,
            "timings": {"wall_seconds": round(seconds, 3)},
            "options": options.get_all_options(drop_default=True, retain_unknown_options=True),
            "config": asdict(config),
        }
        # Committed by the driver, under the lock it still holds (the fence), never a worker.
        manifest = publish(output, ctx.run_id, state.snapshot, lock.assert_held, extra)
    return RunResult(manifest=manifest, manifest_path=layout.manifest_path(output, ctx.run_id))


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


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        result = run(argv)
    except UsageError as exc:
        print(f"spindrift: error: {exc}", file=sys.stderr)
        return 2
    except LockedError as exc:
        print(f"spindrift: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        print(f"spindrift: run failed: {type(exc).__name__}: {first}", file=sys.stderr)
        return 1
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
