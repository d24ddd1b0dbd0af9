"""DropDuplicates: find exact and near (spun, reworded) duplicates; keep one article per group.

Only compact signatures and integer ids are shuffled to find duplicates; each body moves once,
to ApplyDecisions. The steps are the sub-composites of `DropDuplicates`:

1. _Features: per article its `near_dup.Signature` (with date) and its originality (a
   function of the article alone: `near_dup.originality`), both from one tokenisation.
   _CommonLines counts the lines many distinct articles carry (site chrome); an article
   holding some gets a second signature of its own text (`Signature.own`), and a pair that
   matches only through such lines is refused.
2. _BandKeys, _CandidatePairs: candidate keys (LSH bands, exact, long lines), batched per
   key group -> buckets (capped) -> candidate pairs, both ways, as int64 arrays split into
   PAIR_SHARDS shards of article keys.
3. _VerifyPairs: per shard, its pairs meet its articles' features (a CoGroupByKey) and each
   article with a candidate partner sends its features to its larger partners; one GroupByKey
   brings both signatures of every pair together.
4. _ChooseSurvivors: connected components of verified pairs (one small combine); per
   cluster, members are re-checked against the survivor (no A~B~C chains) and the survivor
   is picked (`near_dup.choose_survivor`; with `supersede`, published members compete by the
   same rule and those beaten come out as SUPERSEDED: `supersede.py`). Each dropped member
   leaves its candidate keys with its survivor (FAMILY, `near_dup.family`), which
   `AttachFamilies` adds to the survivor's index entry: a later run buckets the entry under
   them too, so a copy that only a dropped sibling was near still meets the survivor.
5. _ApplyDecisions: kept articles carry `duplicate_count` and get an IndexEntry (with the
   signature and originality computed in step 1, carried with the article); the others
   become Duplicate rows.

What every worker reads whole (side inputs): cluster ids and decisions, proportional to
clustered articles (~100-300 bytes each as Python objects), and the common lines. The
candidate pairs, which grow faster than the articles (docs/capacity.md), are never broadcast:
a worker holds one shard of them (16 bytes per pair and direction).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import apache_beam as beam
import numpy as np
from apache_beam.metrics import Metrics

from pipelines.core import near_dup as nd
from pipelines.core.boilerplate import published_sketch
from pipelines.core.index import IndexEntry, effective_date
from pipelines.core.near_dup import family
from pipelines.core.records import Article, Duplicate
from pipelines.transforms.dedup import supersede as _supersede
from pipelines.transforms.dedup.common_lines import _CommonLines
from pipelines.transforms.dedup.families import AttachFamilies, _MergeFamilyKeys  # noqa: F401  (AttachFamilies: the stage's public name)
from pipelines.transforms.dedup.features import (  # noqa: F401  (the stage's public names)
    _NO_POSITIONS,
    _NO_SHINGLES,
    DUPLICATES,
    FAMILY,
    FEATURES,
    INDEX,
    MEMBERS,
    PAIRS,
    PENDING,
    SUPERSEDED,
    Dropped,
    Features,
    _features,
    article_features,
    article_key,
    split_uid,
    stored_features,
    uid,
)
from pipelines.transforms.dedup.pairs import (  # noqa: F401
    PAIR_SHARDS,
    PairIndex,
    _band_keys,
    _bucket_pairs,
    _components,
    _pair_parts,
    _pair_shard,
    _probe,
    _probe_shard,
    _stored_band_keys,
    _verify,
)


def _cluster_of(item: tuple[int, Features], clusters: Mapping[int, int]):
    """A member (key, features) -> (cluster, (key, features))."""
    key, features = item
    yield clusters[key], (key, features)


def _survivors(
    item: tuple[int, Iterable[tuple[int, Features]]],
    config: nd.NearDupConfig,
    supersede: bool = False,
):
    """One cluster -> (key, Dropped) for new copies and (key, dropped count) for new survivors;
    FAMILY: (survivor key, candidate keys of a member dropped for it) per dropped member.

    Stored members are never dropped and always preferred as survivors; with `supersede`, the
    batch rule picks the survivor among all members, and a stored member dropped for a new
    one is a SUPERSEDED output (`core.supersede.Superseded`).
    """
    _, group = item
    keys = {f.uid: key for key, f in group}
    features = {f.uid: f for _, f in group}
    signatures = {k: f.signature for k, f in features.items()}
    members = {
        k: nd.Member(
            k,
            f.published_date,
            _supersede.member_originality(f, supersede),
            f.stored,
            f.signature.exact,
        )
        for k, f in features.items()
    }
    assignment = nd.split_chains(
        dict.fromkeys(features, "c"), signatures, members, config, prefer_stored=not supersede
    )
    counts: dict[str, int] = {}
    own_keys: dict[str, np.ndarray] = {}  # a survivor's own candidate keys, once per survivor
    for member, kept in sorted(assignment.items()):
        survivor = features[kept]
        if member == kept or (features[member].stored and survivor.stored and not supersede):
            continue
        match = nd.verify(signatures[kept], signatures[member], config)
        # The survivor's index entry keeps the copy's candidate keys (`near_dup.family`).
        if kept not in own_keys:
            own_keys[kept] = nd.candidate_key_array(signatures[kept], config)
        keys_left = family.family_keys(signatures[member], own_keys[kept], config)
        yield beam.pvalue.TaggedOutput(FAMILY, (keys[kept], family.to_bytes(keys_left)))
        if features[member].stored:
            # Only when superseding: a new article beats it, or linked it with a published
            # survivor that beats it (one batch run over both would have dropped it).
            yield beam.pvalue.TaggedOutput(
                SUPERSEDED, _supersede.superseded(features[member], survivor, match)
            )
            if not survivor.stored:
                counts[kept] = counts.get(kept, 0) + 1
            continue
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
    """(article, signature, originality) -> its decision applied (see `_apply`)."""

    def process(
        self, item: tuple[Article, nd.Signature, float], decisions: Mapping[int, Dropped | int]
    ):
        yield from _apply(item, decisions.get(article_key(uid(item[0]))))


def _apply(item: tuple[Article, nd.Signature, float], decision: Dropped | int | None):
    """(article, signature, originality) and its decision -> the article with
    `duplicate_count` and its IndexEntry (INDEX, with the originality a later commit compares
    a new member with) when kept, else a Duplicate (DUPLICATES)."""
    article, sig, originality = item
    if not isinstance(decision, Dropped):
        _ARTICLES.inc()
        if article.published_date is None:
            _UNDATED.inc()
        yield dataclasses.replace(article, duplicate_count=decision) if decision else article
        # What later runs count repeated chrome lines with (RemoveBoilerplate's `stored`).
        line_hashes, line_long = published_sketch(article.body, article.boilerplate).to_bytes()
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
                originality=originality,
                line_hashes=line_hashes,
                line_long=line_long,
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
    """What DropDuplicates returns: kept Articles, Duplicate rows, IndexEntry of kept ones,
    the published survivors they supersede (`core.supersede.Superseded`; none unless
    superseding) and `families`: (survivor key, candidate keys of its dropped copies), what
    `AttachFamilies` adds to the index entries (new and stored) before they are written."""

    articles: beam.PCollection
    duplicates: beam.PCollection
    index: beam.PCollection
    superseded: beam.PCollection | None = None
    families: beam.PCollection | None = None


class _Features(beam.PTransform):
    """Articles (one PCollection, or several parts) -> `features` (key, Features) and
    `pending` (article, signature). Parts are featurised where they are and only then flattened;
    every part waits for the batch's common lines (`_CommonLines`: site chrome that many
    distinct articles carry), which the signatures' own text leaves out."""

    def __init__(self, config: nd.NearDupConfig) -> None:
        super().__init__()
        self._config = config

    def expand(self, articles):
        parts = list(articles) if isinstance(articles, tuple) else [articles]
        common = beam.pvalue.AsSingleton(articles | "CommonLines" >> _CommonLines())
        extracted = [
            part
            | f"Extract{i}"
            >> beam.FlatMap(_features, self._config, common).with_outputs(PENDING, main="features")
            for i, part in enumerate(parts)
        ]

        def gather(tag: str):
            outs = [e[tag] for e in extracted]
            return (
                outs[0] if len(outs) == 1 else tuple(outs) | f"All{tag.title()}" >> beam.Flatten()
            )

        return {"features": gather("features"), PENDING: gather(PENDING)}


