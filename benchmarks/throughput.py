"""End-to-end throughput of the ingest job, a plain MinHash LSH baseline, and where the time goes.

    python benchmarks/throughput.py [--shared ../shared] [--sizes 5000,10000,25000]
        [--workdir bench-out/throughput] [--modes in_process,multi_processing]
        [--seed 7] [--repeat 1] [--no-baseline] [--rebuild]
        [--profile | --no-profile] [--profile-size N] [--profiler auto|py-spy|cprofile]
        [--top 15]

Corpus: the labelled near-duplicate corpus of `benchmarks/dedup_corpus.py` (Reuters bodies, BBC,
ECB+ dev, thesaurus-spun copies, seeds, 14 languages), built once for the largest size. The
builder falls short of large sizes (24,267 articles for 25,000: it leaves out the Reuters bodies
of ambiguous pairs), so it is topped up with those left-out Reuters bodies and, should they run
out, light spun copies. Then shuffled (seeded) and written as one `.txt` file per article; size N
reads the first N files of that order (hard links under `corpus/n<N>/`), so every size has the
same mix and growth is comparable. The corpus is kept in the workdir and reused while shared
dir and seed are unchanged and it is large enough (`--rebuild` forces a rebuild).

Per size, back to back:

- baseline: a plain datasketch MinHash LSH over the same files on one core (read, lower-case,
  `\\w+` words, word 5-gram shingles, 128 permutations, `update_batch`, insert into
  `MinHashLSH(threshold=0.8)`, query every article, keep pairs with estimated Jaccard >= 0.8).
  It does a fraction of the job's work (no decoding rules, headers, language, dates, survivor
  choice or Parquet): pipeline/baseline is the cost of the whole job relative to the cheapest
  credible dedup-only pass over the same files.
- the real job, `pipelines.ingest.run(["--input", glob, "--output", dir, *flags])`, on the
  DirectRunner (FnApiRunner) per mode: `in_process` (no flags) and `multi_processing`
  (`--direct_running_mode=multi_processing --direct_num_workers=2`).

Printed per run: articles/s, wall seconds, CPU seconds of the process tree (user+system, worker
processes included), CPU ms per article, peak RSS of the process tree (`measure.TreeSampler`,
sampled from /proc every 0.1 s), RSS before the run (after imports), and the manifest counts.
Then ratios of runs made back to back (the machine may be shared and noisy: absolute articles/s
are not comparable across invocations, ratios and CPU seconds are more stable).

`--profile` (default on, at the smallest size): the in-process job once more under a profiler,
its time split into the project's stages and "Beam overhead", then the hottest functions.

- Stages: a sample or call is charged to the first project function on its call path below
  `pipeline.run()` (DoFn `process`/`setup`, Map/FlatMap callables and CombineFn methods in
  `pipelines/transforms/`, which call `pipelines/core/`); `ingest.build()` is graph
  construction; the rest of `ingest.run()` (options, inputs, manifest, state files) is driver.
- Beam overhead: time under `pipeline.run()` outside any project function (decoding/encoding and
  pickling elements between fused stages, GroupByKey buffers, bundle set-up, fusion), split by
  the innermost Beam frame.
- `--profiler py-spy` (what `auto` picks when the `py-spy` executable is found next to this
  Python or on PATH) samples full stacks at 100 Hz from outside the process, so it barely slows
  the job and does not distort the shares. `--profiler cprofile` (stdlib; the fallback) charges
  a fixed cost per Python call, which inflates stages made of many small calls (langdetect,
  Beam internals) and deflates numpy/C-heavy ones; the unprofiled wall time of the same size is
  printed next to it. cProfile records only caller->callee edges, so its stage split follows
  calls back through builtins (sorted, map ...) to the nearest Python caller.
- Beam's own counters of that run (its `PipelineResult`, kept by wrapping `Pipeline.run` in the
  profiled interpreter only): elements and sampled mean bytes per PCollection, i.e. what flows
  through shuffles and fusion breaks, and Beam's per-step timers (state sampler: a step's time
  includes encoding its outputs).

Every measured run happens in a fresh interpreter (this script, re-invoked with a hidden
`--_child SPEC` option), so earlier runs' caches and memory do not leak into later ones and the
peak RSS is that run's own process tree. Each run writes to `WORKDIR/out/<mode>-<size>/`, removed
first, so the job never finds an earlier run's state there.

`main(argv)` returns 0, or 1 when a run failed or a manifest did not reconcile.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import linecache
import logging
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import dedup_corpus  # noqa: E402
from baseline import minhash_matches  # noqa: E402
from measure import TreeSampler, capture_results, subset_dir, tree_rss  # noqa: E402

from pipelines.core import near_dup as nd  # noqa: E402

MODES = {
    "in_process": [],
    "multi_processing": ["--direct_running_mode=multi_processing", "--direct_num_workers=2"],
}
CORPUS_VERSION = 1
MIB = 2**20
PYSPY_RATE = 100
# Manifest counts shown, when the manifest has them; the first four must reconcile with the
# optional ones: matched = articles + duplicates + quarantined (+ already_ingested).
_COUNTS = ("matched", "articles", "duplicates", "quarantined", "already_ingested")

# ------------------------------------------------------------------------------------------
# Corpus
# ------------------------------------------------------------------------------------------


def _top_up(items: list[dict], shared: Path, seed: int, target: int) -> dict[str, int]:
    """Append articles until `target`: unused Reuters bodies first, then light spun copies."""
    added = {"reuters": 0, "spun": 0}
    have = {it["id"] for it in items}

    def add(key: str, text: str, date: str | None, role: str, swap: float = 0.0) -> bool:
        iid = dedup_corpus._opaque_id(seed, key)
        if iid in have:
            return False
        have.add(iid)
        items.append(
            {
                "id": iid,
                "text": text,
                "language": "en",
                "published_date": date,
                "group": iid,  # not labelled: the top-up only serves throughput
                "role": role,
                "level": "",
                "source": "topup",
                "topic": None,
                "swap_rate": round(swap, 3),
            }
        )
        return True

    if len(items) < target:
        for doc in dedup_corpus.read_reuters(shared):
            if len(items) >= target:
                break
            if len(doc.text.split()) >= 20:
                added["reuters"] += add(doc.key, doc.text, doc.date, "topup-reuters")
    if len(items) < target:
        rng = random.Random(seed + 1)
        spinner = dedup_corpus.Spinner(
            dedup_corpus.load_thesaurus(shared / "lexical" / "th_en_US_v2.dat"), "en"
        )
        originals = [it for it in items if it["language"] == "en" and it["role"] == "filler"]
        for k in range(3 * len(originals)):
            if len(items) >= target:
                break
            orig = originals[k % len(originals)]
            text, swap = spinner.spin_words(orig["text"], 0.25, rng)
            key = f"{orig['id']}#topup{k}"
            added["spun"] += add(key, text, orig["published_date"], "topup-spun", swap)
    return added


def prepare_corpus(shared: Path, size: int, seed: int, workdir: Path, rebuild: bool) -> dict:
    """Write (or reuse) the shuffled corpus; returns its meta (ids in subset order, counts)."""
    cdir = workdir / "corpus"
    meta_path = cdir / "meta.json"
    key = {"version": CORPUS_VERSION, "shared": str(shared.resolve()), "seed": seed, "size": size}
    if meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        old = meta.get("key", {})
        same = all(old.get(k) == key[k] for k in ("version", "shared", "seed"))
        if same and old.get("size", 0) >= size and (cdir / "all").is_dir():
            print(f"corpus: reusing {cdir} (built for size {old['size']:,})", flush=True)
            return meta
    t0 = time.perf_counter()
    shutil.rmtree(cdir, ignore_errors=True)
    items = dedup_corpus.build(shared, size, seed, log=lambda m: print(f"  builder: {m}"))
    built = len(items)
    added = _top_up(items, shared, seed, size)
    items = items[:size]
    random.Random(seed).shuffle(items)
    dedup_corpus.write(items, cdir / "corpus.jsonl", txt_dir=cdir / "all")
    meta = {
        "key": key,
        "built": built,
        "added": added,
        "bytes": sum((cdir / "all" / f"{it['id']}.txt").stat().st_size for it in items),
        "roles": dict(Counter(it["role"] for it in items).most_common()),
        "languages": dict(Counter(it["language"] for it in items).most_common()),
        "ids": [it["id"] for it in items],
    }
    meta_path.write_text(json.dumps(meta))
    print(f"corpus: built and written in {time.perf_counter() - t0:.0f}s", flush=True)
    return meta


# ------------------------------------------------------------------------------------------
# Measured runs, each in a fresh interpreter (this file with --_child SPEC)
# ------------------------------------------------------------------------------------------


def find_pyspy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _spawn(spec: dict, pyspy: tuple[str, Path] | None = None) -> dict:
    """Run `spec` in a fresh interpreter and return its result (or {"error": ...}).

    `pyspy`: (executable, raw output path) to run the child under `py-spy record`.
    """
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps({**spec, "result": str(result_path)}))
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", str(spec_path)]
        if pyspy:
            exe, raw = pyspy
            cmd = [exe, "record", "-r", str(PYSPY_RATE), "-f", "raw", "-o", str(raw), "--", *cmd]
        env = dict(os.environ)
        if spec["kind"] == "baseline":  # one core: no BLAS/OpenMP thread pools
            env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        proc = subprocess.run(
            cmd, env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        if proc.returncode != 0 or not result_path.exists():
            tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
            return {"error": f"exit code {proc.returncode}\n{tail}"}
        return json.loads(result_path.read_text())


def beam_counters(pipeline, result) -> dict:
    """Elements and mean sampled bytes per PCollection, and Beam's msecs per step."""
    from apache_beam.metrics import monitoring_infos as mi

    names = {}
    for transform in pipeline.to_runner_api().components.transforms.values():
        if not transform.subtransforms:
            for tag, pcoll in transform.outputs.items():
                suffix = "" if tag in ("None", "out") else f"[{tag}]"
                names[pcoll] = transform.unique_name + suffix
    elements: dict[str, int] = defaultdict(int)
    sampled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    msecs: dict[str, int] = defaultdict(int)
    for info in result.monitoring_infos():
        pcoll, step = info.labels.get("PCOLLECTION"), info.labels.get("PTRANSFORM")
        if pcoll and info.urn == mi.ELEMENT_COUNT_URN:
            elements[names.get(pcoll, pcoll)] += mi.extract_counter_value(info)
        elif pcoll and info.urn == mi.SAMPLED_BYTE_SIZE_URN:
            count, total, _min, _max = mi.extract_distribution(info)
            sampled[names.get(pcoll, pcoll)][0] += count
            sampled[names.get(pcoll, pcoll)][1] += total
        elif step and info.urn.endswith("ptransform_execution_time:total_msecs:v1"):
            msecs[step] += mi.extract_counter_value(info)
    pcolls = {
        name: (n, sampled[name][1] / sampled[name][0] if sampled[name][0] else 0.0)
        for name, n in elements.items()
    }
    return {"pcollections": pcolls, "step_msecs": dict(msecs)}


