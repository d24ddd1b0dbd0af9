"""Small file operations the commit protocol is built from: checksums, atomic JSON, listing.

Local paths use `os` directly, so readers (`spindrift query`) never import Apache Beam;
URIs (gs://, s3:// …) go through Beam's FileSystems, imported only then.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from pipelines.lake import layout
from pipelines.lake.errors import StateError

_CHUNK = 1024 * 1024


def _beam_fs():
    from apache_beam.io.filesystems import FileSystems

    return FileSystems


def _open_read(path: str):
    if layout.is_local(path):
        return open(path, "rb")
    return _beam_fs().open(path, compression_type="uncompressed")


def checksum(path: str) -> tuple[int, str]:
    """(size, sha256 hex) of a file; OS errors propagate (callers name the file)."""
    digest = hashlib.sha256()
    size = 0
    with _open_read(path) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_json_atomic(path: str, data: Any) -> None:
    """Write `path` so that a reader sees the old content or all of the new, never a part.

    Local: a temporary file, fsync, os.replace, fsync of the folder. Object stores: create
    then rename (a copy on GCS/S3; the object-store backend must replace this with a
    conditional write).
    """
    payload = json.dumps(data, indent=1, default=str, sort_keys=True).encode("utf-8")
    temp = f"{path}.tmp-{os.getpid()}"
    if layout.is_local(path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        folder = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        return
    fs = _beam_fs()
    with fs.create(temp) as handle:
        handle.write(payload)
    if fs.exists(path):
        fs.delete([path])
    fs.rename([temp], [path])


def read_json(path: str, fix: str) -> Any:
    """The JSON document at `path`; StateError naming the file and `fix` when it is unreadable."""
    try:
        with _open_read(path) as handle:
            raw = handle.read()
    except Exception as exc:  # OSError, or Beam's wrappers of it for URIs
        raise StateError(f"cannot read {path}: {exc}; {fix}") from None
    if not raw.strip():
        raise StateError(f"{path} is empty; {fix}")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise StateError(f"{path} is not valid JSON ({exc}); {fix}") from None


def exists(path: str) -> bool:
    if layout.is_local(path):
        return os.path.lexists(path)
    return _beam_fs().exists(path)


def list_dir(folder: str) -> list[str]:
    """Names directly inside a local folder, sorted; [] when it does not exist.

    Any other listing error is raised (never read as "empty").
    """
    try:
        return sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
