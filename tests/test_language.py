"""Unit tests for pipelines.core.language (pure; no Beam)."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import langdetect
import pytest

from pipelines.core import scripts
from pipelines.core.language import (
    DEFAULT,
    UND,
    LanguageConfig,
    LanguageTag,
    detect_language,
    supported_languages,
    warm_up,
)
from pipelines.core.language import model as lmodel
from pipelines.core.language import sample as lsample
from tests.conftest import TAGALOG_MENU

REPO = Path(__file__).resolve().parents[1]

# One news-like sentence per language, the same story in each.
CLEAR = {
    "en": "The government announced on Tuesday that it would increase funding for public "
    "schools and hospitals across the country next year.",
    "de": "Die Bundesregierung hat am Dienstag angekündigt, dass sie im nächsten Jahr mehr Geld "
    "für Schulen und Krankenhäuser im ganzen Land ausgeben wird.",
    "fr": "Le gouvernement a annoncé mardi qu'il augmenterait l'année prochaine le financement "
    "des écoles publiques et des hôpitaux dans tout le pays.",
    "es": "El gobierno anunció el martes que aumentará el próximo año la financiación de las "
    "escuelas públicas y los hospitales de todo el país.",
    "it": "Il governo ha annunciato martedì che il prossimo anno aumenterà i finanziamenti per "
    "le scuole pubbliche e gli ospedali in tutto il paese.",
    "pl": "Rząd ogłosił we wtorek, że w przyszłym roku zwiększy finansowanie szkół publicznych "
    "i szpitali w całym kraju.",
    "ru": "Правительство объявило во вторник, что в следующем году увеличит финансирование "
    "государственных школ и больниц по всей стране.",
    "tr": "Hükümet salı günü yaptığı açıklamada, gelecek yıl ülke genelindeki devlet okullarına "
    "ve hastanelere ayrılan bütçeyi artıracağını duyurdu.",
    "ar": "أعلنت الحكومة يوم الثلاثاء أنها ستزيد في العام المقبل تمويل المدارس العامة "
    "والمستشفيات في جميع أنحاء البلاد.",
    "zh": "政府周二宣布，明年将增加对全国公立学校和医院的资金投入，以改善教育和医疗服务。",
    "ja": "政府は火曜日、来年は全国の公立学校と病院への予算を増やすと発表した。",
    "ko": "정부는 화요일 내년에 전국의 공립학교와 병원에 대한 예산을 늘리겠다고 발표했다.",
    "no": "Regjeringen kunngjorde tirsdag at den vil øke bevilgningene til offentlige skoler og "
    "sykehus over hele landet neste år, skriver avisen.",
}
TRADITIONAL_CHINESE = (
    "政府週二宣布，明年將增加對全國公立學校和醫院的資金投入，以改善教育和醫療服務。"
)


def _texts_200() -> list[str]:
    """200 varied texts (whole sentences, word prefixes, mixtures), built without test data."""
    texts = []
    for sentence in CLEAR.values():
        words = sentence.split()
        for n in (2, 3, 4, 6, 8, 12):
            texts.append(" ".join(words[:n]))
        texts.append(sentence)
        texts.append(sentence.upper())
        texts.append(f"{sentence} 2024-03-18 https://example.com/a?b=1 desk@example.com")
        texts.append(sentence[: len(sentence) // 3])
    languages = list(CLEAR.values())
    i = 0
    while len(texts) < 200:
        texts.append(languages[i % len(languages)] + " " + languages[(i * 5 + 1) % len(languages)])
        i += 1
    return texts[:200]


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("expected", "text"), sorted(CLEAR.items()))
def test_clear_texts_get_their_exact_code(expected: str, text: str) -> None:
    tag = detect_language(text)
    assert tag.language == expected
    # Norwegian shares most of its n-grams with Danish: right, but less sure.
    assert (0.6 if expected == "no" else 0.9) <= tag.confidence <= 1.0


def test_chinese_profiles_are_merged_into_zh() -> None:
    # langdetect has separate zh-cn and zh-tw profiles; both map to ISO 639-1 `zh`.
    assert detect_language(CLEAR["zh"]).language == "zh"
    assert detect_language(TRADITIONAL_CHINESE).language == "zh"
    assert lmodel.iso_code("zh-cn") == lmodel.iso_code("zh-tw") == "zh"
    codes = supported_languages()
    assert "zh" in codes
    assert not {"zh-cn", "zh-tw"} & codes
    assert all(len(code) == 2 and code.isalpha() and code.islower() for code in codes)
    assert len(codes) == 54  # langdetect 1.0.9's 55 profiles, zh-cn and zh-tw merged


def test_han_only_text_is_never_korean() -> None:
    # Stock langdetect answers `ko` for this two-word Chinese text (its ko profile has Hanja
    # n-grams); the script prior rules Korean out without a single Hangul character.
    assert detect_language("佛教 科学").language == "zh"
    assert detect_language("정부 발표").language == "ko"


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # Latin names, tickers and terms in non-Latin text (issue 12's examples): the script
        # decides, whatever the Latin letters score.
        ("zh", "Alexion Pharmaceuticals (ALXN) 可能是下一个被收购的目标"),
        ("zh", "SANParks 官员打破 Nicolas Dlamini 的手臂"),
        ("ja", "Goldman Sachs は Apple Inc. (AAPL) の目標株価を引き上げた"),
        ("ko", "Samsung Electronics 는 NASDAQ 상장을 검토하고 있다"),
        ("el", "Η Deutsche Bank AG ανακοίνωσε νέα μέτρα"),
        ("ru", "Компания Goldman Sachs (GS) повысила прогноз для Apple Inc. (AAPL) на этой неделе"),
        ("ar", "قالت شركة Goldman Sachs إن أرباح Apple Inc. سترتفع هذا العام"),
    ],
)
def test_latin_names_in_non_latin_text_do_not_decide(expected: str, text: str) -> None:
    assert detect_language(text).language == expected


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        # і, ї, є, ґ: only Ukrainian; ѓ, ќ, ѕ, ј, љ, њ, џ: only Macedonian; ы, э, ё: only
        # Russian; ъ: not Ukrainian.
        ("uk", "Уряд оголосив нові заходи"),
        ("mk", "Владата најави нови мерки"),
        ("ru", "Мы объявили новые меры"),
        ("bg", "Правителството обяви нови мерки във вторник"),
    ],
)
def test_cyrillic_is_narrowed_by_its_letters(expected: str, text: str) -> None:
    assert detect_language(text).language == expected
    verdict = scripts.script_verdict(text)
    assert verdict.script == scripts.CYRILLIC
    assert expected in {lmodel.iso_code(p) for p in verdict.profiles}


@pytest.mark.parametrize(
    "text",
    [
        # Reuters earnings tables (tagged `sv` before): title, then short rows of figures.
        "Brown-Forman Inc <Bfd> 4Th Qtr Net\nShr one dlr vs 73 cts\n\nNet 12.6 mln vs 15.8 mln"
        "\n\nRevs 337.3 mln vs 315.2 mln\n\nNine mths\n\nShr 3.07 dlrs vs 3.08 dlrs",
        "Shr 75 cts vs 52 cts\nNet 1.2 mln vs 800,000\nRevs 12.5 mln vs 10.1 mln",
        # Without line structure: mostly figures.
        "HONG KONG EXCHS NOON 7.8035 uk 12.622 - 12.634 us/uk 1.6180 - 1.6190 us/w ger"
        " 1.8215 - 1.8225 us/switz 1.5140 - 1.5150",
        # Too few words for a Latin-script language.
        "Guten Tag",
    ],
)
def test_tables_number_lists_and_too_few_words_are_und(text: str) -> None:
    assert detect_language(text) == LanguageTag(UND, 0.0)


def test_prose_with_figures_is_still_tagged() -> None:
    text = (
        "Net profit rose 12 pct to 1.2 billion dlrs in 1986 from 980 mln dlrs a year earlier,"
        " the company said, and it expects sales of 4.5 billion dlrs this year."
    )
    assert detect_language(text).language == "en"
    assert detect_language("Die Firma meldet 25 Mio Euro Gewinn").language == "de"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "12345 678 90",
        "2024-03-18 10:22:05 +01:00",
        "!!! ... ??? --- *** ###",
        "«» “” ‘’ … — –",
        "https://example.com/news/2024/03/18/article?id=123",
        "desk@example.com",
        "x",  # one letter: fewer than min_letters
        "გამარჯობა მსოფლიო",  # Georgian: no langdetect profile uses the script
    ],
)
def test_texts_that_cannot_tell_are_und(text: str) -> None:
    assert detect_language(text) == LanguageTag(UND, 0.0)


def test_min_letters_and_min_confidence_give_und() -> None:
    text = CLEAR["en"]
    letters = sum(ch.isalpha() for ch in text)
    assert detect_language(text, LanguageConfig(min_letters=letters)).language == "en"
    assert detect_language(text, LanguageConfig(min_letters=letters + 1)) == LanguageTag(UND, 0.0)
    # The confidence is a scaled posterior (evidence_ngrams): clear text is near, not at, 1.0.
    confidence = detect_language(text).confidence
    assert 0.9 < confidence < 1.0
    strict = LanguageConfig(min_confidence=1.0)
    assert detect_language(text, strict) == LanguageTag(UND, 0.0)


def test_evidence_ngrams_scales_confidence_not_the_winner() -> None:
    # A borderline text: Danish/Norwegian share most n-grams.
    text = "Regeringen vil øge bevillingerne til skoler"
    tags = [
        detect_language(text, LanguageConfig(evidence_ngrams=n, min_confidence=0.0))
        for n in (5, 20, 1000)
    ]
    assert len({t.language for t in tags}) == 1
    assert tags[0].confidence < tags[1].confidence <= tags[2].confidence


def test_confidence_is_a_probability_for_every_input() -> None:
    for text in _texts_200():
        tag = detect_language(text)
        assert 0.0 <= tag.confidence <= 1.0
        if tag.language == UND:
            assert tag.confidence == 0.0
        else:
            assert tag.confidence >= DEFAULT.min_confidence


def test_all_caps_headline_is_read() -> None:
    # langdetect skips the n-grams of ALL-CAPS words; left alone, this headline has no features.
    headline = "BREAKING NEWS: PRESIDENT SIGNS THE BUDGET BILL INTO LAW AFTER A LONG DEBATE"
    assert detect_language(headline).language == "en"


def test_urls_emails_and_digits_do_not_sway_the_result() -> None:
    noise = " ".join(
        f"https://www.example.com/path/{i}?ref=home user{i}@example.org {i * 1234}"
        for i in range(30)
    )
    assert detect_language(f"{noise} {CLEAR['de']}").language == "de"


def test_prefix_bounds_the_text_examined() -> None:
    english = (CLEAR["en"] + " ") * 20
    german = (CLEAR["de"] + " ") * 400
    english, german = english[:2000], german[:50_000]
    assert detect_language(english + german).language == "en"
    # Beyond a few kB, the length of the text does not matter at all.
    assert detect_language(english + german) == detect_language(english + german * 20)


def test_prepared_sample_is_bounded_and_cut_at_a_word() -> None:
    config = LanguageConfig(prefix_chars=100)
    sample = lsample.prepare("word " * 10_000, config)
    assert len(sample) <= 100
    assert sample.endswith("word")
    assert lsample.prepare("字" * 10_000, config) == "字" * 100  # no spaces: hard cut
    assert lsample.prepare(" Short  text, 42 words. ", config) == "Short text, words."


@functools.cache
def _langdetect_factory() -> langdetect.detector_factory.DetectorFactory:
    """langdetect's own factory with its profiles, loaded once (about 0.5 s a load)."""
    factory = langdetect.detector_factory.DetectorFactory()
    factory.load_profile(langdetect.detector_factory.PROFILES_DIRECTORY)
    return factory


