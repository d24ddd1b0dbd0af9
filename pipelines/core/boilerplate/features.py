"""Per-line features of a body for the boilerplate model: the line's own shape, its
neighbourhood, its position, and how often it repeats in other articles.

All features are language-independent except function-word density, which uses the dedup's
per-language lists and, for other languages, the share of short words (Zipf's law of
abbreviation: the most frequent words of any language are its shortest).
"""

from __future__ import annotations

import math
import re

import numpy as np

from pipelines.core.boilerplate.document import NAMES as DOCUMENT_NAMES
from pipelines.core.near_dup.lexicon import STOPWORDS, UNSEGMENTED

_WORD_RE = re.compile(r"\w+")
# A line "ends like a sentence" when its last character is one of these.
_SENTENCE_END = frozenset('.!?。！？؟"”’»)')
_PUNCT_RE = re.compile(r"[.!?;,。！？؟，、]")
# Separator and symbol characters that menus, breadcrumbs, share bars and footers use.
_CHROME_CHARS = frozenset("|»«›‹•·©®™→←↑↓▶►◄■□▪●○")
_CLOCK_RE = re.compile(r"\b\d{1,2}:\d{2}\b")
# Web and mail addresses: "www.", "http", "@", ".com" and the like.
_ADDRESS_RE = re.compile(r"www\.|https?:|@\w|\.(?:com|org|net)\b")
_SEPARATOR_RE = re.compile(r"[|/»·•›]")
# A "prose" line: this many words or more with at least this function-word density. Prose
# is what articles are made of; the model reads how much of it surrounds each line.
PROSE_MIN_WORDS = 10
PROSE_MIN_FUNCTION = 0.2
# Lines shorter than this many words count towards a run of short lines (menus, link lists).
SHORT_LINE_WORDS = 8
# Repetition counts are capped here: a line in four other articles with prose of their own is
# chrome already, and the cap makes a batch of ten pages read like a batch of ten thousand.
REPEATS_CAP = 4
# Neighbourhood half-widths (lines) over which the prose share is read.
WINDOWS = (1, 3, 8)
# Unsegmented scripts: characters per "word" when a line has no spaces, and the commonest
# function characters of Chinese and Japanese (their density plays the stop-word role).
_CHARS_PER_WORD = 2
_CJK_FUNCTION_RE = re.compile("[的了是在和也有就不这のはをにがでとも]")

_SHAPE_COLUMNS = 12
# Shape columns whose neighbourhood means are features too (comments are runs of name / clock
# time / text, footers runs of separators and addresses), over these half-widths (lines).
_SHAPE_MEANS = (
    "function_density",
    "sentence_end",
    "digits",
    "clock_time",
    "capitalised",
    "address",
    "chrome_chars",
)
SHAPE_WINDOWS = (2, 6)
NAMES = (
    "log_words",
    "function_density",
    "sentence_end",
    "log_punct",
    "capitalised",
    "digits",
    "chrome_chars",
    "tiny",
    "clock_time",
    "address",
    "capital_words",
    "log_separators",
    "position",
    "position_from_end",
    "log_repeats",
    "shared_neighbours",
    *(f"{kind}_{w}" for w in WINDOWS for kind in ("prose_share", "mean_log_words")),
    "log_short_run",
    "prose_before",
    "prose_after",
    "relative_length",
    "in_main_block",
    "log_main_distance",
    *DOCUMENT_NAMES,
    *(f"{name}_mean_{w}" for w in SHAPE_WINDOWS for name in _SHAPE_MEANS),
)
# Stage two of the model reads stage one's P(article text) around each line: a short line
# between confident paragraphs is the article's, one inside a confident link list is not.
CONTEXT_WINDOWS = (1, 2, 4, 8, 16)
CONTEXT_NAMES = (
    *NAMES,
    "stage1",
    *(f"stage1_{kind}_{w}" for w in CONTEXT_WINDOWS for kind in ("word_mean", "mean")),
    "stage1_text_before",
    "stage1_text_after",
    "stage1_in_block",
    "stage1_log_block_distance",
    "stage1_page_mean",
)


