"""kill -9 a running `spindrift ingest --watch` at random moments while files keep landing
(shared by tests/test_streaming_watch.py and `benchmarks/streaming.py --kills`).

Files are moved into the watched folder in waves (write elsewhere, then rename: landing is
atomic); after each kill the watcher is started again. At the end every input must be in
exactly one of articles, duplicates or quarantine, once.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lake import layout
from pipelines.query import connect
from tests.crash import SPINDRIFT

STOP_WITHIN_S = 30.0


def _stop_with_parent() -> None:
    """In the watcher's process: SIGTERM when the test process dies (a killed pytest must not
    leave a watcher running in its own session)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def watch_argv(inbox: Path, out: Path, *extra: str) -> list[str]:
    return [SPINDRIFT, "ingest", "--watch", "--input", str(inbox), "--output", str(out),
            "--poll_seconds", "0.2", "--settle_seconds", "0", *extra]  # fmt: skip


def start(
    inbox: Path, out: Path, log: Path, *extra: str, tmp: Path | None = None
) -> subprocess.Popen:
    """A watcher in its own process group (so a test can reap anything it leaves);
    `tmp`: its TMPDIR (to see what temporary files it leaves behind)."""
    env = None if tmp is None else {**os.environ, "TMPDIR": str(tmp)}
    with open(log, "ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            watch_argv(inbox, out, *extra), stdout=handle, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_stop_with_parent, env=env,
        )  # fmt: skip


def stop(proc: subprocess.Popen) -> tuple[int, float]:
    """SIGTERM; (exit code, seconds it took)."""
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=STOP_WITHIN_S + 10)
    return code, time.monotonic() - began


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL the watcher only (its commit child dies with it: PR_SET_PDEATHSIG)."""
    proc.kill()
    proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in its group


def land(files: list[Path], inbox: Path) -> None:
    for f in files:
        tmp = inbox / f".{f.name}.part"
        shutil.copyfile(f, tmp)
        os.replace(tmp, inbox / f.name)


def outcomes(out: Path) -> Counter:
    """source file name -> how many rows name it across articles, duplicates, quarantine."""
    con = connect(str(out))
    names: Counter = Counter()
    for table in ("articles", "duplicates", "quarantine"):
        for (uri,) in con.execute(f"select source_uri from {table}").fetchall():
            names[os.path.basename(uri)] += 1
    return names


def committed_names(out: Path) -> int:
    if not (out / layout.SNAPSHOT_FILE).exists():
        return 0
    return sum(outcomes(out).values())


def _committing(out: Path) -> bool:
    """Whether a commit is in progress in the lake `out`: it has a staging folder (from the
    moment its child got its files until its clean-up; a prepared child waiting for files
    has none)."""
    try:
        return any(not n.startswith(".") for n in os.listdir(out / layout.STAGING_DIR))
    except OSError:
        return False


@dataclass
class KillReport:
    kills: list[float] = field(default_factory=list)  # seconds after start
    during: int = 0  # kills that fell while a commit was staged or publishing
    landed: int = 0
    stop_code: int | None = None
    stop_seconds: float | None = None
    counts: Counter = field(default_factory=Counter)
    log: str = ""


def kill_trial(
    source: list[Path], inbox: Path, out: Path, kills: int, seed: int = 1, drain_s: float = 90
) -> KillReport:
    """Land `source` in `kills + 1` waves; after each wave but the last, kill -9 the watcher
    (every other time inside a commit, else at a random moment) and restart it; then wait
    until every file is committed and stop it with SIGTERM."""
    rng = random.Random(seed)
    inbox.mkdir(parents=True, exist_ok=True)
    log = out.parent / "watch.log"
    # The watcher's TMPDIR: a killed watcher cannot remove its children's temp folders.
    tmp = out.parent / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    report = KillReport()
    waves = [source[i :: kills + 1] for i in range(kills + 1)]
    began = time.monotonic()
    proc = start(inbox, out, log, tmp=tmp)
    for i, wave in enumerate(waves[:-1]):
        land(wave, inbox)
        report.landed += len(wave)
        if i % 2 == 0:  # during a commit: 0-1 s after its child got its files
            deadline = time.monotonic() + 30
            while not _committing(out) and time.monotonic() < deadline:
                time.sleep(0.05)
            # The staging folder lives ~1.5 s of a 2.3 s commit on a fast machine (2026-12-04):
            # a delay of up to 2 s missed it in one suite run of two.
            time.sleep(rng.uniform(0.0, 1.0))
        else:  # anywhere: in start-up (~3 s), preparing or running the first commit (~3-6 s)
            time.sleep(rng.uniform(0.5, 6.0))
        report.kills.append(round(time.monotonic() - began, 2))
        busy = _committing(out)
        kill9(proc)
        report.during += busy
        proc = start(inbox, out, log, tmp=tmp)
    land(waves[-1], inbox)
    report.landed += len(waves[-1])
    deadline = time.monotonic() + drain_s
    while committed_names(out) < report.landed and time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    report.stop_code, report.stop_seconds = stop(proc)
    report.counts = outcomes(out)
    report.log = log.read_text(errors="replace")
    return report
