"""Month and weekday names per language, and the words that may surround a date's time.

Every entry goes through `normalize.normalize`, exactly like the input, so the tables are written
in their natural spelling (accents, capitals) and still match unaccented or upper-case input.
Chinese, Japanese and Korean dates are numeric (年月日) and need no month names; their weekdays
are in `CJK_WEEKDAY`. Arabic-Indic and Persian digits need no table: ``\\d`` and ``int`` read them.
"""

from __future__ import annotations

# fmt: off
# language -> 12 entries (January first), each "alias|alias|...".
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "january|jan", "february|feb", "march|mar", "april|apr", "may", "june|jun",
        "july|jul", "august|aug", "september|sept|sep", "october|oct", "november|nov",
        "december|dec",
    ),
    "de": (
        "januar|jänner|jaenner|jan|jän", "februar|feber|feb", "märz|maerz|mär|mrz",
        "april|apr", "mai", "juni|jun", "juli|jul", "august|aug", "september|sept|sep",
        "oktober|okt", "november|nov", "dezember|dez",
    ),
    "fr": (
        "janvier|janv", "février|févr|fév", "mars", "avril|avr", "mai", "juin",
        "juillet|juil", "août", "septembre|sept", "octobre|oct", "novembre|nov",
        "décembre|déc",
    ),
    "es": (
        "enero|ene", "febrero|feb", "marzo|mar", "abril|abr", "mayo|may", "junio|jun",
        "julio|jul", "agosto|ago", "septiembre|setiembre|sept|sep|set", "octubre|oct",
        "noviembre|nov", "diciembre|dic",
    ),
    "it": (
        "gennaio|gen", "febbraio|feb", "marzo|mar", "aprile|apr", "maggio|mag", "giugno|giu",
        "luglio|lug", "agosto|ago", "settembre|set", "ottobre|ott", "novembre|nov",
        "dicembre|dic",
    ),
    "pt": (
        "janeiro|jan", "fevereiro|fev", "março|mar", "abril|abr", "maio|mai", "junho|jun",
        "julho|jul", "agosto|ago", "setembro|set", "outubro|out", "novembro|nov",
        "dezembro|dez",
    ),
    "nl": (
        "januari|jan", "februari|feb", "maart|mrt|mar", "april|apr", "mei", "juni|jun",
        "juli|jul", "augustus|aug", "september|sept|sep", "oktober|okt", "november|nov",
        "december|dec",
    ),
    # Polish: nominative (used alone) and genitive (used after a day number).
    "pl": (
        "styczeń|stycznia|sty", "luty|lutego|lut", "marzec|marca|mar",
        "kwiecień|kwietnia|kwi", "maj|maja", "czerwiec|czerwca|cze", "lipiec|lipca|lip",
        "sierpień|sierpnia|sie", "wrzesień|września|wrz", "październik|października|paź",
        "listopad|listopada|lis", "grudzień|grudnia|gru",
    ),
    # Russian: nominative and genitive ("13 марта").
    "ru": (
        "январь|января|янв", "февраль|февраля|февр|фев", "март|марта|мар",
        "апрель|апреля|апр", "май|мая", "июнь|июня|июн", "июль|июля|июл",
        "август|августа|авг", "сентябрь|сентября|сент|сен", "октябрь|октября|окт",
        "ноябрь|ноября|нояб|ноя", "декабрь|декабря|дек",
    ),
    "tr": (
        "ocak|oca", "şubat|şub", "mart|mar", "nisan|nis", "mayıs|may", "haziran|haz",
        "temmuz|tem", "ağustos|ağu", "eylül|eyl", "ekim|eki", "kasım|kas", "aralık|ara",
    ),
    # Arabic: Egyptian/Gulf (transliterated), Levantine/Iraqi (Syriac), Maghrebi (French-
    # derived, Algeria/Tunisia) and Moroccan spellings.
    "ar": (
        "يناير|كانون الثاني|جانفي",
        "فبراير|شباط|فيفري",
        "مارس|آذار",
        "أبريل|إبريل|ابريل|نيسان|أفريل",
        "مايو|أيار|ماي",
        "يونيو|يونيه|يونية|حزيران|جوان",
        "يوليو|يوليه|يولية|تموز|جويلية|يوليوز",
        "أغسطس|آب|أوت|غشت",
        "سبتمبر|أيلول|شتنبر",
        "أكتوبر|تشرين الأول|اكتوبر",
        "نوفمبر|تشرين الثاني|نونبر",
        "ديسمبر|كانون الأول|دجنبر",
    ),
    # Persian (Gregorian month names as Iranian papers print them beside the Solar Hijri date).
    "fa": (
        "ژانویه|ژانويه", "فوریه|فوريه", "مارس", "آوریل|آوريل", "مه|می", "ژوئن",
        "ژوئیه|ژوئيه|جولای", "اوت|آگوست", "سپتامبر", "اکتبر", "نوامبر", "دسامبر",
    ),
}

