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
_HTML_TAG = re.compile(r"<(?:head|body|script|style|div|meta|link|table)\b[^>]*>", re.I)
# Pages saved without a doctype: at least this many structural tags in the first 4 KiB.
_HTML_MIN_TAGS = 3
_HTML_SNIFF = 4096


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


def looks_like_html(text: str) -> bool:
    """True for an HTML page (a doctype or <html> first, or several structural tags early)."""
    head = text[:_HTML_SNIFF]
    return bool(_HTML_START.match(head)) or len(_HTML_TAG.findall(head)) >= _HTML_MIN_TAGS
