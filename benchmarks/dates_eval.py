"""Publication-date accuracy per header layout and language, on articles built from ../shared.

    python benchmarks/dates_eval.py [--shared ../shared] [--per-cell 30] [--seed 11]
        [--job-sample 120] [--no-old] [--no-web]

Articles are built (seeded, deterministic) from real text: English bodies and titles from BBC,
Reuters, ECB+ and the hand-cleaned webpages gold; for de, fr, es, it, pt, nl, pl, ru, tr, ar, zh
and ja, bodies of three langid test-set paragraphs and titles/subtitles from its one-sentence
texts. Each gets a true publication date (Reuters: its own; others: random 1995-2020), printed
in that language's forms (month and weekday names from `pipelines.core.dates.names` plus the
weekday lists below; ordinal dots, `de`/`del`, `г.`, `r.`, Arabic-Indic and Persian digits,
年月日, times), inside one of these header layouts:

    title-date            Title / Date / body
    date-title            Date / Title / body
    subtitle-source-date  Title / Subtitle / Source ("WDR 5") / Date / body
    lede-date             Title / first words of the lede… / Weekday, Date / body
    byline-date           Title / By Name / Date / body
    byline-with-date      Title / Subtitle / By Name | Date / body
    kicker-published      Kicker / Title / Subtitle / Published: Date / body
    header-block          one paragraph: Title\\nSubtitle\\nSource · Date, then body
    updated-published     Title / By Name / Updated: later / Published: Date / body
    no-date               Title / Subtitle / body  (right answer: no date)

Every article ends in chrome with other dates: a related-stories list (some dates alone on a
line), comment timestamps and a copyright year. A date taken from chrome is counted separately.

The real core runs (`headers.parse_article` then `dates.publication_date`, exactly what
NormalizeHeaders and TagDate do), and the real job on a sample (`--job-sample` files through
`pipelines.ingest.run`, rows read back with DuckDB). Printed: accuracy per layout and per
language (new and, with main's code from `git show main:…`, old), chrome picks, byline
accuracy, header+date time per article old vs new (best of 3 alternating rounds of 5 passes,
same articles, same harness), and a spot-check on the raw web pages (dates found, source,
agreement with the date in the page's gold text, date-only lines below the header zone that
were left alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_corpus  # noqa: E402

from pipelines.core.dates.names import MONTH_NAMES  # noqa: E402

DEFAULT_SHARED = REPO / ".." / "shared"
TODAY = dt.date(2026, 12, 1)
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "tr", "ar", "zh", "ja")
LAYOUTS = (
    "title-date",
    "date-title",
    "subtitle-source-date",
    "lede-date",
    "byline-date",
    "byline-with-date",
    "kicker-published",
    "header-block",
    "updated-published",
    "no-date",
)
TARGET = 0.99

# Weekdays Monday first (full, short), the translation the benchmark prints dates with.
# fmt: off
WEEKDAYS = {  # language: (full names, short names)
    "en": (
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "Mon Tue Wed Thu Fri Sat Sun",
    ),
    "de": (
        "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
        "Mo. Di. Mi. Do. Fr. Sa. So.",
    ),
    "fr": (
        "lundi mardi mercredi jeudi vendredi samedi dimanche",
        "lun. mar. mer. jeu. ven. sam. dim.",
    ),
    "es": (
        "lunes martes miércoles jueves viernes sábado domingo",
        "lun mar mié jue vie sáb dom",
    ),
    "it": (
        "lunedì martedì mercoledì giovedì venerdì sabato domenica",
        "lun mar mer gio ven sab dom",
    ),
    "pt": (
        "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
        "seg ter qua qui sex sáb dom",
    ),
    "nl": (
        "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
        "ma di wo do vr za zo",
    ),
    "pl": (
        "poniedziałek wtorek środa czwartek piątek sobota niedziela",
        "pon. wt. śr. czw. pt. sob. niedz.",
    ),
    "ru": (
        "понедельник вторник среда четверг пятница суббота воскресенье",
        "пн вт ср чт пт сб вс",
    ),
    "tr": (
        "Pazartesi Salı Çarşamba Perşembe Cuma Cumartesi Pazar",
        "Pzt Salı Çarşamba Perşembe Cuma Cmt Pazar",
    ),
    "ar": (
        "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",
        "الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد",
    ),
    "zh": (
        "星期一 星期二 星期三 星期四 星期五 星期六 星期日",
        "周一 周二 周三 周四 周五 周六 周日",
    ),
    "ja": (
        "月曜日 火曜日 水曜日 木曜日 金曜日 土曜日 日曜日",
        "(月) (火) (水) (木) (金) (土) (日)",
    ),
}
SOURCES = {
    "en": ["BBC Radio 4", "The World Tonight", "Reuters", "Business Desk"],
    "de": ["WDR 5", "Deutschlandfunk", "tagesschau.de", "SWR Aktuell"],
    "fr": ["France Inter", "Le Monde", "AFP", "Radio France"],
    "es": ["RNE", "Cadena SER", "EFE", "El País"],
    "it": ["Rai Radio 1", "ANSA", "Corriere della Sera", "TG1"],
    "pt": ["RTP Notícias", "Lusa", "Folha de S.Paulo", "Antena 1"],
    "nl": ["NOS Nieuws", "NRC", "ANP", "Radio 1"],
    "pl": ["TVP Info", "Polskie Radio", "PAP", "Wiadomości"],
    "ru": ["Первый канал", "ТАСС", "РИА Новости", "Коммерсантъ"],
    "tr": ["TRT Haber", "Anadolu Ajansı", "Hürriyet", "NTV"],
    "ar": ["الجزيرة", "بي بي سي عربي", "وكالة الأنباء", "العربية"],
    "zh": ["新华社", "央视新闻", "人民日报", "中新网"],
    "ja": ["NHK", "共同通信", "朝日新聞", "時事通信"],
}
NAMES = {
    "en": ["Jane Doe", "John Smith", "Sarah O'Connor and Tom Hill"],
    "de": ["Max Mustermann", "Anna Schmidt", "Jörg Müller und Eva Weiß"],
    "fr": ["Jean Dupont", "Marie-Claire Martin", "Luc Besson"],
    "es": ["Juan Pérez", "María de la Cruz", "Ana García"],
    "it": ["Mario Rossi", "Giulia Bianchi", "Luca Ferrari"],
    "pt": ["João Silva", "Ana Souza", "Pedro dos Santos"],
    "nl": ["Jan de Vries", "Sanne Jansen", "Pieter van Dijk"],
    "pl": ["Jan Kowalski", "Anna Nowak", "Piotr Wiśniewski"],
    "ru": ["Иван Петров", "Анна Смирнова", "Сергей Иванов"],
    "tr": ["Ahmet Yılmaz", "Ayşe Kaya", "Mehmet Demir"],
    "ar": ["محمد علي", "فاطمة حسن", "أحمد محمود"],
    "zh": ["王伟", "李娜", "张敏"],
    "ja": ["山田太郎", "佐藤花子", "鈴木一郎"],
}
BYLINE = {  # how a byline line starts
    "en": ["By {}", "By {}", "Written by {}"], "de": ["Von {}", "Autor: {}", "Von {}"],
    "fr": ["Par {}", "Par {}", "Auteur : {}"], "es": ["Por {}", "Por {}", "Autor: {}"],
    "it": ["di {}", "di {}", "Autore: {}"], "pt": ["Por {}", "Por {}", "Texto: {}"],
    "nl": ["Door {}", "door {}", "Auteur: {}"], "pl": ["Autor: {}", "Autorka: {}", "Autor: {}"],
    "ru": ["Автор: {}", "Текст: {}", "Автор: {}"], "tr": ["Yazar: {}", "Haber: {}", "Yazar: {}"],
    "ar": ["بقلم {}", "بقلم: {}", "كتب {}"], "zh": ["记者 {}", "作者：{}", "文／{}"],
    "ja": ["記者：{}", "文・{}", "筆者：{}"],
}
PUBLISHED = {
    "en": ["Published: {}", "Published on {}", "First published {}"],
    "de": ["Veröffentlicht am {}", "Datum: {}", "Erschienen: {}"],
    "fr": ["Publié le {}", "Mis en ligne le {}", "Publié : {}"],
    "es": ["Publicado el {}", "Fecha: {}", "Publicado: {}"],
    "it": ["Pubblicato il {}", "Data: {}", "Pubblicato: {}"],
    "pt": ["Publicado em {}", "Publicado: {}", "Data de publicação: {}"],
    "nl": ["Gepubliceerd op {}", "Geplaatst: {}", "Gepubliceerd: {}"],
    "pl": ["Opublikowano: {}", "Data publikacji: {}", "Dodano: {}"],
    "ru": ["Опубликовано: {}", "Дата публикации: {}", "Опубликовано {}"],
    "tr": ["Yayınlanma tarihi: {}", "Yayın tarihi: {}", "Tarih: {}"],
    "ar": ["نشر في {}", "تاريخ النشر: {}", "نشر بتاريخ {}"],
    "zh": ["发布时间：{}", "发布日期：{}", "发表于 {}"],
    "ja": ["公開日：{}", "配信日時：{}", "掲載日：{}"],
}
UPDATED = {
    "en": "Updated: {}", "de": "Aktualisiert am {}", "fr": "Mis à jour le {}",
    "es": "Actualizado el {}", "it": "Aggiornato il {}", "pt": "Atualizado em {}",
    "nl": "Bijgewerkt op {}", "pl": "Aktualizacja: {}", "ru": "Обновлено: {}",
    "tr": "Güncelleme: {}", "ar": "آخر تحديث: {}", "zh": "更新时间：{}", "ja": "更新日：{}",
}
KICKERS = {
    "en": "Exclusive", "de": "Exklusiv", "fr": "Exclusif", "es": "Exclusiva", "it": "Esclusiva",
    "pt": "Exclusivo", "nl": "Exclusief", "pl": "Tylko u nas", "ru": "Эксклюзив",
    "tr": "Özel", "ar": "حصري", "zh": "独家", "ja": "独占",
}
RELATED = {
    "en": "Related stories", "de": "Mehr zum Thema", "fr": "À lire aussi",
    "es": "Noticias relacionadas", "it": "Leggi anche", "pt": "Leia também", "nl": "Lees ook",
    "pl": "Zobacz także", "ru": "Читайте также", "tr": "İlgili haberler", "ar": "أخبار ذات صلة",
    "zh": "相关新闻", "ja": "関連記事",
}
COMMENT = {
    "en": "Great piece, thanks.", "de": "Guter Artikel, danke.", "fr": "Merci pour cet article.",
    "es": "Muy buen artículo.", "it": "Ottimo articolo.", "pt": "Ótimo artigo.",
    "nl": "Goed artikel.", "pl": "Dobry artykuł.", "ru": "Отличная статья.", "tr": "Güzel haber.",
    "ar": "مقال رائع.", "zh": "好文章。", "ja": "良い記事です。",
}
# fmt: on
ELLIPSIS = ("…", "...")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


# ------------------------------------------------------------------------------------------
# Printing a date in a language


def _month(lang: str, month: int, rng: random.Random, short: bool = False) -> str:
    aliases = MONTH_NAMES.get(lang, MONTH_NAMES["en"])[month - 1].split("|")
    if lang in ("pl", "ru"):
        full = aliases[1]  # genitive after a day number: "5 marca", "5 марта"
    elif lang == "ar":
        full = rng.choice(aliases[:2]) if len(aliases) > 1 else aliases[0]
    else:
        full = aliases[0]
    if short and len(aliases) > 1 and lang not in ("ar", "pl", "ru"):
        return aliases[-1].capitalize() if lang == "en" else aliases[-1]
    return full.capitalize() if lang in ("en", "de", "tr") else full


def _weekday(lang: str, d: dt.date, short: bool = False) -> str:
    full, abbr = WEEKDAYS[lang]
    return (abbr if short else full).split()[d.weekday()]


def render(lang: str, d: dt.date, rng: random.Random) -> str:
    """`d` printed the way a header in `lang` prints it (one of several forms, at random)."""
    day, mon, year = d.day, d.month, d.year
    wd, wds = _weekday(lang, d), _weekday(lang, d, short=True)
    m, ms = _month(lang, mon, rng), _month(lang, mon, rng, short=True)
    hh, mm = rng.randrange(6, 23), rng.randrange(60)
    dotted = f"{day:02d}.{mon:02d}.{year}"
    slashed = f"{day:02d}/{mon:02d}/{year}" if day > 12 else d.isoformat()
    forms = {
        "en": [
            f"{wd}, {day} {ms}, {year}",
            f"{day} {m} {year}",
            f"{m} {day}, {year}",
            f"{wds} {day} {ms} {year} {hh:02d}.{mm:02d} GMT",
            d.isoformat(),
            f"{m} {day}, {year} {hh % 12 + 1}:{mm:02d} pm ET",
            f"{wd} {day} {m} {year}",
        ],
        "de": [
            f"{day}. {m} {year}",
            f"{wd}, {day}. {m} {year}",
            dotted,
            f"{day}. {m} {year}, {hh}:{mm:02d} Uhr",
            f"{wds}, {dotted}",
        ],
        "fr": [
            f"{wd} {day if day > 1 else '1er'} {m} {year}",
            f"{day} {m} {year}",
            slashed,
            f"{day} {m} {year} à {hh}h{mm:02d}",
        ],
        "es": [
            f"{wd}, {day} de {m} de {year}",
            f"{day} de {m} de {year}",
            slashed,
            f"{day} {ms} {year}",
            f"{day} de {m} del {year} a las {hh}:{mm:02d}",
        ],
        "it": [
            f"{wd} {day} {m} {year}",
            f"{day} {m} {year}",
            slashed,
            f"{day} {m} {year} alle ore {hh}:{mm:02d}",
        ],
        "pt": [
            f"{wd}, {day} de {m} de {year}",
            f"{day} de {m} de {year}",
            slashed,
            f"{day}/{ms}/{year}",
        ],
        "nl": [
            f"{wd} {day} {m} {year}",
            f"{day} {m} {year}",
            f"{day:02d}-{mon:02d}-{year}" if day > 12 else dotted,
            f"{day} {ms} {year} om {hh}:{mm:02d}",
        ],
        "pl": [
            f"{wd}, {day} {m} {year}",
            f"{day} {m} {year} r.",
            dotted,
            f"{day} {m} {year}, godz. {hh}:{mm:02d}",
        ],
        "ru": [
            f"{day} {m} {year}",
            f"{day} {m} {year} г.",
            f"{wd}, {day} {m} {year}",
            dotted,
            f"{day} {m} {year}, {hh}:{mm:02d}",
        ],
        "tr": [
            f"{day} {m} {year}",
            f"{day} {m} {year} {wd}",
            dotted,
            f"{day} {m} {year} {hh}:{mm:02d}",
        ],
        "ar": [
            f"{day} {m} {year}",
            f"{wd}، {day} {m} {year}",
            f"{day} {m} {year}".translate(_ARABIC_DIGITS),
            f"{day} {m} {year}".translate(_PERSIAN_DIGITS),
            f"{slashed}",
        ],
        "zh": [
            f"{year}年{mon}月{day}日",
            f"{year}年{mon}月{day}日 {wd}",
            f"{year}-{mon:02d}-{day:02d} {hh:02d}:{mm:02d}",
            f"{year}年{mon:02d}月{day:02d}日 {hh:02d}:{mm:02d}",
        ],
        "ja": [
            f"{year}年{mon}月{day}日",
            f"{year}年{mon}月{day}日{wds}",
            f"{year}/{mon:02d}/{day:02d} {hh:02d}:{mm:02d}",
            f"{year}年{mon}月{day}日 {hh}時{mm}分",
        ],
    }
    return rng.choice(forms[lang])


def _lede_date(lang: str, d: dt.date, rng: random.Random) -> str:
    """The issue's `Monday, 9 Mar, 2020` form (weekday first), in `lang`."""
    if lang in ("zh", "ja"):
        return render(lang, d, rng)
    wd, ms = _weekday(lang, d), _month(lang, d.month, rng, short=lang not in ("pl", "ru", "ar"))
    if lang == "de":
        return f"{wd}, {d.day}. {ms} {d.year}"
    if lang in ("es", "pt"):
        return f"{wd}, {d.day} de {ms} de {d.year}"
    return f"{wd}, {d.day} {ms}, {d.year}"


