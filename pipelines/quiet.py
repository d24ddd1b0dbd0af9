"""Quiet workers: drop the start-up warnings Beam's SDK worker processes print on every run.

On the DirectRunner's multi_processing mode (and portable runners on this machine) each
worker process logs, before and while it parses its options: `apitools not found ...` (an
optional GCP client is absent), `No semi_persistent_directory found` (no staged main session:
irrelevant, nothing is staged), `Discarding unparseable args: ['--output=…']` (the worker
does not import the job's option class; the job's flags were used by the driver, nothing is
dropped) and `Logging handler created.`. They reach the terminal twice: written by the
worker to the stderr it inherits, and relayed through the Fn logging API by the driver's
`local_job_service` logger. Both paths are filtered at the default log level; `-v` shows all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

# Exact fragments of the spurious messages (see the module docstring for why each is noise).
WORKER_NOISE = (
    "apitools not found",
    "No semi_persistent_directory found",
    "Discarding unparseable args",
    "Logging handler created.",
)
_DRAIN_S = 2.0  # how long the end of a run waits for workers' last stderr lines
RELAY_LOGGERS = ("apache_beam.runners.portability.local_job_service",)


def is_noise(text: str) -> bool:
    return any(fragment in text for fragment in WORKER_NOISE)


class WorkerNoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not is_noise(record.getMessage())


def filter_relayed_worker_logs() -> None:
    """Drop the noise the driver relays from workers (idempotent)."""
    for name in RELAY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WorkerNoiseFilter) for f in logger.filters):
            logger.addFilter(WorkerNoiseFilter())


@contextlib.contextmanager
def filtered_stderr() -> Iterator[TextIO]:
    """While open, file descriptor 2 (inherited by worker processes started meanwhile) is a
    pipe; a thread copies every line to the real stderr except the known noise.

    Python code that writes to sys.stderr goes the same way, so output order is kept.
    Yields a text stream on the real stderr, for output that must bypass the line filter
    (the live progress line). When stderr has no file descriptor, nothing is filtered.
    """
    try:
        real = os.dup(2)
    except OSError:
        yield sys.stderr
        return
    read_end, write_end = os.pipe()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump() -> None:
        with os.fdopen(read_end, "rb") as source, os.fdopen(real, "wb", closefd=False) as sink:
            for line in source:
                if not is_noise(line.decode("utf-8", "replace")):
                    sink.write(line)
                    sink.flush()

    thread = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    thread.start()
    terminal = os.fdopen(os.dup(real), "w", buffering=1)
    try:
        yield terminal
    finally:
        terminal.close()
        sys.stderr.flush()
        os.dup2(real, 2)  # drops this process's last handle on the pipe's write end
        # Workers normally exit with the run; one that lingers keeps the pipe open, and its
        # last lines are still copied by the (daemon) thread, which then owns `real`.
        thread.join(timeout=_DRAIN_S)
        if not thread.is_alive():
            os.close(real)
