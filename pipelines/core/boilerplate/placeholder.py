"""Placeholder filler ("Lorem ipsum dolor sit amet ...") is template text, never an article."""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"\w+")
_LOREM_TEXT = (
    "lorem ipsum dolor sit amet consectetur consectetuer adipisicing adipiscing elit sed do "
    "eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis "
    "nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute "
    "irure in reprehenderit voluptate velit esse cillum eu fugiat nulla pariatur excepteur "
    "sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id "
    "est laborum"
)
LOREM_WORDS = frozenset(_LOREM_TEXT.split())
# A line is filler when at least this share of its words are Lorem ipsum words (Latin
# articles are not news; the share keeps an English line quoting "lorem ipsum" intact).
FILLER_SHARE = 0.8


# Shorter lines are filler only if they name it ("Lorem", "Lorem ipsum"): "In", "Do it" are not.
_MIN_WORDS = 3


def is_filler(line: str) -> bool:
    """Whether a line is Lorem ipsum filler."""
    words = _WORD_RE.findall(line.lower())
    if len(words) < _MIN_WORDS and not {"lorem", "ipsum"} & set(words):
        return False
    return bool(words) and sum(w in LOREM_WORDS for w in words) >= FILLER_SHARE * len(words)


def strip_filler(text: str) -> str:
    """``text`` without its Lorem ipsum lines (cheap when there is none)."""
    if "lorem" not in text.lower():
        return text
    return "\n".join(line for line in text.split("\n") if not is_filler(line))
