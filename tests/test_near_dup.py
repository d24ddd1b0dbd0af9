"""Unit tests for pipelines.core.near_dup (repo-only inputs: seeds/ and inline texts)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import itertools
import pickle
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines.core import near_dup as nd
from pipelines.core.near_dup import hashing, lsh, own_text, reference, regions
from pipelines.core.near_dup import skeleton as skeleton
from pipelines.transforms.dedup.features import with_own_text
from tests.helpers import CHROME, SITE_PAGES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}


def sig(text: str, lang: str = "en") -> nd.Signature:
    return nd.signature(text, lang)


# ------------------------------------------------------------------------------------------
# Inline material
# ------------------------------------------------------------------------------------------

ARTICLE_A = """City council approves new tram line after years of debate

The city council voted on Tuesday to approve a new tram line linking the northern suburbs to \
the central station, ending more than a decade of debate over the project.

The line, which will cost an estimated 420 million euros, is expected to carry 60,000 \
passengers a day when it opens in 2029, the mayor's office said in a statement.

Opponents had argued that the money would be better spent on buses and on repairing the \
existing network. A petition against the plan gathered 12,000 signatures last year.

Construction is due to begin next spring. Residents along the route will be offered \
compensation for noise, and several streets will be closed to traffic for up to 18 months.

The transport minister welcomed the decision and said the state would cover a third of the \
cost of the project."""

ARTICLE_B = """Local bakery wins national bread award for the second time

A family-run bakery in the old town has won the national bread award for the second time in \
five years, beating more than 300 entries from across the country.

The judges praised its sourdough rye, which is baked overnight in a wood-fired oven that the \
owner's grandfather built in 1952.

The bakery employs eleven people and sells around 900 loaves on a typical Saturday. Its owner \
said the prize money would go towards training two new apprentices.

Queues formed outside the shop on Sunday morning as news of the award spread. Some customers \
travelled from neighbouring towns to buy a loaf.

The award ceremony will take place in the capital next month, where the winners of the pastry \
and cake categories will also be announced."""

BOILERPLATE = """

Sign up for our free daily newsletter to get the latest news, analysis and opinion delivered \
straight to your inbox every morning. You can unsubscribe at any time and we will never share \
your details with third parties.

Stories you might like

Markets rally as inflation eases for a third month
Storm warning issued for the coast this weekend
Five things we learned from the cup final
Museum reopens after two-year renovation
New smartphone rules come into force in July
Police appeal for witnesses after overnight fire
Teachers vote to accept revised pay offer
Heatwave expected to break records on Friday
How to cut your energy bill this winter
Rail operator apologises for weekend delays
Council tax to rise by four per cent
Scientists discover new species of frog

Follow us on Twitter, Facebook and Instagram. Copyright 2024 News Group. All rights reserved. \
This material may not be published, broadcast, rewritten or redistributed in any form."""

GERMAN = """Stadtrat beschließt neue Straßenbahnlinie

Der Stadtrat hat am Dienstag den Bau einer neuen Straßenbahnlinie in den Norden der Stadt \
beschlossen. Die Strecke soll die nördlichen Vororte mit dem Hauptbahnhof verbinden.

Die Kosten werden auf 420 Millionen Euro geschätzt. Nach Angaben der Stadtverwaltung sollen \
täglich etwa 60.000 Fahrgäste die Linie nutzen, wenn sie im Jahr 2029 in Betrieb geht.

Kritiker hatten gefordert, das Geld lieber in Busse und in die Sanierung des bestehenden \
Netzes zu stecken. Eine Petition gegen das Vorhaben wurde im vergangenen Jahr von 12.000 \
Menschen unterschrieben.

Der Bau soll im kommenden Frühjahr beginnen. Anwohner an der Strecke erhalten eine \
Entschädigung für den Lärm, und mehrere Straßen werden bis zu 18 Monate lang gesperrt.

Der Verkehrsminister begrüßte die Entscheidung und kündigte an, dass das Land ein Drittel der \
Kosten für das Projekt übernehmen werde."""

# Same text with synonym swaps (beschlossen->entschieden, Kosten->Ausgaben, Kritiker->Gegner,
# Lärm->Krach, begrüßte->lobte, ...) and the second sentence dropped.
GERMAN_SPUN = """Stadtrat beschließt neue Tramlinie

Der Gemeinderat hat am Dienstag den Bau einer neuen Straßenbahnlinie in den Norden der Stadt \
entschieden.

Die Ausgaben werden auf 420 Millionen Euro veranschlagt. Nach Angaben der Stadtverwaltung \
sollen täglich rund 60.000 Passagiere die Linie benutzen, wenn sie im Jahr 2029 in Betrieb \
geht.

Gegner hatten verlangt, das Geld lieber in Busse und in die Renovierung des bestehenden \
Netzes zu stecken. Eine Petition gegen das Projekt wurde im vergangenen Jahr von 12.000 \
Menschen unterzeichnet.

Der Bau soll im kommenden Frühling starten. Anwohner an der Strecke erhalten eine \
Entschädigung für den Krach, und mehrere Straßen werden bis zu 18 Monate lang gesperrt.

Der Verkehrsminister lobte die Entscheidung und kündigte an, dass das Land ein Drittel der \
Ausgaben für das Vorhaben übernehmen werde."""

GERMAN_OTHER = """Bäckerei gewinnt zum zweiten Mal den Brotpreis

Eine Familienbäckerei in der Altstadt hat zum zweiten Mal in fünf Jahren den nationalen \
Brotpreis gewonnen. Sie setzte sich gegen mehr als 300 Bewerber aus dem ganzen Land durch.