# ------------------------------------------------------------------------------------------
# Material


def _random_date(rng: random.Random) -> dt.date:
    return dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(26 * 365))


def _shorts_and_paragraphs(shared: Path) -> tuple[dict, dict]:
    shorts: dict[str, list[str]] = defaultdict(list)
    paras: dict[str, list[str]] = defaultdict(list)
    with open(shared / "corpora" / "langid" / "testset.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["kind"] == "short" and not _YEAR.search(row["text"]):
                # (a sentence with a year may itself be a date line: "Lunedì 16 dicembre 2013.")
                shorts[row["lang"]].append(row["text"])
            elif row["kind"] == "paragraph":
                paras[row["lang"]].append(row["text"])
    return shorts, paras


def _gold_bodies(shared: Path, limit: int) -> list[tuple[str, str]]:
    """(title, body) from webpages gold: the first line as title, body from the first long line."""
    out = []
    for path in sorted((shared / "corpora" / "webpages" / "gold").glob("*.txt"))[: limit * 3]:
        lines = [x.strip() for x in path.read_text(encoding="utf-8", errors="replace").split("\n")]
        lines = [x for x in lines if x]
        start = next((i for i, x in enumerate(lines) if len(x) >= 250), None)
        if start is None or start == 0:
            continue
        out.append((lines[0][:150], "\n\n".join(lines[start : start + 8])))
        if len(out) >= limit:
            break
    return out


def english_material(shared: Path, rng: random.Random) -> list[tuple[str, str, dt.date | None]]:
    """(title, body, own date) from BBC, Reuters, ECB+ and webpages gold."""
    items: list[tuple[str, str, dt.date | None]] = []
    for doc in dedup_corpus.read_bbc(shared)[::7]:
        title, _, body = doc.text.partition("\n")
        items.append((title.strip(), body.strip(), None))
    for doc in dedup_corpus.read_reuters(shared)[::60]:
        title, _, body = doc.text.partition("\n\n")
        if len(body) > 200:
            date = dt.date.fromisoformat(doc.date) if doc.date else None
            items.append((title.strip(), body.strip(), date))
    for doc in dedup_corpus.read_ecb(shared)[::3]:
        first, _, body = doc.text.partition("\n\n")
        title = re.split(r"(?<=[.!?])\s", first)[0].rstrip(".")[:120]
        items.append((title, doc.text, None))
    items.extend((t, b, None) for t, b in _gold_bodies(shared, 80))
    rng.shuffle(items)
    return items


def _chrome(lang: str, rng: random.Random, true: dt.date | None) -> tuple[str, list[dt.date]]:
    """Related stories, comments and a copyright line, with dates that are not the article's."""
    others = []
    while len(others) < 4:
        d = _random_date(rng)
        if d != true:
            others.append(d)
    headline = SOURCES[lang][0]
    lines = [
        RELATED[lang],
        f"{headline} — {render(lang, others[0], rng)}",
        render(lang, others[1], rng),
        f"{NAMES[lang][1]}",
        render(lang, others[2], rng),
        COMMENT[lang],
        f"{render(lang, others[3], rng)} | {NAMES[lang][2]}",
        f"© {others[3].year} {headline}",
    ]
    return "\n\n".join(lines), others


def build(shared: Path, per_cell: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    shorts, paras = _shorts_and_paragraphs(shared)
    english = english_material(shared, rng)
    items = []
    for lang in LANGUAGES:
        for layout in LAYOUTS:
            for k in range(per_cell):
                if lang == "en":
                    pick = (LAYOUTS.index(layout) * per_cell + k) % len(english)
                    title, body, own = english[pick]
                    subtitle = rng.choice(shorts["en"]).rstrip(".")
                else:
                    pool = paras[lang]
                    start = rng.randrange(len(pool))
                    body = "\n\n".join(pool[(start + j) % len(pool)] for j in range(3))
                    title = rng.choice(shorts[lang]).rstrip(".。")
                    subtitle = rng.choice(shorts[lang])
                    own = None
                true = own or _random_date(rng)
                date_text = render(lang, true, rng)
                name = rng.choice(NAMES[lang])
                byline = rng.choice(BYLINE[lang]).format(name)
                source = rng.choice(SOURCES[lang])
                words = body.split()
                lede = (
                    body[: rng.randrange(20, 40)] if lang in ("zh", "ja") else " ".join(words[:8])
                ) + rng.choice(ELLIPSIS)
                if layout == "title-date":
                    header = [title, date_text]
                elif layout == "date-title":
                    header = [date_text, title]
                elif layout == "subtitle-source-date":
                    header = [title, subtitle, source, date_text]
                elif layout == "lede-date":
                    header = [title, lede, _lede_date(lang, true, rng)]
                elif layout == "byline-date":
                    header = [title, byline, date_text]
                elif layout == "byline-with-date":
                    sep = rng.choice((" | ", " · ", ", "))
                    header = [title, subtitle, f"{byline}{sep}{date_text}"]
                elif layout == "kicker-published":
                    published = rng.choice(PUBLISHED[lang]).format(date_text)
                    header = [KICKERS[lang], title, subtitle, published]
                elif layout == "header-block":
                    header = ["\n".join([title, subtitle, f"{source} · {date_text}"])]
                elif layout == "updated-published":
                    later = render(lang, true + dt.timedelta(days=rng.randrange(1, 30)), rng)
                    published = rng.choice(PUBLISHED[lang]).format(date_text)
                    header = [title, byline, UPDATED[lang].format(later), published]
                else:  # no-date
                    header = [title, subtitle]
                    true = None
                chrome, chrome_dates = _chrome(lang, rng, true)
                text = "\n\n".join([*header, body, chrome]) + "\n"
                has_byline = layout in ("byline-date", "byline-with-date", "updated-published")
                items.append(
                    {
                        "id": f"{lang}-{layout}-{k:03d}",
                        "lang": lang,
                        "layout": layout,
                        "text": text,
                        "date": true,
                        "byline": name if has_byline else None,
                        "chrome": chrome_dates,
                    }
                )
    return items


# ------------------------------------------------------------------------------------------
# Running a core (this checkout's, or main's) in a subprocess: same harness for both

_HARNESS = r"""
import pickle, sys, time
sys.path.insert(0, sys.argv[1])
from pipelines.core.headers import parse_article, HeaderError
from pipelines.core import dates
texts, today = pickle.load(open(sys.argv[2], "rb"))

def one(text):
    try:
        h = parse_article(text)
    except HeaderError:
        return None, "no_body", None
    d, src = dates.publication_date(h.date_candidates, today=today)
    return d, src, getattr(h, "byline", None)

results = [one(t) for t in texts]
best = None
for _ in range(5):
    start = time.process_time()
    for t in texts:
        one(t)
    elapsed = time.process_time() - start
    best = elapsed if best is None else min(best, elapsed)
pickle.dump((results, best), open(sys.argv[3], "wb"))
"""


def run_core(code_root: Path, texts: list[str], work: Path, name: str) -> tuple[list, float]:
    src, dst = work / f"{name}.in.pkl", work / f"{name}.out.pkl"
    with open(src, "wb") as fh:
        pickle.dump((texts, TODAY), fh)
    env = {"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", _HARNESS, str(code_root), str(src), str(dst)], check=True, env=env
    )
    with open(dst, "rb") as fh:
        return pickle.load(fh)


def main_code(work: Path) -> Path | None:
    """main's pipelines/core/{dates,headers,text}.py in a temp folder (None without git/main)."""
    root = work / "main_code"
    (root / "pipelines" / "core").mkdir(parents=True)
    files = ["pipelines/__init__.py", "pipelines/core/__init__.py", "pipelines/core/headers.py"]
    files += ["pipelines/core/text.py", "pipelines/core/dates.py"]
    for f in files:
        shown = subprocess.run(
            ["git", "-C", str(REPO), "show", f"main:{f}"], capture_output=True, text=True
        )
        if shown.returncode != 0:
            print(f"  (old core unavailable: git show main:{f} failed)")
            return None
        (root / f).write_text(shown.stdout, encoding="utf-8")
    return root


# ------------------------------------------------------------------------------------------
# Reports


def score(items: list[dict], results: list) -> dict:
    by_layout: dict[str, Counter] = defaultdict(Counter)
    by_lang: dict[str, Counter] = defaultdict(Counter)
    chrome = 0
    sources: Counter = Counter()
    for item, (got, src, _) in zip(items, results, strict=True):
        ok = got == item["date"]
        for table, key in ((by_layout, item["layout"]), (by_lang, item["lang"])):
            table[key]["n"] += 1
            table[key]["ok"] += ok
        if got is not None and got in item["chrome"]:
            chrome += 1
        sources[src] += 1
    ok = sum(c["ok"] for c in by_layout.values())
    return {
        "layout": by_layout,
        "lang": by_lang,
        "ok": ok,
        "n": len(items),
        "chrome": chrome,
        "sources": sources,
    }


def _pct(c: Counter) -> str:
    return f"{100 * c['ok'] / c['n']:6.2f} %"


def print_tables(new: dict, old: dict | None) -> None:
    for key, title in (("layout", "layout"), ("lang", "language")):
        print(f"\n  {title:<22} {'n':>5}  {'new':>8}  {'old (main)':>10}")
        for name, c in sorted(new[key].items(), key=lambda kv: kv[0]):
            o = _pct(old[key][name]) if old else "-"
            print(f"  {name:<22} {c['n']:>5}  {_pct(c)}  {o:>10}")
    dated = [c for k, c in new["layout"].items() if k != "no-date"]
    n_dated = sum(c["n"] for c in dated)
    ok_dated = sum(c["ok"] for c in dated)
    print(f"\n  all: new {100 * new['ok'] / new['n']:.2f} % of {new['n']}", end="")
    if old:
        print(f"; old {100 * old['ok'] / old['n']:.2f} %", end="")
    old_dated = ""
    if old:
        ok_old = sum(c["ok"] for k, c in old["layout"].items() if k != "no-date")
        old_dated = f"; old {ok_old}/{n_dated} = {100 * ok_old / n_dated:.2f} %"
    print(
        f"\n  dated articles with the right date: {ok_dated}/{n_dated} = "
        f"{100 * ok_dated / n_dated:.2f} % (target >= {100 * TARGET:.0f} %){old_dated}"
    )
    old_chrome = f", old {old['chrome']}" if old else ""
    print(f"  dates taken from chrome: new {new['chrome']}{old_chrome}")
    print(f"  date_source (new): {dict(new['sources'])}")


def web_spot_check(shared: Path, work: Path, old_root: Path | None) -> None:
    """Raw scraped pages: how many get a date, from where, and whether it agrees with gold."""
    raw_dir = shared / "corpora" / "webpages" / "raw"
    gold_dir = shared / "corpora" / "webpages" / "gold"
    paths = sorted(raw_dir.glob("*.txt"))
    raw = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    gold = [(gold_dir / p.name).read_text(encoding="utf-8", errors="replace") for p in paths]
    from pipelines.core import dates

    new_raw, _ = run_core(REPO, raw, work, "web_raw")
    new_gold, _ = run_core(REPO, gold, work, "web_gold")
    # Date-only lines anywhere in the page (what a position-blind scan would see).
    below = 0
    for text, (got, _, _) in zip(raw, new_raw, strict=True):
        lines = [x.strip() for x in text.split("\n") if x.strip()]
        all_dates = [dates.parse_date(x, today=TODAY) for x in lines if len(x) < 80]
        all_dates = [d for d in all_dates if d is not None]
        if all_dates and got is None:
            below += 1
    dated = [r for r in new_raw if r[0] is not None]
    both = [(r, g) for r, g in zip(new_raw, new_gold, strict=True) if r[0] and g[0]]
    agree = sum(r[0] == g[0] for r, g in both)
    differ = [
        p.name
        for p, r, g in zip(paths, new_raw, new_gold, strict=True)
        if r[0] and g[0] and r[0] != g[0]
    ]
    print(
        f"\n  web pages (raw, {len(raw)}): dated {len(dated)}, by source "
        f"{dict(Counter(r[1] for r in dated))}"
    )
    print(f"  raw and gold both dated: {len(both)}, same date: {agree}; differ: {differ}")
    print(f"  pages with date-only lines, all outside the header zone, left undated: {below}")
    if old_root:
        old_raw, _ = run_core(old_root, raw, work, "web_raw_old")
        print(f"  old (main): dated {sum(r[0] is not None for r in old_raw)}")


def job_sample(items: list[dict], n: int, work: Path) -> None:
    """The real job on `n` articles (distinct bodies): rows' dates equal the core's."""
    from pipelines import ingest
    from pipelines.query import connect

    rng = random.Random(5)
    sample = rng.sample(items, min(n, len(items)))
    folder = work / "job_in"
    folder.mkdir()
    for item in sample:
        (folder / f"{item['id']}.txt").write_text(item["text"], encoding="utf-8")
    out = work / "job_out"
    ingest.run(["--input", str(folder), "--output", str(out)])
    con = connect(str(out))
    rows = {}
    for table in ("articles", "duplicates"):
        for uri, date in con.execute(f"select source_uri, published_date from {table}").fetchall():
            rows[Path(uri).stem] = date
    ok = sum(rows.get(item["id"], "missing") == item["date"] for item in sample)
    print(
        f"\n  real job on {len(sample)} articles: {ok} right dates "
        f"({len(rows)} rows in articles + duplicates)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--per-cell", type=int, default=30, help="articles per layout x language")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--job-sample", type=int, default=120)
    parser.add_argument("--no-old", action="store_true", help="skip main's code")
    parser.add_argument("--no-web", action="store_true", help="skip the raw web-page spot-check")
    args = parser.parse_args(argv)
    if not (args.shared / "corpora").is_dir():
        print(f"no corpora under {args.shared}", file=sys.stderr)
        return 2
    items = build(args.shared, args.per_cell, args.seed)
    texts = [item["text"] for item in items]
    print(
        f"{len(items)} articles: {len(LANGUAGES)} languages x {len(LAYOUTS)} layouts x "
        f"{args.per_cell}"
    )
    with tempfile.TemporaryDirectory(prefix="dates_eval_") as tmp:
        work = Path(tmp)
        old_root = None if args.no_old else main_code(work)
        old = None
        # Old and new alternate, three rounds, best time of each: the machine is shared.
        new_time = old_time = float("inf")
        for _ in range(3):
            new_results, elapsed = run_core(REPO, texts, work, "new")
            new_time = min(new_time, elapsed)
            if old_root:
                old_results, elapsed = run_core(old_root, texts, work, "old")
                old_time = min(old_time, elapsed)
        if old_root:
            old = score(items, old_results)
        new = score(items, new_results)
        print_tables(new, old)
        with_byline = [(i, r) for i, r in zip(items, new_results, strict=True) if i["byline"]]
        ok_by = sum(r[2] == i["byline"] for i, r in with_byline)
        wrong_by = sum(
            1 for i, r in zip(items, new_results, strict=True) if not i["byline"] and r[2]
        )
        print(f"  bylines: {ok_by}/{len(with_byline)} exact; {wrong_by} found where none was")
        per = 1e6 / len(texts)
        line = f"\n  header+date time per article: new {new_time * per:.1f} us"
        if old_root:
            line += f", old (main) {old_time * per:.1f} us, new/old {new_time / old_time:.2f}"
        print(line + " (best of 3 alternating rounds x 5 passes)")
        if not args.no_web:
            web_spot_check(args.shared, work, old_root)
        if args.job_sample:
            job_sample(items, args.job_sample, work)
    dated = [c for k, c in new["layout"].items() if k != "no-date"]
    rate = sum(c["ok"] for c in dated) / sum(c["n"] for c in dated)
    return 0 if rate >= TARGET and new["chrome"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
