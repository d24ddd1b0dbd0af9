"""`spindrift query`: DuckDB over a lake, views `articles`, `duplicates`, `quarantine` (and
`quarantine_raw`, the quarantine with its raw bytes).

    spindrift query LAKE "SQL"            spindrift query LAKE -c "SQL" --csv | head
    spindrift query LAKE < report.sql     spindrift query LAKE          (interactive, on a TTY)

Starts fast: this module imports DuckDB (and pyarrow/fastavro only for empty tables, old
lakes' quarantine or `quarantine_raw`), never Apache Beam.

Views read exactly the files `_snapshot.json` lists (read once, when connecting), so a query
sees all of a run or none of it while other runs stage, commit, crash or recover
(`pipelines/lake/commit.py`).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import datetime as dt
import decimal
import json
import os
import sys
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import duckdb

from pipelines.lake import files, layout, objstore
from pipelines.lake.errors import StateError
from pipelines.lake.snapshot import read_snapshot

# A box table on a terminal stops here (DuckDB elides the middle); a pipe or file gets all rows.
TTY_MAX_ROWS = 40
_FETCH = 10_000  # rows per fetch when streaming CSV/JSON/Markdown
# Statements whose result is rows to print; the others (COPY, which may write to
# '/dev/stdout' itself, CREATE, INSERT ...) run silently, like the duckdb shell.
_ROWS = {
    duckdb.StatementType.SELECT,
    duckdb.StatementType.EXPLAIN,
    duckdb.StatementType.PRAGMA,
    duckdb.StatementType.CALL,
    duckdb.StatementType.EXECUTE,
}
TABLES = ("articles", "duplicates", "quarantine", "quarantine_raw")
EXAMPLES = """\
examples:
  spindrift query lake "select language, count(*) from articles group by all order by 2 desc"
  spindrift query lake -c "select * from duplicates where method <> 'exact'" --csv | head
  spindrift query lake --json "select error_kind, count(*) n from quarantine group by all"
  spindrift query lake "copy (select * from articles) to 'articles.parquet'"
  spindrift query lake < queries.sql
  spindrift query lake          # interactive shell on a terminal (.tables, .help, .quit)"""


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _empty_view(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    from pipelines.core import schema

    con.register(f"_{name}_empty", schema.arrow_schema(kind).empty_table())
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")


def _avro_rows(paths: list[str]) -> list[dict[str, Any]]:
    # DuckDB's Avro reader is an extension that would need a download; fastavro reads it here.
    import fastavro

    rows: list[dict[str, Any]] = []
    s3 = _s3_filesystem() if paths and objstore.is_s3(paths[0]) else None
    for path in paths:
        with (
            s3.open_input_stream(path[len(objstore.SCHEME) :]) if s3 else open(path, "rb")
        ) as handle:
            rows.extend(fastavro.reader(handle))
    return rows


def _quarantine_views(con: duckdb.DuckDBPyConnection, output: str, snapshot, raw: bool) -> None:
    """`quarantine` from the Parquet copies (no raw bytes), and with `raw` also
    `quarantine_raw`, every column including the raw bytes, from the Avro files.

    Runs committed before the Parquet copy existed have only Avro: their rows are read
    with fastavro and joined to the Parquet ones.
    """
    indexed = {f.run_id for f in snapshot.of_kind(layout.QUARANTINE_INDEX)}
    parquet = snapshot.paths(output, layout.QUARANTINE_INDEX)
    avro = snapshot.of_kind(layout.QUARANTINE)
    legacy = [layout.join(output, f.path) for f in avro if f.run_id not in indexed]
    parts = []
    if parquet:
        parts.append(f"SELECT * FROM {_parquet_source(con, '_quarantine_index', parquet)}")
    if legacy or not parquet or raw:
        # pyarrow (~0.5 s to import) only for old lakes, an empty quarantine or the bytes.
        import pyarrow as pa

        from pipelines.core import schema
    if legacy or not parquet:
        index_schema = schema.arrow_schema("quarantine", exclude=("raw",))
        rows = _avro_rows(legacy)
        con.register("_quarantine_legacy", pa.Table.from_pylist(rows, schema=index_schema))
        parts.append("SELECT * FROM _quarantine_legacy")
    con.execute(f"CREATE VIEW quarantine AS {' UNION ALL '.join(parts)}")
    if raw:
        rows = _avro_rows(sorted(layout.join(output, f.path) for f in avro))
        con.register(
            "_quarantine_raw", pa.Table.from_pylist(rows, schema=schema.arrow_schema("quarantine"))
        )
        con.execute("CREATE VIEW quarantine_raw AS SELECT * FROM _quarantine_raw")


def connect(output: str, quarantine: bool = True, raw: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake's committed tables as views.

    `articles` reads the Hive partitions (published_date DATE, language VARCHAR; the
    `__HIVE_DEFAULT_PARTITION__` folder reads as NULL). Tables without files are empty views.
    `quarantine` reads the quarantine's Parquet copy (every column but the raw bytes);
    `raw=True` also reads its Avro files into `quarantine_raw` (with the bytes).
    Raises FileNotFoundError for a missing folder, StateError for a lost or corrupt snapshot.
    """
    remote = objstore.is_s3(output)
    if not remote and not os.path.isdir(output):
        raise FileNotFoundError(f"lake folder {output!r} does not exist")
    output = output.rstrip("/")
    snapshot = read_snapshot(output)
    if remote and not snapshot.runs and not files.exists(layout.snapshot_path(output)):
        raise FileNotFoundError(f"no lake at {output!r} (no {layout.SNAPSHOT_FILE})")
    con = duckdb.connect()
    articles = snapshot.paths(output, layout.ARTICLES)
    if articles and remote:
        _s3_articles(con, output, articles)
    elif articles:
        con.execute(
            f"CREATE VIEW articles AS SELECT * FROM read_parquet({_sql_list(articles)}, "
            "hive_partitioning = true, "
            "hive_types = {'published_date': DATE, 'language': VARCHAR})"
        )
    else:
        _empty_view(con, "articles", "article")
    duplicates = snapshot.paths(output, layout.DUPLICATES)
    if duplicates:
        source = _parquet_source(con, "_duplicates", duplicates)
        con.execute(f"CREATE VIEW duplicates AS SELECT * FROM {source}")
    else:
        _empty_view(con, "duplicates", "duplicate")
    if quarantine or raw:
        _quarantine_views(con, output, snapshot, raw)
    return con


def _parquet_source(con: duckdb.DuckDBPyConnection, name: str, paths: list[str]) -> str:
    """What to select Parquet files from: DuckDB's `read_parquet` for local files; for S3, an
    Arrow dataset registered as `name` (DuckDB's own S3 reader, httpfs, is an extension it
    would have to download, which does not work offline)."""
    if not objstore.is_s3(paths[0]):
        return f"read_parquet({_sql_list(paths)})"
    import pyarrow.dataset as ds

    con.register(name, ds.dataset(_keys(paths), filesystem=_s3_filesystem(), format="parquet"))
    return name


def _s3_articles(con: duckdb.DuckDBPyConnection, output: str, paths: list[str]) -> None:
    """`articles` over an S3 lake: the same columns and partition types as a local lake."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    hive = ds.HivePartitioning(
        pa.schema([("published_date", pa.date32()), ("language", pa.string())])
    )
    table = ds.dataset(
        _keys(paths),
        filesystem=_s3_filesystem(),
        format="parquet",
        partitioning=hive,
        partition_base_dir=_keys([layout.join(output, layout.ARTICLES)])[0],
    )
    con.register("_articles", table)
    con.execute("CREATE VIEW articles AS SELECT * FROM _articles")


def _keys(paths: list[str]) -> list[str]:
    """`s3://bucket/key` -> `bucket/key`, as pyarrow's S3 file system names objects."""
    return [p[len(objstore.SCHEME) :] for p in paths]


def _s3_filesystem():
    """pyarrow's S3 file system with the lake's S3 settings (`AWS_ENDPOINT_URL` …)."""
    import pyarrow.fs as pafs

    settings = objstore.settings()
    kwargs: dict[str, Any] = {}
    if settings.endpoint_url:
        scheme, _, host = settings.endpoint_url.partition("://")
        kwargs.update(endpoint_override=host, scheme=scheme)
    if settings.access_key_id:
        kwargs.update(
            access_key=settings.access_key_id,
            secret_key=settings.secret_access_key,
            session_token=settings.session_token,
        )
    if settings.region_name:
        kwargs["region"] = settings.region_name
    return pafs.S3FileSystem(**kwargs)


def query(output: str, sql: str) -> duckdb.DuckDBPyRelation | None:
    return connect(output).sql(sql)


# --- output formats ---------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (decimal.Decimal, uuid.UUID, dt.timedelta)):
        return str(value)
    return value


def _batches(cursor: duckdb.DuckDBPyConnection) -> Iterable[list[tuple]]:
    while rows := cursor.fetchmany(_FETCH):
        yield rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def write_csv(cursor, names: list[str], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for rows in _batches(cursor):
        writer.writerows([_cell(v) for v in row] for row in rows)


def write_json(cursor, names: list[str], out: TextIO) -> None:
    """A JSON array of objects, one per line (like `duckdb -json`), streamed."""
    first = True
    out.write("[")
    for rows in _batches(cursor):
        for row in rows:
            obj = {n: _json_value(v) for n, v in zip(names, row, strict=True)}
            out.write(("\n" if first else ",\n") + json.dumps(obj, ensure_ascii=False, default=str))
            first = False
    out.write("\n]\n" if not first else "]\n")


def write_markdown(cursor, names: list[str], out: TextIO) -> None:
    def esc(value: Any) -> str:
        return _cell(value).replace("|", "\\|").replace("\n", " ")

    out.write("| " + " | ".join(esc(n) for n in names) + " |\n")
    out.write("|" + "|".join("---" for _ in names) + "|\n")
    for rows in _batches(cursor):
        for row in rows:
            out.write("| " + " | ".join(esc(v) for v in row) + " |\n")


WRITERS = {"csv": write_csv, "json": write_json, "markdown": write_markdown}


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, out: TextIO, tty: bool) -> None:
    """Run every statement of `sql`; print the result of each one that returns rows."""
    for statement in duckdb.extract_statements(sql):
        if statement.type not in _ROWS:
            out.flush()  # our buffered rows first, then what DuckDB writes itself
            con.execute(statement.query)
            continue
        if fmt == "box":
            relation = con.sql(statement.query)
            if relation is not None:
                limit = TTY_MAX_ROWS if tty else max(relation.shape[0], 1)
                relation.show(max_rows=limit, max_width=10_000 if not tty else None)
            continue
        cursor = con.execute(statement.query)
        if cursor.description is None:
            continue
        WRITERS[fmt](cursor, [d[0] for d in cursor.description], out)


# --- interactive shell --------------------------------------------------------------------------

SHELL_HELP = """\
Enter SQL ending with ';' (views: articles, duplicates, quarantine, quarantine_raw).
  .tables          list the views and their row counts
  .schema [VIEW]   columns of a view
  .mode box|csv|json|markdown
  .quit            leave (or Ctrl-D)"""


def shell(con: duckdb.DuckDBPyConnection, lake: str, fmt: str) -> int:
    """A small DuckDB-like prompt: statements end with ';'; dot commands; readline history."""
    with contextlib.suppress(ImportError):  # line editing and history for input()
        import readline  # noqa: F401
    print(
        f"spindrift query on {lake} — DuckDB {duckdb.__version__}; .help for help, .quit to leave"
    )
    buffer: list[str] = []
    while True:
        try:
            line = input("   ...> " if buffer else "spindrift> ")
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            buffer.clear()
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            command, _, arg = stripped.partition(" ")
            if command in {".quit", ".exit", ".q"}:
                return 0
            if command == ".help":
                print(SHELL_HELP)
            elif command == ".tables":
                for name in TABLES:
                    ((count,),) = con.execute(f"select count(*) from {name}").fetchall()
                    print(f"{name:<12} {count:>10,} rows")
            elif command == ".schema":
                for name in [arg.strip()] if arg.strip() else TABLES:
                    _report(lambda n=name: con.sql(f"describe {n}").show(max_rows=200))
            elif command == ".mode" and arg.strip() in {"box", *WRITERS}:
                fmt = arg.strip()
            else:
                print(f"unknown command {stripped!r}; .help lists them")
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            sql, buffer = "\n".join(buffer), []
            _report(lambda sql=sql, fmt=fmt: run_sql(con, sql, fmt, sys.stdout, tty=True))


def _report(action) -> None:
    try:
        action()
    except duckdb.Error as exc:
        print(f"Error: {exc}")


# --- command line ------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spindrift query",
        description="Query a lake with DuckDB: views articles, duplicates, quarantine and "
        "quarantine_raw (the quarantine with the inputs' raw bytes). "
        "SQL comes from the argument, -c, or standard input; with none on a terminal, "
        "an interactive shell starts. On a terminal results are a box table of at most "
        f"{TTY_MAX_ROWS} rows; to a pipe or file every row is written.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("lake", metavar="LAKE", help="the folder `spindrift ingest --output` wrote")
    p.add_argument("sql", metavar="SQL", nargs="?", help="statements to run (';'-separated)")
    p.add_argument("-c", "--command", metavar="SQL", help="statements to run (like duckdb -c)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv", help="CSV with header")
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json", help="JSON array")
    fmt.add_argument(
        "--markdown", dest="fmt", action="store_const", const="markdown", help="Markdown table"
    )
    fmt.add_argument("--box", dest="fmt", action="store_const", const="box", help="box table")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """`spindrift query`: exit 0 done, 1 SQL error, 2 bad arguments or missing lake."""
    args = parser().parse_intermixed_args(list(sys.argv[1:] if argv is None else argv))
    if args.sql is not None and args.command is not None:
        print(
            "spindrift: error: give SQL either as an argument or with -c, not both", file=sys.stderr
        )
        return 2
    sql = args.command if args.command is not None else args.sql
    interactive = sql is None and sys.stdin.isatty()
    if sql is None and not interactive:
        sql = sys.stdin.read()
    if not interactive and not sql.strip():
        print(
            "spindrift: error: no SQL: give it as an argument, with -c, or on standard input",
            file=sys.stderr,
        )
        return 2
    fmt = args.fmt or "box"
    try:
        con = connect(args.lake, raw=interactive or "quarantine_raw" in sql.lower())
    except FileNotFoundError as exc:
        print(f"spindrift: error: {exc}", file=sys.stderr)
        return 2
    except StateError as exc:
        print(f"spindrift: error: {exc}", file=sys.stderr)
        return 1
    if interactive:
        return shell(con, args.lake, fmt)
    try:
        run_sql(con, sql, fmt, sys.stdout, tty=sys.stdout.isatty())
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) stopped early: not an error. Point stdout at /dev/null so
        # the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"spindrift: error: {first}", file=sys.stderr)
        return 1
    return 0
