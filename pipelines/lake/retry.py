"""Retries for object-store calls: transient errors are retried with exponential backoff, and
then the run fails with one message naming the path and what was tried.

Transient: HTTP 5xx and 429 (SlowDown, InternalError, ServiceUnavailable …), request timeouts
and dropped connections. Anything else (403, 404, 412 …) is an answer, never retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from pipelines.lake.errors import ObjectStoreError

T = TypeVar("T")
_LOG = logging.getLogger(__name__)

# Five tries over ~3 s ride out an S3 `SlowDown` burst or a dropped connection; an outage
# longer than that is not transient, and the run should fail while nothing is published.
ATTEMPTS = 5
FIRST_DELAY_S = 0.2
MAX_DELAY_S = 2.0
# ±25 % jitter so parallel workers retrying the same prefix do not stampede it in step.
JITTER = 0.25
_TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "RequestTimeout",
        "RequestTimeTooSkewed",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "OperationAborted",
    }
)
_TRANSIENT_NAMES = frozenset(
    {
        "ConnectionClosedError",
        "ConnectTimeoutError",
        "EndpointConnectionError",
        "ReadTimeoutError",
        "ResponseStreamingError",
        "IncompleteReadError",
    }
)


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)  # botocore ClientError
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = response.get("Error", {}).get("Code")
        if code in _TRANSIENT_CODES:
            return 503
        return int(status) if status else None
    code = getattr(exc, "code", None)  # Beam's S3ClientError carries the HTTP status
    return code if isinstance(code, int) else None


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` (or an error it wraps) is worth another try."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        status = _status(current)
        if status is not None and (status >= 500 or status == 429):
            return True
        if type(current).__name__ in _TRANSIENT_NAMES or isinstance(
            current, (ConnectionError, TimeoutError)
        ):
            return True
        details = getattr(current, "exception_details", None)  # Beam's BeamIOError
        if isinstance(details, dict):
            todo.extend(e for e in details.values() if isinstance(e, BaseException))
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False


def delays(attempts: int = ATTEMPTS) -> list[float]:
    """The pauses between `attempts` tries, before jitter (0.2, 0.4, 0.8, 1.6 s)."""
    return [min(FIRST_DELAY_S * 2**i, MAX_DELAY_S) for i in range(attempts - 1)]


def call(
    action: Callable[[], T],
    what: str,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`action()`, retried on transient errors; ObjectStoreError naming `what` when they last.

    `what` says what was being done to which path ("reading s3://b/lake/_snapshot.json").
    Errors that are not transient propagate unchanged at once.
    """
    pauses = delays(attempts)
    for attempt in range(attempts):
        try:
            return action()
        except Exception as exc:
            if not is_transient(exc):
                raise
            if attempt == attempts - 1:
                raise ObjectStoreError(
                    f"{what} failed {attempts} times over {sum(pauses):.1f} s "
                    f"(transient errors that did not clear): {_short(exc)}"
                ) from exc
            pause = pauses[attempt] * random.uniform(1 - JITTER, 1 + JITTER)
            _LOG.info("%s: %s; retrying in %.2f s", what, _short(exc), pause)
            sleep(pause)
    raise AssertionError("unreachable")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}"
