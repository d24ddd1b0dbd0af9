"""Which legacy (non-UTF) encoding a text file is in, and how sure that is (pure: no Beam).

`detect_legacy(data)` decodes a sample of the bytes with every candidate encoding that accepts them
(`LEGACY_ENCODINGS`: the Windows code pages 1250-1258, ISO-8859-1..16, KOI8-R/U, Shift-JIS,
EUC-JP, EUC-KR, GB2312/GBK/GB18030, Big5), merges candidates that give the same text, and ranks
the distinct texts by how plausible they are as language: the mean log-probability per character
n-gram under the best-fitting of langdetect's 55 language profiles (`language.plausibility`), with
unknown n-grams at the smoothing floor. Mojibake -- Cyrillic read as Latin-1 ("Ïðèâåò"), Latin
letters read as Han characters, Greek read as Cyrillic -- is made of n-grams no language has, so it
ranks low; so do words mixing scripts ("Zьrich"), case flips inside words ("НќФъРД"), private-use
characters and control characters, which are penalised. The confidence is how far the winner is
ahead of the runner-up, in log-likelihood over the whole sample:
``1 - exp(-margin / CONFIDENCE_SCALE)``.

Why own code: charset-normalizer 3.5 (the library Beam already pulls in) decodes 13 of the 15
texts of issue 12 right; it reads Czech ISO-8859-2 as cp1250 (š -> ą) and Turkish cp1254 as cp1250
or ISO-8859-10, garbling them silently, and it names cp1252 text cp1250. This ranking gets all 15
right and, on `benchmarks/encodings.py`'s 2,363 files (30 languages x 35 encodings), decodes
96.9 % right and garbles none (the uncertain 1.9 % are quarantined), where charset-normalizer
gets 86.1 % right and garbles 12.9 %. It costs several times charset-normalizer's time per legacy
file (all candidates are scored with the language model); UTF-8 files never get here.
"""

from __future__ import annotations

import codecs
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.core import language

__all__ = ["LEGACY_ENCODINGS", "CharsetGuess", "detect_legacy"]

# Candidates in order of preference: when several give the same text, the first one names it
# (cp1252 before ISO-8859-1 and -15, which differ from it only in bytes a text rarely has).
LEGACY_ENCODINGS: tuple[str, ...] = (
    "cp1252",
    "iso8859-1",
    "iso8859-15",
    "cp1250",
    "iso8859-2",
    "cp1251",
    "koi8-r",
    "koi8-u",
    "iso8859-5",
    "cp1253",
    "iso8859-7",
    "cp1254",
    "iso8859-9",
    "cp1255",
    "iso8859-8",
    "cp1256",
    "iso8859-6",
    "cp1257",
    "iso8859-13",
    "iso8859-4",
    "cp1258",
    "iso8859-3",
    "iso8859-10",
    "iso8859-14",
    "iso8859-16",
    "cp874",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "big5hkscs",
)
# Bytes of a file decoded and scored per candidate: enough text to tell encodings apart (a few
# hundred words), bounded so a large file costs the same as a small one.
SAMPLE_BYTES = 8192
# Candidates are first scored on this many characters of their words (the heats) and only the
# FINALISTS best on the whole sample: several times less work on Cyrillic, Greek or CJK text,
# where every single-byte code page decodes the bytes. The right decoding is always among the
# finalists on benchmarks/encodings.py (with 250 heat characters it was not, twice).
HEAT_CHARS = 400
FINALISTS = 4
# ASCII words kept for context when scoring a decoding (see _focus).
_CONTEXT_WORDS = 40
# confidence = 1 - exp(-margin / CONFIDENCE_SCALE), margin in nats over the sample. With 16 a
# margin of 11 nats (about two n-grams that the runner-up gets at the floor and the winner at a
# typical probability) is confidence 0.5.
CONFIDENCE_SCALE = 16.0
# Penalty, in nats, per word whose letters mix scripts (Latin and Cyrillic in "Zьrich", Latin and
# Greek in "cafι", Latin around Han in "M黱chen"): what one byte read in the wrong code page
# leaves in an otherwise right word, and what real text almost never has. About one unknown
# n-gram's worth; the n-grams of the odd letter are scored too.
MIXED_WORD_PENALTY = 10.0
# Penalty, in nats, per upper-case letter right after a lower-case one within a word: Cyrillic
# or Greek read in the wrong code page alternates case ("НќФъРД"); real text rarely does
# ("iPhone", "McDonald").
CASE_FLIP_PENALTY = 5.0
# Romanian ș ț are written with a cedilla (ş ţ) in cp1250 and ISO-8859-2 and with a comma below in
# ISO-8859-16: the same letters, so decodings differing only there are one text (the preferred
# encoding names it), not a doubt.
_SAME_LETTERS = str.maketrans("șțȘȚ", "şţŞŢ")
# C1 control characters: what ISO-8859-x make of Windows punctuation bytes; never in real text.
_C1 = re.compile("[\x80-\x9f]")
# Other control characters (as in decode.py): NULs of UTF-32 read as UTF-16, say.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CharsetGuess:
    """The most plausible decoding: `text` of the whole input, its encoding and confidence.

    `language` is the best-fitting language profile of the sample (a hint, not a tag);
    `runner_up` names the encoding of the best different text ('' when there was none).
    """

    text: str
    encoding: str
    confidence: float
    language: str
    runner_up: str = ""


