"""Knobs of `spindrift ingest --watch`: frozen and validated, with named defaults."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.config import MIB

# A commit's fixed cost (Beam graph, runner start, publish) is ~2-5 s on a busy 2-core machine
# and each file adds ~2 ms: 400 files keep a commit within ~1 s of that fixed cost, so a
# backlog drains in steady steps while each commit stays small enough to roll back quickly.
MAX_COMMIT_FILES = 400
# Bytes bound the same thing for large inputs (a commit holds its files' bodies in memory).
MAX_COMMIT_BYTES = 64 * MIB
# How often the inputs are listed; a listing of a few thousand files costs ~10-30 ms.
POLL_SECONDS = 0.5
# A file modified less than this long ago may still be being written (crawlers that write in
# place); files moved into place complete (write to a dot-name, then rename) are older. Every
# file landing within this time before a listing waits a whole commit more (at 20 files/s and
# ~3 s commits, 0.5 s held back ~1 file in 6 from its commit), so it is kept short.
SETTLE_SECONDS = 0.25
# SIGTERM/Ctrl-C lets the commit in progress finish for this long, then kills and rolls it
# back, so the watcher exits within the 30 s a service manager usually allows.
STOP_GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class WatchConfig:
    """`max_files`/`max_bytes` bound one commit (a larger single file still goes alone);
    `poll_seconds` is the listing period; `settle_seconds` the quiet time a file needs;
    `stop_grace_seconds` how long a stop waits for the commit in progress; `fork` runs each
    commit in a child process (flat memory; see watch.py)."""

    max_files: int = MAX_COMMIT_FILES
    max_bytes: int = MAX_COMMIT_BYTES
    poll_seconds: float = POLL_SECONDS
    settle_seconds: float = SETTLE_SECONDS
    stop_grace_seconds: float = STOP_GRACE_SECONDS
    fork: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.max_files, int) or self.max_files < 1:
            raise ValueError("max_commit_files must be an int >= 1")
        if not isinstance(self.max_bytes, int) or self.max_bytes < 1:
            raise ValueError("max_commit_mb must be > 0")
        if not self.poll_seconds > 0:
            raise ValueError("poll_seconds must be > 0")
        if not self.settle_seconds >= 0:
            raise ValueError("settle_seconds must be >= 0")
        if not 0 < self.stop_grace_seconds <= 25:
            raise ValueError("stop_grace_seconds must be in (0, 25]")
