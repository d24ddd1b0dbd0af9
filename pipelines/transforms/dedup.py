"""DropDuplicates: find exact and near (spun, reworded) duplicates; keep one article per group.

Only compact signatures and ids are shuffled; article bodies never leave their worker. Steps:

1. WordFrequencies: document frequencies per language over the batch (one combine), for the
   originality score that breaks survivor ties between same-day copies.
2. Features: per article a `near_dup.Signature`, its date and originality.
3. CandidatePairs: LSH band keys, batched per key group -> buckets (capped) -> candidate id
   pairs, deduplicated.
4. VerifyPairs: join both signatures onto each pair and verify it.
5. ClusterPairs: connected components of verified pairs (a single small combine).
6. ChooseSurvivors: per cluster, re-check members against the survivor (no A~B~C chains) and
   pick the survivor: earliest date, then most original, then smallest id.
7. ApplyDecisions: kept articles carry `duplicate_count`; the others become Duplicate rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam
import numpy as np

from pipelines.core import near_dup as nd
from pipelines.core.index import IndexEntry, effective_date
from pipelines.core.records import Article, Duplicate

DUPLICATES = "duplicates"
INDEX = "index"
MEMBERS = "members"
PROFILES = "profiles"


def uid(article: Article) -> str:
    """Unique key of an article in a run; sorts by article_id, then source_uri."""
    return f"{article.article_id}|{article.source_uri}"


def article_key(uid_: str) -> int:
    """63-bit integer key of a uid: what the shuffles inside DropDuplicates are keyed by.

    Band keys, candidate pairs and joins carry this 8-byte int instead of the ~90-character
    uid: measured at 25k articles, the uid made up most of the ~115 MB of band keys. Two uids
    with one key (odds ~n^2 / 2^64) fail the run in `_probe` rather than merging articles.
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


_NO_PROFILE = nd.WordProfile("", np.zeros(0, np.uint64), 0)


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


def _features(article: Article, config: nd.NearDupConfig):
    """Main output: (key, Features); PROFILES: (key, WordProfile), kept apart because only
    cluster members need it, and it is the larger part. Keys are `article_key(uid)`."""
    uid_ = uid(article)
    key = article_key(uid_)
    sig = nd.signature(article.body, article.language, config, title=article.title)
    yield key, Features(uid_, article.published_date, sig)
    yield beam.pvalue.TaggedOutput(PROFILES, (key, nd.word_profile(article.body, article.language)))


# LSH keys are spread over this many groups; each group's buckets are built in one dict.
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
    """One key group -> its candidate pairs (a, b), a < b, each once."""
    _, batches = item
    parts = list(batches)
    band = np.concatenate([b for b, _ in parts])
    owner = np.concatenate([o for _, o in parts])
    order = np.lexsort((owner, band))  # by band key, then article key
    band, owner = band[order], owner[order]
    starts = np.flatnonzero(np.concatenate([[True], band[1:] != band[:-1]]))
    sizes = np.diff(np.append(starts, len(band)))
    # Buckets of two (most of them) are paired in one vectorised step; larger ones go
    # through nd.bucket_pairs (cap and window).
    two = starts[sizes == 2]
    a, b = owner[two], owner[two + 1]
    distinct = a != b
    pairs: set[tuple[int, int]] = set(zip(a[distinct].tolist(), b[distinct].tolist(), strict=True))
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
        pairs.update(nd.bucket_pairs(owner[start : start + size].tolist(), config))
    yield from sorted(pairs)


def _only(features: Iterable[Features], key: int) -> Features:
    found = list(features)
    if len(found) != 1:
        raise RuntimeError(
            f"article key {key} is shared by {sorted(f.uid for f in found)}: either the index "
            "already holds this input (its ledger entry is gone) or two uids collide in 64 "
            "bits; move one of these inputs to a later run"
        )
    return found[0]


def _probe(item: tuple[int, dict]) -> Iterator[tuple[int, tuple[int, Features]]]:
    """Pairs (a, b) keyed by a, joined with a's features -> (b, (a, features_a)), once each."""
    key, joined = item
    features = _only([*joined["features"], *joined.get("stored", ())], key)
    for other in sorted(set(joined["pairs"])):
        yield other, (key, features)


def _verify(item: tuple[int, dict], config: nd.NearDupConfig):
    """Main output: verified (a, b) key pairs; MEMBERS: (key, Features) of both ends."""
    key, joined = item
    features = _only([*joined["features"], *joined.get("stored", ())], key)
    for other_key, other in joined["probes"]:
        if other.stored and features.stored:
            continue  # both already published: nothing to decide
        if nd.verify(other.signature, features.signature, config):
            yield other_key, key
            yield beam.pvalue.TaggedOutput(MEMBERS, (other_key, other))
            yield beam.pvalue.TaggedOutput(MEMBERS, (key, features))


