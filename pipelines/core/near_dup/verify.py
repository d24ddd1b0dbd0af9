"""Pair verification: containment, positional coverage and order of the shared shingles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.core.near_dup.config import DEFAULT, NearDupConfig
from pipelines.core.near_dup.openings import openings_differ
from pipelines.core.near_dup.own_text import rests_on_common_lines
from pipelines.core.near_dup.skeleton import POSITION_LEVELS, Signature


@dataclass(frozen=True)
class Match:
    """A verified duplicate pair. method: "exact" or "near:<mode>"."""

    similarity: float
    method: str


def _coverage(positions: np.ndarray, hit_idx: np.ndarray, config: NearDupConfig) -> float:
    """Fraction of an article's position-chunks whose shingles are >= chunk_min_fraction
    matched (chunks without shingles do not count). An article has ``config.chunks`` equal
    chunks, fewer when it has under four shingles per chunk."""
    k = max(1, min(config.chunks, len(positions) // 4))
    chunks = (positions.astype(np.intp) * k) >> 8  # positions are in 1/256ths
    size = np.bincount(chunks, minlength=config.chunks)
    hits = np.bincount(chunks[hit_idx], minlength=config.chunks)
    present = size > 0
    ok = hits[present] >= config.chunk_min_fraction * size[present]
    return float(ok.mean()) if ok.size else 0.0


def _order(pos_a: np.ndarray, pos_b: np.ndarray) -> float:
    """Among consecutive shared shingles in A's order, the fraction whose position in B moves
    forward (steps where B's position does not change are not counted)."""
    order = np.lexsort((pos_b, pos_a))
    steps = np.diff(pos_b[order].astype(np.int16))
    moved = int(np.count_nonzero(steps))
    return float(np.count_nonzero(steps > 0) / moved) if moved else 1.0


def _main_share(sig: Signature, hit_idx: np.ndarray) -> float:
    """Fraction of the shingles in the signature's main block that are shared."""
    if sig.main_start == 0 and sig.main_end >= POSITION_LEVELS:
        return len(hit_idx) / max(1, len(sig.positions))
    inside = (sig.positions >= sig.main_start) & (sig.positions < sig.main_end)
    n = int(np.count_nonzero(inside))
    return int(np.count_nonzero(inside[hit_idx])) / n if n else 1.0


def _numbers_differ(a: Signature, b: Signature, config: NearDupConfig) -> bool:
    """Whether the article with fewer numbers has enough of them (min_numbers) and too few
    (< min_number_containment) appear in the other: a follow-up with new figures."""
    small, large = (
        (a.numbers, b.numbers) if len(a.numbers) <= len(b.numbers) else (b.numbers, a.numbers)
    )
    if len(small) < config.min_numbers:
        return False
    shared = np.count_nonzero(np.isin(small, large, assume_unique=True))
    return shared < config.min_number_containment * len(small)


def verify(a: Signature, b: Signature, config: NearDupConfig = DEFAULT) -> Match | None:
    """Decide whether two signatures are duplicates. Symmetric and deterministic.

    exact: identical word streams. near:<mode>: skeleton-shingle containment of the smaller
    article >= min_containment, >= min_shared shared shingles, and the shared shingles spread
    over >= min_coverage of the smaller article's chunks and >= min_coverage_larger of the
    larger's (so a shared block of boilerplate is not a duplicate; not asked of a smaller
    article more than full_containment contained: a clean text inside its page), in the same order
    (>= min_order: so chance overlap of two long texts is not a duplicate), and covering
    >= min_main_containment of either article's main block (so shared chrome that outweighs
    two short articles is not a duplicate); and, when the article with fewer numbers has
    >= min_numbers, >= min_number_containment of them in the other (a spinner keeps every
    figure; a follow-up story that reuses background sentences reports new ones); and unless
    both open with >= opening_min_words words of their own before the first line they share,
    openings that do not match (``openings``: two articles sharing a later block). When both
    signatures carry their own text (``Signature.own``), a match that rests on lines many
    distinct articles of the batch carry (site chrome) is refused (``own_text``).
    """
    if a.exact == b.exact:
        return Match(1.0, "exact")
    na, nb = len(a.shingles), len(b.shingles)
    if na == 0 or nb == 0:
        return None
    _, ia, ib = np.intersect1d(a.shingles, b.shingles, assume_unique=True, return_indices=True)
    inter = len(ia)
    if inter < config.min_shared:
        return None
    containment = inter / min(na, nb)
    if containment < config.min_containment:
        return None
    # The smaller article must be matched throughout; the larger one may have lost sentences
    # in the copy, so it only needs matches over a good part of its length. Shared boilerplate
    # fails both (its matches sit in one block of each article).
    cov_a, cov_b = _coverage(a.positions, ia, config), _coverage(b.positions, ib, config)
    if na > nb or (na == nb and cov_a > cov_b):
        cov_a, cov_b = cov_b, cov_a
    if cov_a < config.min_coverage or (
        cov_b < config.min_coverage_larger and containment <= config.full_containment
    ):
        return None
    # Order is read along the smaller article (ties: the smaller exact hash), so the check is
    # symmetric.
    if (nb, b.exact) < (na, a.exact):
        a, b, ia, ib = b, a, ib, ia
    if _order(a.positions[ia], b.positions[ib]) < config.min_order:
        return None
    if _numbers_differ(a, b, config):
        return None
    # Shared chrome (sidebars, comment threads, headline lists of one site) can pass all of
    # the above when it outweighs two short articles; copies share an article's main block.
    if max(_main_share(a, ia), _main_share(b, ib)) < config.min_main_containment:
        return None
    # Two pages that open with different articles and share a later block word for word.
    if config.opening_min_words and openings_differ(
        a, b, config.opening_min_words, config.min_containment
    ):
        return None
    if (
        a.own is not None
        and b.own is not None
        and rests_on_common_lines(a, a.own, b, b.own, lambda x, y: verify(x, y, config))
    ):
        return None
    mode = a.mode if a.mode == b.mode else f"{a.mode}|{b.mode}"
    return Match(round(float(containment), 6), f"near:{mode}")