def _langdetect_ngrams(text: str) -> list[str]:
    """The n-grams langdetect's own Detector extracts (known to its profiles), in order."""
    detector = _langdetect_factory().create()
    detector.append(text)
    detector.cleaning_text()
    return detector._extract_ngrams()


def test_ngrams_are_the_ones_langdetect_extracts() -> None:
    model = lmodel.get_model()
    texts = [
        *CLEAR.values(),
        "NATO and the EU: McDonald's CEO says iPhone sales ROSE in the USA.",
        "Hà Nội công bố kế hoạch mới",  # Vietnamese (normalize_vi)
        "Москва заявила, что NATO и USA усилят присутствие",  # Latin dropped in Cyrillic text
        "ひらがな カタカナ 漢字 정부 ",
    ]
    vocab = model.vocab
    for text in texts:
        expected = sorted(vocab[g] for g in _langdetect_ngrams(text))
        assert sorted(model.ngram_rows(text)) == expected, text


def test_long_texts_cost_about_the_same_as_their_prefix() -> None:
    warm_up()
    huge = (CLEAR["en"] + " ") * 50_000  # ~7 MB
    start = time.perf_counter()
    assert detect_language(huge).language == "en"
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------------------------
# Determinism and threads
# --------------------------------------------------------------------------------------------


