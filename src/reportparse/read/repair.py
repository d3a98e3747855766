"""Rebuild the cross-reference table of a PDF whose end was cut off (a truncated download).

pdfminer needs the xref table and trailer at the end of the file; a truncated file has
neither. The objects before the cut are usually intact, so this scans for them, keeps the
complete ones, links every page object found under a fresh page tree and catalog, and
appends a new xref and trailer. Pages whose content was cut stay empty. Objects packed in
object streams are not looked into: such files are reported as failed, not guessed at.
"""
from __future__ import annotations

import re

OBJ = re.compile(rb"(?<![0-9])(\d{1,7})\s+(\d{1,5})\s+obj\b")
ENDOBJ = re.compile(rb"\bendobj\b")
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def rebuild(data: bytes) -> tuple[bytes, int] | None:
    """(repaired PDF bytes, pages found), or None when no page object survived."""
    objects: dict[int, tuple[int, int]] = {}  # number -> (start, end after endobj)
    pages: list[int] = []
    for m in OBJ.finditer(data):
        end = ENDOBJ.search(data, m.end())
        if end is None:
            break  # cut inside this object: everything from here is gone
        nxt = OBJ.search(data, m.end(), end.start())
        if nxt is not None:
            continue  # an 'obj' without its own endobj: damaged, skip it
        num = int(m.group(1))
        objects[num] = (m.start(), end.end())
        dictionary = data[m.end():min(end.start(), m.end() + 2000)].split(b"stream", 1)[0]
        if PAGE.search(dictionary) and num not in pages:  # a page object, not page-like bytes in a stream
            pages.append(num)
    if not pages:
        return None
    last = max(e for _, e in objects.values())
    out = bytearray(data[:last])
    nums = sorted(objects)
    pages_num, root_num = nums[-1] + 1, nums[-1] + 2
    kids = b" ".join(b"%d 0 R" % n for n in pages)
    extra = {
        pages_num: b"%d 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n" % (pages_num, kids, len(pages)),
        root_num: b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (root_num, pages_num),
    }
    offsets = {n: objects[n][0] for n in nums}
    out += b"\n"
    for n, body in extra.items():
        offsets[n] = len(out)
        out += body
    size = root_num + 1
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[n]) if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root_num, xref_at)
    return bytes(out), len(pages)
