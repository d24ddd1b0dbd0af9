"""Kill the job at random moments while a reader samples the lake every 50 ms.

    python benchmarks/crash_test.py [--kills 20] [--articles 300] [--seed 11]

Each trial starts a fresh lake, runs `spindrift ingest` over a generated corpus (articles
over 30 dates, so a commit renames ~35 files, plus exact copies), and SIGKILLs it at a random
moment: after the lock is taken, while files are staged, or right after the commit journal
is written (0-30 ms later), in-process or with `--direct_running_mode=multi_processing`
(killing the driver only, leaving its SDK workers orphaned, or the driver and its workers).
A reader thread opens the lake the documented way (`pipelines.query.connect`) every 50 ms.
Then the next run completes the work. It prints, per trial, what the reader saw, and fails
(exit 1) if any sample showed part of a run, any read failed, or the final lake differs from
a clean run's.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import crash


def _names(out: Path, table: str) -> set[str]:
    con = crash.connect(str(out))
    return {Path(u).name for (u,) in con.execute(f"select source_uri from {table}").fetchall()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="spindrift-crash-") as tmp:
        top = Path(tmp)
        src = crash.write_inputs(top / "in", n=args.articles, copies=5, dates=30)
        clean_out = top / "clean"
        started = time.monotonic()
        subprocess.run(crash.ingest_argv(src, clean_out, False), check=True, capture_output=True)
        print(f"clean run: {time.monotonic() - started:.1f}s")
        full = crash.lake_counts(clean_out)
        clean = (_names(clean_out, "articles"), _names(clean_out, "duplicates"))
        print(f"clean lake: articles, duplicates, quarantined = {full}")
        for trial in range(args.kills):
            workers = trial % 2 == 1
            phase = rng.choice(["locked", "staging", "commit", "renamed"])
            # "commit" and "renamed" are failpoints: the run waits there to be killed.
            delay = 0.0 if phase in ("commit", "renamed") else rng.uniform(0, 2.0)
            group = not workers or rng.random() < 0.5
            out = top / f"lake-{trial:02d}"
            sampler = crash.Sampler(out)
            sampler.start()
            outcome, pgid = crash.kill_run(
                src, out, workers=workers, phase=phase, delay=delay, group=group
            )
            if not group:
                time.sleep(3)  # orphaned workers get time to misbehave
            after_kill = crash.lake_counts(out)
            # Article files renamed into place but not (yet) listed: invisible to readers.
            on_disk = sum(1 for _ in out.glob("articles/*/*/*.parquet"))
            rerun = subprocess.run(crash.ingest_argv(src, out, False), capture_output=True)
            sampler.stop()
            crash.reap_group(pgid)
            final = crash.lake_counts(out)
            same = (_names(out, "articles"), _names(out, "duplicates")) == clean
            bad = (
                not sampler.seen <= {(0, 0, 0), full}
                or sampler.errors
                or rerun.returncode != 0
                or final != full
                or not same
            )
            failures += bool(bad)
            mode = (
                ("multi_processing " + ("driver+workers" if group else "driver only"))
                if (workers)
                else "in-process"
            )
            print(
                f"trial {trial:2d}: {mode:33s} {phase:7s} +{delay * 1000:6.0f} ms {outcome:8s} "
                f"after kill {after_kill} ({on_disk} article files on disk), "
                f"reader saw {sorted(sampler.seen)} in "
                f"{sampler.samples} samples, errors {len(sampler.errors)}, next run -> {final} "
                f"{'OK' if not bad else 'FAIL'}"
            )
    print(f"{args.kills - failures}/{args.kills} trials: no partial run seen, lake equals clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
