"""Characters to clean visual lines: control characters, watermarks, turned text and fake-bold
twins dropped, lines rebuilt with spacing decided from the line's own letter spacing.
"""
from __future__ import annotations

import statistics
from array import array

import regex

from reportparse.model import GlyphLine, Line

# a whole terminal escape sequence (CSI "ESC [ ... final", OSC "ESC ] ... BEL or ESC \\", two-byte
# "ESC x"), then any other C0/C1 control character
CONTROLS = regex.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]"
                         r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and newline stay: whitespace


def strip_controls(text: str) -> str:
    """C0/C1 control characters out of text taken from a PDF: they are never report text,
    and ESC/OSC sequences in a title would drive the terminal that prints it."""
    return CONTROLS.sub("", text)


_CONTROL_CHAR = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every CONTROLS match has one


def clean_chars(chars: list[dict]) -> list[dict]:
    if not _CONTROL_CHAR.search("".join(c["text"] for c in chars)):  # the usual page: one search, not one per char
        return list(chars)
    out = []
    for c in chars:
        t = c["text"]
        if CONTROLS.search(t):
            t = strip_controls(t)
            if not t:
                continue
            c = {**c, "text": t}
        out.append(c)
    return out


def _lightness(color) -> float:
    """0 for black, 1 for white; gray, RGB and CMYK fills."""
    if not isinstance(color, (list, tuple)) or not color:
        return 0.0
    if len(color) == 1:
        return float(color[0])
    if len(color) == 3:
        return float(sum(color)) / 3
    if len(color) == 4:
        return 1.0 - min(1.0, float(color[3]) + float(sum(color[:3])) / 3)
    return 0.0


def watermark_like(chars: list[dict]) -> list[dict]:
    """Level watermarks: much larger than the body text and drawn in a light tint."""
    if not chars:
        return chars
    body = statistics.median(c.get("size", 10) for c in chars)
    return [c for c in chars if not (c.get("size", 10) > 2 * body and _lightness(c.get("non_stroking_color")) >= 0.6)]


def _direction(c: dict) -> int:
    """Reading direction of a char in degrees: 0 upright, 90 up the page, -90 down, 180."""
    a, b = (c.get("matrix") or (1, 0, 0, 1, 0, 0))[:2]
    if abs(b) < 1e-3:
        return 0 if a >= 0 else 180
    if abs(a) < 1e-3:
        return 90 if b > 0 else -90
    return 45  # skewed: a diagonal watermark, never page text


def turned_page_text(chars: list[dict], width: float, height: float) -> tuple[list[dict], float, float] | None:
    """When most characters run in one non-upright direction, they are the page's text
    (a page shown turned, text drawn along it), not a watermark: map them into the frame
    where they read left to right. Returns (chars, frame width, frame height) or None."""
    if len(chars) < 20 or sum(1 for c in chars if not c.get("upright", True)) < 0.6 * len(chars):
        return None
    counts: dict[int, int] = {}
    for c in chars:
        d = _direction(c)
        counts[d] = counts.get(d, 0) + 1
    d, n = max(counts.items(), key=lambda kv: kv[1])
    if d in (0, 45) or n < 0.6 * len(chars):
        return None
    out = []
    for c in chars:
        if _direction(c) != d:
            continue  # the few upright ones on such a page are stamps across it
        x0, x1, top, bottom = c["x0"], c["x1"], c["top"], c["bottom"]
        if d == -90:
            box = (top, bottom, width - x1, width - x0)
        elif d == 90:
            box = (height - bottom, height - top, x0, x1)
        else:
            box = (width - x1, width - x0, height - bottom, height - top)
        out.append({**c, "x0": box[0], "x1": box[1], "top": box[2], "bottom": box[3], "upright": True,
                    "matrix": (1, 0, 0, 1, 0, 0), "size": box[3] - box[2], "shown": (x0, top, x1, bottom)})
    return (out, height, width) if d in (90, -90) else (out, width, height)


def is_upright(obj: dict) -> bool:
    if obj.get("object_type") != "char":
        return True
    m = obj.get("matrix") or (1, 0, 0, 1, 0, 0)
    return obj.get("upright", True) and abs(m[1]) < 1e-3 and abs(m[2]) < 1e-3


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" \
        or "\u2e80" <= ch <= "\u2fdf" or ch in "“”‘’—…·《》"


