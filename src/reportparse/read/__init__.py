"""read: a PDF (or Word, Excel, web page) file -> ``model.Extracted``, pages of clean lines,
ruled and unruled tables and glyph boxes, with per-page notes and errors.

In: a path and ``Settings``. Out: ``Extracted`` (``formats.extract``, which picks the reader by
the file's content; ``pages.extract`` for a PDF), or ``errors.ExtractError`` when the file
cannot be read at all. Pages with no usable text layer are handed to ``ocr/``.

Rooms: ``guard`` (hostile-file limits, damaged and encrypted files), ``pdfium`` and
``pdfium_calls`` (characters through PDFium), ``ruled`` (ruled tables from PDFium's paths),
``glyphs`` (character cleaning, visual lines), ``streamtable`` (unruled tables), ``repair``
(truncated files), ``pages`` (one page, and the whole file); for other formats ``formats``
(sniffing), ``docx``, ``xlsx``, ``xls``, ``html``, ``ooxml`` (bounded zip), ``safexml`` (XML with no DTD or
entities) and ``convert``
(LibreOffice for .doc/.wps/.xls/.et).

Must not import: ``understand``, ``verify``, ``store``, ``run`` (checked by import-linter).
"""
