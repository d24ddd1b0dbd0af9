"""Temp folders of the watcher's commit children.

Beam makes a temp folder per pipeline and removes it only when the pipeline runs to its end,
so a killed commit (a prepared one replaced or stopped, or one killed on stop) would leave it
behind. Each child therefore works in its own folder, `spindrift-watch-<watcher pid>-<run
id>-<random>` in the temp dir, which the watcher removes once the child has exited; folders
of a watcher killed with -9 are removed by the next watcher to start (`sweep`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

PREFIX = "spindrift-watch-"
_NAME_RE = re.compile(rf"{PREFIX}(\d+)-\d{{8}}T\d{{6}}Z-[0-9a-f]+-")


def make(run_id: str) -> str:
    """A new temp folder for the commit `run_id` of this watcher process."""
    return tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-{run_id}-")


def remove(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep(folder: str) -> list[str]:
    """Remove the commit temp folders in `folder` left by watchers that no longer run;
    returns the names removed. A folder whose watcher pid is alive, or belongs to another
    user, is left alone."""
    removed = []
    with os.scandir(folder) as entries:
        for entry in entries:
            match = _NAME_RE.match(entry.name)
            if not match or not entry.is_dir(follow_symlinks=False):
                continue
            try:
                os.kill(int(match.group(1)), 0)
                continue  # that watcher (or a process that took its pid) is alive
            except ProcessLookupError:
                pass
            except PermissionError:
                continue  # another user's process
            remove(entry.path)
            removed.append(entry.name)
    return removed
