"""Boilerplate: which lines of a scraped body are site chrome (pure core, no Apache Beam).

Contract (what a Beam stage wires together)::

    sketch = line_sketch(body, language)        # per article: line hashes + prose flags
    repeats = LineCounts().add(...).repeats()   # per batch: lines that many articles share
    kept = split_boilerplate(body, language, repeats)   # Split(body, removed lines)

Each line is scored by a small logistic model (``model``) over its shape (length, function
words, punctuation, capitals, separators), its neighbourhood (how much prose surrounds it,
runs of short lines), its position, and how many other articles with text of their own
carry it (``repetition``: a syndicated story is a copy, not chrome); a page without any sign
of scraping (no shared block, separator or address) is left alone. Nothing is lost: removed
lines are returned in order. ``strip_filler`` drops Lorem ipsum lines, which are no article's
content, for duplicate detection (``placeholder``); bodies keep them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.core.boilerplate import model
from pipelines.core.boilerplate.document import document_features
from pipelines.core.boilerplate.features import (
    line_features,
    line_shapes,
    prose_mask,
    scraped_look,
    shared_neighbours,
)
from pipelines.core.boilerplate.lines import body_lines, line_hashes, long_lines, title_lines
from pipelines.core.boilerplate.placeholder import strip_filler
from pipelines.core.boilerplate.repetition import (
    LineCounts,
    LineSketch,
    Repeats,
    _longest_run,
    add_counts,
    doc_frequencies,
    line_holders,
    own_line_counts,
)
from pipelines.core.sanitize import is_markup_line

__all__ = [
    "BoilerplateConfig",
    "LineCounts",
    "LineSketch",
    "Repeats",
    "Split",
    "add_counts",
    "doc_frequencies",
    "line_holders",
    "line_sketch",
    "own_line_counts",
    "page_features",
    "published_sketch",
    "sketch_and_check",
    "split_boilerplate",
    "strip_filler",
]


@dataclass(frozen=True)
class BoilerplateConfig:
    """enabled: run the stage at all. threshold: a line is chrome when the model gives it
    P(content) below this (tuned for >= 0.97 token recall of article text on held-out web
    pages). min_lines: bodies with fewer lines are never touched (nothing to compare with)."""

    enabled: bool = True
    threshold: float = 0.35
    min_lines: int = 3

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold!r}")
        if not isinstance(self.min_lines, int) or self.min_lines < 1:
            raise ValueError(f"min_lines must be an int >= 1, got {self.min_lines!r}")


DEFAULT = BoilerplateConfig()

# A line in a shared block must be carried by this many other articles to be chrome: two
# distinct reports may quote one passage or print one line-up; a site's menu, footer and
# blurb are on every one of its pages.
SHARED_BLOCK_ARTICLES = 2


@dataclass(frozen=True)
class Split:
    """A body without its chrome, and the removed lines in order."""

    body: str
    removed: tuple[str, ...]


# A run of this many consecutive short lines (a menu, a link list) makes a page worth checking
# even without separators or addresses.
SHORT_RUN_LINES = 3


def sketch_and_check(body: str, config: BoilerplateConfig = DEFAULT) -> tuple[LineSketch, bool]:
    """What the article contributes to the batch's ``LineCounts``, and whether its body may
    hold chrome at all: it has short lines and either looks scraped (a separator, symbol or
    address) or has a run of short lines. Bodies that may not are left as they are without
    waiting for the batch's repetition counts (most news articles)."""
    lines = body_lines(body)
    long = long_lines(lines)
    sketch = LineSketch.of(line_hashes(lines), long, title_lines(lines, long))
    if "<" in body and any(map(is_markup_line, lines)):
        return sketch, True
    if len(lines) < config.min_lines or long.all():
        return sketch, False
    return sketch, scraped_look(lines) or _longest_run(~long) >= SHORT_RUN_LINES


def line_sketch(body: str) -> LineSketch:
    """What an article contributes to the batch's ``LineCounts``."""
    lines = body_lines(body)
    long = long_lines(lines)
    return LineSketch.of(line_hashes(lines), long, title_lines(lines, long))


