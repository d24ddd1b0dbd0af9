"""Cross-document repetition: a line that many *different* articles carry is site chrome.

The trap is syndication: a wire story printed by fifty sites repeats every one of its lines
in fifty files, and it is a duplicate, not boilerplate. So a line counts as repeated chrome
only in articles that have text of their own: an article that shares a run of consecutive
long lines (paragraphs) with others is a copy (or carries one), and its lines are no evidence
of chrome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

# An article that shares a run of this many consecutive long lines with other articles is (or
# carries) a copy of a story: its repeated lines are no evidence of chrome. Site chrome in
# prose (a blurb, comment rules, a disclaimer) is one or two paragraphs; a story is longer.
COPY_RUN_LINES = 3
# An article of prose (at least COPY_PROSE_SHARE of its lines long) whose long lines are
# shared with other articles for at least COPY_SHARE of them (and at least COPY_MIN_SHARED)
# is a copy too, even when no three shared lines are neighbours: an edited copy inserts a
# credit line or replaces a paragraph between the ones it keeps, and its source and sibling
# copies then share every paragraph but lose no run of three. Counted as distinct articles, a
# story and two such copies made each other's paragraphs chrome (a batch of 6,000 emptied
# the bodies of Chinese and Korean stories). A scraped page is mostly short lines (menus,
# link lists), and the long lines it shares may be its site's: for it, only the run counts.
COPY_SHARE = 0.5
COPY_MIN_SHARED = 2
COPY_PROSE_SHARE = 0.5
# A page and its own clean text (or one reprint) share most of their paragraphs with each other
# and with nothing else, yet a scraper splits a page's paragraphs at their links and a clean
# text wraps or subheads them, so neither the run nor the prose-share test sees a copy. An
# article whose long lines are held, for at least PAIR_SHARE of them (and COPY_RUN_LINES), by
# exactly one other article is a copy as well. Pages of a two-page site share blurbs, comment
# threads and sidebars, but each has text of its own beside them: web corpus run B, 1 page of
# 2,188 passes at 0.9 (4 long lines, all shared), 3 at 0.8, 81 under a run rule. Run A: six
# raw pages find their clean text again (raw<->gold recall 0.9579 -> 0.9606); run B's body
# precision 0.9016 -> 0.9015.
PAIR_ARTICLES = 2
PAIR_SHARE = 0.9
# The pair test needs COPY_RUN_LINES long lines. An article with fewer (a clean text of verse,
# a list, subheads and short paragraphs) is judged on all its lines: PAIR_LINE_SHARE of them
# (and PAIR_MIN_LINES) held by exactly one other article makes it a copy of that article, and
# the lines the two share are then no chrome evidence for either (``Repeats.for_article``). In
# web corpus run A a poem page and its clean text had made each other's verses chrome (the page
# kept 0.30 of its clean text's words against 1.00 in run B): raw<->gold recall 0.9656 ->
# 0.9670 (dragnet-R138, R791, 321), run B unchanged (0.9015), ten scheduled runs 0.8928 ->
# 0.8927. Asked of every article it gave 0.9689, but two pages of one site then take each
# other for copies wherever they are the only two in the count (early scheduled runs: ten
# runs' body precision 0.8928 -> 0.8910): telling those apart needs each pair's partner.
PAIR_LINE_SHARE = 0.5
PAIR_MIN_LINES = 2


def is_copy(long: np.ndarray, shared: np.ndarray, pair: np.ndarray | None = None) -> bool:
    """Whether an article (per line: ``long``, ``shared`` with other articles, and held by
    just one other: ``pair``) is, or carries, a copy of a story: a run of COPY_RUN_LINES long
    shared lines; for an article of prose, COPY_SHARE of its long lines shared; or PAIR_SHARE
    of them held by one other article. Its repeated lines are then no evidence of chrome."""
    long_shared = long & shared
    n_long = int(long.sum())
    if _copy_by_share(int(long_shared.sum()), n_long, len(long)):
        return True
    if pair is not None and (
        _copy_by_pair(int((long & pair).sum()), n_long)
        or _copy_by_pair_lines(int(pair.sum()), len(pair), n_long)
    ):
        return True
    return _longest_run(long_shared) >= COPY_RUN_LINES


def _copy_by_share(n_shared, n_long, n_lines):
    """``is_copy``'s share test; numpy arrays (one element per article) or ints."""
    prose = n_long >= COPY_PROSE_SHARE * n_lines
    return prose & (n_shared >= np.maximum(COPY_MIN_SHARED, COPY_SHARE * n_long))


