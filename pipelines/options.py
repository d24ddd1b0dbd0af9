"""Command-line options of the ingest job: strict parsing, then validation before anything runs.

The job's own flags are parsed here; everything else must be a flag one of Beam's option
classes (PipelineOptions subclasses) knows, or the run stops with exit code 2 and a
suggestion. Beam by itself only warns about flags it does not know and runs with defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import logging
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import (
    PipelineOptions,
    StandardOptions,
    _BeamArgumentParser,
)

from pipelines.config import MIB, PipelineConfig, ReadConfig, WriteConfig
from pipelines.config_file import ConfigFileError, load_config
from pipelines.core.index import IndexConfig
from pipelines.streaming.config import WatchConfig

BEAM_OPTIONS_DOC = (
    "https://beam.apache.org/releases/pydoc/current/apache_beam.options.pipeline_options.html"
)
_DIRECT_RUNNERS = {"DirectRunner", "direct", "directrunner", "FnApiRunner"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class UsageError(ValueError):
    """A bad argument: reported as one line, with a non-zero exit and no traceback."""


def default_input() -> str:
    """The embedded seed articles: the job's input when no --input is given."""
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    if not seeds.is_dir():  # installed from a wheel: the seeds ship as package data
        seeds = Path(str(resources.files("pipelines.seeds")))
    return str(seeds / "*.txt")


class IngestOptions(PipelineOptions):
    """The job's flags as Beam pipeline options, so runners (and their UIs) see them too."""

    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input", action="append", default=None, help="See spindrift ingest -h."
        )
        parser.add_argument("--output", default="out", help="Output folder (local or URI).")
        parser.add_argument(
            "--max_article_mb", type=float, default=ReadConfig.max_article_bytes / MIB
        )
        parser.add_argument("--index_window_days", type=int, default=IndexConfig.window_days)
        parser.add_argument("--rows_per_file", type=int, default=WriteConfig.rows_per_file)
        parser.add_argument("--config", default=None)


class _Parser(argparse.ArgumentParser):
    """argparse that raises UsageError instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


class _BeamParser(_BeamArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _positive_finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number > 0")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


HELP_EPILOG = f"""\
--input DIR reads the folder recursively: every regular file (or symlink to one) in it and its
sub-folders, whatever its extension; names starting with '.' (files or folders) are skipped and
symlinked folders are not followed. On object stores give a glob (gs://bucket/news/**).

Every Apache Beam pipeline option is accepted too and passed to the runner, e.g. --runner,
--direct_num_workers 2, --direct_running_mode multi_processing, --job_endpoint, --temp_location.
They are documented at {BEAM_OPTIONS_DOC}
(`spindrift ingest --beam-help` lists them all). An unknown or misspelt flag is an error.

--watch runs until stopped (SIGTERM or Ctrl-C: the commit in progress finishes or is rolled
back, exit 0): it picks up new and changed files under the --input folders or globs and
publishes them in small commits, each with the same rules and outputs as a batch run, and prints
one status line per commit. Move finished files into place (write to a '.name', then rename).
With --watch a new article that beats a published member of its duplicate group replaces it
(--supersede is on by default), so the lake ends with the survivors of one batch run over the
same files; --no-supersede keeps whatever was published first.

Exit codes: 0 done, 1 the run failed, 2 bad arguments, 3 another run holds the output's lock."""


def job_parser() -> argparse.ArgumentParser:
    """The `spindrift ingest` flags (job flags, tuning file, logging); not Beam's."""
    p = _Parser(
        prog="spindrift ingest",
        description="Turn raw news text files into a de-duplicated, partitioned Parquet lake.",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    job = p.add_argument_group("job")
    job.add_argument(
        "--input",
        action="append",
        metavar="GLOB|DIR|FILE",
        help="what to read; repeatable; any Beam file system (gs://, s3:// ...). "
        "Default: the seed articles shipped in seeds/",
    )
    job.add_argument("--output", default="out", metavar="DIR", help="lake folder (default: out)")
    job.add_argument(
        "--max_article_mb",
        type=_positive_finite,
        metavar="MB",
        help=f"inputs larger than this are quarantined as too_large "
        f"(default: {ReadConfig.max_article_bytes / MIB:g})",
    )
    job.add_argument(
        "--index_window_days",
        type=_int,
        metavar="DAYS",
        help="days before the newest date seen that the near-duplicate index keeps "
        f"(default: {IndexConfig.window_days})",
    )
    job.add_argument(
        "--rows_per_file",
        type=_int,
        metavar="N",
        help="target rows per Parquet file in each partition "
        f"(default: {WriteConfig.rows_per_file})",
    )
    job.add_argument(
        "--supersede",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a new article that beats a published member of its duplicate group by the batch "
        "rule (earlier date, then originality) replaces it: its published row moves to "
        "duplicates, rewritten copy-on-write in the same commit (default: on with --watch, "
        "so a stream ends with one batch run's survivors; off for batch runs, which never "
        "rewrite published partitions)",
    )
    job.add_argument(
        "--config",
        metavar="FILE.toml",
        help="tuning knobs of every stage (tables read, decode, header, language, dedup, index, "
        "write; see README); the flags above win over the file",
    )
    stream = p.add_argument_group("streaming")
    stream.add_argument(
        "--watch",
        action="store_true",
        help="run until stopped, committing new and changed input files as they land",
    )
    stream.add_argument(
        "--max_commit_files",
        type=_int,
        metavar="N",
        help=f"at most N files per commit (default: {WatchConfig.max_files})",
    )
    stream.add_argument(
        "--max_commit_mb",
        type=_positive_finite,
        metavar="MB",
        help=f"at most MB of input per commit (default: {WatchConfig.max_bytes / MIB:g})",
    )
    stream.add_argument(
        "--poll_seconds",
        type=_positive_finite,
        metavar="S",
        help=f"how often the inputs are listed (default: {WatchConfig.poll_seconds:g})",
    )
    stream.add_argument(
        "--settle_seconds",
        type=float,
        metavar="S",
        help="a file modified less than S ago may still be written and waits "
        f"(default: {WatchConfig.settle_seconds:g})",
    )
    out = p.add_argument_group("output and logging")
    out.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log lines (-vv: debug)"
    )
    out.add_argument(
        "-q", "--quiet", action="store_true", help="errors only; no summary, no progress"
    )
    out.add_argument("--log-level", choices=LOG_LEVELS, type=str.upper, help="explicit log level")
    out.add_argument("--debug", action="store_true", help="print the traceback when the run fails")
    out.add_argument("--no-progress", action="store_true", help="no live progress line on a TTY")
    out.add_argument("--beam-help", action="store_true", help="list every Beam pipeline option")
    out.add_argument("--version", action="store_true", help="print the version and exit")
    return p


def beam_parser() -> argparse.ArgumentParser:
    """Every flag Beam's own option classes define (what PipelineOptions would accept)."""
    parser = _BeamParser(allow_abbrev=False, prog="spindrift ingest", add_help=False)
    for cls in PipelineOptions.__subclasses__():
        if cls is not IngestOptions:
            cls._add_argparse_args(parser)
    return parser


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings]