def _tags(texts: list[str]) -> list[tuple[str, float]]:
    return [(t.language, t.confidence) for t in map(detect_language, texts)]


def test_same_result_every_call() -> None:
    texts = [*CLEAR.values(), "Jetzt kommt der Fun-Part.", "Došli jsme docela daleko."]
    first = _tags(texts)
    for _ in range(20):
        assert _tags(texts) == first


def test_global_langdetect_seed_is_ignored(monkeypatch) -> None:
    texts = _texts_200()
    expected = _tags(texts)
    monkeypatch.setattr(langdetect.DetectorFactory, "seed", 12345)
    assert _tags(texts) == expected
    assert langdetect.DetectorFactory.seed == 12345  # and it is never written either


def test_same_result_in_a_fresh_process() -> None:
    texts = _texts_200()[:60]
    script = (
        "import json, sys\n"
        "from pipelines.core.language import detect_language\n"
        "texts = json.load(sys.stdin)\n"
        "out = [[t.language, t.confidence] for t in map(detect_language, texts)]\n"
        "print(json.dumps({'tags': out, 'beam': 'apache_beam' in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
        timeout=60,
    )
    result = json.loads(proc.stdout)
    assert [tuple(tag) for tag in result["tags"]] == _tags(texts)
    assert result["beam"] is False  # pipelines.core stays free of Apache Beam


