"""Freshness of `spindrift ingest --watch`: files land at a steady rate while the watcher runs.

    python benchmarks/streaming.py [--rate 20] [--seconds 300] [--shared ../shared]
                                   [--kills N] [--keep DIR]

A corpus is built with `dedup_corpus.build` from ../shared (BBC, Reuters, ECB+, thesaurus-spun
copies; ~75 s for 6,000 items) and written to a source folder. The arrival order puts each
spun copy 60-180 s after its original (the rest in random order); a writer thread then lands
one file every 1/rate s in the watched folder (copy to a '.name', then rename: atomic). The
watcher runs as a subprocess (`spindrift ingest --watch`); meanwhile:

- a reader polls the lake every `--poll` s the documented way (`pipelines.query.connect`,
  which reads only what `_snapshot.json` lists) and records when each file's row (article,
  duplicate or quarantine) first becomes readable: landing -> queryable latency;
- a monitor samples the watcher's process tree every second (/proc): RSS (the watcher plus
  its commit child) and CPU time; backlog = files landed but not yet queryable.

At the end the watcher gets SIGTERM (exit code and stop time printed), and one batch run
over the same folder is compared with the lake: same articles, same duplicates, same
survivors. `--kills N`: instead, the kill -9 trial of tests/stream_kill.py over the corpus
(N random kills during and between commits, restarts, nothing lost or doubled).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus

from pipelines.query import connect
from tests import stream_kill
from tests.crash import SPINDRIFT

COPY_DELAY_S = (60, 180)  # spun copies land this long after their original
TABLES = ("articles", "duplicates", "quarantine")
DAYS = 5  # publication dates of the corpus: well inside the index window


def write_corpus(folder: Path, n: int, shared: Path, seed: int, rate: float) -> list[Path]:
    """Corpus files in arrival order (copies 60-180 s after their originals), dated over
    `DAYS` consecutive days (a copy on or after its original's day): the corpus's own dates
    span years, and the index keeps only `--index_window_days` (30) before the newest date,
    so a copy of an evicted original would be kept by any run after the first, batch or not."""
    items = dedup_corpus.build(shared, size=n, seed=seed, log=lambda *a: None)[:n]
    items = dedup_corpus.dated_by_arrival(items, dedup_corpus.arrival_days(items, DAYS, seed))
    rng = random.Random(seed)
    span = n / rate
    at: dict[str, float] = {}
    originals = {it["id"]: it for it in items if it["role"] != "spun"}
    for it in originals.values():
        at[it["id"]] = rng.uniform(0, span)
    for it in items:
        if it["role"] == "spun":
            base = at.get(it["group"], rng.uniform(0, span))
            at[it["id"]] = base + rng.uniform(*COPY_DELAY_S)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for it in sorted(items, key=lambda it: at[it["id"]]):
        prefix = f" date {it['published_date']} " if it["published_date"] else ""
        path = folder / f"{it['id']}.txt"
        path.write_text(prefix + it["text"], encoding="utf-8")
        paths.append(path)
    return paths


class Writer(threading.Thread):
    def __init__(self, files: list[Path], inbox: Path, rate: float) -> None:
        super().__init__(daemon=True)
        self.files, self.inbox, self.rate = files, inbox, rate
        self.landed: dict[str, float] = {}

    def run(self) -> None:
        start = time.monotonic()
        for i, f in enumerate(self.files):
            delay = start + i / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            stream_kill.land([f], self.inbox)
            self.landed[f.name] = time.time()


class Reader(threading.Thread):
    """Polls the lake; `seen[name]` = when its row first became readable."""

    def __init__(self, lake: Path, poll: float) -> None:
        super().__init__(daemon=True)
        self.lake, self.poll = lake, poll
        self.seen: dict[str, float] = {}
        self.errors: list[str] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        version = None
        snapshot = self.lake / "_snapshot.json"
        while not self.stopped.is_set():
            try:
                current = json.loads(snapshot.read_text())["version"] if snapshot.exists() else 0
                if current != version:
                    now = time.time()
                    con = connect(str(self.lake))
                    for table in TABLES:
                        for (uri,) in con.execute(f"select source_uri from {table}").fetchall():
                            self.seen.setdefault(Path(uri).name, now)
                    con.close()
                    version = current
            except Exception as exc:  # a failed read is a finding, printed at the end
                self.errors.append(f"{type(exc).__name__}: {exc}")
            self.stopped.wait(self.poll)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU of `pid` and its reaped children (clock ticks -> s)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / 100.0


class Monitor(threading.Thread):
    def __init__(self, pid: int, writer: Writer, reader: Reader) -> None:
        super().__init__(daemon=True)
        self.pid, self.writer, self.reader = pid, writer, reader
        self.samples: list[tuple[float, float, float, int, float]] = []  # t, rss, cpu, backlog
        self.stopped = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stopped.is_set():
            pids = _tree(self.pid)
            rss = sum(_rss_mib(p) for p in pids)
            cpu = _cpu_s(self.pid) + sum(_cpu_s(p) for p in pids[1:])
            backlog = len(self.writer.landed) - sum(
                1 for n in list(self.writer.landed) if n in self.reader.seen
            )
            self.samples.append((time.monotonic() - start, rss, cpu, backlog, _rss_mib(self.pid)))
            self.stopped.wait(1.0)


def _pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def _minute_peak(samples, minute: int) -> float:
    values = [s[1] for s in samples if minute * 60 <= s[0] < (minute + 1) * 60]
    return max(values) if values else 0.0


def _tables(lake: Path) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    con = connect(str(lake))
    arts = {Path(u).name for (u,) in con.execute("select source_uri from articles").fetchall()}
    dups = {
        (Path(a).name, Path(b).name)
        for a, b in con.execute("select source_uri, kept_source_uri from duplicates").fetchall()
    }
    quar = {Path(u).name for (u,) in con.execute("select source_uri from quarantine").fetchall()}
    return arts, dups, quar


def _clusters(pairs: set[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """name -> the set of names it is connected to by (copy, survivor) pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), set()).add(x)
    return {x: frozenset(g) for g in groups.values() for x in g}