class _BandKeys(beam.PTransform):
    """(key, Features) -> (key group, (band keys, article keys)) int64 arrays, in batches;
    `stored`: IndexEntry instead, bucketed under their family's keys too."""

    def __init__(self, config: nd.NearDupConfig, stored: bool = False) -> None:
        super().__init__()
        self._config = config
        self._keys = _stored_band_keys if stored else _band_keys

    def expand(self, features):
        return (
            features
            | "Batch" >> beam.BatchElements(min_batch_size=64, max_batch_size=2048)
            | "BandKeys" >> beam.FlatMap(self._keys, self._config)
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
    """Verified pairs and their members -> decisions per article key: Dropped for a copy, its
    dropped-copies count for a survivor (a dict side input); SUPERSEDED: the published
    survivors a new article beats (with `supersede`); FAMILY: (survivor key, a dropped
    member's candidate keys)."""

    def __init__(self, config: nd.NearDupConfig, members, supersede: bool = False) -> None:
        super().__init__()
        self._config = config
        self._members = members
        self._supersede = supersede

    def expand(self, pairs):
        clusters = beam.pvalue.AsDict(
            pairs
            # No pairs, no list (and four transforms less): the dict side input is then empty.
            | "AllPairs"
            >> beam.CombineGlobally(beam.combiners.ToListCombineFn()).without_defaults()
            | "ClusterPairs" >> beam.FlatMap(_components)
        )
        return (
            self._members
            | "ClusterMembers" >> beam.FlatMap(_cluster_of, clusters)
            | "GroupByCluster" >> beam.GroupByKey()
            | "Survivors"
            >> beam.FlatMap(_survivors, self._config, self._supersede).with_outputs(
                SUPERSEDED, FAMILY, main="decisions"
            )
        )


class _ApplyDecisions(beam.PTransform):
    """(article, signature) + decisions -> kept articles, Duplicate rows, IndexEntry rows."""

    def __init__(self, decisions) -> None:
        super().__init__()
        self._decisions = decisions

    def expand(self, pending):
        applied = pending | "Apply" >> beam.ParDo(
            _ApplyFn(), beam.pvalue.AsDict(self._decisions.decisions)
        ).with_outputs(DUPLICATES, INDEX, main="articles")
        families = self._decisions[FAMILY] | "MergeFamilies" >> beam.CombinePerKey(
            _MergeFamilyKeys()
        ).with_output_types(tuple[int, bytes])
        return Deduplicated(
            applied.articles,
            applied[DUPLICATES],
            applied[INDEX],
            self._decisions[SUPERSEDED],
            families,
        )


class DropDuplicates(beam.PTransform):
    """Article -> outputs `articles` (one survivor per duplicate group), `duplicates` and
    `index` (an IndexEntry per kept article).

    `stored`: IndexEntry of articles published by earlier runs; new articles are matched
    against them with the same rules, and a stored article survives unless `supersede`
    (then the batch rule decides, and `superseded` lists the published survivors beaten).
    Guarantees: every input is in exactly one of articles/duplicates; each Duplicate names a
    survivor it was verified against directly; the result does not depend on input order,
    runner or workers.
    """

    def __init__(
        self,
        config: nd.NearDupConfig = nd.DEFAULT,
        stored: beam.PCollection | None = None,
        supersede: bool = False,
    ) -> None:
        super().__init__()
        self._config = config
        self._stored = stored
        self._supersede = supersede

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
            stored_keys = self._stored | "StoredBandKeys" >> _BandKeys(config, stored=True)
            band_keys = (band_keys, stored_keys) | "AllBandKeys" >> beam.Flatten()
            everyone = (new, previous) | "AllFeatures" >> beam.Flatten()
        pair_parts = band_keys | "CandidatePairs" >> _CandidatePairs(config)
        verified = everyone | "VerifyPairs" >> _VerifyPairs(config, pair_parts)
        decisions = verified.pairs | "ChooseSurvivors" >> _ChooseSurvivors(
            config, verified[MEMBERS], self._supersede
        )
        return extracted[PENDING] | "ApplyDecisions" >> _ApplyDecisions(decisions)
