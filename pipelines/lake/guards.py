"""Usage guards on the output folder and the inputs: a lake is never written where it would
destroy something or read itself."""

from __future__ import annotations

import os
from collections.abc import Sequence

from pipelines.lake import layout
from pipelines.options import UsageError


def literal_base(pattern: str) -> str:
    """The folder a glob pattern cannot leave: its path up to the first glob character."""
    cut = min((i for i, ch in enumerate(pattern) if ch in layout.GLOB_CHARS), default=None)
    if cut is None:
        return pattern.rstrip("/") or "/"
    return pattern[:cut].rsplit("/", 1)[0] or "/"


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def check_paths(output: str | None, inputs: Sequence[str] | None) -> str:
    """The canonical output folder; UsageError when the output is empty, a glob, the file
    system root, or holds one of the inputs (the lake would read its own files)."""
    if output is None or not output.strip():
        raise UsageError("--output is empty; give the lake's folder")
    if any(ch in output for ch in layout.GLOB_CHARS):
        raise UsageError(f"--output {output!r} contains a glob character (* ? [); give one folder")
    out = layout.canonical(output.strip())
    if layout.is_local(out) and os.path.dirname(out) == out:
        raise UsageError(f"--output {output!r} is the file system root")
    for pattern in inputs or ():
        base = literal_base(layout.canonical(pattern))
        if inside(base, out):
            raise UsageError(f"--input {pattern!r} lies inside the output lake {output!r}")
    return out
