"""Accuracy and speed of pipelines.core.language against langdetect's defaults, on one test set.

    python benchmarks/langid_accuracy.py [--testset ../shared/corpora/langid/testset.jsonl]
        [--prefix-chars N] [--evidence-ngrams N] [--min-confidence P] [--min-letters N]
        [--weakest K] [--no-baseline] [--reuters ../shared/corpora/reuters21578]
        [--no-confusion] [--speed-rounds N]

The test set is JSONL ``{"id", "lang", "kind", "text"}``: 30 languages x 100 texts of each kind,
``paragraph`` (several sentences), ``short`` (one sentence; also accepted under the name
``sentence``) and ``pair`` (two words). Options not given keep `LanguageConfig`'s defaults.
Built from it: ``long`` (10 paragraphs of one language joined) and ``mixed`` (the paragraphs of
10 non-Latin languages with 6 English names, tickers and terms spliced into their first 150
characters, as business news carries them). From the Reuters corpus: ``table``, the earnings
tables (title + body with "Shr" and "vs"), where en and ``und`` are right and anything else is
wrong, and the other Reuters articles as a control; both also tagged by main's language.py.

Printed, per kind and side by side for both taggers in the same run: accuracy, ``und`` rate,
wrong rate, texts/s and ms per 1,000 characters (single thread, profile loading excluded), their
ratio, the weakest languages, per-language confusion, CPU time per text of this language.py
beside main's (``git show``: its ``core/language`` module or package, interleaved), and whether the
targets are met (paragraphs >= 99.8 %, one-sentence texts >= 96 %, mixed >= 99 %, tables never a
wrong language; pairs and long texts have none). ``und`` counts as a wrong answer in accuracy.

"langdetect defaults" is what a plain user gets: ``langdetect.detect_langs(text)`` on the raw text
(7 trials, up to 10,000 characters, alpha 0.5, no prior), made reproducible with the seed its README
recommends (``DetectorFactory.seed = 0``, restored afterwards); its top language is its answer,
``zh-cn``/``zh-tw`` are read as ``zh``, and its LangDetectException as ``und``.

Test-set codes that langdetect has no profile for are listed. ``nb`` (Norwegian Bokmål) is one: its
``no`` profile (Norwegian, built from the Bokmål Wikipedia) answers for it, and both taggers are
credited for ``no`` on an ``nb`` text. Any other missing code can never be answered right and counts
as wrong for both.

`main(argv)` returns 0 when the targets are met, 1 otherwise (2 for a missing test set).
"""

from __future__ import annotations

import argparse
import html
import importlib.abc
import importlib.util
import json
import random
import re
import subprocess
import sys
import time
import types
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import langdetect
from dedup_corpus import reuters_body
from langdetect.lang_detect_exception import LangDetectException

from pipelines.core import language as lg

DEFAULT_TESTSET = Path(__file__).resolve().parents[2] / "shared/corpora/langid/testset.jsonl"

