import pytest

from pipelines.core.headers import HeaderConfig, HeaderError, parse_article
from tests.conftest import seed


def _parse(prefix: str):
    return parse_article(seed(prefix).read_text(encoding="utf-8"))


def test_seed_000_date_prefix_glued_to_first_paragraph():
    h = _parse("000")
    assert h.title is None
    assert h.date_candidates == (("header", "2020-03-18"),)
    assert h.body.startswith("At minimum a few rockets struck Baghdad’s fortified Eco-friendly")
    assert h.stripped == ("date-prefix",)


def test_seed_001_caption_and_agency_credit_are_stripped():
    h = _parse("001")
    assert h.caption == "Rockets fell in Baghdad near the US Embassy on Tuesday (Lewis Whyld/PA)"
    assert h.credit == "PA Media"
    assert "Lewis Whyld" not in h.body and "PA Media" not in h.body
    assert h.body.startswith("At least three rockets struck Baghdad’s fortified Green Zone")
    assert h.body.endswith("that could play out in Iraq.")
    assert h.stripped == ("date-prefix", "caption", "credit")


def test_seed_002_title_and_slash_credit_caption_without_a_date():
    h = _parse("002")
    assert h.title == "Iraq rocket attack: child killed as missiles hit US embassy in Baghdad"
    assert h.caption.endswith("/ AFP / AHMAD AL-RUBAYE")
    assert h.date_candidates == ()
    # The standfirst stays: it is text of the article, not a header.
    assert h.body.startswith("At least one child killed and several wounded")


def test_seed_003_title_then_dateline():
    h = _parse("003")
    assert h.title == "Turkey condemns deadly Iraq attack on coalition troops"
    assert h.dateline == "Friday, 13 Mar, 2020"
    assert h.date_candidates == (("dateline", "Friday, 13 Mar, 2020"),)
    assert h.body.startswith("Despite adding over 10,000 American troops")


def test_seed_004_body_date_is_not_a_dateline():
    h = _parse("004")
    assert h.title is None and h.dateline is None
    assert h.date_candidates == (("header", "2020-03-17"),)
    assert "US-Iran tensions" in h.body  # a mid-body subheading is body


def test_published_and_updated_lines_are_stripped_published_is_a_candidate():
    text = (
        "Storm hits coast\n\nPublished: 2021-05-04T10:22:00Z\nUpdated: 2021-05-05 08:00\n\n"
        "Heavy rain fell on Tuesday."
    )
    h = parse_article(text)
    assert h.title == "Storm hits coast"
    assert h.date_candidates == (("published-line", "Published: 2021-05-04T10:22:00Z"),)
    assert h.body == "Heavy rain fell on Tuesday."
    assert h.stripped == ("title", "published-line", "updated-line")  # in text order


def test_multilingual_dateline_after_title():
    h = parse_article("Sturm an der Küste\n\n13. März 2020\n\nStarker Regen fiel am Dienstag.")
    assert h.dateline == "13. März 2020"
    assert h.body == "Starker Regen fiel am Dienstag."


def test_unicode_is_nfc_and_whitespace_collapsed():
    decomposed = "Cafe\u0301  con\u00a0leche\u200b\r\n\r\n\r\nSecond   paragraph.  "
    h = parse_article(decomposed + "\n\nThird.")
    assert h.title == "Café con leche"
    assert h.body == "Second paragraph.\n\nThird."


@pytest.mark.parametrize(
    "text",
    [
        " date 2020-03-18 ",
        "Published: 2020-03-18",
        "Headline only\n\nFriday, 13 Mar, 2020",
    ],
)
def test_header_only_files_have_no_body(text):
    with pytest.raises(HeaderError) as info:
        parse_article(text)
    assert info.value.kind == "no_body"


def test_single_line_article_is_body_not_title():
    assert parse_article("Just one line of news").body == "Just one line of news"


def test_config_is_validated():
    with pytest.raises(ValueError):
        HeaderConfig(header_lines=0)


def test_a_photo_story_whose_text_is_its_caption_keeps_it_in_the_body():
    caption = (
        "A diver swims past a restored coral reef off the island on Monday. Volunteers "
        "replanted more than four thousand fragments over two summers, and surveys show fish "
        "returning to the site. (Jane Roe/Reef Images)"
    )
    text = f"Coral Returns to a Damaged Reef\nVolunteers replanted the reef by hand.\n\n{caption}\n"
    h = parse_article(text)
    assert h.caption is None and "caption" not in h.stripped
    assert h.body == text.strip()
    # Under a longer story the same paragraph is the photo's caption.
    story = "The reef was damaged by a storm in 2019. " * 12
    h = parse_article(f"{text}\n{story.strip()}\n")
    assert h.caption == caption and h.stripped.count("caption") == 1
    assert caption not in h.body


def test_two_captions_are_both_kept():
    first = "Rescuers search the rubble on Monday (Jane Roe/AP)"
    second = "A crane lifts a beam from the site (John Doe/Reuters)"
    text = (
        f"{first}\n\n{second}\n\n"
        "Rescuers searched the rubble of the collapsed building through the night.\n\n"
        "Officials said three people were still missing."
    )
    h = parse_article(text)
    assert h.caption == f"{first}\n{second}"
    assert h.stripped == ("caption", "caption")
    assert h.body.startswith("Rescuers searched the rubble")