def _child_pipeline(spec: dict) -> dict:
    captured = capture_results() if spec.get("counters") else []
    from pipelines import ingest

    out = Path(spec["output"])
    shutil.rmtree(out, ignore_errors=True)
    argv = ["--input", spec["input"], "--output", str(out), *spec["flags"]]
    rss_before = tree_rss()
    profiler = cProfile.Profile() if spec.get("cprofile") else None
    cpu0 = os.times()
    with TreeSampler() as usage:
        if profiler:
            profiler.enable()
        try:
            result = ingest.run(argv)
        finally:
            if profiler:
                profiler.disable()
    cpu1 = os.times()
    if profiler:
        profiler.dump_stats(spec["cprofile"])
    manifest = result.manifest
    counters = beam_counters(*captured[-1]) if captured else {}
    return {
        "counters": counters,
        "wall": usage.wall_seconds,
        "cpu": usage.cpu_seconds,
        "cpu_workers": (cpu1[2] + cpu1[3]) - (cpu0[2] + cpu0[3]),
        "peak": usage.peak_bytes,
        "rss_before": rss_before,
        "counts": {k: manifest[k] for k in _COUNTS if k in manifest},
        "out_bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
        "out_files": sum(1 for p in out.rglob("*.parquet")),
    }


def _child_baseline(spec: dict, threshold: float = 0.8, num_perm: int = 128) -> dict:
    paths = sorted(Path(spec["input_dir"]).glob("*.txt"))
    rss_before = tree_rss()
    with TreeSampler() as usage:
        # Reading the files is part of the baseline's cost, as it is of the pipeline's.
        docs = ((p.stem, p.read_text(encoding="utf-8")) for p in paths)
        base = minhash_matches(docs, threshold, num_perm)
    # Articles the baseline would drop: one kept per connected component of matched pairs.
    clusters = nd.cluster(base["ids"], base["matched"])
    return {
        "wall": usage.wall_seconds,
        "cpu": usage.cpu_seconds,
        "cpu_workers": 0.0,
        "peak": usage.peak_bytes,
        "rss_before": rss_before,
        "minhash_seconds": base["sketch_seconds"],
        "counts": {
            "matched": len(paths),
            "duplicates": len(clusters) - len(set(clusters.values())),
            "candidate_pairs": len(base["candidates"]),
        },
    }


