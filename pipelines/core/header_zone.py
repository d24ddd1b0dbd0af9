"""The header zone of an article: its leading short lines, and the header facts among them.

The zone ends where the body starts (see `find_zone`). Among its lines, in any order, are
datelines (a date, or a date segment: `WDR 5 | 5. März 2020`), published/updated lines
(`dates.header_lines`) and bylines (`bylines`), besides a title, subtitle, kicker, source name or
a truncated-lede teaser, which `pipelines.core.headers` deals with. Pure functions, no Beam.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipelines.core import bylines, dates

DIGIT = re.compile(r"\d")  # every date has a digit (NFKC folds only \d digits to ASCII)
# Recognition only: validity against the run date is TagDate's job.
_FAR_FUTURE = dt.date(9000, 1, 1)

_SENTENCE_END = ".!?。！？"
_ELLIPSES = ("…", "...")
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


def is_sentence(line: str) -> bool:
    """Ends like a sentence ("….", "…?»", "…。”"); a teaser's "…" or "..." does not."""
    end = line.rstrip(_CLOSERS)
    return bool(end) and end[-1] in _SENTENCE_END and not end.endswith("..")


def measure(line: str) -> tuple[int, int]:
    """(width, words) of a line; a CJK character is two columns wide and a third of a word."""
    words = len(line.split())
    if line.isascii() or line.count(" ") * _SPACED_CHARS_PER_WORD >= len(line):
        return len(line), words  # a script written with spaces between words
    wide = len(_WIDE.findall(line))
    return len(line) + wide, words + wide // 3


def find_zone(
    paragraphs: list[str], max_lines: int, max_line_chars: int, body_words: int
) -> tuple[list[tuple[int, int]], dict[int, list[str]], str | None]:
    """(paragraph, line) positions of the header zone, the lines of the paragraphs it spans, and
    the line the body starts with (None when the zone ends at the cap or the text's end).

    The zone is the leading lines before the body starts, at most `max_lines`. The body starts
    at a line wider than `max_line_chars` columns, at a line of `body_words` words or more, or at
    the second sentence of `_COUNTED_SENTENCE_WORDS` words or more below the first line: the
    first line (the title's place) may be a sentence and one more may be a subtitle or
    standfirst, but two more are body paragraphs (so a short body with chrome below it does not
    make the chrome part of the header). Once, a long sentence directly followed by a date or
    byline line is taken for a standfirst instead.
    """
    zone: list[tuple[int, int]] = []
    blocks: dict[int, list[str]] = {}
    sentences = 0
    standfirst = False
    for b, paragraph in enumerate(paragraphs):
        lines = blocks[b] = paragraph.split("\n")
        for i, line in enumerate(lines):
            if len(zone) >= max_lines:
                return zone, blocks, None
            if len(line) > max_line_chars:
                return zone, blocks, line
            width, words = measure(line)
            if width > max_line_chars:
                return zone, blocks, line
            body = words >= body_words
            if zone and not body and words >= _COUNTED_SENTENCE_WORDS and is_sentence(line):
                sentences += 1
                body = sentences > 1
            if body and zone:
                following = lines[i + 1] if i + 1 < len(lines) else None
                if following is None and b + 1 < len(paragraphs):
                    following = paragraphs[b + 1].split("\n", 1)[0]
                if standfirst or following is None or not is_fact(following):
                    return zone, blocks, line
                standfirst = True
            zone.append((b, i))
    return zone, blocks, None


def is_fact(line: str) -> bool:
    """Whether a line is a dateline, a published/updated line or a byline."""
    if bylines.parse_byline(line) is not None:
        return True
    return DIGIT.search(line) is not None and (
        dates.read_header_line(line, today=_FAR_FUTURE) is not None
    )


def date_text(line: str) -> str | None:
    """The date of a dateline or a published line (not an updated one), as raw text."""
    found = dates.read_header_line(line, today=_FAR_FUTURE) if DIGIT.search(line) else None
    return found.text if found is not None and found.kind in ("date", "published") else None


def is_navigation(lines: list[str]) -> bool:
    """Whether the zone's other lines are mostly menu items: a scraped page's chrome."""
    menu = 0
    for line in lines:
        if len(line.split()) <= _MENU_WORDS and not DIGIT.search(line) and not is_sentence(line):
            menu += 1
    return menu >= _MENU_LINES


@dataclass
class Facts:
    """What the header zone's lines say, filled in top to bottom."""

    parts: dict[tuple[int, int], str] = field(default_factory=dict)  # position -> stripped kind
    candidates: list[tuple[int, str, str]] = field(default_factory=list)  # (priority, source, text)
    dateline: str | None = None
    byline: str | None = None


def _read_line(line: str, position: tuple[int, int], facts: Facts, title_place: bool) -> None:
    """Record `line` in `facts` if it is a byline, a dateline or a published/updated line.

    The zone's first line is the title's place: it is never taken for a byline ("Par Avion").
    """
    has_digit = DIGIT.search(line) is not None
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


def read_zone(
    zone: list[tuple[int, int]], blocks: dict[int, list[str]], body_start: str | None
) -> Facts:
    """The header facts of the zone's lines; `parts` says which lines they are."""
    facts = Facts()
    for b, i in zone:
        line = blocks[b][i]
        if body_start and line.endswith(_ELLIPSES) and body_start.startswith(line.rstrip(".… ")):
            facts.parts[(b, i)] = "teaser"  # "first words of the lede…": the lede is below
        else:
            _read_line(line, (b, i), facts, title_place=(b, i) == zone[0])
    if is_navigation([blocks[b][i] for b, i in zone if (b, i) not in facts.parts]):
        # A page's menus, not an article's header: a bare date up here is the site's "today".
        facts.candidates = [c for c in facts.candidates if c[1] != "dateline"]
    facts.candidates.sort(key=_priority)
    return facts


def _priority(candidate: tuple[int, str, str]) -> int:
    return candidate[0]