def _components(pairs: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    ids = {i for pair in pairs for i in pair}
    yield from nd.cluster(ids, pairs).items()


def _in_cluster(item: tuple[int, dict]) -> Iterator[tuple[int, tuple[Features, nd.WordProfile]]]:
    _, joined = item
    clusters = list(joined["cluster"])
    if clusters:  # else: not in any verified pair
        profiles = list(joined["profile"])
        member = next(iter(joined["members"]))
        yield clusters[0], (member, profiles[0] if profiles else _NO_PROFILE)


def _survivors(item: tuple[int, Iterable[tuple]], freq: nd.WordFreq, config):
    """One cluster -> (key, Dropped) for new copies and (key, dropped count) for new survivors.

    Stored members are never dropped and always preferred as survivors.
    """
    _, group = item
    features = {f.uid: f for f, _ in group}
    profiles = {f.uid: p for f, p in group}
    signatures = {k: f.signature for k, f in features.items()}
    members = {
        k: nd.Member(
            k,
            f.published_date,
            0.0 if f.stored else (nd.profile_originality(profiles[k], freq) or 0.0),
            f.stored,
        )
        for k, f in features.items()
    }
    assignment = nd.split_chains(dict.fromkeys(features, "c"), signatures, members, config)
    counts: dict[str, int] = {}
    for key, kept in sorted(assignment.items()):
        if key == kept or features[key].stored:
            continue
        match = nd.verify(signatures[kept], signatures[key], config)
        survivor = features[kept]
        yield (
            article_key(key),
            Dropped(kept, match.similarity, match.method, survivor.run_id, survivor.published_date),
        )
        if not survivor.stored:
            counts[kept] = counts.get(kept, 0) + 1
    for kept, count in counts.items():
        yield article_key(kept), count


def _apply(item: tuple[int, dict]) -> Iterator[Article | beam.pvalue.TaggedOutput]:
    """(key, {articles, decisions, features}) -> kept Article (with duplicate_count) and its
    IndexEntry, or a Duplicate."""
    _, joined = item
    decisions = list(joined["decisions"])
    decision = decisions[0] if decisions else None
    for article in joined["articles"]:  # one article per uid
        if isinstance(decision, Dropped):
            kept_id, kept_uri = split_uid(decision.kept_uid)
            later = (
                decision.kept_date is not None
                and article.published_date is not None
                and decision.kept_date > article.published_date
            )
            yield beam.pvalue.TaggedOutput(
                DUPLICATES,
                Duplicate(
                    article_id=article.article_id,
                    source_uri=article.source_uri,
                    title=article.title,
                    published_date=article.published_date,
                    language=article.language,
                    content_hash=article.content_hash,
                    kept_article_id=kept_id,
                    kept_source_uri=kept_uri,
                    similarity=decision.similarity,
                    method=decision.method,
                    cluster_id=kept_id,
                    kept_run_id=decision.kept_run_id or article.run_id,
                    kept_is_later=later,
                    ingested_at=article.ingested_at,
                    run_id=article.run_id,
                ),
            )
            continue
        yield dataclasses.replace(article, duplicate_count=decision or 0)
        (features,) = joined["features"]
        yield beam.pvalue.TaggedOutput(
            INDEX,
            IndexEntry(
                article_id=article.article_id,
                source_uri=article.source_uri,
                published_date=article.published_date,
                effective_date=effective_date(article.published_date, article.ingested_at),
                language=article.language,
                signature=features.signature,
                run_id=article.run_id,
            ),
        )


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

    def expand(self, articles: beam.PCollection[Article]) -> beam.pvalue.DoOutputsTuple:
        config = self._config
        extracted = articles | "Features" >> beam.FlatMap(_features, config).with_outputs(
            PROFILES, main="features"
        )
        new, profiles = extracted.features, extracted[PROFILES]
        # Stored features join as their own input rather than being flattened with the new
        # ones: the DirectRunner materializes a multi-input Flatten as a separate stage that
        # re-reads every element, and band keys of new articles would move out of the fused
        # per-article stage with it.
        previous = (
            self._stored | "StoredFeatures" >> beam.Map(stored_features)
            if self._stored is not None
            else None
        )
        freq = (
            profiles
            | "Profiles" >> beam.Values()
            | "WordFrequencies" >> beam.CombineGlobally(_WordFrequencies())
        )
        band_keys = (
            new
            | "Batch" >> beam.BatchElements(min_batch_size=64, max_batch_size=2048)
            | "BandKeys" >> beam.FlatMap(_band_keys, config)
        )
        with_stored = {"features": new}
        if previous is not None:
            stored_keys = (
                previous
                | "StoredBatch" >> beam.BatchElements(min_batch_size=64, max_batch_size=2048)
                | "StoredBandKeys" >> beam.FlatMap(_band_keys, config)
            )
            band_keys = (band_keys, stored_keys) | "AllBandKeys" >> beam.Flatten()
            with_stored["stored"] = previous
        pairs = (
            band_keys
            | "GroupByKeyGroup" >> beam.GroupByKey()
            | "CandidatePairs" >> beam.FlatMap(_bucket_pairs, config)
        )
        probes = (
            {**with_stored, "pairs": pairs}
            | "JoinFirst" >> beam.CoGroupByKey()
            | "Probe" >> beam.FlatMap(_probe)
        )
        verified = (
            {**with_stored, "probes": probes}
            | "JoinSecond" >> beam.CoGroupByKey()
            | "VerifyPairs" >> beam.FlatMap(_verify, config).with_outputs(MEMBERS, main="pairs")
        )
        clusters = (
            verified.pairs
            | "AllPairs" >> beam.combiners.ToList()
            | "ClusterPairs" >> beam.FlatMap(_components)
        )
        decisions = (
            {"members": verified[MEMBERS], "cluster": clusters, "profile": profiles}
            | "JoinClusters" >> beam.CoGroupByKey()
            | "InCluster" >> beam.FlatMap(_in_cluster)
            | "GroupByCluster" >> beam.GroupByKey()
            | "ChooseSurvivors" >> beam.FlatMap(_survivors, beam.pvalue.AsSingleton(freq), config)
        )
        return (
            {"articles": articles | "KeyByUid" >> beam.Map(lambda a: (article_key(uid(a)), a)),
             "decisions": decisions, "features": new}
            | "JoinDecisions" >> beam.CoGroupByKey()
            | "ApplyDecisions"
            >> beam.FlatMap(_apply).with_outputs(DUPLICATES, INDEX, main="articles")
        )  # fmt: skip
