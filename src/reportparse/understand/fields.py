"""Sections -> document fields, amounts, target/actual measures and items, from prose.

Tables are handled in tables.py; both feed the same dataclasses. Every value keeps its
section, page and the normalized sentence it came from.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import regex

from reportparse import patterns
from reportparse.model import Amount, Document, Paragraph, Section
from reportparse.understand import numbers
from reportparse.understand.numbers import Quantity
from reportparse.understand.prose import LABEL_STOP, Sentence, clean_label

log = logging.getLogger(__name__)

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
FINANCE_KINDS = {"finance"}


_BOOK = regex.compile(r"《[^》]*》")  # a cited document's title names another unit, year or fund


@dataclass(frozen=True)
class TitleParts:
    """What a title says, read by the title grammar in fields.json ``title``."""
    org: str | None = None
    project: str | None = None


def _flat(title: str) -> str:
    return patterns.load().org["strip_prefix"].sub("", regex.sub(r"\s+", "", title))


def title_parts(title: str) -> TitleParts:
    """[附件][year] UNIT [关于][year] [（PROJECT）|PROJECT] [转移支付][year] KIND: the report kind
    is cut off the end, the unit is the shortest head ending in a unit word that a year, 关于,
    a bracket, 转移支付, 部门 or the end follows (else the shortest place-led one that a project
    name naming no department of its own follows), and the project is what the grammar reads
    after the unit. A project that is only a year or a
    department-whole word (2023项目, 整体和项目) is no project."""
    p = patterns.load().org
    flat = _flat(title)
    kind = p["title_kind"].search(flat)
    if not kind or kind.start() == 0:
        return TitleParts(_org_from_suffix(title))
    # the kind's own 项目 may end the project's name (某局公共文化服务提升项目支出绩效自评报告)
    lead = "项目" if flat.startswith("项目", kind.start()) else ""
    head = flat[:kind.start()] + lead
    bare = regex.sub(patterns.compose(r"(?:<<year>>|(?<!\d)(?:19|20)\d{2})$"), "", flat[:kind.start()])
    m = p["title_org"].match(bare) or p["title_org_before_project"].match(bare + lead)
    if not m:  # a fund titled by its region (江北省农业生产发展资金…): no unit
        return TitleParts()
    org, project = m.group("org"), None
    if pm := p["title_project"].fullmatch(head[len(org):]):
        value = pm.group("value")
        if not regex.search(patterns.compose("<<year>>|<<whole_word>>"), value) and value != "项目":
            project = value
    return TitleParts(org, project)


def _org_from_title(title: str) -> str | None:
    return title_parts(title).org


def _org_from_suffix(title: str) -> str | None:
    """The older reading for titles the grammar does not cover (部门决算, 目标表): the unit
    names itself right before the kind; anything before a year is other matter."""
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
    if not out:  # no title line: the preamble names the report (现将…项目绩效自评报告如下)
        for t in texts[:3]:
            if m := patterns.load().org["title_in_preamble"].search(regex.sub(r"\s+", "", _BOOK.sub("", t))):
                out.append(m.group("value"))
                break
    if meta_title and (regex.search(r"报告|自评", meta_title) or end.search(meta_title.strip())):
        out.append(meta_title.strip())
    return out


def _subtitle_project(front: list[Paragraph], title: str) -> str | None:
    """The project on its own bracketed line right under the title's last line."""
    texts = [regex.sub(r"\s+", "", p.text) for p in front[:8]]
    flat_title = regex.sub(r"\s+", "", title)
    for i, t in enumerate(texts[:-1]):
        if t and flat_title.endswith(t) and (m := patterns.load().org["title_subtitle"].match(texts[i + 1])):
            if not regex.search(patterns.compose("<<year>>"), m.group("value")):
                return m.group("value")
    return None


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
    for t in titles:  # 2023年, or 2023 right before a word (某局2023项目绩效自评报告)
        if m := regex.search(patterns.compose("<<year>>"), regex.sub(r"\s+", "", t)):
            digits = regex.match(r"\d{4}|\S{4}", m.group()).group()
            return int(digits) if digits.isdigit() else _cn_year(digits)
    texts = [_BOOK.sub("", p.text) for p in paras]  # a cited 《…2024年度…通知》 is not the year
    for t in texts:
        if m := fy.search(t):
            return int(m.group("year")) if m.group("year") else _cn_year(m.group("cnyear"))
    for t in texts if "year_in_text" in patterns.load().org else []:
        if m := patterns.load().org["year_in_text"].search(t):  # 2022年部门决算…, 2023年共下达…
            return int(m.group("year"))
    return None


