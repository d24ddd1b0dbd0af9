"""Own text: what is left of an article without the lines many distinct articles carry.

A scraped page keeps its site's prose chrome: comment rules, an "about this blog" blurb, a
sidebar of teasers. Two short pages of one site can share more of it than of their articles,
and their skeleton shingles then match as if one were a copy of the other. Which lines are such
chrome is a fact of the batch, not of the page: a line is *common* when at least
COMMON_MIN_HOLDERS articles carry it that each have text of their own (lines almost no other
article carries). A syndicated story is the trap: printed fifty times, every one of its lines is
in fifty articles, but none of those articles has text of its own, so its lines are not common
and its copies still match.

Contract (what a Beam stage wires together)::

    sketch = line_sketch(body)                   # per article: line hashes, words per line
    widely = lines held by > OWN_MAX_HOLDERS articles of the batch         (pass 1)
    own = has_own_text(sketch, widely)           # per article                (pass 2)
    common = lines held by >= COMMON_MIN_HOLDERS articles with own text
    sig = with_own_text(sig, body, language, title, common, config)

``verify`` then refuses a pair whose match rests on common lines (``rests_on_common_lines``).
Measured on the web corpus (raw and gold pages together, 4,376 texts): 42 of 123 verified pairs
of distinct pages refused, 1 of 2,027 pairs of one page's raw and clean text; on dedup_eval at
5k: 0 of 4,037 true near-duplicate pairs refused, and 112 of 5,000 articles need the second
signature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pipelines.core.boilerplate.lines import body_lines, line_hashes
from pipelines.core.text import word_count

if TYPE_CHECKING:  # skeleton imports this module: a runtime import would be circular
    from pipelines.core.near_dup.skeleton import Signature

# A line in at most this many articles is an article's own: itself and one copy (a page and
# its cleaned text, a story and its spun copy).
OWN_MAX_HOLDERS = 2
# An article has text of its own when at least this many of its words, and this share of
# them, are in its own lines: a syndicated copy has none, a chrome-heavy page still has some.
OWN_MIN_WORDS = 15
OWN_MIN_SHARE = 0.2
# A line is common (chrome) when this many articles with text of their own carry it. Above the
# size of a duplicate family (a story and its two edited copies share unedited paragraphs).
COMMON_MIN_HOLDERS = 4
# Common lines that hold less than this share of an article's words (a credit, a caption)
# cannot make a match: the article is compared as it is, with no second signature.
COMMON_MIN_SHARE = 0.1
# Own text shorter than this cannot be compared on its own: the pair is judged as it is.
VETO_MIN_WORDS = 20
# Two articles whose own lines are, to this share of the words of the one with fewer, the same
# lines are one page's texts (too short to shingle): their match stands. Counted in words, so
# a shared three-word line ("NFL Network Blog") does not make 18 words of a page "the same".
SAME_OWN_LINES = 0.5


@dataclass(frozen=True)
class LineSketch:
    """An article's non-blank lines: hashes (int64, in order) and words per line (int32)."""

    hashes: np.ndarray = field(repr=False)
    words: np.ndarray = field(repr=False)

    def to_bytes(self) -> tuple[bytes, bytes]:
        return self.hashes.astype(np.int64).tobytes(), self.words.astype(np.int32).tobytes()

    @staticmethod
    def from_bytes(encoded: tuple[bytes, bytes]) -> LineSketch:
        hashes, words = encoded
        return LineSketch(np.frombuffer(hashes, np.int64), np.frombuffer(words, np.int32))


def line_sketch(body: str) -> LineSketch:
    """The lines of a body as ``own_text`` counts them."""
    lines = body_lines(body)
    words = np.fromiter(map(word_count, lines), dtype=np.int32, count=len(lines))
    return LineSketch(line_hashes(lines), words)


def _member(hashes: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys):
        return np.zeros(len(hashes), dtype=bool)
    idx = np.minimum(np.searchsorted(sorted_keys, hashes), len(sorted_keys) - 1)
    return sorted_keys[idx] == hashes


def has_own_text(sketch: LineSketch, widely: np.ndarray) -> bool:
    """Whether the article has text of its own, given ``widely``: the sorted hashes of the
    lines more than OWN_MAX_HOLDERS articles of the batch carry."""
    total = int(sketch.words.sum())
    own = int(sketch.words[~_member(sketch.hashes, widely)].sum())
    return own >= max(OWN_MIN_WORDS, OWN_MIN_SHARE * total)


