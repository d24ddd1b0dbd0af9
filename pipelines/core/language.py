"""Language tagging with langdetect's language profiles, scored deterministically (pure: no Beam).

`detect_language(text, config)` returns a `LanguageTag`: an ISO 639-1 code (``zh-cn``/``zh-tw``
are merged into ``zh``; Norwegian stays ``no``, the macrolanguage, because the profiles cannot tell
Bokmål from Nynorsk) and a confidence in [0, 1]; or ``und`` with confidence 0.0 when the text
cannot tell (empty, no letters, fewer than `min_letters` letters, fewer than `min_words` words of
a language the model must choose, a table or number list, confidence below `min_confidence`, or
no n-gram the profiles know). A wrong tag is worse than ``und``.

The model is langdetect's: its 55 profiles of character 1-, 2- and 3-gram frequencies, its text
normalization (the same table of per-character rules, Vietnamese diacritics, Latin letters dropped
from mostly non-Latin text, n-grams of ALL-CAPS runs skipped) and its smoothing
(``P(gram | lang) + alpha / 10000``). What differs is the scoring. langdetect runs several random
walks over the n-grams, multiplying probabilities until one language passes 0.99999, and averages
the walks; that costs ~1.4 ms per news article in pure-Python loops and the answer depends on the
seed. Here every n-gram of the sample is scored once, as a naive Bayes sum of log-probabilities
gathered from one numpy table (n-grams looked up as packed integer keys): deterministic, ~9x
faster on paragraphs, and about as accurate (`benchmarks/langid_accuracy.py`, which compares it
with langdetect's defaults in one run).

Contract:

- Deterministic: the same text and config give the same tag in every call, thread and process
  (on the same langdetect profiles and numpy). langdetect's global ``DetectorFactory`` and its
  seed are never used.
- One model per process (~40 MB: the n-gram table and its log form, both float32; ~0.5 s to build),
  built lazily under a lock on first use or by `warm_up()`, read-only afterwards: safe to call
  from many threads.
- Bounded cost: only a cleaned prefix of about `prefix_chars` characters (cut at a word boundary)
  is examined, whatever the length of the text.

Beyond langdetect: the text is cleaned first; a mostly upper-case text is read in lower case
(langdetect skips ALL-CAPS words); and the script decides first (`core/scripts.py`): Hangul,
Kana, Han, Greek, Hebrew, Thai and the one-language Indic scripts name the language outright
(confidence 1.0), even with Latin names and tickers around them ("Alexion Pharmaceuticals (ALXN)
可能是…" is zh); Arabic script, Devanagari and Cyrillic (narrowed by its letters) leave the model
only their languages, scored without the Latin letters; Latin text, the Latin-script languages.
Tables and number lists (`text.looks_like_table`: Reuters earnings tables, price lists) and texts
with fewer than `min_words` words are ``und``.

Measured (benchmarks/langid_accuracy.py, 2026-12-02): paragraphs 99.87 %, one-sentence texts
96.10 % (95.87 % before the script rules), the mixed-script set (1,000 non-Latin paragraphs with six
English names/tickers/terms each) 99.80 % (main: 94.1 %), Reuters earnings tables never a wrong
language (und 98.9 %, en 1.1 %; main: 396 of 1,970 wrong, 381 of them sv). CPU time per text
beside main's in the same run (this shared machine swings ~10 % between runs): Latin-script
paragraphs 0.97x, Reuters articles 0.98x, all paragraphs 0.88x (script-decided texts skip the
model; Latin-only samples take a regex fast path through the script check).
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from dataclasses import dataclass

import numpy as np
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

from pipelines.core import scripts
from pipelines.core import text as textlib
from pipelines.core.text import is_title_case

__all__ = [
    "DEFAULT",
    "UND",
    "LanguageConfig",
    "LanguageTag",
    "detect_language",
    "supported_languages",
    "warm_up",
]

UND = "und"


@dataclass(frozen=True)
class LanguageConfig:
    """Knobs of `detect_language`; validated on construction (ValueError).

    prefix_chars: at most this many characters of the cleaned text are examined, cut back to a
        word boundary; a longer text is tagged by its beginning.
    evidence_ngrams: the confidence is the posterior of a text with this many n-grams of the
        same average evidence: the summed log-likelihoods are scaled by
        ``min(1, evidence_ngrams / n)`` for a sample of ``n`` known n-grams. A plain naive Bayes
        posterior over hundreds of n-grams is 1.0 for right and wrong answers alike; scaled,
        it says how clearly the best language wins per n-gram. It never changes which language
        wins within one profile (zh-cn + zh-tw are summed after scaling).
    min_confidence: when the best language's confidence is lower, the answer is ``und``.
    min_letters: when the cleaned prefix has fewer letters, the answer is ``und``.
    min_words: when the script leaves the model several languages (Latin, Cyrillic, Arabic,
        Devanagari) and the prefix has fewer words of that script, the answer is ``und``.
    alpha: langdetect's smoothing parameter (its own default, 0.5): every n-gram's probability
        is raised by ``alpha / 10000`` before the log.

    Why the defaults (measured with benchmarks/langid_accuracy.py, 30 languages x 100 texts
    of each kind):

    - prefix_chars 250: paragraphs are tagged 99.87 % right, one-sentence texts 95.87 %, two-word
      pairs 77.63 % (langdetect's defaults on whole texts, same run: 100.0 / 95.57 / 76.57 %) at
      ~9x its speed on paragraphs. Language tagging was the largest cost of the whole job.
    - evidence_ngrams 20 and min_confidence 0.4: 0.4 % of one-sentence texts and 3.6 % of pairs
      come out ``und``, most of which the plain argmax gets wrong. Measured alternatives
      (paragraph / one-sentence): 20 and 0.5: 99.83 / 95.33 %; 30 and 0.5: 99.87 / 95.73 %;
      40 and 0.5: 99.87 / 95.93 %, but then almost nothing is ever ``und``.
    - min_letters 2: one letter says nothing, while two Chinese or Japanese characters (one
      word) are tagged right most of the time.
    - min_words 3: two-word texts were tagged 77.6 % right and 18.4 % wrong; with 3 those in
      scripts the model decides are ``und`` (pairs overall: 16.9 % right -- Chinese, Japanese,
      Korean, Greek --, none wrong); one-sentence texts: 96.10 % right (96.17 % with 2). In
      Latin-only samples words are whitespace tokens of the cleaned sample.
    """

    prefix_chars: int = 250
    evidence_ngrams: int = 20
    min_confidence: float = 0.4
    min_letters: int = 2
    min_words: int = 3
    alpha: float = 0.5

    def __post_init__(self) -> None:
        for name in ("prefix_chars", "evidence_ngrams", "min_letters", "min_words"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an int, got {value!r}")
        for name in ("min_confidence", "alpha"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
        if self.prefix_chars < 20:
            raise ValueError("prefix_chars must be >= 20")
        if self.evidence_ngrams < 1:
            raise ValueError("evidence_ngrams must be >= 1")
        if not 0.0 <= self.min_confidence <= 1.0:  # also rejects NaN
            raise ValueError("min_confidence must be within [0, 1]")
        if self.min_letters < 0:
            raise ValueError("min_letters must be >= 0")
        if self.min_words < 0:
            raise ValueError("min_words must be >= 0")
        if not 0.0 < self.alpha <= 10.0:
            raise ValueError("alpha must be within (0, 10]")


DEFAULT = LanguageConfig()


@dataclass(frozen=True)
class LanguageTag:
    """ISO 639-1 code (or ``und``) and the confidence of that answer, in [0, 1]."""

    language: str
    confidence: float


_UND_TAG = LanguageTag(UND, 0.0)

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


def _prepare(text: str, config: LanguageConfig) -> str:
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


# langdetect's Detector.cleaning_text: when a text has more than twice as many non-Latin characters
# (from U+0300, except Latin Extended Additional) as Latin ones ("A" to "z", its own range), the
# Latin ones are dropped: a few English words in a Russian text say nothing about Russian.
_ASCII_RANGE_RE = re.compile("[A-z]")
_NON_LATIN_RE = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
# langdetect's Detector.BASE_FREQ: alpha / BASE_FREQ is added to every n-gram probability.
_BASE_FREQ = 10_000


_SHIFT = np.uint64(21)  # bits per code point in a packed n-gram key


def _pack(gram: str) -> int:
    key = 0
    for char in gram:
        key = (key << 21) | ord(char)
    return key


class _NormalizeTable(dict):
    """NGram.normalize as a str.translate table, filled per character on first sight.

    str.translate looks characters up with __getitem__, so __missing__ runs once per distinct
    character instead of once for each of the 63k BMP characters when the model is built.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        # Like langdetect: BMP characters only, surrogates (from undecodable bytes) untouched.
        plain = code >= 0x10000 or 0xD800 <= code < 0xE000
        self[code] = value = char if plain else NGram.normalize(char)
        return value


class _Model:
    """langdetect's profiles as one table: n-gram -> row, P(n-gram | language) per column."""

    def __init__(self) -> None:
        # Profiles are read in sorted file order, so column order (and every float sum) is the
        # same on every file system.
        names = sorted(
            name
            for name in os.listdir(PROFILES_DIRECTORY)
            if not name.startswith(".") and os.path.isfile(os.path.join(PROFILES_DIRECTORY, name))
        )
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        probs: list[float] = []
        langs = []
        for col, name in enumerate(names):
            with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as handle:
                profile = json.load(handle)
            langs.append(profile["name"])
            n_words = profile["n_words"]
            # As langdetect's DetectorFactory.add_profile: P = count / n-grams of that length.
            for gram, count in profile["freq"].items():
                if 1 <= len(gram) <= 3:
                    rows.append(vocab.setdefault(gram, len(vocab)))
                    cols.append(col)
                    probs.append(count / n_words[len(gram) - 1])
        # Sparse: ~4 % of (n-gram, language) cells are non-zero.
        self._cells = (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp))
        self._cell_probs = np.array(probs, dtype=np.float64)
        self._shape = (len(vocab), len(langs))
        self.vocab = vocab
        self.langs: tuple[str, ...] = tuple(langs)
        self.codes: tuple[str, ...] = tuple(_iso_code(lang) for lang in langs)
        # Column -> position of its ISO code in `merged_codes` (sorted, so ties in argmax go
        # to the alphabetically first code).
        self.merged_codes: tuple[str, ...] = tuple(sorted(set(self.codes)))
        self.code_index = np.array([self.merged_codes.index(code) for code in self.codes])
        self.translate = _NormalizeTable()
        # The vocabulary as sorted integer keys (code points packed 21 bits each; code points
        # are never 0 here, so 1-, 2- and 3-gram keys cannot collide) for a vectorised lookup.
        packed = np.array([_pack(gram) for gram in vocab], dtype=np.uint64)
        order = np.argsort(packed)
        self.keys = packed[order]
        self.key_rows = np.arange(len(vocab), dtype=np.intp)[order]
        self._upper = np.array([chr(c).isupper() for c in range(0x10000)], dtype=bool)
        self._log_tables: dict[float, np.ndarray] = {}
        self._lock = threading.Lock()
        # One log-prior per set of candidate profiles (a script's); a handful in practice.
        self._priors: dict[frozenset[str], np.ndarray] = {}
        self.log_table(DEFAULT.alpha)

    def log_table(self, alpha: float) -> np.ndarray:
        """log(P + alpha / BASE_FREQ) per n-gram and language, float32 (one per alpha used)."""
        table = self._log_tables.get(alpha)
        if table is None:
            with self._lock:
                table = self._log_tables.get(alpha)
                if table is None:
                    # Computed in float64 per cell, as log(P + smoothing) of the dense table.
                    floor = np.float32(np.log(alpha / _BASE_FREQ))
                    table = np.full(self._shape, floor, dtype=np.float32)
                    table[self._cells] = np.log(self._cell_probs + alpha / _BASE_FREQ)
                    self._log_tables[alpha] = table
        return table

    def log_prior(self, profiles: frozenset[str]) -> np.ndarray:
        """0 for the `profiles` (langdetect names), -inf for the rest."""
        prior = self._priors.get(profiles)
        if prior is None:
            keep = np.array([lang in profiles for lang in self.langs])
            prior = np.where(keep, 0.0, -np.inf)
            self._priors[profiles] = prior  # a race only computes the same array twice
        return prior

    def ngram_rows(self, sample: str) -> np.ndarray:
        """Rows of the n-grams langdetect would extract from `sample` (unknown ones left out)."""
        keys = self.ngram_keys(sample)
        return self.lookup(keys)[0]

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, int]:
        """(rows of the known n-gram `keys`, how many keys are unknown)."""
        if not keys.size:
            return np.zeros(0, dtype=np.intp), 0
        found = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        known = self.keys[found] == keys
        rows = self.key_rows[found[known]]
        return rows, len(keys) - len(rows)

    def ngram_keys(self, sample: str, drop_latin: bool = True) -> np.ndarray:
        """Packed keys of the n-grams langdetect would extract from `sample`.

        `drop_latin`: langdetect's rule (Latin letters dropped from mostly non-Latin text).
        """
        text = NGram.normalize_vi(sample)
        if drop_latin and not text.isascii():
            latin = len(_ASCII_RANGE_RE.findall(text))
            if latin * 2 < len(_NON_LATIN_RE.findall(text)):
                text = _ASCII_RANGE_RE.sub("", text)
        normal = text.translate(self.translate)
        words = normal.split()
        if not words:
            return np.zeros(0, dtype=np.uint64)
        # langdetect pads each word with the space before it and the one after it, but the text
        # is not padded at its end: a last word that ends the text has no trailing n-grams.
        # One single-spaced string gives every word its padding; an n-gram ending at position
        # e is s[e-n+1 : e+1], and 3-grams with a space in the middle would span two words.
        padded = " " + " ".join(words) + (" " if normal[-1].isspace() else "")
        cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        space = cp == 32
        upper = self._upper[np.minimum(cp, 0xFFFF)] & (cp < 0x10000)
        # langdetect's NGram skips the n-grams that end on an upper-case letter right after
        # another one (acronyms, ALL-CAPS runs).
        ok = np.ones(len(cp), dtype=bool)
        ok[1:] = ~(upper[1:] & upper[:-1])
        ends1 = np.flatnonzero(ok & ~space)
        ends2 = np.flatnonzero(ok[1:]) + 1
        ends3 = np.flatnonzero(ok[2:] & ~space[1:-1]) + 2
        return np.concatenate(
            [
                cp[ends1],
                (cp[ends2 - 1] << _SHIFT) | cp[ends2],
                (cp[ends3 - 2] << (2 * _SHIFT)) | (cp[ends3 - 1] << _SHIFT) | cp[ends3],
            ]
        )