def _child(spec_path: str) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.WARNING)
    spec = json.loads(Path(spec_path).read_text())
    run = _child_baseline if spec["kind"] == "baseline" else _child_pipeline
    Path(spec["result"]).write_text(json.dumps(run(spec)))
    return 0


# ------------------------------------------------------------------------------------------
# Stage classification (shared by both profilers)
# ------------------------------------------------------------------------------------------

# Files of the driver (`ingest.run` and what it calls before/after the pipeline): not stages.
_DRIVER = ("ingest.py", "options.py", "runners.py", "run_context.py", "config.py", "cli.py")
CONSTRUCTION = "graph construction (ingest.build -> expand)"
DRIVER = "driver (options, manifest, state files; outside pipeline.run)"
OVERHEAD = "Beam overhead"

# (file, marker, stage): a project function belongs to the first rule whose file is a suffix
# of its path and whose marker occurs in its qualified name (or, for a lambda, its source
# line). Unknown functions get "<module>: <qualname>", so new stages show up by name.
_STAGE_RULES: list[tuple[str, str, str]] = [
    ("transforms/read.py", "", "read files (match, open, sha256)"),
    ("transforms/normalize.py", "DecodeFn", "decode"),
    ("transforms/normalize.py", "NormalizeFn", "normalize headers"),
    ("transforms/tag.py", "TagLanguageFn", "tag language (langdetect)"),
    ("transforms/tag.py", "_tag_date", "tag date"),
    ("transforms/dedup/features.py", "_features", "dedup: features (signature + originality)"),
    ("transforms/dedup/common_lines.py", "", "dedup: common lines (site chrome counts)"),
    ("transforms/dedup/pairs.py", "_band_keys", "dedup: LSH band keys (minhash)"),
    ("transforms/dedup/pairs.py", "_bucket_pairs", "dedup: candidate pairs from buckets"),
    ("transforms/dedup/pairs.py", "PairIndex", "dedup: candidate pairs from buckets"),
    ("transforms/dedup/pairs.py", "_pair_parts", "dedup: candidate pairs from buckets"),
    ("transforms/dedup/pairs.py", "_probe_shard", "dedup: probe + verify pairs"),
    ("transforms/dedup/pairs.py", "_probe", "dedup: probe + verify pairs"),
    ("transforms/dedup/pairs.py", "_verify", "dedup: probe + verify pairs"),
    ("transforms/dedup/pairs.py", "_components", "dedup: clusters + survivors"),
    ("transforms/dedup/__init__.py", "_cluster_of", "dedup: clusters + survivors"),
    ("transforms/dedup/__init__.py", "_survivors", "dedup: clusters + survivors"),
    ("transforms/dedup/__init__.py", "", "dedup: other (keys, apply decisions, index)"),
    ("transforms/dedup/features.py", "", "dedup: other (keys, apply decisions, index)"),
    ("transforms/dedup/pairs.py", "", "dedup: candidate pairs from buckets"),
    ("transforms/write.py", "_WriteShardFn", "write files (sort, to_row, parquet/avro)"),
    ("transforms/write.py", "Commit", "commit (reconcile, rename into place)"),
    ("transforms/write.py", "commit", "commit (reconcile, rename into place)"),
    ("transforms/write.py", "", "write: partition/shard keys, index/ledger rows"),
    ("transforms/ledger.py", "", "ledger (skip already ingested, record)"),
]