def common_candidates(sketches: Iterable[LineSketch], widely: np.ndarray) -> np.ndarray:
    """Pass 2 over some articles: per article with text of its own, its distinct widely held
    lines, concatenated (count them per hash to get holders with own text)."""
    parts = [np.zeros(0, np.int64)]
    for sketch in sketches:
        if has_own_text(sketch, widely):
            parts.append(np.unique(sketch.hashes[_member(sketch.hashes, widely)]))
    return np.concatenate(parts)


def common_lines(sketches: Iterable[LineSketch]) -> np.ndarray:
    """Sorted hashes of the common lines of a batch, in memory: what the Beam stage
    (`transforms/dedup/common_lines.py`) counts in shards."""
    sketches = list(sketches)
    hashes = np.concatenate([np.zeros(0, np.int64), *(np.unique(s.hashes) for s in sketches)])
    keys, holders = np.unique(hashes, return_counts=True)
    widely = keys[holders > OWN_MAX_HOLDERS]
    keys, holders = np.unique(common_candidates(sketches, widely), return_counts=True)
    return keys[holders >= COMMON_MIN_HOLDERS]


@dataclass(frozen=True)
class OwnText:
    """An article's text without its common lines, as ``verify`` compares it.

    partial: common lines were taken out; else the article is whole and ``signature`` is None
    (its own text is the article: compare its signature). signature: the skeleton signature of
    the text left (None also when nothing is left). words: words left. lines: sorted unique
    hashes of the lines left; line_words: the words of each (int32).
    """

    partial: bool
    words: int
    lines: np.ndarray = field(repr=False)
    signature: Signature | None = None  # without own text of its own
    line_words: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32), repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OwnText):
            return NotImplemented
        return (
            (self.partial, self.words) == (other.partial, other.words)
            and self.signature == other.signature
            and np.array_equal(self.lines, other.lines)
            and np.array_equal(self.line_words, other.line_words)
        )

    def __hash__(self) -> int:
        return hash((self.partial, self.words, self.lines.tobytes()))


def own_text(body: str, common: np.ndarray) -> tuple[OwnText, str | None]:
    """The article's OwnText (no signature yet) and, when ``partial``, the text to sign.
    ``common``: sorted hashes of the batch's common lines. Common lines holding under
    COMMON_MIN_SHARE of the words are kept: the article stays whole."""
    lines = body_lines(body)
    hashes = line_hashes(lines)
    words = np.fromiter(map(word_count, lines), dtype=np.int64, count=len(lines))
    is_common = _member(hashes, common)
    if not is_common.any() or words[is_common].sum() < COMMON_MIN_SHARE * words.sum():
        whole = _unique_lines(hashes, words)
        return OwnText(False, int(words.sum()), whole[0], None, whole[1]), None
    kept = [line for line, c in zip(lines, is_common.tolist(), strict=True) if not c]
    left = _unique_lines(hashes[~is_common], words[~is_common])
    own = OwnText(True, int(words[~is_common].sum()), left[0], None, left[1])
    return own, "\n".join(kept)


def _unique_lines(hashes: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique line hashes and the words of each (a repeated line counts once)."""
    unique, first = np.unique(hashes, return_index=True)
    return unique, words[first].astype(np.int32)


def rests_on_common_lines(
    a_sig: Signature,
    a_own: OwnText,
    b_sig: Signature,
    b_own: OwnText,
    matches: Callable[[Signature, Signature], object],
) -> bool:
    """Whether a verified pair (signatures ``a_sig``, ``b_sig``) matched only through common
    lines: one of them lost common lines, both have own text long enough to compare, that
    text does not match (``matches(sig, sig)``), and it is not mostly the same lines (one
    page's raw and clean text, too short to shingle). Own text shorter than VETO_MIN_WORDS
    on both sides cannot be compared: the match stands; on one side only, that page is chrome
    and its own scrap, compared with the other's own text like any.
    """
    if not (a_own.partial or b_own.partial):
        return False
    if max(a_own.words, b_own.words) < VETO_MIN_WORDS:
        return False
    a_text = a_own.signature if a_own.partial else a_sig
    b_text = b_own.signature if b_own.partial else b_sig
    if a_text is None or b_text is None or matches(a_text, b_text):
        return False
    small, large = sorted((a_own, b_own), key=lambda o: int(o.line_words.sum()))
    total = int(small.line_words.sum())
    shared = int(small.line_words[np.isin(small.lines, large.lines, assume_unique=True)].sum())
    return not (total and shared >= SAME_OWN_LINES * total)
