"""LanguageConfig (validated knobs of `detect_language`) and LanguageTag, its answer."""

from __future__ import annotations

from dataclasses import dataclass

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


UND_TAG = LanguageTag(UND, 0.0)