def _dates(lake: Path) -> dict[str, str | None]:
    """file name -> its published_date (ISO) as the lake recorded it, articles and copies."""
    con = connect(str(lake))
    sql = ("select source_uri, cast(published_date as varchar) from articles union all "
           "select source_uri, cast(published_date as varchar) from duplicates")  # fmt: skip
    return {Path(u).name: d for u, d in con.execute(sql).fetchall()}


def _compare_clusters(
    s_dup: set[tuple[str, str]],
    b_dup: set[tuple[str, str]],
    landed: dict[str, float],
    dates: dict[str, str | None],
) -> None:
    """Duplicate groups of both lakes, and for groups with another survivor, whether the
    stream's survivor is the one that landed first (what a stream without superseding keeps)
    and what decided the batch's choice: an earlier date or, dates equal or missing,
    originality (a per-article score, kept in the index for superseding)."""
    s_groups, b_groups = _clusters(s_dup), _clusters(b_dup)
    same = {g for g in s_groups.values() if g in set(b_groups.values())}
    s_all, b_all = set(s_groups.values()), set(b_groups.values())
    kept_s = {b for _, b in s_dup} - {a for a, _ in s_dup}
    kept_b = {b for _, b in b_dup} - {a for a, _ in b_dup}
    other = [g for g in same if (kept_s & g) != (kept_b & g)]
    first = sum(1 for g in other if kept_s & g == {min(g, key=lambda n: landed.get(n, 0))})
    why = {"earlier date": 0, "same date": 0, "undated": 0}
    for g in other:
        (s,), (b,) = kept_s & g, kept_b & g
        ds, db = dates.get(s), dates.get(b)
        if ds is None or db is None:
            key = "undated"
        else:
            key = "same date" if ds == db else "earlier date" if db < ds else "later date"
        why[key] = why.get(key, 0) + 1
    print(f"duplicate groups: stream {len(s_all)}, batch {len(b_all)}, identical {len(same)}; "
          f"same groups with another survivor {len(other)} (stream kept the first to land in "
          f"{first}); the batch's survivor vs the stream's: {why}")  # fmt: skip