def published_sketch(body: str, removed: Sequence[str]) -> LineSketch:
    """The line sketch of a published article (its cleaned ``body`` and the ``removed``
    boilerplate lines), as later runs count it with their own articles' (`IndexEntry`).

    The same lines as the sketch of the body before cleaning, with the removed lines moved
    after the body's: where they sat is not kept. Line counts do not depend on order; whether
    the article is a copy (a run of COPY_RUN_LINES long shared lines) can only gain a run
    where two removed long lines become neighbours, which counts the article as a copy: its
    lines then count as no chrome evidence, the cautious side.
    """
    lines = body_lines(body) + [line.strip() for line in removed if line.strip()]
    long = long_lines(lines)
    return LineSketch.of(line_hashes(lines), long, title_lines(lines, long))


Scorer = Callable[[np.ndarray], np.ndarray]


def page_features(lines: list[str], language: str, title: str, others: np.ndarray) -> np.ndarray:
    """The model's ``features.NAMES`` matrix of a page's lines; ``others``: per line, in how
    many other articles with text of their own it occurs (``Repeats.for_article``)."""
    return _features_and_prose(lines, language, title, others)[0]


def _features_and_prose(
    lines: list[str], language: str, title: str, others: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``page_features`` and the bool prose mask (``features.prose_mask``) it is built on."""
    shape = line_shapes(lines, language)
    prose = prose_mask(shape)
    document = document_features(lines, title, language, prose)
    return line_features(shape, others, document), prose.astype(bool)


def chrome_mask(
    lines: list[str],
    language: str,
    repeats: Repeats,
    config: BoilerplateConfig = DEFAULT,
    scorer: Scorer = model.content_probability,
    title: str = "",
) -> np.ndarray:
    """bool per line: True where the line is chrome. ``scorer``: features -> P(article text)
    (the packaged model; another one when a benchmark compares models). ``title``: the
    article's title (the headline is looked for among the lines)."""
    long = long_lines(lines)
    others = repeats.for_article(line_hashes(lines), long, title_lines(lines, long))
    # Markup leaked into the visible text (a template, a noscript block) is never article text.
    markup = np.fromiter(map(is_markup_line, lines), dtype=bool, count=len(lines))
    chrome = markup.copy()
    # Shared by other articles with text of their own, together with a neighbour that is
    # shared too: a menu, link list, blurb or disclaimer. A lone shared line ("Conclusion",
    # "Ingredients") is left to the model.
    shared = others >= SHARED_BLOCK_ARTICLES
    shared &= shared_neighbours(shared) > 0
    if not shared.any() and not markup.any() and (long.all() or not scraped_look(lines)):
        # No sign of a scraped page (no shared block, markup, separator or address), or only
        # long lines: a clean article's lists and short lines (line-ups, a referee) are its own.
        return chrome
    features, prose = _features_and_prose(lines, language, title, others)
    chrome = markup | shared | (scorer(features) < config.threshold)
    own = prose & ~markup & ~shared
    if own.any() and (chrome | ~own).all():
        # The model took every prose line the page has of its own (neither markup nor a
        # shared block): a short article under a long menu, a verse page among many alike.
        # No article is all chrome, so its own prose stays. Web corpus run A: bodies left
        # empty 5 -> 1, raw<->gold recall 0.9533 -> 0.9546; run B precision 0.9019 -> 0.9018.
        chrome &= ~own
    return chrome


_BLANKS = re.compile(r"\n{3,}")


def split_boilerplate(
    body: str,
    language: str,
    repeats: Repeats,
    config: BoilerplateConfig = DEFAULT,
    scorer: Scorer = model.content_probability,
    title: str = "",
) -> Split:
    """Split a body into article text and chrome lines (see module doc); ``title``: the
    article's title, when it has one."""
    lines = body_lines(body)
    if not config.enabled or len(lines) < config.min_lines:
        return Split(body, ())
    chrome = chrome_mask(lines, language, repeats, config, scorer, title)
    if not chrome.any():
        return Split(body, ())
    drop = {i for i in np.flatnonzero(chrome).tolist()}
    kept: list[str] = []
    index = 0
    for raw in body.split("\n"):
        if raw.strip():
            if index not in drop:
                kept.append(raw)
            index += 1
        else:
            kept.append(raw)
    text = _BLANKS.sub("\n\n", "\n".join(kept)).strip()
    return Split(text, tuple(lines[i] for i in sorted(drop)))
