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
# Long lines set in Title Case are no paragraphs and break the run: a site's list of
# recommended books made every page of the AWS blog (web corpus R259, R260, R985) a "copy",
# so the events sidebar they share was never chrome evidence and linked two of them. Run B
# body precision 0.9015 -> 0.9041 (recall 0.9753 -> 0.9750), ten scheduled runs 0.8928 ->
# 0.8943; without the Title Case test, any unpunctuated line breaking the run, recall fell to
# 0.9677 (scraped paragraphs split at links lose their final punctuation).
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
# The same test over all of an article's lines, short ones too, for a clean text of verse, a
# list or subheads (few long lines) or one whose paragraphs a scraper split at their links:
# PAIR_LINE_SHARE of its lines (and PAIR_MIN_LINES) held by exactly one other article, its
# partner, make it a copy of the partner when those lines are at most PAIR_PARTNER_SHARE of
# the partner's. A page's clean text is inside the page while the page, mostly chrome, is not
# inside its clean text (web corpus run A: 3-9 % of the page's lines); two pages of one site
# that are the only two in a count (an early scheduled run) are each much the other's (47-97 %).
# The partner is known by its line count: pass 1 sums, per line, its holders' line counts, so
# a line held by two gives each the other's. The lines a copy shares with its partner are no
# chrome evidence for either (``Repeats.for_article``). Run A: a poem page and its clean text
# had made each other's verses chrome (0.30 of the clean text's words kept in run A against
# 1.00 in run B); raw<->gold recall 0.9656 -> 0.9684; run B (0.9015) and ten scheduled runs
# of it (0.8928) unchanged. Without the partner's side, ten runs' body precision fell to
# 0.8910; with it at 0.5, to 0.8921 (a small page of a site that is three quarters chrome
# against a larger one: 76 % against 47 %); 0.3 measures as 0.2.
PAIR_LINE_SHARE = 0.5
PAIR_MIN_LINES = 2
PAIR_PARTNER_SHARE = 0.2


def is_copy(
    long: np.ndarray,
    shared: np.ndarray,
    pair: np.ndarray | None = None,
    partner: np.ndarray | None = None,
    titles: np.ndarray | None = None,
) -> bool:
    """Whether an article (per line: ``long``, ``shared`` with other articles, held by just
    one other: ``pair``, and that other's line count: ``partner``) is, or carries, a copy of a
    story: a run of COPY_RUN_LINES long shared lines; for an article of prose, COPY_SHARE of its
    long lines shared; PAIR_SHARE of them held by one other article; or, given ``partner``,
    PAIR_LINE_SHARE of all its lines held by a partner of which they are a small part
    (``copied_partner``). Its repeated lines are then no evidence of chrome. The run is of
    running text: long lines set in Title Case (``titles``: a list of book titles or
    headlines) break it."""
    long_shared = long & shared
    n_long = int(long.sum())
    if _copy_by_share(int(long_shared.sum()), n_long, len(long)):
        return True
    if pair is not None and _copy_by_pair(int((long & pair).sum()), n_long):
        return True
    if pair is not None and partner is not None and copied_partner(pair, partner) is not None:
        return True
    if titles is not None:
        long_shared = long_shared & ~titles
    return _longest_run(long_shared) >= COPY_RUN_LINES


def _copy_by_share(n_shared, n_long, n_lines):
    """``is_copy``'s share test; numpy arrays (one element per article) or ints."""
    prose = n_long >= COPY_PROSE_SHARE * n_lines
    return prose & (n_shared >= np.maximum(COPY_MIN_SHARED, COPY_SHARE * n_long))


def _copy_by_pair(n_pair, n_long):
    """``is_copy``'s pair test; numpy arrays (one element per article) or ints."""
    return n_pair >= np.maximum(COPY_RUN_LINES, PAIR_SHARE * n_long)


