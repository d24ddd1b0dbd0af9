"""What `detect_language` scores: a cleaned, bounded prefix of a text, or the prose lines a
scraped page opens with."""

from __future__ import annotations

import re

from pipelines.core.language.config import LanguageConfig
from pipelines.core.text import is_title_case

# langdetect already drops ASCII URLs and e-mails, but only after its own 10,000-char cut; doing it
# (and dropping digits, which it maps to spaces anyway) before our prefix cut keeps the prefix's
# budget for words. `\d` also covers non-ASCII digits (Arabic-Indic, Devanagari, full-width).
_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_DIGITS_RE = re.compile(r"\d+")
_SPACE_RE = re.compile(r"\s+")
# How much raw text to clean for a prefix: generous, because URLs, digits and markup can take a
# lot of a news text's beginning, but bounded so a 10 MB article costs the same as a 10 kB one.
_RAW_WINDOW_FACTOR = 4
_RAW_WINDOW_MIN = 2048
_WINDOW_MARGIN = 64

# A word boundary this far back from the cut is still accepted; texts without spaces (Chinese,
# Japanese, Thai) are cut hard.
_MAX_BOUNDARY_BACKOFF = 0.5


def _clean(text: str) -> str:
    # The cheap membership tests skip the regexes on the (usual) texts without URL or e-mail.
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL_RE.sub(" ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(" ", text)
    text = _DIGITS_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _uncap(text: str) -> str:
    # langdetect ignores the n-grams of ALL-CAPS words (to skip acronyms). An all-caps headline
    # would then have no features at all and come out `und` (or worse, a wrong language from the
    # few lower-case leftovers), so a text that is mostly capitals is read in lower case.
    # Mixed-case text is left alone: capitalised German nouns, for one, help the detector.
    upper = sum(map(str.isupper, text))
    if upper and upper > sum(map(str.islower, text)):
        return text.lower()
    return text


def _prefix(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    if cut < limit * _MAX_BOUNDARY_BACKOFF:
        return text[:limit]
    return text[:cut]


def prepare(text: str, config: LanguageConfig) -> str:
    """The cleaned, bounded sample that is scored."""
    limit = config.prefix_chars
    # Cleaning is the costly part: try a window of about twice the prefix first, and clean the
    # larger one only when noise (URLs, digits) left too little text. The margin keeps a token
    # that straddles the window's end away from the prefix.
    window = 2 * limit + _WINDOW_MARGIN
    cleaned = _clean(text[:window])
    if len(text) > window and len(cleaned) < limit + _WINDOW_MARGIN:
        cleaned = _clean(text[: max(limit * _RAW_WINDOW_FACTOR, _RAW_WINDOW_MIN)])
    return _uncap(_prefix(cleaned, limit))


# A prose line has at least this many words (table rows and menu items have fewer), is not set
# in Title Case (a headline, a menu), and has at most one digit in this many characters (a long
# row of an earnings table has many more); the prose of a page must be this long to decide
# (one stray line of a table must not).
_PROSE_LINE_WORDS = 10
_PROSE_MAX_DIGITS = 20
_PROSE_MIN_CHARS = 200
# A page's prose is looked for in this many leading characters: menus and headline lists above
# a scraped article run to a few thousand.
_PROSE_SCAN_CHARS = 4096


def prose_lines(text: str, limit: int, headlines: bool = False) -> str:
    """The prose lines of `text` (see _PROSE_LINE_WORDS), up to about `limit` characters;
    "" when they are fewer than _PROSE_MIN_CHARS. `headlines`: long Title-Case lines count."""
    kept: list[str] = []
    size = 0
    for line in text.splitlines():
        if line.count(" ") < _PROSE_LINE_WORDS - 1 or len(line.split()) < _PROSE_LINE_WORDS:
            continue
        if _PROSE_MAX_DIGITS * sum(map(str.isdigit, line)) <= len(line) and (
            headlines or not is_title_case(line)
        ):
            kept.append(line)
            size += len(line)
            if size >= limit:
                break
    prose = "\n".join(kept)
    return prose if len(prose) >= _PROSE_MIN_CHARS else ""


def leading_prose(text: str, limit: int) -> str:
    """The prose lines a text of several lines opens with (see prose_lines); "" for a one-line
    text (a sentence, a paragraph: its own prose) or one without enough prose near its top.

    langdetect's profiles are case-sensitive, and word-initial capitals are German's mark: a
    scraped page that opens with Title-Case menus and headlines ("Weight Loss Program / Low
    Carb Diet / Diet Meals and Menus") was tagged `de`, or `und`, though its article is English.
    """
    head = text[:_PROSE_SCAN_CHARS]
    return prose_lines(head, limit) if "\n" in head else ""
