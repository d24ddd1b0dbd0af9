"""Clusters of verified pairs, chain splitting and the survivor of each cluster."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from pipelines.core.near_dup.config import DEFAULT, NearDupConfig
from pipelines.core.near_dup.verify import verify


@dataclass(frozen=True)
class Member:
    """A cluster member as seen by ``choose_survivor`` (article_id must be orderable).

    stored: the article is already published by an earlier run. By default it survives against
    new articles (published partitions are never rewritten); with superseding
    (`prefer_stored=False`) it meets them by the same rule as any member.
    exact: the signature's exact hash (the word stream), which tells an exact copy from an
    edited text of the same words; None: unknown (an edited text).
    """

    article_id: str
    published_date: _dt.date | str | None
    originality: float = 0.0
    stored: bool = False
    exact: int | None = None


def cluster(ids: Iterable[Hashable], pairs: Iterable[tuple[Hashable, Hashable]]) -> dict:
    """Connected components; cluster id = min member id. Independent of input order.

    Pairs mentioning ids not in ``ids`` are ignored. Transitive chains (A~B~C with A!~C) are
    merged here; use ``split_chains`` to re-check members against the survivor.
    """
    parent: dict = {i: i for i in ids}

    def find(x: Hashable) -> Hashable:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        if a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            # Union by smaller id keeps the root equal to the component minimum.
            if rb < ra:
                ra, rb = rb, ra
            parent[rb] = ra
    return {i: find(i) for i in parent}


def _date_key(d: _dt.date | str | None) -> tuple[int, str]:
    if d is None or d == "":
        return (1, "")
    if isinstance(d, _dt.datetime):
        return (0, d.isoformat())
    if isinstance(d, _dt.date):
        return (0, d.isoformat())
    return (0, str(d))


def choose_survivor(members: Iterable[Member], prefer_stored: bool = True) -> Member:
    """The member to keep: stored (already published) members first when `prefer_stored`
    (published partitions are never rewritten; off when a lake supersedes published
    survivors, so a group split over runs gets one batch run's survivor); then dates
    decide, but only between members that both have one. The best dated member (earliest
    date, then highest originality, then smallest id) and the best undated member (highest
    originality, then smallest id) meet on originality: a spun copy that gained a date line
    does not beat its undated original. Equal originality: between exact copies the dated
    one (nothing else tells them apart, and the kept row keeps the date); between edited
    texts of the same words (sentences swapped) the undated one, for the same reason as
    above: copies gain date lines, originals seldom lose them (issue 10's independent set;
    the copy's row in duplicates/ keeps its date).

    Deterministic and independent of input order. ISO date strings and ``date`` objects
    compare correctly; do not mix them with other string formats.
    """
    ms = list(members)
    if not ms:
        raise ValueError("choose_survivor needs at least one member")
    candidates = ([m for m in ms if m.stored] if prefer_stored else []) or ms
    dated = [m for m in candidates if _date_key(m.published_date)[0] == 0]
    undated = [m for m in candidates if _date_key(m.published_date)[0] == 1]
    best_dated = min(dated, key=lambda m: (_date_key(m.published_date), *_merit(m)), default=None)
    best_undated = min(undated, key=_merit, default=None)
    if best_dated is None or best_undated is None:
        return best_dated or best_undated
    if best_dated.originality != best_undated.originality:
        return min(best_dated, best_undated, key=_merit)
    exact_copies = best_dated.exact is not None and best_dated.exact == best_undated.exact
    return best_dated if exact_copies else best_undated


def _merit(member: Member) -> tuple[float, str]:
    """Sort key: most original first, then smallest id."""
    return -float(member.originality), member.article_id


def split_chains(
    clusters: dict,
    signatures: dict,
    members: dict,
    config: NearDupConfig = DEFAULT,
    prefer_stored: bool = True,
) -> dict:
    """Guard against transitive chaining: keep in each cluster only members that verify
    directly against the cluster's survivor; the rest are re-clustered among themselves
    (recursively, same rule). Returns id -> cluster id (cluster id = survivor id).
    `prefer_stored`: as in `choose_survivor`.
    """
    groups: dict = {}
    for aid, cid in clusters.items():
        groups.setdefault(cid, []).append(aid)
    out: dict = {}
    for ids in groups.values():
        pending = sorted(ids)
        while pending:
            surv = choose_survivor((members[i] for i in pending), prefer_stored).article_id
            rest = []
            for i in pending:
                if i == surv or verify(signatures[surv], signatures[i], config):
                    out[i] = surv
                else:
                    rest.append(i)
            pending = rest
    return out
