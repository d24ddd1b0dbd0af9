"""Split a decoded news file into title, header fields and a normalized body.

The header zone is the run of short lines at the top, before the body starts (the first line
longer than `HeaderConfig.max_header_line_chars`, or a long sentence), at most
`HeaderConfig.header_lines` lines. Anywhere in it, in any order and between a title, a
subtitle, a programme or source name ("WDR 5"), a kicker or a truncated lede line, it finds:

- a dateline: a line that is only a date (`Friday, 13 Mar, 2020`, `13. März 2020`), or a date
  segment of a line (`WDR 5 | 5. März 2020`);
- `Published: <timestamp>` / `Updated: ...` lines in many languages (see `dates.header_lines`);
- a byline (`By Jane Doe`, `Von Max Muster | 5. März 2020`, see `bylines`), with any date on it.

Dates below the header zone (copyright years, related-story dates, comment timestamps) are never
read. Also recognised: a leading ` date YYYY-MM-DD ` prefix glued to the first paragraph; a
title (the first line of the zone that is not one of the above, when short, without closing
punctuation, and alone in its paragraph or in a header block); photo captions near the top that
end in a credit (`(Lewis Whyld/PA)`, `/ AFP / NAME`); trailing agency credit lines (`PA Media`,
`(Reporting by ...)`, `© ...`).

Only header facts are collected here, as raw text; `dates.publication_date` decides which date
is the publication date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipelines.core import bylines, dates
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
_DIGIT = re.compile(r"\d")  # every date has a digit (NFKC folds only \d digits to ASCII)
# Recognition only: validity against the run date is TagDate's job.
_FAR_FUTURE = dt.date(9000, 1, 1)


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


_SENTENCE_END = ".!?。！？"
_ELLIPSES = ("…", "...")
# A kicker is one word: a one-word line cannot be a title, so taking it as a kicker when a
# title follows costs no title.
_MAX_KICKER_CHARS = 30
# A line holding a date segment and at most this many other words is stripped as a dateline.
_MAX_DATELINE_EXTRA_WORDS = 4
_CLOSERS = "\"'»”’)]」』）"
# Header lines of at most _MENU_WORDS words without digits ("Home", "Local News", "Search:"):
# a kicker and a source name are such lines; _MENU_LINES of them are a scraped page's menus
# (on the raw web pages: 3 drop most real dates with the banners, 7 keep a third of the banners).
_MENU_WORDS = 3
_MENU_LINES = 5
# Sentences shorter than this are header lines (a title asking a question, a short subtitle).
_COUNTED_SENTENCE_WORDS = 12
# Words in scripts written with spaces average well under this many characters; a line with
# fewer spaces may be Chinese or Japanese, whose characters are counted.
_SPACED_CHARS_PER_WORD = 12
_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]")
# Candidate sources by priority: a labelled publication date beats a bare date, on a line of its
# own or on the byline line; between those the higher line wins.
_PRIORITY = {"published-line": 0, "dateline": 1, "byline": 1}


def _is_caption(paragraph: str, config: HeaderConfig) -> bool:
    return (
        "\n" not in paragraph
        and len(paragraph) <= config.max_caption_chars
        and _CAPTION_CREDIT.search(paragraph) is not None
    )


def _is_title(line: str, config: HeaderConfig) -> bool:
    if len(line) > config.max_title_chars:
        return False
    _, words = _measure(line)
    return (
        2 <= words <= config.max_title_words
        and line[-1] not in _TITLE_BAD_END
        and not line[0].islower()
    )


def _is_kicker(line: str) -> bool:
    """A one-word section label above a title ("Exclusive", "Coronavirus", "独家")."""
    return len(line) <= _MAX_KICKER_CHARS and _measure(line)[1] == 1 and not _DIGIT.search(line)


def _is_sentence(line: str) -> bool:
    """Ends like a sentence ("….", "…?»", "…。”"); a teaser's "…" or "..." does not."""
    end = line.rstrip(_CLOSERS)
    return bool(end) and end[-1] in _SENTENCE_END and not end.endswith("..")


def _measure(line: str) -> tuple[int, int]:
    """(width, words) of a line; a CJK character is two columns wide and a third of a word."""
    words = len(line.split())
    if line.isascii() or line.count(" ") * _SPACED_CHARS_PER_WORD >= len(line):
        return len(line), words  # a script written with spaces between words
    wide = len(_WIDE.findall(line))
    return len(line) + wide, words + wide // 3


