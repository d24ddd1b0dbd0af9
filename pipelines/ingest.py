"""The Spindrift ingest job: raw news text files -> Hive-partitioned Parquet.

    python -m pipelines.ingest --input 'news/*.txt' --output out [Beam flags ...]

Reads whole files, decodes them, normalizes their headers, tags language and publication date,
drops duplicates, and writes articles, duplicates and quarantine; then a run manifest.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import PipelineConfig
from pipelines.options import (
    IngestOptions,
    UsageError,
    check_output,
    pipeline_config,
    resolve_inputs,
)
from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner
from pipelines.transforms.dedup import DropDuplicates
from pipelines.transforms.normalize import DecodeText, NormalizeHeaders
from pipelines.transforms.read import ReadArticles
from pipelines.transforms.tag import TagDate, TagLanguage
from pipelines.transforms.write import (
    COMMIT_FILE,
    CommitRun,
    WriteDuplicates,
    WritePartitions,
    WriteQuarantine,
)


@dataclass(frozen=True)
class RunResult:
    """What a finished run wrote: the manifest's content and where the manifest is."""

    manifest: dict[str, Any]
    manifest_path: str


def build(pipeline: beam.Pipeline, inputs: list[str], config: PipelineConfig, run: RunContext):
    """Apply the ingest stages to `pipeline`; reads top to bottom like the job description."""
    read = pipeline | "ReadArticles" >> ReadArticles(inputs, config.read, run)
    decoded = read["files"] | "DecodeText" >> DecodeText(config.decode, run)
    normalized = decoded.decoded | "NormalizeHeaders" >> NormalizeHeaders(config.header, run)
    tagged = (
        normalized.articles
        | "TagLanguage" >> TagLanguage(config.language)
        | "TagDate" >> TagDate(run)
    )
    deduped = tagged | "DropDuplicates" >> DropDuplicates(config.dedup)
    quarantined = (
        read["quarantine"],
        decoded.quarantine,
        normalized.quarantine,
    ) | "CollectQuarantine" >> beam.Flatten()
    staged = (
        deduped.articles | "WritePartitions" >> WritePartitions(config.write, run),
        deduped.duplicates | "WriteDuplicates" >> WriteDuplicates(config.write, run),
        quarantined | "WriteQuarantine" >> WriteQuarantine(config.write, run),
    ) | "CollectStaged" >> beam.Flatten()
    return staged | "CommitRun" >> CommitRun(read["matched"], run)


def run(argv: Sequence[str] | None = None) -> RunResult:
    """Validate arguments, run the job to completion, write the manifest and return it.

    Raises UsageError for bad arguments before anything runs.
    """
    options = PipelineOptions(list(argv) if argv is not None else sys.argv[1:])
    ingest = options.view_as(IngestOptions)
    inputs = resolve_inputs(ingest.input)
    output = check_output(ingest.output)
    config = pipeline_config(ingest)
    ctx = RunContext.new(output)

    started = time.monotonic()
    pipeline = beam.Pipeline(runner=resolve_runner(options), options=options)
    build(pipeline, inputs, config, ctx)
    pipeline.run().wait_until_finish()
    seconds = time.monotonic() - started

    with FileSystems.open(f"{ctx.staging}/{COMMIT_FILE}") as handle:
        stats = json.loads(handle.read())
    manifest = {
        **stats,
        "inputs": inputs,
        "output": output,
        "started_at": ctx.started_at.isoformat(),
        "timings": {"wall_seconds": round(seconds, 3)},
        "options": options.get_all_options(drop_default=True, retain_unknown_options=True),
        "config": _describe(config),
    }
    manifest_path = f"{output}/_runs/{ctx.run_id}.json"
    with FileSystems.create(manifest_path) as handle:
        handle.write(json.dumps(manifest, indent=2, default=str).encode("utf-8"))
    FileSystems.delete([ctx.staging])
    return RunResult(manifest=manifest, manifest_path=manifest_path)


def _describe(config: PipelineConfig) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(config)


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
    except Exception as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        print(f"spindrift: run failed: {type(exc).__name__}: {first}", file=sys.stderr)
        return 1
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