# Beam overhead, by the innermost matching frame (qualified name or path, case-insensitive).
_OVERHEAD_RULES: list[tuple[str, str]] = [
    (r"pickle|dill", "pickling elements between fused stages (PickleCoder)"),
    (r"GroupingBuffer", "GroupByKey/CoGroupByKey buffers (fn_api_runner)"),
    (r"DataOutputOperation", "encoding stage outputs (coders)"),
    (r"process_encoded", "decoding stage inputs + Cython op dispatch"),
    (r"data_plane", "in-memory data channel"),
    (r"apache_beam/coders", "coders"),
    (r"BundleProcessor\.__init__|get_dofn_specs|create_operation|inspect", "bundle set-up"),
    (r"translations|to_runner_api|from_runner_api|fuse|optimiz", "pipeline translation/fusion"),
    (r"apache_beam/io|filesystem", "Beam IO / file systems"),
    (r"acquire|\bwait\b|_wait_for|join", "waiting (locks, thread joins)"),
]
_OVERHEAD_RES = [(re.compile(p, re.IGNORECASE), label) for p, label in _OVERHEAD_RULES]


def _rel(path: str) -> str:
    """A short path: relative to the repo for project files, to site-packages for libraries."""
    parts = Path(path).parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    with contextlib.suppress(ValueError):
        return str(Path(path).relative_to(ROOT))
    if "lib" in parts and len(parts) > 2 and parts[-2].startswith("python"):
        return parts[-1]
    return path


def is_project(rel: str) -> bool:
    return rel.startswith("pipelines/") and not rel.endswith(_DRIVER)


def is_context(rel: str) -> bool:
    """Project or driver code: callers under which time is not Beam overhead."""
    return rel.startswith("pipelines/")


def qualname(path: str, line: int, name: str) -> str:
    """`Class.method` / `outer.<locals>.inner` from the source (cProfile has bare names)."""
    lines = linecache.getlines(path)
    if not 0 < line <= len(lines):
        return name
    if name != "<lambda>" and not re.search(rf"\b(def|class)\s+{name}\b", lines[line - 1]):
        # The file changed since the profile was taken: use the nearest `def name`.
        defs = [k + 1 for k, t in enumerate(lines) if re.search(rf"\bdef\s+{name}\b", t)]
        if not defs:
            return name
        line = min(defs, key=lambda k: abs(k - line))
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    parts = [name]
    for k in range(line - 2, -1, -1):
        if indent == 0:
            break
        text = lines[k]
        stripped = text.lstrip()
        found = re.match(r"(?:async\s+)?(def|class)\s+(\w+)", stripped)
        if not found or len(text) - len(stripped) >= indent:
            continue
        indent = len(text) - len(stripped)
        parts.append(found.group(2) if found.group(1) == "class" else found.group(2) + ".<locals>")
    return ".".join(reversed(parts))


def stage_of(qual: str, rel: str, line: int) -> str:
    """The stage a project function's time is charged to (see _STAGE_RULES)."""
    source = linecache.getline(str(ROOT / rel), line) if "<lambda>" in qual else ""
    for where, marker, stage in _STAGE_RULES:
        if rel.endswith(where) and (marker in qual or (source and marker in source)):
            return stage
    return f"{Path(rel).stem}: {qual}"


def overhead_of(frames: Iterable[tuple[str, str]]) -> str:
    """Label of Beam-overhead time from its frames (qualname, rel path), innermost first."""
    for qual, rel in frames:
        for regex, label in _OVERHEAD_RES:
            if regex.search(qual) or regex.search(rel):
                return label
    return "other Beam / runner"


@dataclass
class Breakdown:
    """A profile of one `ingest.run`, split into stages; seconds are the profiler's."""

    tool: str
    total: float
    stages: dict[str, float] = field(default_factory=dict)
    overhead: dict[str, float] = field(default_factory=dict)
    core: dict[str, float] = field(default_factory=dict)  # cumulative, project functions
    hot: list[dict] = field(default_factory=list)  # by own time
    note: str = ""