Die Jury lobte vor allem das Roggenbrot, das über Nacht in einem Holzofen gebacken wird, den \
der Großvater des Inhabers im Jahr 1952 gebaut hat.

Die Bäckerei beschäftigt elf Menschen und verkauft an einem normalen Samstag etwa 900 Brote. \
Das Preisgeld soll in die Ausbildung von zwei neuen Lehrlingen fließen.

Am Sonntagmorgen bildeten sich lange Schlangen vor dem Geschäft. Einige Kunden kamen sogar \
aus den Nachbarorten, um ein Brot zu kaufen."""

# Swedish has no stop-word list in near_dup.lexicon: exercises the short-word anchor fallback.
SWEDISH = """Kommunen bygger ny spårväg till norra förorterna

Kommunfullmäktige beslutade på tisdagen att bygga en ny spårvägslinje från de norra \
förorterna till centralstationen. Beslutet avslutar en debatt som har pågått i mer än tio år.

Linjen beräknas kosta 420 miljoner euro och ska enligt kommunen ta emot 60 000 resenärer om \
dagen när den öppnar år 2029.

Kritiker menade att pengarna hellre borde gå till bussar och till att laga det befintliga \
nätet. En namninsamling mot planen fick 12 000 underskrifter förra året.

Bygget ska börja nästa vår. De som bor längs sträckan får ersättning för buller, och flera \
gator stängs för trafik i upp till 18 månader.

Trafikministern välkomnade beslutet och sade att staten ska betala en tredjedel av kostnaden."""

SWEDISH_COPY = """Kommunen bygger ny spårväg till norra förorterna

Foto: TT

Kommunfullmäktige beslutade på tisdagen att bygga en ny spårvägslinje från de norra \
förorterna till centralstationen. Beslutet avslutar en debatt som har pågått i mer än tio år.

Kritiker menade att pengarna hellre borde gå till bussar och till att laga det befintliga \
nätet. En namninsamling mot planen fick 12 000 underskrifter förra året.

Linjen beräknas kosta 420 miljoner euro och ska enligt kommunen ta emot 60 000 resenärer om \
dagen när den öppnar år 2029.

Trafikministern välkomnade beslutet och sade att staten ska betala en tredjedel av kostnaden.

TT"""

SWEDISH_OTHER = """Bageri vinner nationellt brödpris för andra gången

Ett familjeägt bageri i gamla stan har vunnit det nationella brödpriset för andra gången på \
fem år. Det slog mer än 300 andra bidrag från hela landet.

Juryn berömde särskilt rågbrödet, som bakas över natten i en vedeldad ugn som ägarens \
farfar byggde år 1952.

Bageriet har elva anställda och säljer omkring 900 limpor en vanlig lördag. Prispengarna ska \
användas till att utbilda två nya lärlingar.

På söndagsmorgonen bildades långa köer utanför butiken när nyheten spreds."""


# ------------------------------------------------------------------------------------------
# Seeds
# ------------------------------------------------------------------------------------------


def test_seed_pair_matches() -> None:
    m = nd.verify(sig(SEEDS["000"]), sig(SEEDS["001"]))
    assert m is not None
    assert m.method == "near:skeleton"
    assert 0.0 < m.similarity < 1.0


def test_seed_pair_is_a_candidate() -> None:
    ka = set(nd.candidate_keys(sig(SEEDS["000"])))
    kb = set(nd.candidate_keys(sig(SEEDS["001"])))
    assert ka & kb


@pytest.mark.parametrize(
    "a,b", [p for p in itertools.combinations(sorted(SEEDS), 2) if p != ("000", "001")]
)
def test_same_event_distinct_seeds_do_not_match(a: str, b: str) -> None:
    assert nd.verify(sig(SEEDS[a]), sig(SEEDS[b])) is None


# ------------------------------------------------------------------------------------------
# Exact, determinism, serialisation
# ------------------------------------------------------------------------------------------


def test_exact_duplicate_ignores_whitespace_and_punctuation() -> None:
    reformatted = ARTICLE_A.replace("\n\n", "\n").replace(",", " ,").replace("  ", " ")
    m = nd.verify(sig(ARTICLE_A), sig(reformatted))
    assert m == nd.Match(1.0, "exact")


def test_signature_is_deterministic_and_picklable() -> None:
    s1, s2 = sig(SEEDS["001"]), sig(SEEDS["001"])
    assert s1 == s2
    assert nd.candidate_keys(s1) == nd.candidate_keys(s2)
    s3 = pickle.loads(pickle.dumps(s1))
    assert s3 == s1 and hash(s3) == hash(s1)
    assert s1.shingles.dtype == np.uint32
    assert all(isinstance(k, int) and 0 <= k < 2**63 for k in nd.candidate_keys(s1))


def test_keys_do_not_depend_on_python_hash_seed() -> None:
    code = (
        "import sys; from pipelines.core import near_dup as nd; "
        "print(nd.candidate_keys(nd.signature(sys.stdin.read(), 'en'))[:4])"
    )
    outs = set()
    for seed in ("1", "2"):
        r = subprocess.run(
            [sys.executable, "-c", code],
            input=ARTICLE_A,
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        outs.add(r.stdout)
    assert outs == {str(nd.candidate_keys(sig(ARTICLE_A))[:4]) + "\n"}


def test_verify_is_symmetric() -> None:
    a, b = sig(SEEDS["000"]), sig(SEEDS["001"])
    assert nd.verify(a, b) == nd.verify(b, a)


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        nd.NearDupConfig(bands=0)
    with pytest.raises(ValueError):
        nd.NearDupConfig(min_containment=1.5)
    with pytest.raises(ValueError):
        nd.NearDupConfig(bucket_cap=8, bucket_window=8)
    assert nd.NearDupConfig().num_perm == nd.DEFAULT.bands * nd.DEFAULT.rows


def test_empty_text() -> None:
    s = sig("")
    assert len(s.shingles) == 0
    assert nd.candidate_keys(s) == [s.exact]
    assert nd.verify(s, sig(ARTICLE_A)) is None


# ------------------------------------------------------------------------------------------
# Languages and boilerplate
# ------------------------------------------------------------------------------------------


def test_german_spun_copy_with_dropped_sentence_matches() -> None:
    a, b = nd.signature(GERMAN, "de"), nd.signature(GERMAN_SPUN, "de")
    assert a.mode == "skeleton"
    assert nd.verify(a, b) is not None
    assert set(nd.candidate_keys(a)) & set(nd.candidate_keys(b))
    assert nd.verify(a, nd.signature(GERMAN_OTHER, "de")) is None


def test_language_without_stopword_list_still_works() -> None:
    a, b = nd.signature(SWEDISH, "sv"), nd.signature(SWEDISH_COPY, "sv")
    assert a.mode == "anchor"
    assert len(a.shingles) > 20
    assert nd.verify(a, b) is not None
    assert nd.verify(a, nd.signature(SWEDISH_OTHER, "sv")) is None


def test_unsegmented_script_uses_characters() -> None:
    zh = "北京市政府周二宣布，将在城市北部修建一条新的有轨电车线路。预计总投资四百二十亿元。" * 3
    zh_other = (
        "一家面包店第二次获得全国面包大奖，评委称赞其黑麦面包口感独特，每周六售出九百个。" * 3
    )
    a = nd.signature(zh, "zh")
    assert a.mode == "char"
    # Unknown language code: detected as unsegmented from implausibly long "words".
    assert nd.signature(zh, "xx").mode == "char"
    assert nd.verify(a, nd.signature(zh + "新华社", "zh")) is not None
    assert nd.verify(a, nd.signature(zh_other, "zh")) is None


def test_shared_boilerplate_does_not_merge_distinct_articles() -> None:
    a, b = sig(ARTICLE_A + BOILERPLATE), sig(ARTICLE_B + BOILERPLATE)
    assert nd.verify(a, b) is None
    # ... while the same article with and without the boilerplate is still a duplicate.
    assert nd.verify(a, sig(ARTICLE_A)) is not None


def test_shared_entities_alone_do_not_match() -> None:
    # Same names and numbers, different sentences (the seeds 002-004 situation, condensed).
    other = """Tram plan approved

