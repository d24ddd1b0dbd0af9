import codecs

import pytest

from pipelines.core import charset, language
from pipelines.core.decode import DecodeConfig, Decoded, DecodeError, decode_bytes

TEXT = "Zürich — “quoted” café"
# Small texts in legacy encodings: one sentence or two of news, as files in these encodings
# hold them. Each must decode to exactly this text under exactly this encoding name.
LEGACY = [
    ("de", "Die Straßenbahn fährt künftig öfter: Grüße aus München, schöne Größe.", "cp1252"),
    (
        "ru",
        "Правительство России объявило о новых мерах поддержки экономики в среду.",
        "cp1251",
    ),
    (
        "ru",
        "Правительство России объявило о новых мерах поддержки экономики в среду.",
        "koi8-r",
    ),
    ("uk", "Уряд України оголосив нові заходи підтримки економіки в середу.", "cp1251"),
    ("el", "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης της οικονομίας την Τετάρτη.", "cp1253"),
    ("pl", "Rząd ogłosił w środę nowe środki wsparcia gospodarki, źródła są zgodne.", "cp1250"),
    (
        "cs",
        "Vláda ve středu oznámila nová opatření na podporu ekonomiky, říká šéf úřadu."
        " Většina z nich začne platit již příští týden, řekl ministr.",
        "iso8859-2",
    ),
    ("tr", "Hükümet çarşamba günü ekonomiyi destekleyen yeni önlemler açıkladı.", "cp1254"),
    ("ar", "أعلنت الحكومة يوم الأربعاء عن إجراءات جديدة لدعم الاقتصاد الوطني.", "cp1256"),
    ("ja", "政府は水曜日、経済を支えるための新たな対策を発表した。", "shift_jis"),
    ("zh", "政府星期三宣布了支持经济的新措施，专家表示欢迎。", "gb2312"),
    ("ko", "정부는 수요일 경제를 지원하기 위한 새로운 대책을 발표했다.", "euc_kr"),
]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
    ],
)
def test_decodes_each_utf_form_to_the_same_text(data, encoding):
    assert decode_bytes(data) == Decoded(TEXT, encoding, 1.0)


@pytest.mark.parametrize("text", ["中文", "政府星期三宣布了支持经济的新措施", "Hi", "Hi there"])
def test_utf_16_with_a_mark_decodes_even_when_short(text):
    # Real UTF-16: "中文" is 2d 4e 87 65 (a byte over 0x7f), ASCII letters bring NULs.
    for data in (text.encode("utf-16"), codecs.BOM_UTF16_BE + text.encode("utf-16-be")):
        assert decode_bytes(data) == Decoded(text, "utf-16", 1.0)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf_without_bom_is_recognised_by_its_nul_bytes(encoding):
    # Both byte orders of UTF-16 often decode: the one that reads as language wins.
    decoded = decode_bytes(TEXT.encode(encoding))
    assert (decoded.text, decoded.encoding) == (TEXT, encoding)
    assert decoded.confidence >= DecodeConfig().min_confidence


@pytest.mark.parametrize(
    ("lang", "text", "encoding"), LEGACY, ids=[c[2] + "-" + c[0] for c in LEGACY]
)
def test_legacy_encodings_are_detected_exactly(lang, text, encoding):
    decoded = decode_bytes(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (text, encoding)
    assert DecodeConfig().min_confidence <= decoded.confidence <= 1.0


def test_latin1_text_reads_as_cp1252_with_its_confidence():
    decoded = decode_bytes("Grüße aus München, schöne Größe".encode("latin-1"))
    assert (decoded.text, decoded.encoding) == ("Grüße aus München, schöne Größe", "cp1252")
    guess = charset.detect_legacy("Grüße aus München, schöne Größe".encode("latin-1"))
    assert decoded.confidence == round(guess.confidence, 4)
    assert guess.language == "de"


def test_an_english_article_with_one_pound_sign_reads_as_cp1252():
    # A BBC sport file: ASCII but for one cp1252 "£". Shift-JIS makes it a half-width "｣"
    # (odd in Latin text), cp1250 an "Ł" (a foreign letter in English): cp1252 wins, at 0.46.
    sentence = "Chelsea paid a transfer fee for the striker, who scored twice on Saturday. "
    text = sentence * 20 + "The fee was £15.8m, the club said. " + sentence * 14
    decoded = decode_bytes(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")
    guess = charset.detect_legacy(text.encode("cp1252"))
    assert (guess.runner_up, round(guess.confidence, 2)) == ("cp1250", 0.46)


def test_a_guess_that_could_garble_is_quarantined_as_uncertain():
    # Two bytes that are letters in several code pages, in a text too short to tell which.
    with pytest.raises(DecodeError) as info:
        decode_bytes(b"only \x81 undefined in cp1252")
    assert info.value.kind == "uncertain_encoding"
    assert "best guess" in str(info.value)


def test_min_confidence_zero_accepts_the_best_guess():
    decoded = decode_bytes(b"only \x81 undefined in cp1252", DecodeConfig(min_confidence=0.0))
    assert decoded.confidence < DecodeConfig().min_confidence


def test_mojibake_scores_below_the_right_text():
    right, garbled = "Привет, мир", "Привет, мир".encode("cp1251").decode("cp1252")
    assert charset._score(right).mean > charset._score(garbled).mean
    assert charset._mixed_words("Zьrich cafй M黱chen LG전자") == 3
    # In mostly Latin text a CJK character glued to Latin letters is mojibake; in Chinese, not.
    assert charset._mixed_words("Grüße aus Stra疽e und München") == 1
    assert charset._mixed_words("用Python写代码，iPhone手机和LG电子的新产品") == 0
    assert language.foreign_letters("maītre d'hôtel", "fr") == 1
    assert charset._case_flips("НќФъРД iPhone") == 3


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", "empty"),
        (b" \n\t\r\n ", "empty"),
        (codecs.BOM_UTF8 + b"  \n", "empty"),
        (b"%PDF-1.7 binary", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"abc\x00def", "binary"),
        (bytes(range(256)) * 4, "binary"),
        # Valid multi-byte UTF-8 next to a broken sequence: corrupt UTF-8, not a legacy encoding.
        ("café".encode() + b" \xc3\x28 broken", "undecodable"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),  # lone surrogate
        # A UTF-16 mark over ASCII text ("ÿþHi there"): would decode to "楈琠敨敲".
        (codecs.BOM_UTF16_LE + b"Hi there", "uncertain_encoding"),
        (codecs.BOM_UTF16_BE + b"Hi there\r\n", "uncertain_encoding"),
    ],
)
def test_bad_bytes_raise_a_classified_error(data, kind):
    with pytest.raises(DecodeError) as info:
        decode_bytes(data)
    assert info.value.kind == kind
    assert "\n" not in str(info.value)


def test_control_characters_mark_text_as_binary():
    data = ("text " * 50 + "\x01\x02\x03\x04").encode()
    with pytest.raises(DecodeError, match="control"):
        decode_bytes(data, DecodeConfig(max_control_ratio=0.001))
    assert decode_bytes(data, DecodeConfig(max_control_ratio=0.5)).encoding == "utf-8"


def test_config_is_validated():
    with pytest.raises(ValueError):
        DecodeConfig(max_control_ratio=2)
    with pytest.raises(ValueError):
        DecodeConfig(min_confidence=1.5)