# ------------------------------------------------------------------------------------------
# py-spy raw (collapsed) stacks -> Breakdown
# ------------------------------------------------------------------------------------------

_FRAME_RE = re.compile(r"^(.*) \((.*):(\d+)\)$")


def pyspy_breakdown(raw: Path, rate: int = PYSPY_RATE) -> Breakdown:
    stages: dict[str, float] = defaultdict(float)
    overhead: dict[str, float] = defaultdict(float)
    core: dict[str, float] = defaultdict(float)
    own: dict[tuple[str, str], float] = defaultdict(float)
    own_lines: dict[tuple[str, str], Counter] = defaultdict(Counter)
    cum: dict[tuple[str, str], float] = defaultdict(float)
    total = 0.0
    for text in raw.read_text().splitlines():
        stack, _, count = text.rpartition(" ")
        if not stack:
            continue
        secs = int(count) / rate
        frames = []
        for frame in stack.split(";"):
            m = _FRAME_RE.match(frame)
            frames.append((m.group(1), m.group(2), int(m.group(3))) if m else (frame, "", 0))
        start = next(
            (i for i, f in enumerate(frames) if f[1] == "pipelines/ingest.py" and f[0] == "run"),
            None,
        )
        if start is None:  # imports, the RSS sampler thread, ...
            continue
        frames = frames[start:]
        total += secs
        stage = _stack_stage(frames)
        stages[stage] += secs
        if stage == OVERHEAD:
            overhead[overhead_of((q, r) for q, r, _ in reversed(frames))] += secs
        leaf = frames[-1][:2]
        own[leaf] += secs
        own_lines[leaf][frames[-1][2]] += 1
        seen = set()
        for qual, rel, _line in frames:
            if (qual, rel) not in seen:
                seen.add((qual, rel))
                cum[(qual, rel)] += secs
                if is_project(rel):
                    core[f"{qual} ({rel})"] += secs
    hot = [
        {
            "function": qual,
            "where": f"{rel}:{own_lines[(qual, rel)].most_common(1)[0][0]}",
            "own": secs,
            "cum": cum[(qual, rel)],
            "calls": None,
            "project": is_project(rel),
        }
        for (qual, rel), secs in own.items()
    ]
    hot.sort(key=lambda h: -h["own"])
    return Breakdown(
        tool=f"py-spy ({rate} Hz sampling, idle excluded)",
        total=total,
        stages=dict(stages),
        overhead=dict(overhead),
        core=dict(core),
        hot=hot,
        note="file:line = the hottest line of the function",
    )


def _stack_stage(frames: list[tuple[str, str, int]]) -> str:
    """Stage of one sampled stack, outermost frame first (starting at ingest.run)."""
    if any(q == "build" and r == "pipelines/ingest.py" for q, r, _ in frames):
        return CONSTRUCTION
    inner = next(
        (i for i, (q, r, _) in enumerate(frames) if q == "Pipeline.run" and "apache_beam" in r),
        None,
    )
    if inner is None:
        return DRIVER
    for qual, rel, line in frames[inner:]:
        if is_project(rel):
            return CONSTRUCTION if qual.endswith(".expand") else stage_of(qual, rel, line)
    return OVERHEAD


# ------------------------------------------------------------------------------------------
# cProfile -> Breakdown
# ------------------------------------------------------------------------------------------


