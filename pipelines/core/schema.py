"""Load the Avro schemas in `schemas/` and derive the Arrow schemas from them.

The `.avsc` files are the single source of truth: Parquet columns, their types and nullability all
come from here, and fastavro validates quarantine records against the same file.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

SCHEMA_NAMES = ("article", "duplicate", "quarantine", "index_entry", "ledger")

# Partition keys of the articles table: encoded in folder names, not stored in the files.
ARTICLE_PARTITION_KEYS = ("published_date", "language")


def _schema_dir() -> Any:
    # A source checkout (tests, `python -m pipelines.ingest`) reads the top-level folder; an
    # installed wheel (cloud workers) reads the copy packaged as `pipelines.schemas`.
    repo_dir = Path(__file__).resolve().parents[2] / "schemas"
    if (repo_dir / "article.avsc").is_file():
        return repo_dir
    return resources.files("pipelines.schemas")


@functools.cache
def avro_schema(name: str) -> dict[str, Any]:
    """The parsed `.avsc` document for `name` (one of SCHEMA_NAMES)."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}; expected one of {SCHEMA_NAMES}")
    return json.loads((_schema_dir() / f"{name}.avsc").read_text(encoding="utf-8"))


def _arrow_type(avro_type: Any) -> tuple[pa.DataType, bool]:
    """Arrow type and nullability for one Avro field type."""
    if isinstance(avro_type, list):
        non_null = [t for t in avro_type if t != "null"]
        if len(non_null) != 1:
            raise ValueError(f"only [null, T] unions are supported, got {avro_type}")
        arrow, _ = _arrow_type(non_null[0])
        return arrow, "null" in avro_type
    if isinstance(avro_type, dict):
        logical = avro_type.get("logicalType")
        kind = avro_type["type"]
        if logical == "date" and kind == "int":
            return pa.date32(), False
        if logical == "timestamp-micros" and kind == "long":
            return pa.timestamp("us", tz="UTC"), False
        if kind == "array":
            item, item_nullable = _arrow_type(avro_type["items"])
            return pa.list_(pa.field("item", item, nullable=item_nullable)), False
        if kind == "enum":
            return pa.string(), False
        return _arrow_type(kind)
    primitives = {
        "string": pa.string(),
        "int": pa.int32(),
        "long": pa.int64(),
        "double": pa.float64(),
        "float": pa.float32(),
        "boolean": pa.bool_(),
        "bytes": pa.binary(),
    }
    try:
        return primitives[avro_type], False
    except KeyError:
        raise ValueError(f"unsupported Avro type {avro_type!r}") from None


@functools.cache
def arrow_schema(name: str, exclude: tuple[str, ...] = ()) -> pa.Schema:
    """Arrow schema derived from `schemas/<name>.avsc`, without the `exclude` columns."""
    fields = []
    for f in avro_schema(name)["fields"]:
        if f["name"] in exclude:
            continue
        arrow, nullable = _arrow_type(f["type"])
        fields.append(pa.field(f["name"], arrow, nullable=nullable))
    return pa.schema(fields)


def field_names(name: str) -> tuple[str, ...]:
    return tuple(f["name"] for f in avro_schema(name)["fields"])


def article_file_schema() -> pa.Schema:
    """Columns stored inside article Parquet files (partition keys live in folder names)."""
    return arrow_schema("article", exclude=ARTICLE_PARTITION_KEYS)
