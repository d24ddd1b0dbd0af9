"""`spindrift report LAKE [--run ID] [-o report.html]`: one self-contained HTML page.

Volumes per day and language, duplicates by method with a similarity histogram, the largest
clusters, spun copies side by side with the swapped words highlighted, removed boilerplate,
quarantine by reason with examples, and the run history with timings. Charts are Plotly;
plotly.js (shipped inside the plotly wheel) is inlined, so the page needs no network.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence

DEFAULT_SAMPLES = 6  # spun copies shown side by side


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="spindrift report",
        description="Write one self-contained HTML page about a lake (no network needed to view).",
    )
    p.add_argument("lake", metavar="LAKE", help="the folder `spindrift ingest --output` wrote")
    p.add_argument("--run", metavar="ID", help="only this run's rows (see _runs/); default: all")
    p.add_argument(
        "-o", "--output", default="report.html", metavar="FILE", help="default: report.html"
    )
    p.add_argument(
        "--samples",
        type=int,
        default=DEFAULT_SAMPLES,
        metavar="N",
        help=f"spun copies shown side by side (default: {DEFAULT_SAMPLES})",
    )
    return p


def plotly_js() -> str:
    """plotly.js from the installed plotly package, safe to inline in a <script> element."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().replace("</script", "<\\/script")


def write_report(lake: str, output: str, run_id: str | None = None, samples: int = 6) -> str:
    """Render the report of `lake` to `output`; returns the path written."""
    from pipelines.report.data import load
    from pipelines.report.page import render

    page = render(load(lake, run_id, samples), plotly_js())
    temp = f"{output}.tmp"
    with open(temp, "w", encoding="utf-8") as handle:
        handle.write(page)
    os.replace(temp, output)
    return output


def main(argv: Sequence[str] | None = None) -> int:
    """`spindrift report`: exit 0 written, 1 failed, 2 bad arguments (missing lake, no such run)."""
    args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not os.path.isdir(args.lake):
        print(f"spindrift: error: lake folder {args.lake!r} does not exist", file=sys.stderr)
        return 2
    if args.run:
        from pipelines.report.data import load_runs

        runs = [r["run_id"] for r in load_runs(args.lake)]
        if args.run not in runs:
            close = difflib.get_close_matches(args.run, runs, n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]}?" if close else f"; runs: {', '.join(runs[-5:])}"
            print(f"spindrift: error: no run {args.run!r} in {args.lake}{hint}", file=sys.stderr)
            return 2
    try:
        path = write_report(args.lake, args.output, args.run, args.samples)
    except OSError as exc:
        print(f"spindrift: error: cannot write {args.output!r}: {exc.strerror}", file=sys.stderr)
        return 1
    size = os.path.getsize(path)
    print(f"wrote {path} ({size / 1e6:.1f} MB); open it in a browser (works offline)")
    return 0
