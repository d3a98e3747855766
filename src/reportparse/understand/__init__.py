"""understand: extracted pages -> a ``model.Report``'s content: paragraphs, sections, document
fields, amounts, measures, items, and where each figure is on its page.

In: ``model.Extracted`` (or plain text). Out: the Report's dataclasses. Wording lives in
``patterns/``, never in code.

Rooms: ``normalize`` (lines -> paragraphs, the character map), ``lookalikes`` and ``majority``
(repairs of OCR'd text: look-alike characters by word frequency; a name or figure the document
states several times), ``segment`` (outline -> sections), ``numbers`` (quantities), ``names``
(indicator names trimmed by jieba tokens), ``prose`` (values stated in sentences), ``fields``
(who, which year, how much: the document's fields), ``roles`` (a table column's role),
``table_layout`` (tables stitched across pages), ``table_facts`` (what a table's rows say),
``doctype`` (what kind of document), ``dedupe`` (duplicate links, fingerprints), ``locate``
(each figure's box on its page).

Must not import: ``verify``, ``store``, ``run``.
"""
