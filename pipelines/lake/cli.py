"""`spindrift check LAKE` and `spindrift repair LAKE`."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pipelines.lake.errors import LockedError, StateError

USAGE = """usage: spindrift check LAKE    verify the snapshot, each file's checksum, the manifests
       spindrift repair LAKE   rebuild _index, _ledger and the snapshot from the tables"""


def main(command: str, args: Sequence[str]) -> int:
    """Exit 0 when sound / repaired, 1 with the problems, 2 for usage, 3 when locked."""
    # `check` reads S3 lakes too (settings from the AWS environment); `repair` rewrites state
    # with local-file readers, so it is for local lakes only.
    s3 = len(args) == 1 and command == "check" and args[0].startswith("s3://")
    if len(args) != 1 or not (s3 or os.path.isdir(args[0])):
        what = f"{args[0]!r} is not a folder" if len(args) == 1 else USAGE
        print(f"spindrift: error: {what}", file=sys.stderr)
        return 2
    lake = args[0].rstrip("/") or "/"
    if command == "check":
        from pipelines.lake.state import check_lake

        snapshot, problems, notes = check_lake(lake)
        for problem in problems:
            print(f"problem: {problem}")
        for note in notes:
            print(f"note: {note}")
        if problems:
            print(f"{lake}: {len(problems)} problem(s); `spindrift repair {lake}` fixes state")
            return 1
        assert snapshot is not None
        print(f"{lake}: sound ({len(snapshot.runs)} runs, {len(snapshot.files)} files verified)")
        return 0
    from pipelines.lake.repair import repair

    try:
        manifest = repair(lake)
    except LockedError as exc:
        print(f"spindrift: {exc}", file=sys.stderr)
        return 3
    except StateError as exc:
        print(f"spindrift: repair failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"{lake}: repaired ({manifest['ledger_entries']} ledger entries, "
        f"{manifest['index_entries']} index entries; manifest {manifest['run_id']})"
    )
    return 0
