"""Turn raw file bytes into text, or say precisely why not.

Order of attempts: byte-order marks (UTF-8, UTF-16, UTF-32), strict UTF-8, then a recorded legacy
8-bit fallback (cp1252, a superset of Latin-1's printable range) only when the bytes contain no
valid multi-byte UTF-8 at all and the result reads like text. Anything else is an error.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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
# A valid multi-byte UTF-8 sequence: its presence means the file was meant as UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Control characters other than tab, newline, carriage return, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SNIFF = 64 * 1024


class DecodeError(ValueError):
    """Raised with `kind` in {'empty', 'binary', 'undecodable'} and a one-line message."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class DecodeConfig:
    """`max_control_ratio`: share of control characters above which decoded text is binary."""

    max_control_ratio: float = 0.01
    fallback_encoding: str = "cp1252"

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_control_ratio <= 1.0:
            raise ValueError("max_control_ratio must be within [0, 1]")
        codecs.lookup(self.fallback_encoding)


DEFAULT_DECODE = DecodeConfig()


def _check_text(text: str, encoding: str, config: DecodeConfig) -> None:
    sample = text[:_SNIFF]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > config.max_control_ratio:
        raise DecodeError("binary", f"decoded as {encoding} but contains control characters")


def decode_bytes(data: bytes, config: DecodeConfig = DEFAULT_DECODE) -> tuple[str, str]:
    """Decode `data`; return `(text, encoding)` or raise DecodeError.

    Guarantees: the text is returned without BOM; `encoding` names what was used, and is the
    fallback encoding only when no UTF form applies.
    """
    if not data.strip():
        raise DecodeError("empty", "file is empty" if not data else "file has only whitespace")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
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
            return text, encoding
    head = data[:_SNIFF]
    if head.startswith(_BINARY_MAGIC):
        raise DecodeError("binary", "file starts with the signature of a binary format")
    if b"\x00" in head:
        raise DecodeError("binary", "file contains NUL bytes (binary, or UTF-16 without a BOM)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data):
            raise DecodeError(
                "undecodable", f"invalid UTF-8 at byte {exc.start}: {exc.reason}"
            ) from None
        try:
            text = data.decode(config.fallback_encoding)
        except UnicodeDecodeError as exc2:
            raise DecodeError(
                "undecodable",
                f"neither UTF-8 nor {config.fallback_encoding} (byte {exc2.start})",
            ) from None
        _check_text(text, config.fallback_encoding, config)
        return text, config.fallback_encoding
    _check_text(text, "utf-8", config)
    return text, "utf-8"