def check_beam_flags(args: Sequence[str], known_job_flags: Sequence[str] = ()) -> None:
    """Raise UsageError for the first flag or stray argument no Beam option class knows."""
    parser = beam_parser()
    try:
        _, unknown = parser.parse_known_args(list(args))
    except UsageError as exc:
        raise UsageError(f"Beam option: {exc}") from None
    if not unknown:
        return
    first = unknown[0]
    if not first.startswith("-"):
        raise UsageError(f"unexpected argument {first!r} (flags take the form --name value)")
    name = first.split("=", 1)[0]
    choices = [*known_job_flags, *_option_strings(parser)]
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else "; see spindrift ingest --help"
    raise UsageError(f"unknown option {name}{hint}")


def check_runner(beam_args: Sequence[str]) -> None:
    """Raise UsageError when --runner names no runner Beam can construct."""
    name = PipelineOptions(list(beam_args)).view_as(StandardOptions).runner
    if name is None or name in _DIRECT_RUNNERS:
        return
    from apache_beam.runners.runner import create_runner

    try:
        create_runner(name)
    except ValueError as exc:
        first = str(exc).split(". ", 1)[0]
        raise UsageError(f"--runner: {first}") from None
    except ImportError as exc:
        raise UsageError(f"--runner {name} needs a package that is not installed: {exc}") from None


def check_not_template(beam_args: Sequence[str]) -> None:
    """Raise UsageError for --template_location (a classic or flex template launch).

    Spindrift's driver commits a run after its pipeline has finished (pipelines/lake/commit.py).
    With --template_location, Beam 2.77's DataflowRunner writes the job description and
    submits nothing: there is no job to wait for (`wait_until_finish` raises "Failed to get the
    Dataflow job id"), so the run would be staged and never published. Refused before anything
    runs; deploy/dataflow/README.md says where to run the driver instead.
    """
    from apache_beam.options.pipeline_options import GoogleCloudOptions

    if PipelineOptions(list(beam_args)).view_as(GoogleCloudOptions).template_location:
        raise UsageError(
            "--template_location: a template launch does not wait for the job, and the run is "
            "committed after it; run the driver where it can wait (deploy/dataflow/README.md)"
        )


@dataclass(frozen=True)
class JobArgs:
    """A parsed, validated `spindrift ingest` command line."""

    inputs: list[str] | None
    output: str
    config: PipelineConfig
    beam_args: list[str]
    log_level: int
    quiet: bool
    debug: bool
    progress: bool
    config_file: str | None = None
    config_tables: dict[str, Any] = dataclasses.field(default_factory=dict)
    watch: WatchConfig | None = None  # --watch: streaming micro-batches (pipelines/streaming)