def _iso_code(lang: str) -> str:
    # langdetect's only non-ISO-639-1 names are zh-cn and zh-tw.
    return lang.split("-", 1)[0]


_model: _Model | None = None
_model_lock = threading.Lock()


def _get_model() -> _Model:
    global _model
    model = _model
    if model is None:
        with _model_lock:
            if _model is None:
                _model = _Model()
            model = _model
    return model


def warm_up() -> None:
    """Build the model now (e.g. in a DoFn's setup) instead of on first use."""
    _get_model()


def supported_languages() -> frozenset[str]:
    """The codes `detect_language` can return, besides ``und``."""
    return frozenset(_get_model().codes)


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


def _prose_lines(text: str, limit: int, headlines: bool = False) -> str:
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


def _leading_prose(text: str, limit: int) -> str:
    """The prose lines a text of several lines opens with (see _prose_lines); "" for a one-line
    text (a sentence, a paragraph: its own prose) or one without enough prose near its top.

    langdetect's profiles are case-sensitive, and word-initial capitals are German's mark: a
    scraped page that opens with Title-Case menus and headlines ("Weight Loss Program / Low
    Carb Diet / Diet Meals and Menus") was tagged `de`, or `und`, though its article is English.
    """
    head = text[:_PROSE_SCAN_CHARS]
    return _prose_lines(head, limit) if "\n" in head else ""


