"""The dataclasses passed between stages and returned by ``parse_pdf``.

The dataclasses that become output rows (Section, Measure, Amount, Item, Check, Document)
are the one source of the columns ``store/write.py`` fills: a field is a column unless its
metadata says ``column: False`` (working state such as a paragraph reference), and a test
ties them to ``store/schema.py``. The closed vocabularies below are the values the contract
allows; a test ties each to its pattern file or schema description.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

Status = Literal["ok", "partial", "failed"]
CheckStatus = Literal["pass", "fail", "warn"]
Origin = Literal["text", "table"]
DocType = Literal["dept_report", "project_report", "self_eval_table", "target_table", "final_accounts", "budget",
                  "other"]
Op = Literal[">=", ">", "<=", "<", "=", "~", "range"]
ItemKind = Literal["problem", "improvement"]
SectionKind = Literal["functions", "targets", "finance", "problems", "improvements", "conclusion", "management",
                      "overview", "tasks", "other"]
CheckName = Literal["execution_rate", "share", "number_format", "target_met", "score_range", "score_sum", "item_rate",
                    "restated", "unit_mismatch"]

NOT_A_COLUMN = {"column": False}  # dataclass field metadata: working state, not written


def columns_of(cls: type) -> tuple[str, ...]:
    """The fields of an output dataclass that are columns of its table, in declaration order."""
    return _columns_of(cls)


@cache
def _columns_of(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get("column", True))

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points from the page's top-left
# One visual line's characters as drawn and their boxes (x0, top, x1, bottom for each
# character, flat float32: an archive's pages hold millions); boxes.py finds figures by them
GlyphLine = tuple[str, "array"]


@dataclass
class Line:
    """One visual line of a page after character-level cleaning."""
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    ocr: bool = False  # geometry from OCR boxes: sizes are too noisy to mark headings
    # the source's own paragraph (Word, a web page): its index there, and normalize keeps it whole
    paragraph: int | None = None


@dataclass
class Table:
    page: int
    rows: list[list[str | None]]
    top: float = 0.0
    bottom: float = 0.0
    ocr: bool = False  # cells read by OCR: their digits are less certain than a text layer's
    cells: list[list[Box | None]] = field(default_factory=list, repr=False)  # OCR'd cells' boxes, aligned with rows


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr: bool = False
    note: str | None = None  # why the page is degraded, if it is (content was lost)
    remark: str | None = None  # something worth knowing that lost no content
    glyphs: list[GlyphLine] = field(default_factory=list, repr=False)  # cleaned chars per visual line, tables included


@dataclass
class Extracted:
    pages: list[Page]
    page_count: int
    title_hint: str | None = None
    errors: list[str] = field(default_factory=list)  # content lost: the document is partial
    notes: list[str] = field(default_factory=list)   # remarks that lost nothing
    format: str = "pdf"  # what the file was read as (read/formats.py): pdf, docx, xlsx, html, doc, xls, ...

    @property
    def ocr_pages(self) -> int:
        return sum(p.ocr for p in self.pages)


@dataclass
class Paragraph:
    """Reflowed text; ``spans`` maps character offsets back to pages for provenance."""
    text: str
    spans: list[tuple[int, int]]  # (offset where a page starts, page number)

    @property
    def page(self) -> int:
        return self.spans[0][1]

    def page_at(self, offset: int) -> int:
        page = self.spans[0][1]
        for start, p in self.spans:
            if start <= offset:
                page = p
            else:
                break
        return page


@dataclass
class Section:
    section_id: int
    parent_id: int | None
    level: int
    number: str
    heading: str
    kind: SectionKind
    page_start: int
    page_end: int
    paragraphs: list[Paragraph] = field(default_factory=list, metadata=NOT_A_COLUMN)
    body_from_head: bool = field(default=False, metadata=NOT_A_COLUMN)  # paragraphs[0] is the rest of the heading's own paragraph

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass
class Document:
    title: str | None = None
    organization: str | None = None
    fiscal_year: int | None = None
    self_score: float | None = None
    budget_initial: float | None = None
    budget_adjusted: float | None = None
    expenditure: float | None = None
    execution_rate: float | None = None
    doc_type: DocType = "other"
    project: str | None = None
    supervisor: str | None = None
    notes: list[str] = field(default_factory=list)  # remarks that lost no content
    # provenance of the fields above: field -> (page, quote)
    evidence: dict[str, tuple[int, str]] = field(default_factory=dict, metadata=NOT_A_COLUMN)
    raw: dict[str, str] = field(default_factory=dict, metadata=NOT_A_COLUMN)  # field -> number as written


@dataclass
class Amount:
    section_id: int | None
    page: int
    label: str | None
    value: float
    unit_text: str
    currency: str
    amount: float
    quote: str
    malformed: bool = False
    origin: Origin = "text"
    # the words before the number as written, before label cleaning
    context: str = field(default="", metadata=NOT_A_COLUMN)
    para: "Paragraph | None" = field(default=None, repr=False, compare=False, metadata=NOT_A_COLUMN)  # where it was read
    offset: int = field(default=-1, metadata=NOT_A_COLUMN)  # where its number starts in ``para.text``
    box: Box | None = field(default=None, metadata=NOT_A_COLUMN)  # written as x0, top, x1, bottom


@dataclass
class Measure:
    section_id: int | None
    page: int
    indicator: str
    unit: str
    target_op: Op | Literal[""]
    target_value: float | None
    target_value_max: float | None
    actual_op: Op | Literal[""]
    actual_value: float | None
    met: bool | None
    quote: str
    origin: Origin = "text"
    level1: str | None = None  # 一级指标 / 二级指标 of a table row
    level2: str | None = None
    target_text: str | None = None  # as written (≥95%, 有效)
    actual_text: str | None = None
    weight: float | None = None
    score: float | None = None
    measure_id: int = -1  # 0-based order in the document, set once all rows are known
    duplicate_of: int | None = None  # measure_id of an earlier row stating the same pair
    box: Box | None = field(default=None, metadata=NOT_A_COLUMN)  # written as x0, top, x1, bottom


@dataclass
class Item:
    section_id: int
    kind: ItemKind
    ordinal: int
    text: str
    page: int | None = None
    box: Box | None = field(default=None, metadata=NOT_A_COLUMN)  # written as x0, top, x1, bottom


@dataclass
class Check:
    """One check's finding. Besides the message a person reads, the check carries what it
    disputes as data, so later stages (locating its box) never parse the message."""
    check: CheckName
    status: CheckStatus
    page: int | None
    message: str
    expected: float | None = None
    reported: float | None = None
    box: Box | None = field(default=None, metadata=NOT_A_COLUMN)  # written as x0, top, x1, bottom
    # the sentence of a claim the check judges (target_met: "全面完成绩效目标")
    claim: str | None = field(default=None, metadata=NOT_A_COLUMN)
    # the cells of the table row it quotes (unit_mismatch)
    cells: tuple[str, ...] = field(default=(), metadata=NOT_A_COLUMN)
    # words printed next to the disputed figure on its page (labels, names): they choose
    # among several occurrences of the same number
    labels: tuple[str, ...] = field(default=(), metadata=NOT_A_COLUMN)


@dataclass
class Report:
    """Everything reportparse knows about one input file."""
    doc_id: str
    source: str
    status: Status = "ok"
    error: str | None = None
    format: str | None = None  # what the file was read as, by its content (None: not known)
    page_count: int | None = None
    ocr_pages: int = 0
    document: Document = field(default_factory=Document)
    sections: list[Section] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
