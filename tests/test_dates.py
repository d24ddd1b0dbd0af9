"""Unit tests for pipelines.core.dates (pure; no Beam)."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.core.dates import (
    DEFAULT,
    DateConfig,
    HeaderDate,
    LineDate,
    parse_date,
    parse_header_date,
    parse_published_line,
    publication_date,
    read_header_line,
    split_date_prefix,
)
from pipelines.core.dates.names import MONTH_NAMES, WEEKDAY_NAMES

# Every test passes a fixed `today` so results never depend on the wall clock.
TODAY = dt.date(2020, 3, 20)
D13 = dt.date(2020, 3, 13)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO and year-first numerics
        ("2020-03-18", dt.date(2020, 3, 18)),
        ("2020/03/18", dt.date(2020, 3, 18)),
        ("2020.03.18", dt.date(2020, 3, 18)),
        ("2020-3-8", dt.date(2020, 3, 8)),
        ("2020-03-18T10:22:00Z", dt.date(2020, 3, 18)),
        ("2020-03-18T10:22:00.123456+03:00", dt.date(2020, 3, 18)),
        ("2020-03-18 10:22:00 +0000", dt.date(2020, 3, 18)),
        # the timezone is not applied: the publisher's local calendar date is kept
        ("2020-03-18T23:30:00-05:00", dt.date(2020, 3, 18)),
        # datelines with month names
        ("Friday, 13 Mar, 2020", D13),
        ("13 Mar 2020", D13),
        ("13-Mar-2020", D13),
        ("13 March 2020", D13),
        ("13th March 2020", D13),
        ("March 13, 2020", D13),
        ("March 13th, 2020", D13),
        ("Mar 13 2020", D13),
        ("Mar. 13, 2020", D13),
        ("MARCH 13, 2020", D13),
        ("2020-Mar-13", D13),
        ("13. März 2020", D13),
        ("13. Marz 2020", D13),
        ("13. Maerz 2020", D13),
        ("13. MÄRZ 2020", D13),
        ("13 Jänner 2020", dt.date(2020, 1, 13)),
        ("13 mars 2020", D13),
        ("13 février 2020", dt.date(2020, 2, 13)),
        ("13 fevrier 2020", dt.date(2020, 2, 13)),
        ("13 FÉVRIER 2020", dt.date(2020, 2, 13)),
        ("13 févr. 2020", dt.date(2020, 2, 13)),
        ("1er mars 2020", dt.date(2020, 3, 1)),
        ("21 août 2019", dt.date(2019, 8, 21)),
        ("13 de marzo de 2020", D13),
        ("13 de marzo del 2020", D13),
        ("13 marzo 2020", D13),
        ("13 de março de 2020", D13),
        ("1º de março de 2020", dt.date(2020, 3, 1)),
        ("13 maart 2020", D13),
        ("13 mrt 2020", D13),
        ("13 marca 2020", D13),
        ("13 marca 2020 r.", D13),
        ("13 października 2019", dt.date(2019, 10, 13)),
        ("13 październik 2019", dt.date(2019, 10, 13)),
        ("13 марта 2020", D13),
        ("13 марта 2020 г.", D13),
        ("13 марта 2020 года", D13),
        ("13 ДЕКАБРЯ 2019", dt.date(2019, 12, 13)),
        ("13 май 2019", dt.date(2019, 5, 13)),
        ("13 Mart 2020", D13),
        ("13 MART 2020", D13),
        ("13 Şubat 2020", dt.date(2020, 2, 13)),
        ("13 Ağustos 2019", dt.date(2019, 8, 13)),
        ("13 مارس 2020", D13),
        ("13 آذار 2020", D13),
        ("13 آذار/مارس 2020", D13),
        ("13 آذار (مارس) 2020", D13),
        ("13 كانون الثاني 2020", dt.date(2020, 1, 13)),
        ("13 مارس 2020م", D13),
        ("١٣ مارس ٢٠٢٠", D13),
        ("\u200f13 مارس 2020\u200e", D13),
        # CJK
        ("2020年3月13日", D13),
        ("2020年03月13日 10:22", D13),
        ("２０２０年３月１３日", D13),
        ("2020年3月13日(金)", D13),
        ("2020年3月13日 星期五", D13),
        ("2020년 3월 13일", D13),
        # numerics: DD.MM.YYYY is day-first; slashes/dashes only when unambiguous
        ("13.03.2020", D13),
        ("13. 3. 2020", D13),
        ("13/03/2020", D13),
        ("03/13/2020", D13),
        ("13-03-2020", D13),
        ("03/03/2020", dt.date(2020, 3, 3)),
        # weekdays, times, timezones, punctuation
        ("Fri, 13 Mar 2020 10:22:00 +0000", D13),
        ("Friday 13 March 2020 at 10:22 am EST", D13),
        ("10:22, 13 March 2020", D13),
        ("12 Mar 2020, 23:59 UTC", dt.date(2020, 3, 12)),
        ("Thu Mar 12 2020 10:22:00 GMT+0300", dt.date(2020, 3, 12)),
        ("Freitag, 13. März 2020, 10:22 Uhr", D13),
        ("Fr., 13.03.2020", D13),
        ("vendredi 13 mars 2020 à 10h22", D13),
        ("viernes, 13 de marzo de 2020 a las 10:22", D13),
        ("venerdì 13 marzo 2020 alle ore 10:22", D13),
        ("sexta-feira, 13 de março de 2020", D13),
        ("vrijdag 13 maart 2020 om 10:22", D13),
        ("piątek, 13 marca 2020 r.", D13),
        ("пятница, 13 марта 2020, 10:22 мск", D13),
        ("13 Mart 2020 Cuma", D13),
        ("13 MART 2020 CUMA", D13),
        ("الجمعة، 13 مارس 2020", D13),
        ("  (13 March 2020)  ", D13),
        ("— 13.03.2020 —", D13),
        ("**13 March 2020**", D13),
        ("ＭＡＲＣＨ １３, ２０２０", D13),
    ],
)
def test_parse_date_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "The Iraqi military on March 17 said that two rockets hit a base",
        "on 13 March 2020",
        "13 March 2020 (Reuters)",
        "31 Feb 2020",
        "30 февраля 2020",
        "2020-02-30",
        "2020-13-01",
        "2020-00-10",
        "0/03/2020",
        "1850-01-01",
        "13 March 1850",
        "03/04/2020",  # ambiguous: 3 April or 4 March
        "04-03-2020",
        "13/13/2020",
        "13 March/April 2020",  # contradictory double month
        "March 2020",
        "March 13",
        "13 March 20",
        "13/03/20",
        "Friday the 13th",
        "13 Marsh 2020",
        "12 Mar 2020 24:00",
        "10:22",
        "2020",
        "Turkey condemns deadly Iraq attack on coalition troops",
        "x" * 1000 + " 13 March 2020",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


@pytest.mark.parametrize("language", sorted(MONTH_NAMES))
def test_every_month_alias_parses(language: str) -> None:
    # Walks the table so an alias shadowed by the alternation or mis-normalized shows up here.
    for number, aliases in enumerate(MONTH_NAMES[language], start=1):
        for alias in aliases.split("|"):
            expected = dt.date(2019, number, 13)
            assert parse_date(f"13 {alias} 2019", today=TODAY) == expected, alias
            assert parse_date(f"{alias.upper()} 13, 2019", today=TODAY) == expected, alias


@pytest.mark.parametrize("language", sorted(WEEKDAY_NAMES))
def test_every_weekday_alias_is_skipped(language: str) -> None:
    for alias in WEEKDAY_NAMES[language].split("|"):
        assert parse_date(f"{alias}, 13 March 2020", today=TODAY) == D13, alias
        assert parse_date(f"13 March 2020 {alias}", today=TODAY) == D13, alias


def test_far_future_rejected() -> None:
    assert parse_date("2020-04-19", today=TODAY) is None  # 30 days after today
    assert parse_date("22 March 2020", today=TODAY) == dt.date(2020, 3, 22)  # within the grace
    assert parse_date("23 March 2020", today=TODAY) is None
    strict = DateConfig(max_future_days=0)
    assert parse_date("2020-03-20", today=TODAY, config=strict) == TODAY
    assert parse_date("2020-03-21", today=TODAY, config=strict) is None


def test_min_year_is_configurable() -> None:
    assert parse_date("1950-06-01", today=TODAY) == dt.date(1950, 6, 1)
    assert parse_date("1950-06-01", today=TODAY, config=DateConfig(min_year=2000)) is None
    assert parse_date("1899-12-31", today=TODAY) is None


def test_today_defaults_to_utc_now_and_accepts_datetime() -> None:
    assert parse_date("2020-03-18") == dt.date(2020, 3, 18)
    assert parse_date("9999-01-01") is None
    noon = dt.datetime(2020, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
    assert parse_date("2020-03-22", today=noon) == dt.date(2020, 3, 22)
    with pytest.raises(TypeError):
        parse_date("2020-03-18", today="2020-03-20")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [{"min_year": 0}, {"min_year": 10000}, {"max_future_days": -1}],
)
def test_config_rejects_bad_values(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        DateConfig(**kwargs)


@pytest.mark.parametrize("kwargs", [{"min_year": 1900.0}, {"max_future_days": True}])
def test_config_rejects_bad_types(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        DateConfig(**kwargs)  # type: ignore[arg-type]


def test_default_config() -> None:
    assert (DEFAULT.min_year, DEFAULT.max_future_days) == (1900, 2)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 2020-03-18T10:22:00Z", dt.date(2020, 3, 18)),
        ("Published on 18 March 2020", dt.date(2020, 3, 18)),
        ("PUBLISHED 18 March 2020 10:22 GMT", dt.date(2020, 3, 18)),
        ("First published on Wed 18 Mar 2020 10.22 GMT", dt.date(2020, 3, 18)),
        ("Posted on March 18, 2020", dt.date(2020, 3, 18)),
        ("Date: 18/03/2020", dt.date(2020, 3, 18)),
        ("**Published:** 2020-03-18", dt.date(2020, 3, 18)),
        ("Veröffentlicht am 13. März 2020", D13),
        ("Veroeffentlicht am 13.03.2020, 10:22 Uhr", D13),
        ("Datum: 13.03.2020", D13),
        ("Publié le 13 mars 2020", D13),
        ("Publié le vendredi 13 mars 2020 à 10h22", D13),
        ("Date de publication : 13/03/2020", D13),
        ("Publicado el 13 de marzo de 2020", D13),
        ("Publicado em 13 de março de 2020", D13),
        ("Pubblicato il 13 marzo 2020", D13),
        ("Gepubliceerd op 13 maart 2020", D13),
        ("Opublikowano: 13 marca 2020", D13),
        ("Opublikowano: 13 marca 2020 r., 10:22", D13),
        ("Опубликовано: 13 марта 2020", D13),
        ("Дата публикации: 13.03.2020", D13),
        ("Yayınlanma tarihi: 13 Mart 2020", D13),
        ("YAYINLANMA TARİHİ: 13 MART 2020", D13),
        ("نشر في 13 مارس 2020", D13),
        ("نشر في 13 آذار 2020", D13),
        ("تاريخ النشر: الجمعة 13 مارس 2020", D13),
        ("发布时间：2020年3月13日", D13),
        ("发布时间：2020-03-13 10:22 来源：新华网", D13),
        ("公開日：2020年3月13日", D13),
        # several segments: the published one wins over the updated one, in either order
        ("Published: 13 March 2020 | Updated: 14 March 2020", D13),
        ("Updated: 14 March 2020 | Published: 13 March 2020", D13),
        ("Published: 13 March 2020 Updated: 14 March 2020", D13),
    ],
)
def test_published_line(line: str, expected: dt.date) -> None:
    assert parse_published_line(line, today=TODAY) == expected
    assert parse_header_date(line, today=TODAY) == HeaderDate("published", expected)


@pytest.mark.parametrize(
    "line",
    [
        "Updated: 2020-03-18",
        "Last updated on 18 March 2020",
        "Aktualisiert am 13. März 2020",
        "Stand: 13.03.2020 10:22 Uhr",
        "Mis à jour le 13 mars 2020",
        "Actualizado el 13 de marzo de 2020",
        "Aggiornato il 13 marzo 2020",
        "Обновлено: 13 марта 2020",
        "Güncelleme: 13 Mart 2020",
        "آخر تحديث: 13 مارس 2020",
        "更新时间：2020年3月13日",
    ],
)
def test_updated_line_is_not_a_published_line(line: str) -> None:
    assert parse_published_line(line, today=TODAY) is None
    found = parse_header_date(line, today=TODAY)
    assert found is not None
    assert found.kind == "updated"


@pytest.mark.parametrize(
    "line",
    [
        "",
        # ordinary body lines, including the seed articles
        "It was the fourth such attack in a week.",
        "The Iraqi military on March 17 said that two rockets hit a base hosting US-led forces.",
        "Date night ideas for 2020",
        "Data from 13 March 2020 shows a rise",
        "Published reports on 13 March 2020 said otherwise",
        "Myles Caggins, spokesman for the coalition, said the rockets fell at least 1.2 miles",
        # a bare dateline has no label (parse_date handles it)
        "Friday, 13 Mar, 2020",
        # labelled but not a usable date
        "Published: yesterday",
        "Published: 03/04/2020",
        "Published: 2020-02-30",
        "Published: 2020-04-19",
        "Published: " + "x" * 400,
    ],
)
def test_not_a_published_line(line: str) -> None:
    assert parse_published_line(line, today=TODAY) is None
    assert parse_header_date(line, today=TODAY) is None


def test_split_date_prefix_seed_form() -> None:
    text = " date 2020-03-18 At minimum a few rockets struck ..."
    assert split_date_prefix(text, today=TODAY) == (
        dt.date(2020, 3, 18),
        "At minimum a few rockets struck ...",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2020-03-17 The Iraqi military", (dt.date(2020, 3, 17), "The Iraqi military")),
        ("DATE 2020-03-17 Body", (dt.date(2020, 3, 17), "Body")),
        ("\ufeff date 2020-03-17\n\nBody", (dt.date(2020, 3, 17), "Body")),
        ("Date: 2020-03-17T10:22:00Z Body", (dt.date(2020, 3, 17), "Body")),
        ("date 2020-03-17", (dt.date(2020, 3, 17), "")),
        # impossible or future: the prefix is still markup, so it is removed
        (" date 2020-02-30 Body", (None, "Body")),
        (" date 2020-13-01 Body", (None, "Body")),
        (" date 2021-01-01 Body", (None, "Body")),
        # no prefix: unchanged
        ("At minimum a few rockets", (None, "At minimum a few rockets")),
        ("dated 2020-03-17 Body", (None, "dated 2020-03-17 Body")),
        ("date 2020-03-17Body", (None, "date 2020-03-17Body")),
        ("Body date 2020-03-17 x", (None, "Body date 2020-03-17 x")),
        ("", (None, "")),
    ],
)
def test_split_date_prefix(text: str, expected: tuple[dt.date | None, str]) -> None:
    assert split_date_prefix(text, today=TODAY) == expected


def test_publication_date_takes_first_usable_candidate_in_order() -> None:
    candidates = (
        ("header", "2020-02-30"),  # impossible: skipped
        ("published-line", "Updated: 2020-03-19"),  # not a publication date: skipped
        ("published-line", "Published: 2020-03-18T10:22:00Z"),
        ("dateline", "Friday, 13 Mar, 2020"),
    )
    assert publication_date(candidates, today=TODAY) == (dt.date(2020, 3, 18), "published-line")
    assert publication_date(candidates[3:], today=TODAY) == (D13, "dateline")
    assert publication_date([("header", "2020-03-17")], today=TODAY) == (
        dt.date(2020, 3, 17),
        "header",
    )


def test_publication_date_none() -> None:
    assert publication_date((), today=TODAY) == (None, "none")
    assert publication_date([("header", "2020-04-19")], today=TODAY) == (None, "none")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۵ مارس ۲۰۲۰", dt.date(2020, 3, 5)),  # Persian digits
        ("٥ آذار/مارس ٢٠٢٠", dt.date(2020, 3, 5)),  # Arabic-Indic digits, double month
        ("۵ ژانویه ۲۰۲۰", dt.date(2020, 1, 5)),  # Persian month name
        ("پنجشنبه ۵ مارس ۲۰۲۰", dt.date(2020, 3, 5)),  # Persian weekday
        ("2020年3月5日 10時22分", dt.date(2020, 3, 5)),
        ("2012年8月29日 21時2分", dt.date(2012, 8, 29)),
        ("2020年3月5日(木)", dt.date(2020, 3, 5)),
        ("5. März 2020, 10:22 Uhr", dt.date(2020, 3, 5)),
        ("czwartek, 5 marca 2020 r.", dt.date(2020, 3, 5)),
        ("5 de março de 2020", dt.date(2020, 3, 5)),
        ("19/jul/2011", dt.date(2011, 7, 19)),
    ],
)
def test_more_language_forms(text: str, expected: dt.date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Friday, 13 Mar, 2020", LineDate("date", D13, "Friday, 13 Mar, 2020")),
        ("WDR 5 | 13. März 2020", LineDate("date", D13, "13. marz 2020")),
        ("NOS Nieuws · 13 maart 2020", LineDate("date", D13, "13 maart 2020")),
        ("Published: 13 March 2020", LineDate("published", D13, "Published: 13 March 2020")),
        ("Stand: 14.03.2020 | 13.03.2020", LineDate("date", D13, "13.03.2020")),
        (
            "Updated: 14 March 2020 | Published: 13 March 2020",
            LineDate("published", D13, "published: 13 march 2020"),
        ),
        (
            "Updated: 14 March 2020",
            LineDate("updated", dt.date(2020, 3, 14), "Updated: 14 March 2020"),
        ),
    ],
)
def test_read_header_line(line: str, expected: LineDate) -> None:
    assert read_header_line(line, today=TODAY) == expected


@pytest.mark.parametrize(
    "line",
    [
        "WDR 5",
        "Home | News | Sport",
        "© 2019 BBC",
        "Copyright 2012 | All rights reserved",
        "Page 2 of 13",
        "13 March 2020 was a Friday",  # a sentence, not a header segment
        "x" * 300 + " | 13 March 2020",
    ],
)
def test_read_header_line_none(line: str) -> None:
    assert read_header_line(line, today=TODAY) is None


def test_publication_date_reads_byline_candidates() -> None:
    assert publication_date([("byline", "march 13, 2020")], today=TODAY) == (D13, "byline")


def _reference_normalize(text: str) -> str:
    """The plain algorithm that `normalize`'s shortcuts must agree with."""
    import re
    import unicodedata

    from pipelines.core.dates.normalize import _CHAR_FIXES

    text = unicodedata.normalize("NFKC", text).casefold().translate(_CHAR_FIXES)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.mark.parametrize(
    "text",
    [
        "YAYINLANMA TARİHİ: 13 MART 2020",
        "13 FÉVRIER 2020",
        "Пятница, 13 марта 2020, 10:22 мск",
        "Йошкар-Ола, 13 мая",
        "الجُمُعَة، ١٣ مَارِس ٢٠٢٠",
        "2020年３月１３日 星期五",
        "2020년 3월 13일 금요일",
        "Thứ Sáu, 13 tháng 3, 2020",
        "  Published:\t13  March 2020 \n",
        "Published:\r13\x0bMarch\x1f2020",
        "ＭＡＲＣＨ １３, ２０２０",
    ],
)
def test_normalize_shortcuts_agree_with_the_plain_algorithm(text: str) -> None:
    from pipelines.core.dates.normalize import normalize

    assert normalize(text) == _reference_normalize(text)