# Weekdays are recognised only so they can be skipped; which day it is does not matter.
WEEKDAY_NAMES: dict[str, str] = {
    "en": "monday|mon|tuesday|tue|tues|wednesday|wed|thursday|thu|thur|thurs|friday|fri|"
    "saturday|sat|sunday|sun",
    "de": "montag|mo|dienstag|di|mittwoch|mi|donnerstag|do|freitag|fr|samstag|sonnabend|sa|"
    "sonntag|so",
    "fr": "lundi|lun|mardi|mar|mercredi|mer|jeudi|jeu|vendredi|ven|samedi|sam|dimanche|dim",
    "es": "lunes|lun|martes|mar|miércoles|mié|jueves|jue|viernes|vie|sábado|sáb|domingo|dom",
    "it": "lunedì|lun|martedì|mar|mercoledì|mer|giovedì|gio|venerdì|ven|sabato|sab|"
    "domenica|dom",
    "pt": "segunda-feira|segunda|seg|terça-feira|terça|ter|quarta-feira|quarta|qua|"
    "quinta-feira|quinta|qui|sexta-feira|sexta|sex|sábado|sáb|domingo|dom",
    "nl": "maandag|ma|dinsdag|di|woensdag|wo|donderdag|do|vrijdag|vr|zaterdag|za|zondag|zo",
    "pl": "poniedziałek|pon|wtorek|wt|środa|śr|czwartek|czw|piątek|pt|sobota|sob|niedziela|"
    "niedz|ndz",
    "ru": "понедельник|пн|вторник|вт|среда|ср|четверг|чт|пятница|пт|суббота|сб|воскресенье|вс",
    "tr": "pazartesi|pzt|salı|çarşamba|perşembe|cuma|cumartesi|cmt|pazar",
    "ar": "الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|"
    "يوم الاثنين|يوم الإثنين|يوم الثلاثاء|يوم الأربعاء|يوم الخميس|يوم الجمعة|يوم السبت|يوم الأحد",
    "fa": "شنبه|یکشنبه|دوشنبه|سه‌شنبه|سه شنبه|چهارشنبه|پنجشنبه|پنج‌شنبه|جمعه",
}
# Chinese 星期五/周五/礼拜五, Japanese 金曜日/(金), Korean 금요일: no spaces, so no word boundary.
CJK_WEEKDAY = (
    r"(?:星期|禮拜|礼拜|周|週)[一二三四五六日天]|[月火水木金土日]曜日?|[月火水木金土日]"
    r"|[월화수목금토일]요일"
)

# Words that may sit between a date and its time: "at 10:22", "um 10:22 Uhr", "à 10h22",
# "a las 10:22", "alle ore 10:22", "às 10h", "om 10:22", "o godz. 10:22", "в 10:22", "saat 10:22".
TIME_CONNECTORS = (
    "at", "um", "a", "a las", "a la", "alle", "alle ore", "ore", "as", "om", "o", "godz",
    "o godz", "в", "saat", "الساعة", "في", "kl", "klo", "@",
)
TZ_ABBREVIATIONS = (
    "utc", "gmt", "z", "cet", "cest", "eet", "eest", "wet", "west", "bst", "ist", "msk", "мск",
    "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "et", "pt", "ct", "mt", "jst", "kst",
    "hkt", "sgt", "trt", "ast", "aest", "aedt", "wib", "pkt",
)

# Header labels, by kind. A label must be followed by a date and nothing else, so short generic
# fmt: on