def cprofile_breakdown(path: Path) -> Breakdown:
    stats = pstats.Stats(str(path)).stats  # {func: (cc, nc, tt, ct, {caller: (cc,nc,tt,ct)})}
    rel = {f: ("~" if f[0] == "~" else _rel(f[0])) for f in stats}
    context_cache: dict[tuple, float] = {}

    def context(func: tuple, depth: int = 0) -> float:
        """Share of `func`'s time spent under project/driver code (through builtins)."""
        if is_context(rel[func]):
            return 1.0
        if rel[func] != "~" or depth > 4:
            return 0.0
        if func not in context_cache:
            callers = stats[func][4]
            weight = sum(v[3] for v in callers.values())
            inside = sum(v[3] * context(c, depth + 1) for c, v in callers.items())
            context_cache[func] = inside / weight if weight else 0.0
        return context_cache[func]

    def cumulative(where: str, name: str) -> float:
        return sum(s[3] for f, s in stats.items() if rel[f].endswith(where) and f[2] == name)

    roots = [f for f in stats if rel[f] == "pipelines/ingest.py" and f[2] == "run"]
    total = stats[roots[0]][3] if roots else sum(s[2] for s in stats.values())
    construction = cumulative("pipelines/ingest.py", "build")
    pipeline_run = cumulative("apache_beam/pipeline.py", "run")
    stages: dict[str, float] = defaultdict(float)
    stages[CONSTRUCTION] = construction
    stages[DRIVER] = max(0.0, total - construction - pipeline_run)
    core: dict[str, float] = {}
    for func, (_cc, _nc, _tt, ct, callers) in stats.items():
        if not is_project(rel[func]):
            continue
        qual = qualname(func[0], func[1], func[2])
        core[f"{qual} ({rel[func]})"] = ct
        if qual.endswith((".expand", ".__init__")):
            continue  # construction time, inside ingest.build
        outside = sum(v[3] * (1.0 - context(c)) for c, v in callers.items())
        if outside > 0:
            stages[stage_of(qual, rel[func], func[1])] += outside
    runtime = sum(v for k, v in stages.items() if k not in (CONSTRUCTION, DRIVER))
    stages[OVERHEAD] = max(0.0, pipeline_run - runtime)

    # Own time of Beam's functions, and of builtins/stdlib called straight from Beam; libraries
    # (langdetect, numpy, pyarrow) are only called from the stages, so they are left out.
    overhead: dict[str, float] = defaultdict(float)
    for func, (_cc, _nc, tt, _ct, callers) in stats.items():
        if not tt or is_context(rel[func]):
            continue
        beam = "apache_beam/" in rel[func]
        library = rel[func] != "~" and "/" in rel[func] and not beam
        for caller, (_ccc, _cnc, ctt, _cct) in callers.items():
            if library or not (beam or "apache_beam/" in rel[caller]):
                continue
            share = 1.0 - context(caller)
            if share > 0:
                frames = [(func[2], rel[func]), (caller[2], rel[caller])]
                overhead[overhead_of(frames)] += ctt * share
    scale = stages[OVERHEAD] / (sum(overhead.values()) or 1.0)  # own times -> the residual
    overhead = {k: v * scale for k, v in overhead.items()}

    hot = [
        {
            "function": func[2] if rel[func] == "~" else qualname(*func),
            "where": "builtin" if rel[func] == "~" else f"{rel[func]}:{func[1]}",
            "own": tt,
            "cum": ct,
            "calls": nc,
            "project": is_project(rel[func]),
        }
        for func, (_cc, nc, tt, ct, _callers) in stats.items()
    ]
    hot.sort(key=lambda h: -h["own"])
    return Breakdown(
        tool="cProfile (deterministic; per-call cost inflates call-heavy code)",
        total=total,
        stages=dict(stages),
        overhead=overhead,
        core=core,
        hot=hot,
        note="file:line = where the function is defined; Beam overhead split approximate",
    )


# ------------------------------------------------------------------------------------------
# Reporting
# ------------------------------------------------------------------------------------------

_HEADER = (
    f"{'size':>7} {'run':<17} {'art/s':>7} {'wall s':>7} {'CPU s':>7} {'wrk CPU':>7} "
    f"{'CPU/w':>5} {'CPUms/a':>7} {'peakMiB':>7} {'RSS0':>5} {'matched':>7} {'written':>7} "
    f"{'dups':>6} {'quar':>4} {'files':>5}"
)


def _fmt_row(size: int, name: str, r: dict) -> str:
    if "error" in r:
        return f"{size:>7,} {name:<17} FAILED: {r['error']}"
    c = r["counts"]
    n = c["matched"]

    def num(key: str, width: int) -> str:
        return f"{c[key]:>{width},}" if key in c else f"{'-':>{width}}"

    return (
        f"{size:>7,} {name:<17} {n / r['wall']:>7.1f} {r['wall']:>7.1f} {r['cpu']:>7.1f} "
        f"{r['cpu_workers']:>7.1f} {r['cpu'] / r['wall']:>5.2f} {1000 * r['cpu'] / n:>7.2f} "
        f"{r['peak'] / MIB:>7.0f} {r['rss_before'] / MIB:>5.0f} {n:>7,} {num('articles', 7)} "
        f"{num('duplicates', 6)} {num('quarantined', 4)} {r.get('out_files', '-'):>5}"
    )


def _reconciles(r: dict) -> bool:
    c = r["counts"]
    done = c["articles"] + c["duplicates"] + c["quarantined"] + c.get("already_ingested", 0)
    return done == c["matched"]


def print_ratios(results: dict, sizes: list[int], modes: list[str], baseline: bool) -> None:
    pairs = [(m, "baseline", f"{m.split('_')[0]}/baseline") for m in modes if baseline]
    if "in_process" in modes and "multi_processing" in modes:
        pairs.append(("multi_processing", "in_process", "multi/in_process"))
    if not pairs:
        return
    print("\nRatios of runs made back to back at each size:")
    print(f"  {'size':>7}  " + "  ".join(f"{label:>26}" for _, _, label in pairs))
    print(f"  {'':>7}  " + "  ".join(f"{'throughput':>12} {'CPU s':>13}" for _ in pairs))
    for size in sizes:
        cells = []
        for a, b, _ in pairs:
            ra, rb = results.get((size, a), {}), results.get((size, b), {})
            if "wall" in ra and "wall" in rb:
                cells.append(f"{rb['wall'] / ra['wall']:>12.3f} {ra['cpu'] / rb['cpu']:>13.2f}")
            else:
                cells.append(f"{'-':>12} {'-':>13}")
        print(f"  {size:>7,}  " + "  ".join(cells))
    print("  (throughput: articles/s of the first over the second; CPU s: first's / second's)")


def print_scaling(results: dict, sizes: list[int], runs: list[str]) -> None:
    if len(sizes) < 2:
        return
    print("\nScaling: CPU ms per article, and relative to the smallest size:")
    for run in runs:
        per = {}
        for size in sizes:
            r = results.get((size, run), {})
            if "cpu" in r:
                per[size] = 1000 * r["cpu"] / r["counts"]["matched"]
        if sizes[0] not in per:
            continue
        cells = [f"{s:,}: {v:.2f} ({v / per[sizes[0]]:.2f}x)" for s, v in per.items()]
        print(f"  {run:<17} " + "   ".join(cells))


