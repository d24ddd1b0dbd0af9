"""Train and evaluate the boilerplate line model on the shared web corpus.

    python benchmarks/train_boilerplate.py [--shared ../shared] [--write]

Each page of ``corpora/webpages/raw`` goes through the job's own decoding, header parsing and
language detection, then the stage's features. Pages are split in two halves by page (even
and odd positions of the sorted file names); two stages of gradient-boosted trees (LightGBM,
a bench dependency) are fitted on the even half: stage one over the line features, stage two
over the same features and stage one's scores around each line, stage one's scores coming
out of fold (two sub-halves), as at run time they come from a model that never saw the page.
Both halves are scored with the token precision/recall of ``shared/tools/score_web.py`` (bag
of lower-cased words of title and kept body against the gold words the raw page holds); the
odd half was never trained on.

A line is labelled article text when half or more of its words fall in runs of three or more
consecutive words aligned with the gold text (``difflib`` over the page's words, in order):
a related-story line whose words the article also uses ("Jul", "2012", "Obama") is not
aligned, so the labels' own precision is 0.975 at recall 0.995 (0.93 / 0.996 with a bag of
trigrams). Lines are weighted by words over the page's words: the score averages pages, so
a short article under a long sidebar weighs what a long one does.

Also prints what the stage removes from BBC articles, which have no chrome. ``--write``
stores both stages in ``pipelines/core/boilerplate/model.json``, which ``model.py`` runs with
numpy alone (checked equal to LightGBM's own predictions here).
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.core import boilerplate as bp
from pipelines.core.boilerplate import features, model
from pipelines.core.boilerplate.lines import body_lines, line_hashes, long_lines

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4)  # printed side by side; the default is one of them
TREES = 80  # boosting rounds per stage; held-out precision stops improving around here
LEAVES = 15  # leaves per tree
DEPTH = 6  # at most this many tests per tree: numpy steps all trees together, once per level
LEARNING_RATE = 0.15
MIN_LEAF_LINES = 50  # no leaf for a handful of lines of one odd page
ALIGNED_RUN = 3  # words aligned with gold count only in runs of this many
WORD = re.compile(r"\w+")


@dataclass
class Page:
    name: str
    title: str
    body: str
    language: str
    lines: list[str]
    gold: collections.Counter  # gold words the raw page holds
    labels: np.ndarray
    x: np.ndarray | None = None  # features (None: the stage leaves the page alone)
    shared: np.ndarray | None = None  # lines of a shared block (chrome whatever the model says)


def _labels(lines: list[str], gold: str) -> np.ndarray:
    words, owner = [], []
    for i, line in enumerate(lines):
        found = WORD.findall(line.lower())
        words += found
        owner += [i] * len(found)
    matcher = difflib.SequenceMatcher(None, words, WORD.findall(gold.lower()), autojunk=False)
    aligned = np.zeros(len(words), dtype=bool)
    for a, _, size in matcher.get_matching_blocks():
        if size >= ALIGNED_RUN:
            aligned[a : a + size] = True
    total = np.bincount(owner, minlength=len(lines))
    hits = np.bincount(owner, weights=aligned, minlength=len(lines))
    return (hits >= 0.5 * np.maximum(total, 1)).astype(np.float64)


def load(shared: Path) -> list[Page]:
    """The raw pages as the job reads them (HTML pages are quarantined by the job: skipped)."""
    from pipelines.core.decode import DecodeConfig, DecodeError, decode_bytes
    from pipelines.core.headers import parse_article
    from pipelines.core.language import LanguageConfig, detect_language, warm_up
    from pipelines.core.sanitize import looks_like_html, strip_controls

    warm_up()
    pages = []
    for raw_path in sorted((shared / "corpora/webpages/raw").glob("*.txt")):
        data = raw_path.read_bytes()
        try:
            text, _ = strip_controls(decode_bytes(data, DecodeConfig()).text)
        except DecodeError:
            continue
        if looks_like_html(text):
            continue
        parsed = parse_article(text)
        title = parsed.title or ""
        language = detect_language(f"{title}\n{parsed.body}", LanguageConfig()).language
        gold_text = (shared / "corpora/webpages/gold" / raw_path.name).read_text(encoding="utf-8")
        raw_words = collections.Counter(WORD.findall(data.decode("utf-8").lower()))
        gold = collections.Counter(WORD.findall(gold_text.lower())) & raw_words
        lines = body_lines(parsed.body)
        pages.append(
            Page(
                raw_path.name, title, parsed.body, language, lines, gold, _labels(lines, gold_text)
            )
        )
    return pages


def featurize(pages: list[Page]) -> bp.Repeats:
    """Features of the pages the stage checks (as ``chrome_mask`` decides), repeats counted
    over all pages as one run."""
    counts = bp.LineCounts()
    for page in pages:
        counts.add(bp.line_sketch(page.body))
    repeats = counts.repeats()
    for page in pages:
        _, check = bp.sketch_and_check(page.body)
        if not check:
            continue
        long = long_lines(page.lines)
        others = repeats.for_article(line_hashes(page.lines), long)
        shared = others >= bp.SHARED_BLOCK_ARTICLES
        shared &= features.shared_neighbours(shared) > 0
        if not shared.any() and (long.all() or not features.scraped_look(page.lines)):
            continue
        page.x = bp.page_features(page.lines, page.language, page.title, others)
        page.shared = shared
    return repeats


PARAMS = {
    "objective": "binary",
    "num_leaves": LEAVES,
    "learning_rate": LEARNING_RATE,
    "min_data_in_leaf": MIN_LEAF_LINES,
    "max_depth": DEPTH,
    "verbose": -1,
    "seed": 7,
    "deterministic": True,
    "num_threads": 1,
}


def _train(pages: list[Page], xs: list[np.ndarray]):
    import lightgbm

    y = np.concatenate([p.labels for p in pages])
    words = [np.maximum(1.0, np.expm1(x[:, 0])) for x in xs]
    w = np.concatenate([wd / wd.sum() * 100 for wd in words])  # each page weighs the same
    data = lightgbm.Dataset(np.vstack(xs), y, weight=w)
    return lightgbm.train(PARAMS, data, num_boost_round=TREES)


def train(pages: list[Page]):
    """(stage one, stage two) boosters fitted on ``pages``."""
    stage1 = _train(pages, [p.x for p in pages])
    out_of_fold: dict[str, np.ndarray] = {}
    for part in (0, 1):
        fit_on = [p for i, p in enumerate(pages) if i % 2 != part]
        booster = _train(fit_on, [p.x for p in fit_on])
        for i, p in enumerate(pages):
            if i % 2 == part:
                out_of_fold[p.name] = booster.predict(p.x)
    xs = [features.context_features(p.x, out_of_fold[p.name]) for p in pages]
    return stage1, _train(pages, xs)


def export(booster, names: tuple[str, ...]) -> dict:
    """LightGBM's dump -> the flat per-tree lists ``model.Forest.from_trees`` reads."""
    dump = booster.dump_model()
    trees = []
    for info in dump["tree_info"]:
        tree = {"feature": [], "threshold": [], "left": [], "right": [], "leaf_value": []}
        root = info["tree_structure"]
        if "leaf_index" in root or ("leaf_value" in root and "split_index" not in root):
            tree.update(feature=[-1], threshold=[0.0], left=[-1], right=[-1])
            tree["leaf_value"] = [root["leaf_value"]]
            trees.append(tree)
            continue
        nodes = info["num_leaves"] - 1
        for key in ("feature", "threshold", "left", "right"):
            tree[key] = [0] * nodes
        tree["leaf_value"] = [0.0] * info["num_leaves"]
        stack = [root]
        while stack:
            node = stack.pop()
            if "split_index" not in node:
                tree["leaf_value"][node["leaf_index"]] = node["leaf_value"]
                continue
            assert node["decision_type"] == "<=", node["decision_type"]
            i = node["split_index"]
            tree["feature"][i] = node["split_feature"]
            tree["threshold"][i] = node["threshold"]
            for side in ("left", "right"):
                child = node[f"{side}_child"]
                tree[side][i] = (
                    child["split_index"] if "split_index" in child else ~child["leaf_index"]
                )
                stack.append(child)
        trees.append(tree)
    return {"features": list(names), "bias": 0.0, "trees": trees}


