"""The `spindrift` console script.

spindrift ingest --input GLOB [--input GLOB ...] --output DIR [Beam flags ...]
spindrift query DIR "SQL"
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: spindrift ingest --input GLOB [--input GLOB ...] --output DIR [Beam flags]
       spindrift query DIR "SQL"   (views: articles, duplicates, quarantine)"""


def _query(args: Sequence[str]) -> int:
    if len(args) != 2:
        print(USAGE, file=sys.stderr)
        return 2
    import duckdb

    from pipelines.lake.errors import StateError
    from pipelines.query import query

    output, sql = args
    try:
        relation = query(output, sql)
        if relation is not None:
            relation.show(max_rows=1000, max_width=200)
    except (FileNotFoundError, duckdb.Error, StateError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"spindrift: error: {first}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "ingest":
        from pipelines.ingest import main as ingest_main

        return ingest_main(rest)
    if command == "query":
        return _query(rest)
    if command in {"check", "repair"}:
        from pipelines.lake.cli import main as lake_main

        return lake_main(command, rest)
    print(f"spindrift: error: unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
