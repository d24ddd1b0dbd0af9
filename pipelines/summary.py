"""The summary a finished run prints: counts with breakdowns from the stage counters."""

from __future__ import annotations

from typing import Any

from pipelines.counters import by_prefix, duplicates_by_method

# Start-up (imports, checks, state, graph, runner start) longer than this gets its own line in
# the summary: a few seconds are normal for Beam, more deserve an explanation.
START_UP_NOTE_S = 5.0
TOP_LANGUAGES = 11  # languages named in the summary; the rest are summed as "others"
_LANGUAGE_COLUMNS = 4
_LABEL = 22  # summary label width


def human_bytes(n: int) -> str:
    """'11.7 KB', '1.0 MB' (powers of 1024); '' for 0."""
    if n <= 0:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} B" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""


def _breakdown(counts: dict[str, int]) -> str:
    parts = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} {v:,}" for k, v in parts)


def language_table(languages: dict[str, int], top: int = TOP_LANGUAGES) -> list[str]:
    """Languages by count as rows of a compact table; past `top`, one "+N others" cell."""
    ranked = sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))
    cells = [f"{lang} {n:,}" for lang, n in ranked[:top]]
    rest = ranked[top:]
    if rest:
        cells.append(f"+{len(rest)} others {sum(n for _, n in rest):,}")
    width = max((len(c) for c in cells), default=0) + 2
    rows = [cells[i : i + _LANGUAGE_COLUMNS] for i in range(0, len(cells), _LANGUAGE_COLUMNS)]
    return ["".join(c.ljust(width) for c in row).rstrip() for row in rows] or ["none"]


def start_up_note(timings: dict[str, float]) -> str | None:
    """Where start-up time went, when it is long enough to wonder about; else None."""
    parts = [
        ("imports", "imports (Beam)"),
        ("checks", "argument and input checks"),
        ("state", "lock, recovery and state files"),
        ("graph", "pipeline construction"),
        ("runner_start", "runner start"),
    ]
    total = sum(timings.get(k, 0.0) for k, _ in parts)
    if total < START_UP_NOTE_S:
        return None
    shown = ", ".join(
        f"{label} {timings[k]:.1f}s" for k, label in parts if timings.get(k, 0) >= 0.1
    )
    return f"{total:.1f}s: {shown}"


def summary(manifest: dict[str, Any], manifest_path: str) -> str:
    """A short human summary of a finished run, with breakdowns from the stage counters."""
    m = manifest
    counters = m.get("counters", {})
    dates = f"{m['date_min']} .. {m['date_max']}" if m["date_min"] else "no dates"

    def line(label: str, value: object, detail: str = "") -> str:
        text = f"  {label + ':':<{_LABEL - 2}}{value}"
        return f"{text}  ({detail})" if detail else text

    undated = counters.get("articles_undated")
    lines = [
        f"run {m['run_id']} finished in {m['timings']['wall_seconds']:.1f}s",
        line("files read", f"{m['matched']:,}", human_bytes(counters.get("bytes_read", 0))),
        line("articles written", f"{m['articles']:,}", f"{undated:,} undated" if undated else ""),
        line("duplicates dropped", f"{m['duplicates']:,}",
             _breakdown(duplicates_by_method(counters))),
        line("already ingested", f"{m['already_ingested']:,}"),
        line("quarantined", f"{m['quarantined']:,}",
             _breakdown(by_prefix(counters, "quarantine/"))),
    ]  # fmt: skip
    if m.get("superseded"):
        lines.append(line("superseded", f"{m['superseded']:,} published survivors",
                          "their rows moved to duplicates, pointing at this run's"))  # fmt: skip
    if m.get("skipped"):
        reasons = m.get("skipped_reasons") or {}
        lines.append(line("skipped", f"{m['skipped']:,} not regular files", _breakdown(reasons)))
    boilerplate = by_prefix(counters, "boilerplate/")  # a boilerplate stage's own counters
    if boilerplate.get("lines_removed"):
        lines.append(line("boilerplate", f"{boilerplate['lines_removed']:,} lines removed",
                          f"from {boilerplate.get('articles_cleaned', 0):,} articles"))  # fmt: skip
    langs = language_table(m["languages"])
    lines.append(line("languages", langs[0]))
    lines += [" " * _LABEL + row for row in langs[1:]]
    lines.append(line("date range", dates))
    note = start_up_note(m["timings"])
    if note:
        lines.append(line("start-up", note))
    lines.append(line("output", f"{m['output']}  (manifest {manifest_path})"))
    return "\n".join(lines)
