"""A synthetic-but-realistic corpus of any size for the capacity benchmark (deterministic, seeded).

The real corpora in ../shared hold ~24k distinct news texts, too few for 200k articles. Distinct
articles here are word-level Markov text (order 2) trained on the Reuters and BBC bodies: local
word, name, number and punctuation statistics of real news (what the skeleton shingles of
`near_dup` see), without the long repeated runs that would make two generated articles copies.
On top, a fixed mix (the same at every size, so per-article figures compare across sizes):

- `original` (72 %): a Markov article of a real article's length, dated within 30 days.
- `spun` (18 %): a thesaurus-spun copy (`dedup_corpus.Spinner`, 10-35 % of words swapped) of
  one of the latest RECENT originals, dated 0-3 days after it: spun-copy families.
- `exact` (3 %): a byte-identical copy of one of the latest RECENT originals (another name).
- chrome: 25 % of originals and copies are "scraped" from one of 200 sites and carry that site's
  navigation lines and footer (newsletter blurb, 14 headline links, copyright), which
  `RemoveBoilerplate` must find by repetition.

Files are `dedup_corpus.write`'s layout (` date YYYY-MM-DD ` + text), one per article; size N
is the first N files in generation order (hard links), so every size has the same mix.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import dedup_corpus

VERSION = 2
# A copy is of one of the latest RECENT originals (wire copies follow within days), so the
# first N articles of the generation order hold whole families: the share of duplicates does
# not grow with N, as it would in the first N of a shuffled corpus (where both ends of a pair
# are present with probability ~(N/total)^2).
RECENT = 2_000
ROLES = (("original", 0.72), ("spun", 0.18), ("exact", 0.03), ("original", 0.07))
CHROME_SHARE = 0.25
SITES = 200
WINDOW_DAYS = 30
_TOKEN = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]|\n\n")
_START = ("\n\n", "\n\n")
_NO_SPACE_BEFORE = frozenset(".,;:!?)'\"%")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.replace("\r", ""))


class Markov:
    """Order-2 word chain over real news bodies (paragraph breaks are tokens)."""

    def __init__(self, texts: list[str]) -> None:
        chain: dict[tuple[str, str], list[str]] = defaultdict(list)
        for text in texts:
            prev = _START
            for tok in _tokens(text):
                chain[prev].append(tok)
                prev = (prev[1], tok)
            chain[prev].append("\n\n")
        self.chain = dict(chain)

    def words(self, n: int, rng: random.Random) -> str:
        out: list[str] = []
        state, words = _START, 0
        while words < n:
            nxt = self.chain.get(state)
            tok = rng.choice(nxt) if nxt else "\n\n"
            if tok == "\n\n" and state == ("\n\n", "\n\n"):
                tok = rng.choice(self.chain[_START])
            out.append(tok)
            words += tok[:1].isalnum()
            state = (state[1], tok)
        return _detokenize(out)


def _detokenize(tokens: list[str]) -> str:
    parts: list[str] = []
    for tok in tokens:
        if tok == "\n\n":
            if parts and parts[-1] != "\n\n":
                parts.append("\n\n")
        elif not parts or parts[-1] == "\n\n" or tok in _NO_SPACE_BEFORE:
            parts.append(tok)
        else:
            parts.append(" " + tok)
    return "".join(parts).strip()


def _site_chrome(k: int, headlines: list[str], rng: random.Random) -> tuple[str, str]:
    nav = "\n".join(
        ["Home", "World", "Business", "Markets", "Politics", "Sport", "Contact us"][: 4 + k % 4]
    )
    footer = dedup_corpus.make_boilerplate(headlines, rng, 1)[0].replace("20", f"{k:03d}-", 1)
    return f"Site {k} News\n{nav}", footer


def build(shared: Path, size: int, seed: int, log=print) -> list[dict]:
    """`size` items (id, text, published_date, role, group, site), in generation order."""
    rng = random.Random(seed)
    docs = dedup_corpus.read_reuters(shared) + dedup_corpus.read_bbc(shared)
    texts = [d.text.split("\n\n", 1)[-1] for d in docs if len(d.text.split()) >= 40]
    lengths = [len(t.split()) for t in texts]
    log(f"markov: training on {len(texts):,} Reuters/BBC bodies")
    chain = Markov(texts)
    spinner = dedup_corpus.Spinner(
        dedup_corpus.load_thesaurus(shared / "lexical" / "th_en_US_v2.dat"), "en"
    )
    headlines = [d.text.split("\n", 1)[0][:90] for d in docs if d.source == "reuters"][:5000]
    chrome = [_site_chrome(k, headlines, rng) for k in range(SITES)]
    start = dt.date(2024, 1, 1)
    items: list[dict] = []
    originals: list[dict] = []
    roles, weights = zip(*ROLES, strict=True)
    for i in range(size):
        role = rng.choices(roles, weights)[0] if originals else "original"
        site = rng.randrange(SITES) if rng.random() < CHROME_SHARE else None
        if role == "original":
            n_words = min(max(rng.choice(lengths), 60), 900)
            body = chain.words(n_words, rng)
            title = chain.words(8, rng).split("\n")[0][:80].rstrip(".,;: ").title()
            text = f"{title}\n\n{body}"
            date = start + dt.timedelta(days=rng.randrange(WINDOW_DAYS))
            item = {"id": f"c{seed}-{i:07d}", "text": text, "date": date, "group": i}
            originals.append(item)
        else:
            orig = rng.choice(originals[-RECENT:])
            text = orig["text"]
            if role == "spun":
                text, _ = spinner.spin_words(text, rng.uniform(0.10, 0.35), rng)
            date = orig["date"] + dt.timedelta(days=rng.randint(0, 3))
            item = {"id": f"c{seed}-{i:07d}", "text": text, "date": date, "group": orig["group"]}
        if site is not None and role != "exact":
            head, foot = chrome[site]
            item["text"] = f"{head}\n\n{item['text']}\n\n{foot}"
        items.append({**item, "role": role, "site": site})
        if (i + 1) % 50_000 == 0:
            log(f"generated {i + 1:,} of {size:,}")
    return [
        {
            "id": it["id"],
            "text": it["text"],
            "published_date": it["date"].isoformat(),
            "role": it["role"],
            "group": it["group"],
            "site": it["site"],
        }
        for it in items
    ]


def prepare(shared: Path, size: int, seed: int, workdir: Path, log=print) -> dict:
    """Write (or reuse) the corpus for `size` under `workdir/corpus/all`; returns its meta."""
    cdir = workdir / "corpus"
    meta_path = cdir / "meta.json"
    key = {"version": VERSION, "shared": str(shared.resolve()), "seed": seed}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["key"] == key and len(meta["ids"]) >= size and (cdir / "all").is_dir():
            log(f"corpus: reusing {cdir} ({len(meta['ids']):,} articles)")
            return meta
    shutil.rmtree(cdir, ignore_errors=True)
    items = build(shared, size, seed, log)
    dedup_corpus.write(items, cdir / "corpus.jsonl", txt_dir=cdir / "all")
    meta = {
        "key": key,
        "ids": [it["id"] for it in items],
        "roles": dict(Counter(it["role"] for it in items).most_common()),
        "chrome": sum(it["site"] is not None for it in items),
    }
    meta_path.write_text(json.dumps(meta))
    return meta
