"""The snapshot: the list of every committed file, swapped atomically at each commit.

Readers open `DIR/_snapshot.json` and read only the files it lists, so they see all of a
run or none of it whatever is on disk (staged, half-renamed or orphaned files). Each run
replaces it with `os.replace` (S3: one conditional PUT): the commit point of the protocol
(see `commit.py`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from typing import Any

from pipelines.lake import files, layout, objstore
from pipelines.lake.errors import LockLostError, StateError

FORMAT = 1


@dataclass(frozen=True)
class FileEntry:
    """One published file: its path inside the lake, what it holds, and how to verify it."""

    path: str
    kind: str
    rows: int
    size: int
    sha256: str
    run_id: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "rows": self.rows,
            "size": self.size,
            "sha256": self.sha256,
            "run_id": self.run_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileEntry:
        return cls(**{k: data[k] for k in ("path", "kind", "rows", "size", "sha256", "run_id")})


@dataclass(frozen=True)
class Snapshot:
    """`version` counts commits; `runs` are the committed run ids in commit order."""

    version: int = 0
    runs: tuple[str, ...] = ()
    files: tuple[FileEntry, ...] = field(default=())

    def of_kind(self, kind: str) -> list[FileEntry]:
        return [f for f in self.files if f.kind == kind]

    def paths(self, output: str, kind: str) -> list[str]:
        """Absolute paths of the committed files of one kind, sorted."""
        return sorted(layout.join(output, f.path) for f in self.of_kind(kind))

    def committed(self, run_id: str) -> bool:
        return run_id in self.runs

    def after(self, run_id: str, added: list[FileEntry], removed: set[str]) -> Snapshot:
        """The snapshot once `run_id` commits: `added` files in, `removed` paths out."""
        kept = [f for f in self.files if f.path not in removed]
        return replace(
            self,
            version=self.version + 1,
            runs=(*self.runs, run_id),
            files=tuple(sorted([*kept, *added], key=lambda f: (f.kind, f.path))),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "runs": list(self.runs),
            "files": [f.to_json() for f in self.files],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        return cls(
            version=int(data["version"]),
            runs=tuple(data["runs"]),
            files=tuple(FileEntry.from_json(f) for f in data["files"]),
        )


def _has_history(output: str) -> bool:
    """Whether runs have written here (a lake from before snapshots, or one that lost it)."""
    if not layout.is_local(output):
        return files.exists(layout.join(output, layout.RUNS_DIR))
    folders = [layout.join(output, name) for name in (layout.RUNS_DIR, *layout.KINDS)]
    return any(os.path.isdir(f) and files.list_dir(f) for f in folders)


def read_snapshot(output: str) -> Snapshot:
    """The lake's committed snapshot; empty for a lake no run has committed to.

    Raises StateError when it is missing while the lake holds data, or is corrupt.
    """
    path = layout.snapshot_path(output)
    fix = f"run `spindrift repair {output}` to rebuild it from the run manifests"
    if not files.exists(path):
        if _has_history(output):
            raise StateError(f"{path} is missing but the lake holds runs; {fix}")
        return Snapshot()
    data = files.read_json(path, fix)
    try:
        if data.get("format") != FORMAT:
            raise StateError(f"{path} has format {data.get('format')!r}, expected {FORMAT}")
        return Snapshot.from_json(data)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise StateError(f"{path} is malformed ({exc!r}); {fix}") from None


def write_snapshot(output: str, snapshot: Snapshot) -> None:
    """Replace the lake's snapshot with `snapshot` (the next version of the current one)."""
    if objstore.is_s3(output):
        _swap_s3(output, snapshot)
        return
    files.write_json_atomic(layout.snapshot_path(output), snapshot.to_json())


def _swap_s3(output: str, snapshot: Snapshot) -> None:
    """Compare-and-swap of the S3 snapshot: one PUT, conditional on the object still being the
    version this one follows (`If-Match` on its etag; `If-None-Match: *` for the first). A run
    that lost its lease and a commit that raced it cannot both publish: LockLostError."""
    path = layout.snapshot_path(output)
    store = objstore.store()
    body = files.json_bytes(snapshot.to_json())
    current = store.get(path)
    try:
        if current is None:
            store.put(path, body, if_none_match=True)
            return
        try:
            seen = int(json.loads(current[0])["version"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateError(f"{path} is malformed ({exc!r}); not publishing over it") from None
        if seen != snapshot.version - 1:
            raise LockLostError(
                f"{path} is at version {seen}, this commit follows {snapshot.version - 1}: "
                "another run committed meanwhile; not publishing"
            )
        store.put(path, body, if_match=current[1])
    except objstore.PreconditionFailed:
        # A retried PUT whose first try landed finds its own content: that is success.
        now = store.get(path)
        if now is not None and now[0] == body:
            return
        raise LockLostError(f"{path} changed during this commit; not publishing") from None


def init_snapshot(output: str) -> Snapshot:
    """The committed snapshot, written empty first for a new lake (call with the lock held):
    from then on a missing snapshot always means a lost one, never "no runs yet"."""
    snapshot = read_snapshot(output)
    if snapshot.version == 0 and not files.exists(layout.snapshot_path(output)):
        write_snapshot(output, snapshot)
    return snapshot