def _line_shape(line: str, stop: frozenset[str] | None, unsegmented: bool) -> list[float]:
    words = _WORD_RE.findall(line)
    if unsegmented:
        n = max(len(words), sum(map(len, words)) // _CHARS_PER_WORD)
        function = len(_CJK_FUNCTION_RE.findall(line)) / max(1, n)
    else:
        n = len(words)
        lower = line.lower()
        if stop is not None:
            function = sum(w in stop for w in _WORD_RE.findall(lower)) / max(1, n)
        else:
            function = sum(len(w) <= 3 for w in words) / max(1, n) / 2
    initials = "".join(w[0] for w in words)
    per_word = max(1, len(words))
    capitalised = sum(map(str.isupper, initials)) / per_word
    digits = sum(map(str.isdigit, initials)) / per_word
    upper = sum(map(str.isupper, words)) / per_word  # whole words in capitals
    return [
        math.log1p(n),
        function,
        float(line[-1:] in _SENTENCE_END),
        math.log1p(len(_PUNCT_RE.findall(line))),
        capitalised,
        digits,
        float(not _CHROME_CHARS.isdisjoint(line)),
        float(n <= 4),
        float(_CLOCK_RE.search(line) is not None),
        float(_ADDRESS_RE.search(line) is not None),
        upper,
        math.log1p(len(_SEPARATOR_RE.findall(line))),
    ]


def _window_sum(x: np.ndarray, w: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(len(x))
    return c[np.minimum(idx + w + 1, len(x))] - c[np.maximum(idx - w, 0)]


def line_features(shape: np.ndarray, repeats: np.ndarray, document: np.ndarray) -> np.ndarray:
    """(n_lines, len(NAMES)) float matrix from the lines' ``line_shapes``, ``repeats`` (per
    line, in how many other distinct articles of the batch it occurs, see ``repetition``) and
    ``document`` (``document.document_features``)."""
    n = len(shape)
    words = np.expm1(shape[:, 0])
    prose = prose_mask(shape)
    prose_words = prose * words
    pos = np.arange(n) / max(1, n - 1)
    seen = np.log1p(np.minimum(repeats, REPEATS_CAP))
    cols = [shape, pos[:, None], (1 - pos)[:, None], seen[:, None]]
    cols.append(shared_neighbours(repeats)[:, None])
    ones = np.ones(n)
    for w in WINDOWS:
        cols.append((_window_sum(prose_words, w) / np.maximum(_window_sum(words, w), 1))[:, None])
        cols.append((_window_sum(shape[:, 0], w) / _window_sum(ones, w))[:, None])
    cols.append(np.log1p(_short_runs(words))[:, None])
    cum = np.cumsum(prose_words)
    total = max(float(cum[-1]), 1.0) if n else 1.0
    cols.append((cum / total)[:, None])
    cols.append(((cum[-1] - cum + prose_words) / total)[:, None] if n else np.zeros((0, 1)))
    cols.append((shape[:, 0] - (shape[:, 0].max() if n else 0.0))[:, None])
    start, end = _main_block(prose_words - _NON_PROSE_COST * (1 - prose) * words)
    idx = np.arange(n)
    distance = np.maximum(start - idx, 0) + np.maximum(idx - end, 0)
    cols.append((distance == 0).astype(np.float64)[:, None])
    cols.append(np.log1p(distance)[:, None])
    cols.append(document)
    for w in SHAPE_WINDOWS:
        count = _window_sum(ones, w)
        for name in _SHAPE_MEANS:
            cols.append((_window_sum(shape[:, NAMES.index(name)], w) / count)[:, None])
    return np.hstack(cols)


def context_features(x: np.ndarray, stage1: np.ndarray) -> np.ndarray:
    """(n_lines, len(CONTEXT_NAMES)): ``line_features`` ``x`` and stage one's P(article text)
    per line read over its neighbourhood, the text before and after it, and the main block
    the probabilities outline (see ``CONTEXT_NAMES``)."""
    n = len(stage1)
    words = np.maximum(1.0, np.expm1(x[:, 0]))
    ones = np.ones(n)
    cols = [x, stage1[:, None]]
    for w in CONTEXT_WINDOWS:
        cols.append(
            (_window_sum(stage1 * words, w) / np.maximum(_window_sum(words, w), 1))[:, None]
        )
        cols.append((_window_sum(stage1, w) / _window_sum(ones, w))[:, None])
    text = (stage1 >= 0.5) * words
    cum = np.cumsum(text)
    total = max(float(cum[-1]), 1.0) if n else 1.0
    cols.append((cum / total)[:, None])
    cols.append(((total - cum + text) / total)[:, None])
    start, end = _main_block((stage1 - 0.5) * words)
    idx = np.arange(n)
    distance = np.maximum(start - idx, 0) + np.maximum(idx - end, 0)
    cols.append((distance == 0).astype(np.float64)[:, None])
    cols.append(np.log1p(distance)[:, None])
    mean = float((stage1 * words).sum() / words.sum()) if n else 0.0
    cols.append(np.full((n, 1), mean))
    return np.hstack(cols)


# Words of non-prose lines count against a block at this rate when the main block is sought.
_NON_PROSE_COST = 0.5


def _main_block(score: np.ndarray) -> tuple[int, int]:
    """First and last line of the run of lines with the largest total score (Kadane): the
    article's main block, where prose outweighs the short lines around it."""
    best, best_span = -np.inf, (0, -1)
    total, start = 0.0, 0
    for i, value in enumerate(score.tolist()):
        if total <= 0:
            total, start = value, i
        else:
            total += value
        if total > best:
            best, best_span = total, (start, i)
    return best_span


def scraped_look(lines: list[str]) -> bool:
    """Whether any line has a separator or symbol of site chrome or a web or mail address
    (the ``chrome_chars`` and ``address`` features), checked on the whole text at once."""
    text = "\n".join(lines)
    return not _CHROME_CHARS.isdisjoint(text) or _ADDRESS_RE.search(text) is not None


def shared_neighbours(repeats: np.ndarray) -> np.ndarray:
    """Per line, how many of its two neighbours occur in other articles too (0, 1 or 2):
    menus and link lists repeat as blocks, a lone subheading does not."""
    shared = (repeats > 0).astype(np.float64)
    out = np.zeros(len(shared))
    out[1:] += shared[:-1]
    out[:-1] += shared[1:]
    return out


def prose_mask(shape: np.ndarray) -> np.ndarray:
    """1.0 for prose lines (enough words, enough function words), from the shape columns."""
    return (
        (np.expm1(shape[:, 0]) >= PROSE_MIN_WORDS) & (shape[:, 1] >= PROSE_MIN_FUNCTION)
    ).astype(np.float64)


def line_shapes(lines: list[str], language: str) -> np.ndarray:
    """(n_lines, 8) matrix: each line's own shape (the first eight of ``NAMES``)."""
    lang = (language or "").lower().split("-")[0]
    stop, unsegmented = STOPWORDS.get(lang), lang in UNSEGMENTED
    shapes = [_line_shape(ln, stop, unsegmented) for ln in lines]
    return np.array(shapes, dtype=np.float64).reshape(len(lines), _SHAPE_COLUMNS)


def _short_runs(words: np.ndarray) -> np.ndarray:
    """Per line, the length of the run of consecutive short lines it belongs to (0 if long)."""
    short = words < SHORT_LINE_WORDS
    out = np.zeros(len(words))
    start = None
    for i, s in enumerate([*short.tolist(), False]):
        if s and start is None:
            start = i
        elif not s and start is not None:
            out[start:i] = i - start
            start = None
    return out
