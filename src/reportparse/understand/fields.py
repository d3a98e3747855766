"""Sections -> document fields, amounts, target/actual measures and items, from prose.

Tables are handled in tables.py; both feed the same dataclasses. Every value keeps its
section, page and the normalized sentence it came from.
"""
from __future__ import annotations

import regex

from reportparse import patterns
from reportparse.model import Amount, Document, Paragraph, Section
from reportparse.understand import numbers
from reportparse.understand.numbers import Quantity
from reportparse.understand.prose import Sentence

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
FINANCE_KINDS = {"finance"}


def _org_from_title(title: str) -> str | None:
    p = patterns.load().org
    s = p["strip_prefix"].sub("", regex.sub(r"\s+", "", title))
    m = p["suffix"].search(s)
    if not m or m.start() == 0:
        return None
    # the unit names itself right before the report kind; anything before a year is other
    # matter (an archive stamp, a 附件 line OCR'd into the title)
    cand = regex.split(r"(?:(?:19|20)\d{2}|[二一][〇零○一二三四五六七八九]{3})\s*年度?", s[:m.start()])[-1]
    while cand and not p["unit_end"].search(cand):
        cand = cand[:-1]
    return cand if len(cand) >= 3 else None


CN_DIGIT = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
            "七": "7", "八": "8", "九": "9"}


def _cn_year(text: str) -> int:
    """二〇二三 -> 2023: years are written digit by digit."""
    return int("".join(CN_DIGIT[c] for c in text))


TITLE_MAX = 120  # characters: a title is a line or three, never a paragraph


def title_candidates(front: list[Paragraph], meta_title: str | None) -> list[str]:
    """Titles put together from up to three cover lines that end the way titles of the
    known document kinds end (…报告, …自评表, …目标表, …部门决算, …部门预算), then the PDF's
    own Title when it names one of those kinds."""
    end = patterns.doctypes().title_end
    texts = [p.text.strip() for p in front if p.text.strip() and not regex.fullmatch(r"附件\s*\d*", p.text.strip())]
    out = []
    for i in range(len(texts)):
        joined = ""
        for j in range(i, min(i + 3, len(texts))):
            joined += texts[j]
            if len(joined) > TITLE_MAX:
                break
            if end.search(joined):
                out.append(joined)
                break
    if meta_title and (regex.search(r"报告|自评", meta_title) or end.search(meta_title.strip())):
        out.append(meta_title.strip())
    return out


def cover_org(front: list[Paragraph]) -> str | None:
    """A cover line that is the unit's name and nothing else (上海市某区财政局 above
    2024年度部门决算), among the first lines of the cover."""
    rx = patterns.load().org.get("cover")
    for p in front[:6] if rx else []:
        m = rx.match(regex.sub(r"\s+", "", p.text))
        if m:
            return m.group("org")
    return None


def fill_from_tables(doc: Document, fields: dict[str, tuple[float | int | str, int, str]],
                     total_score: tuple[float, int, str] | None) -> None:
    """A finance table, a 自评表's header block or its total fills what the prose does not
    say: budget fields, organization, supervisor, project, fiscal_year, self_score. A rate
    keeps its decimals as printed (the execution_rate check rounds to them)."""
    for name, (value, page, quote) in fields.items():
        if getattr(doc, name, None) is None:
            setattr(doc, name, value)
            doc.evidence[name] = (page, quote)
            if name == "execution_rate":
                written = [q for q in numbers.find(quote) if q.kind == "percent" and float(q.value) == value]
                if written:
                    doc.raw[name] = written[0].number_text
    if doc.self_score is None and total_score is not None:
        doc.self_score = total_score[0]
        doc.evidence["self_score"] = total_score[1:]


def _labelled_org(paras: list[Paragraph]) -> list[str]:
    """The unit a form header names: 实施单位/单位名称/部门名称 before 主管部门, which is the
    supervising department and the reporting unit only when nothing else is named."""
    p = patterns.load().org
    found = [m for para in paras for m in p["label"].finditer(para.text)]
    if not found:
        return []
    own = [m for m in found if not ("supervisor" in p and p["supervisor"].match(m.group(0)))]
    return [(own or found)[0].group("org")]


