"""ocr: a page image -> positioned text lines (PDF points) and ruled tables read cell by cell.

In: a pdfplumber page and ``Settings``. Out: ``model.Line`` and ``model.Table`` lists, with
the engine's confidence; ``errors.TooLarge`` for a page over the pixel cap.

Rooms: ``engines`` (RapidOCR/PP-OCRv4 and Tesseract behind one interface), ``skew`` (a scan's
turn measured and straightened), ``seal`` (a red seal taken out), ``grid`` (ruled tables in a
scan), ``page`` (render, find tables, read, scale boxes back to points).

Must not import: ``read``, ``understand``, ``verify``, ``store``, ``run``; only the shared base
(``model``, ``settings``, ``errors``).
"""
