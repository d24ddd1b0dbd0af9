"""The run lock: one run at a time per lake, with a fencing token checked before publishing.

Local lakes: an advisory `flock` on `DIR/_lock`. S3 lakes: a lease object `DIR/_lock` created
with a conditional PUT (`If-None-Match: *`), renewed in the background with `If-Match` on its
own etag, and taken over only once expired (again with `If-Match`, so two runs that both see
it expired cannot both win).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import math
import os
import secrets
import socket
import threading
import time
from types import TracebackType

from pipelines.lake import layout, objstore
from pipelines.lake.errors import LockedError, LockLostError, ObjectStoreError

_LOG = logging.getLogger(__name__)

# A killed run's S3 lake is free again after this long; renewals every third of it keep a live
# run's lease through two failed renewals in a row. Clocks of the hosts sharing a lake must
# agree to well within it (expiry is compared in UTC wall-clock time).
LEASE_SECONDS = 60.0
RENEW_FRACTION = 1 / 3
LEASE_ENV = "SPINDRIFT_LEASE_SECONDS"


def configured_lease_seconds() -> float:
    """The lease length: `$SPINDRIFT_LEASE_SECONDS` or LEASE_SECONDS; UsageError if invalid."""
    raw = os.environ.get(LEASE_ENV)
    if raw is None or not raw.strip():
        return LEASE_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        from pipelines.options import UsageError

        raise UsageError(f"{LEASE_ENV}={raw!r} is not a positive number of seconds")
    return seconds


def _utc(seconds_from_now: float = 0.0) -> str:
    moment = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds_from_now)
    return moment.isoformat(timespec="milliseconds")


class _S3Lease:
    """The lease object of one run on an S3 lake; see the module doc."""

    def __init__(self, output: str, uri: str, token: str, seconds: float) -> None:
        self._output = output
        self._uri = uri
        self._token = token
        self._seconds = seconds
        self._etag: str | None = None
        self._deadline = 0.0  # monotonic time until which the lease is surely ours
        self._lost: str | None = None
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _body(self) -> bytes:
        return json.dumps(
            {
                "token": self._token,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "renewed_at": _utc(),
                "expires_at": _utc(self._seconds),
                "lease_seconds": self._seconds,
            },
            sort_keys=True,
        ).encode("utf-8")

    def acquire(self) -> None:
        store = objstore.store()
        started = time.monotonic()
        try:
            self._etag = store.put(self._uri, self._body(), if_none_match=True)
        except objstore.PreconditionFailed:
            self._take_over_expired(store)
        self._deadline = started + self._seconds
        self._thread = threading.Thread(target=self._renew_loop, name="lease-renewal", daemon=True)
        self._thread.start()

    def _take_over_expired(self, store: objstore.S3Store) -> None:
        current = store.get(self._uri)
        if current is None:  # released between our PUT and GET: one more try, then refuse
            try:
                self._etag = store.put(self._uri, self._body(), if_none_match=True)
                return
            except objstore.PreconditionFailed:
                current = store.get(self._uri)
        data, etag = current if current is not None else (b"{}", None)
        try:
            holder = json.loads(data)
            expires = dt.datetime.fromisoformat(holder["expires_at"])
        except (ValueError, KeyError, TypeError):
            holder, expires = (
                {"token": "unreadable lease"},
                dt.datetime.min.replace(tzinfo=dt.timezone.utc),
            )
        if holder.get("token") == self._token and etag is not None:
            self._etag = etag  # a retried create whose first try landed: ours already
            return
        if etag is None or expires > dt.datetime.now(dt.timezone.utc):
            raise LockedError(
                f"another run holds the lease on {self._output!r} (run {holder.get('token')}, "
                f"host {holder.get('host')}, until {holder.get('expires_at')}); not starting"
            )
        try:
            self._etag = store.put(self._uri, self._body(), if_match=etag)
        except objstore.PreconditionFailed:
            raise LockedError(
                f"another run took over the expired lease on {self._output!r}; not starting"
            ) from None
        _LOG.warning(
            "took over the expired lease of run %s on %s", holder.get("token"), self._output
        )

    def _renew_loop(self) -> None:
        while not self._stop.wait(self._seconds * RENEW_FRACTION):
            with self._mutex:
                if self._lost:
                    return
                started = time.monotonic()
                try:
                    self._etag = objstore.store().put(self._uri, self._body(), if_match=self._etag)
                    self._deadline = started + self._seconds
                except objstore.PreconditionFailed:
                    self._lost = f"the lease {self._uri} was taken over by another run"
                    return
                except (ObjectStoreError, OSError) as exc:
                    # Kept until the deadline passes; `check` refuses to publish after it.
                    _LOG.warning("renewing the lease %s failed: %s", self._uri, exc)

    def check(self) -> None:
        with self._mutex:
            if self._lost:
                raise LockLostError(f"{self._lost}; not publishing")
            if time.monotonic() >= self._deadline:
                raise LockLostError(
                    f"the lease {self._uri} expired before it could be renewed; not publishing"
                )
            current = objstore.store().get(self._uri)
            ours = False
            if current is not None:
                try:
                    ours = json.loads(current[0]).get("token") == self._token
                except ValueError:
                    ours = False
            if not ours or current[1] != self._etag:
                self._lost = f"the lease {self._uri} no longer names this run"
                raise LockLostError(f"{self._lost}; not publishing")

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._mutex:
            if self._lost or self._etag is None:
                return
            try:
                objstore.store().delete(self._uri, if_match=self._etag)
            except objstore.PreconditionFailed:
                pass  # taken over after it expired: the other run's now, leave it
            except ObjectStoreError as exc:  # it expires on its own
                _LOG.warning("releasing the lease %s failed: %s", self._uri, exc)


class RunLock:
    """One run at a time on a lake, holding a token unique to this run.

    Local lakes: an advisory `flock` on `DIR/_lock`; the kernel releases it when the process
    dies, so a crashed run never leaves a stale lock. S3 lakes: a lease object (module doc)
    that a killed run leaves behind until it expires (`lease_seconds`, default 60 s, or
    `$SPINDRIFT_LEASE_SECONDS`). `assert_held()` is the fence: publication calls it right
    before the snapshot swap, so a run whose lock was removed, taken over or expired never
    publishes. Other object stores (gs:// …) have no lock here: the scheduler must not
    overlap runs (deploy/schedule/README.md).
    """

    def __init__(self, output: str, run_id: str, lease_seconds: float | None = None) -> None:
        self._output = output
        self._path = layout.join(output, layout.LOCK_FILE)
        self.token = f"{run_id}.{secrets.token_hex(8)}"
        self._handle = None
        self._lease: _S3Lease | None = None
        self._lease_seconds = lease_seconds

    def __enter__(self) -> RunLock:
        if objstore.is_s3(self._output):
            seconds = self._lease_seconds or configured_lease_seconds()
            lease = _S3Lease(self._output, self._path, self.token, seconds)
            lease.acquire()
            self._lease = lease
            return self
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
        if self._lease is not None:
            self._lease.check()
            return
        if self._handle is None:
            if layout.is_local(self._output) or objstore.is_s3(self._output):
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
        if self._lease is not None:
            lease, self._lease = self._lease, None
            lease.release()
            return
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
