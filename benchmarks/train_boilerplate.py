"""Train and evaluate the boilerplate line model on the shared web corpus.

    python benchmarks/train_boilerplate.py [--shared ../shared] [--write]

Pages of ``corpora/webpages`` (raw text with site chrome, and the hand-cleaned gold text) are
split in two halves by page; gradient-boosted trees (LightGBM, a bench dependency) and, for
comparison, a logistic model are fitted on the even half and evaluated on the odd half with
the token precision/recall of
``shared/tools/score_web.py`` (bag of lower-cased words of the kept text against the gold words
the raw page holds). A raw line is labelled article text when half or more of its word
trigrams occur in the gold text. Also prints what the stage removes from BBC articles, which
have no chrome. ``--write`` stores the trees in ``pipelines/core/boilerplate/model.json``,
which ``model.py`` runs with numpy alone (checked equal to LightGBM's own predictions here).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.core import boilerplate as bp
from pipelines.core.boilerplate import features, model
from pipelines.core.boilerplate.lines import body_lines, line_hashes, long_lines

THRESHOLDS = (0.2, 0.3, 0.4)  # printed side by side; the default is one of them
TREES = 80  # boosting rounds; held-out precision stops improving around here
LEAVES = 15  # leaves per tree
DEPTH = 6  # at most this many tests per tree: numpy steps all trees together, once per level
LEARNING_RATE = 0.15
MIN_LEAF_LINES = 50  # no leaf for a handful of lines of one odd page
WORD = re.compile(r"\w+")
L2 = 1e-3  # ridge penalty per unit of token weight: keeps weights small, changes little


def _label(lines: list[str], gold: str) -> np.ndarray:
    g = WORD.findall(gold.lower())
    trigrams = set(zip(g, g[1:], g[2:], strict=False))
    vocab = set(g)
    out = []
    for line in lines:
        t = WORD.findall(line.lower())
        if len(t) >= 3:
            tri = list(zip(t, t[1:], t[2:], strict=False))
            out.append(sum(x in trigrams for x in tri) / len(tri) >= 0.5)
        else:
            out.append(bool(t) and all(x in vocab for x in t))
    return np.array(out, dtype=float)


def load(shared: Path) -> list[tuple[str, list[str], str]]:
    pages = []
    for raw in sorted((shared / "corpora/webpages/raw").glob("*.txt")):
        gold = shared / "corpora/webpages/gold" / raw.name
        text = raw.read_text(encoding="utf-8")
        pages.append((text, body_lines(text), gold.read_text(encoding="utf-8")))
    return pages


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, iterations: int = 25) -> np.ndarray:
    """Weighted ridge logistic regression by Newton steps; last column of x is the bias."""
    beta = np.zeros(x.shape[1])
    ridge = L2 * w.sum() * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ beta)))
        grad = x.T @ (w * (p - y)) + ridge @ beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + ridge
        beta -= np.linalg.solve(hess, grad)
    return beta


def token_scores(pages, kept_texts) -> tuple[float, float]:
    precs, recs = [], []
    for (raw, _, gold), kept in zip(pages, kept_texts, strict=True):
        b = collections.Counter(WORD.findall(kept.lower()))
        g = collections.Counter(WORD.findall(gold.lower())) & collections.Counter(
            WORD.findall(raw.lower())
        )
        inter = sum((b & g).values())
        precs.append(inter / max(1, sum(b.values())))
        recs.append(inter / max(1, sum(g.values())))
    return float(np.mean(precs)), float(np.mean(recs))


def export(booster) -> dict:
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
    return {"features": list(features.NAMES), "bias": 0.0, "trees": trees}


def main(argv: list[str] | None = None) -> int:
    import lightgbm

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--write", action="store_true", help="store the trees in model.json")
    args = ap.parse_args(argv)
    pages = load(args.shared)
    counts = bp.LineCounts()
    for text, _, _ in pages:
        counts.add(bp.line_sketch(text))
    repeats = counts.repeats()
    feats, labels, weights, page_of = [], [], [], []
    for i, (_, lines, gold) in enumerate(pages):
        if not lines:
            continue
        shape = features.line_shapes(lines, "en")
        others = repeats.for_article(line_hashes(lines), long_lines(lines))
        feats.append(features.line_features(shape, others))
        labels.append(_label(lines, gold))
        weights.append(np.maximum(1.0, np.expm1(shape[:, 0])))
        page_of.append(np.full(len(lines), i))
    x, y = np.vstack(feats), np.concatenate(labels)
    w, page = np.concatenate(weights), np.concatenate(page_of)
    train = page % 2 == 0
    params = {
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
    booster = lightgbm.train(
        params, lightgbm.Dataset(x[train], y[train], weight=w[train]), num_boost_round=TREES
    )
    exported = export(booster)
    forest = model.Forest.from_trees(exported["trees"], exported["bias"], exported["features"])
    ours = forest.probability(x[:20000])
    theirs = booster.predict(x[:20000])
    print(f"numpy forest vs LightGBM: max |dp| = {np.abs(ours - theirs).max():.2e}")
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = fit(xs[train], y[train], w[train])
    test = [p for i, p in enumerate(pages) if i % 2 == 1]
    print(f"lines {len(x)}, article-text share {y.mean():.3f}; held-out pages {len(test)}")
    keep_all = token_scores(test, [raw for raw, _, _ in test])
    print(f"keep everything: precision {keep_all[0]:.4f} recall {keep_all[1]:.4f}")
    print("threshold  trees: precision recall   logistic: precision recall   (held-out half)")
    logistic = _Logistic(mean, scale, beta)
    scorers = {"trees": forest.probability, "logistic": logistic.probability}
    for threshold in THRESHOLDS:
        config = bp.BoilerplateConfig(threshold=threshold)
        row = []
        for scorer in scorers.values():
            kept = [
                bp.split_boilerplate(raw, "en", repeats, config, scorer=scorer).body
                for raw, _, _ in test
            ]
            row.append("{:.4f}   {:.4f}".format(*token_scores(test, kept)))
        print(f"  {threshold:.2f}       {row[0]}        {row[1]}")
    bbc = sorted((args.shared / "corpora/bbc").glob("*/*.txt"))
    texts = [p.read_text(encoding="latin-1") for p in bbc]
    bbc_counts = bp.LineCounts()
    for t in texts:
        bbc_counts.add(bp.line_sketch(t))
    bbc_repeats = bbc_counts.repeats()
    touched = removed = total = 0
    for t in texts:
        split = bp.split_boilerplate(t, "en", bbc_repeats, scorer=forest.probability)
        touched += bool(split.removed)
        removed += sum(len(WORD.findall(line)) for line in split.removed)
        total += len(WORD.findall(t))
    print(
        f"BBC at the default threshold {bp.DEFAULT.threshold}: {touched} of {len(texts)} "
        f"articles touched, {removed} of {total} words removed"
    )
    if args.write:
        model.MODEL_PATH.write_text(json.dumps(exported, separators=(",", ":")) + "\n")
        print(f"wrote {model.MODEL_PATH}")
    return 0


class _Logistic:
    """The logistic baseline, shaped like a Forest for the comparison."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray, beta: np.ndarray) -> None:
        self.mean, self.scale, self.beta = mean, scale, beta

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(((x - self.mean) / self.scale) @ self.beta[:-1] + self.beta[-1])))


if __name__ == "__main__":
    sys.exit(main())
