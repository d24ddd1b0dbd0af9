"""Peak memory of a process tree and CPU time, sampled from /proc (Linux), for benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def tree_rss(root: int | None = None) -> int:
    """Resident bytes of `root` (default: this process) and all its descendants."""
    total, stack = 0, [root or os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


class TreeSampler:
    """Context manager: samples the process tree's RSS every `interval` seconds.

    `peak_bytes` is the largest total seen; `cpu_seconds` counts user+system time of this
    process and of children that finished inside the block.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0
        self._stop = threading.Event()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._t0 = time.perf_counter()
        self._cpu0 = os.times()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, tree_rss())
        t = os.times()
        self.wall_seconds = time.perf_counter() - self._t0
        self.cpu_seconds = sum(t[:4]) - sum(self._cpu0[:4])


def capture_results() -> list:
    """Keep every PipelineResult `Pipeline.run` returns (bench-only wrapper around Beam)."""
    import apache_beam as beam

    captured: list = []
    run = beam.Pipeline.run

    def capturing_run(self, *args, **kwargs):
        result = run(self, *args, **kwargs)
        captured.append((self, result))
        return result

    beam.Pipeline.run = capturing_run
    return captured


def subset_dir(workdir: Path, meta: dict, n: int) -> Path:
    """`corpus/n<N>/` holding (hard links to) the first `n` files of the corpus order."""
    src, dst = workdir / "corpus" / "all", workdir / "corpus" / f"n{n}"
    if dst.is_dir() and len(os.listdir(dst)) == n:
        return dst
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for iid in meta["ids"][:n]:
        name = f"{iid}.txt"
        try:
            os.link(src / name, dst / name)
        except OSError:
            shutil.copyfile(src / name, dst / name)
    return dst