def copied_partner(pair: np.ndarray, partner: np.ndarray) -> int | None:
    """The line count of the article this one is a copy of by all its lines, or None.

    ``pair``: per line, whether exactly one other article holds it; ``partner``: that
    article's line count (partners are told apart by it). A copy: PAIR_LINE_SHARE of its lines
    (and PAIR_MIN_LINES) held by the partner, of whose lines they are at most
    PAIR_PARTNER_SHARE."""
    if not pair.any():
        return None
    sizes, held = np.unique(partner[pair], return_counts=True)
    best = int(np.argmax(held))
    n_shared, n_partner = int(held[best]), int(sizes[best])
    if n_shared < max(PAIR_MIN_LINES, PAIR_LINE_SHARE * len(pair)):
        return None
    return None if n_shared > PAIR_PARTNER_SHARE * n_partner else n_partner


def _longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True in a bool array."""
    if not mask.any():
        return 0
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return int((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)).max())


# The flag byte of a line in ``LineSketch.to_bytes``: short, long, or long and set in Title
# Case. Sketches stored before the third value existed read as long lines of running text.
_SHORT, _LONG, _LONG_TITLE = 0, 1, 2


@dataclass(frozen=True)
class LineSketch:
    """What one article contributes: its line hashes in order, which lines are long, and
    which of those are set in Title Case (``titles``: a book or headline list, no
    paragraph)."""

    hashes: np.ndarray = field(repr=False)  # int64, one per line, in order
    long: np.ndarray = field(repr=False)  # bool, aligned with hashes
    titles: np.ndarray = field(repr=False)  # bool, aligned with hashes; only on long lines

    @staticmethod
    def of(hashes: np.ndarray, long: np.ndarray, titles: np.ndarray | None = None) -> LineSketch:
        long = long.astype(bool)
        titles = np.zeros(len(long), dtype=bool) if titles is None else titles & long
        return LineSketch(hashes.astype(np.int64), long, titles.astype(bool))

    def to_bytes(self) -> tuple[bytes, bytes]:
        """Two byte strings (int64 little-endian; one flag byte per line, ``_SHORT``,
        ``_LONG`` or ``_LONG_TITLE``): cheap to shuffle with Beam's primitive coders, and how
        the index stores a published article's sketch."""
        flags = self.long.astype(np.uint8) + self.titles.astype(np.uint8)
        return self.hashes.astype("<i8").tobytes(), flags.tobytes()

    @staticmethod
    def from_bytes(encoded: tuple[bytes, bytes]) -> LineSketch:
        hashes, flags = encoded
        f = np.frombuffer(flags, dtype=np.uint8)
        return LineSketch(
            np.frombuffer(hashes, dtype="<i8").astype(np.int64, copy=False),
            f != _SHORT,
            f == _LONG_TITLE,
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
        how many articles with text of their own (see ``is_copy``): the two passes below over
        the whole batch at once."""
        if not self._sketches:
            return Repeats.empty()
        keys, articles, totals = line_holders(self._sketches)
        keep = articles >= 2
        shared, articles, totals = keys[keep], articles[keep], totals[keep]
        own = own_line_counts(self._sketches, shared, articles, totals)
        return Repeats.from_counts(shared, articles, totals, own)


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


def line_holders(sketches: Iterable[LineSketch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``doc_frequencies`` and, per hash, the summed line counts of the articles holding it
    (for a line two articles hold, each one's partner's size: see PAIR_LINE_SHARE)."""
    uniques, sizes = [], []
    for s in sketches:
        u = np.unique(s.hashes)
        uniques.append(u)
        sizes.append(np.full(len(u), len(s.hashes), dtype=np.int64))
    hashes = np.concatenate([np.zeros(0, np.int64), *uniques])
    keys, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    totals = np.zeros(len(keys), dtype=np.int64)
    np.add.at(totals, inverse, np.concatenate([np.zeros(0, np.int64), *sizes]))
    return keys, counts.astype(np.int64), totals


def add_counts(parts: Iterable[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """(hashes, counts, ...) parts -> one (sorted distinct hashes, summed counts, ...): every
    column after the hashes is summed."""
    parts = list(parts)
    width = len(parts[0]) if parts else 2
    hashes = np.concatenate([np.zeros(0, np.int64), *(p[0] for p in parts)])
    keys, inverse = np.unique(hashes, return_inverse=True)
    out = [keys]
    for col in range(1, width):
        values = np.concatenate([np.zeros(0, np.int64), *(p[col] for p in parts)])
        sums = np.zeros(len(keys), dtype=np.int64)
        np.add.at(sums, inverse, values)
        out.append(sums)
    return tuple(out)


def _member(hashes: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(hashes), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_keys, hashes), len(sorted_keys) - 1)
    return sorted_keys[idx] == hashes


def _partners(
    hashes: np.ndarray, pair_keys: np.ndarray, pair_totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per line of an article: whether exactly one other article holds it, and that article's
    line count (0 elsewhere); ``pair_keys`` sorted, ``pair_totals`` their holders' summed
    line counts."""
    if not len(pair_keys):
        return np.zeros(len(hashes), dtype=bool), np.zeros(len(hashes), dtype=np.int64)
    idx = np.minimum(np.searchsorted(pair_keys, hashes), len(pair_keys) - 1)
    pair = pair_keys[idx] == hashes
    return pair, np.where(pair, pair_totals[idx] - len(hashes), 0)


def own_line_counts(
    sketches: Iterable[LineSketch], shared: np.ndarray, articles: np.ndarray, totals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per shared line hash (`shared`: sorted hashes held by two or more articles of the
    batch, `articles` of them each, `totals` their summed line counts), how many of these
    articles hold it and have text of their own (``is_copy``)."""
    is_pair = articles == PAIR_ARTICLES
    pair_keys, pair_totals = shared[is_pair], totals[is_pair]
    held = []
    for s in sketches:
        in_shared = _member(s.hashes, shared)
        pair, partner = _partners(s.hashes, pair_keys, pair_totals)
        if not is_copy(s.long, in_shared, pair, partner, s.titles):
            held.append(np.unique(s.hashes[in_shared]))
    keys, counts = np.unique(np.concatenate([np.zeros(0, np.int64), *held]), return_counts=True)
    return keys, counts.astype(np.int64)


@dataclass(frozen=True)
class Repeats:
    """Lines seen in two or more articles of a batch: sorted hashes, the number of articles
    holding each, the number of those with text of their own, and their summed line counts
    (``totals``: for a line two articles hold, each one's partner's size)."""

    hashes: np.ndarray = field(repr=False)
    articles: np.ndarray = field(repr=False)
    distinct: np.ndarray = field(repr=False)
    totals: np.ndarray = field(repr=False)

    @staticmethod
    def empty() -> Repeats:
        z = np.zeros(0, dtype=np.int64)
        return Repeats(z, z, z, z)

    @staticmethod
    def from_counts(
        shared: np.ndarray,
        articles: np.ndarray,
        totals: np.ndarray,
        own: tuple[np.ndarray, np.ndarray],
    ) -> Repeats:
        """Repeats from pass 1 (`shared` sorted hashes held by two or more articles, `articles`
        their counts, `totals` their summed line counts) and pass 2 (`own`: per shared hash,
        articles with text of their own)."""
        distinct = np.zeros(len(shared), dtype=np.int64)
        own_hashes, own_counts = own
        distinct[np.searchsorted(shared, own_hashes)] = own_counts
        return Repeats(
            shared.astype(np.int64), articles.astype(np.int64), distinct, totals.astype(np.int64)
        )

    def __len__(self) -> int:
        return len(self.hashes)

    def _lookup(self, hashes: np.ndarray, values: np.ndarray, absent: int) -> np.ndarray:
        if not len(self.hashes):
            return np.full(len(hashes), absent, dtype=np.int64)
        idx = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[idx] == hashes, values[idx], absent)

    def for_article(
        self, hashes: np.ndarray, long: np.ndarray, titles: np.ndarray | None = None
    ) -> np.ndarray:
        """Per line of one article of the batch (``hashes`` and ``long`` in line order): in
        how many *other* articles with text of their own it occurs. For a copy of its partner
        by all its lines (``copied_partner``), the lines only the two hold count 0: that
        article is its source, not another page of its site."""
        articles = self._lookup(hashes, self.articles, 1)
        distinct = self._lookup(hashes, self.distinct, 0)
        pair = articles == PAIR_ARTICLES
        partner = np.where(pair, self._lookup(hashes, self.totals, 0) - len(hashes), 0)
        size = copied_partner(pair, partner)
        own = size is None and not is_copy(long.astype(bool), articles >= 2, pair, None, titles)
        others = np.maximum(distinct - int(own), 0)
        if size is not None:
            others[pair & (partner == size)] = 0
        return others
