"""langdetect's profiles as one numpy table, built once per process (see the package doc)."""

from __future__ import annotations

import json
import os
import re
import threading

import numpy as np
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

from pipelines.core.language.config import DEFAULT

# langdetect's Detector.cleaning_text: when a text has more than twice as many non-Latin characters
# (from U+0300, except Latin Extended Additional) as Latin ones ("A" to "z", its own range), the
# Latin ones are dropped: a few English words in a Russian text say nothing about Russian.
ASCII_RANGE_RE = re.compile("[A-z]")
_NON_LATIN_RE = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
# langdetect's Detector.BASE_FREQ: alpha / BASE_FREQ is added to every n-gram probability.
BASE_FREQ = 10_000


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
        self.codes: tuple[str, ...] = tuple(iso_code(lang) for lang in langs)
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
                    floor = np.float32(np.log(alpha / BASE_FREQ))
                    table = np.full(self._shape, floor, dtype=np.float32)
                    table[self._cells] = np.log(self._cell_probs + alpha / BASE_FREQ)
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
            latin = len(ASCII_RANGE_RE.findall(text))
            if latin * 2 < len(_NON_LATIN_RE.findall(text)):
                text = ASCII_RANGE_RE.sub("", text)
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


def iso_code(lang: str) -> str:
    # langdetect's only non-ISO-639-1 names are zh-cn and zh-tw.
    return lang.split("-", 1)[0]


_model: _Model | None = None
_model_lock = threading.Lock()


def get_model() -> _Model:
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
    get_model()


def supported_languages() -> frozenset[str]:
    """The codes `detect_language` can return, besides ``und``."""
    return frozenset(get_model().codes)
