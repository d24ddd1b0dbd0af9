"""Kill the real job at chosen moments while a reader samples the lake (tests and benchmark).

A `Sampler` thread opens the lake the documented way (`pipelines.query.connect`, which reads
only the files `_snapshot.json` lists) every 50 ms and records what it sees; `kill_run`
starts `spindrift ingest` in its own process group and SIGKILLs the driver, or the driver
and its SDK workers, either after a delay (staging) or right after the commit journal
appears (commit).
"""

from __future__ import annotations

import contextlib
import os
import random
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lake import failpoints, layout
from pipelines.query import connect

SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
SAMPLE_SECONDS = 0.05
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "pri", "sol", "dar", "fem")


def generated_body(rng: random.Random) -> str:
    """Eighteen sentences of made-up words: an article no other generated one resembles."""
    sentences = []
    for _ in range(18):
        words = ["".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(12)]
        sentences.append(f"The {words[0]} of {' '.join(words[1:6])} said {' '.join(words[6:])}.")
    return " ".join(sentences)


def write_inputs(folder: Path, n: int = 300, copies: int = 5, dates: int = 30) -> Path:
    """`n` distinct generated articles over `dates` days (one partition file each) and
    `copies` exact copies behind an agency credit, so duplicates/ is exercised."""
    rng = random.Random(1)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        date = f"2024-05-{1 + i % dates:02d}"
        (folder / f"gen-{i:04d}.txt").write_text(f" date {date} " + generated_body(rng), "utf-8")
    for i in range(copies):
        text = (folder / f"gen-{i:04d}.txt").read_text(encoding="utf-8")
        (folder / f"copy-{i}.txt").write_text(text + "\n\nPA Media", encoding="utf-8")
    return folder


def lake_counts(out: Path) -> tuple[int, int, int]:
    """(articles, duplicates, quarantined) a reader sees right now."""
    if not out.is_dir():
        return (0, 0, 0)
    con = connect(str(out))
    return tuple(
        con.execute(f"select count(*) from {t}").fetchone()[0]
        for t in ("articles", "duplicates", "quarantine")
    )


@dataclass(eq=False)
class Sampler(threading.Thread):
    """Samples the lake every 50 ms; `seen` holds each distinct observation."""

    out: Path
    seen: set = field(default_factory=set)
    errors: list = field(default_factory=list)
    samples: int = 0

    def __post_init__(self) -> None:
        super().__init__(daemon=True)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            if self.out.is_dir():
                try:
                    self.seen.add(lake_counts(self.out))
                except Exception as exc:  # any reader failure is a finding
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                self.samples += 1
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def ingest_argv(src: Path, out: Path, workers: bool, extra: Sequence[str] = ()) -> list[str]:
    argv = [SPINDRIFT, "ingest", "--input", str(src / "*.txt"), "--output", str(out), *extra]
    if workers:
        argv += ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    return argv


def kill_run(
    src: Path,
    out: Path,
    *,
    workers: bool,
    phase: str,
    delay: float,
    group: bool,
    extra: Sequence[str] = (),
) -> tuple[str, int]:
    """Run the job and SIGKILL it; returns what happened ("killed" or "finished") and the
    job's process group id (its orphaned workers live on in it: see `reap_group`).

    `delay` seconds after the moment `phase` names: "locked" (the run took the lock),
    "staging" (its first file is staged), "rewrite" (it stages its first rewrite of a
    published file: superseding). "commit" (its commit journal is written) and "renamed"
    (its files are renamed into place, the snapshot not swapped) are failpoints
    (`pipelines.lake.failpoints`): the run stops there until killed, since those steps take
    milliseconds and a poll of the lake can miss them on a busy machine. `extra`: more
    `spindrift ingest` flags.
    `group`: kill the driver and its SDK workers, else the driver only (its workers are
    orphaned and left to die on their own).
    """
    failpoint = {"commit": "journaled", "renamed": "renamed"}.get(phase)
    env = dict(os.environ)
    if failpoint:
        env[failpoints.ENV] = failpoint
    proc = subprocess.Popen(
        ingest_argv(src, out, workers, extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if failpoint else subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + 300
    if failpoint:
        _wait_for_line(proc, f"failpoint {failpoint} reached", deadline)
    else:
        marker = {
            "locked": f"{layout.LOCK_FILE}",
            "staging": f"{layout.STAGING_DIR}/*/*/*",
            "rewrite": f"{layout.STAGING_DIR}/*/rewrite/*/*",
        }[phase]
        while proc.poll() is None and time.monotonic() < deadline:
            if any(out.glob(marker)) and (phase != "locked" or "pid" in _read(out / marker)):
                break
            time.sleep(0.001)
    time.sleep(delay)
    if proc.poll() is not None:
        return "finished", proc.pid
    if group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
    return "killed", proc.pid


def _wait_for_line(proc: subprocess.Popen, text: str, deadline: float) -> None:
    """Read the process's stderr until a line holds `text`, it exits, or the deadline."""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                return
            line = proc.stderr.readline()
            if not line or text.encode() in line:
                return


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def reap_group(pgid: int) -> None:
    """SIGKILL what is left of a process group this module started (orphaned workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
