"""Small pieces shared by the stage transforms."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.core.records import Quarantined
from pipelines.run_context import RunContext

QUARANTINE = "quarantine"
_MAX_MESSAGE = 500


def quarantine(
    run: RunContext,
    source_uri: str,
    kind: str,
    message: str,
    *,
    raw: bytes = b"",
    raw_size: int = -1,
    raw_sha256: str | None = None,
    input_id: str | None = None,
) -> beam.pvalue.TaggedOutput:
    """A Quarantined record on the `quarantine` output; the message is kept to one short line.

    `input_id` (the ledger's key) defaults to the content id of `raw_sha256`."""
    message = " ".join(message.split())[:_MAX_MESSAGE]
    Metrics.counter("spindrift.quarantine", kind).inc()  # one counter per reason
    record = Quarantined(
        source_uri=source_uri,
        error_kind=kind,
        message=message,
        raw=raw,
        raw_size=raw_size,
        raw_sha256=raw_sha256,
        truncated=raw_size > len(raw),
        quarantined_at=run.started_at,
        run_id=run.run_id,
        input_id=input_id,
    )
    return beam.pvalue.TaggedOutput(QUARANTINE, record)
