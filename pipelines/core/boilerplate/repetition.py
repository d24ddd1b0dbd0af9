"""Cross-document repetition: a line that many *different* articles carry is site chrome.

The trap is syndication: a wire story printed by fifty sites repeats every one of its lines
in fifty files, and it is a duplicate, not boilerplate. So a line counts as repeated chrome
only in articles that have text of their own: an article that shares a run of consecutive
long lines (paragraphs) with others is a copy (or carries one), and its lines are no evidence
of chrome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# An article that shares a run of this many consecutive long lines with other articles is (or
# carries) a copy of a story: its repeated lines are no evidence of chrome. Site chrome in
# prose (a blurb, comment rules, a disclaimer) is one or two paragraphs; a story is longer.
COPY_RUN_LINES = 3


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
        how many articles with text of their own (see COPY_RUN_LINES)."""
        if not self._sketches:
            return Repeats.empty()
        distinct_lines = [np.unique(s.hashes) for s in self._sketches]
        sizes = np.array([len(h) for h in distinct_lines])
        doc = np.repeat(np.arange(len(sizes)), sizes)
        keys, inverse, df = np.unique(
            np.concatenate([np.zeros(0, np.int64), *distinct_lines]),
            return_inverse=True,
            return_counts=True,
        )
        shared = keys[df >= 2]
        own = np.array(
            [
                _longest_run(s.long & np.isin(s.hashes, shared)) < COPY_RUN_LINES
                for s in self._sketches
            ],
            dtype=bool,
        )
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
        """Per line of one article of the batch (``hashes`` and ``long`` in line order): in
        how many *other* articles with text of their own it occurs."""
        articles = self._lookup(hashes, self.articles, 1)
        distinct = self._lookup(hashes, self.distinct, 0)
        own = _longest_run(long.astype(bool) & (articles >= 2)) < COPY_RUN_LINES
        return np.maximum(distinct - int(own), 0)
