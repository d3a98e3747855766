"""Tables without ruling lines (stream tables), found by their header words.

pdfplumber's lattice finder needs lines; an unruled 绩效自评表 would otherwise be read as
prose, its columns run together. A visual line that carries both a target and an actual
column header (年度目标值 … 实际完成值) and at least three gap-separated segments fixes the
columns; the lines below, until prose or a heading resumes, are cut into cells per column
(wrapped cell text joined by vertical proximity) and cells are grouped into rows by
vertical overlap, so vertically centred single-line cells join their wrapped neighbours.
"""
from __future__ import annotations

from reportparse import patterns
from reportparse.model import Table

_SH = patterns.load().shapes


def segments(line: list[dict], gap: float) -> list[list[dict]]:
    """A visual line split where the space between characters exceeds ``gap`` x size."""
    out = [[line[0]]]
    for a, b in zip(line, line[1:]):
        if b["x0"] - a["x1"] > gap * max(a.get("size", 10), 1):
            out.append([])
        out[-1].append(b)
    return out


def _text(chars: list[dict]) -> str:
    return "".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])))


def _blocks(chars: list[dict]) -> list[list[dict]]:
    """A column's chars grouped into cells: wrapped lines join when their vertical gap is
    under half a character."""
    out: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if out:
            bottom = max(x["bottom"] for x in out[-1])
            if c["top"] - bottom < 0.5 * max(c.get("size", 10), 1):
                out[-1].append(c)
                continue
        out.append([c])
    return out


def find(vlines: list[list[dict]], page_no: int) -> tuple[list[Table], set[int]]:
    """Stream tables on a page; returns them and the ids of the chars they consumed."""
    tables: list[Table] = []
    used: set[int] = set()
    vlines = [g for g in ([c for c in vl if not c["text"].isspace()] for vl in vlines) if g]
    i = 0
    heading = patterns.heading()
    while i < len(vlines):
        line = vlines[i]
        segs = segments(line, 1.0)
        text = "".join(c["text"] for c in line)
        if len(segs) < 3 or not (_SH["target_col"].search(text) and _SH["actual_col"].search(text)):
            i += 1
            continue
        cols = [(min(c["x0"] for c in s), max(c["x1"] for c in s)) for s in segs]
        bounds = [(cols[k][1] + cols[k + 1][0]) / 2 for k in range(len(cols) - 1)]
        left, right = cols[0][0] - 2 * line[0].get("size", 10), cols[-1][1] + 2 * line[0].get("size", 10)
        body: list[dict] = []
        j = i + 1
        last_bottom = max(c["bottom"] for c in line)
        while j < len(vlines):
            ln = vlines[j]
            size = max(ln[0].get("size", 10), 1)
            t = "".join(c["text"] for c in ln)
            one_piece = len(segments(ln, 1.0)) == 1 and ln[-1]["x1"] - ln[0]["x0"] > 0.6 * (right - left)
            if (ln[0]["top"] - last_bottom > 3 * size or heading.match(t) or one_piece
                    or ln[0]["x0"] < left or ln[-1]["x1"] > right):
                break
            body.extend(ln)
            last_bottom = max(last_bottom, max(c["bottom"] for c in ln))
            j += 1
        if not body:
            i += 1
            continue
        per_col: list[list[dict]] = [[] for _ in cols]
        for c in body:
            cx = (c["x0"] + c["x1"]) / 2
            per_col[sum(cx > b for b in bounds)].append(c)
        cells = [(k, blk) for k, chars in enumerate(per_col) for blk in _blocks(chars)]
        cells.sort(key=lambda kb: min(c["top"] for c in kb[1]))
        rows: list[tuple[float, float, list[str | None]]] = []
        for k, blk in cells:
            top, bottom = min(c["top"] for c in blk), max(c["bottom"] for c in blk)
            row = next((r for r in rows if min(r[1], bottom) - max(r[0], top) > 0.3 * (bottom - top)), None)
            if row is None or row[2][k] is not None:
                row = (top, bottom, [None] * len(cols))
                rows.append(row)
            row[2][k] = _text(blk)
        header = [_text(s) for s in segs]
        tables.append(Table(page_no, [header] + [r[2] for r in rows], min(c["top"] for c in line), last_bottom))
        used.update(id(c) for c in line)
        used.update(id(c) for c in body)
        i = j
    return tables, used