Mayor's office: 420 million euros, 60,000 passengers, opening 2029. Petition: 12,000
signatures. Closures: 18 months. State share: one third. Vote held Tuesday at the city hall,
where protesters gathered with banners and the minister spoke to reporters about buses."""
    assert nd.verify(sig(ARTICLE_A), sig(other)) is None


# ------------------------------------------------------------------------------------------
# Candidate buckets, clustering, survivors
# ------------------------------------------------------------------------------------------


def test_bucket_cap_limits_pairs() -> None:
    cfg = nd.NearDupConfig(bucket_cap=10, bucket_window=3)
    small = nd.bucket_pairs(range(10), cfg)
    assert len(small) == 45  # exhaustive up to the cap
    big = nd.bucket_pairs(range(1000), cfg)
    assert len(big) == 3 * 1000 - 6  # linear: each member pairs with its next 3
    assert all(a < b for a, b in big)
    assert nd.bucket_pairs(reversed(range(1000)), cfg) == big  # order independent
    # All members still connect through the windows.
    assert len(set(nd.cluster(range(1000), big).values())) == 1


def test_candidate_pairs_groups_by_key() -> None:
    pairs = nd.candidate_pairs([("a", [1, 2]), ("b", [2]), ("c", [3]), ("d", [3, 1])])
    assert pairs == {("a", "b"), ("a", "d"), ("c", "d")}


def test_cluster_is_deterministic_regardless_of_order() -> None:
    ids = ["e", "b", "d", "a", "c", "f"]
    pairs = [("b", "e"), ("d", "b"), ("c", "a")]
    expected = {"a": "a", "c": "a", "b": "b", "d": "b", "e": "b", "f": "f"}
    rng = random.Random(0)
    for _ in range(20):
        rng.shuffle(ids)
        ps = [tuple(rng.sample(p, 2)) for p in rng.sample(pairs, len(pairs))]
        assert nd.cluster(ids, ps) == expected


def test_split_chains_detaches_member_not_matching_survivor() -> None:
    sigs = {k: sig(v) for k, v in SEEDS.items()}
    members = {k: nd.Member(k, "2020-03-18") for k in sigs}
    raw = nd.cluster(["000", "001", "002"], [("000", "001"), ("001", "002")])  # bogus link
    assert set(raw.values()) == {"000"}
    out = nd.split_chains(raw, sigs, members)
    assert out["000"] == out["001"] != out["002"]


def test_choose_survivor_rules() -> None:
    m = nd.Member
    early = m("z", dt.date(2020, 1, 1), originality=-5.0)
    late = m("a", dt.date(2020, 1, 2), originality=9.0)
    undated = m("0", None, originality=99.0)
    assert nd.choose_survivor([late, early]) == early  # between dated members the earliest wins
    # An unknown date decides nothing: the undated member meets the best dated one on
    # originality (a spun copy that gained a date line must not beat its undated original).
    assert nd.choose_survivor([late, undated, early]) == undated
    assert nd.choose_survivor([undated, late]) == undated
    plain = m("1", None, originality=-9.0)
    assert nd.choose_survivor([plain, early]) == early
    assert nd.choose_survivor([plain, late, early]) == early
    stored = m("y", None, originality=-99.0, stored=True)
    assert nd.choose_survivor([undated, stored, early]) == stored  # published ones stay
    # ... unless the lake supersedes them: then the same rule as for new members.
    assert nd.choose_survivor([undated, stored, early], prefer_stored=False) == undated
    assert nd.choose_survivor([stored, plain], prefer_stored=False) == plain
    same_day = [m("b", "2020-01-01", 1.0), m("a", "2020-01-01", 2.0)]
    assert nd.choose_survivor(same_day).article_id == "a"  # then originality
    tie = [m("c", "2020-01-01", 1.0), m("b", "2020-01-01", 1.0), m("d", "2020-01-01", 1.0)]
    for perm in itertools.permutations(tie):
        assert nd.choose_survivor(perm).article_id == "b"  # then smallest id
    # Equal originality between the best dated and the best undated member: exact copies
    # keep the dated one, edited texts of the same words (sentences swapped) the undated one.
    dated, bare = m("a", "2020-01-01", 1.0, exact=7), m("b", None, 1.0, exact=7)
    assert nd.choose_survivor([bare, dated]) == dated
    assert nd.choose_survivor([bare, dataclasses.replace(dated, exact=8)]).article_id == "b"
    assert nd.choose_survivor([dataclasses.replace(bare, exact=None), dated]).article_id == "b"
    with pytest.raises(ValueError):
        nd.choose_survivor([])


def test_originality_prefers_the_source_of_the_seed_spin() -> None:
    # Mean log frequency of the distinct words in wordfreq's English table, plus
    # 4 * log(1 + sentences): the spun copy 000 swapped in rarer words ("At minimum a few
    # rockets") and dropped the caption.
    assert nd.originality(SEEDS["001"], "en") == pytest.approx(2.0746107, abs=1e-6)
    assert nd.originality(SEEDS["000"], "en") == pytest.approx(1.9945665, abs=1e-6)
    members = [nd.Member(k, "2020-03-18", nd.originality(SEEDS[k], "en")) for k in ("000", "001")]
    assert nd.choose_survivor(members).article_id == "001"


def test_originality_is_a_function_of_the_article_alone() -> None:
    text = SEEDS["001"]
    alone = nd.originality(text, "en")
    # The same score from the profile the job shares with the signature, and whatever else
    # was scored before (no batch state).
    _, profile = nd.features(text, "en")
    assert nd.originality(text, "en", profile) == alone
    for other in SEEDS.values():
        nd.originality(other, "en")
    assert nd.originality(text, "en-GB") == alone
    # No words: below every article with words.
    assert nd.originality("", "en") == nd.originality("12 34.", "en") == -100.0


def test_originality_without_a_reference_table() -> None:
    # Swedish has a wordfreq table; "th" has only langdetect's character trigrams (here
    # applied to Swedish text, as the fallback would); "xx" has neither: minus the mean word
    # length. The copy dropped a paragraph and added a caption and a credit: it scores lower
    # each way.
    assert nd.originality(SWEDISH, "sv") == pytest.approx(-0.0467739, abs=1e-6)
    assert nd.originality(SWEDISH_COPY, "sv") == pytest.approx(-1.0542161, abs=1e-6)
    assert nd.originality(SWEDISH, "th") == pytest.approx(-6.9666489, abs=1e-6)
    assert nd.originality(SWEDISH, "xx") == pytest.approx(3.5145620, abs=1e-6)
    assert nd.originality(SWEDISH_COPY, "xx") == pytest.approx(2.3923362, abs=1e-6)


def test_warm_up_builds_what_originality_reads() -> None:
    # The package's `originality` is the function; the module is needed here.
    orig = importlib.import_module("pipelines.core.near_dup.originality")
    reference.table.cache_clear()
    orig._char_profile.cache_clear()
    orig.warm_up(["sv-SE", "th", "xx"])
    assert reference.table.cache_info().currsize == 3  # sv, th, xx looked up once each
    assert orig._char_profile.cache_info().currsize == 2  # th and xx have no table
    built = reference.table.cache_info().misses
    assert nd.originality(SWEDISH, "sv") == pytest.approx(-0.0467739, abs=1e-6)
    assert nd.originality(SWEDISH, "th") == pytest.approx(-6.9666489, abs=1e-6)
    assert reference.table.cache_info().misses == built  # nothing built again


@pytest.mark.parametrize(
    ("word", "language", "log_freq"),
    [
        ("straße", "de", -8.5886424),  # wordfreq case-folds it to "strasse"
        ("strasse", "de", -8.5886424),
        ("της", "el", -4.1445384),  # final sigma: "τησ" in wordfreq
        ("the", "en", -2.9242831),
        ("xyzzyplugh", "en", -14.4856319),  # unknown: half the rarest entry (1e-6)
    ],
)
def test_reference_table_finds_words_as_the_text_spells_them(word, language, log_freq) -> None:
    table = reference.table(language)
    assert table.lookup(nd.word_profile(word, language).ids).tolist() == [
        pytest.approx(log_freq, abs=1e-6)
    ]


def test_originality_of_chinese_by_character() -> None:
    # Han runs are looked up per character (a run is a whole clause, which no table holds):
    # the rewording with rarer characters and the copy that dropped a sentence score lower.
    source = "北京今天下雨。明天晴！"
    assert nd.word_profile(source, "zh").ids.size == 8  # 北 京 今 天 下 雨 明 晴
    assert nd.originality(source, "zh") == pytest.approx(-2.8466670, abs=1e-6)
    assert nd.originality("北京今日降雨。明日晴朗！", "zh") == pytest.approx(-3.2860167, abs=1e-6)
    assert nd.originality("北京今天下雨。", "zh") == pytest.approx(-3.9650919, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "language", "sentences"),
    [
        ("भारत ने मैच जीता। टीम खुश है। कप्तान ने कहा॥ अगला मैच कल है.", "hi", 4),
        ("یہ پہلا جملہ ہے۔ یہ دوسرا ہے؟", "ur", 2),
        ("北京今天下雨。明天晴！", "zh", 2),
        ("One. Two? Three!", "en", 3),
    ],
)
def test_word_profile_counts_sentence_ends_of_each_script(text, language, sentences) -> None:
    # A Hindi copy that dropped a "।" sentence must count as less complete than its source.
    assert nd.word_profile(text, language).sentences == sentences


# ------------------------------------------------------------------------------------------
# Fast paths must equal the straightforward formulations they replaced
# ------------------------------------------------------------------------------------------


def test_is_digit_cp_matches_range_comparisons():
    cp = np.arange(0x10000, dtype=np.uint64)
    ref = (
        ((cp >= 0x30) & (cp <= 0x39))
        | ((cp >= 0x660) & (cp <= 0x669))
        | ((cp >= 0x6F0) & (cp <= 0x6F9))
        | ((cp >= 0x966) & (cp <= 0x96F))
        | ((cp >= 0xFF10) & (cp <= 0xFF19))
    )
    assert np.array_equal(hashing.is_digit_cp(cp), ref)


@pytest.mark.parametrize("view", ["tier1", "stopwords"])
@pytest.mark.parametrize("lang", ["en", "de", "xx"])
def test_classify_matches_isin(view, lang):
    words = skeleton._WORD_RE.findall(
        (ARTICLE_A + ' "Quoted", (x): y; z? the of to der und').lower()
    )
    h = hashing.hash_codepoints(hashing.codepoints(words))
    classes = skeleton._classify(h, view, lang)
    stop = (skeleton._TIER1_HASHES if view == "tier1" else skeleton._STOP_HASHES).get(lang)
    assert np.array_equal(classes & 1 > 0, np.isin(h, skeleton._BOUNDARY_HASHES))
    assert np.array_equal(classes & 2 > 0, np.isin(h, skeleton._PUNCT_HASHES))
    expected = np.isin(h, stop) if stop is not None else np.zeros(len(h), dtype=bool)
    assert np.array_equal(classes & 4 > 0, expected)


@pytest.mark.parametrize(
    "text",
    ["", "_ _ a", "Plain words, (and) punctuation: here.", "x" * 40 + " _y_ " + "z" * 30, "中文。"],
)
def test_mostly_long_words_matches_token_average(text):
    words = skeleton._WORD_RE.findall(text)
    lens = [len(w) for w in words if len(w) > 1 or w.isalnum()]
    expected = bool(lens) and sum(lens) / len(lens) > 12
    assert skeleton._mostly_long_words(words, text, sum(map(len, words))) == expected


@pytest.mark.parametrize(
    ("text", "lang", "title"),
    [
        (ARTICLE_A, "en", None),
        (ARTICLE_A + BOILERPLATE, "en", "Tram line approved"),  # boilerplate stripped
        (GERMAN, "de", "Straßenbahn: 2029"),
        (SWEDISH, "sv", None),
        ("İSTANBUL'da covid19 vakaları 2.000'i aştı; x_y ve ² işaretleri.", "tr", None),
        ("北京时间2020年3月18日，新华社报道。", "zh", "新闻"),
        ("東京は今日、雨が降りました。明日は晴れです。", "ja", None),
        ("", "en", None),
        *[(text, "en", None) for text in SEEDS.values()],
    ],
)
def test_features_equal_signature_and_word_profile(text: str, lang: str, title) -> None:
    assert nd.features(text, lang, title=title) == (
        nd.signature(text, lang, title=title),
        nd.word_profile(text, lang),
    )


def _sig_with(positions: list[int], exact: int) -> nd.Signature:
    n = len(positions)
    return nd.Signature(
        exact, np.arange(n, dtype=np.uint32), np.array(positions, dtype=np.uint8), "skeleton", n
    )


def test_order_check_rejects_shared_shingles_in_random_order() -> None:
    # Two "articles" sharing all 64 shingles, spread over both (coverage passes): in the same
    # order they are copies; scattered at random, as chance overlap of two long texts is, not.
    forward = list(range(0, 256, 4))
    shuffled = forward.copy()
    random.Random(3).shuffle(shuffled)
    assert verify_order(forward, forward) == 1.0
    assert nd.verify(_sig_with(forward, 1), _sig_with(forward, 2)) == nd.Match(1.0, "near:skeleton")
    assert round(verify_order(forward, shuffled), 4) == 0.5397  # 34 of 63 steps
    assert nd.verify(_sig_with(forward, 1), _sig_with(shuffled, 2)) is None
    assert nd.verify(_sig_with(shuffled, 2), _sig_with(forward, 1)) is None  # symmetric


def verify_order(a: list[int], b: list[int]) -> float:
    from pipelines.core.near_dup.verify import _order

    return _order(np.array(a, dtype=np.uint8), np.array(b, dtype=np.uint8))


def test_order_counts_only_steps_that_move() -> None:
    assert verify_order([0, 1, 2, 3], [9, 9, 9, 9]) == 1.0  # nothing moves: no evidence against
    assert verify_order([0, 1, 2, 3], [3, 2, 1, 0]) == 0.0
    assert verify_order([0, 1, 2, 3, 4], [0, 1, 1, 0, 5]) == 2 / 3


# A site's "recent comments" sidebar: headline / comment pairs, far longer than two short
# articles of the site. On the web corpus this sank two distinct pages of one site together.
SIDEBAR = "\n\n".join(
    f"{headline}\n\n{comment}"
    for headline, comment in [
        ("That Time When the Star Was the Daily Planet", "A great loss among many in this city."),
        ("Should Toronto Outlaw Panhandling", "Let's round them up, like they did elsewhere."),
        ("Eight Projects in Search of Crowdfunding", "The owners could always work and save."),
        ("What Danforth Avenue Used to Look Like", "Thanks for the correction on the photo."),
        ("Morning Brew: Ford Faces Libel Trial", "Obviously we're a kid-free household here."),
        ("The Death Knell Rings for the Bike Lanes", "The solution is a monorail, of course!"),
        ("Babe Rainbow Makes Toronto Uncomfortable", "At least he doesn't have plugs, though."),
        ("The Best Florists in Toronto", "The flower room on Annette street is small but good."),
        ("Why Don't Riders Give Up Their Seats?", "I take the subway twice every day, always."),
        ("The Beguiling Celebrates 25 Years", "Yes it was raining, but why no umbrella then?"),
    ]
    * 3
)


def _short(article: str) -> str:
    """The title and first two paragraphs of an article: a short post."""
    return "\n\n".join(article.split("\n\n")[:3])


def test_main_block_is_the_longest_prose_run() -> None:
    page = f"{_short(ARTICLE_A)}\n\n{SIDEBAR}"
    title, prose = ARTICLE_A.split("\n\n")[0], "\n\n".join(ARTICLE_A.split("\n\n")[1:3])
    start, end = regions.main_block(page)
    assert page[start:end] == prose and start == len(title) + 2
    assert (sig(page).main_start, sig(page).main_end) == (1, 34)
    # Text without a prose paragraph (a list, a table), or all prose, has none.
    assert regions.main_block("One\n\nTwo\n\nThree\n\nFour") is None
    assert regions.main_block(prose) is None
    assert (sig(prose).main_start, sig(prose).main_end) == (0, 256)


def test_shared_chrome_that_outweighs_two_short_articles_does_not_merge_them() -> None:
    a, b = sig(f"{_short(ARTICLE_A)}\n\n{SIDEBAR}"), sig(f"{_short(ARTICLE_B)}\n\n{SIDEBAR}")
    # Containment, coverage and order all pass on the sidebar alone ...
    assert nd.verify(a, b, nd.NearDupConfig(min_main_containment=0.0)) == nd.Match(
        0.819444, "near:skeleton"
    )
    # ... but neither article's main block is shared.
    assert nd.verify(a, b) is None
    # The same article under two different sidebars, or without one, is still one article.
    a = sig(f"{ARTICLE_A}\n\n{SIDEBAR}")
    assert nd.verify(a, sig(f"{ARTICLE_A}\n\n{BOILERPLATE}")) == nd.Match(0.843137, "near:skeleton")
    assert nd.verify(a, sig(ARTICLE_A)) == nd.Match(1.0, "near:skeleton")


def _paragraphs(seed: str) -> list[str]:
    """A seed's paragraphs of 10+ words, one per line, without digits (no number test)."""
    blocks = SEEDS[seed].split("\n\n")
    return [
        "".join(c for c in b.replace("\n", " ") if not c.isdigit())
        for b in blocks
        if len(b.split()) >= 10
    ]