def _script_class(code: int) -> str:
    char = chr(code)
    if 0x200C <= code <= 0x200F:
        # Zero-width (non-)joiners and bidi marks belong inside Arabic-script words (Persian
        # writes ZWNJ there); what cp1256 makes of Latin-1's "ş" and "ı" ("çar\u200famba").
        return "A"
    if not char.isalpha() and unicodedata.category(char) != "Mn":
        return " "
    if code < 0x250 or 0x1E00 <= code < 0x1F00 or 0x300 <= code < 0x370:
        return "L"
    if 0x370 <= code < 0x400 or 0x1F00 <= code < 0x2000:
        return "G"
    if 0x400 <= code < 0x530:
        return "C"
    if 0x590 <= code < 0x600:
        return "H"
    if 0x600 <= code < 0x800 or 0xFB50 <= code < 0xFF00:
        return "A"
    if 0xE00 <= code < 0xE80:
        return "T"
    if 0x1100 <= code < 0x1200 or 0x3130 <= code < 0x3190 or 0xAC00 <= code < 0xD7B0:
        return "W"  # Hangul
    if 0x2E80 <= code < 0xA000 or 0xF900 <= code < 0xFB00:
        return "K"  # Han and Kana: one class, they mix within Japanese words
    if code >= 0xFF00:
        return "K"
    return "O"


# Characters real text does not have: private-use and supplementary-plane code points (what
# GB18030 and Big5-HKSCS make of byte pairs that are no characters), spacing diacritics without a
# letter (ˇ ˘ ˙ ˛ ˝ ¸), box drawing and block elements (what KOI8 and cp866 make of letters), ¤.
_ODD_CHARS = re.compile(
    "[\ue000-\uf8ff\U00020000-\U0010ffff\u02c7\u02d8-\u02dd\u00b8\u2500-\u259f\u00a4]"
)


class _ScriptTable(dict):
    """str.translate table: character -> script class letter (non-letters -> space)."""

    def __missing__(self, code: int) -> str:
        self[code] = value = _script_class(code)
        return value


_SCRIPT_TABLE = _ScriptTable()


