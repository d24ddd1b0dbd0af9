"""Originality: per-article reference frequencies against the batch word frequencies it replaced.

    python benchmarks/originality_eval.py [--shared ../shared] [--size 5000] [--seed 7]

On the labelled corpus of dedup_eval (benchmarks/dedup_corpus.py) it scores every article
both ways and prints, side by side: how often an original out-scores its copy (per spin level
and language), the survivor of each true duplicate family by ``choose_survivor`` (dates, then
originality), and the cost in µs per article, measured in this one run on the same articles.

"batch" is the scoring used before 2026-12-02: mean log(1 + document frequency) of the
article's distinct words over the whole batch (a global combine in the job) plus
2 log(1 + sentences); its code is kept here, for this comparison only.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus

from pipelines.core import near_dup as nd
from pipelines.core.near_dup import reference
from pipelines.core.near_dup.hashing import hash_words
from pipelines.core.near_dup.originality import SENT_END_CHARS, lang_key

# ------------------------------------------------------------------------------------------
# The batch scoring this replaced (document frequencies over the batch), for comparison
# ------------------------------------------------------------------------------------------


def batch_profile(text: str, language: str) -> tuple[str, np.ndarray, int]:
    """The old WordProfile: distinct letter runs (whole Han runs) and sentence ends."""
    ids = hash_words(set(reference.ORIG_WORD_RE.findall(text.lower())))
    return lang_key(language), ids, sum(map(text.count, SENT_END_CHARS))


def batch_scores(profiles: list[tuple[str, np.ndarray, int]], weight: float = 2.0) -> list[float]:
    """Old originality of each profile: document frequencies over all of ``profiles``."""
    by_lang: dict[str, list[np.ndarray]] = defaultdict(list)
    for lang, ids, _ in profiles:
        by_lang[lang].append(ids)
    tables = {}
    for lang, parts in by_lang.items():
        keys, counts = np.unique(np.concatenate(parts), return_counts=True)
        tables[lang] = (keys, counts)
    out = []
    for lang, ids, sentences in profiles:
        if not ids.size:
            out.append(0.0)
            continue
        keys, counts = tables[lang]
        df = counts[np.searchsorted(keys, ids)]
        out.append(float(np.log(df + 1.0).mean()) + weight * math.log1p(sentences))
    return out


# ------------------------------------------------------------------------------------------
# Reference-frequency variants (the shipped one is nd.originality)
# ------------------------------------------------------------------------------------------


def reference_terms(items: list[dict]) -> list[tuple[float | None, int]]:
    """(mean reference log frequency or None without a table, sentences) per item."""
    out = []
    for it in items:
        lang = lang_key(it["language"])
        prof = nd.word_profile(it["text"], lang)
        table = reference.table(lang)
        if table is None or not prof.ids.size:
            out.append((None, prof.sentences))
        else:
            out.append((table.mean_log_freq(prof.ids), prof.sentences))
    return out


# ------------------------------------------------------------------------------------------
# Quality
# ------------------------------------------------------------------------------------------


def quality(items: list[dict], scores: list[float]) -> dict[str, float]:
    by_id = {it["id"]: (it, s) for it, s in zip(items, scores, strict=True)}
    groups: dict[str, list[str]] = defaultdict(list)
    for it in items:
        groups[it["group"]].append(it["id"])
    originals = {it["group"]: it["id"] for it in items if it["role"] in ("original", "seed")}
    wins: dict[str, list[bool]] = defaultdict(list)
    surv: dict[str, list[bool]] = defaultdict(list)
    for g, o in originals.items():
        copies = [i for i in groups[g] if i != o]
        if not copies:
            continue
        orig, so = by_id[o]
        for c in copies:
            it, sc = by_id[c]
            wins[f"spun {it['level']}"].append(so > sc)
            wins[f"lang {it['language']}"].append(so > sc)
            wins["all"].append(so > sc)
        members = [nd.Member(i, by_id[i][0]["published_date"], by_id[i][1]) for i in groups[g]]
        ok = nd.choose_survivor(members).article_id == o
        kind = "edit" if any(by_id[c][0].get("level") == "edit" for c in copies) else "spun"
        undated = bool(orig.get("undated_original"))
        surv["all"].append(ok)
        surv["original undated" if undated else "original dated"].append(ok)
        surv[f"{kind}, original {'undated' if undated else 'dated'}"].append(ok)
        od = orig["published_date"]
        if od is not None and any(by_id[c][0]["published_date"] == od for c in copies):
            surv["date ties"].append(ok)
    out = {}
    for k, v in sorted(surv.items()):
        out[f"survivor = original: {k} (n={len(v)})"] = sum(v) / len(v)
    for k, v in sorted(wins.items()):
        out[f"original > copy: {k} (n={len(v)})"] = sum(v) / len(v)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=dedup_corpus.DEFAULT_SHARED)
    ap.add_argument("--size", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="timing runs (best is printed)")
    args = ap.parse_args(argv)
    items = dedup_corpus.build(args.shared, args.size, args.seed, log=lambda m: None)
    texts = [(it["text"], it["language"]) for it in items]
    n = len(items)
    print(f"{n} articles, languages: {sorted({lang for _, lang in texts})}")

    # Cost. Tables are built once per process and language: timed apart, then warm.
    t0 = time.perf_counter()
    built = {lang: reference.table(lang_key(lang)) for _, lang in texts}
    t_tables = time.perf_counter() - t0
    print(
        f"reference tables: {sum(t is not None for t in built.values())} of {len(built)} "
        f"languages, built in {t_tables:.2f} s "
        f"({sum(t.ids.nbytes + t.log_freq.nbytes for t in built.values() if t) / 2**20:.1f} MiB)"
    )
    profiles = [nd.word_profile(t, lang) for t, lang in texts]
    timings: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        old = batch_scores([batch_profile(t, lang) for t, lang in texts])
        timings["batch: profile + batch frequencies + score"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        new = [nd.originality(t, lang) for t, lang in texts]
        timings["reference: originality(text, language)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        old_profiles = [(p.language, p.ids, p.sentences) for p in profiles]
        batch_scores(old_profiles)
        timings["batch, from profiles (the job's path)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for (t, lang), p in zip(texts, profiles, strict=True):
            nd.originality(t, lang, p)
        timings["reference, from profiles (the job's path)"].append(time.perf_counter() - t0)
    print(f"\ncost per article (best of {args.repeat} runs over the same {n} articles):")
    for k, v in timings.items():
        print(f"  {k:50s} {1e6 * min(v) / n:8.1f} µs")

    terms = reference_terms(items)
    columns = {"batch (old)": old, "reference": new}
    for w in (2.0, 3.0, 6.0):  # the completeness weight (4 in `originality`)
        columns[f"reference, w={w:g}"] = [
            nd.originality(it["text"], it["language"]) if wt is None else wt + w * math.log1p(s)
            for it, (wt, s) in zip(items, terms, strict=True)
        ]
    rows = {name: quality(items, sc) for name, sc in columns.items()}
    names = list(rows)
    print(f"\n{'figure':58s}" + "".join(f"{n:>18s}" for n in names))
    for key in rows[names[0]]:
        print(f"{key:58s}" + "".join(f"{rows[n].get(key, float('nan')):18.4f}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
