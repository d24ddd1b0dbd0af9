"""Text that must not reach an article body: NUL and control characters, and HTML pages.

Pure functions, applied after decoding and before header normalization. Decoding rejects
files with NUL or many control characters in their first 64 KiB as binary; these catch the
stray ones anywhere in the text (a NUL after 64 KiB reached `body` before).
"""

from __future__ import annotations

import re

# C0 controls except tab, newline, vertical tab, form feed and carriage return (layout that
# text normalization folds), DEL and the C1 block: never content in a news article.
_CONTROLS = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")
# An HTML page announces itself in its first bytes; tags further in are quoted markup.
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
# HTML element names: a leaked tag names one (or is namespaced, "rdf:RDF", or a comment or
# declaration); Reuters writes company names in angle brackets ("<Temco Service Industries
# Inc> Merger Ended"), which are text.
_ELEMENTS = (
    "a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|blockquote|body|br|button|canvas|"
    "caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|div|dl|dt|"
    "em|embed|fieldset|figcaption|figure|font|footer|form|g|h[1-6]|head|header|hr|html|i|"
    "iframe|img|input|ins|kbd|label|legend|li|link|main|map|mark|meta|meter|nav|noscript|"
    "object|ol|optgroup|option|output|p|param|path|picture|pre|progress|q|rp|rt|ruby|s|samp|"
    "script|section|select|small|source|span|strong|style|sub|summary|sup|svg|table|tbody|td|"
    "template|textarea|tfoot|th|thead|time|title|tr|track|u|ul|var|video|wbr"
)
_NAME = rf"(?:(?i:{_ELEMENTS})(?![\w:-])|[A-Za-z][\w-]*:[\w:-]+)"
# Attributes: name=value, or a lower-case bare name ("hidden"; "<A Corp>" is text).
_ATTRS = r"(?:\s+(?:[\w:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s<>\"']+)|[a-z][\w:-]*))*\s*"
# A tag, a comment or declaration, or the start of a tag a scraper broke over lines ("<li role").
_TAG = re.compile(rf"</?{_NAME}{_ATTRS}/?>|<!--.*?-->|<![A-Za-z][^<>]*>|</?{_NAME}{_ATTRS}$", re.M)
# A line is markup when tags hold at least this share of its non-space characters: a
# template or a noscript block leaked into the visible text, not a sentence about "<div>".
MARKUP_LINE_TAG_SHARE = 0.5
# A text is an HTML page (quarantined) when at least this share of its non-blank lines are
# markup; below it, the markup lines are chrome the boilerplate stage removes (16 real web
# pages with a 44-line leaked search template, 6 % of their lines, were quarantined whole).
HTML_MIN_MARKUP_SHARE = 0.5


def strip_controls(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` without NUL and control characters, and what was removed ("nul", "control")."""
    removed = []
    if "\x00" in text:
        text = text.replace("\x00", "")
        removed.append("nul")
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
        removed.append("control")
    return text, tuple(removed)


def is_markup_line(line: str) -> bool:
    """Whether a line is (mostly) HTML tags."""
    if "<" not in line:
        return False
    chars = len("".join(line.split()))
    tags = sum(len("".join(m.split())) for m in _TAG.findall(line))
    return chars > 0 and tags >= MARKUP_LINE_TAG_SHARE * chars


def looks_like_html(text: str) -> bool:
    """True for an HTML page: a doctype or <html> first, or mostly markup lines. Article text
    with some leaked markup lines is not a page (see ``is_markup_line``)."""
    if _HTML_START.match(text[:4096]):
        return True
    if "<" not in text:
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    markup = sum(map(is_markup_line, lines))
    return bool(lines) and markup >= HTML_MIN_MARKUP_SHARE * len(lines)
