"""Unicode normalization, hashing, counting and text-shape (table) helpers shared by the stages."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Zero-width and invisible characters that scrapers leave behind; they break hashing and n-grams.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
# Runs of horizontal whitespace (incl. NBSP and other Unicode spaces) become one space. The
# pattern only matches what actually changes -- runs of >= 2, or a single non-" " space -- so
# the common single spaces between words cost no substitution (same result as
# ``[^\S\n]+`` -> " ").
_SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
# ASCII horizontal whitespace other than " " (``\r`` is gone by then): if none of these nor a
# double space occurs, an ASCII text has nothing for _SPACES to change.
_ASCII_ODD_SPACES = ("  ", "\t", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x1f")
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
_QUOTE_CHARS = "".join(map(chr, _QUOTES))
# ASCII characters that are not word characters (``\w``) -> " ", for the ASCII word count.
_ASCII_NON_WORD = str.maketrans(
    {chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")}
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Words: runs of word characters, except that each CJK character counts as one word because
# those scripts do not separate words with spaces.
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def normalize_text(text: str) -> str:
    """NFC, unified newlines, no invisible characters, no trailing spaces, single spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        # ASCII is always NFC and holds no invisible characters (all of them are non-ASCII);
        # most articles are ASCII, so skip those passes and, usually, the regex too.
        if not any(s in text for s in _ASCII_ODD_SPACES):
            return text
        return _SPACES.sub(" ", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # str.translate walks non-ASCII text character by character; a few substring scans are
    # much cheaper, and usually none of the characters is present.
    if any(c in text for c in _INVISIBLE_CHARS):
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
    if text.isascii():
        # The only ASCII character in _QUOTES is the backtick; ASCII casefold == lower.
        text = text.replace("`", "'").lower()
    else:
        if any(c in text for c in _QUOTE_CHARS):  # see normalize_text: translate is slow
            text = text.translate(_QUOTES)
        text = text.casefold()
    # str.split() splits on exactly the characters ``\s`` matches (str.isspace) and drops
    # leading/trailing runs: same as ``re.sub(r"\s+", " ", text).strip()``, without a regex.
    return " ".join(text.split())


def content_hash(body: str) -> str:
    """sha256 hex of the hash form of `body`."""
    return hashlib.sha256(hash_form(body).encode("utf-8")).hexdigest()


def article_id(raw: bytes) -> str:
    """Stable article id from the raw bytes: first 20 hex characters of their sha256."""
    return hashlib.sha256(raw).hexdigest()[:20]


def word_count(text: str) -> int:
    if text.isascii():
        # No CJK in ASCII, so words are runs of ``\w``: blank out everything else and split
        # (str.translate has a fast ASCII path; no match objects or substrings are built).
        return len(text.translate(_ASCII_NON_WORD).split())
    return len(_WORD.findall(text))


# A headline or menu capitalises its words: at least this share of its words of 4+ letters,
# and at least TITLE_CASE_MIN_WORDS of them (running text capitalises names only).
TITLE_CASE_SHARE = 0.75
TITLE_CASE_MIN_WORDS = 3
_LONG_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NO_ASCII_UPPER = str.maketrans(dict.fromkeys(range(ord("A"), ord("Z") + 1)))


def is_title_case(line: str) -> bool:
    """Whether `line` is set in Title Case ("Low Carb Diet Meals and Menus"): a headline,
    a menu, a list of section names; not running text."""
    if line.isascii():
        # Cheap bounds first (language tagging asks this of every prose line of a page): each
        # capitalised word holds a capital, and each all-letter token of 4+ letters is a word.
        upper = len(line) - len(line.translate(_NO_ASCII_UPPER))
        if upper < TITLE_CASE_MIN_WORDS:
            return False
        plain = sum(1 for w in line.split() if len(w) >= 4 and w.isalpha())
        if upper < TITLE_CASE_SHARE * plain:
            return False
    words = _LONG_WORD_RE.findall(line)
    upper = sum(1 for w in words if w[0].isupper())
    return len(words) >= TITLE_CASE_MIN_WORDS and upper >= TITLE_CASE_SHARE * len(words)


# Tables and number lists (Reuters earnings tables: "Shr 75 cts vs 52 cts / Net 1.2 mln vs ...")
# have words, but abbreviations that no language profile knows well: tagged, they come out
# Swedish. A line is a table row when it is short and has a digit, or is a short label ("Nine
# mths"); the text is a table when most of its first lines are rows and most rows have digits.
_ROW_MAX_TOKENS = 10
_TABLE_MIN_ROWS = 3
_TABLE_ROW_SHARE = 0.7
_DIGIT_RE = re.compile(r"\d")
# Without line structure: a text whose tokens are this much figures (tokens without a letter:
# numbers, dashes) is a number list or price table.
_NUMBER_LIST_SHARE = 0.5
_NUMBER_LIST_MIN_TOKENS = 6
_DIGITS_PER_CHAR = 8
# A token without a letter: digits, underscores and punctuation only.
_FIGURE_RE = re.compile(r"(?<!\S)(?:[\d_]|[^\w\s])+(?!\S)")


def looks_like_table(window: str) -> bool:
    """Whether `window`, the beginning of a text, is a table or number list rather than prose."""
    if not _DIGIT_RE.search(window):
        return False
    digits = len(_DIGIT_RE.findall(window))
    # Figures are mostly numbers: a text under 1/8 digits is no number list, which spares most
    # texts the costlier count of figure tokens.
    if _DIGITS_PER_CHAR * digits >= len(window):
        tokens = len(window.split())
        figures = len(_FIGURE_RE.findall(window))
        if tokens >= _NUMBER_LIST_MIN_TOKENS and figures >= _NUMBER_LIST_SHARE * tokens:
            return True
    if window.count("\n") < _TABLE_MIN_ROWS - 1:
        return False  # one or two lines: prose, or a list the figure share judged
    lines = [line for line in window.splitlines() if line and not line.isspace()]
    # A line of more spaces than twice the row limit is prose without splitting it.
    short = [
        line
        for line in lines
        if line.count(" ") <= 2 * _ROW_MAX_TOKENS and len(line.split()) <= _ROW_MAX_TOKENS
    ]
    if len(short) < _TABLE_MIN_ROWS or len(short) < _TABLE_ROW_SHARE * len(lines):
        return False
    with_digits = sum(1 for line in short if _DIGIT_RE.search(line))
    return 2 * with_digits >= len(short)
