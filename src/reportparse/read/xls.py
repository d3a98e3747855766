"""Excel 97-2003 (.xls, and WPS's .et, the same compound file) -> ``Extracted`` with xlrd, where
it is installed: cells as their number format shows them, merged ranges, visible sheets, as
``read/xlsx.py`` reads a workbook (the page is built by the same code). Without xlrd the
file goes to LibreOffice (``read/convert.py``).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from reportparse.errors import ExtractError, TooLarge
from reportparse.messages import cause, say
from reportparse.model import Extracted
from reportparse.read.xlsx import MAX_CELLS, display, sheet_page, sheets_note
from reportparse.settings import Settings


def available() -> bool:
    try:
        import xlrd  # noqa: F401
    except ImportError:
        return False
    return True


def extract(path: str | Path, settings: Settings, progress: Callable[[int], None] | None = None) -> Extracted:
    """Read every visible sheet of an .xls workbook."""
    import xlrd
    size = Path(path).stat().st_size
    if size > settings.max_stream_bytes:
        raise TooLarge(say("file_cap", what=say("workbook"), mb=size >> 20, cap=settings.max_stream_bytes >> 20))
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except xlrd.biffh.XLRDError as e:
        if "encrypted" in str(e).lower():
            raise ExtractError(say("office_encrypted", what=say("xls_file"))) from e
        raise ExtractError(say("excel_damaged", what=say("xls_file"), cause=cause(e))) from e
    pages, names = [], []
    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            if sh.visibility:  # 1 hidden, 2 very hidden
                continue
            if sh.nrows * sh.ncols > MAX_CELLS:
                raise TooLarge(say("sheet_too_large", sheet=sh.name, rows=sh.nrows, cols=sh.ncols, cap=MAX_CELLS))
            covered = {(r, c) for r0, r1, c0, c1 in sh.merged_cells for r in range(r0, r1) for c in range(c0, c1)
                       if (r, c) != (r0, c0)}
            hidden_rows = {r for r, info in sh.rowinfo_map.items() if info.hidden}
            hidden_cols = {c for c, info in sh.colinfo_map.items() if info.hidden}
            grid = []
            for r in range(sh.nrows):
                if r in hidden_rows:
                    continue
                cells = [None if (r, c) in covered else _shown(book, sh.cell(r, c))
                         for c in range(sh.ncols) if c not in hidden_cols]
                if any(cells):
                    grid.append(cells)
            pages.append(sheet_page(grid, len(pages) + 1))
            names.append(say("sheet_as_page", page=len(pages), sheet=sh.name))
            if progress is not None:
                progress(len(pages))
    finally:
        book.release_resources()
    if not pages:
        raise ExtractError(say("no_visible_sheet"))
    return Extracted(pages, len(pages), None, notes=[sheets_note(names)])


def _shown(book, cell) -> str:
    import xlrd
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    fmt = None
    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None and cell.xf_index < len(book.xf_list) else None
    if xf is not None and xf.format_key in book.format_map:
        fmt = book.format_map[xf.format_key].format_str
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return display(dt.datetime(*xlrd.xldate_as_tuple(cell.value, book.datemode)), fmt)
        except (ValueError, xlrd.xldate.XLDateError):
            return display(cell.value, None)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return display(bool(cell.value), fmt)
    return display(cell.value, fmt)