def freshness_run(args: argparse.Namespace, work: Path, files: list[Path]) -> int:
    inbox, lake = work / "inbox", work / "lake"
    inbox.mkdir()
    log = work / "watch.log"
    with open(log, "wb") as handle:
        proc = subprocess.Popen(
            [SPINDRIFT, "ingest", "--watch", "--input", str(inbox), "--output", str(lake),
             *([] if args.supersede else ["--no-supersede"]), *_config_args(args)],
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    time.sleep(args.warmup)  # the watcher's imports; files landing now would wait for them
    writer, reader = Writer(files, inbox, args.rate), Reader(lake, args.poll)
    monitor = Monitor(proc.pid, writer, reader)
    began = time.monotonic()
    for t in (reader, monitor, writer):
        t.start()
    writer.join()
    wrote_s = time.monotonic() - began
    deadline = time.monotonic() + args.drain
    while len(reader.seen) < len(files) and time.monotonic() < deadline:
        time.sleep(0.5)
    drained_s = time.monotonic() - began
    monitor.stopped.set()
    reader.stopped.set()
    monitor.join()
    reader.join()
    stop_began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    stop_s = time.monotonic() - stop_began

    lags = sorted(reader.seen[n] - writer.landed[n] for n in writer.landed if n in reader.seen)
    missing = [n for n in writer.landed if n not in reader.seen]
    manifests = [json.loads(p.read_text()) for p in sorted((lake / "_runs").glob("*.json"))]
    # Only a file committed again at the same path with the same bytes is counted as already
    # ingested (no row); a byte-identical copy at another path is an exact duplicate.
    already = sum(m["already_ingested"] for m in manifests)
    sizes = [m["streaming"]["files"] for m in manifests]
    walls = [m["timings"]["wall_seconds"] for m in manifests]
    cpus = [m["timings"].get("cpu_seconds", 0.0) for m in manifests]
    prepares = [m["timings"].get("prepare", m["timings"]["graph"]) for m in manifests]
    prepare_cpus = [m["timings"].get("prepare_cpu_seconds", 0.0) for m in manifests]
    runs = [m["timings"]["run"] for m in manifests]
    samples = monitor.samples
    cpu = samples[-1][2] - samples[0][2] if len(samples) > 1 else 0.0
    span = samples[-1][0] - samples[0][0] if len(samples) > 1 else 1.0

    print(f"files {len(files)} at {args.rate:g}/s: written in {wrote_s:.1f}s, "
          f"all accounted for after {drained_s:.1f}s; without a row: {len(missing)} "
          f"(already ingested per the manifests: {already})")  # fmt: skip
    print(f"landing -> queryable: p50 {_pct(lags, 50):.2f}s  p95 {_pct(lags, 95):.2f}s  "
          f"max {lags[-1] if lags else 0:.2f}s  (reader polls every {args.poll}s)")  # fmt: skip
    print(f"commits {len(manifests)}: files per commit median {statistics.median(sizes):.0f} "
          f"max {max(sizes)}; commit wall (files picked -> published) median "
          f"{statistics.median(walls):.2f}s p95 {_pct(walls, 95):.2f}s (run median "
          f"{statistics.median(runs):.2f}s); CPU per commit median "
          f"{statistics.median(cpus):.2f}s; prepared ahead (graph built and translated while "
          f"the previous commit ran): wall median {statistics.median(prepares):.2f}s, CPU "
          f"{statistics.median(prepare_cpus):.2f}s")  # fmt: skip
    third = max(1, len(cpus) // 3)
    print(f"CPU per commit (picked -> published) median, first / middle / last third of the "
          f"commits: {statistics.median(cpus[:third]):.2f} / "
          f"{statistics.median(cpus[third:-third] or cpus):.2f} / "
          f"{statistics.median(cpus[-third:]):.2f}s")  # fmt: skip
    backlog = [s[3] for s in samples]
    per_30 = [max((s[3] for s in samples if k * 30 <= s[0] < (k + 1) * 30), default=0)
              for k in range(int(samples[-1][0] // 30) + 1)] if samples else []  # fmt: skip
    print(f"backlog (landed, not yet queryable): max {max(backlog, default=0)}, "
          f"median {statistics.median(backlog) if backlog else 0:.0f}; "
          f"max per 30 s: {per_30}")  # fmt: skip
    writing = [x for x in samples if x[0] <= wrote_s]  # the steady part: files landing
    peaks = [_minute_peak(writing, m) for m in range(int(wrote_s // 60))]
    parent = [s[4] for s in samples]
    print(
        f"memory (watcher + commit child, RSS peak per minute, MiB): "
        f"{[round(p) for p in peaks]}; watcher alone {min(parent):.0f}-{max(parent):.0f}"
    )
    if len(peaks) >= 3:
        second, last = peaks[1], peaks[-1]
        print(f"  second minute {second:.0f} MiB, last minute {last:.0f} MiB "
              f"({100 * (last - second) / second:+.1f} %)")  # fmt: skip
    print(f"CPU: {cpu:.1f}s over {span:.0f}s = {100 * cpu / span:.0f} % of one core "
          f"(watcher tree)")  # fmt: skip
    print(f"SIGTERM: exit {code} after {stop_s:.1f}s; reader errors {len(reader.errors)}")
    superseding = [m["timings"].get("supersede", 0.0) for m in manifests if m.get("superseded")]
    print(f"superseded published survivors: {sum(m.get('superseded', 0) for m in manifests)} "
          f"in {len(superseding)} commits; rewrite staging per such commit median "
          f"{statistics.median(superseding) if superseding else 0:.3f}s max "
          f"{max(superseding, default=0):.3f}s; files rewritten or retired "
          f"{sum(len(m.get('retired_tables', [])) for m in manifests)}")  # fmt: skip
    check = subprocess.run([SPINDRIFT, "check", str(lake)], capture_output=True, text=True)
    print(f"spindrift check: exit {check.returncode} {check.stdout.strip()[:200]}")

    batch = work / "batch"
    began = time.monotonic()
    subprocess.run([SPINDRIFT, "ingest", "--input", str(inbox), "--output", str(batch), "-q",
                    *_config_args(args)], check=True)  # fmt: skip
    print(f"batch run over the same {len(files)} files: {time.monotonic() - began:.1f}s")
    s_art, s_dup, s_q = _tables(lake)
    b_art, b_dup, b_q = _tables(batch)
    same = s_art == b_art and s_dup == b_dup and s_q == b_q
    print(f"stream: {len(s_art)} articles, {len(s_dup)} duplicates, {len(s_q)} quarantined; "
          f"batch: {len(b_art)}, {len(b_dup)}, {len(b_q)}")  # fmt: skip
    dropped_s = {a for a, _ in s_dup}
    dropped_b = {a for a, _ in b_dup}
    print(f"equal to the batch run: {same}; same dropped files: {dropped_s == dropped_b} "
          f"(stream only {len(dropped_s - dropped_b)}, batch only {len(dropped_b - dropped_s)}); "
          f"pairs with another survivor: {len(s_dup ^ b_dup) // 2}")  # fmt: skip
    for a, b in sorted(s_dup - b_dup)[:5]:
        other = next((k for x, k in b_dup if x == a), None)
        print(f"  stream dropped {a} for {b}; batch: {'kept it' if other is None else other}")
    _compare_clusters(s_dup, b_dup, writer.landed, _dates(batch))
    ok = code == 0 and len(missing) == already and not reader.errors
    return 0 if ok else 1


def _config_args(args: argparse.Namespace) -> list[str]:
    return ["--config", str(args.config)] if args.config else []


def kill_run(args: argparse.Namespace, work: Path, files: list[Path]) -> int:
    report = stream_kill.kill_trial(files, work / "inbox", work / "lake", kills=args.kills,
                                    seed=args.seed, drain_s=args.drain)  # fmt: skip
    # Every file has exactly one row: a byte-identical copy at another path is an exact
    # duplicate, and only the same path with the same bytes is "already ingested".
    lost = [f.name for f in files if report.counts.get(f.name, 0) == 0]
    doubled = [n for n, c in report.counts.items() if c > 1]
    print(f"kill -9 at {report.kills} s ({report.during} during a commit); "
          f"{report.landed} files landed")  # fmt: skip
    print(f"lost {len(lost)}, doubled {len(doubled)}; SIGTERM exit {report.stop_code} "
          f"after {report.stop_seconds:.1f}s")  # fmt: skip
    check = subprocess.run([SPINDRIFT, "check", str(work / "lake")], capture_output=True,
                           text=True)  # fmt: skip
    print(f"spindrift check: exit {check.returncode}")
    return 0 if not lost and not doubled and report.stop_code == 0 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=20.0, help="files per second (default 20)")
    ap.add_argument("--seconds", type=float, default=300.0, help="writing time (default 300)")
    ap.add_argument("--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--poll", type=float, default=0.5, help="reader poll period (s)")
    ap.add_argument("--warmup", type=float, default=8.0, help="watcher start-up wait (s)")
    ap.add_argument("--drain", type=float, default=120.0, help="max wait after writing (s)")
    ap.add_argument("--kills", type=int, default=0, help="run the kill -9 trial instead")
    ap.add_argument(
        "--no-supersede",
        dest="supersede",
        action="store_false",
        help="run the watcher with --no-supersede (published survivors stay)",
    )
    ap.add_argument(
        "--config", type=Path, help="a --config TOML file for both the watcher and the batch run"
    )
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temp folder)")
    args = ap.parse_args()
    n = int(args.rate * args.seconds)
    with tempfile.TemporaryDirectory(prefix="spindrift-stream-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        files = write_corpus(work / "source", n, args.shared, args.seed, args.rate)
        print(f"corpus: {len(files)} files in {time.monotonic() - began:.0f}s")
        if args.kills:
            return kill_run(args, work, files)
        return freshness_run(args, work, files)


if __name__ == "__main__":
    sys.exit(main())
