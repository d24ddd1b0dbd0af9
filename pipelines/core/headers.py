"""Split a decoded news file into title, header fields and a normalized body.

The header zone (`header_zone`) is the run of short lines at the top, before the body starts
(a line longer than `HeaderConfig.max_header_line_chars`, or long sentences), at most
`HeaderConfig.header_lines` lines. Anywhere in it, in any order and between a title, a
subtitle, a programme or source name ("WDR 5"), a kicker or a truncated lede line, are found:

- a dateline: a line that is only a date (`Friday, 13 Mar, 2020`, `13. März 2020`), or a date
  segment of a line (`WDR 5 | 5. März 2020`);
- `Published: <timestamp>` / `Updated: ...` lines in many languages (see `dates.header_lines`);
- a byline (`By Jane Doe`, `Von Max Muster | 5. März 2020`, see `bylines`), with any date on it.

Dates below the header zone (copyright years, related-story dates, comment timestamps) are never
read. Also recognised: a leading ` date YYYY-MM-DD ` prefix glued to the first paragraph; a
title (the first line of the zone that is not one of the above, when short, without closing
punctuation, and alone in its paragraph or in a header block), under a one-word kicker; a
teaser line that repeats the lede's first words; on a scraped page whose first line is its
`Site | Headline` title, the dateline below the headline's echo further down (which beats a
site's "today" banner at the top); photo captions near the top that
end in a credit (`(Lewis Whyld/PA)`, `/ AFP / NAME`); trailing agency credit lines (`PA Media`,
`(Reporting by ...)`, `© ...`).

Only header facts are collected here, as raw text; `dates.publication_date` decides which date
is the publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.core.header_zone import DIGIT, date_text, find_zone, measure, read_zone
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


class HeaderError(ValueError):
    """Raised with `kind` 'no_body' when nothing but header remains."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class HeaderConfig:
    """How far down the header zone reaches, and size limits of a title and a caption.

    header_lines: the zone spans at most this many leading lines (title, kicker, subtitle,
        source, byline, dateline and a teaser fit with room to spare; menus of scraped pages
        that run longer are not a header).
    max_header_line_chars: a longer line is body text, and the zone ends before it (subtitles
        and standfirsts run to ~200 characters, lede paragraphs longer).
    body_sentence_words: a sentence with at least this many words is body text (one shorter
        sentence may be a subtitle; the second ends the zone).
    caption_paragraphs: photo captions are looked for in this many leading paragraphs.
    """

    header_lines: int = 10
    max_header_line_chars: int = 200
    body_sentence_words: int = 25
    caption_paragraphs: int = 5
    max_title_chars: int = 200
    max_title_words: int = 30
    max_caption_chars: int = 400
    max_credit_lines: int = 2

    def __post_init__(self) -> None:
        for name in (
            "header_lines",
            "max_header_line_chars",
            "body_sentence_words",
            "max_title_chars",
            "max_title_words",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        for name in ("caption_paragraphs", "max_caption_chars", "max_credit_lines"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")


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
    byline: str | None = None


# A kicker is one word: a one-word line cannot be a title, so taking it as a kicker when a
# title follows costs no title.
_MAX_KICKER_CHARS = 30


def _words(paragraph: str) -> int:
    return len(paragraph.split())


def _is_caption(paragraph: str, config: HeaderConfig) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph) <= config.max_caption_chars
        and _CAPTION_CREDIT.search(paragraph) is not None
    )


def _is_title(line: str, config: HeaderConfig) -> bool:
    if len(line) > config.max_title_chars:
        return False
    _, words = measure(line)
    return (
        2 <= words <= config.max_title_words
        and line[-1] not in _TITLE_BAD_END
        and not line[0].islower()
    )


def _is_kicker(line: str) -> bool:
    """A one-word section label above a title ("Exclusive", "Coronavirus", "独家")."""
    return len(line) <= _MAX_KICKER_CHARS and measure(line)[1] == 1 and not DIGIT.search(line)


