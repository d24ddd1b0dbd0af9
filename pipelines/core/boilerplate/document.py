"""Page-level features of each line: how it relates to the rest of its own page.

- **Repeats within the page**: chrome repeats on one page ("Reply", "Advertise", a share bar
  under every comment), and so do its templates once digits are masked (``July 24, 2012 3:31
  PM EDT`` above every comment); an article's paragraphs do not.
- **Headline**: the body line closest to the article's title (the page's title is the first
  line a naive scraper saves), and each line's signed distance from it: the article starts
  near its headline, menus sit above it and "more stories" lists far below.
- **Vocabulary**: the share of a line's content words (function words and numbers left out)
  that occur in the title, and in the page's prose lines (another line's): a related-story
  headline or an ad speaks of something else.

All of it is language-independent apart from the dedup's per-language function-word lists.
"""

from __future__ import annotations

import collections
import re

import numpy as np

from pipelines.core.near_dup.lexicon import STOPWORDS

_WORD_RE = re.compile(r"\w+")
_DIGITS_RE = re.compile(r"\d+")
# Repeat counts within a page are capped here: eight copies of "Reply" say all there is.
REPEATS_CAP = 8
# The headline is the body line with the highest word Jaccard similarity to the title, when it
# reaches this (a breadcrumb or a teaser that shares a word or two is not the headline)...
HEADLINE_MIN_SIMILARITY = 0.4
# ...and has at most this many times the title's words (a paragraph quoting the title is not).
HEADLINE_MAX_LENGTH_RATIO = 3
# A title of fewer words than this names no headline to look for.
HEADLINE_MIN_TITLE_WORDS = 2

NAMES = (
    "log_page_repeats",
    "log_template_repeats",
    "title_overlap",
    "prose_vocabulary",
    "headline_offset",
    "headline_similarity",
)


def _repeats(keys: list[str]) -> np.ndarray:
    counts = collections.Counter(keys)
    return np.log1p(np.minimum([counts[k] - 1 for k in keys], REPEATS_CAP))


def _headline(lines_words: list[list[str]], title_words: list[str]) -> tuple[int, float]:
    if len(title_words) < HEADLINE_MIN_TITLE_WORDS:
        return -1, 0.0
    title = set(title_words)
    longest = HEADLINE_MAX_LENGTH_RATIO * len(title_words)
    best, at = 0.0, -1
    for i, words in enumerate(lines_words):
        if not words or len(words) > longest:
            continue
        unique = set(words)
        similarity = len(unique & title) / len(unique | title)
        if similarity > best:
            best, at = similarity, i
    return (at, best) if best >= HEADLINE_MIN_SIMILARITY else (-1, 0.0)


def document_features(lines: list[str], title: str, language: str, prose: np.ndarray) -> np.ndarray:
    """(n_lines, len(NAMES)) matrix; ``prose``: 1.0 for the page's prose lines (see
    ``features.prose_mask``)."""
    n = len(lines)
    lowered = [" ".join(line.lower().split()) for line in lines]
    lines_words = [_WORD_RE.findall(line) for line in lowered]
    lang = (language or "").lower().split("-")[0]
    stop = STOPWORDS.get(lang, frozenset())
    content = [[w for w in words if w not in stop and not w.isdigit()] for words in lines_words]
    title_words = _WORD_RE.findall((title or "").lower())
    title_content = {w for w in title_words if w not in stop}
    vocabulary: collections.Counter[str] = collections.Counter()
    for words, is_prose in zip(content, prose.tolist(), strict=True):
        if is_prose:
            vocabulary.update(set(words))
    title_overlap = np.zeros(n)
    prose_vocabulary = np.zeros(n)
    for i, (words, is_prose) in enumerate(zip(content, prose.tolist(), strict=True)):
        if not words:
            continue
        title_overlap[i] = sum(w in title_content for w in words) / len(words)
        own = set(words) if is_prose else set()
        prose_vocabulary[i] = sum(vocabulary[w] - (w in own) > 0 for w in words) / len(words)
    at, similarity = _headline(lines_words, title_words)
    offset = np.zeros(n)
    if at >= 0:
        d = np.arange(n) - at
        offset = np.sign(d) * np.log1p(np.abs(d))
    return np.column_stack(
        [
            _repeats(lowered),
            _repeats([_DIGITS_RE.sub("0", line) for line in lowered]),
            title_overlap,
            prose_vocabulary,
            offset,
            np.full(n, similarity),
        ]
    ).reshape(n, len(NAMES))
