"""The same job over seeds/ gives the same rows on three runners.

In-process DirectRunner, DirectRunner multi-processing with 2 workers, and the PortableRunner
against Beam's local job service (LOOPBACK) — the portable path that Flink and Spark take.
"""

import os
import socket
import subprocess
import sys
import time

import pytest

from pipelines import ingest
from tests import helpers

pytestmark = pytest.mark.slow

# Columns that legitimately differ between two runs of the same input.
PER_RUN = ("ingested_at", "run_id", "kept_run_id")


def _rows(output: str, table: str) -> list[tuple]:
    cols = [
        c
        for (c,) in helpers.table(output, f"select column_name from (describe {table})")
        if c not in PER_RUN
    ]
    return helpers.table(output, f"select {', '.join(cols)} from {table} order by all")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def job_service():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("localhost", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("local job service did not start")
    yield f"localhost:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def test_three_runners_write_identical_rows(tmp_path, job_service, seeds_lake):
    runs = {
        "in_process": None,  # the shared lake of the in-process run (conftest.seeds_lake)
        "multi_processing": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
        "portable": [
            "--runner=PortableRunner",
            f"--job_endpoint={job_service}",
            "--environment_type=LOOPBACK",
        ],
    }
    results = {}
    for name, flags in runs.items():
        if flags is None:
            out, manifest = seeds_lake, helpers.manifest(seeds_lake)
        else:
            out = str(tmp_path / name)
            manifest = ingest.run(["--output", out, *flags]).manifest
        assert (manifest["matched"], manifest["articles"], manifest["duplicates"]) == (5, 4, 1)
        results[name] = {t: _rows(out, t) for t in ("articles", "duplicates")}
        files = sorted(
            os.path.relpath(os.path.join(d, f), out)
            for d, _, fs in os.walk(os.path.join(out, "articles"))
            for f in fs
        )
        results[name]["layout"] = [f.rsplit("/", 1)[0] for f in files]
    assert len(results["in_process"]["articles"]) == 4
    assert len(results["in_process"]["duplicates"]) == 1
    assert results["multi_processing"] == results["in_process"]
    assert results["portable"] == results["in_process"]
