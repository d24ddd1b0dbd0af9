"""The `spindrift` console script: one subcommand per module, each parsing its own flags.

spindrift ingest [--input GLOB|DIR ...] [--output DIR] [job flags] [Beam flags]
spindrift query LAKE [SQL | -c SQL | < file.sql] [--csv | --json | --markdown]
spindrift report LAKE [--run ID] [-o report.html]
spindrift check LAKE | spindrift repair LAKE

Subcommand modules are imported only when called: `query` must not pay for importing Beam.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence

COMMANDS = {
    "ingest": "run the job: raw news files -> de-duplicated, partitioned Parquet lake",
    "query": "SQL over a lake with DuckDB (views articles, duplicates, quarantine)",
    "report": "one self-contained HTML page about a lake: volumes, duplicates, quarantine, runs",
    "check": "verify a lake without changing it: snapshot, every file's checksum, manifests",
    "repair": "rebuild a lake's _index, _ledger and snapshot from its published tables",
}

USAGE = "usage: spindrift [-h] [--version] {" + ",".join(COMMANDS) + "} ..."


def _help() -> str:
    lines = [USAGE, "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    lines += ["", "`spindrift COMMAND --help` lists each command's flags."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(_help(), file=sys.stderr)
        return 2
    command, rest = args[0], args[1:]
    if command in {"-h", "--help", "help"}:
        print(_help())
        return 0
    if command in {"-V", "--version"}:
        from pipelines import version

        print(f"spindrift {version()}")
        return 0
    if command == "ingest":
        from pipelines.ingest import main as ingest_main

        return ingest_main(rest)
    if command == "query":
        from pipelines.query import main as query_main

        return query_main(rest)
    if command == "report":
        from pipelines.report import main as report_main

        return report_main(rest)
    if command in {"check", "repair"}:
        from pipelines.lake.cli import main as lake_main

        return lake_main(command, rest)
    close = difflib.get_close_matches(command, list(COMMANDS), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    print(f"spindrift: error: unknown command {command!r}{hint}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
