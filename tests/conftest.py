import datetime as dt
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
STARTED = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone.utc)


def seed(prefix: str) -> Path:
    """The seed file whose name starts with `prefix`, e.g. '001'."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture
def run_ctx(tmp_path) -> RunContext:
    return RunContext(run_id="test-run", started_at=STARTED, output=str(tmp_path / "out"))


@pytest.fixture
def pipeline():
    """A TestPipeline on the offline in-process DirectRunner engine."""
    options = PipelineOptions([])
    return TestPipeline(runner=resolve_runner(options), options=options)
