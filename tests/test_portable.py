"""The job on a cluster-shaped runner gives the DirectRunner's rows exactly.

Flink and Spark run Python through Beam's portability layer: the driver submits the pipeline to
a job server, and the job server asks an SDK worker pool (a sidecar process per task manager /
executor, `--environment_type=EXTERNAL`) to start Python workers. Here all three are separate
processes started the way a cluster starts them:

- a job server: `python -m apache_beam.runners.portability.local_job_service_main --port P`
  (Beam's own Python job server; Flink's and Spark's are Java, see deploy/README.md);
- an SDK worker pool: `python -m apache_beam.runners.worker.worker_pool_main --service_port Q`,
  started from its own working directory, which starts each worker as a fresh `python` process;
- the driver: `spindrift ingest --runner=PortableRunner --job_endpoint=localhost:P
  --environment_type=EXTERNAL --environment_config=localhost:Q`, in this test's process, with a
  *relative* `--output` from another working directory.

Driver and workers share nothing but the file system the lake is on (a bucket, on a cluster):
no memory, no process, no working directory. The rows (articles, duplicates, quarantine, minus
the per-run columns), the run's counters and its accounting must equal an in-process
DirectRunner run of the same input. Over seeds/ always; over a mixed sample of ../shared
(BBC, scraped web pages, legacy encodings, exact copies, unreadable files) when it exists.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines import ingest
from pipelines.progress import RunProgress, format_line
from pipelines.runners import resolve_runner
from tests import helpers

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpora"
# Columns that legitimately differ between two runs of the same input.
PER_RUN = ("ingested_at", "quarantined_at", "run_id", "kept_run_id")
TABLES = ("articles", "duplicates", "quarantine")
_START_TIMEOUT_S = 60  # a cold Beam import on a busy 2-core machine takes ~5-10 s


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, name: str, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{name} exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("localhost", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{name} did not listen on port {port} within {_START_TIMEOUT_S} s")


@contextlib.contextmanager
def _service(argv: list[str], cwd: Path, port: int, name: str) -> Iterator[Path]:
    """Run a service in its own session (so its worker processes die with it); yield its log."""
    log = cwd / f"{name}.log"
    # The worker pool starts workers as `python -c ...` found on PATH: the venv's, as an SDK
    # container's PATH has its own Python first. Nothing else of the test's environment leaks.
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "LANG": "C.UTF-8",
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_for_port(port, proc, name, log)
        yield log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[dict[str, object]]:
    """A job server and an SDK worker pool, each its own process in its own folder."""
    job_home = tmp_path_factory.mktemp("job_server")
    pool_home = tmp_path_factory.mktemp("worker_pool")
    job_port, pool_port = _free_port(), _free_port()
    python = sys.executable
    with (
        _service(
            [python, "-m", "apache_beam.runners.worker.worker_pool_main",
             f"--service_port={pool_port}"],
            pool_home, pool_port, "worker_pool",
        ) as pool_log,
        _service(
            [python, "-m", "apache_beam.runners.portability.local_job_service_main",
             "--port", str(job_port)],
            job_home, job_port, "job_server",
        ),
    ):  # fmt: skip
        yield {
            "flags": [
                "--runner=PortableRunner",
                f"--job_endpoint=localhost:{job_port}",
                "--environment_type=EXTERNAL",
                f"--environment_config=localhost:{pool_port}",
            ],
            "pool_log": pool_log,
        }


def _rows(output: str, table: str) -> list[tuple]:
    cols = [
        c
        for (c,) in helpers.table(output, f"select column_name from (describe {table})")
        if c not in PER_RUN
    ]
    return helpers.table(output, f"select {', '.join(cols)} from {table} order by all")


def _outcome(output: str) -> dict[str, object]:
    """Everything a run published that does not name the run: rows, counters, accounting."""
    manifest = helpers.manifest(output)
    return {
        **{table: _rows(output, table) for table in TABLES},
        "counters": manifest["counters"],
        "accounting": {
            k: manifest[k]
            for k in ("matched", "articles", "duplicates", "quarantined", "already_ingested")
        },
    }


def _run_both(
    tmp_path: Path, cluster, monkeypatch, inputs: list[str], direct: str | None = None
) -> tuple[dict, dict]:
    """(DirectRunner outcome, EXTERNAL worker-pool outcome) of the same inputs; the
    DirectRunner's lake is `direct` when given (an earlier run's), else `tmp_path/direct`."""
    flags = [arg for pattern in inputs for arg in ("--input", pattern)]
    if direct is None:
        direct = str(tmp_path / "direct")
        ingest.run([*flags, "--output", direct])
    # The driver's working directory is neither the worker pool's nor the job server's: a
    # relative --output only works if the driver resolves it before anything reaches a worker.
    driver_home = tmp_path / "driver"
    driver_home.mkdir()
    monkeypatch.chdir(driver_home)
    started = cluster["pool_log"].read_text().count("Starting worker")
    ingest.run([*flags, "--output", "lake", *cluster["flags"]])
    # The rows came from a worker the pool started, not from the driver's process.
    assert cluster["pool_log"].read_text().count("Starting worker") > started
    return _outcome(direct), _outcome(str(driver_home / "lake"))


def test_external_worker_pool_writes_the_direct_runners_rows_over_seeds(
    tmp_path, cluster, monkeypatch, seeds_lake
):
    seeds = [str(REPO / "seeds" / "*.txt")]  # the default input of the shared seeds_lake
    direct, portable = _run_both(tmp_path, cluster, monkeypatch, seeds, direct=seeds_lake)
    assert direct["accounting"] == {
        "matched": 5, "articles": 4, "duplicates": 1, "quarantined": 0, "already_ingested": 0,
    }  # fmt: skip
    assert [row[-1] for row in direct["duplicates"]] != []
    assert portable == direct


def _mixed_sample(folder: Path) -> dict[str, list[str]]:
    """A small mixed corpus from ../shared; returns the names planted as copies and bad files."""
    folder.mkdir()
    bbc = sorted((SHARED / "bbc" / "business").glob("*.txt"))[:40]
    for path in bbc:
        shutil.copy(path, folder / f"bbc_{path.name}")
    # Exact copies (byte-identical, another name): dropped as 'exact', naming the original.
    copies = []
    for path in bbc[:3]:
        name = f"copy_{path.name}"
        shutil.copy(path, folder / name)
        copies.append(name)
    for path in sorted((SHARED / "webpages" / "raw").glob("*.txt"))[:15]:
        shutil.copy(path, folder / f"web_{path.name}")
    # Paragraphs in legacy single-byte encodings: decoded, tagged with their language.
    wanted = {"ru": "cp1251", "de": "latin-1", "pl": "iso-8859-2", "tr": "cp1254", "el": "cp1253"}
    with open(SHARED / "langid" / "testset.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["kind"] == "paragraph" and wanted.get(row["lang"]):
                (folder / f"legacy_{row['lang']}.txt").write_bytes(
                    row["text"].encode(wanted.pop(row["lang"]))
                )
    bad = {"binary.txt": bytes(range(256)) * 8, "empty.txt": b""}
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    return {"copies": copies, "bad": sorted(bad)}


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/corpora (BBC, web pages, langid)")
def test_external_worker_pool_writes_the_direct_runners_rows_over_a_mixed_sample(
    tmp_path, cluster, monkeypatch
):
    planted = _mixed_sample(tmp_path / "sample")
    direct, portable = _run_both(tmp_path, cluster, monkeypatch, [str(tmp_path / "sample")])
    lake = str(tmp_path / "direct")
    assert direct["accounting"] == {
        "matched": 40 + 3 + 15 + 5 + 2, "articles": 60, "duplicates": 3, "quarantined": 2,
        "already_ingested": 0,
    }  # fmt: skip
    copies = helpers.table(
        lake, "select source_uri, method, kept_source_uri from duplicates order by all"
    )
    sample = str(tmp_path / "sample")
    assert copies == [
        (f"{sample}/{name}", "exact", f"{sample}/bbc_{name.removeprefix('copy_')}")
        for name in planted["copies"]
    ]
    bad = helpers.table(lake, "select source_uri, error_kind from quarantine order by all")
    assert bad == [(f"{sample}/binary.txt", "binary"), (f"{sample}/empty.txt", "empty")]
    legacy = helpers.table(
        lake,
        "select regexp_extract(source_uri, 'legacy_(..)', 1), language from articles "
        "where source_uri like '%legacy_%' order by all",
    )
    assert legacy == [(lang, lang) for lang in ("de", "el", "pl", "ru", "tr")]
    assert portable == direct


def test_live_line_on_a_portable_runner_names_the_runner_instead_of_starting():
    """Per-bundle counters are observed on the DirectRunner only; elsewhere the live line says
    so (the summary's counters come from the runner's metrics at the end)."""
    progress = RunProgress()
    runner = resolve_runner(PipelineOptions(["--runner=PortableRunner"]), progress, poll=True)
    assert runner == "PortableRunner"
    stage, counters, _ = progress.snapshot()
    assert format_line(stage, counters, 12.0) == (
        " 12.0s · running on PortableRunner (counters at the end)"
    )