def _copy_by_pair(n_pair, n_long):
    """``is_copy``'s pair test; numpy arrays (one element per article) or ints."""
    return n_pair >= np.maximum(COPY_RUN_LINES, PAIR_SHARE * n_long)


def _copy_by_pair_lines(n_pair, n_lines, n_long):
    """``is_copy``'s pair test over all lines, for articles with too few long lines for
    ``_copy_by_pair``; numpy arrays or ints."""
    held = n_pair >= np.maximum(PAIR_MIN_LINES, PAIR_LINE_SHARE * n_lines)
    return held & (n_long < COPY_RUN_LINES)


def _longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True in a bool array."""
    if not mask.any():
        return 0
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())


@dataclass(frozen=True)
class LineSketch:
    """What one article contributes: its line hashes in order and which lines are long."""

    hashes: np.ndarray = field(repr=False)  # int64, one per line, in order
    long: np.ndarray = field(repr=False)  # bool, aligned with hashes

    @staticmethod
    def of(hashes: np.ndarray, long: np.ndarray) -> LineSketch:
        return LineSketch(hashes.astype(np.int64), long.astype(bool))

    def to_bytes(self) -> tuple[bytes, bytes]:
        """Two byte strings (int64 little-endian, one byte per flag): cheap to shuffle with
        Beam's primitive coders, and how the index stores a published article's sketch."""
        return self.hashes.astype("<i8").tobytes(), self.long.astype(bool).tobytes()

    @staticmethod
    def from_bytes(encoded: tuple[bytes, bytes]) -> LineSketch:
        hashes, long = encoded
        return LineSketch(
            np.frombuffer(hashes, dtype="<i8").astype(np.int64, copy=False),
            np.frombuffer(long, dtype=bool),
        )


class LineCounts:
    """Mergeable counts over a batch of LineSketches (a Beam CombineFn accumulator).

    Keeps the sketches as arrays and counts once, in ``repeats()``.
    """

    def __init__(self) -> None:
        self._sketches: list[LineSketch] = []

    def add(self, sketch: LineSketch) -> LineCounts:
        self._sketches.append(sketch)
        return self

    def merge(self, other: LineCounts) -> LineCounts:
        self._sketches.extend(other._sketches)
        return self

    def repeats(self) -> Repeats:
        """Count, for every line seen in two or more articles, in how many it occurs and in
        how many articles with text of their own (see ``is_copy``). Vectorised over the
        whole batch: one sort for the counts, one pass for the runs."""
        if not self._sketches:
            return Repeats.empty()
        n = len(self._sketches)
        lines = np.array([len(s.hashes) for s in self._sketches])
        doc_of_line = np.repeat(np.arange(n), lines)
        hashes = np.concatenate([np.zeros(0, np.int64), *(s.hashes for s in self._sketches)])
        long = np.concatenate([np.zeros(0, bool), *(s.long for s in self._sketches)])
        # Distinct (article, line) pairs: a line twice in one article counts once.
        pairs = np.unique(np.stack([doc_of_line, hashes]), axis=1)
        keys, inverse, df = np.unique(pairs[1], return_inverse=True, return_counts=True)
        idx = np.searchsorted(keys, hashes)
        shared_line = df[idx] >= 2
        long_shared = long & shared_line
        n_shared = np.bincount(doc_of_line, weights=long_shared, minlength=n)
        n_long = np.bincount(doc_of_line, weights=long, minlength=n)
        by_share = _copy_by_share(n_shared, n_long, lines)
        n_pair = np.bincount(doc_of_line, weights=long & (df[idx] == PAIR_ARTICLES), minlength=n)
        n_pair_lines = np.bincount(doc_of_line, weights=df[idx] == PAIR_ARTICLES, minlength=n)
        by_pair = _copy_by_pair(n_pair, n_long) | _copy_by_pair_lines(n_pair_lines, lines, n_long)
        own = ~by_share & ~by_pair & (_longest_runs(long_shared, doc_of_line, n) < COPY_RUN_LINES)
        distinct = np.bincount(inverse, weights=own[pairs[0]], minlength=len(keys))
        keep = df >= 2
        return Repeats(keys[keep], df[keep].astype(np.int64), distinct[keep].astype(np.int64))


# Counting in parts (the Beam stage's shape): the same Repeats as LineCounts.repeats() without
# one place holding every line of the batch. Pass 1 counts, per line hash, the articles holding
# it (`doc_frequencies` per group of articles, `add_counts` to merge groups); the hashes in two
# or more articles are the shared lines. Pass 2 takes, per article, whether it has text of its
# own given the shared lines (`own_line_counts`) and counts those per shared hash; `from_counts`
# puts the two together. Both counts are sums, so any split of the articles gives one result.


def doc_frequencies(sketches: Iterable[LineSketch]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct line hashes of these articles (sorted) and in how many of them each occurs."""
    hashes = np.concatenate([np.zeros(0, np.int64), *(np.unique(s.hashes) for s in sketches)])
    keys, counts = np.unique(hashes, return_counts=True)
    return keys, counts.astype(np.int64)


