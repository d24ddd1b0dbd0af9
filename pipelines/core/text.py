"""Unicode normalization, hashing and counting helpers shared by the stages."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Zero-width and invisible characters that scrapers leave behind; they break hashing and n-grams.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[^\S\n]+")  # horizontal whitespace, incl. NBSP and other Unicode spaces
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_ALL_SPACE = re.compile(r"\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Words: runs of word characters, except that each CJK character counts as one word because
# those scripts do not separate words with spaces.
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def normalize_text(text: str) -> str:
    """NFC, unified newlines, no invisible characters, no trailing spaces, single spaces."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_INVISIBLE)
    return _SPACES.sub(" ", text)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, each stripped, lines inside kept; empties dropped."""
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        lines = [line.strip() for line in block.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            paragraphs.append(block)
    return paragraphs


def hash_form(text: str) -> str:
    """Form used for exact-duplicate hashing: case-folded, quotes/dashes unified, spaces folded."""
    return _ALL_SPACE.sub(" ", text.translate(_QUOTES).casefold()).strip()


def content_hash(body: str) -> str:
    """sha256 hex of the hash form of `body`."""
    return hashlib.sha256(hash_form(body).encode("utf-8")).hexdigest()


def article_id(raw: bytes) -> str:
    """Stable article id from the raw bytes: first 20 hex characters of their sha256."""
    return hashlib.sha256(raw).hexdigest()[:20]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