def _labelled(paras: list[Paragraph], name: str) -> str | None:
    rx = patterns.load().org.get(name)
    for para in paras if rx else []:
        if m := rx.search(para.text):
            return m.group("value")
    return None


def _year(titles: list[str], paras: list[Paragraph]) -> int | None:
    """The year the document is about: a title's 2023年度, else a title's year without 度
    (2023年部门整体支出绩效自评报告, 2024年部门预算), else the first 2023年度 of the text."""
    fy = patterns.load().fiscal_year
    for t in titles:
        if m := fy.search(t):
            return int(m.group("year")) if m.group("year") else _cn_year(m.group("cnyear"))
    for t in titles:
        if m := regex.search(r"((?:19|20)\d{2})\s*年", t):
            return int(m.group(1))
    for p in paras:
        if m := fy.search(p.text):
            return int(m.group("year")) if m.group("year") else _cn_year(m.group("cnyear"))
    return None


def document_fields(front: list[Paragraph], sections: list[Section], heads: dict[int, Paragraph],
                    amounts: list[Amount], meta_title: str | None,
                    percents: list[tuple[Quantity, Sentence, str]] = ()) -> Document:
    pats = patterns.load()
    doc = Document()
    titles = title_candidates(front, meta_title)
    doc.title = titles[0] if titles else None
    orgs = [o for o in (_org_from_title(t) for t in titles) if o]
    if not orgs and (o := cover_org(front)):
        orgs.append(o)
    all_paras = list(front) + [p for s in sections for p in [heads[s.section_id]] + s.paragraphs]
    if not orgs:  # the title does not name it: 单位名称：…, or the functions section's first words
        orgs += _labelled_org(all_paras)
    if not orgs:
        for s in sections:
            if s.kind == "functions" and s.paragraphs:
                m = pats.org["subject"].match(s.paragraphs[0].text)
                if m:
                    orgs.append(m.group("org"))
                    break
    if orgs:
        doc.organization = max(orgs, key=len)
    doc.fiscal_year = _year(titles, all_paras)
    doc.project, doc.supervisor = _labelled(all_paras[:12], "project"), _labelled(all_paras[:12], "supervisor")
    if doc.project is None:  # 2023年度某局某某提升项目支出绩效自评报告
        for t in titles if "project_in_title" in pats.org else []:
            flat = regex.sub(r"\s+", "", t)
            if doc.organization and doc.organization in flat:
                flat = flat.split(doc.organization, 1)[1]
            if m := pats.org["project_in_title"].match(pats.org["strip_prefix"].sub("", flat)):
                doc.project = m.group("value")
                break
    for para in all_paras:
        m = pats.self_score.search(para.text)
        if m:
            doc.self_score = float(m.group("num"))
            doc.evidence["self_score"] = (para.page_at(m.start()), para.text[max(0, m.start() - 20):m.end()])
            break
    by_id = {s.section_id: s for s in sections}

    def in_finance(a: Amount) -> bool:
        s = by_id.get(a.section_id) if a.section_id is not None else None
        while s is not None:
            if s.kind in FINANCE_KINDS:
                return True
            s = by_id.get(s.parent_id) if s.parent_id is not None else None
        return False

    ordered = [a for a in amounts if in_finance(a)] + [a for a in amounts if not in_finance(a)]
    for name, spec in pats.fields.items():
        if spec["kind"] != "money":
            continue
        for a in ordered:
            lab = a.context or a.label or ""
            if spec["label"].search(lab) and not (spec["exclude"] and spec["exclude"].search(lab)):
                setattr(doc, name, a.amount)
                doc.evidence[name] = (a.page, a.quote)
                break
    percent_fields(doc, list(percents))
    return doc


def percent_fields(doc: Document, percents: list[tuple[Quantity, Sentence, str]]) -> None:
    for name, spec in patterns.load().fields.items():
        if spec["kind"] != "percent" or getattr(doc, name) is not None:
            continue
        for q, s, lab in percents:
            if spec["label"].search(lab) and not (spec["exclude"] and spec["exclude"].search(lab)):
                setattr(doc, name, float(q.value))
                doc.evidence[name] = (s.page(q.start), s.text.strip())
                doc.raw[name] = q.number_text
                break
