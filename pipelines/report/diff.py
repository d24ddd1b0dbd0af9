"""Side-by-side word diff of a survivor and its spun copy, as two HTML fragments."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\n\s*\n|\S+")  # a paragraph break, or a word with its punctuation
_PARAGRAPH = "\n\n"


@dataclass(frozen=True)
class SideBySide:
    """`left`/`right`: HTML of the survivor and the copy; swapped/dropped/added word counts."""

    left: str
    right: str
    swapped: int
    dropped: int
    added: int


def _tokens(text: str) -> list[str]:
    return [_PARAGRAPH if t.strip() == "" else t for t in _TOKEN.findall(text)]


def _render(tokens: list[str], css: str | None = None) -> str:
    parts = []
    for token in tokens:
        parts.append("<br><br>" if token == _PARAGRAPH else html.escape(token))
    text = " ".join(parts).replace(" <br><br> ", "<br><br>")
    return f'<span class="{css}">{text}</span>' if css and text else text


def side_by_side(original: str, copy: str) -> SideBySide:
    """Words the copy swapped are marked in both texts (`swap`), words only one side has are
    marked `gone` (survivor) or `added` (copy). Matching is on whole words, case-sensitive."""
    a, b = _tokens(original), _tokens(copy)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left, right = [], []
    swapped = dropped = added = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(_render(a[i1:i2]))
            right.append(_render(b[j1:j2]))
        elif op == "replace":
            left.append(_render(a[i1:i2], "swap"))
            right.append(_render(b[j1:j2], "swap"))
            swapped += i2 - i1
        elif op == "delete":
            left.append(_render(a[i1:i2], "gone"))
            dropped += i2 - i1
        else:
            right.append(_render(b[j1:j2], "added"))
            added += j2 - j1
    join = " ".join
    return SideBySide(
        left=join(p for p in left if p).replace(" <br><br> ", "<br><br>"),
        right=join(p for p in right if p).replace(" <br><br> ", "<br><br>"),
        swapped=swapped,
        dropped=dropped,
        added=added,
    )