def parse_args(argv: Sequence[str]) -> JobArgs:
    """Parse and validate an ingest command line; raises UsageError (exit 2).

    `--help`, `--beam-help` and `--version` print and raise SystemExit(0).
    """
    parser = job_parser()
    ns, rest = parser.parse_known_args(list(argv))
    if ns.version:
        from pipelines import version

        print(f"spindrift {version()}")
        raise SystemExit(0)
    if ns.beam_help:
        beam = beam_parser()
        beam.usage = "spindrift ingest [job flags] [Beam flags]"
        beam.description = f"Apache Beam pipeline options; documented at {BEAM_OPTIONS_DOC}"
        beam.print_help()
        raise SystemExit(0)
    check_beam_flags(rest, _option_strings(parser))
    check_runner(rest)
    check_not_template(rest)
    config, tables = PipelineConfig(), {}
    if ns.config:
        try:
            config, tables = load_config(ns.config)
        except ConfigFileError as exc:
            raise UsageError(str(exc)) from None
    config = _apply_flags(config, ns)
    config = _supersede_default(config, ns, tables)
    if ns.log_level:
        level = getattr(logging, ns.log_level)
    elif ns.quiet:
        level = logging.ERROR
    else:
        level = {0: logging.WARNING, 1: logging.INFO}.get(ns.verbose, logging.DEBUG)
    beam_args = [*rest, f"--output={ns.output}"]
    for pattern in ns.input or []:
        beam_args.append(f"--input={pattern}")
    if ns.config:
        beam_args.append(f"--config={ns.config}")
    watch = _watch_config(ns)
    return JobArgs(
        inputs=ns.input,
        output=ns.output,
        config=config,
        beam_args=beam_args,
        log_level=level,
        quiet=ns.quiet,
        debug=ns.debug,
        progress=not (ns.no_progress or ns.quiet),
        config_file=ns.config,
        config_tables=tables,
        watch=watch,
    )


def _watch_config(ns: argparse.Namespace) -> WatchConfig | None:
    """The --watch knobs (None without --watch; UsageError when used without it)."""
    given = {
        "max_files": ns.max_commit_files,
        "max_bytes": None if ns.max_commit_mb is None else int(ns.max_commit_mb * MIB),
        "poll_seconds": ns.poll_seconds,
        "settle_seconds": ns.settle_seconds,
    }
    given = {k: v for k, v in given.items() if v is not None}
    if not ns.watch:
        if given:
            raise UsageError("--max_commit_files, --max_commit_mb, --poll_seconds and "
                             "--settle_seconds need --watch")  # fmt: skip
        return None
    try:
        return WatchConfig(**given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _supersede_default(
    config: PipelineConfig, ns: argparse.Namespace, tables: dict[str, Any]
) -> PipelineConfig:
    """Superseding is on by default with --watch (a stream's contract is one batch run's
    survivors) unless --no-supersede or the tuning file's `index.supersede` says otherwise."""
    if ns.watch and ns.supersede is None and "supersede" not in tables.get("index", {}):
        index = dataclasses.replace(config.index, supersede=True)
        return dataclasses.replace(config, index=index)
    return config


def _apply_flags(config: PipelineConfig, ns: argparse.Namespace) -> PipelineConfig:
    """The command-line tuning flags over the (file's) config; UsageError when out of range."""
    try:
        read, write, index = config.read, config.write, config.index
        if ns.max_article_mb is not None:
            limit = int(ns.max_article_mb * MIB)
            read = ReadConfig(max_article_bytes=limit, raw_cap=min(read.raw_cap, limit))
        if ns.rows_per_file is not None:
            write = dataclasses.replace(write, rows_per_file=ns.rows_per_file)
        if ns.index_window_days is not None:
            index = dataclasses.replace(index, window_days=ns.index_window_days)
        if ns.supersede is not None:
            index = dataclasses.replace(index, supersede=ns.supersede)
        return dataclasses.replace(config, read=read, write=write, index=index)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _is_local(path: str) -> bool:
    return "://" not in path


def _hidden(name: str) -> bool:
    return name.startswith(".")


def list_folder(folder: str) -> list[str]:
    """Entries under `folder` other than folders, recursively, sorted; names starting with '.'
    skipped at every level; symlinked folders are not followed. Entries that are no regular
    file (FIFOs, devices, dangling links) are listed too: ReadArticles counts them as skipped
    with a reason instead of their vanishing uncounted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        found.extend(os.path.join(root, name) for name in files if not _hidden(name))
    return sorted(found)


def resolve_inputs(patterns: list[str] | None) -> list[str]:
    """Check every input matches at least one file; a local folder means its files (recursive,
    see `list_folder`), listed one by one.

    Raises UsageError naming the first input that is missing or matches nothing.
    """
    resolved: list[str] = []
    for pattern in patterns or [default_input()]:
        if _is_local(pattern) and os.path.isdir(pattern):
            files = list_folder(pattern)
            if not files:
                raise UsageError(f"input folder {pattern!r} has no files (hidden ones are skipped)")
            resolved.extend(files)
            continue
        try:
            if _is_local(pattern):
                # The reader's own matcher: Beam's local glob takes a backslash in a file
                # name for an escape and matches nothing.
                from pipelines.transforms.read import match_local

                found = [path for path, _ in match_local(pattern)]
            else:
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