GARBAGE = regex.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


def garbage_share(chars: list[dict]) -> float:
    """Share of characters that are (cid:N) placeholders, private-use or control codes."""
    if not chars:
        return 0.0
    return len(GARBAGE.findall("".join(c["text"] for c in chars))) / len(chars)


def join_chars(chars: list[dict]) -> str:
    """Text of one line. A space survives only between Latin/digit runs: where the PDF has
    a space character there, or where the gap is wide for this line (letter-spaced titles,
    with uniform wide gaps, close up)."""
    return _join(chars)[0]


def _join(chars: list[dict]) -> tuple[str, list[dict]]:
    """join_chars' text and the line's glyphs (its chars but spaces)."""
    glyphs: list[dict] = []
    spaced = set()  # indexes in glyphs after which the PDF drew a space
    for c in chars:
        if not c["text"].isspace():
            glyphs.append(c)
        elif glyphs:
            spaced.add(len(glyphs) - 1)
    if not glyphs:
        return "", glyphs
    gaps = [b["x0"] - a["x1"] for a, b in zip(glyphs, glyphs[1:])]
    median_gap = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    out = [glyphs[0]["text"]]
    for i, (gap, a, b) in enumerate(zip(gaps, glyphs, glyphs[1:])):
        size = max(a.get("size", 10), 1)
        if i in spaced or gap > max(0.3 * size, median_gap + 0.3 * size):
            la, fb = a["text"][-1:], b["text"][:1]
            if la and fb and not is_cjk(la) and not is_cjk(fb):
                out.append(" ")
        out.append(b["text"])
    return "".join(out), glyphs


def visual_lines(chars: list[dict], dedupe: float = 1.0) -> list[list[dict]]:
    """Characters clustered into visual lines by vertical overlap, each ordered by x, with
    overprinted twins merged (fake bold: the same glyph again within ``dedupe`` pt)."""
    rounded: dict[float, float] = {}  # round() is slow and a line's glyphs share their top

    def order(c: dict) -> tuple[float, float]:
        top = c["top"]
        r = rounded.get(top)
        if r is None:
            r = rounded[top] = round(top, 1)
        return r, c["x0"]

    rows: list[list[dict]] = []
    row: list[dict] = []
    top = bottom = 0.0  # of the line's latest glyph: lines drift a little, never jump
    for c in sorted(chars, key=order):
        ctop, cbottom = c["top"], c["bottom"]
        if rows and min(bottom, cbottom) - max(top, ctop) >= 0.5 * min(bottom - top, cbottom - ctop):
            row.append(c)
        elif not c["text"].isspace():  # a space is kept only inside a line, as a word separator
            row = [c]
            rows.append(row)
        else:
            continue
        top, bottom = ctop, cbottom
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        kept: list[dict] = []
        for c in row:
            text, x0, top = c["text"], c["x0"], c["top"]
            for k in kept[-3:]:
                if k["text"] == text and abs(k["x0"] - x0) <= dedupe and abs(k["top"] - top) <= dedupe:
                    break  # a twin
            else:
                kept.append(c)
        out.append(kept)
    return out


def glyphs_of(vlines: list[list[dict]]) -> list[GlyphLine]:
    """Each visual line's characters with their boxes on the page as shown (a turned
    page's too), kept so that boxes.py can point at a figure where it stands."""
    out = []
    for vl in vlines:
        text, flat = [], []
        for c in vl:
            t = c["text"]
            if not t.isspace():
                box = c.get("shown") or (c["x0"], c["top"], c["x1"], c["bottom"])
                text.append(t)
                flat.extend(box * len(t))  # one box per character, a ligature's repeated
        out.append(("".join(text), array("f", flat)))
    return out


def build_lines(chars: list[dict], page_no: int, dedupe: float = 1.0) -> list[Line]:
    return lines_of(visual_lines(chars, dedupe), page_no)


def lines_of(vlines: list[list[dict]], page_no: int) -> list[Line]:
    lines = []
    for row in vlines:
        text, kept = _join(row)
        text = text.strip()
        if not text or not kept:
            continue
        lines.append(Line(page_no, text, kept[0]["x0"], kept[-1]["x1"], min(c["top"] for c in kept),
                          max(c["bottom"] for c in kept), statistics.median(c.get("size", 10) for c in kept)))
    return lines