def _header_zone(
    paragraphs: list[str], config: HeaderConfig
) -> tuple[list[tuple[int, int]], dict[int, list[str]], str | None]:
    """(paragraph, line) positions of the header zone, the lines of the paragraphs it spans, and
    the line the body starts with (None when the zone ends at the cap or the text's end).

    The zone is the leading lines before the body starts. The body starts at a line wider than
    `max_header_line_chars`, at a line of `body_sentence_words` words or more, or at the second
    sentence of `_COUNTED_SENTENCE_WORDS` words or more below the first line: the first line
    (the title's place) may be a sentence and one more may be a subtitle or standfirst, but two
    more are body paragraphs (so a short body with chrome below it does not make the chrome part
    of the header). Once, a long sentence directly followed by a date or byline line is taken for
    a standfirst instead.
    """
    zone: list[tuple[int, int]] = []
    blocks: dict[int, list[str]] = {}
    sentences = 0
    standfirst = False
    for b, paragraph in enumerate(paragraphs):
        lines = blocks[b] = paragraph.split("\n")
        for i, line in enumerate(lines):
            if len(zone) >= config.header_lines:
                return zone, blocks, None
            if len(line) > config.max_header_line_chars:
                return zone, blocks, line
            width, words = _measure(line)
            if width > config.max_header_line_chars:
                return zone, blocks, line
            body = words >= config.body_sentence_words
            if zone and not body and words >= _COUNTED_SENTENCE_WORDS and _is_sentence(line):
                sentences += 1
                body = sentences > 1
            if body and zone:
                following = lines[i + 1] if i + 1 < len(lines) else None
                if following is None and b + 1 < len(paragraphs):
                    following = paragraphs[b + 1].split("\n", 1)[0]
                if standfirst or following is None or not _is_fact(following):
                    return zone, blocks, line
                standfirst = True
            zone.append((b, i))
    return zone, blocks, None


def _is_fact(line: str) -> bool:
    """Whether a line is a dateline, a published/updated line or a byline."""
    if bylines.parse_byline(line) is not None:
        return True
    return _DIGIT.search(line) is not None and (
        dates.read_header_line(line, today=_FAR_FUTURE) is not None
    )


def _is_navigation(lines: list[str]) -> bool:
    """Whether the zone's other lines are mostly menu items: a scraped page's chrome."""
    menu = 0
    for line in lines:
        if len(line.split()) <= _MENU_WORDS and not _DIGIT.search(line) and not _is_sentence(line):
            menu += 1
    return menu >= _MENU_LINES


@dataclass
class _Facts:
    """What the header zone's lines say, filled in top to bottom."""

    parts: dict[tuple[int, int], str]  # position -> stripped kind
    candidates: list[tuple[int, str, str]]  # (priority, source, date text)
    dateline: str | None = None
    byline: str | None = None


def _read_line(line: str, position: tuple[int, int], facts: _Facts, title_place: bool) -> None:
    """Record `line` in `facts` if it is a byline, a dateline or a published/updated line.

    The zone's first line is the title's place: it is never taken for a byline ("Par Avion").
    """
    has_digit = _DIGIT.search(line) is not None
    byline = None if title_place else bylines.parse_byline(line)
    if byline is not None:
        names = byline.names
        for tail in byline.tails if has_digit else ():
            found = dates.read_header_line(tail, today=_FAR_FUTURE)
            if found is None:
                continue
            names = bylines.strip_tail(byline, tail)
            if found.kind != "updated":
                source = "byline" if found.kind == "date" else "published-line"
                facts.candidates.append((_PRIORITY[source], source, found.text))
            break
        facts.byline = facts.byline or names
        facts.parts[position] = "byline"
        return
    found = dates.read_header_line(line, today=_FAR_FUTURE) if has_digit else None
    if found is None:
        return
    if found.kind == "date":
        facts.dateline = facts.dateline or line
        facts.candidates.append((_PRIORITY["dateline"], "dateline", found.text))
        # A date segment beside a source name ("WDR 5 | 5. März 2020") is a header line; beside
        # more words ("2. August 2013 | Talkshow host returns …") the line is also text: kept.
        if len(line.split()) - len(found.text.split()) <= _MAX_DATELINE_EXTRA_WORDS:
            facts.parts[position] = "dateline"
    else:
        if found.kind == "published":
            facts.candidates.append((_PRIORITY["published-line"], "published-line", found.text))
        facts.parts[position] = f"{found.kind}-line"


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
    for paragraph in list(paragraphs[: config.caption_paragraphs]):
        if len(paragraphs) > 1 and _is_caption(paragraph, config):
            caption = caption or paragraph
            stripped.append("caption")
            paragraphs.remove(paragraph)

    zone, blocks, body_start = _header_zone(paragraphs, config)
    facts = _Facts(parts={}, candidates=[])
    for b, i in zone:
        line = blocks[b][i]
        if body_start and line.endswith(_ELLIPSES) and body_start.startswith(line.rstrip(".… ")):
            facts.parts[(b, i)] = "teaser"  # "first words of the lede…": the lede is below
        else:
            _read_line(line, (b, i), facts, title_place=(b, i) == zone[0])
    if _is_navigation([blocks[b][i] for b, i in zone if (b, i) not in facts.parts]):
        # A page's menus, not an article's header: a bare date up here is the site's "today".
        facts.candidates = [c for c in facts.candidates if c[1] != "dateline"]

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

    if facts.parts:
        for position in sorted(facts.parts):
            stripped.append(facts.parts[position])
        for b in sorted({b for b, _ in facts.parts}):
            lines = blocks[b]
            paragraphs[b] = "\n".join(x for i, x in enumerate(lines) if (b, i) not in facts.parts)
        paragraphs = [p for p in paragraphs if p]
    candidates.extend((source, raw) for _, source, raw in sorted(facts.candidates, key=_first))

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


def _first(candidate: tuple[int, str, str]) -> int:
    return candidate[0]