def test_a_clean_text_inside_its_scraped_page_matches_whatever_else_the_page_carries() -> None:
    # The page carries a comment thread several times the article's length: the article's
    # shingles fill one chunk of eight of the page (coverage of the larger text 0.125 < 0.35).
    clean = _short(ARTICLE_A)
    page = f"{clean}\n\n" + "\n\n".join(_paragraphs("004") + _paragraphs("003"))
    assert nd.verify(sig(clean), sig(page)) == nd.Match(1.0, "near:skeleton")
    assert nd.verify(sig(clean), sig(page), nd.NearDupConfig(full_containment=1.0)) is None
    # A text of which the page holds three quarters (17 of 22 shingles) is inside it (the
    # page's cleaning took a line, or the clean text was edited) ...
    edited = clean.replace("to the central", "to a central", 1)
    assert nd.verify(sig(edited), sig(page)) == nd.Match(0.772727, "near:skeleton")
    # ... one of which it holds two thirds (15 of 22) is not.
    edited = edited.replace("the northern", "a northern", 1)
    assert nd.verify(sig(edited), sig(page)) is None


def test_a_clean_text_inside_a_long_page_meets_it_by_its_long_lines() -> None:
    # The page is 19 times the clean text (422 shingles against 22): no MinHash band of the
    # two agrees, so only the keys of the three long lines they share make them a pair.
    clean = _short(ARTICLE_A)
    page = f"{clean}\n\n" + "\n\n".join(
        _paragraphs("004") + _paragraphs("003") + _paragraphs("002")
    )
    small, large = sig(clean), sig(page)
    assert (len(small.shingles), len(large.shingles)) == (22, 422)
    line_keys = set(lsh._line_keys(small).tolist())
    assert len(line_keys) == 3
    shared = set(nd.candidate_keys(small)) & set(nd.candidate_keys(large))
    assert shared == line_keys
    assert nd.verify(small, large) == nd.Match(1.0, "near:skeleton")
    # A line an article repeats is one key: an article is in each bucket once.
    twice = sig(f"{clean}\n\n{clean.split(chr(10) * 2)[1]}")
    assert len(lsh._line_keys(twice)) == 3


