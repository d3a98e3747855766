"""Formats no Python reader handles well (.doc, .wps, .xls, .et, .rtf, .odt, .ods) converted to
.docx/.xlsx by LibreOffice headless, then read by the native readers.

Each conversion gets its own LibreOffice profile in a temporary folder (two workers converting
at once would otherwise fight over one profile's lock) and a time limit; the converted file is
deleted afterwards. LibreOffice is started through ``children.run``: a time limit, or a worker
killed mid-conversion, ends ``soffice.bin`` too and removes the folder (a copy of the document).
No macro runs: LibreOffice loads a file it converts hidden, and a hidden load never executes
macros (``LoadEnv``: MacroExecMode NEVER_EXECUTE); the fresh profile says so again (macro
security "very high", macro execution disabled), so a document's Basic bound to its open event
stays data whatever that default becomes. Without LibreOffice the file is refused with a
message that says to install it.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from reportparse import children
from reportparse.errors import ExtractError
from reportparse.messages import say
from reportparse.settings import Settings

TIMEOUT = 120.0  # seconds for one conversion when the settings give no time limit
# the fresh profile's settings: macro security level 3 ("very high": only macros from trusted
# locations, and there are none) and macros disabled outright (DisableMacrosExecution)
NO_MACROS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """LibreOffice's command, where it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextlib.contextmanager
def converted(path: str | Path, target: str, settings: Settings) -> Iterator[Path]:
    """The file converted to ``target`` (docx or xlsx) in a temporary folder, removed on exit."""
    exe = soffice()
    kind = Path(path).suffix.lower() or say("no_extension")
    if exe is None:
        raise ExtractError(say("needs_libreoffice", kind=kind, target=target))
    with tempfile.TemporaryDirectory(prefix="reportparse-soffice-") as tmp:
        src = Path(tmp) / f"in{Path(path).suffix.lower() or '.bin'}"
        shutil.copyfile(path, src)  # a plain name: LibreOffice mangles odd characters in names
        (Path(tmp) / "profile" / "user").mkdir(parents=True)
        (Path(tmp) / "profile" / "user" / "registrymodifications.xcu").write_text(NO_MACROS, encoding="utf-8")
        env = {**os.environ, "HOME": tmp}
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", target, "--outdir", str(Path(tmp) / "out"), str(src)]
        limit = settings.time_limit or TIMEOUT
        try:
            # tree: soffice starts soffice.bin, which must go too; leftovers: the folder holds a
            # copy of the document, removed even if this worker is killed mid-conversion
            run = children.run(cmd, timeout=limit, env=env, tree=True, leftovers=tmp)
        except subprocess.TimeoutExpired as e:
            raise ExtractError(say("convert_timed_out", kind=kind, target=target, seconds=f"{limit:g}")) from e
        out = Path(tmp) / "out" / f"in.{target}"
        if not out.exists() or out.stat().st_size == 0:
            why = (run.stderr or run.stdout or b"").decode("utf-8", "replace").strip().splitlines()
            raise ExtractError(say("convert_failed", kind=kind, target=target,
                                   why=why[-1] if why else say("exit_code", code=run.returncode)))
        yield out
