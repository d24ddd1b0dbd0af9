"""Train and evaluate the boilerplate line model on the shared web corpus.

    python benchmarks/train_boilerplate.py [--shared ../shared] [--threshold 0.2]

Pages of ``corpora/webpages`` (raw text with site chrome, and the hand-cleaned gold text) are
split in two halves by page; the logistic model (``pipelines/core/boilerplate/model.py``) is
fitted on the even half and evaluated on the odd half with the token precision/recall of
``shared/tools/score_web.py`` (bag of lower-cased words of the kept text against the gold words
the raw page holds). A raw line is labelled article text when half or more of its word
trigrams occur in the gold text. Also prints what the model removes from BBC articles, which
have no chrome. Prints the fitted constants to paste into model.py.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.core import boilerplate as bp
from pipelines.core.boilerplate import features, model
from pipelines.core.boilerplate.lines import body_lines, line_hashes

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    ap.add_argument("--threshold", type=float, default=bp.DEFAULT.threshold)
    args = ap.parse_args(argv)
    pages = load(args.shared)
    counts = bp.LineCounts()
    for text, _, _ in pages:
        counts.add(bp.line_sketch(text, "en"))
    repeats = counts.repeats()
    feats, labels, weights, page_of = [], [], [], []
    for i, (_, lines, gold) in enumerate(pages):
        if not lines:
            continue
        shape = features.line_shapes(lines, "en")
        others = repeats.for_article(line_hashes(lines), features.prose_mask(shape))
        feats.append(features.line_features(shape, others))
        labels.append(_label(lines, gold))
        weights.append(np.maximum(1.0, np.expm1(shape[:, 0])))
        page_of.append(np.full(len(lines), i))
    x, y = np.vstack(feats), np.concatenate(labels)
    w, page = np.concatenate(weights), np.concatenate(page_of)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    train = page % 2 == 0
    beta = fit(xs[train], y[train], w[train])
    model.MEAN, model.SCALE, model.WEIGHTS, model.BIAS = mean, scale, beta[:-1], float(beta[-1])
    test = [p for i, p in enumerate(pages) if i % 2 == 1]
    print(f"lines {len(x)}, article-text share {y.mean():.3f}; held-out pages {len(test)}")
    print("threshold  token precision  token recall   (held-out half)")
    for threshold in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5):
        config = bp.BoilerplateConfig(threshold=threshold)
        kept = [bp.split_boilerplate(raw, "en", repeats, config).body for raw, _, _ in test]
        prec, rec = token_scores(test, kept)
        print(f"  {threshold:.2f}      {prec:.4f}           {rec:.4f}")
    keep_all = token_scores(test, [raw for raw, _, _ in test])
    print(f"  keep all  {keep_all[0]:.4f}           {keep_all[1]:.4f}")
    bbc = sorted((args.shared / "corpora/bbc").glob("*/*.txt"))
    config = bp.BoilerplateConfig(threshold=args.threshold)
    touched = removed = total = 0
    bbc_counts = bp.LineCounts()
    texts = [p.read_text(encoding="latin-1") for p in bbc]
    for t in texts:
        bbc_counts.add(bp.line_sketch(t, "en"))
    bbc_repeats = bbc_counts.repeats()
    for t in texts:
        split = bp.split_boilerplate(t, "en", bbc_repeats, config)
        touched += bool(split.removed)
        removed += sum(len(WORD.findall(line)) for line in split.removed)
        total += len(WORD.findall(t))
    print(
        f"BBC at {args.threshold}: {touched} of {len(texts)} articles touched, "
        f"{removed} of {total} words removed"
    )
    np.set_printoptions(precision=6, suppress=True, linewidth=96, floatmode="maxprec")
    print("\n# paste into pipelines/core/boilerplate/model.py")
    print(f"MEAN = np.array({np.round(mean, 6).tolist()})")
    print(f"SCALE = np.array({np.round(scale, 6).tolist()})")
    print(f"WEIGHTS = np.array({np.round(beta[:-1], 6).tolist()})")
    print(f"BIAS = {round(float(beta[-1]), 6)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