def add_counts(parts: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, counts) parts -> one (sorted distinct hashes, summed counts)."""
    parts = list(parts)
    hashes = np.concatenate([np.zeros(0, np.int64), *(h for h, _ in parts)])
    counts = np.concatenate([np.zeros(0, np.int64), *(c for _, c in parts)])
    keys, inverse = np.unique(hashes, return_inverse=True)
    sums = np.zeros(len(keys), dtype=np.int64)
    np.add.at(sums, inverse, counts)
    return keys, sums


def _member(hashes: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(hashes), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_keys, hashes), len(sorted_keys) - 1)
    return sorted_keys[idx] == hashes


def own_line_counts(
    sketches: Iterable[LineSketch], shared: np.ndarray, articles: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per shared line hash (`shared`: sorted hashes held by two or more articles of the
    batch, `articles` of them each), how many of these articles hold it and have text of
    their own (``is_copy``)."""
    pairs = shared[articles == PAIR_ARTICLES]
    held = []
    for s in sketches:
        in_shared = _member(s.hashes, shared)
        if not is_copy(s.long, in_shared, _member(s.hashes, pairs)):
            held.append(np.unique(s.hashes[in_shared]))
    keys, counts = np.unique(np.concatenate([np.zeros(0, np.int64), *held]), return_counts=True)
    return keys, counts.astype(np.int64)


def _longest_runs(mask: np.ndarray, doc: np.ndarray, n: int) -> np.ndarray:
    """Per article, the longest run of True in ``mask`` (lines of all articles, in order;
    ``doc`` says whose each line is); runs never cross from one article into the next."""
    out = np.zeros(n, dtype=np.int64)
    if not mask.any():
        return out
    boundary = np.ones(len(doc), dtype=bool)
    boundary[1:] = doc[1:] != doc[:-1]
    starts = mask & (boundary | ~np.concatenate([[False], mask[:-1]]))
    run_id = np.cumsum(starts) - 1
    lengths = np.bincount(run_id[mask], minlength=int(starts.sum()))
    np.maximum.at(out, doc[starts], lengths)
    return out


@dataclass(frozen=True)
class Repeats:
    """Lines seen in two or more articles of a batch: sorted hashes, the number of articles
    holding each, and the number of those with text of their own."""

    hashes: np.ndarray = field(repr=False)
    articles: np.ndarray = field(repr=False)
    distinct: np.ndarray = field(repr=False)

    @staticmethod
    def empty() -> Repeats:
        z = np.zeros(0, dtype=np.int64)
        return Repeats(z, z, z)

    @staticmethod
    def from_counts(
        shared: np.ndarray, articles: np.ndarray, own: tuple[np.ndarray, np.ndarray]
    ) -> Repeats:
        """Repeats from pass 1 (`shared` sorted hashes held by two or more articles, `articles`
        their counts) and pass 2 (`own`: per shared hash, articles with text of their own)."""
        distinct = np.zeros(len(shared), dtype=np.int64)
        own_hashes, own_counts = own
        distinct[np.searchsorted(shared, own_hashes)] = own_counts
        return Repeats(shared.astype(np.int64), articles.astype(np.int64), distinct)

    def __len__(self) -> int:
        return len(self.hashes)

    def _lookup(self, hashes: np.ndarray, values: np.ndarray, absent: int) -> np.ndarray:
        if not len(self.hashes):
            return np.full(len(hashes), absent, dtype=np.int64)
        idx = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[idx] == hashes, values[idx], absent)

    def for_article(self, hashes: np.ndarray, long: np.ndarray) -> np.ndarray:
        """Per line of one article of the batch (``hashes`` and ``long`` in line order): in
        how many *other* articles with text of their own it occurs. For a copy of one other
        article by all its lines (PAIR_LINE_SHARE), the lines only the two hold count 0: that
        article is its source, not another page of its site."""
        articles = self._lookup(hashes, self.articles, 1)
        distinct = self._lookup(hashes, self.distinct, 0)
        pair = articles == PAIR_ARTICLES
        own = not is_copy(long.astype(bool), articles >= 2, pair)
        others = np.maximum(distinct - int(own), 0)
        if _copy_by_pair_lines(int(pair.sum()), len(pair), int(long.sum())):
            others[pair] = 0
        return others