def test_threads_give_the_serial_results() -> None:
    texts = _texts_200()
    serial = [detect_language(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(detect_language, texts))
    assert threaded == serial
    assert len({t.language for t in serial}) >= 10


def test_profiles_are_loaded_once_under_concurrent_first_use(monkeypatch) -> None:
    monkeypatch.setattr(lmodel, "_model", None)
    built = []
    real = lmodel._Model

    class Counting(real):
        def __init__(self) -> None:
            built.append(threading.get_ident())
            super().__init__()

    monkeypatch.setattr(lmodel, "_Model", Counting)
    barrier = threading.Barrier(8)

    def first_use(text: str) -> LanguageTag:
        barrier.wait()
        return detect_language(text)

    texts = list(CLEAR.values())[:8]
    with ThreadPoolExecutor(max_workers=8) as pool:
        tags = list(pool.map(first_use, texts))
    assert len(built) == 1
    assert [t.language for t in tags] == list(CLEAR)[:8]


# --------------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------------


def test_default_config_is_valid_and_frozen() -> None:
    assert LanguageConfig() == DEFAULT
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT.prefix_chars = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        LanguageTag("en", 1.0).language = "de"  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"prefix_chars": 0},
        {"prefix_chars": 19},
        {"prefix_chars": 300.0},
        {"evidence_ngrams": 0},
        {"evidence_ngrams": True},
        {"evidence_ngrams": 2.5},
        {"min_confidence": -0.1},
        {"min_confidence": 1.5},
        {"min_letters": -1},
        {"min_letters": 2.0},
        {"min_confidence": "0.5"},
        {"min_confidence": float("nan")},
        {"alpha": 0.0},
        {"alpha": None},
        {"alpha": 11.0},
    ],
)
def test_invalid_config_raises(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        LanguageConfig(**kwargs)


# --------------------------------------------------------------------------------------------
# Script verdicts (core/scripts.py)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "script", "profiles", "words"),
    [
        # A non-Latin script wins at half the Latin words' units (two Han characters: one unit).
        ("Apple Google 苹果公司", "Z", {"zh-cn"}, 0),
        ("Apple Google Microsoft Amazon 苹果", "L", scripts.LATIN_PROFILES, 4),
        # Kana among Han: Japanese; Hangul: Korean.
        ("東京都の新しい計画", "K", {"ja"}, 0),
        ("서울시 새 계획", "W", {"ko"}, 0),
        ("Η νέα κυβέρνηση", "G", {"el"}, 3),
        ("नई सरकार ने कहा", "D", {"hi", "mr", "ne"}, 4),
        ("دولت جدید گفت", "A", {"ar", "fa", "ur"}, 3),
        ("Правительство и Goldman Sachs", "C", {"bg", "ru", "uk"}, 2),
    ],
)
def test_script_verdict(sample: str, script: str, profiles: set, words: int) -> None:
    verdict = scripts.script_verdict(sample)
    assert (verdict.script, set(verdict.profiles), verdict.words) == (script, set(profiles), words)