def test_two_pages_that_open_with_different_articles_and_share_a_later_block_do_not_merge() -> None:
    # Two pages of one site: each opens with an article of its own (seeds 002 and 003), then
    # both carry the same long block (a sponsor column: here seed 004's paragraphs).
    column = _paragraphs("004")
    a = sig("\n".join(_paragraphs("002")[:5] + column))
    b = sig("\n".join(_paragraphs("003")[:5] + column))
    # The column outweighs both openings: every other test passes ...
    assert nd.verify(a, b, nd.NearDupConfig(opening_min_words=0)) == nd.Match(
        0.735099, "near:skeleton"
    )
    # ... but each page has 126 and 169 words of its own before the first line they share.
    first = len(_paragraphs("002")[:5])
    assert (a.openings.words_before[first], b.openings.words_before[first]) == (126, 169)
    assert nd.verify(a, b) is None
    assert nd.verify(b, a) is None
    # Shorter openings than opening_min_words: no evidence either way.
    assert nd.verify(a, b, nd.NearDupConfig(opening_min_words=170)) == nd.Match(
        0.735099, "near:skeleton"
    )


def test_a_story_that_opens_two_pages_is_one_article_whatever_follows_it() -> None:
    # A syndicated story under two different comment threads: the pages open with the shared
    # story, so the test does not apply.
    story = _paragraphs("004")
    a = sig("\n".join(story + _paragraphs("002")[:5]))
    b = sig("\n".join(story + _paragraphs("003")[:5]))
    assert nd.verify(a, b) == nd.Match(0.755102, "near:skeleton")
    # A copy whose rewritten first paragraph is under opening_min_words words still matches
    # its source (seed 000 is a spun copy of 001).
    assert nd.verify(sig(SEEDS["000"]), sig(SEEDS["001"])) is not None


