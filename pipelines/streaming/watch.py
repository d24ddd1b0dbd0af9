"""`spindrift ingest --watch`: continuous micro-batches until stopped.

Why micro-batches on the local runner (measured on Beam 2.77, see README "Streaming"): the
DirectRunner runs an unbounded PeriodicImpulse + MatchAll pipeline, but its event-time
windows fire only once the impulse stops, so nothing is published while it runs; so here each
commit is one bounded run of the batch graph over the files that landed since the last one.

- The watcher holds the lake's run lock for its whole life: a second watcher, or a batch run,
  on the same output exits 3 instead of interleaving commits.
- Each commit runs in a forked child process (`WatchConfig.fork`): Beam keeps per-pipeline
  state in a long-lived process, and a child's memory is returned whole when it exits, so the
  watcher's memory stays flat however many commits it makes. The parent has imported Beam and
  the job's modules once, so a child starts warm.
- The next commit is prepared while the current one runs: as soon as a commit gets its files,
  the next child is forked; it builds and translates its pipeline and waits for its order
  (files, backlog) on a pipe (`microbatch.PreparedCommit`), so a commit's path from picking
  its files to published is the execution only. A prepared child has written nothing: a stop
  kills it.
- SIGTERM / Ctrl-C: no new commit starts; the one in progress may finish for
  `stop_grace_seconds`, else it is killed and rolled back (`lake.commit.recover`); exit 0.
- kill -9: the child dies with the parent (PR_SET_PDEATHSIG); the next start recovers the
  interrupted commit (rolled forward from its journal or back) and picks up where it stopped:
  files the ledger holds are not offered again, and the ledger skips any that are.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import gc
import json
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from typing import Any, TextIO

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.core.near_dup.originality import warm_up as warm_originality
from pipelines.lake import layout
from pipelines.lake.commit import recover
from pipelines.lake.guards import check_paths, literal_base
from pipelines.lake.lock import RunLock, run_lock
from pipelines.lake.state import load_state
from pipelines.options import JobArgs, UsageError, check_output
from pipelines.run_context import RunContext
from pipelines.streaming import scratch
from pipelines.streaming.config import WatchConfig
from pipelines.streaming.microbatch import CachedViewOptions, Order, PreparedCommit, commit_batch
from pipelines.streaming.scan import Scanner, ingested_times, pick_batch, picked_times

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # prctl option: signal this process when its parent dies
_WAIT_STEP_S = 0.05  # how often the parent checks on a running commit
_ID_DRAWS = 8  # random run-id suffixes tried before waiting for the next second


def check_watch_inputs(inputs: Sequence[str] | None) -> list[str]:
    """The watched inputs: local folders, files or globs whose folder exists (UsageError)."""
    if not inputs:
        raise UsageError("--watch needs at least one --input (a folder or a glob to watch)")
    for pattern in inputs:
        if not layout.is_local(pattern):
            raise UsageError(
                f"--watch reads local inputs; {pattern!r} is on an object store: run "
                "pipelines/streaming/unbounded.py on a streaming runner (see README, Streaming)"
            )
        base = literal_base(pattern) if any(c in pattern for c in layout.GLOB_CHARS) else pattern
        if not os.path.exists(base):
            raise UsageError(f"input {pattern!r}: {base!r} does not exist")
    return [layout.canonical(p) for p in inputs]


class _Stop:
    """Set by SIGTERM / SIGINT; the loop checks it between steps."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.at: float | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        if self.at is None:
            self.at = time.monotonic()
        self.event.set()

    def __bool__(self) -> bool:
        return self.event.is_set()


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, TypeError):
        pass  # not Linux: an orphaned child still only finishes its own commit
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _warm_up() -> None:
    """Load what every commit needs once, in the parent, so forked children start warm."""
    from pipelines.core import language
    from pipelines.core.boilerplate import model

    language.warm_up()
    model.forest()


