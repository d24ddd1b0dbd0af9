"""Header labels that introduce a date ("Published:", "Stand:", "发布时间："), by kind."""

from __future__ import annotations

import datetime
from typing import Literal, NamedTuple

DateKind = Literal["published", "updated"]


class HeaderDate(NamedTuple):
    """A date found on a labelled header line, and whether the label was published or updated."""

    kind: DateKind
    date: datetime.date


# The tables are laid out by hand (one language per block), so the formatter is kept out.
# fmt: off
# Header labels, by kind. A label must be followed by a date and nothing else, so short generic
# labels ("Date", "Data", "Tarih") cannot turn an ordinary sentence into a header line.
HEADER_LABELS: dict[DateKind, tuple[str, ...]] = {
    "published": (
        # en
        "published", "first published", "originally published", "posted", "date", "dated",
        "publication date", "date published", "published date", "pubdate", "pub date",
        # de
        "veröffentlicht", "veroeffentlicht", "erschienen", "publiziert", "erstellt", "datum",
        "veröffentlichungsdatum",
        # fr
        "publié", "publiée", "paru", "mis en ligne", "date de publication",
        # es, pt
        "publicado", "publicada", "fecha", "fecha de publicación", "data de publicação",
        # it
        "pubblicato", "pubblicata", "data", "data di pubblicazione",
        # nl
        "gepubliceerd", "geplaatst",
        # pl
        "opublikowano", "data publikacji", "dodano",
        # ru
        "опубликовано", "опубликован", "опубликована", "дата публикации", "дата", "размещено",
        # tr
        "yayınlanma tarihi", "yayınlanma", "yayın tarihi", "yayınlandı", "tarih",
        "oluşturulma tarihi",
        # ar
        "نشر", "نشر بتاريخ", "تم النشر", "تاريخ النشر", "بتاريخ", "التاريخ", "تاريخ",
        # zh (simplified, traditional), ja
        "发布时间", "发布日期", "发布于", "发布", "发表时间", "发表日期", "发表于",
        "發布時間", "發佈時間", "發布日期", "發表時間", "發布", "日期", "时间", "時間",
        "公開日", "公開日時", "掲載日", "投稿日", "投稿日時", "配信日", "配信日時",
    ),
    "updated": (
        # en
        "updated", "last updated", "last modified", "modified", "revised",
        # de ("Stand:" is the revision stamp on German news sites)
        "aktualisiert", "zuletzt aktualisiert", "geändert", "stand",
        # fr
        "mis à jour", "mise à jour", "dernière mise à jour", "actualisé",
        # es, pt
        "actualizado", "última actualización", "atualizado", "última atualização",
        # it
        "aggiornato", "aggiornata", "ultimo aggiornamento", "aggiornamento",
        # nl
        "bijgewerkt", "laatst bijgewerkt", "gewijzigd",
        # pl
        "zaktualizowano", "aktualizacja", "ostatnia aktualizacja",
        # ru
        "обновлено", "обновлен", "обновлена", "изменено", "дата обновления",
        # tr
        "güncellenme tarihi", "güncellendi", "güncelleme", "son güncelleme",
        # ar
        "آخر تحديث", "تم التحديث", "تحديث", "تاريخ التحديث",
        # zh, ja
        "更新时间", "更新時間", "更新日期", "更新于", "更新於", "更新", "更新日", "最終更新日",
        "更新日時",
    ),
}
# Words between a label and its date: "Published on", "Veröffentlicht am", "Publié le",
# "Publicado el/em", "Pubblicato il", "Gepubliceerd op", "Opublikowano dnia", "نشر في".
LABEL_CONNECTORS = (
    "on", "at", "am", "um", "le", "el", "il", "em", "op", "dnia", "w", "в", "في", "يوم",
    "于", "於",
)
# Other labels that may follow a date on the same line ("发布时间：… 来源：新华网"); they only
# mark where a new segment starts.
OTHER_LABELS = (
    "source", "quelle", "fuente", "fonte", "bron", "źródło", "источник", "kaynak", "المصدر",
    "来源", "來源", "出典", "author", "autor", "auteur", "автор", "yazar", "作者", "编辑", "編輯",
)
# fmt: on