def token_scores(pages: list[Page], bodies: list[str]) -> tuple[float, float]:
    precs, recs = [], []
    for page, body in zip(pages, bodies, strict=True):
        kept = collections.Counter(WORD.findall(f"{page.title}\n{body}".lower()))
        inter = sum((kept & page.gold).values())
        precs.append(inter / max(1, sum(kept.values())))
        recs.append(inter / max(1, sum(page.gold.values())))
    return float(np.mean(precs)), float(np.mean(recs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--write", action="store_true", help="store the trees in model.json")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    pages = load(args.shared)
    repeats = featurize(pages)
    checked = [p for p in pages if p.x is not None]
    print(f"pages {len(pages)}, checked {len(checked)} ({time.perf_counter() - started:.0f}s)")
    halves = {"even (trained on)": 0, "odd (held out)": 1}
    order = {p.name: i for i, p in enumerate(sorted(pages, key=lambda p: p.name))}
    stage1, stage2 = train([p for p in checked if order[p.name] % 2 == 0])
    exported = {
        "stage1": export(stage1, features.NAMES),
        "stage2": export(stage2, features.CONTEXT_NAMES),
    }
    two = model.TwoStage(
        *(model.Forest.from_trees(e["trees"], e["bias"], e["features"]) for e in exported.values())
    )
    x = checked[1].x
    theirs = stage2.predict(features.context_features(x, stage1.predict(x)))
    print(f"numpy forests vs LightGBM: max |dp| = {np.abs(two.probability(x) - theirs).max():.2e}")
    print("threshold   " + "   ".join(f"{h}: precision recall" for h in halves))
    keep_all = [token_scores(hp, [p.body for p in hp]) for hp in _halves(pages, order)]
    print("keep all    " + "   ".join(f"{p:.4f} {r:.4f}" for p, r in keep_all))
    for threshold in THRESHOLDS:
        config = bp.BoilerplateConfig(threshold=threshold)
        row = []
        for hp in _halves(pages, order):
            bodies = [
                bp.split_boilerplate(
                    p.body, p.language, repeats, config, scorer=two.probability, title=p.title
                ).body
                if p.x is not None
                else p.body
                for p in hp
            ]
            row.append("{:.4f} {:.4f}".format(*token_scores(hp, bodies)))
        print(f"  {threshold:.2f}      " + "   ".join(row))
    _bbc(args.shared, two)
    if args.write:
        model.MODEL_PATH.write_text(json.dumps(exported, separators=(",", ":")) + "\n")
        print(f"wrote {model.MODEL_PATH}")
    print(f"total {time.perf_counter() - started:.0f}s")
    return 0


def _halves(pages: list[Page], order: dict[str, int]) -> list[list[Page]]:
    return [[p for p in pages if order[p.name] % 2 == half] for half in (0, 1)]


def _bbc(shared: Path, two: model.TwoStage) -> None:
    from pipelines.core.headers import parse_article

    bbc = sorted((shared / "corpora/bbc").glob("*/*.txt"))
    parsed = [parse_article(p.read_text(encoding="latin-1")) for p in bbc]
    counts = bp.LineCounts()
    for a in parsed:
        counts.add(bp.line_sketch(a.body))
    repeats = counts.repeats()
    touched = removed = total = 0
    for a in parsed:
        t = a.body
        split = bp.split_boilerplate(t, "en", repeats, scorer=two.probability, title=a.title or "")
        touched += bool(split.removed)
        removed += sum(len(WORD.findall(line)) for line in split.removed)
        total += len(WORD.findall(t))
    print(
        f"BBC at the default threshold {bp.DEFAULT.threshold}: {touched} of {len(parsed)} "
        f"articles touched, {removed} of {total} words removed"
    )


if __name__ == "__main__":
    sys.exit(main())
