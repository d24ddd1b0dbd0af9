"""Facts fixed once per run, when the pipeline is built, and shared by every stage."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class RunContext:
    """`run_id` names the run's files; `started_at` is every row's ingested_at (UTC)."""

    run_id: str
    started_at: dt.datetime
    output: str

    @property
    def staging(self) -> str:
        """Folder for the run's temporary files, outside the visible tables."""
        return f"{self.output.rstrip('/')}/_staging/{self.run_id}"

    @classmethod
    def new(cls, output: str, now: dt.datetime | None = None) -> RunContext:
        now = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
        run_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        return cls(run_id=run_id, started_at=now, output=output.rstrip("/") or "/")
