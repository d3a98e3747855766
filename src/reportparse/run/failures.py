"""Failure classes: a batch that cannot run at all, and per file a permanent failure (kept) or a
transient one (the next run tries again).
"""
from __future__ import annotations


class CannotRun(Exception):
    """The batch could not run at all (no input, output not writable or locked, disk full);
    the message is one line a person can act on."""


TRANSIENT, PERMANENT = "transient", "permanent"
# rows written before the ``failure`` column had English reasons; every failed row since has the
# column (its reason is now Chinese, messages.py), so these English markers only ever meet old rows
_LEGACY_TRANSIENT = ("timed out", "internal error", "process died", "cannot read the file")


def is_transient(row: dict) -> bool:
    if row.get("failure"):
        return row["failure"] == TRANSIENT
    return any(s in (row.get("error") or "") for s in _LEGACY_TRANSIENT)  # rows from before the column
