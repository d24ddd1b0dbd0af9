"""How well a text fits its best language profile: what charset detection compares
decodings by."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pipelines.core.language.config import DEFAULT, UND
from pipelines.core.language.model import BASE_FREQ, get_model


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
    model = get_model()
    try:
        col = model.langs.index(profile)
    except ValueError:
        return 0
    floor = math.log(_FOREIGN_LETTER_P + DEFAULT.alpha / BASE_FREQ)  # the table is smoothed
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
    model = get_model()
    keys = model.ngram_keys(text, drop_latin=False)
    rows, unknown = model.lookup(keys)
    if not keys.size:
        return Plausibility(UND, 0.0, 0)
    floor = math.log(alpha / BASE_FREQ)
    scores = model.log_table(alpha)[rows].sum(axis=0, dtype=np.float64) + unknown * floor
    best = int(np.argmax(scores))
    return Plausibility(model.langs[best], float(scores[best]), int(keys.size))
