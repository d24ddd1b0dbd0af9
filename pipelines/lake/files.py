"""Small file operations the commit protocol is built from: checksums, atomic JSON, listing.

Local paths use `os` directly, so readers (`spindrift query`) never import Apache Beam;
`s3://` goes through `objstore` (boto3, every call retried); other URIs (gs:// …) through
Beam's FileSystems, imported only then.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from typing import Any

from pipelines.lake import layout, objstore
from pipelines.lake.errors import ObjectStoreError, StateError

_CHUNK = 1024 * 1024


def _beam_fs():
    from apache_beam.io.filesystems import FileSystems

    return FileSystems


def _open_read(path: str):
    if layout.is_local(path):
        return open(path, "rb")
    if objstore.is_s3(path):
        found = objstore.store().get(path)
        if found is None:
            raise FileNotFoundError(f"{path} does not exist")
        return io.BytesIO(found[0])
    return _beam_fs().open(path, compression_type="uncompressed")


def open_read(path: str):
    """A binary handle on a file of the lake (local, S3 or another Beam file system)."""
    return _open_read(path)


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

    Local: a temporary file, fsync, os.replace, fsync of the folder. S3: one PUT (atomic).
    Other object stores: create then rename (a copy: not atomic; no lease backend there).
    """
    payload = json_bytes(data)
    if objstore.is_s3(path):
        objstore.store().put(path, payload)
        return
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


def write_json_from_worker(path: str, data: Any) -> None:
    """`write_json_atomic` for code that runs on SDK workers, which know the run's file-system
    options (Beam passes them) but not the driver's `objstore` settings: on object stores one
    Beam `create` (S3: an upload that becomes visible whole when it completes)."""
    if layout.is_local(path):
        write_json_atomic(path, data)
        return
    with _beam_fs().create(path) as handle:
        handle.write(json_bytes(data))


class HashingWriter:
    """A write-only file wrapper that counts and hashes what passes through it, so a staged
    object's size and sha256 are known without downloading it again."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._digest.update(data)
        self.size += len(data)
        self._raw.write(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._raw.flush()

    def close(self) -> None:
        self._raw.close()

    @property
    def closed(self) -> bool:
        return self._raw.closed

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def json_bytes(data: Any) -> bytes:
    """The one JSON encoding of the lake's documents."""
    return json.dumps(data, indent=1, default=str, sort_keys=True).encode("utf-8")


def read_json(path: str, fix: str) -> Any:
    """The JSON document at `path`; StateError naming the file and `fix` when it is unreadable."""
    try:
        with _open_read(path) as handle:
            raw = handle.read()
    except ObjectStoreError:
        raise  # transient errors that did not clear: not a state problem, no repair hint
    except Exception as exc:  # OSError, or Beam's wrappers of it for URIs
        raise StateError(f"cannot read {path}: {exc}; {fix}") from None
    if not raw.strip():
        raise StateError(f"{path} is empty; {fix}")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise StateError(f"{path} is not valid JSON ({exc}); {fix}") from None


def exists(path: str) -> bool:
    """Whether a file exists (on S3: an object, or a "folder": any object under `path/`)."""
    if layout.is_local(path):
        return os.path.lexists(path)
    if objstore.is_s3(path):
        store = objstore.store()
        return store.head(path) is not None or bool(store.list(path.rstrip("/") + "/"))
    return _beam_fs().exists(path)


def list_dir(folder: str) -> list[str]:
    """Names directly inside a folder (on S3: a prefix), sorted; [] when it does not exist.

    Any other listing error is raised (never read as "empty").
    """
    if objstore.is_s3(folder):
        prefix = folder.rstrip("/") + "/"
        return [uri[len(prefix) :] for uri in objstore.store().list(prefix, delimiter=True)]
    try:
        return sorted(os.listdir(folder))
    except FileNotFoundError:
        return []


def delete(paths: list[str]) -> None:
    """Delete files that may or may not exist (S3: one retried DELETE each)."""
    if not paths:
        return
    if objstore.is_s3(paths[0]):
        objstore.store().delete_many(paths)
        return
    fs = _beam_fs()
    gone = [p for p in paths if fs.exists(p)]
    if gone:
        fs.delete(gone)


def delete_tree(folder: str) -> None:
    """Delete a folder and everything in it (S3: every object under the prefix)."""
    if objstore.is_s3(folder):
        store = objstore.store()
        store.delete_many(store.list(folder.rstrip("/") + "/"))
        return
    fs = _beam_fs()
    if fs.exists(folder):
        fs.delete([folder])


def list_tree(folder: str) -> list[str]:
    """Every file under an S3 prefix, as URIs (object stores only: local lakes list folders)."""
    return objstore.store().list(folder.rstrip("/") + "/")
