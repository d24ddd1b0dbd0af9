"""How fast `spindrift query LAKE -c SQL --csv | head` answers: the wall time of the whole
shell pipeline, as a user waits for it (target: under 1 s; Beam must not be imported).

    python benchmarks/query_startup.py [--lake DIR] [--runs 10]

Without --lake, a lake is built from seeds/ in a temporary folder first. Prints each run's
seconds, the median and the maximum, and which top-level modules the query imported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))
SQL = "select article_id, title, language from articles"


def time_query(lake: str, runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds of the pipeline's processes) per run. CPU time does not
    depend on how busy the machine is; wall time does."""
    command = f"{SPINDRIFT} query {lake} -c '{SQL}' --csv | head -n 3 > /dev/null"
    wall, cpu = [], []
    for _ in range(runs):
        before = os.times()
        start = time.perf_counter()
        subprocess.run(command, shell=True, check=True)
        wall.append(time.perf_counter() - start)
        after = os.times()
        cpu.append(
            after.children_user + after.children_system
            - before.children_user - before.children_system
        )  # fmt: skip
    return wall, cpu


def heavy_imports(lake: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pipelines.cli", "query", lake, "-c", SQL,
         "--csv"],
        capture_output=True, text=True, cwd=REPO, check=True,
    )  # fmt: skip
    tops = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return sorted(t for t in tops if t in {"apache_beam", "duckdb", "pyarrow", "fastavro", "numpy"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", help="an existing lake (default: one built from seeds/)")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lake = args.lake
        if lake is None:
            lake = str(Path(tmp) / "lake")
            subprocess.run([SPINDRIFT, "ingest", "-q", "--output", lake], check=True)
        wall, cpu = time_query(lake, args.runs)
        print("wall (s):", " ".join(f"{s:.2f}" for s in wall))
        print(f"wall median {statistics.median(wall):.2f} s, max {max(wall):.2f} s")
        print(f"CPU  median {statistics.median(cpu):.2f} s, max {max(cpu):.2f} s")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f}")
        print("heavy modules imported:", ", ".join(heavy_imports(lake)) or "none")


if __name__ == "__main__":
    main()