def test_openings_locate_long_lines_in_the_shingle_sequence() -> None:
    text = "\n".join(_paragraphs("002")[:3])
    openings = sig(text).openings
    words = [len(p.split()) for p in _paragraphs("002")[:3]]
    assert openings.words_before.tolist() == [0, words[0], words[0] + words[1]]
    assert openings.starts[0] == 0 and list(openings.starts) == sorted(openings.starts)
    # A line hashes alike wherever it sits, and whatever its case and spacing.
    moved = sig(f"{_paragraphs('003')[0]}\n{text.upper().replace(' ', '  ')}").openings
    assert moved.hashes[1:].tolist() == openings.hashes.tolist()
    assert len(set(moved.hashes.tolist())) == 4
    # Index signatures carry no openings: such a pair is judged without the test.
    column = _paragraphs("004")
    a = sig("\n".join(_paragraphs("002")[:5] + column))
    b = dataclasses.replace(sig("\n".join(_paragraphs("003")[:5] + column)), openings=None)
    assert nd.verify(a, b) == nd.Match(0.735099, "near:skeleton")
    # Too short to shingle on the skeleton alone ("+full"): none.
    assert sig("A short note of ten words that says very little here.").openings is None


FIGURES = """Fockers fuel festive film chart

Comedy Meet The Fockers topped the festive box office in North America, setting a new record \
for Christmas Day. The sequel took $44.7m between 24 and 26 December, according to studio \
estimates. It took $19.1m on Christmas Day alone, the highest takings on that day in box office \
history. Despite the success of the film, takings were down 26.5% on the figures of 2003, which \
was blamed on Christmas falling over a weekend this year. The top 12 films took an estimated \
$121.9m, compared with $165.8m last year."""