def detect_language(text: str, config: LanguageConfig = DEFAULT) -> LanguageTag:
    """Tag `text` with its language.

    Only the cleaned (URLs, e-mails and digits removed, whitespace collapsed) prefix of at most
    `config.prefix_chars` characters is examined. Returns ``LanguageTag("und", 0.0)`` when that
    text has fewer than `config.min_letters` letters (or none), has no n-gram the profiles know,
    or its best language's confidence is below `config.min_confidence`.
    """
    prose = _leading_prose(text, config.prefix_chars)
    sample = _prepare(prose or text, config)
    letters = sum(map(str.isalpha, sample))
    if letters == 0 or letters < config.min_letters:
        return _UND_TAG
    verdict = scripts.script_verdict(sample)
    if verdict is None:
        # Letters only of scripts no profile covers (Armenian, Georgian, ...).
        return _UND_TAG
    if verdict.decided:
        (profile,) = verdict.profiles
        return LanguageTag(_iso_code(profile), 1.0)
    if verdict.words < config.min_words:
        return _UND_TAG
    if not prose and textlib.looks_like_table(text[: 2 * config.prefix_chars]):
        # A table or number list -- or a scraped page whose menus and dates come first: then
        # its prose lines, if it has any, say the language.
        prose = _prose_lines(text, 2 * config.prefix_chars, headlines=True)
        return detect_language(prose, config) if prose and prose != text else _UND_TAG
    if verdict.script != scripts.LATIN and not sample.isascii():
        # Names, tickers and terms in Latin letters say nothing about a Cyrillic, Arabic or
        # Devanagari text's language (langdetect drops them only when they are few).
        sample = _ASCII_RANGE_RE.sub("", sample)
    model = _get_model()
    prior = model.log_prior(verdict.profiles)
    rows = model.ngram_rows(sample)
    if not rows.size:
        return _UND_TAG
    # Naive Bayes: the summed log-probabilities of all n-grams (float64 accumulation of the
    # float32 table), scaled to `evidence_ngrams` n-grams' worth (see LanguageConfig).
    scores = model.log_table(config.alpha)[rows].sum(axis=0, dtype=np.float64)
    scores *= min(1.0, config.evidence_ngrams / len(rows))
    scores += prior
    scores -= scores.max()
    posterior = np.exp(scores)
    posterior /= posterior.sum()
    # Sum over profiles that map to one code (zh-cn + zh-tw -> zh).
    merged = np.bincount(model.code_index, weights=posterior, minlength=len(model.merged_codes))
    best = int(np.argmax(merged))  # ties go to the alphabetically first code
    confidence = min(max(float(merged[best]), 0.0), 1.0)
    if math.isnan(confidence) or confidence < config.min_confidence:
        return _UND_TAG
    return LanguageTag(model.merged_codes[best], confidence)