class _CaseTable(dict):
    """str.translate table: lower-case letter -> "l", upper-case -> "u", anything else -> " "."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        self[code] = value = "l" if char.islower() else "u" if char.isupper() else " "
        return value


_CASE_TABLE = _CaseTable()
# Script mixes real words have: Latin next to Han or Kana ("用Python写", "A股") or Hangul
# ("LG전자").
_LATIN_CJK = frozenset("LK")
_NORMAL_MIXES = frozenset({_LATIN_CJK, frozenset("LW")})


def _mixed_words(text: str) -> int:
    """How many words mix letters of different scripts in a way real text does not.

    In mostly Latin text (fewer CJK characters than a quarter of its Latin letters) any CJK
    character glued to a Latin letter counts: Latin text read as Shift-JIS or GBK turns a
    letter and its neighbour into one Han character ("S疽"), while a Chinese name in a Latin
    text stands apart.
    """
    classes = text.translate(_SCRIPT_TABLE)
    mostly_latin = "K" in classes and 4 * classes.count("K") < classes.count("L")
    count = 0
    for word in classes.split():
        if len(word) > 1 and word.count(word[0]) != len(word):
            kinds = frozenset(word)
            if kinds not in _NORMAL_MIXES or (mostly_latin and kinds == _LATIN_CJK):
                count += 1
    return count


def _decode_sample(data: bytes, encoding: str, final: bool) -> str | None:
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(data, final)
    except UnicodeDecodeError:
        return None
    return None if _C1.search(text) else text


def _case_flips(text: str) -> int:
    """Upper-case letters right after a lower-case one ("НќФъРД", "cafÉ"): mojibake, not text."""
    return text.translate(_CASE_TABLE).count("lu")


def _focus(text: str) -> str:
    """The words of `text` that tell decodings apart, and `_CONTEXT_WORDS` that set the scene.

    Whitespace bytes are whitespace in every candidate (no multi-byte candidate uses them as
    trail bytes), so a word of ASCII bytes is the same text in every candidate's decoding and
    cannot tell them apart. All words with a non-ASCII character are kept; of the ASCII ones
    only the first `_CONTEXT_WORDS`, so that the best-fitting language is that of the text and
    not of a lone "café". Saves most of the scoring of mostly-ASCII text.
    """
    words = text.split()
    context = 0
    kept = []
    for word in words:
        if not word.isascii():
            kept.append(word)
        elif context < _CONTEXT_WORDS:
            kept.append(word)
            context += 1
    return " ".join(kept)


# Half-width katakana and CJK punctuation (U+FF61-U+FF9F): what Shift-JIS makes of a lone
# Latin-1 byte ("£" -> "｣"). Odd in a mostly Latin text, where nothing else tells the two apart.
_HALFWIDTH = re.compile("[\uff61-\uff9f]")


def _halfwidth_in_latin(text: str) -> int:
    found = len(_HALFWIDTH.findall(text))
    if not found:
        return 0
    classes = text.translate(_SCRIPT_TABLE)
    return found if 4 * classes.count("K") < classes.count("L") else 0


def _score(text: str) -> language.Plausibility:
    fit = language.plausibility(text)
    odd = _mixed_words(text) + len(_ODD_CHARS.findall(text)) + len(_CONTROL.findall(text))
    odd += _halfwidth_in_latin(text)
    odd += language.foreign_letters(text, fit.language)
    penalty = MIXED_WORD_PENALTY * odd + CASE_FLIP_PENALTY * _case_flips(text)
    return language.Plausibility(fit.language, fit.log_likelihood - penalty, fit.ngrams)


def detect_legacy(data: bytes, encodings: Sequence[str] = LEGACY_ENCODINGS) -> CharsetGuess | None:
    """The most plausible decoding of `data` among `encodings` (earlier ones name a text several
    give), or None when none of them decodes it."""
    sample = data[:SAMPLE_BYTES]
    final = len(data) <= SAMPLE_BYTES
    # text -> first (preferred) encoding that gives it
    texts: dict[str, str] = {}
    seen: set[str] = set()
    for encoding in encodings:
        text = _decode_sample(sample, encoding, final)
        if text is None:
            continue
        folded = text.translate(_SAME_LETTERS)
        if folded not in seen:
            seen.add(folded)
            texts[text] = encoding
    focus = {text: _focus(text) for text in texts}
    if len(texts) > FINALISTS:
        # Heats: every candidate on the beginning of its words, the best few on all of them.
        heats = sorted(texts, key=lambda text: _score(focus[text][:HEAT_CHARS]).mean, reverse=True)
        texts = {text: texts[text] for text in heats[:FINALISTS]}
    ranked = sorted(
        ((_score(focus[text]), text, encoding) for text, encoding in texts.items()),
        key=lambda item: item[0].mean,
        reverse=True,
    )
    for i, (score, _, encoding) in enumerate(ranked):
        try:
            full = data.decode(encoding) if not final else None
        except UnicodeDecodeError:
            continue  # fails after the sample: not this one
        if full is not None and _C1.search(full):
            continue
        rest = ranked[i + 1 :]
        if rest:
            runner = rest[0]
            margin = (score.mean - runner[0].mean) * score.ngrams
            confidence = 1.0 - math.exp(-max(margin, 0.0) / CONFIDENCE_SCALE)
            runner_up = runner[2]
        else:
            confidence, runner_up = 1.0, ""
        text = full if full is not None else ranked[i][1]
        hint = score.language.split("-", 1)[0]  # profile name -> ISO 639-1 (zh-cn -> zh)
        return CharsetGuess(text, encoding, confidence, hint, runner_up)
    return None
