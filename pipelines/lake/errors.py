"""Errors of the lake's commit protocol and state checks."""

from __future__ import annotations


class LockedError(RuntimeError):
    """Another run holds the output folder's lock."""


class LockLostError(RuntimeError):
    """The run no longer holds the lock it took: it must not publish (the fence)."""


class StateError(RuntimeError):
    """A state or snapshot file is missing, empty or corrupt; the message names it and the fix."""


class ReconciliationError(RuntimeError):
    """Matched inputs do not equal articles + duplicates + quarantined + already ingested."""


class ObjectStoreError(RuntimeError):
    """An object-store call kept failing with transient errors; the message names the path."""
