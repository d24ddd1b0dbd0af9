"""The stages' Beam Metrics counters as a flat dict, and the breakdowns read from it (no Beam)."""

from __future__ import annotations

from collections.abc import Iterable

NAMESPACE = "spindrift"  # every counter the stages define lives in this namespace (or below)


def counter_dict(items: Iterable[tuple[str, str, int]]) -> dict[str, int]:
    """{key: value} of every user counter: `name` in namespace `spindrift`, `sub/name` in
    `spindrift.sub`, `namespace/name` in any other namespace (kept for the manifest)."""
    out: dict[str, int] = {}
    for namespace, name, value in items:
        if namespace == NAMESPACE:
            key = name
        elif namespace.startswith(NAMESPACE + "."):
            key = f"{namespace[len(NAMESPACE) + 1 :]}/{name}"
        else:
            key = f"{namespace}/{name}"
        out[key] = out.get(key, 0) + int(value)
    return dict(sorted(out.items()))


def by_prefix(counters: dict[str, int], *prefixes: str) -> dict[str, int]:
    """{suffix: value} of the counters under the first prefix that has any, e.g.
    by_prefix(c, "duplicates/", "dedup/dropped_") -> {"exact": 3, "near:skeleton": 9}."""
    for prefix in prefixes:
        found = {k[len(prefix) :]: v for k, v in counters.items() if k.startswith(prefix)}
        if found:
            return found
    return {}


def duplicates_by_method(counters: dict[str, int]) -> dict[str, int]:
    """Dropped duplicates per method, from the stage counters (this module's names, or the
    `dedup` namespace's `dropped_<method>` where a dedup stage counts under its own)."""
    return by_prefix(counters, "duplicates/", "dedup/dropped_")


def articles_kept(counters: dict[str, int]) -> int | None:
    for key in ("articles", "dedup/articles_kept"):
        if key in counters:
            return counters[key]
    return None
