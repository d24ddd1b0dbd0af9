"""Reference word frequencies per language (wordfreq's tables), hashed like WordProfile's ids.

Originality scores an article by how common its words are. A fixed table per language makes
the score a function of the article alone: the same in a batch run, a streamed commit and a
later run, so a published article's score compares with a new one's. The tables are
wordfreq's (Apache-2.0 code, CC BY-SA 4.0 data: Wikipedia, subtitles, news, books, web,
Reddit and Twitter text; no longer updated since 2024, which a fixed reference wants
anyway), its "small" lists: 42 languages, the words of frequency 1e-6 and above (~30-60k per
language). Its "large" lists (21 languages, down to 1e-8, 5-20x the entries) chose the same
survivors on dedup_eval at 5k (benchmarks/originality_eval.py) and cost 60 % more per lookup
(a binary search over a table that no longer fits the cache).

Words are looked up as ``originality`` tokenises them (letter runs, lower-cased); a wordfreq
entry that this splits ("don't" -> "don", "t") adds its frequency to each piece. Chinese and
Japanese are looked up per character (``CHAR_LANGUAGES``): our letter runs are whole Han
clauses, which no table holds; a character's frequency is the summed frequency of the
table's words that contain it (the same derivation, per character). wordfreq's own Chinese
tokenizer (jieba, its ``cjk`` extra) picked the same originals on dedup_eval's Chinese
families (original > copy 0.875 at 5k, 1.000 at 20k, both ways) at ~1,600 µs per article
against ~120 µs per character.

Each table is built on first use in a process (~0.03-0.05 s per language, up to ~1 MB) and
cached; nothing is read at import time.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np

from pipelines.core.near_dup.hashing import codepoints, hash_codepoints

# Letter runs: the words originality compares (digits and underscores are no words).
ORIG_WORD_RE = re.compile(r"[^\W\d_]+")
# Han ideographs, kana and CJK compatibility ideographs: one "word" each in CHAR_LANGUAGES.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_WORD_RE = re.compile(f"[{_CJK}]|[^\\W\\d_{_CJK}]+")
# Unsegmented languages with a wordfreq table: their words are looked up per character.
CHAR_LANGUAGES = frozenset({"zh", "ja"})

# Our language codes -> wordfreq's: Norwegian is one table under "nb", Croatian and Bosnian
# are in its Latin-script Serbo-Croatian "sh", Tagalog is Filipino "fil".
_ALIASES = {"no": "nb", "nn": "nb", "hr": "sh", "bs": "sh", "tl": "fil"}
# Below its cut-off a table says nothing; an unknown word (a name, a typo, a rare inflection,
# a spinner's exotic synonym) counts as half as frequent as the rarest entry.
_UNKNOWN_FACTOR = 0.5
# The last key of every table: larger than any word's hash but the (2^-64 likely) maximum,
# so a binary search always lands inside the table and needs no bounds fix.
_SENTINEL = np.uint64(2**64 - 1)
# wordfreq's entries are grouped by frequency in centibels: bucket i holds words of
# frequency 10 ** (-i / 100).
_LN_PER_CENTIBEL = math.log(10) / 100
# Hash this many words at once while building a table (a (n, 16) uint64 matrix each).
_CHUNK = 1 << 16


def words(text: str, language: str) -> list[str]:
    """The words ``originality`` looks up: lower-cased letter runs; per character for the
    CJK runs of ``CHAR_LANGUAGES``."""
    pattern = CJK_WORD_RE if language in CHAR_LANGUAGES else ORIG_WORD_RE
    return pattern.findall(text.lower())


@dataclass(frozen=True)
class Table:
    """One language's reference: sorted unique word hashes (ending in a sentinel), their
    natural-log frequencies (float64, aligned; the sentinel's is ``unknown``) and the log
    frequency of an unknown word."""

    language: str
    ids: np.ndarray = field(repr=False)
    log_freq: np.ndarray = field(repr=False)
    unknown: float

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """Log frequency of each word hash (``unknown`` when not in the table)."""
        idx = np.searchsorted(self.ids, ids)
        return np.where(self.ids[idx] == ids, self.log_freq[idx], self.unknown)

    def mean_log_freq(self, ids: np.ndarray) -> float:
        """``lookup(ids).mean()`` for non-empty ``ids``, in fewer array operations (the hot
        path: once per article)."""
        idx = np.searchsorted(self.ids, ids)
        hit = self.ids[idx] == ids
        known = float(np.dot(self.log_freq[idx], hit))
        return (known + self.unknown * (len(ids) - int(np.count_nonzero(hit)))) / len(ids)


def _spellings(bucket: list[str], language: str) -> list[str]:
    """The words of a table's entries as ``words`` finds them in text. wordfreq case-folds
    its entries, where the text's words are only lower-cased: German "straße" is "strasse" in
    its table and Greek "της" (final sigma) is "τησ", so each also gets its text spelling."""
    if language in CHAR_LANGUAGES:
        pieces = [piece for entry in bucket for piece in words(entry, language)]
    else:
        # Most entries are one letter run (all isalpha): they need no regex.
        pieces = [entry for entry in bucket if entry.isalpha()]
        pieces += [p for entry in bucket if not entry.isalpha() for p in words(entry, language)]
    if language == "de":
        pieces += [p.replace("ss", "ß") for p in pieces if "ss" in p]
    elif language == "el":
        pieces += [p[:-1] + "ς" for p in pieces if p.endswith("σ")]
    return pieces


@functools.lru_cache(maxsize=128)  # languages, not articles: bounded
def table(language: str) -> Table | None:
    """The reference table of ``language`` (an ISO 639-1 code, lower-case), or None when
    wordfreq has none. Built once per process."""
    import wordfreq  # deferred: its import and the tables cost time only where used

    name = _ALIASES.get(language, language)
    path = wordfreq.available_languages("small").get(name)
    if path is None:
        return None
    buckets = wordfreq.read_cBpack(path)
    pieces: list[str] = []
    per_bucket = np.zeros(len(buckets), dtype=np.int64)
    for cb, bucket in enumerate(buckets):
        if bucket:
            spelled = _spellings(bucket, language)
            pieces += spelled
            per_bucket[cb] = len(spelled)
    if not pieces:
        return None
    bucket_freq = np.exp(-np.arange(len(buckets)) * _LN_PER_CENTIBEL)
    freqs = np.repeat(bucket_freq, per_bucket)
    ids = np.concatenate(
        [hash_codepoints(codepoints(pieces[i : i + _CHUNK])) for i in range(0, len(pieces), _CHUNK)]
    )
    order = np.argsort(ids, kind="stable")
    ids, summed = ids[order], freqs[order]
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    summed = np.add.reduceat(summed, starts)
    rarest = math.exp(-max(cb for cb, b in enumerate(buckets) if b) * _LN_PER_CENTIBEL)
    unknown = math.log(rarest * _UNKNOWN_FACTOR)
    keys, log_freq = ids[starts], np.log(summed)
    if keys[-1] == _SENTINEL:  # a word hashed to the sentinel: it stays unknown
        keys, log_freq = keys[:-1], log_freq[:-1]
    return Table(
        name,
        np.append(keys, _SENTINEL),
        np.append(log_freq, unknown),
        unknown,
    )
