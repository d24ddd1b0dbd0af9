"""Evaluate pipelines.core.near_dup against a plain word-5-gram MinHash LSH baseline.

    python benchmarks/dedup_eval.py [--shared ../shared] [--size N] [--seed S]

Builds the labelled corpus (benchmarks/dedup_corpus.py), writes it as one text file per
article, runs the real ingest job over it (DirectRunner, 2 workers by default) and reads the
decisions back from its `articles/` and `duplicates/` tables; also runs the pure core in
memory (signature -> candidate_keys -> verify -> cluster -> split_chains -> choose_survivor)
and a plain word-5-gram MinHash LSH baseline, and prints all three side by side.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus
from baseline import minhash_matches
from measure import TreeSampler

from pipelines.core import near_dup as nd

# ------------------------------------------------------------------------------------------
# Methods
# ------------------------------------------------------------------------------------------


def run_near_dup(
    items: list[dict], config: nd.NearDupConfig = nd.DEFAULT, guard: bool = True
) -> dict:
    t0 = time.perf_counter()
    sigs = {it["id"]: nd.signature(it["text"], it["language"], config) for it in items}
    t1 = time.perf_counter()
    keyed = [(aid, nd.candidate_keys(s, config)) for aid, s in sigs.items()]
    t2 = time.perf_counter()
    cands = nd.candidate_pairs(keyed, config)
    t3 = time.perf_counter()
    matched = []
    methods: Counter = Counter()
    for a, b in sorted(cands):
        m = nd.verify(sigs[a], sigs[b], config)
        if m:
            matched.append((a, b))
            methods[m.method] += 1
    t4 = time.perf_counter()
    members = {
        it["id"]: nd.Member(
            it["id"], it["published_date"], nd.originality(it["text"], it["language"])
        )
        for it in items
    }
    t5 = time.perf_counter()
    raw = nd.cluster(sigs, matched)
    clusters = nd.split_chains(raw, sigs, members, config) if guard else raw
    t6 = time.perf_counter()
    n = len(items)
    split: dict = defaultdict(set)
    for i, c in raw.items():
        split[c].add(clusters[i])
    detached = sum(1 for i, c in raw.items() if len(split[c]) > 1)
    return {
        "clusters": clusters,
        "members": members,
        "timing": {
            "signature ms/article": 1000 * (t1 - t0) / n,
            "candidate_keys ms/article": 1000 * (t2 - t1) / n,
            "bucketing ms/article": 1000 * (t3 - t2) / n,
            "verify ms/article": 1000 * (t4 - t3) / n,
            "verify us/pair": 1e6 * (t4 - t3) / max(1, len(cands)),
            "originality ms/article": 1000 * (t5 - t4) / n,
            "cluster+guard ms/article": 1000 * (t6 - t5) / n,
            "total core ms/article (excl. originality)": 1000 * (t4 - t0 + t6 - t5) / n,
        },
        "counts": {
            "candidate pairs": len(cands),
            "verified matches": len(matched),
            "members in chain-split clusters": detached,
            **{f"method {k}": v for k, v in sorted(methods.items())},
        },
    }


def clusters_from_output(out: Path, items: list[dict]) -> tuple[dict, Counter]:
    """Item id -> cluster (its kept item id) read back from a job's articles/duplicates, and
    the count of each duplicate method. Quarantined items are their own cluster."""
    from pipelines.query import connect

    con = connect(str(out))

    def item_id(uri: str) -> str:
        return Path(uri).name[: -len(".txt")]

    uris = con.execute("select source_uri from articles").fetchall()
    clusters = {item_id(u): item_id(u) for (u,) in uris}
    methods: Counter = Counter()
    rows = con.execute("select source_uri, kept_source_uri, method from duplicates").fetchall()
    for uri, kept, method in rows:
        clusters[item_id(uri)] = item_id(kept)
        methods[method] += 1
    for it in items:
        clusters.setdefault(it["id"], it["id"])
    return clusters, methods


def run_pipeline(items: list[dict], workdir: Path, flags: list[str]) -> dict:
    """The real ingest job over the corpus written as one file per article.

    Clusters and survivors are read back from the job's own outputs: every dropped article's
    row in `duplicates/` names the kept article; a kept article is its own cluster.
    """
    from pipelines import ingest

    src, out = workdir / "in", workdir / "out"
    shutil.rmtree(workdir, ignore_errors=True)
    dedup_corpus.write(items, workdir / "corpus.jsonl", txt_dir=src)
    with TreeSampler() as usage:
        argv = ["--input", str(src / "*.txt"), "--output", str(out), *flags]
        manifest = ingest.run(argv).manifest
    seconds = usage.wall_seconds
    clusters, methods = clusters_from_output(out, items)
    n = len(items)
    return {
        "clusters": clusters,
        "survivors": {c: c for c in set(clusters.values())},
        "timing": {
            "pipeline wall s": seconds,
            "pipeline cpu s (process tree)": usage.cpu_seconds,
            "pipeline articles/s": n / seconds,
            "pipeline peak MiB (process tree)": usage.peak_bytes / 2**20,
        },
        "counts": {
            "articles written": manifest["articles"],
            "duplicates dropped": manifest["duplicates"],
            "quarantined": manifest["quarantined"],
            **{f"method {k}": v for k, v in sorted(methods.items())},
        },
    }


def run_pipeline_batches(
    items: list[dict], workdir: Path, flags: list[str], day: dict[str, int]
) -> dict:
    """The ingest job run once per simulated day (`day[item id]`) over one output folder.

    Copies of earlier days' articles can only be caught through the persistent index.
    """
    from pipelines import ingest

    shutil.rmtree(workdir, ignore_errors=True)
    out = workdir / "out"
    seconds = []
    for d in range(max(day.values()) + 1):
        todays = [it for it in items if day[it["id"]] == d]
        dedup_corpus.write(todays, workdir / f"day{d}.jsonl", txt_dir=workdir / f"day{d}")
        t0 = time.perf_counter()
        argv = ["--input", str(workdir / f"day{d}" / "*.txt"), "--output", str(out), *flags]
        ingest.run(argv)
        seconds.append(time.perf_counter() - t0)
    clusters, methods = clusters_from_output(out, items)
    return {
        "clusters": clusters,
        "survivors": {c: c for c in set(clusters.values())},
        "timing": {f"batched run {d} wall s": t for d, t in enumerate(seconds)},
        "counts": {"duplicates dropped": sum(methods.values())},
    }


def run_baseline(items: list[dict], threshold: float = 0.8, num_perm: int = 128) -> dict:
    base = minhash_matches(((it["id"], it["text"]) for it in items), threshold, num_perm)
    members = {it["id"]: nd.Member(it["id"], it["published_date"], 0.0) for it in items}
    n = len(items)
    return {
        "clusters": nd.cluster(base["ids"], base["matched"]),
        "members": members,
        "timing": {
            "signature ms/article": 1000 * base["sketch_seconds"] / n,
            "lsh+verify ms/article": 1000 * base["lsh_seconds"] / n,
        },
        "counts": {
            "candidate pairs": len(base["candidates"]),
            "verified matches": len(base["matched"]),
        },
    }


# ------------------------------------------------------------------------------------------
# Metrics
# ------------------------------------------------------------------------------------------


def _pairs_in(groups: dict) -> int:
    return sum(len(v) * (len(v) - 1) // 2 for v in groups.values())


def metrics(items: list[dict], result: dict, with_originality: bool = True) -> dict:
    pred = result["clusters"]
    gt = {it["id"]: it["group"] for it in items}
    by_id = {it["id"]: it for it in items}
    cells: dict = defaultdict(list)
    pg: dict = defaultdict(list)
    gg: dict = defaultdict(list)
    for i in gt:
        cells[(gt[i], pred[i])].append(i)
        pg[pred[i]].append(i)
        gg[gt[i]].append(i)
    tp, pp, ap = _pairs_in(cells), _pairs_in(pg), _pairs_in(gg)
    prec = tp / pp if pp else 1.0
    rec = tp / ap if ap else 1.0
    out: dict = {
        "pairwise precision": prec,
        "pairwise recall": rec,
        "pairwise F1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
    }

    def same(a: str, b: str) -> bool:
        return pred[a] == pred[b]

    # Recall of (original, copy) pairs by level and language.
    originals = {it["group"]: it["id"] for it in items if it["role"] in ("original", "seed")}
    lvl: dict = defaultdict(list)
    lang: dict = defaultdict(list)
    for it in items:
        if it["role"] != "spun" or it["group"] not in originals:
            continue
        o = originals[it["group"]]
        hit = same(o, it["id"])
        lvl[it["level"]].append(hit)
        lang[it["language"]].append(hit)
    for k in ("light", "medium", "heavy", "edit"):
        if lvl[k]:
            out[f"recall {k} (n={len(lvl[k])})"] = sum(lvl[k]) / len(lvl[k])
    for k in sorted(lang):
        out[f"recall lang {k} (n={len(lang[k])})"] = sum(lang[k]) / len(lang[k])

    # Natural wire copies.
    wire = [m for g, m in gg.items() if len(m) > 1 and by_id[m[0]]["role"] == "wire"]
    wp = [same(a, b) for m in wire for a, b in itertools.combinations(m, 2)]
    out[f"recall wire (pairs={len(wp)})"] = sum(wp) / len(wp) if wp else float("nan")

    # Same-topic hard negatives (ECB+ topics + seeds) and boilerplate negatives.
    topic: dict = defaultdict(list)
    for it in items:
        t = it.get("topic") or ""
        if t.startswith(("ecb:", "seed", "boilerplate:", "followup:")):
            topic[t.split(":")[0] if t == "seed" else t].append(it["id"])
    for fam in ("ecb", "boilerplate", "followup"):
        tp_t = fp_t = neg = 0
        for t, m in topic.items():
            if not (t.startswith(fam) or (fam == "ecb" and t == "seed")):
                continue
            for a, b in itertools.combinations(m, 2):
                dup = gt[a] == gt[b]
                if not dup:
                    neg += 1
                if same(a, b):
                    tp_t += dup
                    fp_t += not dup
        name = {"ecb": "same-topic (ECB+, seeds)", "followup": "follow-up stories (BBC)"}.get(
            fam, fam
        )
        out[f"precision {name}"] = tp_t / (tp_t + fp_t) if tp_t + fp_t else 1.0
        out[f"false merges {name} (of {neg} negative pairs)"] = fp_t
    seed = [i for i in by_id if by_id[i]["topic"] == "seed"]
    out["seed pairs merged wrongly"] = sum(
        same(a, b) for a, b in itertools.combinations(seed, 2) if gt[a] != gt[b]
    )

    # Survivor: the original is kept in its predicted cluster (clusters with >= 2 members).
    members = result.get("members")
    survivors = result.get("survivors")
    ok = tie_ok = tie_n = n = undated_ok = undated_n = 0
    # Thesaurus-spun families vs "edit" families (sentences dropped or swapped, no word
    # changed): a pure swap leaves nothing in the text that tells the original apart.
    by_kind: dict[tuple[str, bool], list[int]] = {}
    for g, o in originals.items():
        copies = [i for i in gg[g] if i != o]
        if not copies:
            continue
        clus = pg[pred[o]]
        if len(clus) < 2:
            continue
        n += 1
        if survivors is not None:
            surv = survivors[pred[o]]
        else:
            surv = nd.choose_survivor(members[i] for i in clus).article_id
        ok += surv == o
        kind = "edit" if any(by_id[i].get("level") == "edit" for i in clus) else "spun"
        tally = by_kind.setdefault((kind, bool(by_id[o].get("undated_original"))), [0, 0])
        tally[0] += 1
        tally[1] += surv == o
        if by_id[o].get("undated_original"):
            undated_n += 1
            undated_ok += surv == o
        od = by_id[o]["published_date"]
        if any(by_id[i]["published_date"] == od for i in clus if i != o):
            tie_n += 1
            tie_ok += surv == o
    out[f"survivor = original (groups={n})"] = ok / n if n else float("nan")
    out[f"survivor = original, date ties (groups={tie_n})"] = tie_ok / tie_n if tie_n else 0
    out[f"survivor = original, original undated (groups={undated_n})"] = (
        undated_ok / undated_n if undated_n else float("nan")
    )
    for (kind, undated), (total, right) in sorted(by_kind.items()):
        label = "original undated" if undated else "original dated"
        out[f"survivor = original, {kind} families, {label} (groups={total})"] = right / total
    if with_originality and members is not None:
        wins = [
            members[originals[it["group"]]].originality > members[it["id"]].originality
            for it in items
            if it["role"] == "spun" and it["group"] in originals
        ]
        out["originality(original) > originality(copy)"] = sum(wins) / len(wins)
    return out


def seed_check(shared: Path) -> list[str]:
    seeds = sorted((shared / "seeds").glob("*.txt"))
    sigs = {p.name[:3]: nd.signature(p.read_text(encoding="utf-8"), "en") for p in seeds}
    lines = []
    for a, b in itertools.combinations(sorted(sigs), 2):
        if a == "000" and b != "001":
            continue
        m = nd.verify(sigs[a], sigs[b])
        expect = a == "000" and b == "001"
        status = "OK " if bool(m) == expect else "BAD"
        lines.append(f"  {status} {a} vs {b}: {m}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED)
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--no-pipeline", action="store_true", help="skip the end-to-end ingest job run")
    ap.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="corpus files + job output (default: a temporary folder, removed at the end)",
    )
    ap.add_argument(
        "--batches",
        type=int,
        default=0,
        help="also run the job as N daily batches over one output (persistent index)",
    )
    ap.add_argument(
        "--pipeline-flags",
        default="--direct_running_mode=multi_processing --direct_num_workers=2",
        help="Beam flags for the ingest job run",
    )
    ap.add_argument(
        "--no-guard", action="store_true", help="skip split_chains (measure transitive chaining)"
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.workdir is None:
        with tempfile.TemporaryDirectory(prefix="dedup-eval-") as tmp:
            args.workdir = Path(tmp) / "dedup"
            return _main(args)
    return _main(args)


def _main(args: argparse.Namespace) -> int:

    t = time.perf_counter()
    items = dedup_corpus.build(args.shared, args.size, args.seed, log=lambda m: print("  " + m))
    print(f"corpus built in {time.perf_counter() - t:.1f}s")
    for line in dedup_corpus.summary(items):
        print("  " + line)
    if args.batches:
        # Arrival over N days: every article is re-dated to its arrival day, in the single-run
        # columns too, so the two are measured on the same corpus.
        day = dedup_corpus.arrival_days(items, args.batches, args.seed)
        items = dedup_corpus.dated_by_arrival(items, day)
        print(f"  re-dated to {args.batches} arrival days (copies 0-3 days after the source)")
    print("seed check (000 spun from 001; 001-004 distinct):")
    lines = seed_check(args.shared)
    print("\n".join(lines))

    res = {}
    if not args.no_pipeline:
        job = run_pipeline(items, args.workdir, args.pipeline_flags.split())
        res["pipeline"] = (metrics(items, job, with_originality=False), job)
        if args.batches:
            flags = args.pipeline_flags.split()
            batched = run_pipeline_batches(
                items, args.workdir.with_name(args.workdir.name + "-batches"), flags, day
            )
            name = f"{args.batches} daily runs"
            res[name] = (metrics(items, batched, with_originality=False), batched)
    ours = run_near_dup(items, guard=not args.no_guard)
    res["near_dup core"] = (metrics(items, ours), ours)
    if not args.no_baseline:
        base = run_baseline(items)
        res["minhash5@0.8"] = (metrics(items, base, with_originality=False), base)
    names = list(res)
    keys: list[str] = []
    for n in names:
        for section in ("", "counts", "timing"):
            src = res[n][0] if not section else res[n][1][section]
            keys += [(section, k) for k in src if (section, k) not in keys]
    print(f"\n{'metric':58s}" + "".join(f"{n:>16s}" for n in names))
    for section, k in keys:
        row = f"{k:58s}"
        for n in names:
            src = res[n][0] if not section else res[n][1][section]
            v = src.get(k, "")
            row += f"{v:16.4f}" if isinstance(v, float) else f"{v!s:>16s}"
        print(row)
    return 0 if all(line.strip().startswith("OK") for line in lines) else 1


if __name__ == "__main__":
    raise SystemExit(main())
