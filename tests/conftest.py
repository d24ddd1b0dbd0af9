import datetime as dt
import tempfile
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

from pipelines.run_context import RunContext
from pipelines.runners import resolve_runner

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
STARTED = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.timezone.utc)


# A Tagalog news site's menu: short lines that read as Tagalog above an English article.
TAGALOG_MENU = (
    "Balita ngayong araw sa buong bansa",
    "Mga Larawan at Bidyo ng linggo",
    "Ang pinakabagong balita mula sa mga lalawigan",
    "Panahon at kalagayan ng trapiko",
    "Makipag-ugnayan sa amin ngayon",
    "Mga opinyon ng ating mga mambabasa",
    "Palakasan at libangan sa bansa",
    "Negosyo at ekonomiya ng Pilipinas",
)


def seed(prefix: str) -> Path:
    """The seed file whose name starts with `prefix`, e.g. '001'."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


@pytest.fixture(autouse=True)
def _temp_files_under_basetemp(tmp_path_factory, monkeypatch) -> None:
    """Each test's temporary files, its child processes' included, go to a folder of its own
    under pytest's basetemp (which pytest prunes), not the machine's /tmp: Beam leaves a
    `beam-pipeline-temp*` folder for every graph built and not run to its end, and its stager
    a requirements list per portable job (6-8 of them after each suite run)."""
    folder = str(tmp_path_factory.mktemp("tmp"))
    monkeypatch.setenv("TMPDIR", folder)
    monkeypatch.setattr(tempfile, "tempdir", folder)


@pytest.fixture
def run_ctx(tmp_path) -> RunContext:
    return RunContext(run_id="test-run", started_at=STARTED, output=str(tmp_path / "out"))


@pytest.fixture(scope="session")
def seeds_lake(tmp_path_factory) -> str:
    """The lake of one in-process DirectRunner run over seeds/ (the job's default input), shared
    read-only by the tests that compare other runners' rows with the DirectRunner's."""
    from pipelines import ingest

    out = str(tmp_path_factory.mktemp("seeds_lake") / "lake")
    ingest.run(["--output", out])
    return out


@pytest.fixture
def pipeline():
    """A TestPipeline on the offline in-process DirectRunner engine."""
    options = PipelineOptions([])
    return TestPipeline(runner=resolve_runner(options), options=options)
