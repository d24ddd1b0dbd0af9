"""`detect_language`: the script decides first, then the model scores the sample."""

from __future__ import annotations

import math

import numpy as np

from pipelines.core import scripts
from pipelines.core import text as textlib
from pipelines.core.language.config import DEFAULT, UND_TAG, LanguageConfig, LanguageTag
from pipelines.core.language.model import ASCII_RANGE_RE, get_model, iso_code
from pipelines.core.language.sample import leading_prose, prepare, prose_lines


def detect_language(text: str, config: LanguageConfig = DEFAULT) -> LanguageTag:
    """Tag `text` with its language.

    Only the cleaned (URLs, e-mails and digits removed, whitespace collapsed) prefix of at most
    `config.prefix_chars` characters is examined. Returns ``LanguageTag("und", 0.0)`` when that
    text has fewer than `config.min_letters` letters (or none), has no n-gram the profiles know,
    or its best language's confidence is below `config.min_confidence`.
    """
    prose = leading_prose(text, config.prefix_chars)
    sample = prepare(prose or text, config)
    letters = sum(map(str.isalpha, sample))
    if letters == 0 or letters < config.min_letters:
        return UND_TAG
    verdict = scripts.script_verdict(sample)
    if verdict is None:
        # Letters only of scripts no profile covers (Armenian, Georgian, ...).
        return UND_TAG
    if verdict.decided:
        (profile,) = verdict.profiles
        return LanguageTag(iso_code(profile), 1.0)
    if verdict.words < config.min_words:
        return UND_TAG
    if not prose and textlib.looks_like_table(text[: 2 * config.prefix_chars]):
        # A table or number list -- or a scraped page whose menus and dates come first: then
        # its prose lines, if it has any, say the language.
        prose = prose_lines(text, 2 * config.prefix_chars, headlines=True)
        return detect_language(prose, config) if prose and prose != text else UND_TAG
    if verdict.script != scripts.LATIN and not sample.isascii():
        # Names, tickers and terms in Latin letters say nothing about a Cyrillic, Arabic or
        # Devanagari text's language (langdetect drops them only when they are few).
        sample = ASCII_RANGE_RE.sub("", sample)
    model = get_model()
    prior = model.log_prior(verdict.profiles)
    rows = model.ngram_rows(sample)
    if not rows.size:
        return UND_TAG
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
        return UND_TAG
    return LanguageTag(model.merged_codes[best], confidence)
