"""The run lock: one run at a time per lake, with a fencing token checked before publishing."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import socket
from types import TracebackType

from pipelines.lake import layout
from pipelines.lake.errors import LockedError, LockLostError


class RunLock:
    """An advisory `flock` on `DIR/_lock`, holding a token unique to this run.

    The kernel releases the flock when the process dies, so a crashed run never leaves a
    stale lock. `assert_held()` is the fence: publication calls it right before the atomic
    swap, so a run whose lock file was removed or taken over never publishes. Object stores
    (gs://, s3://) have no flock: there the scheduler must not overlap runs
    (deploy/schedule/README.md) and the fence only checks the token.
    """

    def __init__(self, output: str, run_id: str) -> None:
        self._output = output
        self._path = layout.join(output, layout.LOCK_FILE)
        self.token = f"{run_id}.{secrets.token_hex(8)}"
        self._handle = None

    def __enter__(self) -> RunLock:
        if not layout.is_local(self._output):
            return self
        handle = open(self._path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LockedError(
                f"another run holds the lock on {self._output!r} ({holder}); not starting"
            ) from None
        handle.seek(0)
        handle.truncate()
        now = dt.datetime.now(dt.timezone.utc)
        handle.write(f"run {self.token} pid {os.getpid()} host {socket.gethostname()} "
                     f"since {now:%Y-%m-%dT%H:%M:%SZ}\n")  # fmt: skip
        handle.flush()
        os.fsync(handle.fileno())
        self._handle = handle
        return self

    def assert_held(self) -> None:
        """Raise LockLostError unless this run still holds the lake's lock."""
        if self._handle is None:
            if layout.is_local(self._output):
                raise LockLostError(f"run does not hold the lock on {self._output!r}")
            return
        try:
            same_file = os.stat(self._path).st_ino == os.fstat(self._handle.fileno()).st_ino
            with open(self._path, encoding="utf-8") as current:
                ours = current.read().startswith(f"run {self.token} ")
        except OSError as exc:
            raise LockLostError(f"lock file {self._path!r} is gone: {exc}") from None
        if not (same_file and ours):
            raise LockLostError(
                f"lock file {self._path!r} no longer names this run; not publishing"
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is None:
            return
        try:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        finally:
            self._handle.close()
            self._handle = None


def run_lock(output: str, run_id: str) -> RunLock:
    """`with run_lock(output, run_id) as lock:` holds the lake for one run."""
    return RunLock(output, run_id)