# Macrolanguage members the detectors can only answer with the macrolanguage's code.
EQUIVALENT = {"nb": "no", "nn": "no"}
# Kind -> minimum accuracy. The one-sentence kind is called `short` in the shipped file.
TARGETS = {"paragraph": 0.998, "short": 0.96, "sentence": 0.96, "mixed": 0.99}
DEFAULT_REUTERS = Path(__file__).resolve().parents[2] / "shared/corpora/reuters21578"
# Mixed-script set: non-Latin paragraphs with English names, tickers and terms spliced in, as
# Chinese, Russian or Arabic business news carries them ("Alexion Pharmaceuticals (ALXN) 可能是…").
MIXED_KIND = "mixed"
MIXED_LANGS = ("ar", "bg", "el", "fa", "hi", "ja", "ko", "ru", "uk", "zh")
MIXED_TERMS = (
    "Alexion Pharmaceuticals (ALXN)",
    "SANParks",
    "Nicolas Dlamini",
    "Apple Inc. (AAPL)",
    "Goldman Sachs",
    "Tesla",
    "NASDAQ",
    "Bitcoin",
    "COVID-19",
    "iPhone",
    "Microsoft Azure",
    "The New York Times",
    "Donald Trump",
    "Deutsche Bank AG",
    "BlackRock",
    "S&P 500",
    "GDP",
    "CEO",
    "OPEC+",
    "Federal Reserve",
    "Wall Street Journal",
    "Joe Biden",
    "Emmanuel Macron",
    "Volkswagen (VOWG)",
    "Alibaba Group (BABA)",
    "machine learning",
    "blockchain",
    "start-up",
    "smartphone",
    "private equity",
    "Samsung Electronics",
    "World Health Organization",
)
# Terms per text: one at the start, the others within its first MIXED_SPAN chars; with 6 about
# a third of the letters the tagger reads are Latin.
MIXED_SPLICES = 6
MIXED_SPAN = 150
TABLE_KIND = "table"
# Texts not in the test set are timed against main's language.py on these kinds.
SPEED_KINDS = ("paragraph", "long")
# fmt: off
LATIN_TESTSET_LANGS = frozenset((
    "cs", "da", "de", "en", "es", "fi", "fr", "hr", "hu", "id",
    "it", "nb", "nl", "pl", "pt", "ro", "sk", "sv", "tr", "vi",
))
# fmt: on
KIND_ORDER = ("paragraph", "sentence", "short", "pair")
# Synthetic news-article-sized texts: this many paragraphs of one language joined (~3,500 chars),
# to show the cost of long texts, which the test set lacks. Reported only.
LONG_KIND = "long"
LONG_JOIN = 10

Tagger = Callable[[str], str]


@dataclass
class KindResult:
    """Outcome of one tagger on the texts of one kind."""

    n: int = 0
    correct: int = 0
    und: int = 0
    chars: int = 0
    seconds: float = 0.0
    per_lang: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    confusions: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def und_rate(self) -> float:
        return self.und / self.n if self.n else 0.0

    @property
    def texts_per_s(self) -> float:
        return self.n / self.seconds if self.seconds else float("inf")

    @property
    def ms_per_kchar(self) -> float:
        return self.seconds * 1e6 / self.chars if self.chars else 0.0


