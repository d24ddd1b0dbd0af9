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
with ``opening_min_words`` = 100 it refuses 8 pairs of distinct pages (the sidebar pairs
R146/R147 and R205/R206, an AP story and its update with a new lead in four raw/clean
combinations, R943/R947 in two) and no true pair; at 80 it refuses 2 true pairs of dedup_eval
(short edited copies whose first paragraph was rewritten).

The index keeps each published article's openings, so a later run or streamed commit applies
the test as one batch run would; entries written before it have none, and a pair with such
an entry is judged without the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # skeleton imports this module: a runtime import would be circular
    from pipelines.core.near_dup.skeleton import Signature


@dataclass(frozen=True)
class Openings:
    """An article's long lines (``boilerplate.lines.long_lines``), in order, packed in one
    ``bytes`` value (cheap to shuffle and to store in the index; decoded only when a verified
    pair is tested): per line an int64 ``line_hash``, then per line the uint8 shingle position
    (1/256ths, as ``Signature.positions``) where it starts, then per line the int32 words of
    the long lines before it (the prose an article opens with); little-endian.
    """

    packed: bytes = field(repr=False)

    @staticmethod
    def of(hashes: np.ndarray, starts: np.ndarray, words_before: np.ndarray) -> Openings:
        return Openings(
            hashes.astype("<i8").tobytes()
            + starts.astype(np.uint8).tobytes()
            + words_before.astype("<i4").tobytes()
        )

    @property
    def _n(self) -> int:
        return len(self.packed) // _BYTES_PER_LINE

    @cached_property
    def hashes(self) -> np.ndarray:
        return np.frombuffer(self.packed, dtype="<i8", count=self._n)

    @cached_property
    def starts(self) -> np.ndarray:
        return np.frombuffer(self.packed, dtype=np.uint8, count=self._n, offset=8 * self._n)

    @cached_property
    def words_before(self) -> np.ndarray:
        return np.frombuffer(self.packed, dtype="<i4", count=self._n, offset=9 * self._n)


_BYTES_PER_LINE = 8 + 1 + 4


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


def openings_differ(a: Signature, b: Signature, min_words: int, min_containment: float) -> bool:
    """Whether signatures ``a`` and ``b`` share long lines, each has
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
