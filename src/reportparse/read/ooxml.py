"""Office Open XML packages (.docx, .xlsx) opened with bounds: a zip bomb or an XML entity
bomb is refused before it costs the machine.

A package is a zip of XML parts. Its member count and each member's inflated size are capped
(the size is counted while inflating, not taken from the header, which a hostile file can
fake; at most ``limit`` + 1 MB of one part is ever held), and every XML part is parsed by
``safexml``: expat refuses the first DOCTYPE or entity declaration it meets, in whatever
encoding the part is written (a byte search for ``<!DOCTYPE`` misses one in a UTF-16 part),
before anything is expanded. OOXML never declares a DTD, and a DTD is how entity expansion
(billion laughs) and external entities get in. Nothing is fetched.
"""
from __future__ import annotations

import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from reportparse.errors import ExtractError, TooLarge
from reportparse.messages import cause, say
from reportparse.read import safexml

MAX_MEMBERS = 5000           # parts in one package; a real report has tens
CHUNK = 1 << 20              # bytes inflated at a time
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class Package:
    """A zip package whose parts are read at most ``limit`` bytes each, ``total`` bytes in all;
    ``what`` names the file in a failure reason (``say("word_file")``)."""

    def __init__(self, path: str | Path, limit: int, what: str) -> None:
        self.what, self.limit, self.total, self.read_bytes = what, limit, 4 * limit, 0
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise ExtractError(say("zip_damaged", what=what, cause=cause(e))) from e
        infos = self.zf.infolist()
        if len(infos) > MAX_MEMBERS:
            self.zf.close()
            raise TooLarge(say("too_many_parts", what=what, n=len(infos), cap=MAX_MEMBERS))
        self.names = {i.filename for i in infos}

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.zf.close()

    def read(self, name: str) -> bytes | None:
        """A part's bytes, or None when the package has no such part."""
        if name not in self.names:
            return None
        try:
            with self.zf.open(name) as f:  # 1 MB at a time: a bomb costs the cap, not twice it
                buf = bytearray()
                while len(buf) <= self.limit:
                    chunk = f.read(min(CHUNK, self.limit + 1 - len(buf)))
                    if not chunk:
                        break
                    buf += chunk
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
            # RuntimeError: an encrypted member; NotImplementedError: a compression method zipfile lacks
            raise ExtractError(say("part_damaged", what=self.what, name=name, cause=cause(e))) from e
        self.read_bytes += len(buf)
        if len(buf) > self.limit or self.read_bytes > self.total:
            raise TooLarge(say("part_cap", what=self.what, name=name, mb=self.limit >> 20))
        return bytes(buf)

    def xml(self, name: str) -> ET.Element | None:
        """A part parsed without DTDs, or None when the package has no such part."""
        data = self.read(name)
        return None if data is None else parse_xml(data, say("part_of", what=self.what, name=name))


def parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse XML through ``safexml``: a DTD or entity declaration anywhere, in any encoding, is
    refused (``HostileXML``) before anything is expanded or fetched; ``what`` names the part
    in a failure reason (``say("part_of", ...)``)."""
    return safexml.parse(data, what)


def check_xml(data: bytes, what: str, binary_ok: bool = False) -> None:
    """``parse_xml`` without building the tree (with ``binary_ok``: data that is no XML at all
    passes, see ``safexml.check``)."""
    safexml.check(data, what, binary_ok)
