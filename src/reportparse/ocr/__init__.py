"""ocr: a page image -> positioned text lines (PDF points) and ruled tables read cell by cell.

In: a pdfplumber page and ``Settings``. Out: ``model.Line`` and ``model.Table`` lists, with
the engine's confidence; ``errors.TooLarge`` for a page over the pixel cap.

Rooms: ``engines`` (RapidOCR/PP-OCRv4 and Tesseract behind one interface), ``grid`` (ruled
tables in a scan), ``page`` (render, find tables, read, scale boxes back to points).

Must not import: ``read``, ``understand``, ``verify``, ``store``, ``run``; only the shared base
(``model``, ``settings``, ``errors``).
"""
