"""Reading a finished run's outputs back, for assertions."""

from __future__ import annotations

import glob
import json
import os

import fastavro

from pipelines.query import connect


def articles(output: str) -> dict[str, dict]:
    """Article rows keyed by the seed-style file name prefix (e.g. '001') or base name."""
    con = connect(output)
    cur = con.execute("select * from articles")
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return {os.path.basename(r["source_uri"]).split("_")[0]: r for r in rows}


def table(output: str, sql: str) -> list[tuple]:
    return connect(output).execute(sql).fetchall()


def quarantine(output: str) -> list[dict]:
    rows = []
    for path in sorted(glob.glob(os.path.join(output, "quarantine", "*.avro"))):
        with open(path, "rb") as handle:
            rows.extend(fastavro.reader(handle))
    return rows


def manifest(output: str) -> dict:
    (path,) = glob.glob(os.path.join(output, "_runs", "*.json"))
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# One site's short pages that share only its comment rules (site chrome): distinct articles.
CHROME = (
    "Guidelines: Reader comments should be within the guidelines for this community. These "
    "guidelines will be used to identify those comments that will be removed from display on "
    "the site. Please keep your comments relevant to the topic, not abusive or combatant towards "
    "other readers, and do not share any personal details.\n"
    "Comments may be no longer than 2000 characters and will post to the site shortly after "
    "submitting."
)
SITE_PAGES = {  # one site's short pages: title, own text; each page ends with CHROME
    "a": (
        "Fans show their team pride on Halloween",
        "Fans went out on Halloween showing off their best impressions of the players of "
        "their team. Who was the most convincing of them all, and who should try again next year?",
    ),
    "b": (
        "Linebacker agrees that the start is embarrassing",
        "The linebacker dropped by the studio on Wednesday morning to talk about the upcoming "
        "match with the Colts and the team's start to the season, which he called embarrassing.",
    ),
    "c": (
        "Podcast: the election of the fantasy president",
        "This week on the podcast the hosts celebrate the election season as they welcome the "
        "candidates for the president of fantasy football and the woes facing the Eagles.",
    ),
    "d": (
        "Coach says the injured quarterback will start",
        "The coach told reporters on Friday that his quarterback, who hurt an ankle in practice, "
        "will start on Sunday against a division rival despite a limp.",
    ),
    "e": (
        "Kicker sets a record with a long field goal",
        "The kicker made a field goal from sixty four yards in the final seconds of the game on "
        "Sunday, a record for the club that had stood for thirty years.",
    ),
}
