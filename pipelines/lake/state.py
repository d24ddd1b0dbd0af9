"""Trusting the lake's state: verify every state file a run loads against the manifests.

The snapshot lists each `_index`/`_ledger` file with the size and sha256 its run recorded
(and the run's manifest lists the same); a file that is missing, empty, truncated, corrupt
or unreadable stops the run with a message naming it and the fix, instead of being read as
"no state" (which would make the lake forget what it already published).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pipelines.lake import files, layout, objstore
from pipelines.lake.errors import ObjectStoreError, StateError
from pipelines.lake.snapshot import FileEntry, Snapshot, init_snapshot, read_snapshot


@dataclass(frozen=True)
class State:
    """The committed snapshot a run starts from and the verified state files it reads."""

    snapshot: Snapshot
    index: list[str]
    ledger: list[str]


def repair_hint(output: str) -> str:
    return (
        f"run `spindrift repair {output}` to rebuild _index and _ledger from the published tables"
    )


def file_problem(output: str, entry: FileEntry, deep: bool = True) -> str | None:
    """Why a listed file cannot be trusted, or None when its size (and checksum) match."""
    path = layout.join(output, entry.path)
    try:
        if layout.is_local(output):
            size = os.stat(path).st_size
        elif objstore.is_s3(output):
            info = objstore.store().head(path)
            if info is None:
                return f"{path} is missing"
            size = info["size"]
        else:
            if not files.exists(path):
                return f"{path} is missing"
            size = -1
    except FileNotFoundError:
        return f"{path} is missing"
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror or exc}"
    if size == 0 and entry.size != 0:
        return f"{path} is empty (run {entry.run_id} wrote {entry.size} bytes)"
    if size not in (-1, entry.size):
        return f"{path} has {size} bytes, run {entry.run_id} wrote {entry.size}"
    if deep:
        try:
            size, sha256 = files.checksum(path)
        except ObjectStoreError:
            raise  # the store kept failing: not evidence that the file is bad
        except Exception as exc:  # Beam wraps OS errors in its own types
            return f"{path} cannot be read: {exc}"
        if sha256 != entry.sha256 or size != entry.size:
            return f"{path} is corrupt (sha256 differs from what run {entry.run_id} wrote)"
    return None


def manifest_problems(output: str, entries: list[FileEntry]) -> list[str]:
    """Entries whose run manifest is missing or records a different file."""
    problems = []
    by_run: dict[str, list[FileEntry]] = {}
    for entry in entries:
        by_run.setdefault(entry.run_id, []).append(entry)
    for run_id, owned in sorted(by_run.items()):
        path = layout.manifest_path(output, run_id)
        try:
            manifest = files.read_json(path, repair_hint(output))
        except StateError as exc:
            problems.append(str(exc).split("; ")[0])
            continue
        listed = {f["path"]: f.get("sha256") for f in manifest.get("files", [])}
        for entry in owned:
            if listed.get(entry.path) != entry.sha256:
                problems.append(f"{layout.join(output, entry.path)} is not in manifest {path}")
    return problems


def load_state(output: str) -> State:
    """The snapshot and the verified `_index`/`_ledger` files of a lake.

    Raises StateError naming the first untrustworthy file and the fix.
    """
    snapshot = init_snapshot(output)
    entries = snapshot.of_kind(layout.INDEX_DIR) + snapshot.of_kind(layout.LEDGER_DIR)
    problems = [p for e in entries if (p := file_problem(output, e))]
    problems += manifest_problems(output, entries)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise StateError(
            f"lake state cannot be trusted: {problems[0]}{more}; {repair_hint(output)}"
        )
    return State(
        snapshot=snapshot,
        index=snapshot.paths(output, layout.INDEX_DIR),
        ledger=snapshot.paths(output, layout.LEDGER_DIR),
    )


def check_lake(output: str) -> tuple[Snapshot | None, list[str], list[str]]:
    """Verify a whole lake without changing it: the snapshot, every file it lists (size and
    sha256) and the manifests of its runs. Returns the snapshot (None when unreadable), the
    problems found (none: the lake is sound) and notes (leftovers of runs that died, which
    readers never see and the next run clears)."""
    try:
        snapshot = read_snapshot(output)
    except StateError as exc:
        return None, [str(exc)], []
    problems = [p for e in snapshot.files if (p := file_problem(output, e))]
    problems += manifest_problems(output, list(snapshot.files))
    for run_id in snapshot.runs:
        if not files.exists(layout.manifest_path(output, run_id)):
            problems.append(f"{layout.manifest_path(output, run_id)} is missing")
    notes = []
    if layout.is_local(output):
        root = layout.staging_root(output)
        notes = [
            f"{root}/{name} is left by a run that died (the next run rolls it back or forward)"
            for name in files.list_dir(root)
            if not name.startswith(".")
        ]
    return snapshot, problems, notes
