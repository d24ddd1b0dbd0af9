"""DropDuplicates: find exact and near (spun, reworded) duplicates; keep one article per group.

Only compact signatures and integer ids are shuffled to find duplicates; each body moves once,
to ApplyDecisions. The steps are the sub-composites of `DropDuplicates`:

1. _Features: per article its `near_dup.Signature` (with date) and its WordProfile, both
   from one tokenisation; WordFrequencies combines the profiles per language.
2. _BandKeys, _CandidatePairs: LSH band keys, batched per key group -> buckets (capped) ->
   candidate pairs, both ways, as int64 arrays split into PAIR_SHARDS shards of article keys.
3. _VerifyPairs: per shard, its pairs meet its articles' features (a CoGroupByKey) and each
   article with a candidate partner sends its features to its larger partners; one GroupByKey
   brings both signatures of every pair together.
4. _ChooseSurvivors: connected components of verified pairs (one small combine); per
   cluster, members are re-checked against the survivor (no A~B~C chains) and the survivor
   is picked (`near_dup.choose_survivor`).
5. _ApplyDecisions: kept articles carry `duplicate_count` and get an IndexEntry (with the
   signature computed in step 1); the others become Duplicate rows.

What every worker reads whole (side inputs): cluster ids, originality scores and decisions,
proportional to clustered articles (~100-300 bytes each as Python objects), and WordFreq. The
candidate pairs, which grow faster than the articles (docs/capacity.md), are never broadcast:
a worker holds one shard of them (16 bytes per pair and direction).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from pipelines.core import near_dup as nd
from pipelines.core.boilerplate import strip_filler
from pipelines.core.index import IndexEntry, effective_date
from pipelines.core.records import Article, Duplicate

DUPLICATES = "duplicates"
FEATURES = "features"
INDEX = "index"
MEMBERS = "members"
PAIRS = "pairs"
PENDING = "pending"
PROFILES = "profiles"


def uid(article: Article) -> str:
    """Unique key of an article in a run; sorts by article_id, then source_uri."""
    return f"{article.article_id}|{article.source_uri}"


def article_key(uid_: str) -> int:
    """63-bit integer key of a uid: what the shuffles and side inputs of DropDuplicates use.

    Band keys, candidate pairs and joins carry this 8-byte int instead of the ~90-character
    uid: measured at 25k articles, the uid made up most of the ~115 MB of band keys. Two
    inputs with one key meet in every LSH bucket and fail the run in `_verify` (see
    `PairIndex`); for distinct uids the odds are ~n^2 / 2^64.
    """
    digest = hashlib.blake2b(uid_.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def split_uid(key: str) -> tuple[str, str]:
    """(article_id, source_uri) of a uid; article ids are hex, so the first '|' splits."""
    article_id, source_uri = key.split("|", 1)
    return article_id, source_uri


@dataclass(frozen=True)
class Features:
    """What duplicate detection needs of an article (no body text).

    `stored` marks an article published by an earlier run (from the index, `run_id` set).
    """

    uid: str
    published_date: dt.date | None
    signature: nd.Signature
    stored: bool = False
    run_id: str | None = None


def stored_features(entry: IndexEntry) -> tuple[int, Features]:
    """An index entry as a (key, Features) member that always survives against new articles."""
    return article_key(entry.uid), Features(
        entry.uid, entry.published_date, entry.signature, True, entry.run_id
    )


@dataclass(frozen=True)
class Dropped:
    """Decision for an article that is a duplicate of `kept_uid`.

    `kept_run_id` is None when the kept article is from this run.
    """

    kept_uid: str
    similarity: float
    method: str
    kept_run_id: str | None = None
    kept_date: dt.date | None = None


class PairIndex:
    """Candidate pairs of article keys, looked up by either end.

    Holds each pair in both directions as two aligned int64 arrays sorted by (key, partner),
    deduplicated. A pair (k, k) means two inputs share key k (see `article_key`).
    """

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.keys, self.partners = _sorted_unique(np.concatenate([a, b]), np.concatenate([b, a]))

    @classmethod
    def directed(cls, keys: np.ndarray, partners: np.ndarray) -> PairIndex:
        """An index of (key, partner) entries as given (both directions already present): one
        shard of the whole index when `keys` are the keys of that shard."""
        index = cls.__new__(cls)
        index.keys, index.partners = _sorted_unique(keys, partners)
        return index

    def partners_of(self, key: int) -> np.ndarray:
        """Sorted partner keys of `key` (empty when it has none)."""
        lo, hi = np.searchsorted(self.keys, [key, key + 1])
        return self.partners[lo:hi]

    def __len__(self) -> int:
        return len(self.keys)


def _sorted_unique(keys: np.ndarray, partners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys = keys.astype(np.int64, copy=False)
    partners = partners.astype(np.int64, copy=False)
    order = np.lexsort((partners, keys))
    keys, partners = keys[order], partners[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (partners[1:] != partners[:-1])
    return keys[new], partners[new]


class _WordFrequencies(beam.CombineFn):
    """WordProfile -> WordFreq (document frequencies per language) over the whole batch."""

    def create_accumulator(self) -> nd.WordFreq:
        return nd.WordFreq()

    def add_input(self, acc: nd.WordFreq, profile: nd.WordProfile) -> nd.WordFreq:
        acc.add_profile(profile)
        return acc

    def merge_accumulators(self, accs: Iterable[nd.WordFreq]) -> nd.WordFreq:
        accs = iter(accs)
        merged = next(accs)
        for acc in accs:
            merged.merge(acc)
        return merged

    def extract_output(self, acc: nd.WordFreq) -> nd.WordFreq:
        return acc


def article_features(
    body: str, language: str, title: str | None, article_id: str, config: nd.NearDupConfig
) -> tuple[nd.Signature, nd.WordProfile]:
    """What an article is compared by: its signature and word profile (also what
    `spindrift repair` recomputes from a published body to rebuild the index)."""
    # Template filler (Lorem ipsum) is no article's content: pages made of it are not copies
    # of each other for sharing it.
    text = strip_filler(body)
    if text.strip():
        return nd.features(text, language, config, title=title)
    # No article text (all of it was chrome or filler): nothing to compare, so the article
    # only matches byte-identical copies of its file (same article_id).
    sig = nd.Signature(article_key(article_id), _NO_SHINGLES, _NO_POSITIONS, "empty", 0)
    return sig, nd.word_profile("", language)


def _features(article: Article, config: nd.NearDupConfig):
    """Main output: (key, Features); PROFILES: (key, WordProfile), kept apart because only
    cluster members need it; PENDING: (article, signature), what ApplyDecisions needs.
    Keys are `article_key(uid)`."""
    uid_ = uid(article)
    key = article_key(uid_)
    sig, profile = article_features(
        article.body, article.language, article.title, article.article_id, config
    )
    yield key, Features(uid_, article.published_date, sig)
    yield beam.pvalue.TaggedOutput(PROFILES, (key, profile))
    yield beam.pvalue.TaggedOutput(PENDING, (article, sig))


_NO_SHINGLES = np.zeros(0, dtype=np.uint32)
_NO_POSITIONS = np.zeros(0, dtype=np.uint8)

# LSH keys are spread over this many groups; each group's buckets are built in one sort.
_KEY_GROUPS = 64


def _band_keys(batch: list[tuple[int, Features]], config: nd.NearDupConfig):
    """A batch of articles -> (group, (band keys, article keys)) per key group, as two int64
    arrays: a few elements per group instead of ~65 per article, encoded as raw arrays."""
    bands = [nd.candidate_key_array(features.signature, config) for _, features in batch]
    owners = np.repeat(np.array([key for key, _ in batch], dtype=np.int64), [len(b) for b in bands])
    band = np.concatenate(bands)
    group = band % _KEY_GROUPS
    order = np.argsort(group, kind="stable")
    band, owner, group = band[order], owners[order], group[order]
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    ends = np.append(starts[1:], len(group))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(group[start]), (band[start:end], owner[start:end])


def _bucket_pairs(item: tuple[int, Iterable[tuple]], config: nd.NearDupConfig):
    """One key group -> its candidate pairs as (a, b) int64 arrays, a != b except (k, k)
    for an article key that two inputs share."""
    _, batches = item
    parts = list(batches)
    band = np.concatenate([b for b, _ in parts])
    owner = np.concatenate([o for _, o in parts])
    order = np.lexsort((owner, band))  # by band key, then article key
    band, owner = band[order], owner[order]
    same_band = band[1:] == band[:-1]
    # An article has one entry per bucket, so an owner repeated within a bucket is two inputs
    # with one key: kept as a self-pair, which _verify reports.
    shared = owner[1:][same_band & (owner[1:] == owner[:-1])]
    starts = np.flatnonzero(np.concatenate([[True], ~same_band]))
    sizes = np.diff(np.append(starts, len(band)))
    # Buckets of two (most of them) are paired in one vectorised step; larger ones go
    # through nd.bucket_pairs (cap and window).
    two = starts[sizes == 2]
    a, b = owner[two], owner[two + 1]
    distinct = a != b
    big_a: list[int] = []
    big_b: list[int] = []
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        for x, y in nd.bucket_pairs(owner[start : start + size].tolist(), config):
            big_a.append(x)
            big_b.append(y)
    yield (
        np.concatenate([a[distinct], np.array(big_a, dtype=np.int64), shared]),
        np.concatenate([b[distinct], np.array(big_b, dtype=np.int64), shared]),
    )


def _probe(item: tuple[int, Features], index: PairIndex) -> Iterator[tuple[int, tuple]]:
    """(key, features) -> (key, (key, features)) when it has a partner at or below it, and
    (partner, (key, features)) for each larger partner: every pair meets at its larger key."""
    key, features = item
    partners = index.partners_of(key)
    if len(partners) == 0:
        return
    if partners[0] <= key:
        yield key, (key, features)
    for other in partners[partners > key].tolist():
        yield other, (key, features)


# The pair index is split into this many shards of article keys (key mod PAIR_SHARDS); one
# worker holds one shard's pairs and features, ~1/256 of them: ~1 GB of pairs at 100 M articles
# a run (extrapolated in docs/capacity.md), where the broadcast index needed ~256 GB per process.
PAIR_SHARDS = 256


def _pair_shard(key: int) -> int:
    return key % PAIR_SHARDS


def _pair_parts(pairs: tuple[np.ndarray, np.ndarray]) -> Iterator[tuple[int, tuple]]:
    """(a, b) candidate pairs of one key group -> both directions, split by `_pair_shard` of
    the first key: (shard, (keys, partners)) int64 arrays."""
    a, b = pairs
    if not len(a):
        return
    keys = np.concatenate([a, b]).astype(np.int64, copy=False)
    partners = np.concatenate([b, a]).astype(np.int64, copy=False)
    shard = keys % PAIR_SHARDS
    order = np.argsort(shard, kind="stable")
    keys, partners, shard = keys[order], partners[order], shard[order]
    starts = np.flatnonzero(np.concatenate([[True], shard[1:] != shard[:-1]]))
    ends = np.append(starts[1:], len(shard))
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(shard[start]), (keys[start:end], partners[start:end])


def _probe_shard(item: tuple[int, dict]) -> Iterator[tuple[int, tuple]]:
    """One shard: its pair parts and (key, features) of its articles -> `_probe` of each."""
    _, joined = item
    parts = list(joined[PAIRS])
    if not parts:
        return
    empty = np.zeros(0, dtype=np.int64)
    index = PairIndex.directed(
        np.concatenate([empty, *(k for k, _ in parts)]),
        np.concatenate([empty, *(p for _, p in parts)]),
    )
    for member in joined[FEATURES]:
        yield from _probe(member, index)


def _only(features: Iterable[Features], key: int) -> Features:
    found = list(features)
    if len(found) != 1:
        raise RuntimeError(
            f"article key {key} is shared by {sorted(f.uid for f in found)}: either the index "
            "already holds this input (its ledger entry is gone) or two uids collide in 64 "
            "bits; move one of these inputs to a later run"
        )
    return found[0]


def _verify(item: tuple[int, Iterable[tuple[int, Features]]], config: nd.NearDupConfig):
    """Main output: verified (a, b) key pairs; MEMBERS: (key, Features) of both ends."""
    key, values = item
    values = list(values)
    features = _only((f for source, f in values if source == key), key)
    for other_key, other in values:
        if other_key == key or (other.stored and features.stored):
            continue  # itself, or both already published: nothing to decide
        if nd.verify(other.signature, features.signature, config):
            yield other_key, key
            yield beam.pvalue.TaggedOutput(MEMBERS, (other_key, other))
            yield beam.pvalue.TaggedOutput(MEMBERS, (key, features))


def _components(pairs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    ids = {i for pair in pairs for i in pair}
    yield from nd.cluster(ids, pairs).items()


def _cluster_of(item: tuple[int, Features], clusters: Mapping[int, int]):
    """A member (key, features) -> (cluster, (key, features))."""
    key, features = item
    yield clusters[key], (key, features)


def _originality(
    item: tuple[int, nd.WordProfile], clusters: Mapping[int, int], freq: nd.WordFreq
) -> Iterator[tuple[int, float]]:
    """(key, profile) -> (key, originality), for cluster members only."""
    key, profile = item
    if key in clusters:
        yield key, nd.profile_originality(profile, freq) or 0.0


def _survivors(
    item: tuple[int, Iterable[tuple[int, Features]]],
    originality: Mapping[int, float],
    config: nd.NearDupConfig,
):
    """One cluster -> (key, Dropped) for new copies and (key, dropped count) for new survivors.

    Stored members are never dropped and always preferred as survivors.
    """
    _, group = item
    keys = {f.uid: key for key, f in group}
    features = {f.uid: f for _, f in group}
    signatures = {k: f.signature for k, f in features.items()}
    members = {
        k: nd.Member(
            k,
            f.published_date,
            0.0 if f.stored else originality.get(keys[k], 0.0),
            f.stored,
        )
        for k, f in features.items()
    }
    assignment = nd.split_chains(dict.fromkeys(features, "c"), signatures, members, config)
    counts: dict[str, int] = {}
    for member, kept in sorted(assignment.items()):
        if member == kept or features[member].stored:
            continue
        match = nd.verify(signatures[kept], signatures[member], config)
        survivor = features[kept]
        yield (
            keys[member],
            Dropped(kept, match.similarity, match.method, survivor.run_id, survivor.published_date),
        )
        if not survivor.stored:
            counts[kept] = counts.get(kept, 0) + 1
    for kept, count in counts.items():
        yield keys[kept], count


_ARTICLES = Metrics.counter("spindrift", "articles")
_UNDATED = Metrics.counter("spindrift", "articles_undated")


class _ApplyFn(beam.DoFn):
    """(article, signature) -> its decision applied (see `_apply`)."""

    def process(self, item: tuple[Article, nd.Signature], decisions: Mapping[int, Dropped | int]):
        yield from _apply(item, decisions.get(article_key(uid(item[0]))))


def _apply(item: tuple[Article, nd.Signature], decision: Dropped | int | None):
    """(article, signature) and its decision -> the article with `duplicate_count` and its
    IndexEntry (INDEX) when kept, else a Duplicate (DUPLICATES)."""
    article, sig = item
    if not isinstance(decision, Dropped):
        _ARTICLES.inc()
        if article.published_date is None:
            _UNDATED.inc()
        yield dataclasses.replace(article, duplicate_count=decision) if decision else article
        yield beam.pvalue.TaggedOutput(
            INDEX,
            IndexEntry(
                article_id=article.article_id,
                source_uri=article.source_uri,
                published_date=article.published_date,
                effective_date=effective_date(article.published_date, article.ingested_at),
                language=article.language,
                signature=sig,
                run_id=article.run_id,
            ),
        )
        return
    Metrics.counter("spindrift.duplicates", decision.method).inc()  # one counter per method
    kept_id, kept_uri = split_uid(decision.kept_uid)
    yield beam.pvalue.TaggedOutput(
        DUPLICATES,
        Duplicate.of(
            article,
            kept_id,
            kept_uri,
            decision.similarity,
            decision.method,
            decision.kept_run_id or article.run_id,
            decision.kept_date,
        ),
    )


class Deduplicated(NamedTuple):
    """What DropDuplicates returns: kept Articles, Duplicate rows, IndexEntry of kept ones."""

    articles: beam.PCollection
    duplicates: beam.PCollection
    index: beam.PCollection


class _Features(beam.PTransform):
    """Articles (one PCollection, or several parts) -> `features` (key, Features),
    `profiles` (key, WordProfile), `pending` (article, signature) and `freq`, the batch's
    WordFreq (a singleton). Parts are featurised where they are and only then flattened, so
    articles never wait for each other here."""

    def __init__(self, config: nd.NearDupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles):
        parts = list(articles) if isinstance(articles, tuple) else [articles]
        extracted = [
            part
            | f"Extract{i}"
            >> beam.FlatMap(_features, self._config).with_outputs(
                PROFILES, PENDING, main="features"
            )
            for i, part in enumerate(parts)
        ]

        def gather(tag: str):
            outs = [e[tag] for e in extracted]
            return (
                outs[0] if len(outs) == 1 else tuple(outs) | f"All{tag.title()}" >> beam.Flatten()
            )

        profiles = gather(PROFILES)
        freq = (
            profiles
            | "Profiles" >> beam.Values()
            | "WordFrequencies" >> beam.CombineGlobally(_WordFrequencies())
        )
        return {
            "features": gather("features"),
            PROFILES: profiles,
            PENDING: gather(PENDING),
            "freq": freq,
        }


class _BandKeys(beam.PTransform):
    """(key, Features) -> (key group, (band keys, article keys)) int64 arrays, in batches."""

    def __init__(self, config: nd.NearDupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, features):
        return (
            features
            | "Batch" >> beam.BatchElements(min_batch_size=64, max_batch_size=2048)
            | "BandKeys" >> beam.FlatMap(_band_keys, self._config)
        )


class _CandidatePairs(beam.PTransform):
    """Band keys of every article -> the candidate pairs (who shares a bucket), both ways, as
    (shard, (keys, partners)) int64 parts keyed by `_pair_shard` of their first key."""

    def __init__(self, config: nd.NearDupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, band_keys):
        return (
            band_keys
            | "GroupByKeyGroup" >> beam.GroupByKey()
            | "BucketPairs" >> beam.FlatMap(_bucket_pairs, self._config)
            | "ByKey" >> beam.FlatMap(_pair_parts)
        )


class _VerifyPairs(beam.PTransform):
    """(key, Features) of everyone + the candidate pair parts -> `pairs` (verified key pairs)
    and `members` ((key, Features) of both ends of each verified pair).

    Features and pairs meet per shard of article keys (a CoGroupByKey), so a worker holds one
    shard of the pair index, not all of it (docs/capacity.md)."""

    def __init__(self, config: nd.NearDupConfig, pair_parts) -> None:
        super().__init__()
        self._config = config
        self._pair_parts = pair_parts

    def expand(self, everyone):
        keyed = everyone | "KeyByShard" >> beam.Map(lambda kv: (_pair_shard(kv[0]), kv))
        return (
            {PAIRS: self._pair_parts, FEATURES: keyed}
            | "JoinPairs" >> beam.CoGroupByKey()
            | "Probe" >> beam.FlatMap(_probe_shard)
            | "GroupPairs" >> beam.GroupByKey()
            | "Verify" >> beam.FlatMap(_verify, self._config).with_outputs(MEMBERS, main="pairs")
        )


class _ChooseSurvivors(beam.PTransform):
    """Verified pairs, their members, profiles and WordFreq -> decisions per article key:
    Dropped for a copy, its dropped-copies count for a survivor (a dict side input)."""

    def __init__(self, config: nd.NearDupConfig, members, profiles, freq) -> None:
        super().__init__()
        self._config = config
        self._members, self._profiles, self._freq = members, profiles, freq

    def expand(self, pairs):
        clusters = beam.pvalue.AsDict(
            pairs
            | "AllPairs" >> beam.combiners.ToList()
            | "ClusterPairs" >> beam.FlatMap(_components)
        )
        originality = self._profiles | "Originality" >> beam.FlatMap(
            _originality, clusters, beam.pvalue.AsSingleton(self._freq)
        )
        return (
            self._members
            | "ClusterMembers" >> beam.FlatMap(_cluster_of, clusters)
            | "GroupByCluster" >> beam.GroupByKey()
            | "Survivors" >> beam.FlatMap(_survivors, beam.pvalue.AsDict(originality), self._config)
        )


class _ApplyDecisions(beam.PTransform):
    """(article, signature) + decisions -> kept articles, Duplicate rows, IndexEntry rows."""

    def __init__(self, decisions) -> None:
        super().__init__()
        self._decisions = decisions

    def expand(self, pending):
        applied = pending | "Apply" >> beam.ParDo(
            _ApplyFn(), beam.pvalue.AsDict(self._decisions)
        ).with_outputs(DUPLICATES, INDEX, main="articles")
        return Deduplicated(applied.articles, applied[DUPLICATES], applied[INDEX])


class DropDuplicates(beam.PTransform):
    """Article -> outputs `articles` (one survivor per duplicate group), `duplicates` and
    `index` (an IndexEntry per kept article).

    `stored`: IndexEntry of articles published by earlier runs; new articles are matched
    against them with the same rules, and a stored article always survives.
    Guarantees: every input is in exactly one of articles/duplicates; each Duplicate names a
    survivor it was verified against directly; the result does not depend on input order,
    runner or workers.
    """

    def __init__(
        self, config: nd.NearDupConfig = nd.DEFAULT, stored: beam.PCollection | None = None
    ) -> None:
        super().__init__()
        self._config = config
        self._stored = stored

    def expand(self, articles) -> Deduplicated:
        """`articles`: a PCollection of Article, or a tuple of them (e.g. RemoveBoilerplate's
        Cleaned parts), taken as one batch."""
        config = self._config
        extracted = articles | "Features" >> _Features(config)
        new = extracted["features"]
        # Band keys of new articles are computed in the fused per-article stage; stored
        # features get their own, so neither waits for the other.
        band_keys = new | "NewBandKeys" >> _BandKeys(config)
        everyone = new
        if self._stored is not None:
            previous = self._stored | "StoredFeatures" >> beam.Map(stored_features)
            stored_keys = previous | "StoredBandKeys" >> _BandKeys(config)
            band_keys = (band_keys, stored_keys) | "AllBandKeys" >> beam.Flatten()
            everyone = (new, previous) | "AllFeatures" >> beam.Flatten()
        pair_parts = band_keys | "CandidatePairs" >> _CandidatePairs(config)
        verified = everyone | "VerifyPairs" >> _VerifyPairs(config, pair_parts)
        decisions = verified.pairs | "ChooseSurvivors" >> _ChooseSurvivors(
            config, verified[MEMBERS], extracted[PROFILES], extracted["freq"]
        )
        return extracted[PENDING] | "ApplyDecisions" >> _ApplyDecisions(decisions)
