"""archive: the audit of an output folder as an archive, across documents, years and units.

In: an output folder (the six tables ``ingest`` writes). Out: the ``findings`` dataset beside
them and the report ``reportparse audit`` prints.

Rooms: ``tables`` (the columns the audit reads, one scan per table), ``orgkey`` (one key per
unit across the names documents write), ``similar`` (near-duplicate text and indicator
names), ``findings`` (the finding kinds), ``report`` (the audit as a whole: write, render).

Must not import: ``run``, ``review``, ``cli`` (it sits beside ``run``, above ``store`` and
``verify``).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportparse.archive.report import Audit


def audit(out: "str | Path", aliases: "str | Path | None" = None, write: bool = True) -> "Audit":
    """Audit an output folder (see ``archive.report.audit``); for notebooks:
    ``reportparse.audit("outputs").frame()``."""
    from reportparse.archive.report import audit as run_audit
    return run_audit(out, aliases, write)
