"""The whole job against an S3-compatible server on this machine (moto in server mode, started
here on a free localhost port): inputs, lake and state on s3://, Beam's S3 file system with
`--s3_endpoint_url`. Ingest -> query -> a concurrent run refused (exit 3) -> kill -9
mid-commit -> recovery, while a reader samples the lake the documented way; injected
transient errors (listing and reading state, writing a staged file) are retried, a rerun
over ingested and new inputs writes only the new ones, and a persistent error fails the run
naming the path with nothing published.

What this does not run: real S3 or GCS (no network here).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

pytest.importorskip("moto", reason="moto[server] is not installed (pip install -e '.[test]')")
pytest.importorskip("boto3", reason="boto3 is not installed (apache-beam[aws])")

import boto3

from pipelines.lake import objstore, retry
from pipelines.lake.commit import recover
from pipelines.lake.errors import LockedError, LockLostError, ObjectStoreError
from pipelines.lake.lock import RunLock
from pipelines.lake.snapshot import read_snapshot
from pipelines.lake.state import check_lake
from pipelines.query import connect
from tests.crash import generated_body
from tests.s3_server import BUCKET, KEY, REGION, SECRET, FaultProxy, moto_server

SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
LEASE_SECONDS = 6.0  # short, so the run after a kill -9 need not wait a minute
# Between samples. A sample (open the lake, two queries) takes ~0.2 s, 0.4 s beside a run: at
# 0.1 s the sampler took most of a core from the runs it watches (+15 s on this test).
SAMPLE_SECONDS = 0.25


@dataclass
class S3:
    moto: str
    proxy: FaultProxy
    client: object = field(repr=False)

    def settings(self, through_proxy: bool = True) -> objstore.S3Settings:
        return objstore.S3Settings(
            endpoint_url=self.proxy.url if through_proxy else self.moto,
            access_key_id=KEY,
            secret_access_key=SECRET,
            region_name=REGION,
        )

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_REGION": REGION,
            "SPINDRIFT_LEASE_SECONDS": str(LEASE_SECONDS),
        }

    def keys(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def upload(self, folder: Path, prefix: str) -> str:
        for path in sorted(folder.iterdir()):
            self.client.upload_file(str(path), BUCKET, f"{prefix}/{path.name}")
        return f"s3://{BUCKET}/{prefix}/*.txt"

    def json(self, key: str) -> dict:
        return json.loads(self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.fixture(scope="module")
def s3():
    with moto_server() as url:
        client = boto3.client(
            "s3", endpoint_url=url, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
            region_name=REGION,
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        proxy = FaultProxy(url)
        try:
            yield S3(url, proxy, client)
        finally:
            proxy.close()
            objstore.configure(None)


@pytest.fixture
def faults(s3):
    yield s3.proxy
    s3.proxy.clear()


def write_articles(folder: Path, n: int, copies: int, seed: int) -> Path:
    """`n` distinct generated articles over four days and `copies` exact copies of the first
    ones behind an agency credit."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for i in range(n):
        body = generated_body(rng)
        (folder / f"s{seed}-{i:03d}.txt").write_text(f" date 2024-05-0{1 + i % 4} {body}", "utf-8")
    for i in range(copies):
        text = (folder / f"s{seed}-{i:03d}.txt").read_text(encoding="utf-8")
        (folder / f"s{seed}-copy-{i}.txt").write_text(text + "\n\nPA Media", encoding="utf-8")
    return folder


def beam_flags(s3: S3) -> list[str]:
    return s3.settings().beam_args()


def ingest_argv(s3: S3, inputs: str, lake: str) -> list[str]:
    return [SPINDRIFT, "ingest", "--input", inputs, "--output", lake, "-q", *beam_flags(s3)]


def run_job(s3: S3, inputs: str, lake: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ingest_argv(s3, inputs, lake), env=s3.env(), capture_output=True, text=True, timeout=300
    )


def run_in_process(s3: S3, inputs: str, lake: str) -> int:
    from pipelines.ingest import main

    return main(["--input", inputs, "--output", lake, "-q", "--no-progress", *beam_flags(s3)])


