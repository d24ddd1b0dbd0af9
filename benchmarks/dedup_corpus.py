"""Build a labelled near-duplicate evaluation corpus from ../shared (deterministic, seeded).

    python benchmarks/dedup_corpus.py [--shared ../shared] [--size 3000] [--seed 7]
                                      [--out corpus.jsonl] [--txt-dir DIR]

Item schema (one JSON object per line)::

    {"id", "text", "language", "published_date", "group", "role", "level",
     "source", "topic", "swap_rate"}

``group`` is the ground-truth duplicate group (id of its original / first member); two items
are duplicates iff their groups are equal. Roles:

* ``original`` / ``spun``: thesaurus-spun copies (MyThes en_US for English, de_DE for German)
  at levels ``light`` (~25 % of words swapped), ``medium`` (~45 % + dropped/reordered sentences),
  ``heavy`` (~65 % + dropped/reordered sentences); plus ``edit`` copies for other languages
  (sentence drop/reorder, added/dropped photo caption and agency credit, no synonym swaps).
  ``swap_rate`` is the achieved fraction of word tokens replaced. The original optionally
  carries a caption/credit that the copy drops (as in seeds 000/001). Copies are dated on or
  after their original.
* ``wire``: natural duplicates in BBC / Reuters / ECB+, labelled by this rule: lower-cased word
  5-gram containment (|A&B| / min(|A|,|B|)) >= 0.6 and word-count ratio >= 0.5 (exact copies
  included). Pairs with containment in [0.15, 0.6) or a smaller length ratio are *ambiguous*
  (updates that add/remove most of the text, excerpts): neither side of such a pair is used,
  so no label in the corpus is a judgement call.
* ``hard_negative``: ECB+ articles (same topic = same event and entities, distinct article).
* ``boilerplate``: distinct articles with one shared long sidebar + "stories you might like"
  link list appended.
* ``template``: Reuters templated reports (earnings "Shr ... vs ..."), distinct articles.
* ``seed``: the five seed articles (000 is a spun copy of 001).
* ``filler``: other BBC / Reuters articles unrelated by the rule above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import itertools
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"

# ------------------------------------------------------------------------------------------
# Source readers
# ------------------------------------------------------------------------------------------


@dataclass
class Doc:
    key: str  # stable source key, e.g. "bbc/business/001"
    source: str
    text: str
    language: str = "en"
    date: str | None = None
    topic: str | None = None


_REUTERS_RE = re.compile(r"<REUTERS(.*?)</REUTERS>", re.S)
_TAG_RE = {t: re.compile(rf"<{t}>(.*?)</{t}>", re.S) for t in ("DATE", "TITLE", "BODY")}
_NEWID_RE = re.compile(r'NEWID="(\d+)"')
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN")
_MONTH_NAMES += ("JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}


def read_bbc(shared: Path) -> list[Doc]:
    docs = []
    for path in sorted((shared / "corpora" / "bbc").glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace").strip()
        cat = path.parent.name
        docs.append(Doc(f"bbc/{cat}/{path.stem}", "bbc", raw, topic=f"bbc:{cat}"))
    return docs


def reuters_body(body: str) -> str:
    """A Reuters-21578 <BODY>: unescaped, trailer dropped, paragraphs (indented lines) joined
    by blank lines and wrapped lines by spaces."""
    body = html.unescape(body).replace("\x03", "").strip()
    body = re.sub(r"\s*Reuter\s*$", "", body)
    # Wrapped lines; a new paragraph starts with an indented line.
    paras, cur = [], []
    for line in body.split("\n"):
        if line.startswith(("    ", "\t")) and cur:
            paras.append(" ".join(cur))
            cur = []
        if line.strip():
            cur.append(line.strip())
    if cur:
        paras.append(" ".join(cur))
    return "\n\n".join(paras)


def read_reuters(shared: Path) -> list[Doc]:
    docs = []
    for path in sorted((shared / "corpora" / "reuters21578").glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for m in _REUTERS_RE.finditer(raw):
            chunk = m.group(0)
            body = _TAG_RE["BODY"].search(chunk)
            if not body:
                continue
            title = _TAG_RE["TITLE"].search(chunk)
            date = _TAG_RE["DATE"].search(chunk)
            iso = None
            if date:
                d = date.group(1).strip().split()[0]  # 26-FEB-1987
                try:
                    dd, mon, yy = d.split("-")
                    iso = dt.date(int(yy), _MONTHS[mon.upper()], int(dd)).isoformat()
                except (ValueError, KeyError):
                    iso = None
            text = reuters_body(body.group(1))
            if title:
                text = html.unescape(title.group(1)).strip().title() + "\n\n" + text
            newid = _NEWID_RE.search(chunk).group(1)
            docs.append(Doc(f"reuters/{newid}", "reuters", text, date=iso))
    return docs


def _detok(s: str) -> str:
    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r" ([.,;:!?%)])", r"\1", s)
    s = re.sub(r"([($]) ", r"\1", s)
    s = re.sub(r" ('s|n't|'re|'ve|'ll|'d|')\b", r"\1", s)
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    return s.strip()


def read_ecb(shared: Path) -> list[Doc]:
    docs = []
    with open(shared / "corpora" / "ecbplus_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            sents = [_detok(s) for s in d["text"].split("\n") if s.strip()]
            paras = [" ".join(sents[i : i + 2]) for i in range(0, len(sents), 2)]
            docs.append(
                Doc(f"ecb/{d['doc']}", "ecb", "\n\n".join(paras), topic=f"ecb:{d['topic']}")
            )
    return docs


def read_langid(shared: Path) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    with open(shared / "corpora" / "langid" / "testset.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if d["kind"] == "paragraph":
                by_lang[d["lang"]].append(d["text"])
    return by_lang


def read_seeds(shared: Path) -> list[Doc]:
    docs = []
    for path in sorted((shared / "seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        m = re.match(r"\s*date (\d{4}-\d{2}-\d{2}) ", raw)
        date = m.group(1) if m else None
        text = raw[m.end() :] if m else raw
        docs.append(Doc(f"seed/{path.stem}", "seed", text.strip(), date=date, topic="seed"))
    return docs


# ------------------------------------------------------------------------------------------
# Natural duplicate labelling (word 5-gram containment, see module docstring)
# ------------------------------------------------------------------------------------------

_W_RE = re.compile(r"\w+")


def _word5(text: str) -> tuple[frozenset[str], int]:
    w = _W_RE.findall(text.lower())
    return frozenset(" ".join(w[i : i + 5]) for i in range(max(1, len(w) - 4))), len(w)


def natural_relations(docs: list[Doc]) -> tuple[list[tuple[int, int]], set[int]]:
    """Return (positive pairs, indices involved in an ambiguous pair)."""
    sets = [_word5(d.text) for d in docs]
    index: dict[str, list[int]] = defaultdict(list)
    for i, (s, _) in enumerate(sets):
        for g in s:
            index[g].append(i)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for posting in index.values():
        if 1 < len(posting) <= 40:  # very common 5-grams are templates, not evidence
            for a in range(len(posting)):
                for b in range(a + 1, len(posting)):
                    counts[(posting[a], posting[b])] += 1
    pos, amb = [], set()
    for (i, j), n in counts.items():
        (si, ni), (sj, nj) = sets[i], sets[j]
        c = len(si & sj) / max(1, min(len(si), len(sj)))
        if c < 0.15 or n < 3:
            continue
        ratio = min(ni, nj) / max(1, max(ni, nj))
        if c >= 0.6 and ratio >= 0.5 and min(ni, nj) >= 40:
            pos.append((i, j))
        else:
            amb.update((i, j))
    return sorted(pos), amb  # sorted: dict order above depends on PYTHONHASHSEED


# ------------------------------------------------------------------------------------------
# Thesaurus spinner
# ------------------------------------------------------------------------------------------

_ANNOT_RE = re.compile(r"\s*\([^)]*\)")
_WORDLIKE_RE = re.compile(r"^[^\W\d_][\w' -]*$")


def load_thesaurus(path: Path) -> dict[str, list[str]]:
    """MyThes .dat -> {lower-cased head: [synonyms]} (antonyms and hypernyms dropped)."""
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", errors="replace") as fh:
        fh.readline()  # encoding line
        head = None
        remaining = 0
        syns: list[str] = []
        for line in fh:
            line = line.rstrip("\n")
            if remaining == 0:
                if head is not None and syns:
                    out.setdefault(head, [])
                    out[head].extend(s for s in syns if s not in out[head])
                word, _, n = line.rpartition("|")
                head, remaining, syns = word.lower(), int(n) if n.isdigit() else 0, []
                continue
            remaining -= 1
            for s in line.split("|")[1:]:
                if "antonym" in s or "generic term" in s or "Oberbegriff" in s or "..." in s:
                    continue
                s = _ANNOT_RE.sub("", s).strip()
                if s and s.lower() != head and _WORDLIKE_RE.match(s) and len(s.split()) <= 3:
                    syns.append(s)
        if head is not None and syns:
            out.setdefault(head, []).extend(syns)
    return out


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Function words no thesaurus spinner touches (others, e.g. "such", "near", "more", may be).
_PROTECT = {
    "en": _wordset(
        "the a an of to and in is was for on that it with as by at from be are were has have "
        "had he she they his her their its this not or but which who will would i we you been "
        "there these those than then if so do does did can could may"
    ),
    "de": _wordset(
        "der die das den dem des ein eine einen einem einer eines und ist sind war waren in "
        "im an am auf zu zum zur mit von vom für nicht sich er sie es wir ich ihr sein seine "
        "hat haben hatte wird werden wurde dass als auch bei aus nach"
    ),
}

# Function-word rewrites real spinners apply at high spin rates ("such" -> "these",
# "between" -> "amongst", "including" -> "together with" in the seed pair). Heavy level only.
_FUNC_SUBS = {
    "en": {
        "in": ["within", "inside"],
        "on": ["upon"],
        "and": ["as well as", "plus"],
        "but": ["however", "nevertheless"],
        "with": ["along with", "together with"],
        "for": ["intended for", "pertaining to"],
        "from": ["coming from", "out of"],
        "by": ["through", "via"],
        "was": ["had been", "has been"],
        "were": ["had been"],
        "has": ["possesses", "offers"],
        "have": ["possess", "get"],
        "had": ["experienced"],
        "will": ["is going to", "shall"],
        "would": ["might", "could"],
        "can": ["may"],
        "could": ["might"],
        "that": ["which"],
        "this": ["this particular"],
        "these": ["such", "those"],
        "those": ["these"],
        "they": ["these people"],
        "as": ["because", "since"],
        "if": ["in case", "whenever"],
        "so": ["therefore"],
        "then": ["subsequently"],
        "at": ["in"],
        "their": ["his or her"],
        "not": ["not really"],
        "he": ["this individual"],
        "she": ["this lady"],
        "been": ["recently been"],
        "are": ["happen to be"],
        "is": ["happens to be", "is actually"],
    },
    "de": {
        "und": ["sowie", "plus"],
        "mit": ["zusammen mit"],
        "in": ["innerhalb"],
        "für": ["zugunsten"],
        "nicht": ["keineswegs"],
        "auch": ["ebenfalls"],
        "auf": ["oben auf"],
        "wird": ["soll"],
        "wurde": ["ward"],
        "hat": ["besitzt"],
        "von": ["seitens"],
        "nach": ["gemäß"],
        "aus": ["heraus aus"],
        "bei": ["nahe"],
        "ist": ["sei"],
        "sind": ["seien"],
        "dass": ["damit"],
        "als": ["wie"],
    },
}

_IRREGULAR = {
    "said": "say",
    "came": "come",
    "went": "go",
    "took": "take",
    "made": "make",
    "told": "tell",
    "found": "find",
    "gave": "give",
    "held": "hold",
    "left": "leave",
    "began": "begin",
    "got": "get",
    "saw": "see",
    "knew": "know",
    "thought": "think",
    "brought": "bring",
    "became": "become",
    "met": "meet",
    "won": "win",
    "lost": "lose",
    "paid": "pay",
    "sold": "sell",
    "built": "build",
    "ran": "run",
    "fell": "fall",
    "led": "lead",
    "rose": "rise",
    "struck": "strike",
    "kept": "keep",
    "sent": "send",
    "spent": "spend",
    "wrote": "write",
    "spoke": "speak",
    "chose": "choose",
    "bought": "buy",
    "caught": "catch",
}


def _plural(s: str) -> str:
    head, _, last = s.rpartition(" ")
    if re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}".strip()


def _past(s: str) -> str:
    first, sep, rest = s.partition(" ")
    first = first + "d" if first.endswith("e") else first + "ed"
    return first + sep + rest


def _gerund(s: str) -> str:
    first, sep, rest = s.partition(" ")
    first = (first[:-1] if first.endswith("e") and len(first) > 2 else first) + "ing"
    return first + sep + rest


class Spinner:
    """Word/phrase-level synonym spinner over a MyThes thesaurus (a crude but realistic model
    of content-farm spinning: inflection is re-applied naively, so output reads oddly)."""

    def __init__(self, thes: dict[str, list[str]], language: str) -> None:
        self.thes = thes
        self.lang = language
        self.protect = _PROTECT.get(language, set())

    def _lookup(self, word: str, function_words: bool = False) -> list[str]:
        lw = word.lower()
        if lw in self.protect:
            return _FUNC_SUBS.get(self.lang, {}).get(lw, []) if function_words else []
        if not lw.isalpha():
            return []
        t = self.thes
        if lw in t:
            return t[lw]
        if self.lang == "en":
            if lw in _IRREGULAR and _IRREGULAR[lw] in t:
                return [_past(s) for s in t[_IRREGULAR[lw]]]
            if lw.endswith("ies") and lw[:-3] + "y" in t:
                return [_plural(s) for s in t[lw[:-3] + "y"]]
            if lw.endswith("es") and lw[:-2] in t:
                return [_plural(s) for s in t[lw[:-2]]]
            if lw.endswith("s") and lw[:-1] in t:
                return [_plural(s) for s in t[lw[:-1]]]
            if lw.endswith("ed"):
                for base in (lw[:-1], lw[:-2], lw[:-3]):
                    if base in t:
                        return [_past(s) for s in t[base]]
            if lw.endswith("ing"):
                for base in (lw[:-3], lw[:-3] + "e", lw[:-4]):
                    if base in t:
                        return [_gerund(s) for s in t[base]]
        elif self.lang == "de":
            for suf in ("en", "er", "es", "e", "n", "s"):
                if lw.endswith(suf) and lw[: -len(suf)] in t:
                    return [s + suf if " " not in s else s for s in t[lw[: -len(suf)]]]
        return []

    def spin_words(self, text: str, frac: float, rng: random.Random) -> tuple[str, float]:
        """Replace ~frac of word tokens; returns (text, achieved fraction)."""
        parts = re.split(r"(\w+(?:[-']\w+)*)", text)
        word_idx = [i for i in range(1, len(parts), 2)]
        n_words = len(word_idx)
        if n_words == 0:
            return text, 0.0
        cands = []  # (start part idx, n words, synonyms)
        for k, i in enumerate(word_idx):
            w = parts[i]
            prev = parts[i - 1]
            sent_start = k == 0 or bool(re.search(r"[.!?\n]\s*$", prev))
            if w[:1].isupper() and not sent_start and self.lang != "de" and rng.random() > 0.15:
                continue  # names are rarely swapped ("Green Zone" -> "Eco-friendly Zone")
            if k + 1 < n_words and parts[i + 1] == " ":
                phrase = f"{w} {parts[i + 2]}".lower()
                if phrase in self.thes:
                    cands.append((i, 2, self.thes[phrase]))
            syns = self._lookup(w, function_words=frac >= 0.6)
            if syns:
                cands.append((i, 1, syns))
        rng.shuffle(cands)
        target = round(frac * n_words)
        used: set[int] = set()
        done = 0
        for i, n, syns in cands:
            if done >= target:
                break
            span = {i, i + 2} if n == 2 else {i}
            if span & used:
                continue
            syn = rng.choice(syns)
            orig = parts[i]
            if orig[:1].isupper():
                syn = syn[:1].upper() + syn[1:]
            elif self.lang == "en":
                syn = syn[:1].lower() + syn[1:] if not syn[1:2].isupper() else syn
            parts[i] = syn
            if n == 2:
                parts[i + 1] = ""
                parts[i + 2] = ""
            used |= span
            done += n
        return "".join(parts), done / n_words


_SENT_SPLIT_RE = re.compile(r"(?<=[.!?。！？؟])\s+")

CAPTIONS = {
    "en": ["Photo: Reuters/File", "(Photo by AFP via Getty Images)", "Picture: PA Wire"],
    "de": ["Foto: dpa", "Bild: Reuters/Archiv", "(Foto: AFP)"],
}
CREDITS = ["PA Media", "Reuters", "AFP", "dpa", "(AP)", "Agencies"]


def structural_edit(text: str, rng: random.Random, drop: float, reorder: bool) -> str:
    """Drop ~``drop`` of sentences (not the title) and swap adjacent paragraphs/sentences."""
    paras = [p for p in text.split("\n\n") if p.strip()]
    if not paras:
        return text
    title, body = paras[0], paras[1:]
    new_body = []
    for p in body:
        sents = [s for s in _SENT_SPLIT_RE.split(p) if s.strip()]
        kept = [s for s in sents if rng.random() >= drop] or sents[:1]
        new_body.append(" ".join(kept))
    if reorder and len(new_body) >= 3:
        for _ in range(max(1, len(new_body) // 5)):
            j = rng.randrange(1, len(new_body) - 1)
            new_body[j], new_body[j + 1] = new_body[j + 1], new_body[j]
    elif reorder and len(new_body) >= 1:
        p = new_body[-1]
        sents = [s for s in _SENT_SPLIT_RE.split(p) if s.strip()]
        if len(sents) >= 2:
            sents[-1], sents[-2] = sents[-2], sents[-1]
            new_body[-1] = " ".join(sents)
    return "\n\n".join([title, *new_body])


LEVELS = {"light": (0.25, 0.0, False), "medium": (0.45, 0.12, True), "heavy": (0.65, 0.12, True)}

# ------------------------------------------------------------------------------------------
# Boilerplate
# ------------------------------------------------------------------------------------------


UNDATED_ORIGINAL_SHARE = 0.25  # families whose original has no date line
_TITLE_WORD_RE = re.compile(r"[A-Za-z]{4,}")


def followup_pairs(docs: list[Doc], n: int) -> list[tuple[Doc, Doc]]:
    """Up to ``n`` disjoint pairs of one category whose headlines share >= 40 % of their long
    words and whose texts share < 5 % of their word 5-grams: follow-ups, not copies."""
    by_topic: dict[str | None, list[tuple[Doc, frozenset[str]]]] = {}
    for d in docs:
        title = d.text.split("\n", 1)[0].lower()
        by_topic.setdefault(d.topic, []).append((d, frozenset(_TITLE_WORD_RE.findall(title))))
    found: list[tuple[float, str, str, Doc, Doc]] = []
    for group in by_topic.values():
        for (a, ta), (b, tb) in itertools.combinations(group, 2):
            if len(ta) < 2 or len(tb) < 2:
                continue
            overlap = len(ta & tb) / len(ta | tb)
            if overlap < 0.4:
                continue
            (wa, _), (wb, _) = _word5(a.text), _word5(b.text)
            if wa and wb and len(wa & wb) / len(wa | wb) < 0.05:
                found.append((-overlap, a.key, b.key, a, b))
    out, used = [], set()
    for *_, a, b in sorted(found, key=lambda f: f[:3]):
        if a.key in used or b.key in used:
            continue
        out.append((a, b))
        used |= {a.key, b.key}
        if len(out) >= n:
            break
    return out


def make_boilerplate(headlines: list[str], rng: random.Random, n: int) -> list[str]:
    blocks = []
    for k in range(n):
        links = rng.sample(headlines, 14)
        blocks.append(
            "Sign up for our free daily newsletter to get the latest news, analysis and "
            "opinion delivered straight to your inbox every morning. You can unsubscribe at "
            "any time and we will never share your details with third parties.\n\n"
            "Stories you might like\n\n" + "\n".join(links) + "\n\n"
            f"Follow us on Twitter, Facebook and Instagram. Copyright 20{20 + k} News Group. "
            "All rights reserved. This material may not be published, broadcast, rewritten or "
            "redistributed in any form without prior written permission from the publisher."
        )
    return blocks


# ------------------------------------------------------------------------------------------
# Builder
# ------------------------------------------------------------------------------------------

ML_LANGS = ["fr", "es", "it", "pl", "ru", "tr", "ar", "zh", "pt", "nl", "ko", "hi"]


def _opaque_id(seed: int, key: str) -> str:
    # Opaque ids so the survivor id tie-break cannot leak which copy is the original.
    return "a" + hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=6).hexdigest()


def _shift(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def build(shared: Path = DEFAULT_SHARED, size: int = 3000, seed: int = 7, log=print) -> list[dict]:
    """Build the labelled corpus (deterministic for a given shared dir, size and seed).

    ``size`` is a target: fillers top the corpus up to it; for tiny sizes the fixed minimums
    (seeds, >= 10 spun English groups, >= 2 articles per extra language) may exceed it.
    """
    shared = Path(shared)
    rng = random.Random(seed)
    items: list[dict] = []
    used_keys: set[str] = set()

    def rdate() -> str:
        return _shift("2019-01-01", rng.randrange(0, 900))

    def add(
        doc_key: str,
        text: str,
        lang: str,
        date: str | None,
        group_key: str,
        role: str,
        level: str = "",
        source: str = "",
        topic: str | None = None,
        swap: float = 0.0,
    ) -> str:
        iid = _opaque_id(seed, doc_key)
        items.append(
            {
                "id": iid,
                "text": text,
                "language": lang,
                "published_date": date,
                "group": _opaque_id(seed, group_key),
                "role": role,
                "level": level,
                "source": source,
                "topic": topic,
                "swap_rate": round(swap, 3),
            }
        )
        return iid

    bbc, reuters, ecb = read_bbc(shared), read_reuters(shared), read_ecb(shared)
    pool = bbc + reuters + ecb
    pos, amb = natural_relations(pool)
    log(f"natural: {len(pos)} positive pairs, {len(amb)} docs in ambiguous pairs")
    # Connected components of positive pairs.
    parent = list(range(len(pool)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pos:
        parent[find(i)] = find(j)
    comps: dict[int, list[int]] = defaultdict(list)
    in_pos = {i for p in pos for i in p}
    for i in in_pos:
        comps[find(i)].append(i)
    clean_comps = sorted(sorted(c) for c in comps.values() if not any(i in amb for i in c))
    related = in_pos | amb

    # 1. Seeds: 000 is a spun copy of 001.
    seeds = read_seeds(shared)
    for d in seeds:
        grp = "seed/" + ("001" if d.key.split("/")[-1][:3] in ("000", "001") else d.key)
        role = "spun" if d.key.split("/")[-1].startswith("000") else "seed"
        add(
            d.key,
            d.text,
            "en",
            d.date,
            grp,
            role,
            "light" if role == "spun" else "",
            "seed",
            "seed",
        )

    # 2. ECB+ (hard negatives) by whole topics; natural wire copies inside keep their group.
    ecb_budget = min(len(ecb), int(size * 0.16))
    topics: dict[str, list[int]] = defaultdict(list)
    offset = len(bbc) + len(reuters)
    for k, d in enumerate(ecb):
        topics[d.topic].append(offset + k)
    comp_of = {i: find(i) for i in in_pos}
    ecb_orig_candidates = []
    n_ecb = 0
    for topic in sorted(topics, key=lambda t: int(t.split(":")[1])):
        if n_ecb >= ecb_budget:
            break
        for i in topics[topic]:
            if i in amb:
                continue
            d = pool[i]
            grp = d.key if i not in comp_of else pool[min(comps[comp_of[i]])].key
            role = "wire" if i in comp_of else "hard_negative"
            date = rdate()
            add(d.key, d.text, "en", date, grp, role, source="ecb", topic=d.topic)
            used_keys.add(d.key)
            n_ecb += 1
            if role == "hard_negative" and len(d.text.split()) >= 150:
                ecb_orig_candidates.append((d, len(items) - 1))

    # 3. Natural wire groups from BBC and Reuters.
    wire_budget = int(size * 0.2)
    n_wire = 0
    rng.shuffle(clean_comps)
    clean_comps.sort(key=lambda c: 0 if pool[c[0]].source == "bbc" else 1)  # BBC first
    for comp in clean_comps:
        if any(pool[i].source == "ecb" for i in comp) or n_wire >= wire_budget:
            continue
        if len(comp) > 6:  # giant template families are not what we measure here
            continue
        gkey = pool[comp[0]].key
        for i in comp:
            d = pool[i]
            add(
                d.key, d.text, "en", d.date or rdate(), gkey, "wire", source=d.source, topic=d.topic
            )
            used_keys.add(d.key)
            n_wire += 1

    free_bbc = [d for i, d in enumerate(bbc) if i not in related]
    free_reu = [d for i, d in enumerate(reuters) if (len(bbc) + i) not in related]
    rng.shuffle(free_bbc)
    rng.shuffle(free_reu)

    # 4. English spun groups: originals from BBC, Reuters (long) and ECB+.
    thes_en = load_thesaurus(shared / "lexical" / "th_en_US_v2.dat")
    spin_en = Spinner(thes_en, "en")
    n_orig = max(10, int(size * 0.1))
    long_reu = [d for d in free_reu if len(d.text.split()) >= 150]
    src = []
    src += [(d, None) for d in free_bbc[: n_orig * 4 // 10]]
    src += [(d, None) for d in long_reu[: n_orig * 3 // 10]]
    src += ecb_orig_candidates[: n_orig - len(src)]
    taken = {d.key for d, _ in src}
    free_bbc = [d for d in free_bbc if d.key not in taken]
    free_reu = [d for d in free_reu if d.key not in taken]

    def spin_group(
        d: Doc, lang: str, spinner: Spinner | None, existing: int | None, levels: list[str]
    ) -> None:
        text = d.text
        date = d.date or rdate()
        # In some families the original carries no date line while its copies do: the
        # survivor must then be chosen on originality, not on the copies' known dates.
        undated = rng.random() < UNDATED_ORIGINAL_SHARE
        caps = CAPTIONS.get(lang, ["Foto: AFP", "(AFP)"])
        if rng.random() < 0.3:  # original carries caption + credit that copies drop
            paras = text.split("\n\n")
            text = "\n\n".join([paras[0], rng.choice(caps), *paras[1:], rng.choice(CREDITS)])
        odate = None if undated else date
        if existing is None:
            add(d.key, text, lang, odate, d.key, "original", source=d.source, topic=d.topic)
        else:
            it = items[existing]
            it.update(text=text, role="original", published_date=odate)
        items[-1 if existing is None else existing]["undated_original"] = undated
        used_keys.add(d.key)
        base = d.text  # copies derive from the caption-free body
        for lvl in levels:
            frac, drop, reorder = LEVELS.get(lvl, (0.0, 0.15, True))
            t, swap = spinner.spin_words(base, frac, rng) if spinner else (base, 0.0)
            if drop or reorder:
                t = structural_edit(t, rng, drop, reorder)
            r = rng.random()
            paras = t.split("\n\n")
            if r < 0.25:
                paras.insert(1, rng.choice(caps))
            elif r < 0.5:
                paras.append(rng.choice(CREDITS))
            t = "\n\n".join(paras)
            # Same day in ~40 % of cases: then originality must pick the survivor.
            cdate = _shift(date, rng.choice([0, 0, 1, 2, 3]))
            add(f"{d.key}#{lvl}", t, lang, cdate, d.key, "spun", lvl, d.source, d.topic, swap)

    for d, existing in src:
        spin_group(d, "en", spin_en, existing, ["light", "medium", "heavy"])
    del thes_en

    # 5. German spun groups (pseudo-articles from langid paragraphs) and other languages.
    langid = read_langid(shared)
    thes_de = load_thesaurus(shared / "lexical" / "th_de_DE_v2.dat")
    spin_de = Spinner(thes_de, "de")
    per_lang = max(2, min(25, size // 250))
    for lang in ["de", *ML_LANGS]:
        paras = langid.get(lang, [])
        for k in range(min(per_lang, len(paras) // 4)):
            chunk = paras[4 * k : 4 * k + 4]
            title = _SENT_SPLIT_RE.split(chunk[0])[0][:120]
            d = Doc(
                f"langid/{lang}/{k}",
                "langid",
                "\n\n".join([title, *chunk]),
                language=lang,
                topic=f"langid:{lang}",
            )
            if lang == "de":
                spin_group(d, lang, spin_de, None, ["light", "medium", "heavy"])
            else:
                spin_group(d, lang, None, None, ["edit", "edit2"])
    del thes_de
    for it in items:  # level name normalisation for the structural-only copies
        if it["level"] == "edit2":
            it["level"] = "edit"

    # 6. Boilerplate negatives: distinct articles + one of 3 shared long sidebars.
    headlines = [d.text.split("\n", 1)[0] for d in bbc]
    blocks = make_boilerplate(headlines, rng, 3)
    n_bp = max(12, int(size * 0.02))
    for k, d in enumerate(free_bbc[:n_bp]):
        text = d.text + "\n\n" + blocks[k % 3]
        add(
            d.key,
            text,
            "en",
            rdate(),
            d.key,
            "boilerplate",
            source="bbc",
            topic=f"boilerplate:{k % 3}",
        )
        used_keys.add(d.key)
    free_bbc = free_bbc[n_bp:]

    # 6b. Follow-up stories: BBC articles of one category whose headlines share most of their
    # words (the same story a day later: "Fockers fuel festive film chart" / "Fockers retain
    # film chart crown") but whose texts do not overlap. Distinct articles: hard negatives.
    n_fu = max(6, int(size * 0.01))
    pairs = followup_pairs(free_bbc, n_fu)
    taken_fu = set()
    for k, (a, b) in enumerate(pairs):
        for d in (a, b):
            add(
                d.key, d.text, "en", rdate(), d.key, "followup", source="bbc", topic=f"followup:{k}"
            )
            used_keys.add(d.key)
            taken_fu.add(d.key)
    free_bbc = [d for d in free_bbc if d.key not in taken_fu]

    # 7. Reuters templated reports (distinct by construction of the labelling rule).
    templ = [d for d in free_reu if re.search(r"\bShr\b", d.text) and " vs " in d.text]
    n_t = int(size * 0.03)
    for d in templ[:n_t]:
        add(d.key, d.text, "en", d.date, d.key, "template", source="reuters", topic="template")
        used_keys.add(d.key)
    tk = {d.key for d in templ[:n_t]}
    free_reu = [d for d in free_reu if d.key not in tk]

    # 8. Fillers.
    fill = [*free_bbc, *free_reu]
    for d in fill:
        if len(items) >= size:
            break
        add(d.key, d.text, "en", d.date or rdate(), d.key, "filler", source=d.source, topic=d.topic)
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids)), "id collision"
    return items


def write(items: list[dict], out: Path, txt_dir: Path | None = None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    if txt_dir:
        txt_dir.mkdir(parents=True, exist_ok=True)
        for it in items:
            prefix = f" date {it['published_date']} " if it["published_date"] else ""
            (txt_dir / f"{it['id']}.txt").write_text(prefix + it["text"], encoding="utf-8")


def arrival_days(items: list[dict], days: int, seed: int) -> dict[str, int]:
    """Simulated arrival day per item: each original on a random day, its copies the same day
    or up to 3 days later (capped at the last day), everything else on a random day."""
    rng = random.Random(seed)
    originals = {it["group"]: it["id"] for it in items if it["role"] in ("original", "seed")}
    day = {it["id"]: rng.randrange(days) for it in items if originals.get(it["group"]) == it["id"]}
    for it in items:
        if it["id"] not in day:
            source = originals.get(it["group"])
            if source in day:
                day[it["id"]] = min(days - 1, day[source] + rng.randint(0, 3))
            else:
                day[it["id"]] = rng.randrange(days)
    return day


def dated_by_arrival(
    items: list[dict], day: dict[str, int], start: str = "2024-01-01"
) -> list[dict]:
    """Items re-dated to their arrival day (consecutive days from `start`)."""
    return [{**it, "published_date": _shift(start, day[it["id"]])} for it in items]


def summary(items: list[dict]) -> Iterator[str]:
    from collections import Counter

    yield f"items: {len(items)}"
    yield "roles: " + str(dict(Counter(it["role"] for it in items)))
    yield "languages: " + str(dict(Counter(it["language"] for it in items)))
    by_level: dict[str, list[float]] = defaultdict(list)
    for it in items:
        if it["role"] == "spun" and it["level"] in LEVELS:
            by_level[f"{it['language']}:{it['level']}"].append(it["swap_rate"])
    for k, v in sorted(by_level.items()):
        yield f"swap rate {k}: mean {sum(v) / len(v):.3f} (n={len(v)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--size", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("dedup_corpus.jsonl"))
    ap.add_argument("--txt-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    items = build(args.shared, args.size, args.seed, log=lambda m: print(m, file=sys.stderr))
    write(items, args.out, args.txt_dir)
    for line in summary(items):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
