"""Command-line options of the ingest job, validated when the pipeline is built."""

from __future__ import annotations

import os
import uuid
from importlib import resources
from pathlib import Path

from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.config import MIB, PipelineConfig, ReadConfig, WriteConfig
from pipelines.core.index import IndexConfig


class UsageError(ValueError):
    """A bad argument: reported as one line, with a non-zero exit and no traceback."""


def default_input() -> str:
    """The embedded seed articles: the job's input when no --input is given."""
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    if not seeds.is_dir():  # installed from a wheel: the seeds ship as package data
        seeds = Path(str(resources.files("pipelines.seeds")))
    return str(seeds / "*.txt")


class IngestOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input",
            action="append",
            default=None,
            help="Glob or directory of raw article files; repeatable; any Beam file system "
            "(gs://, s3:// ...). Default: the seed articles shipped in seeds/.",
        )
        parser.add_argument("--output", default="out", help="Output folder (local or URI).")
        parser.add_argument(
            "--max_article_mb",
            type=float,
            default=ReadConfig.max_article_bytes / MIB,
            help="Inputs larger than this are quarantined as too_large.",
        )
        parser.add_argument(
            "--index_window_days",
            type=int,
            default=IndexConfig.window_days,
            help="Days before the newest date seen that the near-duplicate index keeps.",
        )
        parser.add_argument(
            "--rows_per_file",
            type=int,
            default=WriteConfig.rows_per_file,
            help="Target rows per Parquet file in each partition.",
        )


def _is_local(path: str) -> bool:
    return "://" not in path


def resolve_inputs(patterns: list[str] | None) -> list[str]:
    """Check every input matches at least one file; a local directory means its files.

    Raises UsageError naming the first input that is missing or matches nothing.
    """
    resolved = []
    for pattern in patterns or [default_input()]:
        if _is_local(pattern) and os.path.isdir(pattern):
            pattern = os.path.join(pattern, "*")
        try:
            found = FileSystems.match([pattern])[0].metadata_list
        except Exception as exc:
            raise UsageError(f"cannot match input {pattern!r}: {exc}") from None
        if not found:
            has_glob = any(ch in pattern for ch in "*?[")
            what = "matches no files" if has_glob else "does not exist"
            raise UsageError(f"input {pattern!r} {what}")
        resolved.append(pattern)
    return resolved


def check_output(output: str) -> str:
    """Create the output folder if needed and prove it is writable; return it without '/'."""
    output = output.rstrip("/") or "/"
    probe = f"{output}/_staging/.probe-{uuid.uuid4().hex}"
    try:
        if _is_local(output):
            if os.path.exists(output) and not os.path.isdir(output):
                raise UsageError(f"output {output!r} exists and is not a folder")
            os.makedirs(os.path.dirname(probe), exist_ok=True)
        with FileSystems.create(probe) as handle:
            handle.write(b"ok")
        FileSystems.delete([probe])
    except UsageError:
        raise
    except Exception as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise UsageError(f"output {output!r} is not writable: {reason}") from None
    return output


def pipeline_config(options: IngestOptions) -> PipelineConfig:
    """Stage configs from the command line; raises UsageError for out-of-range values."""
    try:
        return PipelineConfig(
            read=ReadConfig(
                max_article_bytes=int(options.max_article_mb * MIB),
                raw_cap=min(ReadConfig.raw_cap, int(options.max_article_mb * MIB)),
            ),
            write=WriteConfig(rows_per_file=options.rows_per_file),
            index=IndexConfig(window_days=options.index_window_days),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
