"""Export an output folder for colleagues who use Excel: one workbook with a sheet per table
(Chinese column labels, money also in 万元, header row frozen), or one CSV per table in
UTF-8 with a BOM — without the BOM Excel reads UTF-8 as the local code page and shows
Chinese as mojibake.

Every cell holds document text as text (``reportparse.cells``): a workbook types each string
cell as a string, never a formula, whatever it starts with; a CSV prefixes a string that
starts with ``= + - @``, tab or carriage return with ``'``, so Excel or WPS do not evaluate it.
"""
from __future__ import annotations

from pathlib import Path

import regex

from reportparse.cells import CSV_ROW_END, FORMULA_START, csv_cell
from reportparse.messages import say
from reportparse.store.schema import COLUMNS, LABELS, LOAD_COLUMNS

# money columns in yuan, and the rows where they are money (None: every row)
MONEY = {"documents": {"budget_initial": None, "budget_adjusted": None, "expenditure": None},
         "amounts": {"amount": ("currency", "CNY")},
         "measures": {"target_value": ("unit", "CNY"), "target_value_max": ("unit", "CNY"),
                      "actual_value": ("unit", "CNY")}}
WAN = 10_000
EXCEL_CELL_LIMIT = 32_767
EXCEL_ROW_LIMIT = 1_048_575  # one row for the header
ILLEGAL = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters Excel refuses
LABEL_END = regex.compile(r"[（(：:，,；;]")


class ExportError(ValueError):
    """The export cannot be written; the message says why."""


def label(table: str, column: str) -> str:
    """A short Chinese label: schema.LABELS, else the description's head before its first
    bracket or clause."""
    if f"{table}.{column}" in LABELS or column in LABELS:
        return LABELS.get(f"{table}.{column}", LABELS.get(column))
    for name, _, zh, _ in COLUMNS[table] + LOAD_COLUMNS.get(table, []):
        if name == column:
            head = LABEL_END.split(zh, 1)[0].strip()
            return head or column
    return column


def with_wan(table: str, df: "pd.DataFrame") -> "pd.DataFrame":
    """Money columns also in 万元, each right after its yuan column."""
    out = df.copy()
    for col, cond in MONEY.get(table, {}).items():
        if col not in out:
            continue
        vals = out[col].astype("Float64") / WAN
        if cond is not None:
            vals = vals.where(out[cond[0]] == cond[1])
        out.insert(out.columns.get_loc(col) + 1, f"{col}_wan", vals)
    return out


def _labels(table: str, columns: list[str]) -> list[str]:
    names = []
    for c in columns:
        money = MONEY.get(table, {})
        if c.endswith("_wan") and c[:-4] in money:
            cond = money[c[:-4]]
            only = "" if cond is None else "，人民币行" if cond[0] == "currency" else "，金额指标行"
            names.append(f"{label(table, c[:-4])}（万元{only}）")
        elif c in money and money[c] is None:
            names.append(f"{label(table, c)}（元）")
        else:
            names.append(label(table, c))
    seen: dict[str, int] = {}
    for i, n in enumerate(names):  # two columns with one label keep both, told apart by the column name
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1 or names.count(n) > 1:
            names[i] = f"{n}（{columns[i]}）"
    return names


def _cell(v):
    import pandas as pd
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, str):
        v = ILLEGAL.sub("", v)
        return v if len(v) <= EXCEL_CELL_LIMIT else v[:EXCEL_CELL_LIMIT - 1] + "…"
    return v.item() if hasattr(v, "item") else v


def to_xlsx(tables: dict, path: str | Path) -> Path:
    """One sheet per table; row 1 holds Chinese labels (the column name and its full
    description are in the header cell's comment), frozen."""
    try:
        from openpyxl import Workbook
        from openpyxl.comments import Comment
        from openpyxl.styles import Font
    except ImportError as e:
        raise ExportError(say("export_needs_openpyxl")) from e
    from reportparse.store.schema import COLUMNS as cols
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for table, df in tables.items():
        if len(df) > EXCEL_ROW_LIMIT:
            raise ExportError(say("export_too_many_rows", table=table, rows=len(df)))
        df = with_wan(table, df.drop(columns=[c for c in ("year",) if c in df]))
        ws = wb.create_sheet(table)
        desc = {n: f"{n}\n{zh}\n{en}" for n, _, zh, en in cols[table] + LOAD_COLUMNS.get(table, [])}
        ws.append(_labels(table, list(df.columns)))
        for i, c in enumerate(df.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=True)
            cell.comment = Comment(desc.get(c, desc.get(c[:-4], c) + "\n÷ 10000（万元）"), "reportparse")
        for r, row in enumerate(df.itertuples(index=False), start=2):
            values = [_cell(v) for v in row]
            ws.append(values)
            for j, v in enumerate(values, start=1):
                if isinstance(v, str):
                    # openpyxl stores a string starting with "=" as a formula; document text
                    # is text. quotePrefix keeps it text when someone edits the cell in Excel.
                    cell = ws.cell(row=r, column=j)
                    cell.data_type = "s"
                    if v.startswith(FORMULA_START):
                        cell.quotePrefix = True
        ws.freeze_panes = "A2"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def to_csv(tables: dict, folder: str | Path) -> list[Path]:
    """``<table>.csv`` per table in UTF-8 with a BOM, column names as in Parquet plus the
    万元 columns."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(say("export_csv_is_file", folder=folder))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, df in tables.items():
        p = folder / f"{table}.csv"
        out = with_wan(table, df.drop(columns=[c for c in ("year",) if c in df]))
        # CRLF rows (RFC 4180, as Excel writes them): with LF rows a carriage return inside a
        # field is left unquoted, and Excel starts a new row at it -- a fresh cell, unprefixed
        _text_cells(out).to_csv(p, index=False, encoding="utf-8-sig", lineterminator=CSV_ROW_END)
        written.append(p)
    return written


def _text_cells(df: "pd.DataFrame") -> "pd.DataFrame":
    """Every string cell that a spreadsheet would evaluate, prefixed with ``'``; numeric
    columns untouched (a negative amount stays a number)."""
    from pandas.api.types import is_numeric_dtype
    out = df.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col].dtype):  # text, or mixed: csv_cell touches only strings
            out[col] = out[col].map(csv_cell, na_action="ignore")
    return out
