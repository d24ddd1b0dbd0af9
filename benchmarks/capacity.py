"""Capacity model: how every state file and side input of the ingest job grows with its input.

    python benchmarks/capacity.py [--shared ../shared] [--sizes 25000,50000,100000,200000]
        [--workdir DIR] [--seed 7] [--workers 2]

Corpus: `capacity_corpus.py` (Markov-generated distinct articles, spun-copy families, exact
copies, site chrome; the same mix at every size), built once for the largest size and cached in
the workdir (default: a folder under the system temp dir); size N reads its first N files.

Per size, in a fresh interpreter: the real job (`pipelines.ingest.run`, DirectRunner,
`--direct_running_mode=multi_processing --direct_num_workers=<workers>`), and from its
`PipelineResult` (Beam's own element counts and sampled encoded sizes per PCollection, the
figures any runner reports) the serialized size of every PCollection that a later step reads
as a side input (singletons, dicts, lists), or that a keyed join shuffles in its place. Then
the lake's state files on disk (`_index/`, `_ledger/`, snapshot, manifest), peak RSS of the
process tree (sampled from /proc every 0.1 s) and wall time.

Python objects are larger than their encoding: a side input read `AsDict` becomes a dict in
every worker process that reads it. Per entry, that in-memory size is measured here with
tracemalloc on dicts of the same key and value types (100k entries), and printed next to the
encoded size. Last, a linear extrapolation of each figure to 10 M and 100 M articles per run.

This is a benchmark, not a test: on a shared 2-core machine, wall times swing by 10-20 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import capacity_corpus  # noqa: E402
from measure import capture_results, subset_dir  # noqa: E402

MIB = 2**20
EXTRAPOLATE = (10_000_000, 100_000_000)

# (label, PCollection name (prefix match on Beam's unique name), how the job consumes it).
# Names missing from a run (the design changed) are skipped.
_EVERY = "singleton, every worker"
_BP, _DD = "RemoveBoilerplate/", "DropDuplicates/"
STATES: list[tuple[str, str, str]] = [
    # RemoveBoilerplate, old shape: one global combine over every article's line sketch.
    ("line sketches", _BP + "Route/ParDo(_RouteFn)[sketches]", "old: 1 combine holds all"),
    ("line counts (Repeats)", _BP + "CountLines/UnKey", _EVERY),
    # RemoveBoilerplate, keyed shape: per-batch counts by line-hash shard, then singletons.
    ("line counts by shard", _BP + "CountLines/DocFrequencies", "keyed, 64 shards"),
    ("shared lines", _BP + "CountLines/Shared/UnKey", _EVERY),
    ("repeated lines (Repeats)", _BP + "CountLines/Repeats", _EVERY),
    ("band keys", _DD + "AllBandKeys", "shuffled (64 groups)"),
    # DropDuplicates, old shape: one PairIndex broadcast; keyed shape: parts per key shard.
    ("candidate pairs (PairIndex)", _DD + "CandidatePairs/PairIndex/UnKey", _EVERY),
    ("candidate pairs by key", _DD + "CandidatePairs/ByKey", "keyed, 256 shards"),
    (
        "pairs+features, all shards",
        _DD + "VerifyPairs/JoinPairs/CoGroupByKeyImpl/GroupByKey",
        "1 shard a worker",
    ),
    ("probe output", _DD + "VerifyPairs/Probe", "shuffled (GroupPairs)"),
    ("verified pairs", _DD + "VerifyPairs/Verify/FlatMap(_verify)", "-> AllPairs"),
    (
        "verified pairs (AllPairs)",
        _DD + "ChooseSurvivors/AllPairs/UnKey",
        "list, 1 worker",
    ),
    ("clusters", _DD + "ChooseSurvivors/ClusterPairs", "dict, every worker"),
    ("originality", _DD + "ChooseSurvivors/Originality", "dict, every worker"),
    ("decisions", _DD + "ChooseSurvivors/Survivors", "dict, every worker"),
    ("articles waiting (pending)", _DD + "Features/AllPending", "bodies"),
    ("partition sizes", "PublishRun/StageArticles/Stage/CountPerPartition", "dict, every worker"),
    ("stage report parts", "PublishRun/Gather/UnKey", "lists, 1 worker"),
]
# Collections of a few large arrays of varying size: Beam's sampled mean element size swings
# by 2-3x from run to run, so they are shown but not extrapolated.
NOISY = frozenset({"band keys", "candidate pairs by key", "line counts by shard"})
# AsDict side inputs: (label, key type, value type) for the in-memory estimate.
DICTS = {
    "clusters": ("int", "int"),
    "originality": ("int", "float"),
    "decisions": ("int", "Dropped|int"),
    "ledger keys (SkipIngested)": ("str20", "None"),
}


# ------------------------------------------------------------------------------------------
# Child: one measured run
# ------------------------------------------------------------------------------------------


def _dir_bytes(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
    return sum(p.stat().st_size for p in files), len(files)


def _child(spec: dict) -> dict:
    from measure import TreeSampler
    from throughput import beam_counters

    captured = capture_results()
    from pipelines import ingest

    out = Path(spec["output"])
    shutil.rmtree(out, ignore_errors=True)
    flags = ["--direct_running_mode=multi_processing", f"--direct_num_workers={spec['workers']}"]
    with TreeSampler() as usage:
        result = ingest.run(["--input", spec["input"], "--output", str(out), *flags])
    counters = beam_counters(*captured[-1])
    m = result.manifest
    state = {}
    for name in ("_index", "_ledger", "articles", "duplicates", "_runs"):
        state[name] = _dir_bytes(out / name)
    state["_snapshot.json"] = ((out / "_snapshot.json").stat().st_size, 1)
    return {
        "wall": usage.wall_seconds,
        "cpu": usage.cpu_seconds,
        "peak": usage.peak_bytes,
        "timings": m.get("timings", {}),
        "counts": {k: m.get(k) for k in ("matched", "articles", "duplicates", "quarantined")},
        "pcollections": counters["pcollections"],
        "state": state,
        "ledger_entries": _parquet_rows(out / "_ledger"),
        "index_entries": _parquet_rows(out / "_index"),
    }


def _parquet_rows(folder: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.rglob("*.parquet"))


def _spawn(spec: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="capacity-") as tmp:
        spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps({**spec, "result": str(result_path)}))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", str(spec_path)]
        proc = subprocess.run(
            cmd, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        if proc.returncode != 0 or not result_path.exists():
            tail = "\n".join(proc.stdout.strip().splitlines()[-20:])
            raise RuntimeError(f"run failed (exit {proc.returncode}):\n{tail}")
        return json.loads(result_path.read_text())


# ------------------------------------------------------------------------------------------
# In-memory size of the Python objects a side input view builds
# ------------------------------------------------------------------------------------------


def _sample_value(kind: str, i: int, uri_len: int):
    from pipelines.transforms.dedup import Dropped

    if kind == "int":
        return (i * 0x9E3779B97F4A7C15) >> 2 & (2**62 - 1)
    if kind == "float":
        return i / 7.0
    if kind == "None":
        return None
    if kind == "str20":
        return f"{i:020x}"
    if kind == "Dropped|int":  # 3 of 4 decisions drop a copy, 1 in 4 counts a survivor's copies
        if i % 4 == 3:
            return i % 5 + 1
        uid = f"{i:024x}|{'/x' * (uri_len // 2)}"
        return Dropped(uid, 0.8 + i % 7 / 100, "near:skeleton", None, dt.date(2024, 1, 1 + i % 28))
    raise ValueError(kind)


def python_bytes_per_entry(key: str, value: str, uri_len: int, n: int = 100_000) -> float:
    """Bytes per entry of a dict built like Beam's AsDict view, measured with tracemalloc."""
    _sample_value(value, 0, uri_len)  # imports (Beam) before tracing
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    d = {_sample_value(key, i, uri_len): _sample_value(value, i, uri_len) for i in range(n)}
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(d) == n
    return (after - before) / n


