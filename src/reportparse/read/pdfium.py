"""Characters read with PDFium in pdfplumber's shapes, so extraction does not pay pdfminer's
price for parsing every page in Python.

pdfminer spends most of a page's time building ``page.chars``; PDFium (pypdfium2, already
installed as pdfplumber's renderer) reads the same page in C several times faster.
``wrap`` gives each pdfplumber page a stand-in whose ``chars`` come from PDFium with the
keys and the geometry pdfminer gives them: ``x0``/``x1`` from the glyph's origin and advance,
``top``/``bottom`` from the font descriptor's descent and the font size (pdfminer's box, not
PDFium's), ``size`` as the box height, ``matrix`` (text matrix times CTM, without the font
size, with the origin as its translation), ``upright`` by pdfminer's rule,
``non_stroking_color``, ``fontname`` (the descriptor's FontName). Lines, rects and curves
come from PDFium's path objects, split and classified exactly as pdfminer does (m/l/c/h
shapes: a line, an axis-aligned closed rectangle, else a curve), and ruled tables from
pdfplumber's own table finder run on their edges. Images and anything else are asked of the
pdfplumber page, which then parses it (only pages that have an image ever do).

Where PDFium's reading could differ from pdfminer's, the whole page comes from pdfplumber as
before: a font pdfminer cannot map to Unicode (it reads ``(cid:N)``, which the garbled-page
test counts; PDFium would decode it), a glyph PDFium cannot map, /Rotate, a page box off the
origin or cropped, Type3 or vertical fonts, a font whose descriptor cannot be matched.
"""
from __future__ import annotations

import contextlib
import logging
import ctypes
import re
from pathlib import Path
from typing import Any, Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfminer.cmapdb import CMapDB
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value, list_value, num_value, resolve1
from pdfminer.psparser import PSLiteral, literal_name
from pdfplumber import utils as _pu
from pdfplumber.table import TableSettings

from reportparse.read.pdfium_calls import (
    _V,
    _char_matrix,
    _fill,
    _font_size,
    _get_font,
    _is_generated,
    _map_error,
    _origin,
    _stroke,
    _text_object,
)
from reportparse.read.ruled import drawings, Finder

log = logging.getLogger(__name__)


class Unsupported(Exception):
    """The page has something PDFium's reading would give differently from pdfminer's."""


def open_document(path: str | Path, password: str = "") -> "pdfium.PdfDocument | None":
    """PDFium's handle on the file; None when PDFium cannot open it (pdfplumber then reads
    every page, as it always did)."""
    try:
        return pdfium.PdfDocument(str(path), password=password or None)
    except Exception:
        return None


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def _name(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value) if value is not None else ""


FontInfo = tuple[str, float, int]  # pdfminer's fontname, descent (1/1000 em), embedded program's length


def _descriptor_info(descriptor: Any) -> FontInfo:
    fontname = resolve1(descriptor.get("FontName", "unknown"))
    fontname = literal_name(fontname) if isinstance(fontname, PSLiteral) else fontname
    if isinstance(fontname, bytes):
        fontname = fontname.decode("latin-1")
    descent = num_value(descriptor.get("Descent", 0))
    program = resolve1(descriptor.get("FontFile2") or descriptor.get("FontFile") or descriptor.get("FontFile3"))
    length = getattr(program, "attrs", {}).get("Length1") if program is not None else None
    return str(fontname), -descent if descent > 0 else float(descent), int(resolve1(length) or 0)


def _cid_mapped(spec: Any) -> bool:
    """Whether pdfminer's PDFCIDFont gets a Unicode map for this spec (its rules, without
    parsing the ToUnicode stream or the embedded font): without one it reads (cid:N)."""
    if "ToUnicode" in spec:
        if isinstance(spec["ToUnicode"], PDFStream):
            return True
        info = dict_value(spec.get("CIDSystemInfo", {}))
        ordering = resolve1(info.get("Ordering", b"unknown")).decode("latin1")
        return any("Identity" in n for n in (ordering, literal_name(spec["ToUnicode"]), literal_name(spec["Encoding"])))
    info = dict_value(spec.get("CIDSystemInfo", {}))
    coding = "{}-{}".format(resolve1(info.get("Registry", b"unknown")).decode("latin1").strip(),
                            resolve1(info.get("Ordering", b"unknown")).decode("latin1").strip())
    if coding in ("Adobe-Identity", "Adobe-UCS"):
        return False  # pdfminer would try the embedded TrueType cmap: let it
    try:
        CMapDB.get_unicode_map(coding, False)
    except CMapDB.CMapNotFound:
        return False
    return True


