"""Bylines in article headers: "By Jane Doe", "Von Max Muster | 5. März 2020", "بقلم: …", "记者 …".

A byline line starts with a marker word and then names people (and perhaps a role or an outlet);
a date may follow on the same line after a separator ("By Jane Doe, March 5, 2020", "Par Jean
Dupont · 5 mars 2020"). Only header-zone lines are asked (see `pipelines.core.headers`), and a
line must look like names, not like a sentence: in cased scripts the first words after the
marker are capitalised, so "Di Maio attacca il governo" or "By the end of the year …" are not
bylines.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Markers that are followed directly by the names ("By Jane Doe"); case-insensitive.
# fmt: off
_BY_WORDS = (
    "by", "written by", "story by", "words by", "reported by",  # en
    "von", "ein beitrag von", "ein kommentar von",  # de
    "par", "écrit par", "propos recueillis par",  # fr
    "por", "escrito por",  # es, pt
    "a cura di", "scritto da",  # it (and a lower-case "di", see _MARKER_RE)
    "door", "geschreven door",  # nl
    "przez",  # pl
    "بقلم", "كتب", "كتبت", "إعداد",  # ar
    "记者", "記者",  # zh ja ("记者 张敏", "新华社记者 …" is not a line start)
)
# Markers that need a colon or slash before the names ("Autor: …", "文／…"), because the bare
# word also starts ordinary sentences ("Text messages …", "Autor des Buches …").
_LABEL_WORDS = (
    "author", "authors", "text", "reporter", "reporting",  # en
    "autor", "autorin", "autoren", "autorka", "autorzy", "texto", "tekst",  # de es pt pl nl
    "auteur", "auteurs", "texte",  # fr
    "autore", "autori", "testo",  # it
    "автор", "авторы", "текст", "корреспондент",  # ru
    "yazar", "yazan", "haber",  # tr
    "الكاتب", "المراسل", "الكاتبة",  # ar
    "نویسنده", "خبرنگار",  # fa
    "作者", "记者", "記者", "撰文", "文", "编辑", "編輯", "責任編集", "筆者",  # zh ja
)
# fmt: on
# Words that may sit between names without capitals ("Jane Doe and John Smith", "Ludwig van
# Beethoven", "María de la Cruz"); anything else lower-case ends the names.
_PARTICLES = "and und et y e i и ve en & van von der den de del della di da dos das du la le"
_NAME_PARTICLES = frozenset(f"{_PARTICLES} bin al el ibn ter ten zu".split())
# More words than this after the marker are a sentence, not names.
_MAX_NAME_WORDS = 8
# A byline line longer than this is body text.
MAX_BYLINE_CHARS = 160
# Characters after which the rest of a byline line may be a date or a role/outlet.
_SEPARATORS = ",|·•;—–"


def _alternation(words: tuple[str, ...]) -> str:
    """Longest first, so "written by" is tried before "by"; spaces match runs of spaces."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


# Italian "di" only in lower case: a capital "Di" starts surnames in titles ("Di Maio e Salvini").
_MARKER_RE = re.compile(
    rf"^(?:{_alternation(_BY_WORDS)}|(?-i:di))\s*[:：]?\s+"
    rf"|^(?:{_alternation(_LABEL_WORDS)})\s*[:：/／|・]\s*",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(rf"\s*[{re.escape(_SEPARATORS)}]\s*|\s+-\s+")
_SENTENCE_END = ".!?。！？"


class Byline(NamedTuple):
    """The names (with any role/outlet) of a byline line, and the text after it that may be a date.

    `tails` are the line's remainders after each separator, longest first ("March 5, 2020" is
    tried before "2020"), for the caller to read as a date.
    """

    names: str
    tails: tuple[str, ...]


def _is_cased(word: str) -> bool:
    return word[:1].isalpha() and word[:1].lower() != word[:1].upper()


def _names_like(text: str) -> bool:
    words = text.split()
    if not words or len(words) > _MAX_NAME_WORDS or text[-1] in _SENTENCE_END:
        return False
    first = words[0]
    if not first[:1].isalpha():
        return False  # "Di 05.03.2020" is a German weekday and a date, not a byline
    if not _is_cased(first):
        # Scripts without case (Arabic, Persian, CJK): short enough is all we can ask.
        return len(text) <= 40
    if first.lower() in _NAME_PARTICLES:
        return False  # "Von der Leyen …" is a sentence about a person, not a byline
    capitalised = 0
    for word in words:
        if word.lower() in _NAME_PARTICLES:
            continue
        if not _is_cased(word) or not word[0].isupper():
            return False
        capitalised += 1
    return capitalised > 0


def parse_byline(line: str) -> Byline | None:
    """The byline on header `line`, or None when the line is not a byline."""
    if len(line) > MAX_BYLINE_CHARS:
        return None
    marker = _MARKER_RE.match(line)
    if marker is None:
        return None
    rest = line[marker.end() :].strip()
    if not rest:
        return None
    cuts = list(_SPLIT_RE.finditer(rest))
    first = rest[: cuts[0].start()] if cuts else rest
    if not _names_like(first):
        return None
    tails = tuple(rest[m.end() :] for m in cuts if rest[m.end() :])
    return Byline(rest.rstrip(_SEPARATORS + " -"), tails)


def strip_tail(byline: Byline, tail: str) -> str:
    """The byline's names without `tail` (a date found on the line) and its separator."""
    names = byline.names[: len(byline.names) - len(tail)]
    return names.rstrip().rstrip(_SEPARATORS + "-").rstrip()
