"""Stage decisions are logged at DEBUG by each module's own logger, and reportparse leaves
other libraries' log levels as the program set them."""
from __future__ import annotations

import logging
import subprocess
import sys

from conftest import SAMPLES


def test_stage_decisions_are_logged_at_debug(caplog):
    from reportparse import parse_pdf
    with caplog.at_level(logging.DEBUG, logger="reportparse"):
        parse_pdf(SAMPLES / "weijian-project-2023.pdf", {"ocr": False})
    said = {(r.name, r.getMessage()) for r in caplog.records}
    assert any(n == "reportparse.understand.doctype" and "doc_type project_report from the title" in m for n, m in said)
    assert any(n == "reportparse.understand.fields" and m.startswith("organization ") for n, m in said)
    assert any(n == "reportparse.understand.table_facts" and "indicator table" in m for n, m in said)
    assert any(n == "reportparse.read.pages" and "ruled table(s)" in m for n, m in said)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name.startswith("reportparse."))


def test_importing_and_parsing_leave_other_libraries_log_levels_alone():
    code = ("import logging; logging.getLogger('pdfminer').setLevel(logging.INFO)\n"
            "import reportparse\n"
            "from reportparse.run import pipeline\n"
            "assert logging.getLogger('pdfminer').level == logging.INFO\n"
            f"pipeline.parse_pdf({str(SAMPLES / 'wenlv-2024.pdf')!r}, {{'ocr': False}})\n"
            "assert logging.getLogger('pdfminer').level == logging.INFO, logging.getLogger('pdfminer').level\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
