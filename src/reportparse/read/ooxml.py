"""Office Open XML packages (.docx, .xlsx) opened with bounds: a zip bomb or an XML entity
bomb is refused before it costs the machine.

A package is a zip of XML parts. Its member count and each member's inflated size are capped
(the size is counted while inflating, not taken from the header, which a hostile file can
fake), and a part that declares a DTD is refused: OOXML never has one, and a DTD is how
entity expansion (billion laughs) and external entities get in. Nothing is fetched.
"""
from __future__ import annotations

import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from reportparse.errors import ExtractError, TooLarge
from reportparse.messages import cause, say

MAX_MEMBERS = 5000           # parts in one package; a real report has tens
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
            with self.zf.open(name) as f:
                data = f.read(self.limit + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as e:  # RuntimeError: an encrypted member
            raise ExtractError(say("part_damaged", what=self.what, name=name, cause=cause(e))) from e
        self.read_bytes += len(data)
        if len(data) > self.limit or self.read_bytes > self.total:
            raise TooLarge(say("part_cap", what=self.what, name=name, mb=self.limit >> 20))
        return data

    def xml(self, name: str) -> ET.Element | None:
        data = self.read(name)
        return None if data is None else parse_xml(data, say("part_of", what=self.what, name=name))


def parse_xml(data: bytes, what: str) -> ET.Element:
    """Parse XML that must not declare a DTD (so no entity is ever expanded or fetched); ``what``
    names the part in a failure reason (``say("part_of", ...)``)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # XML spells them in capitals; expat rejects other spellings
        raise ExtractError(say("xml_dtd", what=what))
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise ExtractError(say("xml_damaged", what=what, cause=cause(e))) from e