def print_breakdown(b: Breakdown, size: int, unprofiled: float | None, top: int) -> None:
    total = b.total
    print(f"\nWhere the time goes: in_process job, {size:,} articles, {b.tool}")
    extra = f"; the same job unprofiled: {unprofiled:.1f}s wall" if unprofiled else ""
    print(f"  time in ingest.run seen by the profiler: {total:.1f}s{extra}")
    print(f"  {'stage':<62} {'seconds':>8} {'share':>7} {'ms/art':>7}")
    for stage, secs in sorted(b.stages.items(), key=lambda kv: -kv[1]):
        if secs < 0.0005 * total:
            continue
        print(f"  {stage:<62} {secs:>8.2f} {100 * secs / total:>6.1f}% {1000 * secs / size:>7.2f}")
        if stage == OVERHEAD:
            for label, s in sorted(b.overhead.items(), key=lambda kv: -kv[1]):
                if s >= 0.002 * total:
                    print(f"    {label:<60} {s:>8.2f} {100 * s / total:>6.1f}%")
    print(f"  {'total':<62} {total:>8.2f} {100.0:>6.1f}% {1000 * total / size:>7.2f}")
    print("\n  project functions by cumulative time (nested: shares overlap):")
    for name, secs in sorted(b.core.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {secs:>7.2f} {100 * secs / total:>5.1f}%  {name}")
    print(f"\n  top {top} functions by own time ({b.note}):")
    print(f"    {'own s':>7} {'own %':>6} {'cum s':>7} {'calls':>9}  function (file:line)")
    for h in b.hot[:top]:
        mark = "*" if h["project"] else " "
        calls = f"{h['calls']:>9,}" if h["calls"] is not None else f"{'':>9}"
        print(
            f"  {mark} {h['own']:>7.2f} {100 * h['own'] / total:>5.1f}% {h['cum']:>7.2f} "
            f"{calls}  {h['function']} ({h['where']})"
        )
    print("    (* = project code)")


def print_counters(counters: dict, size: int, top: int) -> None:
    """Beam's own counters of the profiled run: what flows between steps, and step timers."""
    pcolls = counters.get("pcollections")
    if not pcolls:
        return
    print(f"\n  Beam counters of the profiled run: PCollections by estimated size (top {top})")
    print(
        f"    {'elements':>9} {'per art':>7} {'mean B':>7} {'est MiB':>8}  PCollection (producer)"
    )
    rows = sorted(pcolls.items(), key=lambda kv: -kv[1][0] * kv[1][1])
    for name, (n, mean) in rows[:top]:
        print(f"    {n:>9,} {n / size:>7.1f} {mean:>7.0f} {n * mean / MIB:>8.1f}  {name}")
    print(f"    {sum(n for n, _ in pcolls.values()):>9,} elements in all PCollections")
    msecs = counters.get("step_msecs") or {}
    total = sum(msecs.values())
    if total:
        print(f"\n  Beam's step timers (state sampler; top {top}), {total / 1000:.1f}s in all:")
        for step, ms in sorted(msecs.items(), key=lambda kv: -kv[1])[:top]:
            print(f"    {ms / 1000:>7.2f}s {100 * ms / total:>5.1f}%  {step}")


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError("sizes must be integers, e.g. 5000,25000") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def _modes(text: str) -> list[str]:
    modes = [m.strip() for m in text.split(",") if m.strip()]
    if not modes or any(m not in MODES for m in modes):
        raise argparse.ArgumentTypeError(f"modes: a comma-separated subset of {list(MODES)}")
    return modes


def _measure(spec: dict, repeat: int, label: str, size: int) -> dict:
    """Run `spec` `repeat` times; keep the run with the median wall time."""
    runs = [_spawn(spec) for _ in range(repeat)]
    ok = [r for r in runs if "error" not in r]
    if not ok:
        print(_fmt_row(size, label, runs[0]), flush=True)
        return runs[0]
    median = statistics.median_low([r["wall"] for r in ok])
    chosen = next(r for r in ok if r["wall"] == median)
    if repeat > 1:
        chosen["walls"] = sorted(r["wall"] for r in ok)
    print(_fmt_row(size, label, chosen), flush=True)
    return chosen


def _profile(
    args: argparse.Namespace, workdir: Path, src: Path, size: int
) -> tuple[Breakdown | None, dict]:
    spec = {
        "kind": "pipeline",
        "input": str(src / "*.txt"),
        "output": str(workdir / "out" / f"profile-{size}"),
        "flags": MODES["in_process"],
        "counters": True,
    }
    pdir = workdir / "profile"
    pdir.mkdir(parents=True, exist_ok=True)
    tool = args.profiler
    pyspy = find_pyspy() if tool in ("auto", "py-spy") else None
    if tool == "py-spy" and not pyspy:
        print("\npy-spy not found (pip install py-spy); falling back to cProfile")
    if pyspy:
        raw = pdir / f"in_process-{size}.pyspy.txt"
        r = _spawn(spec, pyspy=(pyspy, raw))
        if "error" not in r and raw.exists():
            print(f"\nprofile: {raw} (py-spy raw stacks; flamegraph.pl or speedscope can read it)")
            return pyspy_breakdown(raw), r
        print(f"\npy-spy run failed ({r.get('error', 'no output')}); falling back to cProfile")
    stats = pdir / f"in_process-{size}.pstats"
    r = _spawn({**spec, "cprofile": str(stats)})
    if "error" in r:
        print(f"\nprofiled run failed: {r['error']}")
        return None, r
    print(f"\nprofile: {stats} (python -m pstats {stats})")
    return cprofile_breakdown(stats), r


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="See the module docstring (python -m pydoc benchmarks/throughput.py) for details.",
    )
    ap.add_argument(
        "--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED, help="default: ../shared"
    )
    ap.add_argument(
        "--sizes",
        type=_sizes,
        default=[5000, 10000, 25000],
        help="articles per run, comma-separated (default: 5000,10000,25000)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path("bench-out/throughput"),
        help="corpus files, job outputs and profiles (default: bench-out/throughput)",
    )
    ap.add_argument(
        "--modes",
        type=_modes,
        default=list(MODES),
        help="DirectRunner modes, comma-separated (default: in_process,multi_processing)",
    )
    ap.add_argument("--seed", type=int, default=7, help="corpus builder and shuffle seed")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; median kept")
    ap.add_argument("--no-baseline", action="store_true", help="skip the datasketch baseline")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the corpus files")
    ap.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="profile the in-process job once and print the stage breakdown (default: on)",
    )
    ap.add_argument("--profile-size", type=int, default=None, help="default: smallest size")
    ap.add_argument(
        "--profiler",
        choices=["auto", "py-spy", "cprofile"],
        default="auto",
        help="auto: py-spy when installed, else cProfile",
    )
    ap.add_argument("--top", type=int, default=15, help="functions listed in the profile")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        return _child(args._child)
    logging.basicConfig(level=logging.WARNING)

    workdir = args.workdir.resolve()
    sizes = args.sizes
    profile_size = args.profile_size or sizes[0]
    largest = max(*sizes, profile_size)
    meta = prepare_corpus(args.shared, largest, args.seed, workdir, args.rebuild)
    total = len(meta["ids"])
    print(
        f"corpus: {total:,} articles, {meta['bytes'] / MIB:.1f} MiB: dedup_corpus.build("
        f"size={largest}) gave {meta['built']:,}, topped up with {meta['added']['reuters']:,} "
        f"left-out Reuters bodies and {meta['added']['spun']:,} spun copies; shuffled "
        f"(seed {args.seed}); size N = its first N files"
    )
    print(f"  roles: {meta['roles']}")
    langs = ", ".join(f"{k} {v}" for k, v in meta["languages"].items())
    print(f"  languages (builder's labels): {langs}")
    if largest > total:
        print(f"  only {total:,} articles: larger sizes are capped", file=sys.stderr)
        sizes = sorted({min(s, total) for s in sizes})
        profile_size = min(profile_size, total)
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start",
        flush=True,
    )

    results: dict[tuple[int, str], dict] = {}
    print(f"\n{_HEADER}", flush=True)
    for size in sizes:
        src = subset_dir(workdir, meta, size)
        if not args.no_baseline:
            spec = {"kind": "baseline", "input_dir": str(src)}
            results[(size, "baseline")] = _measure(spec, args.repeat, "minhash baseline", size)
        for mode in args.modes:
            spec = {
                "kind": "pipeline",
                "input": str(src / "*.txt"),
                "output": str(workdir / "out" / f"{mode}-{size}"),
                "flags": MODES[mode],
            }
            results[(size, mode)] = _measure(spec, args.repeat, mode, size)
    print(
        "  art/s = articles / wall. CPU s = user+system of the process tree; wrk CPU = the part\n"
        "  spent in worker processes. CPUms/a = CPU ms per article. peakMiB = peak RSS of the\n"
        "  process tree; RSS0 = RSS of the run's interpreter before the run, after imports.\n"
        "  Baseline 'dups' = articles it would drop (components of its matched pairs).\n"
        "  files = Parquet files the job wrote (articles, duplicates, index, ledger)."
    )
    print(f"  load average at the end: {os.getloadavg()[0]:.2f}")
    runs = [*([] if args.no_baseline else ["baseline"]), *args.modes]
    print_ratios(results, sizes, args.modes, not args.no_baseline)
    print_scaling(results, sizes, runs)

    failed = [k for k, r in results.items() if "error" in r]
    bad = [
        k
        for k, r in results.items()
        if k[1] != "baseline" and "error" not in r and not _reconciles(r)
    ]
    for size, run in bad:
        print(f"  {run} at {size:,}: manifest counts do not reconcile: {results[(size, run)]}")

    if args.profile:
        src = subset_dir(workdir, meta, profile_size)
        breakdown, profiled = _profile(args, workdir, src, profile_size)
        if breakdown is None:
            return 1
        unprofiled = results.get((profile_size, "in_process"), {}).get("wall")
        print_breakdown(breakdown, profile_size, unprofiled, args.top)
        print_counters(profiled.get("counters") or {}, profile_size, args.top)
    return 1 if failed or bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
