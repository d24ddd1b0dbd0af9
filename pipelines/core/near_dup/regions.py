"""Which parts of a text dedup reads: link-list runs are stripped, the main block of prose is
located (verification asks whether a shared part reaches it)."""

from __future__ import annotations

import re

from pipelines.core.near_dup.config import NearDupConfig
from pipelines.core.text import is_title_case

__all__ = ["main_block", "strip_lists"]

# A line "ends with punctuation" when its last non-whitespace character is one of these.
_LINE_END_CHARS = frozenset('.!?:;。！？؟"”’»')


def strip_lists(text: str, config: NearDupConfig) -> str:
    """Drop runs of >= boilerplate_min_lines short, unpunctuated lines or title-cased
    headlines: link lists, menus, "newer stories" blocks (headline / tag / time / comments).

    A paragraph a scraper split at its inline links ("emails from" / "21times" / ". First
    there was" / "Spencer Fry" / "on How to ...") has fragments that start in lower case or
    with punctuation *inside* the paragraph: those break the run. A lower-case line that is a
    paragraph of its own ("frankenstorm", a tag) is a list item. Blank lines do not break a
    run. Such runs would otherwise dominate the overlap of two short distinct articles of one
    site. The run that opens the text is kept: a page's header (title, headline, date,
    byline) and whatever it runs into, which its clean text keeps too (web corpus run A:
    8 raw pages more in one cluster with their clean text, none with another page's;
    dedup_eval unchanged). Keeps the text whole when stripping would leave under half of it
    and fewer than boilerplate_min_kept_words words (an article that is itself a list).
    """
    if text.count("\n") + 1 < config.boilerplate_min_lines:
        return text
    lines = text.split("\n")
    is_list = []
    starts_paragraph = True
    for ln in lines:
        # rstrip() removes exactly the \\s characters, so the last kept character decides
        # the punctuation test; checked before the word count, which most paragraphs fail.
        end = ln.rstrip()[-1:]
        start = ln.lstrip()[:1]
        n_words = len(ln.split())
        is_list.append(
            bool(end)
            and (start.isupper() or start.isdigit() or (starts_paragraph and start.isalpha()))
            and (
                (end not in _LINE_END_CHARS and n_words <= config.boilerplate_max_words)
                # A headline in a list may be longer and end in "?", "!" or a quote.
                or (
                    end != "." and n_words <= 2 * config.boilerplate_max_words and is_title_case(ln)
                )
            )
        )
        starts_paragraph = not end
    if sum(is_list) < config.boilerplate_min_lines:  # no run can be long enough
        return text
    drop = [False] * len(lines)
    run: list[int] = []
    head = True  # the text's opening run: its header (headline, byline, date), kept
    for i, ln in enumerate([*lines, "x."]):
        if i < len(lines) and not ln.strip():
            continue
        if i < len(lines) and is_list[i]:
            run.append(i)
            continue
        if head:
            head, run = False, []
        if len(run) >= config.boilerplate_min_lines:
            for j in run:
                drop[j] = True
        run = []
    if not any(drop):
        return text
    kept = "\n".join(ln for ln, d in zip(lines, drop, strict=True) if not d)
    if len(kept) * 2 >= len(text) or len(kept.split()) >= config.boilerplate_min_kept_words:
        return kept
    return text


_PARAGRAPH_RE = re.compile(r"\n[^\S\n]*\n")
# A prose paragraph: at least this many words (or 3x as many characters in an unspaced
# script), ending like a sentence. A main block may bridge up to _MAIN_GAP consecutive short
# paragraphs (<= _MAIN_GAP_WORDS words: a subheading, "From the letter:", a caption).
_PROSE_WORDS = 15
_PROSE_END = frozenset('.!?。！？؟"”’»)')
_MAIN_GAP = 2
_MAIN_GAP_WORDS = 12


def _size(paragraph: str) -> int:
    """Words of a paragraph; a third of its characters when the script has no spaces."""
    words = len(paragraph.split())
    return max(words, len(paragraph) // 3) if words * 12 < len(paragraph) else words


def main_block(text: str) -> tuple[int, int] | None:
    """Character span of the text's main block: its run of prose paragraphs with the most
    words; None when the text has no prose paragraph or is one block.

    A scraped page's article is its longest run of prose; the menus, headline lists and
    comment threads around it are short lines or short runs.
    """
    bounds = [0]
    for m in _PARAGRAPH_RE.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    spans = list(zip(bounds[::2], bounds[1::2], strict=True))
    if len(spans) < 3:
        return None
    sizes = [_size(text[x:y]) for x, y in spans]
    prose = [
        n >= _PROSE_WORDS and text[x:y].rstrip()[-1:] in _PROSE_END
        for (x, y), n in zip(spans, sizes, strict=True)
    ]
    best = (0, 0, 0)  # (words, first, last)
    i = 0
    while i < len(spans):
        if not prose[i]:
            i += 1
            continue
        words, gap, last, j = 0, 0, i, i
        while j < len(spans):
            if prose[j]:
                words, gap, last = words + sizes[j], 0, j
            elif sizes[j] <= _MAIN_GAP_WORDS and gap < _MAIN_GAP:
                gap += 1
            else:
                break
            j += 1
        if words > best[0]:
            best = (words, i, last)
        i = last + 1
    if not best[0] or (best[1] == 0 and best[2] == len(spans) - 1):
        return None
    return spans[best[1]][0], spans[best[2]][1]
