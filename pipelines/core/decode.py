"""Turn raw file bytes into text, or say precisely why not.

Order of attempts: byte-order marks (UTF-8, UTF-16, UTF-32); binary signatures; UTF-16/32 without
a BOM (recognised by where their NUL bytes fall, then decoded strictly); strict UTF-8. Bytes that
are mostly valid multi-byte UTF-8 with a broken sequence are corrupt UTF-8 (undecodable). Anything
else goes to legacy charset detection (`core/charset.py`), which is recorded with its confidence;
below `DecodeConfig.min_confidence` the file is quarantined as `uncertain_encoding` rather than
risk a garbled body. Every returned text passes the control-character check.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import NamedTuple

from pipelines.core import charset

# Magic numbers of common binary formats that are sometimes dropped into text folders.
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"PK\x03\x04",  # zip, docx, xlsx
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\x7fELF",
    b"Obj\x01",  # Avro container
    b"PAR1",  # Parquet
    b"\xd0\xcf\x11\xe0",  # OLE2 (doc, xls)
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A valid multi-byte UTF-8 sequence. When such sequences make up most of the non-ASCII bytes the
# file was meant as UTF-8; GB2312, EUC-KR and Shift-JIS text also forms some by chance (~10-15 %
# of their bytes), so their mere presence says little.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Control characters other than tab, newline, carriage return, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SNIFF = 64 * 1024
# Share of the non-ASCII bytes in valid multi-byte UTF-8 sequences from which invalid UTF-8 is
# corrupt UTF-8, not a legacy encoding (see _UTF8_MULTIBYTE).
_CORRUPT_UTF8_SHARE = 0.5
_HIGH_BYTES = bytes(range(0x80, 0x100))
# Printable ASCII and line breaks. UTF-16 text has NUL bytes wherever it has a space, digit, Latin
# letter or line break, and half of the CJK ideographs have a byte of 0x80 or more: bytes after a
# UTF-16 byte-order mark that are all of these are 8-bit text behind two stray bytes ("ÿþHi
# there" decodes to "楈琠敨敲").
_ASCII_TEXT = re.compile(rb"[\t\n\r\x20-\x7e]+")


class DecodeError(ValueError):
    """Raised with `kind` in {'empty', 'binary', 'undecodable', 'uncertain_encoding'} and a
    one-line message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class DecodeConfig:
    """`max_control_ratio`: share of control characters above which decoded text is binary.

    `min_confidence`: a legacy-encoding guess (or the byte order of BOM-less UTF-16/32) less
    sure than this is quarantined as `uncertain_encoding`. Measured with
    benchmarks/encodings.py (2,363 paragraphs, 30 languages x 35 encodings), right / garbled:
    0.5: 96.9 % / 0; 0.4: 97.8 % / 0; 0.2: 98.4 % / 0; 0.1: 98.5 % / 1 (Slovak ISO-8859-2 read
    as cp1250); 0.7: 95.0 % / 0. 0.4 keeps a berth from the first garbled text and reads an
    English article whose one non-ASCII byte is a cp1252 "£" (0.46: cp1250 would make it "Ł").
    """

    max_control_ratio: float = 0.01
    min_confidence: float = 0.4

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_control_ratio <= 1.0:
            raise ValueError("max_control_ratio must be within [0, 1]")
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError("min_confidence must be within [0, 1]")


DEFAULT_DECODE = DecodeConfig()


class Decoded(NamedTuple):
    """Decoded text, the encoding used and how sure that choice is (1.0 for UTF forms).

    A NamedTuple: made once per file on the hot UTF-8 path, where a frozen dataclass's
    construction measured ~5 % of decoding time.
    """

    text: str
    encoding: str
    confidence: float = 1.0


def _check_text(text: str, encoding: str, config: DecodeConfig) -> None:
    sample = text[:_SNIFF]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > config.max_control_ratio:
        raise DecodeError("binary", f"decoded as {encoding} but contains control characters")


def _bomless_utf(data: bytes) -> list[str]:
    """The UTF-16/32 forms a file with NUL bytes and no BOM may be in."""
    head = data[:_SNIFF]
    forms = []
    if len(data) % 4 == 0:
        # Every code point is below 0x110000: the top byte of each UTF-32 unit is NUL.
        if not head[3::4].strip(b"\x00"):
            forms.append("utf-32-le")
        if not head[0::4].strip(b"\x00"):
            forms.append("utf-32-be")
    if len(data) % 2 == 0:
        forms += ["utf-16-le", "utf-16-be"]
    return forms


def decode_bytes(data: bytes, config: DecodeConfig = DEFAULT_DECODE) -> Decoded:
    """Decode `data`, or raise DecodeError.

    Guarantees: the text is returned without BOM; `encoding` names what was used; `confidence`
    is 1.0 for a UTF form and the charset detector's confidence (at least
    `config.min_confidence`) for a legacy encoding.
    """
    if not data.strip():
        raise DecodeError("empty", "file is empty" if not data else "file has only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-16" and _ASCII_TEXT.fullmatch(data, len(bom)):
                raise DecodeError(
                    "uncertain_encoding",
                    "UTF-16 byte-order mark before ASCII text without NUL bytes: not UTF-16",
                )
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    "undecodable", f"invalid {encoding} after BOM: {exc.reason}"
                ) from None
            text = text.lstrip("\ufeff")
            if not text.strip():
                raise DecodeError("empty", "file has only a byte-order mark and whitespace")
            _check_text(text, encoding, config)
            return Decoded(text, encoding)
    head = data[:_SNIFF]
    if head.startswith(_BINARY_MAGIC):
        raise DecodeError("binary", "file starts with the signature of a binary format")
    if b"\x00" in head:
        # Both byte orders often decode; which one reads as language decides.
        guess = charset.detect_legacy(data, _bomless_utf(data))
        if guess is None:
            raise DecodeError("binary", "file contains NUL bytes and is not UTF-16 or UTF-32")
        return _accept(guess, config)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        high = len(data) - len(data.translate(None, _HIGH_BYTES))
        in_utf8 = sum(map(len, _UTF8_MULTIBYTE.findall(data)))
        if in_utf8 >= _CORRUPT_UTF8_SHARE * high:
            raise DecodeError(
                "undecodable", f"invalid UTF-8 at byte {exc.start}: {exc.reason}"
            ) from None
        return _legacy(data, config)
    _check_text(text, "utf-8", config)
    return Decoded(text, "utf-8")


def _legacy(data: bytes, config: DecodeConfig) -> Decoded:
    guess = charset.detect_legacy(data)
    if guess is None:
        raise DecodeError("undecodable", "neither UTF-8 nor any known legacy encoding")
    return _accept(guess, config)


def _accept(guess: charset.CharsetGuess, config: DecodeConfig) -> Decoded:
    if guess.confidence < config.min_confidence:
        raise DecodeError(
            "uncertain_encoding",
            f"not UTF-8; best guess {guess.encoding} (confidence {guess.confidence:.2f},"
            f" runner-up {guess.runner_up or 'none'}) is too uncertain",
        )
    _check_text(guess.text, guess.encoding, config)
    return Decoded(guess.text, guess.encoding, round(guess.confidence, 4))
