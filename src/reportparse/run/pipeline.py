"""Compose the stages: extract -> normalize (-> OCR consensus) -> segment -> recognize (+tables) -> check.

No logic of its own beyond wiring each stage's output into the next and turning a stage's
refusal into a ``failed`` report.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from reportparse import errors
from reportparse.messages import SEP, say
from reportparse.model import Paragraph, Report, Table
from reportparse.read import formats
from reportparse.settings import Settings
from reportparse.understand import (
    dedupe,
    doctype,
    fields,
    locate,
    majority,
    normalize,
    numbers,
    prose,
    segment,
    table_facts,
)
from reportparse.verify import checks


def file_id(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def parse_pdf(path: str | Path, settings: Settings | dict | None = None,
              progress: Callable[[int], None] | None = None, doc_id: str | None = None) -> Report:
    """Parse one PDF (or Word, Excel, web page: read/formats.py picks the reader by content) into
    a Report; a file that cannot be read gives status ``failed``.
    ``doc_id`` is the file's hash when the caller has already computed it."""
    settings = Settings.resolve(settings)
    numbers.forget()
    report = Report(doc_id=doc_id or file_id(path), source=str(path))
    try:
        ex = formats.extract(path, settings, progress)
    except errors.ExtractError as e:
        report.status, report.error, report.format = "failed", str(e), e.format
        return report
    report.page_count, report.ocr_pages, report.format = ex.page_count, ex.ocr_pages, ex.format
    paras, tbls = normalize.normalize(ex, settings.band)
    majority.correct(ex, paras, tbls)
    analyze(report, paras, tbls, ex.title_hint)
    report.document.notes += ex.notes  # remarks that lost nothing: the status stays ok
    locate.locate(report, ex.pages, boxes=ex.format == "pdf")  # Word, Excel, web pages: no printed page to box
    if ex.errors:
        report.status = "partial"
        report.error = SEP.join(ex.errors[:5]) + (say("more", n=len(ex.errors) - 5) if len(ex.errors) > 5 else "")
    if not paras and not tbls:  # nothing usable, whatever the reason
        report.status = "failed"
        report.error = say("nothing_left", error=report.error) if report.error else say("no_text")
    return report


def parse_text(text: str, source: str = "<text>") -> Report:
    """Run the stages after extraction on plain text, one paragraph per line (tests, notebooks)."""
    report = Report(doc_id=hashlib.sha256(text.encode("utf-8")).hexdigest(), source=source)
    paras = [Paragraph(normalize.translate(line.strip()), [(0, 1)]) for line in text.splitlines() if line.strip()]
    analyze(report, paras, [], None)
    report.page_count = 1
    return report


def analyze(report: Report, paras: list[Paragraph], tbls: list[Table], title_hint: str | None) -> Report:
    """Normalized paragraphs and tables -> sections, values and checks, filled into ``report``."""
    front, sections, heads = segment.segment(paras)
    stated = prose.read_prose(front, sections, heads)
    facts = table_facts.read(tbls)
    doc = fields.document_fields(front, sections, heads, stated.amounts, title_hint, stated.percents)
    fields.fill_from_tables(doc, facts.fields, facts.total_score)
    doc.doc_type = doctype.classify(fields.title_candidates(front, title_hint), front, sections, tbls)
    report.document = doc
    report.sections = sections
    report.amounts = stated.amounts + facts.amounts
    report.measures = dedupe.link_measures(doctype.measures_for(doc.doc_type, stated.measures + facts.measures))
    report.items = table_facts.merge_items(prose.items(sections, heads), facts.items)
    report.tables = tbls
    report.checks = checks.run(doc, sections, heads, report.measures, report.amounts, facts)
    return report