# A scraped page's first line is its <title> ("Site | Headline"); the article's own heading
# comes again further down, under the site's banners, with its dateline below it. Only this
# many paragraphs are searched for that echo, and only this many lines below it for the date.
_ECHO_PARAGRAPHS = 200
_ECHO_DATE_LINES = 3
# Separators between a site name and the headline in a page title.
_TITLE_SEGMENTS = re.compile(r"\s+[|\u2013\u2014:-]{1,2}\s+")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _echo_date(title: str, paragraphs: list[str]) -> str | None:
    """The date on the lines right below the title's echo (the article's own heading further
    down a scraped page), as raw text; None without an echo or a date below it."""
    names = {_fold(title)} | {
        _fold(part) for part in _TITLE_SEGMENTS.split(title) if len(part.split()) >= 3
    }
    longest = len(title) + len(title) // 4  # an echo is no longer than the title (+ spacing)
    for k in range(min(len(paragraphs), _ECHO_PARAGRAPHS)):
        if len(paragraphs[k]) > longest or _fold(paragraphs[k]) not in names:
            continue
        below = "\n".join(paragraphs[k + 1 : k + 1 + _ECHO_DATE_LINES]).split("\n")
        for line in below[:_ECHO_DATE_LINES]:
            found = date_text(line)
            if found is not None:
                return found
        return None
    return None


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

    caption = None
    leading = paragraphs[: config.caption_paragraphs]
    at = [i for i, p in enumerate(leading) if _is_caption(p, config)]
    # A photo story's text is its caption ("<headline> / <standfirst> / <what the picture
    # shows> (Agency)"): a caption longer than all the rest is the article, and stays.
    rest = [p for i, p in enumerate(paragraphs) if i not in at]
    if at and rest and max(_words(paragraphs[i]) for i in at) < sum(map(_words, rest)):
        # Every caption is kept: a page with two pictures near the top has two.
        caption = "\n".join(paragraphs[i] for i in at)
        stripped.extend(["caption"] * len(at))
        paragraphs = rest

    zone, blocks, body_start = find_zone(
        paragraphs, config.header_lines, config.max_header_line_chars, config.body_sentence_words
    )
    facts = read_zone(zone, blocks, body_start)

    # The title: the first zone line that is not a header fact, alone in its paragraph (or in a
    # paragraph that is a header block), when the article has more than that line.
    title = None
    rest = [p for p in zone if p not in facts.parts]
    if (
        len(rest) > 1
        and _is_kicker(blocks[rest[0][0]][rest[0][1]])
        and _is_title(blocks[rest[1][0]][rest[1][1]], config)
    ):
        facts.parts[rest.pop(0)] = "kicker"  # "Exclusive", "Coronavirus" above the title
    if rest and (len(paragraphs) > 1 or len(blocks[0]) > 1):
        b, i = rest[0]
        block_facts = sum(1 for (fb, _) in facts.parts if fb == b)
        alone = len(blocks[b]) - block_facts == 1
        if (alone or block_facts) and _is_title(blocks[b][i], config):
            title = blocks[b][i]
            facts.parts[(b, i)] = "title"

    # Read before the header lines are stripped: the echo's dateline may be one of them.
    echo = _echo_date(title, paragraphs[1:]) if title else None
    if echo is not None:
        # The article's own dateline beats one among the banners at the top of the page.
        candidates.append(("dateline", echo))

    if facts.parts:
        for position in sorted(facts.parts):
            stripped.append(facts.parts[position])
        for b in sorted({b for b, _ in facts.parts}):
            lines = blocks[b]
            paragraphs[b] = "\n".join(x for i, x in enumerate(lines) if (b, i) not in facts.parts)
        paragraphs = [p for p in paragraphs if p]
    candidates.extend((source, raw) for _, source, raw in facts.candidates)

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
        dateline=facts.dateline,
        caption=caption,
        credit=" | ".join(credits) or None,
        stripped=tuple(stripped),
        date_candidates=tuple(candidates),
        byline=facts.byline,
    )