def test_a_follow_up_with_new_figures_is_not_a_copy() -> None:
    # The same sentences a week later, with this week's figures (BBC's "Fockers retain film
    # chart crown" reuses its predecessor's background sentences the same way).
    later = (
        FIGURES.replace("$44.7m", "$42.8m")
        .replace("24 and 26", "31 and 2")
        .replace("$19.1m", "$18.2m")
        .replace("$121.9m", "$125.4m")
        .replace("$165.8m", "$120.2m")
    )
    a, b = sig(FIGURES), sig(later)
    assert (len(a.numbers), len(b.numbers)) == (9, 9)
    assert nd.verify(a, b, nd.NearDupConfig(min_numbers=100)) == nd.Match(0.621622, "near:skeleton")
    assert nd.verify(a, b) is None  # 3 of 9 figures kept: < 0.4
    # A spun copy keeps every figure.
    spun = FIGURES.replace("topped", "led").replace("highest takings", "biggest earnings")
    assert nd.verify(a, sig(spun)) == nd.Match(1.0, "near:skeleton")


# ------------------------------------------------------------------------------------------
# Own text: site chrome many distinct pages carry is no evidence of a copy
# ------------------------------------------------------------------------------------------


class _Page:
    def __init__(self, title: str, body: str, language: str = "en") -> None:
        self.title, self.body, self.language = title, body, language


def _site_pages() -> dict[str, _Page]:
    return {k: _Page(t, f"{own}\n{CHROME}") for k, (t, own) in SITE_PAGES.items()}


def _compared(pages: dict[str, _Page]) -> dict[str, nd.Signature]:
    """Signatures with own text, as DropDuplicates compares them within one batch."""
    common = own_text.common_lines(own_text.line_sketch(p.body) for p in pages.values())
    return {
        k: with_own_text(
            nd.signature(p.body, p.language, nd.DEFAULT, p.title), p, common, nd.DEFAULT
        )
        for k, p in pages.items()
    }


