"""Where everything lives in a lake folder; the one place that spells its paths.

DIR/_snapshot.json                      the committed state: every published file, listed
DIR/articles/published_date=…/language=…/part-<run>-<shard>.parquet
DIR/duplicates/part-<run>-<shard>.parquet
DIR/quarantine/part-<run>-<shard>.avro     inputs that could not become articles, raw bytes kept
DIR/quarantine/part-<run>-<shard>.parquet  the same rows without `raw`, for plain DuckDB
DIR/_index/part-<run>-<shard>.parquet   near-duplicate signatures of kept articles
DIR/_ledger/part-<run>-<shard>.parquet  every input accounted for, by content id
DIR/_runs/<run>.json                    one manifest per committed run
DIR/_staging/<run>/                     a run's files before it commits
DIR/_lock                               the run lock (flock; on S3 a lease object) and its token
"""

from __future__ import annotations

import os

ARTICLES = "articles"
DUPLICATES = "duplicates"
QUARANTINE = "quarantine"
# The quarantine's Parquet copy without the raw bytes: a kind of its own (so row counts
# reconcile per kind) that lives in the quarantine folder beside the Avro files.
QUARANTINE_INDEX = "quarantine_index"
INDEX_DIR = "_index"
LEDGER_DIR = "_ledger"
RUNS_DIR = "_runs"
STAGING_DIR = "_staging"
LOCK_FILE = "_lock"
SNAPSHOT_FILE = "_snapshot.json"

TABLES = (ARTICLES, DUPLICATES, QUARANTINE)
# What readers see: the tables and the quarantine's Parquet copy (never rebuilt by repair).
PUBLISHED = (*TABLES, QUARANTINE_INDEX)
STATE = (INDEX_DIR, LEDGER_DIR)
KINDS = (*PUBLISHED, *STATE)
# Everything the lake itself writes at its top level: never an input.
OWN_NAMES = frozenset({*KINDS, RUNS_DIR, STAGING_DIR, LOCK_FILE, SNAPSHOT_FILE})

GLOB_CHARS = "*?["


def folder_of(kind: str) -> str:
    """The folder a kind's files live in."""
    return QUARANTINE if kind == QUARANTINE_INDEX else kind


def is_local(path: str) -> bool:
    return "://" not in path


def join(output: str, relative: str) -> str:
    return f"{output.rstrip('/')}/{relative}"


def relative(output: str, path: str) -> str:
    prefix = output.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise ValueError(f"{path!r} is not inside the lake {output!r}")
    return path[len(prefix) :]


def snapshot_path(output: str) -> str:
    return join(output, SNAPSHOT_FILE)


def manifest_path(output: str, run_id: str) -> str:
    return join(output, f"{RUNS_DIR}/{run_id}.json")


def staging_root(output: str) -> str:
    return join(output, STAGING_DIR)


def canonical(path: str) -> str:
    """The one spelling of an input or output path: absolute and normalized for local paths
    (`ir/a.txt`, `./ir/a.txt` and `$PWD//ir/a.txt` are one file); URIs with `//` runs in
    their path collapsed. Links are not resolved: the name read is the name recorded."""
    if is_local(path):
        return os.path.abspath(path) if path else path
    scheme, rest = path.split("://", 1)
    while "//" in rest:
        rest = rest.replace("//", "/")
    return f"{scheme}://{rest}"
