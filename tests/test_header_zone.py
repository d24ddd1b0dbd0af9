"""The header zone: datelines, published lines and bylines anywhere among the first short lines,
in every language the dedup supports plus zh/ja, and never a date from the chrome below."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from pipelines.core import dates
from pipelines.core.bylines import Byline, parse_byline
from pipelines.core.headers import parse_article

TODAY = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Lang:
    title: str
    subtitle: str
    source: str
    byline: str  # the byline line as printed
    names: str  # what the byline column holds
    date: str  # the header's date as printed
    expected: dt.date
    published: str  # a published label line carrying `date`
    updated: str  # an updated label line with a later date
    sentence: str  # one body sentence; the body repeats it
    chrome: tuple[str, ...]  # related stories, comments, copyright: other dates


# fmt: off
LANGS: dict[str, Lang] = {
    "en": Lang(
        "Storm batters the coast", "Thousands without power after the night",
        "BBC Radio 4", "By Jane Doe", "Jane Doe", "Monday, 9 Mar, 2020", dt.date(2020, 3, 9),
        "Published: 9 March 2020", "Updated: 11 March 2020 10:22 GMT",
        "Heavy rain and strong winds hit the coast overnight, cutting power to thousands of "
        "homes and closing several roads, officials said on Monday morning.",
        ("Related stories", "Floods close schools — 2 February 2019", "14 January 2018",
         "John Smith", "3 April 2019 at 10:22 pm", "© 2021 BBC"),
    ),
    "de": Lang(
        "Sturm an der Küste", "Tausende ohne Strom nach der Nacht", "WDR 5",
        "Von Max Mustermann", "Max Mustermann", "5. März 2020", dt.date(2020, 3, 5),
        "Veröffentlicht am 5. März 2020", "Stand: 06.03.2020 10:22 Uhr",
        "Starker Regen und heftiger Wind haben in der Nacht die Küste getroffen und Tausende "
        "Haushalte vom Strom abgeschnitten, teilten die Behörden am Donnerstag mit.",
        ("Mehr zum Thema", "Hochwasser in Köln — 2. Februar 2019", "14.01.2018",
         "Anna Schmidt", "03.04.2019 um 10:22 Uhr", "© 2021 WDR"),
    ),
    "fr": Lang(
        "Tempête sur la côte", "Des milliers de foyers privés d'électricité", "France Inter",
        "Par Jean Dupont", "Jean Dupont", "jeudi 5 mars 2020", dt.date(2020, 3, 5),
        "Publié le 5 mars 2020 à 10h22", "Mis à jour le 6 mars 2020",
        "De fortes pluies et des vents violents ont frappé la côte pendant la nuit, privant "
        "des milliers de foyers d'électricité, ont indiqué les autorités jeudi matin.",
        ("À lire aussi", "Inondations à Nice — 2 février 2019", "14 janvier 2018",
         "Marie Martin", "3 avril 2019 à 22h10", "© 2021 Radio France"),
    ),
    "es": Lang(
        "Temporal en la costa", "Miles de hogares sin luz tras la noche", "RNE",
        "Por Juan Pérez", "Juan Pérez", "jueves, 5 de marzo de 2020", dt.date(2020, 3, 5),
        "Publicado el 5 de marzo de 2020", "Actualizado el 6 de marzo de 2020",
        "Fuertes lluvias y vientos intensos golpearon la costa durante la noche y dejaron sin "
        "electricidad a miles de hogares, informaron las autoridades el jueves.",
        ("Noticias relacionadas", "Inundaciones en Valencia — 2 de febrero de 2019",
         "14 de enero de 2018", "Ana García", "3 de abril de 2019 a las 22:10", "© 2021 RTVE"),
    ),
    "it": Lang(
        "Tempesta sulla costa", "Migliaia di case senza corrente", "Rai Radio 1",
        "di Mario Rossi", "Mario Rossi", "giovedì 5 marzo 2020", dt.date(2020, 3, 5),
        "Pubblicato il 5 marzo 2020", "Aggiornato il 6 marzo 2020",
        "Forti piogge e venti intensi hanno colpito la costa durante la notte, lasciando senza "
        "corrente migliaia di case, hanno detto le autorità giovedì mattina.",
        ("Leggi anche", "Alluvione a Genova — 2 febbraio 2019", "14 gennaio 2018",
         "Giulia Bianchi", "3 aprile 2019 alle ore 22:10", "© 2021 Rai"),
    ),
    "pt": Lang(
        "Tempestade no litoral", "Milhares de casas sem energia", "RTP Notícias",
        "Por João Silva", "João Silva", "quinta-feira, 5 de março de 2020", dt.date(2020, 3, 5),
        "Publicado em 5 de março de 2020", "Atualizado em 6 de março de 2020",
        "Chuvas fortes e ventos intensos atingiram o litoral durante a noite, deixando milhares "
        "de casas sem energia, informaram as autoridades na quinta-feira.",
        ("Leia também", "Cheias em Lisboa — 2 de fevereiro de 2019", "14 de janeiro de 2018",
         "Ana Souza", "3 de abril de 2019 às 22:10", "© 2021 RTP"),
    ),
    "nl": Lang(
        "Storm aan de kust", "Duizenden huizen zonder stroom", "NOS Nieuws",
        "Door Jan de Vries", "Jan de Vries", "donderdag 5 maart 2020", dt.date(2020, 3, 5),
        "Gepubliceerd op 5 maart 2020", "Bijgewerkt op 6 maart 2020",
        "Zware regen en harde wind hebben de kust in de nacht getroffen en duizenden huizen "
        "zonder stroom gezet, meldden de autoriteiten donderdagochtend.",
        ("Lees ook", "Overstroming in Limburg — 2 februari 2019", "14 januari 2018",
         "Sanne Jansen", "3 april 2019 om 22:10", "© 2021 NOS"),
    ),
    "pl": Lang(
        "Burza na wybrzeżu", "Tysiące domów bez prądu", "TVP Info",
        "Autor: Jan Kowalski", "Jan Kowalski", "czwartek, 5 marca 2020 r.", dt.date(2020, 3, 5),
        "Opublikowano: 5 marca 2020", "Aktualizacja: 06.03.2020",
        "Ulewne deszcze i silny wiatr uderzyły w nocy w wybrzeże, pozbawiając prądu tysiące "
        "domów, poinformowały władze w czwartek rano.",
        ("Zobacz także", "Powódź w Gdańsku — 2 lutego 2019", "14.01.2018", "Anna Nowak",
         "3 kwietnia 2019, godz. 22:10", "© 2021 TVP"),
    ),
    "ru": Lang(
        "Шторм на побережье", "Тысячи домов остались без света", "Первый канал",
        "Автор: Иван Петров", "Иван Петров", "5 марта 2020 г.", dt.date(2020, 3, 5),
        "Опубликовано: 5 марта 2020", "Обновлено: 6 марта 2020",
        "Сильные дожди и штормовой ветер обрушились ночью на побережье и оставили без света "
        "тысячи домов, сообщили власти в четверг утром.",
        ("Читайте также", "Наводнение в Сочи — 2 февраля 2019", "14.01.2018",
         "Анна Смирнова", "3 апреля 2019, 22:10", "© 2021 Первый канал"),
    ),
    "tr": Lang(
        "Kıyıda fırtına", "Binlerce ev elektriksiz kaldı", "TRT Haber",
        "Yazar: Ahmet Yılmaz", "Ahmet Yılmaz", "5 Mart 2020 Perşembe", dt.date(2020, 3, 5),
        "Yayınlanma tarihi: 5 Mart 2020", "Güncelleme: 6 Mart 2020",
        "Şiddetli yağmur ve kuvvetli rüzgar gece boyunca kıyıyı vurdu ve binlerce evi "
        "elektriksiz bıraktı, yetkililer perşembe sabahı açıkladı.",
        ("İlgili haberler", "İzmir'de sel — 2 Şubat 2019", "14.01.2018", "Ayşe Kaya",
         "3 Nisan 2019 22:10", "© 2021 TRT"),
    ),
    "ar": Lang(
        "عاصفة على الساحل", "آلاف المنازل بلا كهرباء", "الجزيرة",
        "بقلم محمد علي", "محمد علي", "الخميس، ٥ آذار/مارس ٢٠٢٠", dt.date(2020, 3, 5),
        "نشر في 5 مارس 2020", "آخر تحديث: 6 مارس 2020",
        "ضربت أمطار غزيرة ورياح قوية الساحل خلال الليل وتركت آلاف المنازل بلا كهرباء، وقالت "
        "السلطات صباح الخميس إن فرق الطوارئ تعمل على إعادة التيار في أسرع وقت ممكن.",
        ("أخبار ذات صلة", "فيضانات في الإسكندرية — 2 فبراير 2019", "14 يناير 2018", "فاطمة حسن",
         "3 أبريل 2019 الساعة 22:10", "© 2021 الجزيرة"),
    ),
    "zh": Lang(
        "沿海遭遇强风暴", "数千户居民停电", "央视新闻", "记者 王伟", "王伟",
        "2020年3月5日 星期四", dt.date(2020, 3, 5), "发布时间：2020年3月5日 10:22",
        "更新时间：2020年3月6日",
        "强降雨和大风在夜间袭击了沿海地区，导致数千户居民停电，多条道路被迫关闭，当地政府周四"
        "上午表示，抢修人员正在全力恢复供电，预计周末前可以恢复大部分地区的电力供应。",
        ("相关新闻", "广州暴雨 — 2019年2月2日", "2018年1月14日", "李娜", "2019-04-03 22:10",
         "© 2021 央视网"),
    ),
    "ja": Lang(
        "沿岸部を暴風雨が直撃", "数千世帯で停電", "NHK", "記者：山田太郎", "山田太郎",
        "2020年3月5日(木)", dt.date(2020, 3, 5), "公開日：2020年3月5日 10時22分",
        "更新日：2020年3月6日",
        "強い雨と風が夜のうちに沿岸部を襲い、数千世帯で停電が発生し、複数の道路が通行止めと"
        "なりました。自治体は木曜日の朝、復旧作業を急いでいると発表しました。",
        ("関連記事", "大阪で大雨 — 2019年2月2日", "2018年1月14日", "佐藤花子", "2019/04/03 22:10",
         "© 2021 NHK"),
    ),
}
# fmt: on

# layout -> (header lines, expected date_source, byline expected?)
LAYOUTS = {
    "title-date": (lambda g: [g.title, g.date], "dateline", False),
    "date-title": (lambda g: [g.date, g.title], "dateline", False),
    "subtitle-source-date": (lambda g: [g.title, g.subtitle, g.source, g.date], "dateline", False),
    "lede-date": (lambda g: [g.title, g.sentence[:40] + "…", g.date], "dateline", False),
    "byline-date": (lambda g: [g.title, g.byline, g.date], "dateline", True),
    "byline-with-date": (lambda g: [g.title, g.subtitle, f"{g.byline} | {g.date}"], "byline", True),
    "kicker-published": (
        lambda g: ["Exclusive", g.title, g.subtitle, g.published],
        "published-line",
        False,
    ),
    "header-block": (
        lambda g: ["\n".join([g.title, g.subtitle, f"{g.source} · {g.date}"])],
        "dateline",
        False,
    ),
    "updated-published": (
        lambda g: [g.title, g.byline, g.updated, g.published],
        "published-line",
        True,
    ),
}


def _article(lang: Lang, header: list[str]) -> str:
    body = [f"{lang.sentence} {lang.sentence}", lang.sentence, lang.sentence]
    return "\n\n".join([*header, *body, *lang.chrome]) + "\n"


def _date(text: str) -> tuple[dt.date | None, str]:
    return dates.publication_date(parse_article(text).date_candidates, today=TODAY)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("language", sorted(LANGS))
def test_layout_and_language(language: str, layout: str) -> None:
    lang = LANGS[language]
    make, source, has_byline = LAYOUTS[layout]
    parsed = parse_article(_article(lang, make(lang)))
    assert dates.publication_date(parsed.date_candidates, today=TODAY) == (lang.expected, source)
    assert parsed.byline == (lang.names if has_byline else None)
    assert parsed.title == lang.title
    # Header facts leave the body; the chrome and its dates stay in it, unread, but for the
    # copyright line, which is a trailing credit.
    assert parsed.body.startswith(lang.sentence) or parsed.body.startswith(lang.subtitle)
    assert parsed.body.endswith(lang.chrome[-2])
    assert parsed.credit == lang.chrome[-1]


@pytest.mark.parametrize("language", sorted(LANGS))
def test_chrome_dates_below_the_body_are_never_read(language: str) -> None:
    lang = LANGS[language]
    assert _date(_article(lang, [lang.title, lang.subtitle])) == (None, "none")
    # Also under a body of two short paragraphs: the second sentence ends the header zone.
    short = "\n\n".join([lang.title, lang.sentence, lang.sentence, *lang.chrome])
    assert _date(short) == (None, "none")


def test_issue_layouts_exactly() -> None:
    body = "Der Sender berichtete am Donnerstag ausführlich über die Lage an der Küste. " * 4
    text = f"Sturm an der Küste\n\nTausende ohne Strom\n\nWDR 5\n\n5. März 2020\n\n{body}"
    parsed = parse_article(text)
    assert parsed.title == "Sturm an der Küste"
    assert parsed.dateline == "5. März 2020"
    assert parsed.stripped == ("title", "dateline")
    assert parsed.body == "Tausende ohne Strom\n\nWDR 5\n\n" + body.strip()
    assert _date(text) == (dt.date(2020, 3, 5), "dateline")
    lede = "The council approved the plan on Tuesday after a long debate. " * 4
    text = f"Plan approved\n\nThe council approved the plan…\n\nMonday, 9 Mar, 2020\n\n{lede}"
    parsed = parse_article(text)
    assert parsed.stripped == ("title", "teaser", "dateline")
    assert parsed.body == lede.strip()
    assert _date(text) == (dt.date(2020, 3, 9), "dateline")
    text = f"Exclusive\n\nPlan approved\n\n9 March 2020\n\n{lede}"
    parsed = parse_article(text)
    assert (parsed.title, parsed.stripped) == ("Plan approved", ("kicker", "title", "dateline"))


def test_byline_line_with_a_date_and_a_role() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    parsed = parse_article(f"Plan approved\n\nBy Jane Doe, Political Correspondent\n\n{body}")
    assert parsed.byline == "Jane Doe, Political Correspondent"
    assert parsed.date_candidates == ()
    parsed = parse_article(f"Plan approved\n\nBy Jane Doe, March 9, 2020\n\n{body}")
    assert parsed.byline == "Jane Doe"
    assert parsed.date_candidates == (("byline", "March 9, 2020"),)
    parsed = parse_article(f"Plan approved\n\nBy Jane Doe | Published 9 March 2020\n\n{body}")
    assert parsed.byline == "Jane Doe"
    assert parsed.date_candidates == (("published-line", "Published 9 March 2020"),)
    assert parsed.stripped == ("title", "byline")


def test_navigation_menus_around_a_date_are_not_a_header() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    menu = "Home\n\nNews\n\nSport\n\nWeather\n\nLocal News\n\nSearch:"
    text = f"Skip navigation\n\nTuesday 26 December 2006\n\n{menu}\n\n{body}"
    assert _date(text) == (None, "none")
    # A labelled date is still the page's own.
    text = f"Skip navigation\n\nPublished: 26 December 2006\n\n{menu}\n\n{body}"
    assert _date(text) == (dt.date(2006, 12, 26), "published-line")


def test_the_dateline_under_the_titles_echo_beats_the_sites_banner() -> None:
    # A scraped page: <title> "Site | Headline", the site's "today" banner, chrome, then the
    # article's own heading (split over two lines) with its dateline.
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    page = (
        "MacDailyNews | Council approves the harbour plan after long debate\n\n"
        "Tuesday, December 26, 2006 - 07:02 PM EST —\n\nApple Stock Quote: 81.51\n\n"
        "Most Commented:\n\nRUMOR: Apple phone photo leaked?\n(51)\n\n"
        "Council approves the harbour plan\nafter long debate\n\n"
        f"Wednesday, June 15, 2005 - 07:05 PM EST\n\n{body}"
    )
    assert _date(page) == (dt.date(2005, 6, 15), "dateline")
    # Without the echo the banner is all there is.
    assert _date(page.replace("plan\nafter", "scheme\nafter")) == (
        dt.date(2006, 12, 26),
        "dateline",
    )


def test_a_date_below_the_first_long_paragraph_is_body() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    assert _date(f"Plan approved\n\n{body}\n\n9 March 2020\n\nMore text.") == (None, "none")


def test_header_zone_is_capped() -> None:
    lines = [f"Menu item {i}" for i in range(10)]
    text = "\n\n".join(["Title here", *lines, "9 March 2020", "Body sentence here."])
    assert _date(text) == (None, "none")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe", Byline("Jane Doe", ())),
        ("BY JANE DOE AND JOHN SMITH", Byline("JANE DOE AND JOHN SMITH", ())),
        ("Written by Sarah O'Connor", Byline("Sarah O'Connor", ())),
        (
            "Von Max Mustermann | 5. März 2020",
            Byline("Max Mustermann | 5. März 2020", ("5. März 2020",)),
        ),
        ("Par Jean Dupont", Byline("Jean Dupont", ())),
        ("Por María de la Cruz", Byline("María de la Cruz", ())),
        ("di Mario Rossi", Byline("Mario Rossi", ())),
        ("Door Jan de Vries", Byline("Jan de Vries", ())),
        ("Autor: Jan Kowalski", Byline("Jan Kowalski", ())),
        ("Автор: Иван Петров", Byline("Иван Петров", ())),
        ("Yazar: Ahmet Yılmaz", Byline("Ahmet Yılmaz", ())),
        ("بقلم محمد علي", Byline("محمد علي", ())),
        ("作者：王伟", Byline("王伟", ())),
        ("记者 王伟", Byline("王伟", ())),
        ("文／山田太郎", Byline("山田太郎", ())),
        ("文・山田太郎", Byline("山田太郎", ())),
    ],
)
def test_parse_byline(line: str, expected: Byline) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the year, prices had doubled",
        "Di Maio attacca il governo",
        "Di Maio e Salvini, accordo sul governo",
        "Von der Leyen und Macron",
        "Di 05.03.2020",  # German weekday and a date
        "Von der Leyen warnt vor Krise",
        "Par ailleurs, le gouvernement a annoncé",
        "Text messages reveal the plan",
        "Autor des Buches ist unbekannt",
        "By " + "Name " * 20,
        "By",
    ],
)
def test_not_a_byline(line: str) -> None:
    assert parse_byline(line) is None


def test_the_first_line_is_the_titles_place_not_a_bylines() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    parsed = parse_article(f"Par Avion\n\nBy Jane Doe\n\n9 March 2020\n\n{body}")
    assert (parsed.title, parsed.byline) == ("Par Avion", "Jane Doe")
    assert parsed.stripped == ("title", "byline", "dateline")


def test_real_byline_shapes_from_the_web_corpus() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    parsed = parse_article(f"Plan approved\n\nBy Andrew Grush, August 09, 2012 @ 11:39am\n\n{body}")
    assert (parsed.byline, parsed.date_candidates) == (
        "Andrew Grush",
        (("byline", "August 09, 2012 @ 11:39am"),),
    )
    parsed = parse_article(f"Plan approved\n\nBy Will Englund,\n\n{body}")
    assert parsed.byline == "Will Englund"


def test_a_date_segment_beside_text_is_read_but_the_line_stays() -> None:
    body = "The council approved the plan on Tuesday after a long debate. " * 5
    line = "AUGUST 2, 2013 | 08:06AM PT Talkshow host returns for second Oscar tour"
    parsed = parse_article(f"Ellen DeGeneres To Host Oscars\n\n{line}\n\n{body}")
    assert parsed.date_candidates == (("dateline", "august 2, 2013"),)
    assert parsed.body == f"{line}\n\n{body.strip()}"
    assert _date(f"Ellen DeGeneres To Host Oscars\n\n{line}\n\n{body}") == (
        dt.date(2013, 8, 2),
        "dateline",
    )
