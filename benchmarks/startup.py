"""Fixed cost of a small run: graph construction, runner start and the run itself.

    python benchmarks/startup.py [--runs 7] [--input seeds]

Runs the real job in one process `--runs` times over the same small input (the seeds by
default), each time into a new lake in a temporary folder, and prints the median of the
manifest's timings and the number of leaf transforms in the graph. On a small batch Beam's
per-transform cost (DoFn introspection when the graph is built, bundle set-up when it runs)
is most of the wall time, so the transform count is the figure to watch. Compare two commits
side by side (one worktree each, alternating), as the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAPS = ("graph", "runner_start", "run", "wall_seconds")


def leaf_transforms(inputs: str) -> int:
    """Leaf transforms of the job's graph over `inputs` (built as a run builds it, not run)."""
    import apache_beam as beam

    from pipelines.config import PipelineConfig
    from pipelines.ingest import build
    from pipelines.lake import layout
    from pipelines.options import resolve_inputs
    from pipelines.run_context import RunContext

    class Count(beam.pipeline.PipelineVisitor):
        leaves = 0

        def visit_transform(self, node) -> None:
            self.leaves += 1

    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        pipeline = beam.Pipeline()
        paths = [layout.canonical(p) for p in resolve_inputs([inputs])]
        build(pipeline, paths, PipelineConfig(), RunContext.new(tmp))
        counter = Count()
        pipeline.visit(counter)
        # Beam makes this folder when a pipeline is built and removes it only when it runs.
        shutil.rmtree(pipeline.local_tempdir, ignore_errors=True)
    return counter.leaves


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--input", default=str(ROOT / "seeds"))
    args = ap.parse_args(argv)
    from pipelines import ingest

    laps: dict[str, list[float]] = {k: [] for k in LAPS}
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp:
        for i in range(args.runs + 1):
            timings = ingest.run(["--input", args.input, "--output", f"{tmp}/lake{i}"]).manifest[
                "timings"
            ]
            if i == 0:
                continue  # the first run also pays one-time imports and model loads
            for k in LAPS:
                laps[k].append(timings[k])
    medians = {k: round(statistics.median(v), 3) for k, v in laps.items()}
    print(f"leaf transforms: {leaf_transforms(args.input)}")
    print(f"median of {args.runs} runs (s): " + ", ".join(f"{k} {v}" for k, v in medians.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
