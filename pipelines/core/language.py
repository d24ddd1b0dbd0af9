"""Language tagging on top of langdetect (pure: no Apache Beam).

`detect_language(text, config)` returns a `LanguageTag`: an ISO 639-1 code (``zh-cn``/``zh-tw``
are merged into ``zh``; Norwegian stays ``no``, the macrolanguage, because langdetect cannot tell
Bokmål from Nynorsk) and a confidence in [0, 1]; or ``und`` with confidence 0.0 when the text
cannot tell (empty, no letters, fewer than `min_letters` letters, confidence below
`min_confidence`, or no usable n-gram).

Contract:

- Deterministic: every Detector is seeded with `LanguageConfig.seed`, and the profiles are loaded
  in sorted file order, so the same text and config give the same tag in every call, thread and
  process (on the same Python and langdetect versions). langdetect's global
  ``DetectorFactory.seed`` and its module-level factory are never read or written.
- One langdetect factory (~65 MB of n-gram tables, ~0.2 s to load) per process, loaded lazily
  under a lock on first use or by `warm_up()`. It is read-only afterwards and Detectors are per
  call, so `detect_language` is safe to call from many threads.
- Bounded cost: only a cleaned prefix of about `prefix_chars` characters (cut at a word boundary)
  is examined, whatever the length of the text.

Beyond langdetect: the text is cleaned first; a mostly upper-case text is read in lower case
(langdetect skips ALL-CAPS words); and languages whose script does not occur in the text are
ruled out (see `_LANG_SCRIPTS`). `benchmarks/langid_accuracy.py` measures accuracy and speed
against langdetect's defaults; the reasons for the defaults are in `LanguageConfig`.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

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
    n_trials: langdetect trials (independent random n-gram walks, averaged) for texts longer
        than `short_text_chars`.
    short_text_chars: cleaned texts up to this length get `short_n_trials` (and are always
        examined whole, since it is at most `prefix_chars`).
    short_n_trials: trials for short texts.
    seed: seed of every Detector's random walks.
    min_confidence: when the best language's probability is lower, the answer is ``und``.
    min_letters: when the cleaned prefix has fewer letters, the answer is ``und``.
    alpha: langdetect's smoothing parameter (its own default, 0.5).

    Why the defaults (measured with benchmarks/langid_accuracy.py, 30 languages):

    - prefix_chars 250 and n_trials 2: paragraphs are tagged 99.83 % right (400 chars and 3
      trials: 99.93 %; whole text and 7 trials: 99.93 %) at 1.23x the speed of 400/3 and ~2x
      langdetect's defaults; language tagging was the largest cost of the whole job. A single
      trial is as accurate, but its probability is ~1.0 whatever the text; with 2 a
      disagreement shows as 0.5.
    - short_n_trials 7 (langdetect's default): on one-sentence texts accuracy is flat from 3
      trials (95.74 % vs 95.78 %), but the label depends on the seed for 61 of 3,000 texts with
      3 trials and 39 with 7. Short texts are rare in news, so their extra cost is not felt.
    - min_confidence 0.5: no majority among the trials; such tags were right only about half
      of the time.
    - min_letters 2: one letter says nothing, while two Chinese or Japanese characters (one
      word) are tagged right 95 % of the time.
    """

    prefix_chars: int = 250
    n_trials: int = 2
    short_text_chars: int = 200
    short_n_trials: int = 7
    seed: int = 0
    min_confidence: float = 0.5
    min_letters: int = 2
    alpha: float = 0.5

    def __post_init__(self) -> None:
        for name in (
            "prefix_chars",
            "n_trials",
            "short_text_chars",
            "short_n_trials",
            "seed",
            "min_letters",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an int, got {value!r}")
        for name in ("min_confidence", "alpha"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
        if self.prefix_chars < 20:
            raise ValueError("prefix_chars must be >= 20")
        if not 0 <= self.short_text_chars <= self.prefix_chars:
            raise ValueError("short_text_chars must be within [0, prefix_chars]")
        if self.n_trials < 1 or self.short_n_trials < 1:
            raise ValueError("n_trials and short_n_trials must be >= 1")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if not 0.0 <= self.min_confidence <= 1.0:  # also rejects NaN
            raise ValueError("min_confidence must be within [0, 1]")
        if self.min_letters < 0:
            raise ValueError("min_letters must be >= 0")
        if not 0.0 < self.alpha <= 10.0:
            raise ValueError("alpha must be within (0, 10]")


DEFAULT = LanguageConfig()


@dataclass(frozen=True)
class LanguageTag:
    """ISO 639-1 code (or ``und``) and the probability langdetect gives it, in [0, 1]."""

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


def _prepare(text: str, config: LanguageConfig) -> tuple[str, bool]:
    """The cleaned, bounded text that is handed to langdetect, and whether it is the whole text."""
    window = max(config.prefix_chars * _RAW_WINDOW_FACTOR, _RAW_WINDOW_MIN)
    cleaned = _clean(text[:window])
    sample = _prefix(cleaned, config.prefix_chars)
    return _uncap(sample), len(text) <= window and sample == cleaned


# A language is a candidate for a text only if the text has at least one letter of the script the
# language is written in: no Hangul, not Korean; no Latin letter, not Vietnamese. langdetect has no
# such notion, and its `ko` profile carries Hanja n-grams: it tags 48 of the test set's 100
# two-word Chinese texts and 5 of its 100 one-sentence ones `ko`. The excluded languages start
# the Bayesian update at prior 0 and the rest share it uniformly, so this is langdetect's own
# model restricted to the languages the text could be in. Measured: it fixes those 53 texts and
# changes no other answer in the test set. (Ruling out `ko` alone turns 10 of them into `vi`.)
_SCRIPTS: dict[str, re.Pattern[str]] = {
    name: re.compile(f"[{ranges}]")
    for name, ranges in {
        "latin": "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff",
        "cyrillic": "\u0400-\u052f",
        "greek": "\u0370-\u03ff\u1f00-\u1fff",
        "hebrew": "\u0590-\u05ff",
        "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
        "devanagari": "\u0900-\u097f",
        "bengali": "\u0980-\u09ff",
        "gurmukhi": "\u0a00-\u0a7f",
        "gujarati": "\u0a80-\u0aff",
        "tamil": "\u0b80-\u0bff",
        "telugu": "\u0c00-\u0c7f",
        "kannada": "\u0c80-\u0cff",
        "malayalam": "\u0d00-\u0d7f",
        "thai": "\u0e00-\u0e7f",
        "hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
        "kana": "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f",
        "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
    }.items()
}
_LATIN_LANGS = (
    "af ca cs cy da de en es et fi fr hr hu id it lt lv nl no pl pt ro sk sl so sq sv sw tl tr vi"
)
# langdetect profile name -> the scripts any of which it needs. Profiles not listed (none in
# langdetect 1.0.9) are always candidates.
_LANG_SCRIPTS: dict[str, frozenset[str]] = {
    **{lang: frozenset({"latin"}) for lang in _LATIN_LANGS.split()},
    **{lang: frozenset({"cyrillic"}) for lang in ("bg", "mk", "ru", "uk")},
    **{lang: frozenset({"arabic"}) for lang in ("ar", "fa", "ur")},
    **{lang: frozenset({"devanagari"}) for lang in ("hi", "mr", "ne")},
    "el": frozenset({"greek"}),
    "he": frozenset({"hebrew"}),
    "bn": frozenset({"bengali"}),
    "pa": frozenset({"gurmukhi"}),
    "gu": frozenset({"gujarati"}),
    "ta": frozenset({"tamil"}),
    "te": frozenset({"telugu"}),
    "kn": frozenset({"kannada"}),
    "ml": frozenset({"malayalam"}),
    "th": frozenset({"thai"}),
    "ko": frozenset({"hangul"}),
    # Japanese may be written in kanji alone (headlines, names); Chinese needs Han characters.
    "ja": frozenset({"kana", "han"}),
    "zh-cn": frozenset({"han"}),
    "zh-tw": frozenset({"han"}),
}


def _scripts_in(text: str) -> frozenset[str]:
    distinct = "".join(set(text))  # ~50 distinct characters instead of ~400 to scan 17 times
    return frozenset(name for name, pattern in _SCRIPTS.items() if pattern.search(distinct))


class _Profiles:
    """The process-wide langdetect factory plus what we precompute from it."""

    def __init__(self) -> None:
        factory = DetectorFactory()
        # load_profile() adds the profiles in os.listdir() order, which differs between file
        # systems; a fixed (sorted) order keeps the float sums, hence the results, identical.
        names = sorted(
            name
            for name in os.listdir(PROFILES_DIRECTORY)
            if not name.startswith(".") and os.path.isfile(os.path.join(PROFILES_DIRECTORY, name))
        )
        payloads = []
        for name in names:
            with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as handle:
                payloads.append(handle.read())
        factory.load_json_profile(payloads)
        self.factory = factory
        self.langs: tuple[str, ...] = tuple(factory.get_lang_list())
        self.codes: tuple[str, ...] = tuple(_iso_code(lang) for lang in self.langs)
        # One prior per combination of scripts seen; a handful in practice. Filled lazily; a
        # race only computes the same tuple twice.
        self._priors: dict[frozenset[str], tuple[float, ...] | None] = {}

    def prior_for(self, scripts: frozenset[str]) -> tuple[float, ...] | None:
        """Uniform prior over the languages whose script occurs; None if there is none."""
        prior = self._priors.get(scripts)
        if prior is None and scripts not in self._priors:
            keep = [
                lang not in _LANG_SCRIPTS or bool(_LANG_SCRIPTS[lang] & scripts)
                for lang in self.langs
            ]
            n = sum(keep)
            prior = tuple((1.0 / n if k else 0.0) for k in keep) if n else None
            self._priors[scripts] = prior
        return prior


def _iso_code(lang: str) -> str:
    # langdetect's only non-ISO-639-1 names are zh-cn and zh-tw.
    return lang.split("-", 1)[0]


_profiles: _Profiles | None = None
_profiles_lock = threading.Lock()


def _get_profiles() -> _Profiles:
    global _profiles
    profiles = _profiles
    if profiles is None:
        with _profiles_lock:
            if _profiles is None:
                _profiles = _Profiles()
            profiles = _profiles
    return profiles


def warm_up() -> None:
    """Load the langdetect profiles now (e.g. in a DoFn's setup) instead of on first use."""
    _get_profiles()


def supported_languages() -> frozenset[str]:
    """The codes `detect_language` can return, besides ``und``."""
    return frozenset(_get_profiles().codes)


def detect_language(text: str, config: LanguageConfig = DEFAULT) -> LanguageTag:
    """Tag `text` with its language.

    Only the cleaned (URLs, e-mails and digits removed, whitespace collapsed) prefix of at most
    `config.prefix_chars` characters is examined. Returns ``LanguageTag("und", 0.0)`` when that
    text has fewer than `config.min_letters` letters (or none), has no n-gram langdetect knows,
    or its best language's probability is below `config.min_confidence`.
    """
    sample, whole = _prepare(text, config)
    letters = sum(map(str.isalpha, sample))
    if letters == 0 or letters < config.min_letters:
        return _UND_TAG
    profiles = _get_profiles()
    detector = profiles.factory.create()
    detector.seed = config.seed
    detector.alpha = config.alpha
    # A cut prefix is never "short", even when prefix_chars <= short_text_chars.
    short = whole and len(sample) <= config.short_text_chars
    detector.n_trial = config.short_n_trials if short else config.n_trials
    detector.max_text_length = len(sample)
    prior = profiles.prior_for(_scripts_in(sample))
    if prior is None:
        # Letters only of scripts langdetect has no profile for (Armenian, Georgian, ...).
        return _UND_TAG
    detector.prior_map = prior
    try:
        detector.append(sample)
        detector.get_probabilities()
    except LangDetectException:
        return _UND_TAG
    # Sum, not max, over langdetect profiles that map to one code (zh-cn + zh-tw -> zh).
    merged: dict[str, float] = {}
    for code, prob in zip(profiles.codes, detector.langprob, strict=True):
        merged[code] = merged.get(code, 0.0) + prob
    # Ties go to the alphabetically first code, so the result never depends on dict order.
    language, confidence = min(merged.items(), key=lambda item: (-item[1], item[0]))
    confidence = min(max(confidence, 0.0), 1.0)
    if confidence < config.min_confidence:
        return _UND_TAG
    return LanguageTag(language, confidence)
