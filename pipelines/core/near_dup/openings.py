"""Openings: two texts that share only what follows two different openings are two articles.

Pages of one site can share a long block of lines word for word: a sponsor column, a
"popular posts" list with its teaser paragraphs, the unchanged second half of an updated wire
story. When only two pages carry the block, nothing in the batch marks it as chrome
(``own_text`` needs COMMON_MIN_HOLDERS), and when it outweighs the articles it passes every
other test of ``verify``. What gives it away is where each page's own article sits: both
pages *open* with prose of their own before the first line they share. A copy opens with its
source's text (the chrome a scraper keeps before an article is menus: short lines), a
syndicated story shares its opening, and an edited or spun copy's new opening matches its
source's (``verify`` on the openings' shingles).

Measured over every verified pair of ``benchmarks/web_eval.py``'s run A bodies (2,076 pairs of
one page's raw and clean text, 89 of distinct pages) and dedup_eval at 5k (3,951 true pairs):
with ``opening_min_words`` = 100 it refuses 8 pairs of distinct pages (two sidebar pairs, two
updated AP stories with new leads) and no true pair; at 80 it refuses 2 true pairs of
dedup_eval (short edited copies whose first paragraph was rewritten).

The index keeps each published article's openings, so a later run or streamed commit applies
the test as one batch run would; entries written before it have none, and a pair with such
an entry is judged without the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Openings:
    """An article's long lines (``boilerplate.lines.long_lines``), in order.

    hashes: int64 ``line_hash`` of each. starts: uint8, the shingle position (1/256ths, as
    ``Signature.positions``) where each starts. words_before: int32, the words of the long
    lines before it (prose an article opens with).
    """

    hashes: np.ndarray = field(repr=False)
    starts: np.ndarray = field(repr=False)
    words_before: np.ndarray = field(repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Openings):
            return NotImplemented
        return (
            np.array_equal(self.hashes, other.hashes)
            and np.array_equal(self.starts, other.starts)
            and np.array_equal(self.words_before, other.words_before)
        )

    def __hash__(self) -> int:
        return hash(self.hashes.tobytes())


def _opening(
    own: Openings, other: Openings, shingles: np.ndarray, positions: np.ndarray
) -> tuple[int, np.ndarray] | None:
    """(words before the first long line ``other`` also has, the shingles that first occur
    before it); None when the two share no long line."""
    shared = np.isin(own.hashes, other.hashes)
    if not shared.any():
        return None
    first = int(np.argmax(shared))
    return int(own.words_before[first]), shingles[positions < own.starts[first]]


def openings_differ(a, b, min_words: int, min_containment: float) -> bool:
    """Whether signatures ``a`` and ``b`` (``skeleton.Signature``) share long lines, each has
    >= ``min_words`` words of long lines before the first of them, and those openings share
    under ``min_containment`` of the smaller one's shingles. False when either has no
    openings (a stored signature) or an opening without shingles."""
    if a.openings is None or b.openings is None:
        return False
    oa = _opening(a.openings, b.openings, a.shingles, a.positions)
    if oa is None or oa[0] < min_words:
        return False
    ob = _opening(b.openings, a.openings, b.shingles, b.positions)
    if ob is None or ob[0] < min_words:
        return False
    smaller = min(len(oa[1]), len(ob[1]))
    if smaller == 0:
        return False
    shared = len(np.intersect1d(oa[1], ob[1], assume_unique=True))
    return shared < min_containment * smaller