class Watcher:
    """The watch loop over one lake; `run()` returns the exit code."""

    def __init__(self, job: JobArgs, config: WatchConfig, out: TextIO = sys.stdout) -> None:
        self.job = job
        self.config = config
        self.out = out
        self.stop = _Stop()
        self.commits = 0
        self._last_run_id: str | None = None

    def _say(self, text: str) -> None:
        if not self.job.quiet:
            now = dt.datetime.now(dt.timezone.utc)
            print(f"{now:%Y-%m-%dT%H:%M:%SZ} {text}", file=self.out, flush=True)

    def run(self) -> int:
        job = self.job
        patterns = check_watch_inputs(job.inputs)
        output = check_output(check_paths(job.output, job.inputs))
        args = list(job.beam_args)
        if not any(a.startswith("--default_sdk_harness_log_level") for a in args):
            args.append("--default_sdk_harness_log_level=WARNING")
        options = CachedViewOptions(args)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)
        _warm_up()
        scratch.sweep(tempfile.gettempdir())
        lock_id = f"watch-{RunContext.new(output).run_id}"
        with run_lock(output, lock_id) as lock:
            recovered = recover(output, lock.assert_held)
            state = load_state(output)
            scanner = Scanner(patterns, output, self.config.settle_seconds)
            picked = picked_times(output, state.snapshot.runs)
            known = scanner.seed(ingested_times(state.ledger, picked))
            rolled = sum(len(v) for v in recovered.values())
            self._say(
                f"watching {', '.join(patterns)} -> {output} "
                f"({known} files already ingested; {rolled} interrupted commits recovered)"
            )
            code = self._loop(output, scanner, lock, options)
        self._say(f"stopped after {self.commits} commits")
        return code

    def _loop(self, output: str, scanner: Scanner, lock: RunLock, options: PipelineOptions) -> int:
        config = self.config
        prepared: _Child | None = None
        try:
            while not self.stop:
                pending = scanner.pending(time.time())
                if not pending:
                    self.stop.event.wait(config.poll_seconds)
                    continue
                batch = pick_batch(pending, config.max_files, config.max_bytes)
                order = Order(tuple(batch), len(pending) - len(batch), time.time())
                began = time.monotonic()
                if not config.fork:
                    ctx = self._next_context(output)
                    commit_batch(self.job, output, batch, ctx, lock, order.backlog, options)
                    ok: bool | None = True
                else:
                    child = prepared if prepared and prepared.fresh() else None
                    if prepared is not None and child is None:
                        prepared.cancel()  # prepared too long ago: its started_at is stale
                    child = child or self._prepare(output, lock, options)
                    prepared = None
                    child.go(order)
                    # The next commit's graph is built and translated while this one runs.
                    prepared = self._prepare(output, lock, options)
                    ok = self._wait(child, output, lock)
                    ctx = child.ctx
                if ok is None:
                    return 0  # stopped: the commit in progress was rolled back
                if not ok:
                    recover(output, lock.assert_held)
                    self._say(f"commit {ctx.run_id} failed; rolled back; stopping")
                    return 1
                scanner.mark_done(batch)
                self.commits += 1
                manifest = _read_manifest(output, ctx.run_id)
                self._say(status_line(manifest, time.monotonic() - began))
                # Children forked from now on find the word tables of the languages seen so
                # far built (each commit built those of its own languages again otherwise).
                warm_originality(manifest.get("languages", {}))
            return 0
        finally:
            if prepared is not None:
                prepared.cancel()

    def _prepare(self, output: str, lock: RunLock, options: PipelineOptions) -> _Child:
        """Fork a child that builds (and translates) a commit's pipeline and waits for its
        order; it finishes that one commit (exit 0) or fails (exit 1)."""
        ctx = self._next_context(output)
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        # The parent's objects (Beam and the job's modules) move to the permanent generation
        # and the short-lived child does not collect: its collector neither walks nor
        # copies-on-write the inherited heap. Measured on 3 x 80-file commits, load ~15:
        # graph 3.1-4.4 s and run 5.0-9.2 s, against 3.5-6.4 s and 6.5-9.8 s (+20 MiB RSS).
        gc.freeze()
        # The child's own temp folder, removed once the child is reaped (`scratch`).
        temp = scratch.make(ctx.run_id)
        orders, order_pipe = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: finish this one commit whatever signal the group gets
            os.close(order_pipe)
            tempfile.tempdir = temp
            gc.disable()
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                _die_with_parent(parent)
                commit = PreparedCommit(self.job, output, ctx, lock, options)
                commit.run(lambda: _receive(orders))
                code = 0
            except BaseException as exc:
                if self.job.debug:
                    traceback.print_exc()
                print(f"spindrift: commit {ctx.run_id} failed: {type(exc).__name__}: {exc}",
                      file=sys.stderr)  # fmt: skip
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(orders)
        return _Child(pid, ctx, order_pipe, temp)

    def _next_context(self, output: str) -> RunContext:
        """A new run whose id sorts after the last one's: a commit is prepared within the
        second its predecessor starts, and run ids (`<second>-<random>`) name manifests that
        tools list in commit order. A few draws, else the next second (at most 1 s later)."""
        for _ in range(_ID_DRAWS):
            ctx = RunContext.new(output)
            if self._last_run_id is None or ctx.run_id > self._last_run_id:
                break
        else:
            time.sleep(1.0 - time.time() % 1.0)
            ctx = RunContext.new(output)
        self._last_run_id = ctx.run_id
        return ctx

    def _wait(self, child: _Child, output: str, lock: RunLock) -> bool | None:
        """True: committed; False: the commit failed; None: stopped and rolled back."""
        while True:
            code = child.poll()
            if code is not None:
                return code == 0
            if self.stop.at is not None and (
                time.monotonic() - self.stop.at > self.config.stop_grace_seconds
            ):
                child.cancel()
                recover(output, lock.assert_held)
                self._say(f"stopping: commit {child.ctx.run_id} took too long; rolled back")
                return None
            time.sleep(_WAIT_STEP_S)