def test_pages_sharing_only_site_chrome_do_not_match() -> None:
    pages = _site_pages()
    plain = {k: nd.signature(p.body, "en", nd.DEFAULT, p.title) for k, p in pages.items()}
    # The bug this guards against: the comment rules outweigh two short articles.
    assert nd.verify(plain["a"], plain["b"]) == nd.Match(0.529412, "near:skeleton")
    assert nd.verify(plain["b"], plain["c"]) == nd.Match(0.4, "near:skeleton")
    common = own_text.common_lines(own_text.line_sketch(p.body) for p in pages.values())
    assert len(common) == 2  # the two chrome lines, held by five pages with text of their own
    compared = _compared(pages)
    assert compared["a"].own.partial and compared["a"].own.words == 31
    assert all(
        nd.verify(compared[x], compared[y]) is None for x, y in itertools.combinations(pages, 2)
    )


def test_a_page_left_with_a_scrap_of_its_own_does_not_match_an_article_through_chrome() -> None:
    # A page whose cleaning kept only a fragment of its article (under VETO_MIN_WORDS) and
    # the site's name line: what it shares with another page is the chrome.
    pages = _site_pages()
    pages["scrap"] = _Page("Hard hits", f". The analyst discusses the hit.\nSite Blog\n{CHROME}")
    pages["b"] = _Page(pages["b"].title, f"{SITE_PAGES['b'][1]}\nSite Blog\n{CHROME}")
    plain = nd.signature(pages["scrap"].body, "en", nd.DEFAULT, "Hard hits")
    compared = _compared(pages)
    assert nd.verify(plain, compared["b"]) == nd.Match(0.833333, "near:skeleton")
    assert (compared["scrap"].own.words, compared["b"].own.words) == (7, 32)
    assert compared["scrap"].own.line_words.tolist() == [2, 5]  # "Site Blog", the scrap
    # 2 of its 7 own words are a line "b" also has: not the same lines, so it is judged.
    assert nd.verify(compared["scrap"], compared["b"]) is None
    assert nd.verify(compared["b"], compared["scrap"]) is None


def test_a_spun_copy_of_a_page_still_matches_it() -> None:
    pages = _site_pages()
    pages["b_spun"] = _Page(
        SITE_PAGES["b"][0],
        "The linebacker stopped by the studio on Wednesday morning to talk about the coming "
        "match with the Colts and the team's start to the season, which he called shameful.\n"
        + CHROME,
    )
    compared = _compared(pages)
    assert nd.verify(compared["b"], compared["b_spun"]) == nd.Match(1.0, "near:skeleton")
    assert nd.verify(compared["a"], compared["b_spun"]) is None


def test_a_syndicated_story_is_no_chrome() -> None:
    # Printed by five sites, each adding its own footer line: no copy has text of its own,
    # so the story's lines are not common and the copies still match.
    story = "\n".join(SEEDS["001"].split("\n")[1:])
    pages = {
        f"site{i}": _Page("Rockets hit Baghdad base", f"{story}\nRead more at site number {i}.")
        for i in range(5)
    }
    assert own_text.common_lines(own_text.line_sketch(p.body) for p in pages.values()).size == 0
    compared = _compared(pages)
    assert not compared["site0"].own.partial
    assert nd.verify(compared["site0"], compared["site4"]).method == "near:skeleton"


def test_curly_and_straight_quotes_give_one_skeleton() -> None:
    straight = SEEDS["003"].replace("“", '"').replace("”", '"')
    curly = straight.replace(' "', " “").replace('" ', "” ")
    assert curly != straight
    a, b = nd.signature(straight, "en"), nd.signature(curly, "en")
    assert np.array_equal(a.shingles, b.shingles)
    assert nd.verify(a, b) == nd.Match(1.0, "exact")


# A short post as a scraper saves it: the page title, the headline, the date and a comment
# count (short lines without final punctuation), then the post, whose first sentence the
# scraper split at a link (dragnet-R436 of the web corpus has this shape).
_POST_PAGE = """Rain Barrel Planters - Garden Notes

Rain Barrel Planters

March 3, 2013 · 8:15 AM

0

From Ruth's Allotment Diary in 09, how to cut an old rain barrel into
two planters and a seat

The uglier the barrel the better, like one that still says what it held. I have grown beans \
in these and they work.

This page contains a single entry by Ruth published on March 3, 2013 8:15 AM. Find recent \
content on the main index or look in the archives to find all content."""
_POST_CLEAN = """From Ruth's Allotment Diary in 09, how to cut an old rain barrel into two \
planters and a seat.

The uglier the barrel the better, like one that still says what it held. I have grown beans \
in these and they work."""


def test_a_page_keeps_its_opening_run_for_dedup_a_later_list_is_stripped() -> None:
    # The run that opens the page is its header and the post's first lines, not a link list:
    # kept, so the page meets its clean text (stripped, the post's opening went with it).
    assert regions.strip_lists(_POST_PAGE, nd.DEFAULT) == _POST_PAGE
    clean = sig(f"Rain Barrel Planters\n\n{_POST_CLEAN}")
    assert nd.verify(sig(_POST_PAGE), clean) == nd.Match(0.818182, "near:skeleton")
    # The same run after a text is a list ("more stories", tags): stripped, up to the
    # lower-case continuation line, which no list item is.
    text = "A reader wrote to me from the coast last week, and this is the line she sent."
    assert regions.strip_lists(f"{text}\n\n{_POST_PAGE}", nd.DEFAULT) == (
        text + "\n" * 6 + _POST_PAGE.split(" into\n")[1]
    )