def combine_peaks(folder: Path, n: int = 20_000) -> dict[str, float]:
    """Python memory (tracemalloc) of the global line count and of the pair index, per
    article / pair: what one worker held in the old shapes, and one shard's share now."""
    import numpy as np

    from pipelines.core import boilerplate as bp
    from pipelines.transforms import boilerplate as tb
    from pipelines.transforms.dedup import PairIndex
    from pipelines.transforms.line_counts import SumCounts

    paths = sorted(folder.glob("*.txt"))[:n]
    encoded = [bp.line_sketch(p.read_text(encoding="utf-8")).to_bytes() for p in paths]
    n = len(encoded)
    tracemalloc.start()
    counts = bp.LineCounts()
    for e in encoded:
        counts.add(bp.LineSketch.from_bytes(e))
    held = tracemalloc.get_traced_memory()[0]
    counts.repeats()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    parts: dict[int, list] = {}
    for i in range(0, n, 2048):
        for shard, part in tb._doc_frequencies(encoded[i : i + 2048]):
            parts.setdefault(shard, []).append(part)
    tracemalloc.start()
    fn = SumCounts(min_count=2)
    acc = fn.create_accumulator()
    for part in parts[0]:
        acc = fn.add_input(acc, part)
    fn.extract_output(acc)
    shard_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    m = 1_000_000
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 2**62, m), rng.integers(0, 2**62, m)
    tracemalloc.start()
    index = PairIndex(a, b)
    index_held, index_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(index) == 2 * m  # each pair both ways
    return {
        "articles": n,
        "lines_per_article": sum(len(e[0]) // 8 for e in encoded) / n,
        "line_count_held": held / n,
        "line_count_peak": peak / n,
        "line_shard_peak": shard_peak / n,
        "pair_index_held": index_held / m,
        "pair_index_peak": index_peak / m,
    }


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


def _fmt_bytes(b: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", MIB), ("KiB", 1024)):
        if b >= size:
            return f"{b / size:,.1f} {unit}"
    return f"{b:,.0f} B"


def _pcoll(result: dict, name: str) -> tuple[int, float] | None:
    """(elements, total encoded bytes) of the PCollection named `name` (exact, else prefix)."""
    pcolls = result["pcollections"]
    if name in pcolls:
        n, mean = pcolls[name]
        return n, n * mean
    hits = [(k, v) for k, v in pcolls.items() if k.startswith(name)]
    if not hits:
        return None
    n, mean = hits[0][1]
    return n, n * mean


def candidate_pairs(result: dict) -> int | None:
    """Distinct candidate pairs: the PairIndex holds each in both directions as two int64s
    (32 bytes a pair; a pickled empty index is ~300 bytes). The keyed shape holds the same
    pairs, but Beam only samples the sizes of its parts: None there (same corpus, same pairs)."""
    single = _pcoll(result, "DropDuplicates/CandidatePairs/PairIndex/UnKey")
    return None if single is None else max(0, round((single[1] - 300) / 32))


def growth_exponent(sizes: list[int], ys: list[float]) -> float:
    """b of y ~ N^b between the two largest sizes, clamped to [0, 2] (1.0 with one size)."""
    if len(sizes) < 2 or ys[-2] <= 0 or ys[-1] <= 0:
        return 1.0
    return min(2.0, max(0.0, math.log(ys[-1] / ys[-2]) / math.log(sizes[-1] / sizes[-2])))


def report(results: dict[int, dict], dict_bytes: dict[str, float], peaks: dict) -> str:
    sizes = sorted(results)
    lines = []
    head = f"{'':<30}" + "".join(f"{n:>16,}" for n in sizes)
    lines.append("Run (articles in)")
    lines.append(head)

    def row(label: str, values: list[str]) -> None:
        lines.append(f"{label:<30}" + "".join(f"{v:>16}" for v in values))

    row("articles kept", [f"{results[n]['counts']['articles']:,}" for n in sizes])
    row("duplicates dropped", [f"{results[n]['counts']['duplicates']:,}" for n in sizes])
    pairs = {n: candidate_pairs(results[n]) for n in sizes}
    row("candidate pairs", [f"{pairs[n]:,}" if pairs[n] else "?" for n in sizes])
    row("  per article", [f"{pairs[n] / n:.2f}" if pairs[n] else "?" for n in sizes])
    verified = {
        n: _pcoll(results[n], "DropDuplicates/VerifyPairs/Verify/FlatMap(_verify)") for n in sizes
    }
    row("verified pairs", [f"{verified[n][0]:,}" if verified[n] else "?" for n in sizes])
    row("wall (s)", [f"{results[n]['wall']:.0f}" for n in sizes])
    row("  articles/s", [f"{n / results[n]['wall']:.0f}" for n in sizes])
    row("CPU (s, process tree)", [f"{results[n]['cpu']:.0f}" for n in sizes])
    row("peak RSS (process tree)", [_fmt_bytes(results[n]["peak"]) for n in sizes])

    lines.append("")
    lines.append("Side inputs and global combines: encoded size (elements), then bytes per article")
    lines.append(head)
    for label, name, how in STATES:
        found = {n: _pcoll(results[n], name) for n in sizes}
        if not any(found.values()):
            continue
        row(f"{label}", [_fmt_bytes(found[n][1]) if found[n] else "-" for n in sizes])
        row(f"  ({how})"[:30], [f"{found[n][1] / n:.1f} B/art" if found[n] else "-" for n in sizes])
    pi = {n: _pcoll(results[n], "DropDuplicates/CandidatePairs/PairIndex/UnKey") for n in sizes}
    if all(pi.values()) and all(pairs.values()):
        row("PairIndex per candidate pair", [f"{pi[n][1] / pairs[n]:.1f} B" for n in sizes])

    lines.append("")
    lines.append("State on disk (after the run), bytes per article in")
    lines.append(head)
    for name in ("_index", "_ledger", "_snapshot.json", "_runs", "articles", "duplicates"):
        row(name, [_fmt_bytes(results[n]["state"][name][0]) for n in sizes])
        row("  per article", [f"{results[n]['state'][name][0] / n:.1f} B" for n in sizes])
    row("  _index entries", [f"{results[n]['index_entries']:,}" for n in sizes])
    row("  _ledger entries", [f"{results[n]['ledger_entries']:,}" for n in sizes])

    lines.append("")
    lines.append("Python objects of AsDict side inputs (tracemalloc, 100k entries): bytes/entry")
    for label, b in dict_bytes.items():
        lines.append(f"  {label:<28}{b:>10.0f}")

    if peaks:
        lines.append("")
        lines.append(
            f"Python memory (tracemalloc) over {peaks['articles']:,} articles "
            f"({peaks['lines_per_article']:.1f} lines each) and 1 M candidate pairs"
        )
        lines.append(
            f"  old global line count: holds {peaks['line_count_held']:.0f} B/article, "
            f"peak {peaks['line_count_peak']:.0f} B/article (one worker, whole batch)"
        )
        lines.append(
            f"  keyed line count: one shard's sum peaks at {peaks['line_shard_peak']:.1f} "
            "B/article of the batch"
        )
        lines.append(
            f"  PairIndex: holds {peaks['pair_index_held']:.0f} B/pair, peak "
            f"{peaks['pair_index_peak']:.0f} B/pair while built (old: every worker / one shard now)"
        )

    big = sizes[-1]
    r = results[big]
    lines.append("")
    lines.append(
        f"Extrapolated per run: y(N) = y({big:,}) x (N/{big:,})^b, b fitted on the two largest "
        "sizes (b=1: linear); dicts as Python objects in every process that reads them"
    )
    lines.append(f"{'':<30}{'b':>6}" + "".join(f"{n:>16,}" for n in EXTRAPOLATE))

    def grow(label: str, ys: list[float], per: float = 1.0) -> None:
        b = growth_exponent(sizes, ys)
        values = [_fmt_bytes(ys[-1] * per * (n / big) ** b) for n in EXTRAPOLATE]
        lines.append(f"{label:<30}{b:>6.2f}" + "".join(f"{v:>16}" for v in values))

    for label, name, _how in STATES:
        found = [_pcoll(results[n], name) for n in sizes]
        if not all(found) or label in NOISY:
            continue
        grow(label, [f[1] for f in found])
        if label in DICTS:
            grow("  as Python dicts", [f[0] for f in found], dict_bytes[label])
    ledger = [results[n]["ledger_entries"] for n in sizes]
    grow("ledger keys dict (per run)", ledger, dict_bytes["ledger keys (SkipIngested)"])
    for name in ("_index", "_ledger"):
        grow(f"{name} files", [results[n]["state"][name][0] for n in sizes])
    b = growth_exponent(sizes, [results[n]["wall"] for n in sizes])
    hours = [f"{r['wall'] * (n / big) ** b / 3600:,.1f} h" for n in EXTRAPOLATE]
    lines.append(f"{'wall, this machine':<30}{b:>6.2f}" + "".join(f"{v:>16}" for v in hours))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT / ".." / "shared")
    ap.add_argument("--sizes", default="25000,50000,100000,200000")
    ap.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "spindrift-capacity"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--real",
        action="store_true",
        help="use throughput.py's corpus of real articles (up to ~24k: dedup_corpus + top-up) "
        "instead of the synthetic one, to calibrate the synthetic mix",
    )
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        spec = json.loads(Path(args._child).read_text())
        Path(spec["result"]).write_text(json.dumps(_child(spec)))
        return 0
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    if args.real:
        import throughput

        meta = throughput.prepare_corpus(args.shared, sizes[-1], args.seed, args.workdir, False)
    else:
        meta = capacity_corpus.prepare(args.shared, sizes[-1], args.seed, args.workdir)
    print(f"corpus: {len(meta['ids']):,} articles, roles {meta['roles']}")
    results: dict[int, dict] = {}
    for n in sizes:
        folder = subset_dir(args.workdir, meta, n)
        spec = {
            "input": str(folder),
            "output": str(args.workdir / "out" / f"n{n}"),
            "workers": args.workers,
        }
        print(f"run {n:,} articles ...", flush=True)
        results[n] = _spawn(spec)
        shutil.rmtree(spec["output"], ignore_errors=True)
        print(f"  {results[n]['wall']:.0f}s, peak {_fmt_bytes(results[n]['peak'])}", flush=True)
    uri_len = len(str(subset_dir(args.workdir, meta, sizes[-1]) / f"{meta['ids'][0]}.txt"))
    dict_bytes = {label: python_bytes_per_entry(k, v, uri_len) for label, (k, v) in DICTS.items()}
    peaks = combine_peaks(subset_dir(args.workdir, meta, sizes[-1]))
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "dict_bytes": dict_bytes, "peaks": peaks})
        )
    print()
    print(report(results, dict_bytes, peaks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
