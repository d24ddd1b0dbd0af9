"""What a file costs on S3: Beam's `FileSystems` (a new boto3 client per call) against
`pipelines.lake.opener.FileOpener` (one client), side by side, then the whole job.

    python benchmarks/object_store.py [--files 100] [--rounds 3] [--no-job]

Starts moto in server mode on a free localhost port (the S3-compatible server the tests use),
uploads `--files` generated articles, and alternates the two ways of reading them all and of
writing as many small files (rounds interleaved: the machine is shared). Prints CPU and wall
milliseconds per file for each and the ratio; then runs `spindrift ingest` over the files on
S3 and prints its wall and CPU per file. No real S3 here (no network).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from apache_beam.io.filesystem import CompressionTypes  # noqa: E402
from apache_beam.io.filesystems import FileSystems  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions  # noqa: E402

from pipelines.lake.objstore import S3Settings  # noqa: E402
from pipelines.lake.opener import FileOpener  # noqa: E402
from tests.crash import generated_body  # noqa: E402
from tests.s3_server import BUCKET, KEY, REGION, SECRET, moto_server  # noqa: E402

SPINDRIFT = str(Path(sys.executable).with_name("spindrift"))


class _Beam:
    """The plain version: what the job did before FileOpener."""

    def open(self, path: str):
        return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)

    def create(self, path: str):
        return FileSystems.create(path)


def _timed(fn, paths: list[str]) -> tuple[float, float]:
    """(CPU ms, wall ms) per path of `fn(path)` over all of `paths`."""
    cpu, wall = time.process_time(), time.perf_counter()
    for path in paths:
        fn(path)
    n = len(paths)
    return (time.process_time() - cpu) * 1e3 / n, (time.perf_counter() - wall) * 1e3 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-job", action="store_true", help="skip the whole-job run")
    args = parser.parse_args()

    with moto_server() as url, tempfile.TemporaryDirectory() as tmp:
        settings = S3Settings(
            endpoint_url=url, access_key_id=KEY, secret_access_key=SECRET, region_name=REGION
        )
        import boto3

        client = boto3.client(
            "s3", endpoint_url=url, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
            region_name=REGION,
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        rng = random.Random(7)
        inputs = []
        for i in range(args.files):
            key = f"in/a{i:05d}.txt"
            body = f" date 2024-05-0{1 + i % 4} {generated_body(rng)}".encode()
            client.put_object(Bucket=BUCKET, Key=key, Body=body)
            inputs.append(f"s3://{BUCKET}/{key}")
        FileSystems.set_options(PipelineOptions(settings.beam_args()))

        def reader(way):
            def read(path: str) -> None:
                with way.open(path) as handle:
                    handle.read()

            return read

        def writer(way, tag: str):
            def write(path: str) -> None:
                with way.create(path.replace("/in/", f"/out-{tag}/")) as handle:
                    handle.write(b"x" * 4096)

            return write

        figures: dict[str, list[tuple[float, float]]] = {}
        for r in range(args.rounds):
            ways = [("beam", _Beam()), ("opener", FileOpener())]
            if r % 2:
                ways.reverse()
            for name, way in ways:
                figures.setdefault(f"read {name}", []).append(_timed(reader(way), inputs))
                figures.setdefault(f"write {name}", []).append(
                    _timed(writer(way, f"{name}{r}"), inputs)
                )
        print(f"{args.files} files of ~3 KB on a local S3 server, {args.rounds} rounds")
        print(f"{'':14} {'CPU ms/file':>12} {'wall ms/file':>13}")
        for name, runs in figures.items():
            cpu = statistics.median(c for c, _ in runs)
            wall = statistics.median(w for _, w in runs)
            print(f"{name:14} {cpu:12.1f} {wall:13.1f}")
        for op in ("read", "write"):
            beam = statistics.median(c for c, _ in figures[f"{op} beam"])
            ours = statistics.median(c for c, _ in figures[f"{op} opener"])
            print(f"{op}: FileOpener / FileSystems CPU ratio {ours / beam:.3f}")

        if not args.no_job:
            env = {
                **os.environ,
                "AWS_ENDPOINT_URL": url,
                "AWS_ACCESS_KEY_ID": KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET,
                "AWS_REGION": REGION,
            }
            argv = [SPINDRIFT, "ingest", "--input", f"s3://{BUCKET}/in/*.txt",
                    "--output", f"s3://{BUCKET}/lake", "-q", *settings.beam_args()]  # fmt: skip
            before = os.times()
            began = time.perf_counter()
            subprocess.run(argv, env=env, check=True, cwd=tmp)
            wall = time.perf_counter() - began
            after = os.times()
            cpu = after.children_user + after.children_system
            cpu -= before.children_user + before.children_system
            print(
                f"job over {args.files} files on S3: {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"({cpu * 1e3 / args.files:.0f} ms CPU per file, start-up included)"
            )


if __name__ == "__main__":
    main()