# A prepared commit older than this is not used: its run's started_at (every row's
# ingested_at) would lag its files' landing by more. Commits follow each other every few
# seconds under load, and preparing took 2-8 s on a loaded 2-core machine, so only the first
# commit after a quiet spell prepares afresh.
PREPARED_MAX_AGE_S = 30.0


class _Child:
    """A forked commit: prepared (pipeline built, waiting for its order) until `go`."""

    def __init__(self, pid: int, ctx: RunContext, order_pipe: int, temp: str) -> None:
        self.pid, self.ctx, self.temp = pid, ctx, temp
        self._pipe: int | None = order_pipe
        self._born = time.monotonic()
        self._code: int | None = None

    def fresh(self) -> bool:
        return self.poll() is None and time.monotonic() - self._born < PREPARED_MAX_AGE_S

    def go(self, order: Order) -> None:
        """Send the order (a child that died meanwhile reports its failure through `poll`)."""
        assert self._pipe is not None
        try:
            with os.fdopen(self._pipe, "wb") as handle:
                handle.write(json.dumps(order.to_json()).encode())
        except BrokenPipeError:
            pass
        self._pipe = None

    def poll(self) -> int | None:
        """The exit code once the child has ended, else None."""
        if self._code is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self._reaped(status)
        return self._code

    def _reaped(self, status: int) -> None:
        self._code = os.waitstatus_to_exitcode(status)
        scratch.remove(self.temp)

    def cancel(self) -> None:
        """Kill the child (a prepared one has written nothing; a running one is rolled back
        by the caller's `recover`)."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reaped(os.waitpid(self.pid, 0)[1])


def _receive(orders: int) -> Order | None:
    """In a prepared child: block until the watcher sends the order (None: it closed the pipe
    without one)."""
    with os.fdopen(orders, "rb") as handle:
        data = handle.read()
    return Order.from_json(json.loads(data)) if data else None


def _read_manifest(output: str, run_id: str) -> dict[str, Any]:
    from pipelines.lake import files

    return files.read_json(layout.manifest_path(output, run_id), "the commit wrote no manifest")


def status_line(manifest: dict[str, Any], seconds: float) -> str:
    """One line per commit: files, articles, duplicates, published survivors superseded,
    lag, backlog."""
    s = manifest["streaming"]
    lag = s["freshness_seconds"]
    return (
        f"commit {manifest['run_id']}: files {s['files']}, articles {manifest['articles']}, "
        f"duplicates {manifest['duplicates']}, quarantined {manifest['quarantined']}, "
        f"already ingested {manifest['already_ingested']}, "
        f"superseded {manifest.get('superseded', 0)}; lag p50 {lag['p50']:.1f}s "
        f"max {lag['max']:.1f}s; backlog {s['backlog']}; took {seconds:.1f}s"
    )


def watch(job: JobArgs, config: WatchConfig) -> int:
    """Run the watcher; returns the exit code (UsageError / LockedError propagate)."""
    return Watcher(job, config).run()
