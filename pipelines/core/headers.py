"""Split a decoded news file into title, header fields and a normalized body.

Recognised header forms (see `seeds/`):
- a leading ` date YYYY-MM-DD ` prefix glued to the first paragraph;
- `Published: <timestamp>` / `Updated: ...` lines in several languages near the top;
- a title line (a short first paragraph without closing sentence punctuation);
- a dateline line that is only a date (`Friday, 13 Mar, 2020`, `13. März 2020` ...);
- photo captions near the top that end in a credit: `(Lewis Whyld/PA)`, `/ AFP / NAME`;
- trailing agency credit lines (`PA Media`, `(Reporting by ...)`, `© ...`).

Only header facts are collected here, as raw text; `dates.publication_date` decides which date
is the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.core import dates
from pipelines.core.text import normalize_text, split_paragraphs

_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2})(?:\s+|$)", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(
    r"""(?:
        \((?:[^()/]{1,80}/[^()]{1,60}|(?:AP\s|AFP\s)?(?:photo|picture|image|foto|bild|credit)s?\b[^()]{0,80})\)
        | \s/\s*(?:AFP|AP|Reuters|Getty\ Images|Getty|EPA|PA|Bloomberg|Xinhua|dpa|ANSA|EFE)
          (?:\s*/\s*[^/]{2,60})?
      )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_AGENCIES = (
    "PA Media|PA|AP|AFP|Reuters|Thomson Reuters|dpa|DPA|ANSA|EFE|Agencia EFE|Xinhua|TASS|"
    "Anadolu|Anadolu Agency|Associated Press|Agence France-Presse|Bloomberg|UPI|Kyodo|Yonhap|"
    "Europa Press|APA|PAP|Interfax|RIA Novosti|IANS|PTI|ANI|AAP|Bernama|Antara|KNA|epd|SDA|"
    "Keystone-SDA|ABC News|CNN|BBC|Al Jazeera|AA"
)
_CREDIT_LINE = re.compile(
    rf"""^(?:
        [-\u2013\u2014]?\s*(?:{_AGENCIES.replace(" ", "[ ]")})(?:\s*[/,]\s*[^\s].{{0,40}})?\.?
      | \((?:reporting|writing|editing|additional\ reporting|compiled)\ by\b.*\)
      | (?:\u00a9|\(c\)|copyright)\s.{{0,100}}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_TITLE_BAD_END = ".,;:"
# Recognition only: validity against the run date is TagDate's job.
_FAR_FUTURE = dt.date(9000, 1, 1)


class HeaderError(ValueError):
    """Raised with `kind` 'no_body' when nothing but header remains."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class HeaderConfig:
    """How far down the header zone reaches, and size limits of a title and a caption."""

    header_paragraphs: int = 6
    max_title_chars: int = 200
    max_title_words: int = 30
    max_caption_chars: int = 400
    max_credit_lines: int = 2

    def __post_init__(self) -> None:
        for name in ("header_paragraphs", "max_title_chars", "max_title_words"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.max_caption_chars < 0 or self.max_credit_lines < 0:
            raise ValueError("max_caption_chars and max_credit_lines must be >= 0")


DEFAULT_HEADER = HeaderConfig()


@dataclass(frozen=True)
class ParsedHeader:
    """What NormalizeHeaders extracts; `date_candidates` are (source, raw text), best first."""

    title: str | None
    body: str
    dateline: str | None
    caption: str | None
    credit: str | None
    stripped: tuple[str, ...]
    date_candidates: tuple[tuple[str, str], ...]


def _is_date_line(paragraph: str) -> bool:
    return "\n" not in paragraph and dates.parse_date(paragraph, today=_FAR_FUTURE) is not None


def _header_date_kind(line: str) -> str | None:
    """'published' or 'updated' for a labelled header date line, else None."""
    found = dates.parse_header_date(line, today=_FAR_FUTURE)
    return found.kind if found else None


def _is_caption(paragraph: str, config: HeaderConfig) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph) <= config.max_caption_chars
        and _CAPTION_CREDIT.search(paragraph) is not None
    )


def _is_title(paragraph: str, config: HeaderConfig) -> bool:
    if "\n" in paragraph or len(paragraph) > config.max_title_chars:
        return False
    words = paragraph.split()
    return (
        2 <= len(words) <= config.max_title_words
        and paragraph[-1] not in _TITLE_BAD_END
        and not paragraph[0].islower()
    )


def parse_article(text: str, config: HeaderConfig = DEFAULT_HEADER) -> ParsedHeader:
    """Split decoded `text` into header fields and a normalized body.

    The body is NFC-normalized, with single spaces, paragraphs joined by one blank line and the
    stripped header parts removed. Raises HeaderError('no_body') when no body text remains.
    """
    text = normalize_text(text)
    stripped: list[str] = []
    candidates: list[tuple[str, str]] = []

    prefix = _DATE_PREFIX.match(text)
    if prefix:
        candidates.append(("header", prefix.group(1)))
        stripped.append("date-prefix")
        text = text[prefix.end() :]
    paragraphs = split_paragraphs(text)
    zone = config.header_paragraphs

    # Published/Updated lines may sit alone or inside a small header block; drop just those
    # lines. Only a published line is a publication-date candidate.
    for i, paragraph in enumerate(paragraphs[:zone]):
        kept = []
        for line in paragraph.split("\n"):
            kind = _header_date_kind(line)
            if kind is None:
                kept.append(line)
                continue
            stripped.append(f"{kind}-line")
            if kind == "published":
                candidates.append(("published-line", line))
        paragraphs[i] = "\n".join(kept)
    paragraphs = [p for p in paragraphs if p]

    caption = None
    for paragraph in list(paragraphs[: zone - 1]):
        if len(paragraphs) > 1 and _is_caption(paragraph, config):
            caption = caption or paragraph
            stripped.append("caption")
            paragraphs.remove(paragraph)

    # Title and dateline, in either order, at the very top.
    title = dateline = None
    for _ in range(2):
        if not paragraphs:
            break
        first = paragraphs[0]
        if dateline is None and _is_date_line(first):
            dateline = first
            candidates.append(("dateline", first))
            stripped.append("dateline")
        elif title is None and len(paragraphs) > 1 and _is_title(first, config):
            title = first
            stripped.append("title")
        else:
            break
        paragraphs.pop(0)

    credits = []
    while (
        len(paragraphs) > 1
        and len(credits) < config.max_credit_lines
        and "\n" not in paragraphs[-1]
        and _CREDIT_LINE.match(paragraphs[-1])
    ):
        credits.insert(0, paragraphs.pop())
        stripped.append("credit")

    body = "\n\n".join(paragraphs)
    if not body.strip():
        raise HeaderError("no_body", "no body text after removing the header")
    return ParsedHeader(
        title=title,
        body=body,
        dateline=dateline,
        caption=caption,
        credit=" | ".join(credits) or None,
        stripped=tuple(stripped),
        date_candidates=tuple(candidates),
    )
