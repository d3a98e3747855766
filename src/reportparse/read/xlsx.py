"""Excel (.xlsx) -> ``Extracted``: each visible sheet is a page, its cells a table, read as the
sheet shows them.

A cell's text is its value in its number format, as a PDF export would print it: 0.88 in a
percent format is ``88%`` (88 %), 1234.5 in ``#,##0.00`` is ``1,234.50``, a date is a date.
Formulas give their last calculated values. A merged range keeps its text in its top-left
cell and None in the cells it covers, as pdfplumber reports a merged cell. Rows above the
grid with one cell (the title, 单位：万元) and rows below it with one cell (填表人) are lines of
text, as they are in the printed sheet. Hidden rows, columns and sheets are left out, as
printing leaves them out.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable

from reportparse.errors import ExtractError, TooLarge
from reportparse.messages import cause, say
from reportparse.model import Extracted, Line, Page, Table
from reportparse.read.ooxml import Package, check_xml
from reportparse.settings import Settings

MAX_CELLS = 500_000  # a sheet's used range above this is formatting run down to row 1048576, not a report
WIDTH, HEIGHT = 842.0, 595.0  # A4 landscape, as 自评表 are printed

_DECIMALS = re.compile(r"0\.(0+)")
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _check_package(path: str | Path, settings: Settings) -> None:
    """Every part inflated once within its cap, and every part that is XML parsed by safexml,
    before openpyxl opens the file: openpyxl parses with the standard library's ElementTree,
    which expands internal entities, unless ``defusedxml`` happens to be installed (and
    OPENPYXL_DEFUSEDXML is not set to False); nothing here relies on that. openpyxl finds a
    part through the package's relationships, whatever its name, so a part not named .xml
    is checked too: it passes when it is no XML at all (an image), never with a DTD."""
    what = say("xlsx_file")
    with Package(path, settings.max_stream_bytes, what) as pkg:
        for name in sorted(pkg.names):
            data = pkg.read(name)
            if data is not None:
                check_xml(data, say("part_of", what=what, name=name),
                          binary_ok=not name.lower().endswith((".xml", ".rels")))


def display(value, fmt: str | None) -> str:
    """A cell's value as its number format shows it (the part of the format for positive
    numbers; currency symbols and colours dropped)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return f"{value.year}年{value.month}月{value.day}日" if fmt and "年" in fmt else value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if not isinstance(value, (int, float)):
        return str(value).strip()
    f = _QUOTED.sub("", (fmt or "General").split(";")[0])
    if f in ("General", "@", ""):
        return str(int(value)) if float(value).is_integer() else format(value, ".15g")
    m = _DECIMALS.search(f)
    decimals = len(m.group(1)) if m else 0
    if "%" in f:
        return f"{value * 100:.{decimals}f}%"
    if "0" not in f and "#" not in f:  # a text-only format: the value as General
        return str(int(value)) if float(value).is_integer() else format(value, ".15g")
    return f"{value:,.{decimals}f}" if "," in f else f"{value:.{decimals}f}"


def _sheet(ws, number: int) -> Page:
    max_row, max_col = ws.max_row or 0, ws.max_column or 0
    if max_row * max_col > MAX_CELLS:
        raise TooLarge(say("sheet_too_large", sheet=ws.title, rows=max_row, cols=max_col, cap=MAX_CELLS))
    covered = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    hidden_cols = {i for i in range(1, max_col + 1)
                   if ws.column_dimensions[_col_letter(i)].hidden}
    grid: list[list[str | None]] = []
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col), start=1):
        if ws.row_dimensions[r].hidden:
            continue
        cells = [None if (r, c) in covered else display(cell.value, cell.number_format)
                 for c, cell in enumerate(row, start=1) if c not in hidden_cols]
        if any(cells):
            grid.append(cells)
    return sheet_page(grid, number)


def sheet_page(grid: list[list[str | None]], number: int) -> Page:
    """A sheet's shown rows (None where a merged cell covers) -> a page: empty columns
    dropped, one-cell rows above and below the grid as lines, the rest a table. Shared by
    the .xls reader."""
    page = Page(number, WIDTH, HEIGHT)
    if not grid:
        return page
    keep = [j for j in range(len(grid[0])) if any(row[j] for row in grid)]
    grid = [[row[j] for j in keep] for row in grid]
    single = [sum(1 for c in row if c) == 1 for row in grid]
    head = next((i for i, s in enumerate(single) if not s), len(grid))
    tail = len(grid) - next((i for i, s in enumerate(reversed(single)) if not s), 0)
    texts = [next(c for c in row if c) for row in grid[:head]]
    rows = grid[head:tail]
    if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
        page.tables.append(Table(number, rows, 100.0, 500.0))
    else:
        texts += [" ".join(c for c in row if c) for row in rows]
    texts += [next(c for c in row if c) for row in grid[tail:]] if head < len(grid) else []
    for k, text in enumerate(texts):
        page.lines.append(Line(number, text, 60.0, WIDTH - 60.0, 80.0 + 20 * k, 92.0 + 20 * k, 12.0,
                               paragraph=k))
    return page


def _col_letter(i: int) -> str:
    out = ""
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def extract(path: str | Path, settings: Settings, progress: Callable[[int], None] | None = None) -> Extracted:
    """Read every visible sheet of an .xlsx workbook."""
    import openpyxl  # here: only a workbook needs it
    _check_package(path, settings)
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=False)
    except (KeyError, ValueError, TypeError, OSError) as e:
        raise ExtractError(say("excel_damaged", what=say("xlsx_file"), cause=cause(e))) from e
    try:
        pages, names = [], []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            pages.append(_sheet(ws, len(pages) + 1))
            names.append(say("sheet_as_page", page=len(pages), sheet=ws.title))
            if progress is not None:
                progress(len(pages))
        title = (wb.properties.title or "").strip() or None
    finally:
        wb.close()
    if not pages:
        raise ExtractError(say("no_visible_sheet"))
    # provenance: a row's page is its sheet's number among the visible sheets
    return Extracted(pages, len(pages), title, notes=[sheets_note(names)])


def sheets_note(names: list[str]) -> str:
    """The document's note that says which sheet became which page (``say("sheet_as_page")`` each)."""
    return say("sheets_as_pages", sheets="、".join(names))