@dataclass(frozen=True)
class Plausibility:
    """How well a text fits its best-fitting language profile (see `plausibility`).

    `language` is the langdetect profile name (``zh-cn``, not ``zh``).
    """

    language: str
    log_likelihood: float
    ngrams: int

    @property
    def mean(self) -> float:
        """Mean log-probability per n-gram (-inf for a text without n-grams)."""
        return self.log_likelihood / self.ngrams if self.ngrams else -math.inf


# A letter whose probability among a profile's 1-grams is lower is foreign to that language: ī or
# č in French, ė in Dutch. Charset detection penalises them: one wrong code page often changes a
# single letter of a word, which n-grams alone weigh lightly.
_FOREIGN_LETTER_P = 1e-5
_SYLLABARIES = "\u2e80"  # from here on: CJK (Hangul Jamo below it are rare in text)


def foreign_letters(text: str, profile: str) -> int:
    """How many non-ASCII letters of `text` (alphabets only) are foreign to `profile` (a
    langdetect profile name; 0 for an unknown one)."""
    if text.isascii():
        return 0
    model = _get_model()
    try:
        col = model.langs.index(profile)
    except ValueError:
        return 0
    floor = math.log(_FOREIGN_LETTER_P + DEFAULT.alpha / _BASE_FREQ)  # the table is smoothed
    table = model.log_table(DEFAULT.alpha)
    count = 0
    for letter in set(text):
        if letter.isascii() or not letter.isalpha() or letter >= _SYLLABARIES:
            continue  # Han, Kana and Hangul are too many for a profile to know them all
        row = model.vocab.get(letter.translate(model.translate))
        if row is None or table[row, col] < floor:
            count += text.count(letter)
    return count


def plausibility(text: str, alpha: float = DEFAULT.alpha) -> Plausibility:
    """Summed log-probability of all of `text`'s n-grams under its best-fitting profile.

    Unlike `detect_language`, every n-gram counts, unknown ones at the smoothing floor, and Latin
    letters are never dropped: charset detection compares decodings of the same bytes with it,
    and mojibake shows up as n-grams no language has.
    """
    model = _get_model()
    keys = model.ngram_keys(text, drop_latin=False)
    rows, unknown = model.lookup(keys)
    if not keys.size:
        return Plausibility(UND, 0.0, 0)
    floor = math.log(alpha / _BASE_FREQ)
    scores = model.log_table(alpha)[rows].sum(axis=0, dtype=np.float64) + unknown * floor
    best = int(np.argmax(scores))
    return Plausibility(model.langs[best], float(scores[best]), int(keys.size))