def manifest_of(s3: S3, lake_key: str, run_id: str) -> dict:
    return s3.json(f"{lake_key}/_runs/{run_id}.json")


class Sampler(threading.Thread):
    """Opens the lake the documented way (`pipelines.query.connect`: only the files
    `_snapshot.json` lists) every 100 ms; records rows per run of each table."""

    def __init__(self, lake: str) -> None:
        super().__init__(daemon=True)
        self.lake = lake
        self.seen: set[tuple] = set()
        self.errors: list[str] = []
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                con = connect(self.lake, quarantine=False)
                sample = tuple(
                    tuple(
                        con.execute(
                            f"select run_id, count(*) from {t} group by 1 order by 1"
                        ).fetchall()
                    )
                    for t in ("articles", "duplicates")
                )
                self.seen.add(sample)
                self.samples += 1
            except FileNotFoundError:
                pass  # no lake yet
            except Exception as exc:  # any reader failure is a finding
                self.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def test_s3_lake_ingest_refusal_kill_and_recovery(s3, faults, tmp_path):
    prefix = f"e2e-{uuid.uuid4().hex[:6]}"
    lake_key = f"{prefix}/lake"
    lake = f"s3://{BUCKET}/{lake_key}"
    batch = write_articles(tmp_path / "a", n=12, copies=2, seed=1)
    (batch / "s1-empty.txt").write_bytes(b"")  # quarantined: the quarantine views on S3
    first = s3.upload(batch, f"{prefix}/in1")
    second = s3.upload(write_articles(tmp_path / "b", n=8, copies=0, seed=2), f"{prefix}/in2")
    objstore.configure(s3.settings(through_proxy=False))  # the reader: straight to the server
    sampler = Sampler(lake)
    sampler.start()
    try:
        # 1. ingest, then the documented reader sees every row once. Run 1 in this process
        # (run A, B and the recovery below are the installed script). Reruns over S3 write
        # nothing: test_transient_errors_... checks its second run's `already_ingested`.
        assert run_in_process(s3, first, lake) == 0
        objstore.configure(s3.settings(through_proxy=False))
        snapshot = read_snapshot(lake)
        (run1,) = snapshot.runs
        assert manifest_of(s3, lake_key, run1)["articles"] == 12
        con = connect(lake)
        assert con.execute(
            "select count(*), count(distinct article_id) from articles"
        ).fetchone() == (12, 12)
        assert con.execute("select count(*) from duplicates").fetchone() == (2,)
        assert con.execute("select error_kind from quarantine").fetchall() == [("empty",)]
        raw = connect(lake, raw=True).execute("select error_kind from quarantine_raw")
        assert raw.fetchall() == [("empty",)]
        assert con.execute(
            "select published_date, count(*) from articles group by 1 order by 1"
        ).fetchall() == [(dt.date(2024, 5, d), 3) for d in (1, 2, 3, 4)]

        # 2. run A stops mid-commit (its manifest PUT is held by the proxy after the journal
        # is written); run B, started while A holds the lease, refuses with exit 3.
        held = faults.add("PUT", rf"/{lake_key}/_runs/", hang=True)
        run_a = subprocess.Popen(
            ingest_argv(s3, second, lake), env=s3.env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while f"{lake_key}/_lock" not in s3.keys(f"{lake_key}/_lock"):
                assert run_a.poll() is None and time.monotonic() < deadline, "A never locked"
                time.sleep(0.05)
            refused = run_job(s3, second, lake)
            assert refused.returncode == 3, refused.stderr
            assert f"another run holds the lease on '{lake}'" in refused.stderr
            assert held.hung.wait(timeout=180), "run A never reached its commit"
            (journal,) = [k for k in s3.keys(f"{lake_key}/_staging/") if k.endswith("/commit.json")]
            run_a_id = journal.split("/")[-2]
            os.killpg(run_a.pid, signal.SIGKILL)
            run_a.wait()
        finally:
            if run_a.poll() is None:
                os.killpg(run_a.pid, signal.SIGKILL)
                run_a.wait()
            faults.clear()
        assert read_snapshot(lake).runs == (run1,)  # A never published itself
        assert connect(lake).execute("select count(*) from articles").fetchone() == (12,)

        # 3. after A's lease expires, the next run rolls A's journaled commit forward.
        lease = s3.json(f"{lake_key}/_lock")
        assert lease["token"].startswith(run_a_id)
        wait = dt.datetime.fromisoformat(lease["expires_at"]) - dt.datetime.now(dt.timezone.utc)
        time.sleep(max(wait.total_seconds(), 0) + 0.2)
        done = run_job(s3, second, lake)
        assert done.returncode == 0, done.stderr
        runs = read_snapshot(lake).runs
        assert runs[:2] == (run1, run_a_id)
        recovery = manifest_of(s3, lake_key, runs[2])
        assert recovery["recovered_runs"] == {"rolled_forward": [run_a_id], "rolled_back": []}
        assert (recovery["articles"], recovery["already_ingested"]) == (0, 8)
        assert manifest_of(s3, lake_key, run_a_id)["articles"] == 8
        con = connect(lake)
        assert con.execute(
            "select count(*), count(distinct article_id) from articles"
        ).fetchone() == (20, 20)
        assert s3.keys(f"{lake_key}/_staging/") == []
        assert s3.keys(f"{lake_key}/_lock") == []
        _, problems, _ = check_lake(lake)
        assert problems == []
        checked = subprocess.run(
            [SPINDRIFT, "check", lake], env=s3.env(), capture_output=True, text=True, timeout=120
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f"{lake}: sound (3 runs, ")
    finally:
        sampler.stop()

    # No sample ever showed part of a run: each run seen had all of its rows.
    complete = {
        run: (
            manifest_of(s3, lake_key, run)["articles"],
            manifest_of(s3, lake_key, run)["duplicates"],
        )
        for run in read_snapshot(lake).runs
    }
    assert sampler.errors == []
    assert sampler.samples >= 50
    for articles, duplicates in sampler.seen:
        for run, n in articles:
            assert complete[run][0] == n, (run, n)
        for run, n in duplicates:
            assert complete[run][1] == n, (run, n)
    # The empty lake of the first run's start, run 1's 12 articles, and 20 once A is in.
    assert {sum(n for _, n in articles) for articles, _ in sampler.seen} == {0, 12, 20}


@pytest.fixture
def no_boto_retries(monkeypatch):
    """Beam's S3 client retries 5xx in botocore; off, so the project's retries are tested."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("SPINDRIFT_LEASE_SECONDS", str(LEASE_SECONDS))


def test_transient_errors_are_retried_and_persistent_ones_fail_naming_the_path(
    s3, faults, tmp_path, capsys, no_boto_retries
):
    prefix = f"faults-{uuid.uuid4().hex[:6]}"
    lake_key, lake = f"{prefix}/lake", f"s3://{BUCKET}/{prefix}/lake"
    first = s3.upload(write_articles(tmp_path / "a", n=6, copies=0, seed=3), f"{prefix}/in1")
    s3.upload(write_articles(tmp_path / "b", n=4, copies=0, seed=4), f"{prefix}/in2")
    third = s3.upload(write_articles(tmp_path / "c", n=4, copies=0, seed=5), f"{prefix}-more/in")

    # Transient, writing a staged file: the first two uploads of an article file fail (503).
    staged = faults.add("POST PUT", rf"/{lake_key}/articles/", times=2)
    assert run_in_process(s3, first, lake) == 0
    assert staged.hits == 2
    # Transient, listing state (the staging prefix) and reading state (the ledger's checksum
    # read, the snapshot). A glob over the whole prefix: the lake's own files are not inputs.
    listing = faults.add("GET", rf"/{BUCKET}\?.*prefix={lake_key}/_staging/", times=2)
    reading = faults.add("GET", rf"/{lake_key}/_ledger/part-", times=2)
    snapshot_read = faults.add("GET", rf"/{lake_key}/_snapshot\.json", times=1)
    assert run_in_process(s3, f"s3://{BUCKET}/{prefix}/**", lake) == 0
    assert (listing.hits, reading.hits, snapshot_read.hits) == (2, 2, 1)
    faults.clear()
    objstore.configure(s3.settings(through_proxy=False))
    before = read_snapshot(lake)
    assert len(before.runs) == 2
    rerun = manifest_of(s3, lake_key, before.runs[1])
    assert (rerun["matched"], rerun["articles"], rerun["already_ingested"]) == (10, 4, 6)
    con = connect(lake)
    assert con.execute("select count(*), count(distinct article_id) from articles").fetchone() == (
        10,
        10,
    )
    capsys.readouterr()

    # Persistent, writing a staged file: the run fails naming the file; nothing published.
    faults.add("POST PUT", rf"/{lake_key}/articles/")
    assert run_in_process(s3, third, lake) == 1
    err = capsys.readouterr().err
    assert "ObjectStoreError: writing staged file s3://" in err
    assert f"/{lake_key}/articles/published_date=2024-05-0" in err
    assert "failed 5 times over 3.0 s" in err
    faults.clear()
    # Persistent, reading state: the ledger cannot be read.
    faults.add("GET", rf"/{lake_key}/_ledger/part-")
    assert run_in_process(s3, third, lake) == 1
    err = capsys.readouterr().err
    assert f"ObjectStoreError: reading s3://{BUCKET}/{lake_key}/_ledger/part-" in err
    faults.clear()

    objstore.configure(s3.settings(through_proxy=False))
    assert read_snapshot(lake) == before
    assert connect(lake).execute("select count(*) from articles").fetchone() == (10,)
    # The run that failed reading state rolled back the one before it (whose files were at
    # their final names, invisible); the next lock holder rolls back that one in turn.
    with RunLock(lake, "next", lease_seconds=LEASE_SECONDS) as lock:
        done = recover(lake, lock.assert_held)
    assert len(done["rolled_back"]) == 1 and done["rolled_forward"] == []
    keys = s3.keys(f"{lake_key}/")
    assert [k for k in keys if "/_staging/" in k] == []
    tables = [k for k in keys if "/part-" in k]
    assert tables
    assert [k for k in tables if not any(f"part-{run}-" in k for run in before.runs)] == []


def test_lease_refuses_a_second_run_and_fences_an_expired_one(s3):
    objstore.configure(s3.settings(through_proxy=False))
    lake = f"s3://{BUCKET}/lease-{uuid.uuid4().hex[:6]}/lake"
    first = RunLock(lake, "run-a", lease_seconds=1.0)
    with first:
        first.assert_held()
        with pytest.raises(LockedError, match=r"another run holds the lease on .*run-a\."):
            RunLock(lake, "run-b", lease_seconds=1.0).__enter__()
    # Released on exit: the next run takes it at once.
    with RunLock(lake, "run-c", lease_seconds=1.0) as third:
        assert third.token.startswith("run-c.")
    # A holder that stops renewing (a frozen process) is overtaken after expiry and fenced.
    stale = RunLock(lake, "run-d", lease_seconds=0.6)
    stale.__enter__()
    stale._lease._stop.set()  # simulate a process that stopped renewing
    time.sleep(0.8)
    with RunLock(lake, "run-e", lease_seconds=5.0) as fresh:
        with pytest.raises(LockLostError):
            stale.assert_held()
        fresh.assert_held()
    stale.__exit__(None, None, None)  # must not delete run-e's (gone) or anyone's lease


def test_retry_backs_off_then_names_the_path():
    class SlowDown(Exception):
        response: ClassVar[dict] = {
            "Error": {"Code": "SlowDown"},
            "ResponseMetadata": {"HTTPStatusCode": 503},
        }

    pauses: list[float] = []
    calls = iter([SlowDown(), SlowDown(), "ok"])

    def flaky():
        value = next(calls)
        if isinstance(value, Exception):
            raise value
        return value

    assert retry.call(flaky, "reading s3://b/k", sleep=pauses.append) == "ok"
    assert len(pauses) == 2
    assert 0.15 <= pauses[0] <= 0.25 and 0.3 <= pauses[1] <= 0.5  # 0.2 s, 0.4 s ±25 %
    assert retry.delays() == [0.2, 0.4, 0.8, 1.6]

    def always():
        raise SlowDown("slow down")

    with pytest.raises(ObjectStoreError, match=r"^reading s3://b/k failed 5 times over 3\.0 s"):
        retry.call(always, "reading s3://b/k", sleep=lambda s: None)

    class Forbidden(Exception):
        response: ClassVar[dict] = {
            "Error": {"Code": "AccessDenied"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    def denied():
        raise Forbidden("no")

    with pytest.raises(Forbidden):  # an answer, not a transient error: at once
        retry.call(denied, "reading s3://b/k", sleep=pauses.append)
    assert len(pauses) == 2


def test_s3_lake_supersedes_a_published_survivor_copy_on_write(s3, tmp_path):
    """A superseding run on S3: the rewrites are written at their final, run-unique names and
    swapped in by the one conditional snapshot PUT; the old files go one commit later."""
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    spun = (seeds / "000_09ebb983a3b43bad.txt").read_text(encoding="utf-8")  # 2020-03-18
    original = (seeds / "001_9581d82dba44a308.txt").read_text(encoding="utf-8")
    prefix = f"sup-{uuid.uuid4().hex[:6]}"
    lake_key, lake = f"{prefix}/lake", f"s3://{BUCKET}/{prefix}/lake"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "copy.txt").write_text(spun, encoding="utf-8")
    (first / "copy2.txt").write_text(spun, encoding="utf-8")
    (second / "original.txt").write_text(original.replace("2020-03-18", "2020-03-16"), "utf-8")
    assert run_in_process(s3, s3.upload(first, f"{prefix}/in1"), lake) == 0
    inputs = s3.upload(second, f"{prefix}/in2")
    from pipelines.ingest import main

    argv = ["--input", inputs, "--output", lake, "-q", "--no-progress", "--supersede"]
    assert main([*argv, *beam_flags(s3)]) == 0
    objstore.configure(s3.settings(through_proxy=False))
    run2 = read_snapshot(lake).runs[-1]
    manifest = manifest_of(s3, lake_key, run2)
    assert (manifest["articles"], manifest["duplicates"], manifest["superseded"]) == (1, 0, 1)
    con = connect(lake, quarantine=False)
    names = "regexp_extract(source_uri, '[^/]+$')"
    assert con.execute(f"select {names}, published_date from articles").fetchall() == [
        ("original.txt", dt.date(2020, 3, 16))
    ]
    assert con.execute(
        f"select {names}, regexp_extract(kept_source_uri, '[^/]+$'), method from duplicates "
        "order by 1"
    ).fetchall() == [("copy.txt", "original.txt", "near:skeleton"),
                     ("copy2.txt", "original.txt", "exact")]  # fmt: skip
    assert check_lake(lake)[1] == []
    retired = manifest["retired_tables"]
    assert len(retired) == 2 and all(s3.keys(f"{lake_key}/{p}") for p in retired)
    assert run_in_process(s3, inputs, lake) == 0  # the next commit deletes them
    objstore.configure(s3.settings(through_proxy=False))
    assert not any(s3.keys(f"{lake_key}/{p}") for p in retired)


def test_file_opener_reads_and_writes_s3_through_one_client(s3, tmp_path):
    """`FileOpener` (the read and staging DoFns' way to open files): the same bytes as Beam's
    `FileSystems` on s3:// and on a local path, with one S3 client for every s3:// call."""
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.lake.opener import FileOpener

    FileSystems.set_options(PipelineOptions(beam_flags(s3)))
    prefix = f"s3://{BUCKET}/opener-{uuid.uuid4().hex[:6]}"
    opener = FileOpener()
    payloads = {f"{prefix}/f{i}.bin": bytes([i]) * (1000 + i) for i in range(3)}
    payloads[str(tmp_path / "local.bin")] = b"local bytes"
    for path, data in payloads.items():
        with opener.create(path) as handle:
            handle.write(data)
    client = opener._s3io
    for path, data in payloads.items():
        with opener.open(path) as handle:
            assert handle.read() == data
        with FileSystems.open(path) as handle:  # what Beam itself reads there
            assert handle.read() == data
    assert client is not None and opener._s3io is client
    assert s3.keys(prefix.removeprefix(f"s3://{BUCKET}/")) == sorted(
        p.removeprefix(f"s3://{BUCKET}/") for p in payloads if p.startswith("s3://")
    )