def test_script_verdict_without_profiled_letters_is_none() -> None:
    assert scripts.script_verdict("12 345 — !") is None
    assert scripts.script_verdict("გამარჯობა მსოფლიო") is None


def test_a_scraped_page_whose_menus_come_first_is_tagged_by_its_prose() -> None:
    menu = "\n".join(["Home", "News 24", "Sport 7", "Oct 28, 2012 11:30 PM", "Share 12", "Top 10"])
    prose = (
        "The council approved the new tram line on Tuesday after years of debate, and the "
        "first trains are expected to run through the city centre before the end of 2029.\n"
        "Residents who opposed the plan said they would keep fighting it in the courts."
    )
    assert detect_language(menu + "\n" + prose).language == "en"
    assert detect_language(menu).language == "und"  # a number list alone stays und


def test_a_page_is_tagged_by_its_prose_not_its_menus_or_headlines() -> None:
    # Short menu items in another language, and a long Title-Case headline, come first: they
    # filled the sample, and such a page was tagged `tl`.
    menu = "\n".join(TAGALOG_MENU[:6])
    headline = "Council Approves The Long Delayed Northern Tram Line After Years Of Debate"
    prose = (
        "The council approved the new tram line on Tuesday after years of debate, and the "
        "first trains are expected to run through the city centre before the end of 2029.\n"
        "Residents who opposed the plan said they would keep fighting it in the courts."
    )
    assert detect_language(menu).language == "tl"
    assert detect_language(f"{menu}\n{headline}\n\n{prose}").language == "en"
    assert lsample.leading_prose(f"{menu}\n{headline}\n\n{prose}", 250) == prose
    # One line is its own prose; a page without enough prose is tagged by its beginning.
    assert lsample.leading_prose(prose.replace("\n", " "), 250) == ""
    assert lsample.leading_prose(f"{menu}\n{headline}", 250) == ""
