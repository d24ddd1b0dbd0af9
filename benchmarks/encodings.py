"""How well core.decode reads legacy encodings, beside charset-normalizer; its UTF-8 cost.

    python benchmarks/encodings.py [--testset ../shared/corpora/langid/testset.jsonl]
        [--per-lang 10] [--no-baseline] [--timing-rounds 15] [--min-confidence P]

Texts: the ``paragraph`` texts of the langid test set (30 languages), each encoded in every
encoding of `ENCODINGS` that can encode it (texts that encode to pure ASCII are left out: they are
UTF-8). Vietnamese is encoded in cp1258 in decomposed form (base letter + combining tone mark), as
cp1258 files are written. Each file is decoded with `decode_bytes` and counted per encoding as

- right: the decoded text is the original (compared after NFC, and with Romanian ș ț and ş ţ,
  comma and cedilla forms of the same letters, as one),
- uncertain: quarantined as ``uncertain_encoding`` (raw bytes kept, nothing garbled),
- other: quarantined for another reason (undecodable, binary),
- garbled: decoded, but to a different text -- the failure that must not happen.

The same files go through charset-normalizer's ``from_bytes(data).best()`` (right / none /
garbled). Then the 15 texts of issue 12 (one article per language, saved in the encoding named),
and UTF-8 decode time per file of the current `decode_bytes` and of the one on branch ``main``
(``git show main:pipelines/core/decode.py``), interleaved (who goes first alternates), best of
`--timing-rounds`.

`main(argv)` returns 0 when >= 14 of the 15 issue texts are right, none of them garbled and UTF-8
decoding is within 10 % of main's; 1 otherwise (2 for a missing test set).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import subprocess
import sys
import time
import types
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.core import language  # noqa: E402
from pipelines.core.decode import DEFAULT_DECODE, DecodeConfig, DecodeError, decode_bytes  # noqa: E402

DEFAULT_TESTSET = ROOT.parent / "shared/corpora/langid/testset.jsonl"

ENCODINGS = (
    *(f"cp{n}" for n in range(1250, 1259)),
    *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)),
    "koi8-r",
    "koi8-u",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "gb2312",
    "gb18030",
    "big5",
    "utf-16-le",
    "utf-16-be",
    "utf-32-le",
    "utf-32-be",
)
# Issue 12: "the same article saved in 15 encodings".
ISSUE_CASES = (
    ("de", "utf-8"),
    ("de", "cp1252"),
    ("de", "latin-1"),
    ("ru", "cp1251"),
    ("bg", "cp1251"),
    ("el", "cp1253"),
    ("pl", "cp1250"),
    ("cs", "iso8859-2"),
    ("tr", "cp1254"),
    ("ru", "koi8-r"),
    ("uk", "cp1251"),
    ("ja", "shift_jis"),
    ("zh", "gb18030"),
    ("ko", "euc_kr"),
    ("ar", "cp1256"),
)
ISSUE_TARGET = 14
SPEED_TOLERANCE = 1.10
_C1 = re.compile("[\x80-\x9f]")
# Test-set texts that are already mojibake: Hungarian ő/ű typed as Latin-1 õ/û, Turkish ı/ş/ğ as
# ý/þ/ð, Czech š/ž as cp1250's ą/ľ. Read in their own code page their bytes are the letters
# meant, which the comparison would count as garbled; they are left out (and counted).
_MOJIBAKE = {"hu": re.compile("[õû]"), "tr": re.compile("[ýþð]"), "cs": re.compile("[ąľ]")}
OUTCOMES = ("right", "uncertain", "other", "garbled")


def load_paragraphs(path: Path) -> dict[str, list[str]]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["kind"] == "paragraph":
                by_lang[record["lang"]].append(record["text"])
    return dict(sorted(by_lang.items()))


def encode(text: str, encoding: str) -> bytes | None:
    """`text` in `encoding`, or None when it cannot be (or is plain ASCII, i.e. UTF-8)."""
    forms = [text, unicodedata.normalize("NFD", text)] if encoding == "cp1258" else [text]
    for form in forms:
        try:
            data = form.encode(encoding)
        except UnicodeEncodeError:
            continue
        return None if data.isascii() else data
    return None


# Romanian ș ț with a comma (ISO-8859-16) or a cedilla (cp1250, ISO-8859-2) are the same letters.
_SAME_LETTERS = str.maketrans("șțȘȚ", "şţŞŢ")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_SAME_LETTERS)


def ours(data: bytes, expected: str, config: DecodeConfig = DEFAULT_DECODE) -> tuple[str, str]:
    """(outcome, encoding or error kind)."""
    try:
        decoded = decode_bytes(data, config)
    except DecodeError as exc:
        return ("uncertain" if exc.kind == "uncertain_encoding" else "other"), exc.kind
    right = _nfc(decoded.text) == _nfc(expected)
    return ("right" if right else "garbled"), decoded.encoding


def charset_normalizer(data: bytes, expected: str) -> tuple[str, str]:
    import charset_normalizer as cn

    best = cn.from_bytes(data).best()
    if best is None:
        return "uncertain", "none"
    right = _nfc(str(best)) == _nfc(expected)
    return ("right" if right else "garbled"), best.encoding


def build_set(paragraphs: dict[str, list[str]], per_lang: int) -> list[tuple[str, str, str, bytes]]:
    """(encoding, language, text, bytes) for every encodable combination."""
    cases = []
    for encoding in ENCODINGS:
        for lang, texts in paragraphs.items():
            for text in texts[:per_lang]:
                if _C1.search(text) or (lang in _MOJIBAKE and _MOJIBAKE[lang].search(text)):
                    continue  # stray C1 controls or mojibake in the test set: see _MOJIBAKE
                data = encode(text, encoding)
                if data is not None:
                    cases.append((encoding, lang, text, data))
    return cases


def run_set(cases, decoder) -> tuple[dict[str, Counter], Counter, float]:
    """Per-encoding outcome counts, garbled (encoding, language, got) counts, seconds."""
    per_encoding: dict[str, Counter] = defaultdict(Counter)
    garbled: Counter = Counter()
    start = time.perf_counter()
    for encoding, lang, text, data in cases:
        outcome, got = decoder(data, text)
        per_encoding[encoding][outcome] += 1
        if outcome == "garbled":
            garbled[(encoding, lang, got)] += 1
    return per_encoding, garbled, time.perf_counter() - start


def print_set(name: str, per_encoding, garbled, seconds: float, n: int) -> None:
    print(f"\n{name}: {n} files, {1000 * seconds / max(n, 1):.2f} ms per file")
    print(f"{'encoding':<11}" + "".join(f"{o:>10}" for o in OUTCOMES))
    total: Counter = Counter()
    for encoding in ENCODINGS:
        counts = per_encoding.get(encoding)
        if not counts:
            continue
        total.update(counts)
        print(f"{encoding:<11}" + "".join(f"{counts[o]:>10}" for o in OUTCOMES))
    print(f"{'all':<11}" + "".join(f"{total[o]:>10}" for o in OUTCOMES))
    n_all = sum(total.values())
    right, wrong = (100 * total[k] / n_all for k in ("right", "garbled"))
    print(f"right {right:.2f} %, garbled {wrong:.2f} %")
    if garbled:
        worst = ", ".join(f"{e}/{lang}->{got} {c}" for (e, lang, got), c in garbled.most_common(12))
        print(f"garbled (encoding/language->read as): {worst}")


def issue_cases(paragraphs: dict[str, list[str]], baseline: bool) -> tuple[int, int]:
    print("\nissue 12's 15 texts (first paragraph of the language that the encoding can hold):")
    right = garbled = 0
    for lang, encoding in ISSUE_CASES:
        text = next(t for t in paragraphs[lang] if _encodable(t, encoding))
        data = text.encode(encoding)
        outcome, got = ours(data, text)
        right += outcome == "right"
        garbled += outcome == "garbled"
        line = f"  {lang} {encoding:<10} {len(data):>5} bytes: {outcome:<9} ({got})"
        if baseline:
            b_outcome, b_got = charset_normalizer(data, text)
            line += f"   charset-normalizer: {b_outcome} ({b_got})"
        print(line)
    print(f"right {right} of {len(ISSUE_CASES)}, garbled {garbled}")
    return right, garbled


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _main_decoder() -> types.ModuleType | None:
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", "main:pipelines/core/decode.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"cannot read main's decode.py: {exc}", file=sys.stderr)
        return None
    module = types.ModuleType("main_decode")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(source, "main:pipelines/core/decode.py", "exec"), module.__dict__)
    return module


def utf8_timing(paragraphs: dict[str, list[str]], rounds: int) -> float | None:
    """Per-file UTF-8 decode time, current vs main, printed; returns the ratio (None if no main)."""
    old = _main_decoder()
    if old is None:
        return None
    # Article-sized files: each language's paragraphs joined 5 at a time.
    files = []
    for texts in paragraphs.values():
        for i in range(0, len(texts) - 4, 5):
            files.append("\n\n".join(texts[i : i + 5]).encode("utf-8"))
    new_fn, old_fn = decode_bytes, old.decode_bytes
    best = {"current": float("inf"), "main": float("inf")}
    order = [("main", old_fn), ("current", new_fn)]
    for _ in range(rounds):
        order.reverse()  # alternate who goes first: a busy machine favours neither
        for name, fn in order:
            start = time.process_time()  # CPU time: other processes' load counts less
            for data in files:
                fn(data)
            best[name] = min(best[name], time.process_time() - start)
    size = sum(map(len, files)) / len(files)
    print(
        f"\nUTF-8 decode, {len(files)} files of {size:.0f} bytes, CPU time, best of {rounds}"
        " interleaved rounds:"
    )
    for name in ("main", "current"):
        print(f"  {name:<8} {1e6 * best[name] / len(files):7.2f} us per file")
    ratio = best["current"] / best["main"]
    print(f"  current / main: {ratio:.3f} (target <= {SPEED_TOLERANCE:.2f})")
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--testset", type=Path, default=DEFAULT_TESTSET)
    p.add_argument("--per-lang", type=int, default=10, help="paragraphs per language")
    p.add_argument("--no-baseline", action="store_true", help="skip charset-normalizer")
    p.add_argument("--timing-rounds", type=int, default=15)
    p.add_argument("--min-confidence", type=float, help="DecodeConfig.min_confidence to try")
    args = p.parse_args(argv)
    if not args.testset.is_file():
        print(f"test set not found: {args.testset}", file=sys.stderr)
        return 2
    paragraphs = load_paragraphs(args.testset)
    language.warm_up()  # the language model behind charset detection, built once
    cases = build_set(paragraphs, args.per_lang)
    print(
        f"test set: {args.testset}; {len(cases)} files: {len(paragraphs)} languages x"
        f" {len(ENCODINGS)} encodings, up to {args.per_lang} paragraphs each, where encodable"
    )
    config = DEFAULT_DECODE
    if args.min_confidence is not None:
        config = DecodeConfig(min_confidence=args.min_confidence)
    print(f"config: {config}")
    per_encoding, garbled, seconds = run_set(cases, functools.partial(ours, config=config))
    print_set("spindrift decode_bytes", per_encoding, garbled, seconds, len(cases))
    if not args.no_baseline:
        b_per, b_garbled, b_seconds = run_set(cases, charset_normalizer)
        print_set("charset-normalizer best()", b_per, b_garbled, b_seconds, len(cases))
    right, issue_garbled = issue_cases(paragraphs, not args.no_baseline)
    ratio = utf8_timing(paragraphs, args.timing_rounds)
    met = right >= ISSUE_TARGET and issue_garbled == 0
    met &= ratio is not None and ratio <= SPEED_TOLERANCE
    print(f"\ntargets (>= {ISSUE_TARGET}/15 right, none garbled, UTF-8 within 10 %): ", end="")
    print("met" if met else "MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
