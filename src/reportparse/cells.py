"""Document text in a cell a spreadsheet opens, kept as text (CSV/formula injection).

Everything reportparse writes comes from documents nobody vouches for. Excel, WPS and
LibreOffice evaluate a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(a tab or carriage return in front is skipped first), so a problem item that reads
``=HYPERLINK("http://…","点击查看")`` would become a link its author chose, and on older
programs ``@SUM(1+1)*cmd|' /C calc'!A0`` a command line. Following the OWASP guidance, such
a string is written with a leading ``'``, which the spreadsheet shows as text and a reader
strips with ``unescape``; rows end in CRLF, so that a carriage return inside a field is
quoted (``CSV_ROW_END``). Only strings are escaped: a number (an ``int``, ``float`` or
``Decimal`` value, a negative one included) is written as the number it is, so numeric
columns stay numeric; a text cell such as ``-5%`` is text and gets the prefix.

Shared by ``store.export`` (``export --csv``) and ``verify.report`` (``check --format csv``),
which are siblings, so it sits in the base. The workbook export needs no prefix: it types
every string cell as a string, which a spreadsheet never evaluates.
"""
from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
# Rows end in CRLF (RFC 4180, as Excel writes them). Python's csv module quotes a field that
# holds a character of the row end; with LF rows a carriage return inside a field goes out
# unquoted, Excel starts a new row there, and the text after it is a fresh, unprefixed cell.
CSV_ROW_END = "\r\n"


def _needs_prefix(text: str) -> bool:
    # text that already starts with quotes before a formula character is prefixed too, so
    # that ``unescape`` can tell an added quote from one the document wrote
    return text.lstrip(PREFIX).startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is a string a spreadsheet would read as a
    formula; anything else (numbers, None, an empty string) unchanged."""
    if isinstance(value, str) and _needs_prefix(value):
        return PREFIX + value
    return value


def unescape(value: Any) -> Any:
    """The text ``csv_cell`` was given: for a program that reads the CSV back."""
    if isinstance(value, str) and value.startswith(PREFIX) and _needs_prefix(value[1:]):
        return value[1:]
    return value
