"""Spindrift: news ingestion on Apache Beam."""

import logging
import time

# When Spindrift's code first ran in this process: the summary's start-up timings count from it.
PROCESS_STARTED = time.monotonic()


class _DropImportNoise(logging.Filter):
    """Beam warns on the root logger at import time that optional GCP client libraries are
    missing; irrelevant to local runs and it would break the one-line error contract."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(_DropImportNoise())


def version() -> str:
    """The installed package's version (from its metadata), or 'unknown' when not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("spindrift")
    except PackageNotFoundError:
        return "unknown"
