"""Lines of a body and their stable 63-bit hashes (what cross-document repetition counts)."""

from __future__ import annotations

import hashlib

import numpy as np

from pipelines.core.text import is_title_case


def body_lines(body: str) -> list[str]:
    """The non-blank lines of a body, stripped: the blocks boilerplate is decided on (a
    scraper writes one block of the page per line)."""
    return [line for line in (raw.strip() for raw in body.split("\n")) if line]


def line_hash(line: str) -> int:
    """63-bit hash of a line, case- and space-insensitive, equal in every process."""
    return key_hash(line_key(line))


def line_key(line: str) -> str:
    """What a line's hash is taken of: lower-cased, runs of whitespace as one space."""
    return " ".join(line.lower().split())


def key_hash(key: str) -> int:
    """``line_hash`` of a line whose ``line_key`` is ``key``."""
    return (
        int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little") >> 1
    )


def line_hashes(lines: list[str]) -> np.ndarray:
    """int64 hash of each line, in order."""
    return np.fromiter((line_hash(line) for line in lines), dtype=np.int64, count=len(lines))


# A "long" line: at least this many words (spaces + 1), or this many characters in scripts
# written without spaces. Long lines are what an article's own text is made of; repetition
# asks whether an article has long lines of its own (see ``repetition``).
LONG_LINE_WORDS = 10
LONG_LINE_CHARS_UNSPACED = 30
# A line that is not ASCII and has at least this many characters per space is written
# without spaces (Chinese with a space between sentences or around an English name): a
# space-separated language averages 5-7 characters per word. ASCII lines are left out: markup
# and addresses have long runs without spaces and are no prose (as long lines, a scraped
# page's shared template counted as a copied story: web corpus run B lost 0.002 precision).
UNSPACED_CHARS_PER_SPACE = 15


def _is_long(line: str) -> bool:
    spaces = line.count(" ")
    if spaces >= LONG_LINE_WORDS - 1:
        return True
    n = len(line)
    if n < LONG_LINE_CHARS_UNSPACED:
        return False
    return not spaces or (n >= UNSPACED_CHARS_PER_SPACE * (spaces + 1) and not line.isascii())


def long_lines(lines: list[str]) -> np.ndarray:
    """bool per line: whether it is long (cheap: counts spaces, no tokenising)."""
    return np.fromiter(map(_is_long, lines), dtype=bool, count=len(lines))


def title_lines(lines: list[str], long: np.ndarray) -> np.ndarray:
    """bool per line: a long line set in Title Case (a book title, a headline in a list). A
    line ending in a full stop is a sentence, not asked (most of a news article's lines)."""
    return np.fromiter(
        (
            bool(lg) and line[-1] != "." and is_title_case(line)
            for line, lg in zip(lines, long, strict=True)
        ),
        dtype=bool,
        count=len(lines),
    )