def _self_reference_org(paras: list[Paragraph]) -> str | None:
    """我局/我校/我处 refers back to the unit: its full name is the first place-led name in
    the text ending in a unit word the short word stands for (江北市文物保护管理处 for 我处),
    outside cited 《》 titles and not a salutation line (区财政局：), which names the addressee."""
    spec = patterns.load().raw["fields"].get("self_reference_name")
    if not spec:
        return None
    texts = [_BOOK.sub("", p.text) for p in paras]
    ref = regex.compile(patterns.compose("<<self_reference>>"))
    words = list(dict.fromkeys(m.group("word") for t in texts for m in ref.finditer(t)))
    if not words:
        return None
    full = sorted({w2 for w in words for w2 in spec["stands_for"].get(w, [w])}, key=len, reverse=True)
    rx = regex.compile(patterns.compose(spec["pattern"].replace("{words}", "|".join(map(regex.escape, full)))))
    for t in texts:
        if regex.fullmatch(r"\S{2,20}[:：]", t.strip()):
            continue
        if m := rx.search(t):
            return m.group("org")
    return None


def _other_years_score(text: str, at: int, year: int | None) -> bool:
    """A score whose clause names another year than the report's (2022年度绩效评价得分85分 in
    a 2023 report, said to compare) is that year's score, not this report's."""
    clause = regex.split(r"[。；;，,]", text[:at])[-1]
    said = [int(y) for y in regex.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", clause)]
    said += [_cn_year(y) for y in regex.findall(r"([二一][〇零○一二三四五六七八九]{3})\s*年", clause)]
    return year is not None and any(y != year for y in said)


def document_fields(front: list[Paragraph], sections: list[Section], heads: dict[int, Paragraph],
                    amounts: list[Amount], meta_title: str | None,
                    percents: list[tuple[Quantity, Sentence, str]] = ()) -> Document:
    pats = patterns.load()
    doc = Document()
    titles = title_candidates(front, meta_title)
    doc.title = titles[0] if titles else None
    orgs = [o for o in (_org_from_title(t) for t in titles) if o]
    how = "the title"
    if not orgs and (o := cover_org(front)):
        orgs.append(o)
        how = "a cover line"
    all_paras = list(front) + [p for s in sections for p in [heads[s.section_id]] + s.paragraphs]
    if not orgs:  # the title does not name it: 单位名称：…, or the functions section's first words
        orgs += _labelled_org(all_paras)
        how = "a labelled line (单位名称：…)"
    if not orgs:
        for s in sections:
            if s.kind == "functions" and s.paragraphs:
                m = pats.org["subject"].match(s.paragraphs[0].text)
                if m:
                    orgs.append(m.group("org"))
                    how = "the functions section's first words"
                    break
    if not orgs and (o := _self_reference_org(all_paras)):
        orgs.append(o)
        how = "a unit named in the text that 我局/我校… refers back to"
    if orgs:
        doc.organization = max(orgs, key=len)
        log.debug("organization %r from %s", doc.organization, how)
    else:
        log.debug("no organization: not in the title (%d candidates), the cover, a labelled line or the text", len(titles))
    doc.fiscal_year = _year(titles, all_paras)
    doc.project, doc.supervisor = _labelled(all_paras[:12], "project"), _labelled(all_paras[:12], "supervisor")
    if doc.project is None and titles:  # the title grammar: UNIT [year] PROJECT KIND, UNIT（PROJECT）…
        doc.project = title_parts(titles[0]).project
    if doc.project is None and titles:  # a bracketed line right under the title: （某某专项经费项目）
        doc.project = _subtitle_project(front, titles[0])
    if doc.project is None:  # 2023年度某局某某提升项目支出绩效自评报告
        for t in titles if "project_in_title" in pats.org else []:
            flat = regex.sub(r"\s+", "", t)
            if doc.organization and doc.organization in flat:
                flat = flat.split(doc.organization, 1)[1]
            if m := pats.org["project_in_title"].match(pats.org["strip_prefix"].sub("", flat)):
                if not regex.search(patterns.compose("<<year>>|<<whole_word>>"), m.group("value")):
                    doc.project = m.group("value")
                break
    for para in all_paras:
        m = next((m for m in pats.self_score.finditer(para.text)
                  if not _other_years_score(para.text, m.start(), doc.fiscal_year)), None)
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

    finance = [in_finance(a) for a in amounts]
    ordered = [a for a, f in zip(amounts, finance) if f] + [a for a, f in zip(amounts, finance) if not f]
    labels = [field_label(a) for a in ordered]  # once per figure, not once per field
    for name, spec in pats.fields.items():
        if spec["kind"] != "money":
            continue
        for a, lab in zip(ordered, labels):
            if spec["label"].search(lab) and not (spec["exclude"] and spec["exclude"].search(lab)):
                setattr(doc, name, a.amount)
                doc.evidence[name] = (a.page, a.quote)
                break
    percent_fields(doc, list(percents))
    budget_and_spending(doc, amounts, list(percents))
    return doc


def field_label(a: Amount) -> str:
    """The words that say what a figure is. Where nothing stands between a colon and the
    number (2、支出：520.3万元) they are the clause before the colon, outline number removed."""
    lab = a.context or a.label or ""
    if lab or a.para is None or a.offset < 0:
        return lab
    return _before_colon(a.para.text, a.offset)


def _before_colon(text: str, offset: int) -> str:
    """The clause before a colon that stands right before ``offset`` (执行率：97.5%), else ''."""
    before = text[:offset].rstrip()
    if not before.endswith(("：", ":")):
        return ""
    return clean_label(LABEL_STOP.split(before[:-1])[-1].strip())


def _money_pairs(amounts: list[Amount], percents: list[tuple[Quantity, Sentence, str]]
                 ) -> dict[tuple[float, float], tuple[Amount, Amount, tuple | None]]:
    """Budget/spending pairs stated in one sentence: a figure A, then a figure B labelled as
    spent (拨付使用, 全年执行数, 已支出) with B ≤ A, where either a rate in the sentence is B/A
    (执行率Z%) or, with no rate stated, A is labelled as an allocation (共下达, 共计, 资金总额).
    Neither is a leftover or a change."""
    sh = patterns.load().shapes
    by_quote: dict[str, list[Amount]] = {}
    for a in amounts:
        if a.amount > 0:
            by_quote.setdefault(a.quote, []).append(a)
    rates: dict[str, list] = {}
    for q, s, lab in percents:
        if sh["rate_label"].search(lab):
            rates.setdefault(s.text.strip(), []).append((q, s))
    found: dict[tuple[float, float], tuple[Amount, Amount, tuple | None]] = {}
    for quote, money in by_quote.items():
        labs = [field_label(a) for a in money]
        for i, b in enumerate(money):
            blab = labs[i]
            if not sh["spend_verb"].search(blab) or sh["leftover"].search(blab):
                continue
            for a, alab in zip(money[:i], labs[:i]):
                if sh["leftover"].search(alab) or sh["spend_verb"].search(alab) or b.amount > a.amount:
                    continue
                stated = rates.get(quote, [])
                rate = next((r for r in stated if abs(b.amount / a.amount * 100 - float(r[0].value)) <= 0.6), None)
                if rate is not None or (not stated and sh["allocation"].search(alab)):
                    found.setdefault((a.amount, b.amount), (a, b, rate))
    return found


def budget_and_spending(doc: Document, amounts: list[Amount], percents: list[tuple[Quantity, Sentence, str]]) -> None:
    """A project or fund report often states its money once, in words no label list knows:
    财政资金总额A万元，截至年底拨付使用B万元，预算执行率Z%. Such a pair gives budget_adjusted,
    expenditure and execution_rate where they are still empty, but only when the document
    states exactly one: a summary over several projects states one per project, and none of
    them is the document's."""
    found = _money_pairs(amounts, percents)
    if len(found) != 1:
        return
    ((a, b, rate),) = found.values()
    for name, ev in (("budget_adjusted", a), ("expenditure", b)):
        if getattr(doc, name) is None:
            setattr(doc, name, ev.amount)
            doc.evidence[name] = (ev.page, ev.quote)
    if rate is not None and doc.execution_rate is None:
        q, s = rate
        doc.execution_rate = float(q.value)
        doc.evidence["execution_rate"] = (s.page(q.start), s.text.strip())
        doc.raw["execution_rate"] = q.number_text


def percent_fields(doc: Document, percents: list[tuple[Quantity, Sentence, str]]) -> None:
    for name, spec in patterns.load().fields.items():
        if spec["kind"] != "percent" or getattr(doc, name) is not None:
            continue
        for q, s, lab in percents:
            lab = lab or _before_colon(s.text, q.start)  # 执行率：97.78%
            if spec["label"].search(lab) and not (spec["exclude"] and spec["exclude"].search(lab)):
                setattr(doc, name, float(q.value))
                doc.evidence[name] = (s.page(q.start), s.text.strip())
                doc.raw[name] = q.number_text
                break
