"""PDFium functions bound for per-character and per-object calls (no argtypes: ctypes' argument
conversion costs more than the call), shared by the character reader and the ruling reader.
"""
from __future__ import annotations

import ctypes
from typing import Any

from pypdfium2_raw.bindings import _libs


def _fn(name: str, restype: Any) -> Any:
    """A private binding of a PDFium function, without argtypes: per character, ctypes'
    argument conversion costs more than the call itself. Without argtypes a Python int
    goes in as a C int, so handles are passed as ``c_void_p`` and out-parameters by
    ``byref``; a float parameter would go in as a double, so no function taking one is
    bound here."""
    f = _LIB[name]  # a new function object, not pypdfium2's shared one
    f.restype, f.argtypes = restype, None
    return f


_LIB = _libs["pdfium"]
_V, _I = ctypes.c_void_p, ctypes.c_int
_text_object = _fn("FPDFText_GetTextObject", _V)
_is_generated = _fn("FPDFText_IsGenerated", _I)
_map_error = _fn("FPDFText_HasUnicodeMapError", _I)
_origin = _fn("FPDFText_GetCharOrigin", _I)
_get_font = _fn("FPDFTextObj_GetFont", _V)
_font_size = _fn("FPDFTextObj_GetFontSize", _I)
_char_matrix = _fn("FPDFText_GetMatrix", _I)
_page_object = _fn("FPDFPage_GetObject", _V)
_obj_type = _fn("FPDFPageObj_GetType", _I)
_fill = _fn("FPDFPageObj_GetFillColor", _I)
_stroke = _fn("FPDFPageObj_GetStrokeColor", _I)
