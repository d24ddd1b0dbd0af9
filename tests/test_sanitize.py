"""NUL and control characters out of article text; HTML pages recognised."""

import pytest

from pipelines.core.sanitize import is_markup_line, looks_like_html, strip_controls


def test_strip_controls_removes_and_records_nul_and_control_characters():
    assert strip_controls("a\x00b\x01c\x07d\x1b[0me\x7ff\x85g\tline\nnext\r\n") == (
        "abcd[0mefg\tline\nnext\r\n",
        ("nul", "control"),
    )
    assert strip_controls("clean text\n\nparagraph") == ("clean text\n\nparagraph", ())


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<!DOCTYPE html>\n<html><body>x</body></html>", True),
        ("  <html lang='en'><p>x</p></html>", True),
        ("<?xml version='1.0'?>\n<html xmlns='x'>", True),
        ("<!-- saved --> <!doctype HTML><p>x", True),
        ("<div class=a><meta name=x><script>1</script>", True),
        ("The <div> element and the <table> tag are HTML.", False),
        ("BERLIN (Reuters) - Prices rose <5% in May.", False),
        # Article text with a leaked template block (a quarter of its lines): not a page.
        ("Headline\n<ul role='listbox'>\nBody text.\nMore text.\n" * 2, False),
        ("<p>\nOne line of text\n</p>\n<p>\nAnother\n</p>", True),
        (" date 1987-03-17 <Temco Service Industries Inc> Merger Ended\n\nTemco said so.", False),
    ],
)
def test_looks_like_html(text, html):
    assert looks_like_html(text) is html


@pytest.mark.parametrize(
    ("line", "markup"),
    [
        ('<div class="suggestionblock hidden" templateType="C1">', True),
        ("<li role", True),  # a tag a scraper broke over two lines
        ("</li>", True),
        ("<b>Note:</b> the line is text with some markup", False),
        ("The <div> element and the <table> tag are HTML.", False),
        ("Read Frankl's <a href=\"http://x.org/y\"?Man's Search for Meaning. He survived.", False),
        ("Prices rose <5% in May.", False),
        # Reuters' company names in angle brackets are text.
        ("<Temco Service Industries Inc> Merger Ended", False),
        ("<A Corp>", False),
        ('<rdfs:label xml:lang="en">Actor</rdfs:label>', True),
        ("<!-- saved from the web -->", True),
    ],
)
def test_is_markup_line(line, markup):
    assert is_markup_line(line) is markup
