"""Paragraphs -> sections by outline numbering (一、 （一） 1. （1）) with canonical kinds."""
from __future__ import annotations

import regex

from reportparse import patterns
from reportparse.model import Paragraph, Section

HEAD_END = regex.compile(r"[。；;：:]")
INHERIT_ALWAYS = {"problems", "improvements"}


def classify(heading: str, parent_kind: str | None, level: int) -> str:
    """The first kind rule found in the heading; deep, long or unmatched headings inherit."""
    if parent_kind in INHERIT_ALWAYS:  # the points of a problems/improvements section
        return parent_kind
    if level >= 3 and len(heading) > 15:
        return parent_kind or "other"
    for kind, rx in patterns.load().kinds:
        if rx.search(heading):
            return kind
    return parent_kind if level >= 3 and parent_kind else "other"


def split_heading(text: str, marker_end: int) -> tuple[str, str]:
    """Heading text (to the first sentence stop) and the body that follows on its line."""
    rest = text[marker_end:].strip()
    m = HEAD_END.search(rest)
    if not m:
        return rest, ""
    return rest[:m.start()].strip(), rest[m.end():].strip()


def match_level(text: str) -> tuple[int, int, regex.Match] | None:
    """(level as the contract numbers it, nesting rank, match) of an outline number."""
    pats = patterns.load()
    for (level, rx), rank in zip(pats.levels, pats.ranks):
        m = rx.match(text)
        if m:
            return level, rank, m
    return None


def segment(paras: list[Paragraph]) -> tuple[list[Paragraph], list[Section], dict[int, Paragraph]]:
    """Returns (front matter before the first heading, sections, section_id -> heading paragraph).

    The heading paragraph is kept whole for recognition (a numbered point such as
    "（1）…不少于5亿元，实际突破20亿元" is both a heading and a statement).
    """
    front: list[Paragraph] = []
    sections: list[Section] = []
    heads: dict[int, Paragraph] = {}
    stack: list[Section] = []
    ranks: dict[int, int] = {}
    for para in paras:
        hit = match_level(para.text)
        if hit is None:
            if sections:
                sections[-1].paragraphs.append(para)
                sections[-1].page_end = max(sections[-1].page_end, para.spans[-1][1])
            else:
                front.append(para)
            continue
        level, rank, m = hit
        while stack and ranks[stack[-1].section_id] >= rank:
            stack.pop()
        parent = stack[-1] if stack else None
        heading, body = split_heading(para.text, m.end())
        number = para.text[:m.end()].strip()  # as written: 一、 （二） 第三部分
        sec = Section(len(sections), parent.section_id if parent else None, level, number, heading,
                      classify(heading, parent.kind if parent else None, level), para.page, para.spans[-1][1])
        if body:
            offset = para.text.find(body)
            spans = [(max(0, s - offset), p) for s, p in para.spans if s <= offset] or [(0, para.page)]
            spans = [spans[-1]] + [(s - offset, p) for s, p in para.spans if s > offset]
            sec.paragraphs.append(Paragraph(body, spans))
            sec.body_from_head = True
        heads[sec.section_id] = para
        ranks[sec.section_id] = rank
        sections.append(sec)
        stack.append(sec)
        for anc in stack[:-1]:
            anc.page_end = max(anc.page_end, sec.page_end)
    _kinds_from_bodies(sections)
    # ancestors span their descendants' pages
    by_id = {s.section_id: s for s in sections}
    for s in reversed(sections):
        if s.parent_id is not None:
            p = by_id[s.parent_id]
            p.page_end = max(p.page_end, s.page_end)
    return front, sections, heads


def _kinds_from_bodies(sections: list[Section]) -> None:
    """A kind no heading names goes to the first level-1/2 section of a generic kind whose
    heading is the unit's profile (部门基本情况), else whose own text carries the kind's cue
    (部门概况 that only describes the 职责 in its text)."""
    have = {s.kind for s in sections}
    for kind, rx in patterns.load().profile_headings:  # 部门基本情况 describes the unit: its functions
        if kind in have:
            continue
        for s in sections:
            if s.level <= 2 and s.kind in ("overview", "other") and rx.search(s.heading):
                s.kind = kind
                have.add(kind)
                break
    for kind, cue in patterns.load().body_cues:
        if kind in have:
            continue
        for s in sections:
            if s.level <= 2 and s.kind in ("overview", "other", "tasks") and cue.search(s.text):
                s.kind = kind
                have.add(kind)
                break


def statement_paragraphs(sec: Section, heads: dict[int, Paragraph]) -> list[Paragraph]:
    """The section's text for recognition: its whole heading paragraph, then the rest."""
    rest = sec.paragraphs[1:] if sec.body_from_head else sec.paragraphs
    return [heads[sec.section_id]] + rest