def _font(ref: Any, cache: dict) -> tuple[FontInfo, set[str]]:
    """pdfminer's fontname and descent for a font resource, read the way its font classes
    read them (the standard 14 from their AFM, a Type0 from its descendant), and the names
    PDFium may give the font. Raises Unsupported where pdfminer's reading could differ."""
    objid = ref.objid if isinstance(ref, PDFObjRef) else None
    if objid is not None and objid in cache:
        return cache[objid]
    spec = dict_value(ref)
    try:
        subtype = literal_name(spec["Subtype"]) if "Subtype" in spec else "Type1"
        names = {_SUBSET.sub("", _name(spec.get("BaseFont")))}
        if subtype == "Type0":
            kid = dict_value(list_value(spec["DescendantFonts"])[0]).copy()
            for k in ("Encoding", "ToUnicode"):
                if k in spec:
                    kid[k] = resolve1(spec[k])
            spec = kid
            subtype = literal_name(spec["Subtype"]) if "Subtype" in spec else "Type1"
            names.add(_SUBSET.sub("", _name(spec.get("BaseFont"))))
        if subtype == "Type3":
            raise Unsupported("Type3 font")
        if subtype in ("CIDFontType0", "CIDFontType2"):
            encoding = resolve1(spec.get("Encoding"))
            cmap = encoding.get("CMapName") if isinstance(encoding, PDFStream) else encoding
            if not isinstance(resolve1(cmap), PSLiteral) or literal_name(resolve1(cmap)).endswith("-V"):
                raise Unsupported("vertical or unnamed CMap")
            if not _cid_mapped(spec):
                raise Unsupported("CID font pdfminer cannot map to Unicode (it reads (cid:N))")
            info = _descriptor_info(dict_value(spec.get("FontDescriptor", {})))
        else:
            base = literal_name(spec["BaseFont"]) if "BaseFont" in spec else "unknown"
            info = _descriptor_info(FONT_METRICS[base][0] if base in FONT_METRICS
                                    else dict_value(spec.get("FontDescriptor", {})))
    except Unsupported:
        raise
    except Exception as e:  # a malformed font dictionary: pdfminer's own reading decides
        raise Unsupported(f"font dictionary: {type(e).__name__}") from e
    out = (info, names)
    if objid is not None:
        cache[objid] = out
    return out


def _page_fonts(cache: dict, resources: Any, out: dict[str, set[FontInfo]], depth: int = 0) -> None:
    """Fonts of a resource dictionary and of the form XObjects in it, by PDFium's name."""
    resources = dict_value(resources) if resources else {}
    for ref in dict_value(resources.get("Font", {})).values():
        info, names = _font(ref, cache)
        for n in names:
            out.setdefault(n, set()).add(info)
    if depth < 4:
        for xobj in dict_value(resources.get("XObject", {})).values():
            attrs = getattr(resolve1(xobj), "attrs", None)
            if attrs and _name(attrs.get("Subtype")) == "Form" and "Resources" in attrs:
                _page_fonts(cache, attrs["Resources"], out, depth + 1)


def _base_name(font) -> str:
    n = raw.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 1:
        return ""
    buf = ctypes.create_string_buffer(n)
    raw.FPDFFont_GetBaseFontName(font, buf, n)
    return _SUBSET.sub("", buf.value.decode("latin-1"))


def page_chars(plumber_page: Any, doc: "pdfium.PdfDocument") -> list[dict]:
    """The page's chars from PDFium, in content order, as pdfplumber would give them;
    raises Unsupported where pdfminer would read the page differently."""
    page = doc[plumber_page.page_number - 1]
    try:
        return _read_chars(plumber_page, page)
    finally:
        page.close()


def _read_chars(plumber_page: Any, page: "pdfium.PdfPage") -> list[dict]:
    if (plumber_page.rotation or 0) % 360:
        raise Unsupported("rotated page")
    mb = tuple(float(v) for v in plumber_page.mediabox)
    if mb[0] or mb[1] or tuple(float(v) for v in plumber_page.bbox) != mb:
        raise Unsupported("page box off the origin or cropped")
    fonts: dict[str, set[FontInfo]] = {}
    cache = plumber_page.pdf.__dict__.setdefault("_reportparse_fonts", {})  # per document, by object id
    _page_fonts(cache, plumber_page.page_obj.resources, fonts)
    textpage = page.get_textpage()
    try:
        return _chars(textpage.raw, fonts, float(plumber_page.height),
                      float(getattr(plumber_page, "initial_doctop", 0) or 0), plumber_page.page_number)
    finally:
        textpage.close()