def load_testset(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def is_correct(expected: str, got: str) -> bool:
    return got == expected or got == EQUIVALENT.get(expected)


def evaluate(records: Sequence[dict], tagger: Tagger) -> KindResult:
    """Run `tagger` over `records` (timed as a whole) and score its answers."""
    texts = [r["text"] for r in records]
    start = time.perf_counter()
    answers = [tagger(text) for text in texts]
    seconds = time.perf_counter() - start
    result = KindResult(n=len(records), seconds=seconds, chars=sum(map(len, texts)))
    for record, got in zip(records, answers, strict=True):
        expected = record["lang"]
        ok = is_correct(expected, got)
        result.correct += ok
        result.und += got == lg.UND
        counts = result.per_lang[expected]
        counts[0] += ok
        counts[1] += 1
        if not ok:
            result.confusions[expected][got] += 1
    return result


def spindrift_tagger(config: lg.LanguageConfig) -> Tagger:
    def tag(text: str) -> str:
        return lg.detect_language(text, config).language

    return tag


def langdetect_default_tagger(text: str) -> str:
    try:
        best = langdetect.detect_langs(text)
    except LangDetectException:
        return lg.UND
    if not best:
        return lg.UND
    return best[0].lang.split("-", 1)[0]


def _pct(x: float) -> str:
    return f"{100 * x:6.2f} %"


def long_texts(records: Sequence[dict], join: int = LONG_JOIN) -> list[dict]:
    """Consecutive paragraphs of one language joined `join` at a time (a short tail is dropped)."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r["kind"] == "paragraph":
            by_lang[r["lang"]].append(r["text"])
    out = []
    for lang, texts in sorted(by_lang.items()):
        for i in range(0, len(texts) - join + 1, join):
            out.append(
                {
                    "id": f"{lang}-long-{i // join:03d}",
                    "lang": lang,
                    "kind": LONG_KIND,
                    "text": " ".join(texts[i : i + join]),
                }
            )
    return out


def mixed_texts(records: Sequence[dict], seed: int = 12) -> list[dict]:
    """Non-Latin paragraphs with `MIXED_SPLICES` English terms spliced into their beginning.

    The first term opens the text; the others go at random word boundaries (any character in
    Chinese and Japanese) within its first `MIXED_SPAN` characters.
    """
    rng = random.Random(seed)
    out = []
    for r in records:
        if r["kind"] != "paragraph" or r["lang"] not in MIXED_LANGS:
            continue
        terms = rng.sample(MIXED_TERMS, MIXED_SPLICES)
        head = terms[0] + " " + r["text"]
        for term in terms[1:]:
            start, end = len(terms[0]) + 1, min(len(head), MIXED_SPAN)
            if r["lang"] in ("ja", "zh"):
                cut = rng.randrange(start, end)
                head = head[:cut] + term + head[cut:]
            else:
                spaces = [i for i in range(start, end) if head[i] == " "] or [end]
                cut = rng.choice(spaces)
                head = head[:cut] + " " + term + head[cut:]
        out.append({"id": r["id"] + "-mixed", "lang": r["lang"], "kind": MIXED_KIND, "text": head})
    return out


_REUTERS_RE = re.compile(r"<REUTERS(.*?)</REUTERS>", re.S)
_TITLE_RE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_BODY_RE = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def reuters_articles(folder: Path) -> tuple[list[str], list[str]]:
    """(earnings tables, other articles) as the job tags them: title, newline, body paragraphs.

    A table is a body with the words "Shr" and "vs". Paragraphs (indented lines in the SGML)
    are joined by blank lines, wrapped lines by spaces.
    """
    tables, prose = [], []
    for path in sorted(folder.glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        for match in _REUTERS_RE.finditer(raw):
            body = _BODY_RE.search(match.group(0))
            if not body:
                continue
            title = _TITLE_RE.search(match.group(0))
            doc = reuters_body(body.group(1))
            if title:
                doc = html.unescape(title.group(1)).strip() + "\n" + doc
            is_table = re.search(r"\bShr\b", doc) and re.search(r"\bvs\b", doc)
            (tables if is_table else prose).append(doc)
    return tables, prose


def _kinds(records: Sequence[dict]) -> list[str]:
    present = {r["kind"] for r in records}
    ordered = [k for k in KIND_ORDER if k in present]
    return ordered + sorted(present - set(ordered))


def _config_from_args(args: argparse.Namespace) -> lg.LanguageConfig:
    overrides = {
        "prefix_chars": args.prefix_chars,
        "evidence_ngrams": args.evidence_ngrams,
        "min_confidence": args.min_confidence,
        "min_letters": args.min_letters,
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(lg.LanguageConfig(), **given)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--testset", type=Path, default=DEFAULT_TESTSET)
    p.add_argument("--prefix-chars", type=int)
    p.add_argument("--evidence-ngrams", type=int)
    p.add_argument("--min-confidence", type=float)
    p.add_argument("--min-letters", type=int)
    p.add_argument("--weakest", type=int, default=5, help="weakest languages shown per kind")
    p.add_argument("--no-baseline", action="store_true", help="skip langdetect's defaults")
    p.add_argument("--reuters", type=Path, default=DEFAULT_REUTERS, help="reuters21578 folder")
    p.add_argument("--no-confusion", dest="confusion", action="store_false")
    p.add_argument("--speed-rounds", type=int, default=5, help="0 skips the speed comparison")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if not args.testset.is_file():
        print(f"test set not found: {args.testset}", file=sys.stderr)
        return 2
    try:
        config = _config_from_args(args)
    except ValueError as exc:
        print(f"invalid configuration: {exc}", file=sys.stderr)
        return 2
    records = load_testset(args.testset)
    kinds = _kinds(records)
    langs = sorted({r["lang"] for r in records})

    start = time.perf_counter()
    lg.warm_up()
    load_seconds = time.perf_counter() - start
    supported = lg.supported_languages()
    print(f"test set: {args.testset} ({len(records)} texts, {len(langs)} languages)")
    print("kinds: " + ", ".join(f"{k} {sum(r['kind'] == k for r in records)}" for k in kinds))
    print(f"config: {config}")
    print(f"profile load (once per process): {load_seconds:.2f} s")
    missing = [code for code in langs if code not in supported]
    for code in missing:
        n = sum(r["lang"] == code for r in records)
        if EQUIVALENT.get(code) in supported:
            how = f"answered by its macrolanguage '{EQUIVALENT[code]}', counted as correct"
        else:
            how = "can never be answered, counted as wrong"
        print(f"not a langdetect profile: '{code}' ({n} texts): {how}")

    by_kind = {k: [r for r in records if r["kind"] == k] for k in kinds}
    joined = long_texts(records)
    if joined:
        kinds.append(LONG_KIND)
        by_kind[LONG_KIND] = joined
        chars = sum(len(r["text"]) for r in joined) / len(joined)
        print(
            f"{LONG_KIND}: {len(joined)} texts of {LONG_JOIN} paragraphs of one language joined"
            f" ({chars:.0f} chars on average)"
        )
    mixed = mixed_texts(records)
    if mixed:
        kinds.append(MIXED_KIND)
        by_kind[MIXED_KIND] = mixed
        print(
            f"{MIXED_KIND}: {len(mixed)} paragraphs of {len(MIXED_LANGS)} non-Latin languages"
            f" with {MIXED_SPLICES} English names/tickers/terms spliced into their first"
            f" {MIXED_SPAN} chars"
        )
    print()
    ours: dict[str, KindResult] = {}
    base: dict[str, KindResult] = {}
    saved_seed = langdetect.DetectorFactory.seed
    try:
        if not args.no_baseline:
            langdetect.DetectorFactory.seed = 0
            langdetect_default_tagger("warm up the module-level factory")
        tagger = spindrift_tagger(config)
        for kind in kinds:
            ours[kind] = evaluate(by_kind[kind], tagger)
            if not args.no_baseline:
                base[kind] = evaluate(by_kind[kind], langdetect_default_tagger)
    finally:
        langdetect.DetectorFactory.seed = saved_seed

    _print_table(kinds, ours, base)
    for kind in kinds:
        _print_weakest(kind, ours[kind], base.get(kind), args.weakest)
    if args.confusion:
        for kind in kinds:
            _print_confusion(kind, ours[kind])
    tables_ok = _tables(args.reuters, config)
    if args.speed_rounds:
        speed_sets = {
            "paragraph + long, all languages": [
                r["text"] for kind in SPEED_KINDS for r in by_kind.get(kind, [])
            ],
            "paragraph + long, Latin-script languages": [
                r["text"]
                for kind in SPEED_KINDS
                for r in by_kind.get(kind, [])
                if r["lang"] in LATIN_TESTSET_LANGS
            ],
        }
        if args.reuters.is_dir():
            speed_sets["Reuters articles (first 2,000 non-table)"] = reuters_articles(args.reuters)[
                1
            ][:2000]
        for name, texts in speed_sets.items():
            _speed_vs_main(name, texts, config, args.speed_rounds)

    met = True
    print("\ntargets:")
    for kind in kinds:
        target = TARGETS.get(kind)
        if target is None:
            print(f"  {kind:<10} no target (reported only)")
            continue
        ok = ours[kind].accuracy >= target
        met &= ok
        verdict = "met" if ok else "MISSED"
        print(
            f"  {kind:<10} >= {_pct(target).strip()}: {_pct(ours[kind].accuracy).strip()} {verdict}"
        )
    if tables_ok is not None:
        met &= tables_ok
        print(f"  {TABLE_KIND:<10} never a wrong language: {'met' if tables_ok else 'MISSED'}")
    return 0 if met else 1


def _tables(folder: Path, config: lg.LanguageConfig) -> bool | None:
    """Tag Reuters earnings tables (right: en or und) and, as a control, the other articles."""
    if not folder.is_dir():
        print(f"\nReuters corpus not found ({folder}): table set skipped")
        return None
    tables, prose = reuters_articles(folder)
    print(f"\n{TABLE_KIND}: {len(tables)} Reuters earnings tables (title + body with Shr and vs)")
    print("  (other: the Reuters articles without them, as a control; it holds dividend notices")
    print("  and price tables too)")
    old = _main_language()
    taggers = [("current", lg.detect_language, config)]
    if old is not None:
        taggers.append(("main", old.detect_language, old.DEFAULT))
    wrong_total = 0
    for name, texts in ((TABLE_KIND, tables), ("other", prose)):
        for who, tag, cfg in taggers:
            tags = Counter(tag(text, cfg).language for text in texts)
            wrong = sum(n for t, n in tags.items() if t not in ("en", lg.UND))
            if name == TABLE_KIND and who == "current":
                wrong_total = wrong
            shown = ", ".join(f"{t} {n}" for t, n in tags.most_common(8))
            print(
                f"  {name:<6} {who:<8} {len(texts):>6} texts: en {_pct(tags['en'] / len(texts))},"
                f" und {_pct(tags[lg.UND] / len(texts))}, wrong language {wrong} ({shown})"
            )
    return wrong_total == 0


_MAIN_NAME = "main_language"


def _main_sources(root: Path) -> dict[str, str] | None:
    """main's language tagger as {module name under _MAIN_NAME: source}: the one file it was
    until 2026-12-04, or the package it is since; None when git cannot show either."""

    def show(path: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(root), "show", f"main:{path}"], capture_output=True, text=True
        )
        return done.stdout if done.returncode == 0 else None

    single = show("pipelines/core/language.py")
    if single is not None:
        return {_MAIN_NAME: single}
    listing = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "--name-only", "main", "pipelines/core/language/"],
        capture_output=True,
        text=True,
    )
    names = [n for n in listing.stdout.split() if n.endswith(".py")]
    if listing.returncode or not names:
        return None
    sources = {}
    for path in names:
        stem = Path(path).stem
        source = show(path)
        if source is None:
            return None
        # The package's modules import each other by absolute name: point them at main's.
        source = source.replace("pipelines.core.language", _MAIN_NAME)
        sources[_MAIN_NAME if stem == "__init__" else f"{_MAIN_NAME}.{stem}"] = source
    return sources


def _main_language() -> types.ModuleType | None:
    """main's language tagger, loaded beside this tree's (``git show``), or None."""
    root = Path(__file__).resolve().parents[1]
    try:
        sources = _main_sources(root)
    except OSError as exc:
        sources = None
        print(f"cannot run git: {exc}", file=sys.stderr)
    if sources is None:
        print("cannot read main's pipelines/core/language", file=sys.stderr)
        return None
    package = len(sources) > 1

    class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path, target=None):
            if name not in sources:
                return None
            return importlib.util.spec_from_loader(
                name, self, is_package=package and name == _MAIN_NAME
            )

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            code = compile(sources[module.__name__], f"main:{module.__name__}", "exec")
            exec(code, module.__dict__)

    finder = _Finder()
    sys.meta_path.insert(0, finder)
    try:
        return importlib.import_module(_MAIN_NAME)
    except ImportError as exc:
        # main's tagger runs against this tree's other modules: from a tree older than main, a
        # name it imports may not exist yet.
        print(
            f"main's language tagger does not run against this tree ({exc}): the comparison"
            " with main is skipped; run this benchmark from a tree that has main's modules",
            file=sys.stderr,
        )
        for name in sources:
            sys.modules.pop(name, None)
        return None
    finally:
        sys.meta_path.remove(finder)


def _speed_vs_main(name: str, texts: list[str], config: lg.LanguageConfig, rounds: int) -> None:
    """Per-text tagging time of this language.py and main's, interleaved, best of `rounds`."""
    old = _main_language()
    if old is None or not texts:
        return
    old.warm_up()
    old_config = old.LanguageConfig(
        prefix_chars=config.prefix_chars,
        evidence_ngrams=config.evidence_ngrams,
        min_confidence=config.min_confidence,
        min_letters=config.min_letters,
        alpha=config.alpha,
    )
    best = {"main": float("inf"), "current": float("inf")}
    order = [("main", old.detect_language, old_config), ("current", lg.detect_language, config)]
    for _ in range(rounds):
        order.reverse()  # alternate who goes first: a busy machine favours neither
        for who, tag, cfg in order:
            start = time.process_time()  # CPU time: other processes' load counts less
            for text in texts:
                tag(text, cfg)
            best[who] = min(best[who], time.process_time() - start)
    chars = sum(map(len, texts)) / len(texts)
    print(
        f"\nspeed vs main, {name} ({len(texts)} texts, {chars:.0f} chars on average, CPU time,"
        f" best of {rounds} interleaved rounds):"
    )
    for who in ("main", "current"):
        print(f"  {who:<8} {1e6 * best[who] / len(texts):7.1f} us per text")
    print(f"  current / main: {best['current'] / best['main']:.3f}")


def _print_confusion(kind: str, result: KindResult) -> None:
    print(f"\nper-language confusion, {kind} (right of n; wrong answers):")
    for lang in sorted(result.per_lang):
        ok, n = result.per_lang[lang]
        wrong = ", ".join(f"{got} {c}" for got, c in result.confusions[lang].most_common())
        print(f"  {lang:<3} {ok:>4}/{n:<4} {wrong}")


def _print_table(kinds: list[str], ours: dict, base: dict) -> None:
    header = (
        f"{'kind':<10} {'tagger':<20} {'accuracy':>9} {'und':>9} {'wrong':>9} {'texts/s':>9}"
        f" {'ms/1k ch':>9}"
    )
    print(header)
    print("-" * len(header))
    totals = {"spindrift": [0, 0, 0.0], "langdetect defaults": [0, 0, 0.0]}
    for kind in kinds:
        rows = [("spindrift", ours[kind])]
        if kind in base:
            rows.append(("langdetect defaults", base[kind]))
        for name, res in rows:
            print(
                f"{kind:<10} {name:<20} {_pct(res.accuracy):>9} {_pct(res.und_rate):>9} "
                f"{_pct(1 - res.accuracy - res.und_rate):>9} "
                f"{res.texts_per_s:9.0f} {res.ms_per_kchar:9.2f}"
            )
            totals[name][0] += res.n
            totals[name][1] += res.chars
            totals[name][2] += res.seconds
        if kind in base:
            b, o = base[kind], ours[kind]
            print(
                f"{'':<10} {'difference / speed':<20} {100 * (o.accuracy - b.accuracy):+7.2f} pp"
                f" {100 * (o.und_rate - b.und_rate):+7.2f} pp"
                f" {b.seconds / o.seconds:8.2f}x faster"
            )
    print()
    for name, (n, chars, seconds) in totals.items():
        if n:
            print(
                f"all kinds, {name}: {n / seconds:.0f} texts/s, "
                f"{seconds * 1e6 / chars:.2f} ms per 1,000 chars ({seconds:.1f} s)"
            )


def _print_weakest(kind: str, ours: KindResult, base: KindResult | None, k: int) -> None:
    if k <= 0:
        return
    ranked = sorted(ours.per_lang.items(), key=lambda item: (item[1][0] / item[1][1], item[0]))
    ranked = [item for item in ranked if item[1][0] < item[1][1]]
    print(f"\nweakest languages, {kind}:" + ("" if ranked else " none, all 100 %"))
    for lang, (ok, n) in ranked[:k]:
        confused = ", ".join(f"{got} {c}" for got, c in ours.confusions[lang].most_common(3))
        line = f"  {lang:<3} {_pct(ok / n)}  (wrong: {confused or '-'})"
        if base is not None:
            b_ok, b_n = base.per_lang[lang]
            line += f"   langdetect defaults {_pct(b_ok / b_n)}"
        print(line)


if __name__ == "__main__":
    raise SystemExit(main())
