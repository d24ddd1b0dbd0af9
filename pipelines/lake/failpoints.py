"""Failpoints: named steps of the commit protocol where a crash test can stop a run.

With ``SPINDRIFT_FAILPOINT=<name>`` in its environment, a process that reaches
``reached(<name>)`` stops there (sleeps until it is killed), so a kill -9 test hits exactly
that step instead of racing a poll of the lake against a commit that takes milliseconds (as
etcd's gofail and TiKV's fail-rs do). Unset, as everywhere outside those tests, a failpoint
is one environment lookup.

Names: ``journaled`` (the commit plan is written, nothing renamed yet) and ``renamed``
(every staged file is at its final name, the snapshot not yet swapped).
"""

from __future__ import annotations

import os
import sys
import time

ENV = "SPINDRIFT_FAILPOINT"
NAMES = ("journaled", "renamed")


def reached(name: str) -> None:
    """Stop here for good when the environment names this failpoint."""
    if os.environ.get(ENV) == name:
        print(f"spindrift: failpoint {name} reached", file=sys.stderr, flush=True)
        while True:  # until SIGKILL: the test that set the failpoint kills the process
            time.sleep(3600)