def _text(tp, n: int) -> str | None:
    """All the page's characters in one call: one UTF-16 unit per character index, unless a
    character lies outside the BMP (then None, and each is asked for)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = raw.FPDFText_GetText(tp, 0, n, buf)
    text = bytes(buf)[: max(0, got - 1) * 2].decode("utf-16-le", "surrogatepass")
    return text if len(text) == n else None


def _match(font: Any, fonts: dict[str, set[FontInfo]]) -> tuple[str, float]:
    """pdfminer's fontname and descent for a PDFium font, found by name; subsets of one font
    (AAAAAA+X, AAAAAB+X) are told apart by the length of their embedded program."""
    found = fonts.get(_base_name(font)) if font else None
    if not found or len({d for _, d, _ in found}) != 1:
        raise Unsupported("font descriptor not matched")
    if len(found) > 1:
        size = ctypes.c_size_t()
        raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
        same = [f for f in found if f[2] == size.value]
        found = set(same) if len(same) == 1 else found
    fontname, descent, _ = sorted(found)[0]
    return fontname, descent


def _chars(tp, fonts: dict[str, set[FontInfo]], height: float, doctop: float,
           page_number: int) -> list[dict]:
    n = raw.FPDFText_CountChars(tp)
    text = _text(tp, n) if n > 0 else ""
    tpv = ctypes.c_void_p(ctypes.cast(tp, _V).value)
    m = raw.FS_MATRIX()
    pm = ctypes.byref(m)
    ox, oy = ctypes.c_double(), ctypes.c_double()
    pox, poy = ctypes.byref(ox), ctypes.byref(oy)
    fs = ctypes.c_float()
    pfs = ctypes.byref(fs)
    rgba = tuple(ctypes.c_uint() for _ in range(4))
    prgba = tuple(ctypes.byref(v) for v in rgba)
    r, g, b_, _a = rgba
    width = ctypes.c_float()
    per_obj: dict[int, tuple] = {}
    per_font: dict[int, tuple] = {}
    out: list[dict] = []
    append = out.append
    for i in range(n):
        key = _text_object(tpv, i)
        if not key:  # a space or line break PDFium made up: pdfminer has none
            continue
        ch = text[i] if text is not None else chr(raw.FPDFText_GetUnicode(tp, i))
        if ch.isspace() and _is_generated(tpv, i):
            continue
        if _map_error(tpv, i):
            raise Unsupported("glyph without a Unicode mapping")
        info = per_obj.get(key)
        if info is None:
            obj = ctypes.c_void_p(key)
            fkey = _get_font(obj) or 0
            if fkey not in per_font:
                font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(tp, i))  # typed, for pypdfium2's calls
                per_font[fkey] = (font, *_match(font, fonts), {})
            font, fontname, descent, widths = per_font[fkey]
            _font_size(obj, pfs)
            _char_matrix(tpv, i, pm)  # the text object's: the same for all its chars
            size = fs.value
            fill = (r.value / 255, g.value / 255, b_.value / 255) if _fill(obj, *prgba) else None
            stroke = (r.value / 255, g.value / 255, b_.value / 255) if _stroke(obj, *prgba) else None
            a, b, c, d = m.a, m.b, m.c, m.d
            descent = descent * size / 1000
            info = per_obj[key] = (font, widths, size, fontname, descent, descent + size, a, b, c, d, fill, stroke,
                                   a * d > 0 and b * c <= 0, b == 0 and c == 0)
        font, widths, size, fontname, descent, up, a, b, c, d, fill, stroke, upright, level = info
        adv = widths.get(ch)
        if adv is None:
            raw.FPDFFont_GetGlyphWidth(font, ord(ch), 1000.0, width)
            adv = widths[ch] = width.value
        adv = adv * size / 1000
        _origin(tpv, i, pox, poy)
        e, f = ox.value, oy.value
        # pdfminer's box: the rectangle (0, descent)-(adv, descent + size) through the
        # char's matrix, and the upright box around its four corners
        if level:
            x0, x1 = (e, a * adv + e) if a >= 0 else (a * adv + e, e)
            y0, y1 = (d * descent + f, d * up + f) if d >= 0 else (d * up + f, d * descent + f)
        else:
            xs = (c * descent + e, a * adv + c * descent + e, a * adv + c * up + e, c * up + e)
            ys = (d * descent + f, b * adv + d * descent + f, b * adv + d * up + f, d * up + f)
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        top = height - y1
        append({"matrix": (a, b, c, d, e, f), "fontname": fontname, "adv": adv,
                "upright": upright, "x0": x0, "y0": y0, "x1": x1, "y1": y1,
                "width": x1 - x0, "height": y1 - y0, "size": y1 - y0, "mcid": None, "tag": None,
                "object_type": "char", "page_number": page_number, "text": ch,
                "stroking_color": stroke, "non_stroking_color": fill,
                "top": top, "bottom": height - y0, "doctop": doctop + top})
    return out


class Page:
    """A pdfplumber page whose chars, lines, rects, curves, edges and ruled tables come from
    PDFium (tables through pdfplumber's own table finder); images and everything else are
    the pdfplumber page's, which parses the page only when asked."""

    def __init__(self, page: Any, doc: "pdfium.PdfDocument") -> None:
        self._page = page
        self._doc = doc
        self._chars: list[dict] | None = None
        self._drawn: dict[str, list[dict]] | None = None
        self._images = False
        self._edges: list[dict] | None = None
        self.engine = "pdfium"  # who read the page: "pdfplumber" after a fallback
        self.fallback: str | None = None  # why it fell back

    def _read(self) -> None:
        try:
            page = self._doc[self._page.page_number - 1]
            try:
                self._drawn, self._images = drawings(page, float(self._page.height),
                                                      float(self._page.initial_doctop), self._page.page_number)
                self._chars = _read_chars(self._page, page)
            finally:
                page.close()
        except Exception as e:  # Unsupported, or a page PDFium cannot take: pdfplumber reads it, as before
            self.engine, self.fallback = "pdfplumber", f"{type(e).__name__}: {e}"
            log.debug("page %d read by pdfplumber, not PDFium: %s", self._page.page_number, self.fallback)
            self._chars = self._page.chars
            self._drawn = {k: getattr(self._page, k) for k in ("lines", "rects", "curves")}
            self._images = True

    @property
    def chars(self) -> list[dict]:
        if self._chars is None:
            self._read()
        return self._chars  # type: ignore[return-value]

    def _get(self, name: str) -> list[dict]:
        if self._drawn is None:
            self._read()
        return self._drawn[name]  # type: ignore[index]

    lines = property(lambda self: self._get("lines"))
    rects = property(lambda self: self._get("rects"))
    curves = property(lambda self: self._get("curves"))

    @property
    def images(self) -> list[dict]:
        if self._drawn is None:
            self._read()
        return self._page.images if self._images else []

    @property
    def edges(self) -> list[dict]:
        """pdfplumber's Container.edges, on these lines, rects and curves."""
        if self._edges is None:
            self._edges = (list(map(_pu.line_to_edge, self.lines))
                           + [e for r in self.rects for e in _pu.rect_to_edges(r)]
                           + [e for c in self.curves for e in _pu.curve_to_edges(c)])
        return self._edges

    def find_tables(self, table_settings: Any = None) -> list:
        """pdfplumber's Page.find_tables, on these edges; each table's bbox and rows are
        computed once (pdfplumber recomputes them from the cells on every access, and the
        cell text is built by asking each char whether it lies in the table)."""
        return Finder(self, TableSettings.resolve(table_settings)).tables

    def close(self) -> None:
        self._chars = self._drawn = self._edges = None
        self._page.close()

    def __getattr__(self, name: str) -> Any:  # width, height, bbox, rotation, to_image, ...
        return getattr(self._page, name)


def wrap(pages: Any, doc: "pdfium.PdfDocument | None") -> Iterator[Any]:
    """The document's pages, read through PDFium when ``doc`` is open, else as they are."""
    for page in pages:
        yield page if doc is None else Page(page, doc)


@contextlib.contextmanager
def closing(doc: "pdfium.PdfDocument | None") -> Iterator[None]:
    """Close PDFium's handle with the pdfplumber document it shadows."""
    try:
        yield
    finally:
        if doc is not None:
            doc.close()
