"""Originality: spun copies read worse than their source (word rarity and completeness).

A pure function of one article: the same text scores the same in any batch, commit or run,
so a published article's score compares with a later article's (see ``originality``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.core.near_dup import reference
from pipelines.core.near_dup.hashing import hash_words
from pipelines.core.near_dup.reference import ORIG_WORD_RE

__all__ = [
    "ORIG_WORD_RE",
    "SENT_END_CHARS",
    "WordProfile",
    "lang_key",
    "originality",
    "warm_up",
    "word_profile",
]

_PROFILE_ALIASES = {"zh": "zh-cn", "nb": "no", "nn": "no"}


@functools.lru_cache(maxsize=64)
def _char_profile(language: str) -> tuple[dict[str, float], float] | None:
    """langdetect's Wikipedia character-trigram frequencies (a project dependency)."""
    try:
        import langdetect
    except ImportError:  # pragma: no cover - langdetect is a declared dependency
        return None
    name = _PROFILE_ALIASES.get(language, language)
    path = Path(langdetect.__file__).parent / "profiles" / name
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    total = float(data["n_words"][2]) or 1.0
    tri = {g: math.log(c / total) for g, c in data["freq"].items() if len(g) == 3}
    floor = math.log(0.5 / total)
    return tri, floor


# Sentence ends of the scripts the dedup supports: Latin/Cyrillic, CJK full-width, Arabic
# question mark and Urdu full stop, Devanagari danda and double danda (Hindi prose ends most
# sentences with "।", so without it a Hindi article counted one sentence per "." only).
SENT_END_CHARS = ".!?。！？؟۔।॥"

# Weight of log(1 + sentence count): a copy that dropped sentences is less complete than its
# source (spinners and scrapers drop, seldom add, sentences). Synonym swaps leave the count
# unchanged, so for pure spins the word-rarity term decides. Dropping a sentence also drops
# its rarer words, which raises the copy's word term; this weight outweighs that. 4, not the
# 2 of batch frequencies: reference log frequencies spread wider (ln 1e-6 .. ln 0.05 against
# ln 1 .. ln N documents). On dedup_eval at 5k (benchmarks/originality_eval.py, true
# families) 2 / 3 / 4 / 6 keep the original in 0.955 / 0.970 / 0.971 / 0.971 of families
# (0.803 / 0.885 / 0.902 / 0.902 of "edit" families with an undated original); spun
# families 1.000 at each.
_COMPLETENESS_WEIGHT = 4.0
# The word term of an article without a word: below any mean log frequency.
_NO_WORDS = -100.0


def lang_key(language: str) -> str:
    return (language or "").lower().split("-")[0]


@dataclass(frozen=True)
class WordProfile:
    """Compact word statistics of one article for ``originality`` (no text; picklable).

    ids: sorted unique 64-bit hashes of the article's words (``reference.words``; each
    distinct word counts once); sentences: number of sentence ends.
    """

    language: str
    ids: np.ndarray = field(repr=False)
    sentences: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WordProfile):
            return NotImplemented
        return (
            self.language == other.language
            and self.sentences == other.sentences
            and np.array_equal(self.ids, other.ids)
        )

    def __hash__(self) -> int:
        return hash((self.language, self.sentences, self.ids.tobytes()))


def word_profile(text: str, language: str) -> WordProfile:
    """The WordProfile of ``text``: what originality needs, at ~8 bytes per distinct word."""
    lang = lang_key(language)
    # Hash each distinct word once: the ids are the sorted unique hashes either way.
    ids = hash_words(set(reference.words(text, lang)))
    # Counting single characters needs no regex match list.
    sentences = sum(map(text.count, SENT_END_CHARS))
    return WordProfile(lang, ids, sentences)


def warm_up(languages: Iterable[str]) -> None:
    """Build what ``originality`` reads for each of ``languages`` now (a reference table takes
    25-100 ms to build, once per process): a long-lived process that forks workers (the
    watcher) does it once for all of them."""
    for language in languages:
        lang = lang_key(language)
        if reference.table(lang) is None:
            _char_profile(lang)


def originality(text: str, language: str, profile: WordProfile | None = None) -> float:
    """Higher = reads more like a natural, complete source. Comparable only within a language;
    a function of the article alone.

    Spinners substitute rarer synonyms ("coaching foundation" for "training base"), so the
    word term is the mean natural-log frequency of the article's distinct words in a fixed
    reference table of its language (``reference.table``; unknown words count as half the
    rarest entry). Plus ``4 * log(1 + sentences)`` for completeness. ``profile``:
    ``word_profile(text, language)`` when the caller already has it (one tokenisation less).

    Languages without a table fall back to the mean log frequency of the words' character
    trigrams in langdetect's Wikipedia profile, or to minus the mean word length where
    langdetect has no profile either.
    """
    lang = lang_key(language)
    table = reference.table(lang)
    if table is not None:
        if profile is None:
            profile = word_profile(text, lang)
        if not profile.ids.size:
            return _NO_WORDS
        word_term = table.mean_log_freq(profile.ids)
        return word_term + _COMPLETENESS_WEIGHT * math.log1p(profile.sentences)
    words = ORIG_WORD_RE.findall(text.lower())
    if not words:
        return _NO_WORDS
    completeness = _COMPLETENESS_WEIGHT * math.log1p(sum(map(text.count, SENT_END_CHARS)))
    prof = _char_profile(lang)
    if prof is None:
        return -sum(len(w) for w in words) / len(words) + completeness
    tri, floor = prof
    total = 0.0
    for w in words:
        padded = f" {w} "
        grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
        total += sum(tri.get(g, floor) for g in grams) / len(grams)
    return total / len(words) + completeness
