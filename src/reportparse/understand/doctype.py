"""What kind of document a file is: doc_type of contract v2.

An archive holds more than self-evaluation reports: 绩效自评表 on their own, 绩效目标表 (targets
set before the year, no actuals), 部门决算 and 部门预算. Their titles say what they are; where
the title does not, the tables do (a target column and no actual column anywhere is a target
table; a self-evaluation table with almost no prose around it is a table on its own). The
type decides what may be read from the document: a type that states no actuals gives no
target/actual pairs. Wordings live in patterns/doctypes.json.
"""
from __future__ import annotations

import logging
import regex

from reportparse import patterns
from reportparse.model import Measure, Paragraph, Section, Table

log = logging.getLogger(__name__)

_SPACE = regex.compile(r"\s+")
PROSE_OF_A_TABLE = 400  # characters of running text a lone 自评表 carries (its title, notes, signatures)


def from_text(text: str) -> str | None:
    """The type a title (or a cover line) names, if it names one."""
    flat = _SPACE.sub("", text)
    for kind, rx in patterns.doctypes().title:
        if rx.search(flat):
            return kind
    return None


def _headers(tables: list[Table]) -> tuple[bool, bool]:
    """Whether any table cell names a target column, and whether any names an actual column."""
    dt = patterns.doctypes()
    target = actual = False
    for t in tables:
        for row in t.rows:
            for cell in row:
                c = _SPACE.sub("", cell or "")
                if not c or len(c) > 12:  # header words are short; a long cell is content
                    continue
                target = target or bool(dt.target_header.search(c)) and not dt.actual_header.search(c)
                actual = actual or bool(dt.actual_header.search(c))
    return target, actual


def classify(titles: list[str], front: list[Paragraph], sections: list[Section], tables: list[Table]) -> str:
    """The document's type from its title candidates (cover lines put together, the PDF's
    Title), else from its tables."""
    for t in titles:
        if (kind := from_text(t)) is not None:
            log.debug("doc_type %s from the title %r", kind, t)
            return kind
    target, actual = _headers(tables)
    if target and not actual:
        log.debug("doc_type target_table: a target column and no actual column in its tables")
        return "target_table"
    if target and actual:
        prose = sum(len(p.text) for p in front) + sum(len(p.text) for s in sections for p in s.paragraphs)
        if prose < PROSE_OF_A_TABLE:
            log.debug("doc_type self_eval_table: target and actual columns, %d characters of prose", prose)
            return "self_eval_table"
    log.debug("doc_type other: no title names a kind (%d candidates), tables do not decide", len(titles))
    return "other"


def measures_for(doc_type: str, measures: list[Measure]) -> list[Measure]:
    """The pairs a document of this type can state: none where it states no actuals (a
    绩效目标表 or a 部门预算 sets targets; any pair read from it would be invented)."""
    return [] if doc_type in patterns.doctypes().measureless else measures
