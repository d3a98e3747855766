"""Ruled tables from PDFium's path objects: lines, rects and curves in pdfplumber's shape, and
pdfplumber's table finder run on them with cells built once per table.
"""
from __future__ import annotations

import ctypes
import functools
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfplumber import utils as _pu
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

from reportparse.read.pdfium_calls import _V, _obj_type, _page_object


def _compose(m: tuple, n: tuple) -> tuple:
    """m then n, as PDF matrices (a, b, c, d, e, f)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(obj) -> tuple:
    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _subpaths(obj) -> list[list[tuple[str, float, float]]]:
    """The path's segments as pdfminer records them: m, l, c (end point only) and h, split
    at each m. PDFium closes a path by a line back to the start flagged 'close', which
    pdfminer sees as h (its redundant l dropped)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    out: list[list[tuple[str, float, float]]] = []
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        kind = raw.FPDFPathSegment_GetType(seg)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            out.append([("m", x.value, y.value)])
            bezier = 0
            continue
        if not out:
            out.append([])
        sub = out[-1]
        if kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier = (bezier + 1) % 3
            if bezier:
                continue  # control points: pdfminer keeps the end point only
            sub.append(("c", x.value, y.value))
            if raw.FPDFPathSegment_GetClose(seg):
                sub.append(("h",) + sub[0][1:])
        elif raw.FPDFPathSegment_GetClose(seg) and sub and sub[0][0] == "m" and (x.value, y.value) == sub[0][1:]:
            sub.append(("h",) + sub[0][1:])
        else:
            sub.append(("l", x.value, y.value))
    return out


def _shapes(obj, matrix: tuple, height: float, doctop: float, page_number: int,
            out: dict[str, list[dict]]) -> None:
    """One path object as pdfminer's LTLine/LTRect/LTCurve would come out of pdfplumber."""
    a, b, c, d, e, f = matrix
    for path in _subpaths(obj):
        shape = "".join(p[0] for p in path)
        if shape[:1] != "m":
            continue
        pts = [(a * px + c * py + e, b * px + d * py + f) for _, px, py in path]
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop()
        kind = "curve"
        if shape in ("mlh", "ml"):
            kind, pts = "line", pts[:2]
        elif shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                     or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
                kind = "rect"
                (rx0, ry0), (rx1, ry1) = pts[0], pts[2]
                pts = [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        top = height - y1
        item = {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "width": x1 - x0, "height": y1 - y0,
                "top": top, "bottom": height - y0, "doctop": doctop + top, "object_type": kind,
                "page_number": page_number}
        if kind == "curve":
            item["pts"] = [(px, height - py) for px, py in pts]
        out[kind + "s"].append(item)


def drawings(page: "pdfium.PdfPage", height: float, doctop: float, page_number: int) -> tuple[dict[str, list[dict]], bool]:
    """The page's lines, rects and curves as pdfplumber gives them (from PDFium's path
    objects, form XObjects included), and whether it has any image."""
    out: dict[str, list[dict]] = {"lines": [], "rects": [], "curves": []}
    images = False
    ident = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    pv = ctypes.c_void_p(ctypes.cast(page.raw, _V).value)
    todo = []
    for i in range(raw.FPDFPage_CountObjects(page.raw)):  # text objects by the thousand: only their type
        kind = _obj_type(ctypes.c_void_p(_page_object(pv, i)))
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            images = True
        elif kind in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
            todo.append((raw.FPDFPage_GetObject(page.raw, i), ident))
    todo.reverse()
    while todo:
        obj, outer = todo.pop()
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_PATH:
            _shapes(obj, _compose(_matrix(obj), outer), height, doctop, page_number, out)
        elif kind == raw.FPDF_PAGEOBJ_IMAGE:
            images = True
        elif kind == raw.FPDF_PAGEOBJ_FORM:
            inner = _compose(_matrix(obj), outer)
            kids = [(raw.FPDFFormObj_GetObject(obj, i), inner) for i in range(raw.FPDFFormObj_CountObjects(obj))]
            todo.extend(reversed(kids))
    return out, images


def _cells(intersections: dict) -> list[tuple]:
    """pdfplumber's ``intersections_to_cells``, the same cells in the same order, with each
    point's edge sets built once instead of in every comparison (pdfplumber rebuilds them,
    and re-evaluates a nested function's typing annotations, on every call: a third of its
    table finding). A point's neighbours below share its x and follow it in sorted order;
    those to its right share its y."""
    points = sorted(intersections)
    v = {p: {_pu.obj_to_bbox(e) for e in intersections[p]["v"]} for p in points}
    h = {p: {_pu.obj_to_bbox(e) for e in intersections[p]["h"]} for p in points}

    def connects(p1: tuple, p2: tuple) -> bool:
        return bool((p1[0] == p2[0] and not v[p1].isdisjoint(v[p2]))
                    or (p1[1] == p2[1] and not h[p1].isdisjoint(h[p2])))

    by_y: dict[Any, list[tuple]] = {}
    for p in points:
        by_y.setdefault(p[1], []).append(p)
    cells = []
    for i, pt in enumerate(points):
        below = []
        for q in points[i + 1:]:
            if q[0] != pt[0]:
                break
            below.append(q)
        right = [q for q in by_y[pt[1]] if q > pt]
        cell = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            cells.append(cell)
    return cells


class Finder(TableFinder):
    """pdfplumber's TableFinder with ``_cells`` for its intersections_to_cells."""

    def __init__(self, page: Any, settings: TableSettings) -> None:  # pdfplumber's __init__, step by step
        self.page, self.settings = page, settings
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(self.edges, settings.intersection_x_tolerance,
                                                    settings.intersection_y_tolerance)
        self.cells = _cells(self.intersections)
        self.tables = [_Table(page, group) for group in cells_to_tables(self.cells)]


class _Table(Table):
    """pdfplumber's Table with its bbox and rows computed once."""

    bbox = functools.cached_property(Table.bbox.fget)  # type: ignore[assignment]
    rows = functools.cached_property(Table.rows.fget)  # type: ignore[assignment]
