"""Text likeness for the archive audit: near-duplicate items between years, indicators of one
name between years, paragraphs shared by units.

Items: Jaccard similarity of character 3-gram shingles (Han characters, letters and digits;
punctuation and spaces dropped). Chinese needs no segmentation for this, a copied point with a
word or a figure changed keeps most of its 3-grams (one changed character costs at most three
of them), and two different problems on one topic (资金, 进度) share words but few 3-grams in a
row. ``ITEM_MIN`` keeps short stock phrases (预算执行率偏低) out: repeating them is not copying.

Indicators: Jaccard of jieba token sets (search mode, the project's domain dictionary), because
an indicator is a few words whose order and scaffolding vary between years while a different
indicator changes a content word (新增绿道长度 against 新增步道长度); or, since jieba cuts a name
and the same name with one word added differently (培训人次 → 人/次, 培训总人次 → 总人次), the
share of the longer name that the shorter covers when its characters stand in it in order
(苗木补植数 in 苗木补植数量, 绿地养护面积 in 绿地养护总面积; the shorter at least four characters).

Paragraphs between units: the skeleton (Han characters only, the unit's own names removed), so
a template filled in with another unit's name and figures is the same skeleton; hashing it
keeps the step linear in the archive's size.
"""
from __future__ import annotations

from functools import lru_cache

import regex

KEEP = regex.compile(r"[\p{Han}A-Za-z0-9]+")
HAN = regex.compile(r"\p{Han}+")
ITEM_MIN = 20        # Han characters an item needs before its repetition is a finding
ITEM_SIMILAR = 0.6   # shingle Jaccard at or above which two items are one point restated
PARAGRAPH_MIN = 30   # Han characters of a paragraph's skeleton before sharing it is a finding
INDICATOR_SIMILAR = 0.6  # token Jaccard at or above which two indicator names are one indicator


def plain(text: str) -> str:
    """Han characters, letters and digits only."""
    return "".join(KEEP.findall(text or ""))


def han_len(text: str) -> int:
    return sum(len(m) for m in HAN.findall(text or ""))


def shingles(text: str, k: int = 3) -> frozenset[str]:
    p = plain(text)
    return frozenset(p[i:i + k] for i in range(max(len(p) - k + 1, 1))) if p else frozenset()


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@lru_cache(maxsize=65536)
def tokens(name: str) -> frozenset[str]:
    """An indicator name as a set of content tokens (jieba, with the domain dictionary)."""
    from reportparse.understand.names import tokenizer
    return frozenset(t for t in tokenizer().cut_for_search(plain(name)) if t.strip())


def _in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def indicator_similarity(a: str, b: str) -> float:
    """One indicator across years: the same name, the shorter's characters in order in the longer,
    or shared jieba tokens. Stricter than ``understand.dedupe.similar_indicator`` (within one
    document), whose character overlap would join 新增绿道长度 and 新增步道长度."""
    pa, pb = plain(a), plain(b)
    if pa == pb:
        return 1.0
    short, long = sorted((pa, pb), key=len)
    covered = len(short) / len(long) if len(short) >= 4 and _in_order(short, long) else 0.0
    return max(covered, jaccard(tokens(pa), tokens(pb)))


def skeleton(text: str, names: list[str]) -> str:
    """A paragraph with the unit's own names removed, Han characters only."""
    t = text or ""
    for n in sorted({n for n in names if n}, key=len, reverse=True):
        t = t.replace(n, "")
    return "".join(HAN.findall(t))
