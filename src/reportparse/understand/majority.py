"""Correct OCR'd text from the document itself: what is written several times settles a misread.

A report names its organization and project on the cover, in the title, in the running text
and at the signature; OCR that reads 番禺 as 番帅 in one place reads it right in the others.
Two conservative repairs, applied to OCR'd pages and tables only, after normalization:

- names: a Han character inside a place or organization name (a few characters before 区,
  局, 学校...) whose neighbours (several context shapes, Han only) are seen at least twice
  elsewhere with another character in its place, at least twice as often as with itself,
  is replaced — unless it forms a dictionary word there or either character is a numeral;
- figures: a number stated after the same label (the Han words before it) elsewhere with
  one digit different is replaced when the other reading is the majority (two against one),
  or comes from a text layer rather than OCR.

It never invents text: every replacement is a character or figure read elsewhere in the file.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import regex

from reportparse.model import Extracted, Paragraph, Table
from reportparse.understand import lookalikes as ocrfix
from reportparse.understand import names as indicators

# (left, right) context lengths around the character voted on
SHAPES = ((3, 3), (2, 2), (1, 3), (3, 1))
NUMERALS = set("〇○零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟")
HAN = regex.compile(r"\p{Han}")
# names are what repeats: a character is voted on only inside a place or organization name,
# i.e. a few Han characters before one of these (番禺区, 农业农村局, 实验学校)
NAME_END = set("省市区县旗镇乡局委办厅院校馆站所司部处队")
NAME_REACH = 6
# a figure and the Han label right before it (为/达到/是 between them are not part of the label)
LABELLED = regex.compile(r"(\p{Han}{4})(?:为|是|达|达到|共|计|约)?[:：]?(\d[\d,]*(?:\.\d+)?)(?![\d.])")


class _Text:
    """One correctable string: a paragraph or a table cell, and which characters came from OCR."""

    def __init__(self, text: str, ocr: list[bool], setter) -> None:
        self.text, self.ocr, self.set = text, ocr, setter


def _texts(ex: Extracted, paras: list[Paragraph], tables: list[Table]) -> list[_Text]:
    ocr_pages = {p.number for p in ex.pages if p.ocr}
    out = []
    for para in paras:
        flags = [para.page_at(i) in ocr_pages for i in range(len(para.text))] if ocr_pages else [False] * len(para.text)
        out.append(_Text(para.text, flags, lambda t, p=para: setattr(p, "text", t)))
    for t in tables:
        for row in t.rows:
            for j, cell in enumerate(row):
                if cell:
                    out.append(_Text(cell, [t.ocr] * len(cell), lambda s, r=row, k=j: r.__setitem__(k, s)))
    return out


def _key(text: str, i: int, left: int, right: int) -> tuple | None:
    lo, hi = i - left, i + right + 1
    if lo < 0 or hi > len(text):
        return None
    ctx = text[lo:i] + text[i + 1:hi]
    if not all(HAN.match(c) for c in ctx):
        return None
    return left, right, ctx


def _in_name(text: str, i: int) -> bool:
    for j in range(i + 1, min(len(text), i + 1 + NAME_REACH)):
        if not HAN.match(text[j]):
            return False
        if text[j] in NAME_END:
            return True
    return False


def _is_word(text: str, i: int, ch: str, freq: dict[str, int]) -> int:
    return ocrfix._best(text, i, ch, freq)


def fix_names(texts: list[_Text]) -> int:
    """Character votes across every occurrence of the same context; returns the changes made."""
    votes: dict[tuple, Counter[str]] = defaultdict(Counter)
    for t in texts:
        for i, c in enumerate(t.text):
            if HAN.match(c):
                for left, right in SHAPES:
                    k = _key(t.text, i, left, right)
                    if k is not None:
                        votes[k][c] += 1
    freq = indicators.tokenizer().FREQ
    changed = 0
    for t in texts:
        if not any(t.ocr):
            continue
        chars = list(t.text)
        for i, c in enumerate(t.text):
            if not t.ocr[i] or not HAN.match(c) or c in NUMERALS or not _in_name(t.text, i):
                continue
            proposals, against = set(), False
            for left, right in SHAPES:
                k = _key(t.text, i, left, right)
                if k is None:
                    continue
                top = votes[k].most_common(2)
                (best, n), mine = top[0], votes[k][c]
                if len(top) > 1 and top[1][1] == n:
                    continue  # a tie settles nothing
                if best != c and n >= 2 and n >= 2 * mine and best not in NUMERALS:
                    proposals.add(best)
                elif best == c and n >= 2:
                    against = True
            if len(proposals) != 1 or against:
                continue
            (alt,) = proposals
            if _is_word(t.text, i, c, freq) > 0:  # the reading is a word here: it may be meant
                continue
            chars[i] = alt
            changed += 1
        new = "".join(chars)
        if new != t.text:
            t.text = new
            t.set(new)
    return changed


def _one_digit_apart(a: str, b: str) -> bool:
    if len(a) != len(b) or a == b:
        return False
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    return len(diff) == 1 and diff[0][0].isdigit() and diff[0][1].isdigit()


def fix_figures(texts: list[_Text]) -> int:
    """A figure after the same label read with one digit different: the majority reading, or
    the text layer's, wins. Returns the changes made."""
    seen: dict[str, list[tuple[_Text, int, str]]] = defaultdict(list)
    for t in texts:
        for m in LABELLED.finditer(t.text):
            seen[m.group(1)].append((t, m.start(2), m.group(2)))
    changed = 0
    for label, occ in seen.items():
        readings = Counter(v for _, _, v in occ)
        layer = {v for t, at, v in occ if not t.ocr[at]}
        for t, at, value in occ:
            if not t.ocr[at] or t.text[at:at + len(value)] != value:
                continue
            better = [v for v in readings if _one_digit_apart(value, v)
                      and (v in layer or (readings[v] >= 2 and readings[v] >= 2 * readings[value]))]
            if len(better) != 1:
                continue
            t.text = t.text[:at] + better[0] + t.text[at + len(value):]
            t.set(t.text)
            changed += 1
    return changed


def correct(ex: Extracted, paras: list[Paragraph], tables: list[Table]) -> int:
    """Fix OCR'd paragraphs and table cells in place from the rest of the document; returns
    how many characters or figures changed (0 when no page was OCR'd)."""
    if not any(p.ocr for p in ex.pages):
        return 0
    texts = _texts(ex, paras, tables)
    return fix_names(texts) + fix_figures(texts)
