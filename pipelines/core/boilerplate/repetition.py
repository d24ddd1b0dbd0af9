"""Cross-document repetition: a line that many *different* articles carry is site chrome.

The trap is syndication: a wire story printed by fifty sites repeats every one of its lines
in fifty files, and it is a duplicate, not boilerplate. So a line counts as repeated chrome
only in articles that have text of their own: an article most of whose long lines occur
elsewhere too is a copy (or carries a copy), and its lines are no evidence of chrome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# An article whose long lines occur in other articles at this share or more is (or carries)
# a copy: its repeated lines do not count as chrome.
COPY_LONG_SHARE = 0.5


@dataclass(frozen=True)
class LineSketch:
    """What one article contributes: its distinct line hashes and which are long lines."""

    hashes: np.ndarray = field(repr=False)  # unique int64, sorted
    long: np.ndarray = field(repr=False)  # bool, aligned with hashes

    @staticmethod
    def of(hashes: np.ndarray, long: np.ndarray) -> LineSketch:
        uniq, first = np.unique(hashes, return_index=True)
        return LineSketch(uniq.astype(np.int64), long[first].astype(bool))


class LineCounts:
    """Mergeable counts over a batch of LineSketches (a Beam CombineFn accumulator).

    Keeps the sketches as flat arrays and counts once, in ``repeats()``.
    """

    def __init__(self) -> None:
        self._hashes: list[np.ndarray] = []
        self._long: list[np.ndarray] = []

    def add(self, sketch: LineSketch) -> LineCounts:
        self._hashes.append(sketch.hashes)
        self._long.append(sketch.long)
        return self

    def merge(self, other: LineCounts) -> LineCounts:
        self._hashes.extend(other._hashes)
        self._long.extend(other._long)
        return self

    def repeats(self) -> Repeats:
        """Count, for every line seen in two or more articles, in how many it occurs and in
        how many articles with text of their own (see COPY_LONG_SHARE)."""
        if not self._hashes:
            return Repeats.empty()
        sizes = np.array([len(h) for h in self._hashes])
        doc = np.repeat(np.arange(len(sizes)), sizes)
        hashes = np.concatenate([np.zeros(0, np.int64), *self._hashes])
        long = np.concatenate([np.zeros(0, bool), *self._long])
        keys, inverse, df = np.unique(hashes, return_inverse=True, return_counts=True)
        repeated = df[inverse] >= 2
        long_lines = np.bincount(doc, weights=long, minlength=len(sizes))
        repeated_long = np.bincount(doc, weights=long & repeated, minlength=len(sizes))
        own = repeated_long < COPY_LONG_SHARE * long_lines  # articles with text of their own
        distinct = np.bincount(inverse, weights=own[doc], minlength=len(keys)).astype(np.int64)
        keep = df >= 2
        return Repeats(keys[keep], df[keep].astype(np.int64), distinct[keep])


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

    def __len__(self) -> int:
        return len(self.hashes)

    def _lookup(self, hashes: np.ndarray, values: np.ndarray, absent: int) -> np.ndarray:
        if not len(self.hashes):
            return np.full(len(hashes), absent, dtype=np.int64)
        idx = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[idx] == hashes, values[idx], absent)

    def for_article(self, hashes: np.ndarray, long: np.ndarray) -> np.ndarray:
        """Per line of one article of the batch: in how many *other* articles with text of
        their own it occurs."""
        articles = self._lookup(hashes, self.articles, 1)
        distinct = self._lookup(hashes, self.distinct, 0)
        lines = long.astype(bool)
        _, first = np.unique(hashes, return_index=True)
        once = np.zeros(len(hashes), dtype=bool)
        once[first] = True
        long_lines = int((lines & once).sum())
        repeated_long = int((lines & once & (articles >= 2)).sum())
        own = repeated_long < COPY_LONG_SHARE * long_lines
        return np.maximum(distinct - int(own), 0)
