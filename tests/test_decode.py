import codecs

import pytest

from pipelines.core.decode import DecodeConfig, DecodeError, decode_bytes

TEXT = "Zürich — “quoted” café"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
)
def test_decodes_each_supported_encoding_to_the_same_text(data, encoding):
    assert decode_bytes(data) == (TEXT, encoding)


def test_latin1_text_falls_back_to_cp1252():
    assert decode_bytes("Gr\u00fc\u00dfe aus M\u00fcnchen".encode("latin-1")) == (
        "Grüße aus München",
        "cp1252",
    )


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
        (b"only \x81 undefined in cp1252", "undecodable"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),  # lone surrogate
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
    assert decode_bytes(data, DecodeConfig(max_control_ratio=0.5))[1] == "utf-8"


def test_config_is_validated():
    with pytest.raises(ValueError):
        DecodeConfig(max_control_ratio=2)
    with pytest.raises(LookupError):
        DecodeConfig(fallback_encoding="no-such-codec")
