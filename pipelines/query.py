"""DuckDB over a lake: views `articles`, `duplicates` and `quarantine` of one committed snapshot.

Views read exactly the files `_snapshot.json` lists (read once, when connecting), so a query
sees all of a run or none of it while other runs stage, commit, crash or recover.
"""

from __future__ import annotations

import os

import duckdb
import fastavro
import pyarrow as pa

from pipelines.core import schema
from pipelines.lake import layout
from pipelines.lake.commit import HIVE_NULL  # noqa: F401 - documents the NULL folder name
from pipelines.lake.snapshot import read_snapshot


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _empty_view(con: duckdb.DuckDBPyConnection, name: str, arrow_schema: pa.Schema) -> None:
    con.register(f"_{name}_empty", arrow_schema.empty_table())
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")


def connect(output: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake's committed tables as views.

    `articles` reads the Hive partitions (published_date DATE, language VARCHAR; the
    `__HIVE_DEFAULT_PARTITION__` folder reads as NULL). Tables without files are empty views.
    Raises FileNotFoundError for a missing folder, StateError for a corrupt snapshot.
    """
    if not os.path.isdir(output):
        raise FileNotFoundError(f"output folder {output!r} does not exist")
    snapshot = read_snapshot(output)
    con = duckdb.connect()
    articles = snapshot.paths(output, layout.ARTICLES)
    if articles:
        con.execute(
            f"CREATE VIEW articles AS SELECT * FROM read_parquet({_sql_list(articles)}, "
            "hive_partitioning = true, "
            "hive_types = {'published_date': DATE, 'language': VARCHAR})"
        )
    else:
        _empty_view(con, "articles", schema.arrow_schema("article"))
    duplicates = snapshot.paths(output, layout.DUPLICATES)
    if duplicates:
        con.execute(
            f"CREATE VIEW duplicates AS SELECT * FROM read_parquet({_sql_list(duplicates)})"
        )
    else:
        _empty_view(con, "duplicates", schema.arrow_schema("duplicate"))
    # DuckDB's Avro reader is an extension that would need a download; fastavro reads it here.
    rows = []
    for path in snapshot.paths(output, layout.QUARANTINE):
        with open(path, "rb") as handle:
            rows.extend(fastavro.reader(handle))
    quarantine_schema = schema.arrow_schema("quarantine")
    con.register("_quarantine", pa.Table.from_pylist(rows, schema=quarantine_schema))
    con.execute("CREATE VIEW quarantine AS SELECT * FROM _quarantine")
    return con


def query(output: str, sql: str) -> duckdb.DuckDBPyRelation | None:
    return connect(output).sql(sql)
