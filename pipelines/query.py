"""DuckDB over an output folder: views `articles`, `duplicates` and `quarantine`."""

from __future__ import annotations

import glob
import os

import duckdb
import fastavro
import pyarrow as pa

from pipelines.core import schema
from pipelines.transforms.write import HIVE_NULL  # noqa: F401 - documents the NULL folder name


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _empty_view(con: duckdb.DuckDBPyConnection, name: str, arrow_schema: pa.Schema) -> None:
    con.register(f"_{name}_empty", arrow_schema.empty_table())
    con.execute(f"CREATE VIEW {name} AS SELECT * FROM _{name}_empty")


def connect(output: str) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the output folder's tables as views.

    `articles` reads the Hive partitions (published_date DATE, language VARCHAR; the
    `__HIVE_DEFAULT_PARTITION__` folder reads as NULL). Missing tables are empty views.
    """
    if not os.path.isdir(output):
        raise FileNotFoundError(f"output folder {output!r} does not exist")
    con = duckdb.connect()
    articles = os.path.join(output, "articles", "**", "*.parquet")
    if glob.glob(articles, recursive=True):
        con.execute(
            f"CREATE VIEW articles AS SELECT * FROM read_parquet({_sql_str(articles)}, "
            "hive_partitioning = true, "
            "hive_types = {'published_date': DATE, 'language': VARCHAR})"
        )
    else:
        _empty_view(con, "articles", schema.arrow_schema("article"))
    duplicates = os.path.join(output, "duplicates", "*.parquet")
    if glob.glob(duplicates):
        con.execute(f"CREATE VIEW duplicates AS SELECT * FROM read_parquet({_sql_str(duplicates)})")
    else:
        _empty_view(con, "duplicates", schema.arrow_schema("duplicate"))
    # DuckDB's Avro reader is an extension that would need a download; fastavro reads it here.
    rows = []
    for path in sorted(glob.glob(os.path.join(output, "quarantine", "*.avro"))):
        with open(path, "rb") as handle:
            rows.extend(fastavro.reader(handle))
    quarantine_schema = schema.arrow_schema("quarantine")
    con.register("_quarantine", pa.Table.from_pylist(rows, schema=quarantine_schema))
    con.execute("CREATE VIEW quarantine AS SELECT * FROM _quarantine")
    return con


def query(output: str, sql: str) -> duckdb.DuckDBPyRelation | None:
    return connect(output).sql(sql)
