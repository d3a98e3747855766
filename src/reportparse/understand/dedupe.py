"""Duplicate links, so totals are not inflated: the same target/actual pair stated in prose
and again in a 自评表 (measures.duplicate_of), and the same report under two files — a scan
and its digital original, a re-saved copy — (documents.fingerprint, linked by ``load``).

Nothing is dropped here: a duplicate row stays, pointing at the first one, so an analyst can
count each pair once (``duplicate_of is null``) or audit both statements.
"""
from __future__ import annotations

import hashlib

import numpy as np
import regex

from reportparse.model import Measure, Report

HAN = regex.compile(r"\p{Han}+")
SHINGLE = 4            # characters per shingle: long enough to be specific, short enough for OCR slips
MIN_HAN = 200          # fewer Han characters than this: too little text to call two files one report
FINGERPRINT_BITS = 64
SAME_REPORT_BITS = 10  # simhash distance at or under which two texts are one report (OCR'd twins: ≤ 8;
                       # different reports: about 32, rarely under 20)
OP_CLASS = {">=": ">=", ">": ">=", "=": "=", "~": "=", "<=": "<=", "<": "<=", "range": "range"}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def similar_indicator(a: str, b: str) -> bool:
    """Prose and table name one indicator differently (通过认定高新技术企业 / 高新技术企业认定
    数量): the same when one contains the other or they share most of the shorter's characters.
    Across years the archive audit needs a stricter test (``archive.similar.indicator_similarity``):
    character overlap would join 新增绿道长度 and 新增步道长度."""
    a, b = "".join(HAN.findall(a or "")), "".join(HAN.findall(b or ""))
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    ca, cb = set(a), set(b)
    return len(ca & cb) >= 0.6 * min(len(ca), len(cb))


def same_pair(earlier: Measure, later: Measure) -> bool:
    """One target/actual pair stated twice: same unit, comparable op, equal values and a
    similar indicator name. Qualitative rows (no values) are never linked: their texts say too
    little to tell two 有效 rows apart."""
    if earlier.target_value is None or earlier.actual_value is None:
        return False
    return (earlier.unit == later.unit
            and OP_CLASS.get(earlier.target_op) == OP_CLASS.get(later.target_op)
            and _close(earlier.target_value, later.target_value)
            and _close(earlier.target_value_max, later.target_value_max)
            and _close(earlier.actual_value, later.actual_value)
            and similar_indicator(earlier.indicator, later.indicator))


def link_measures(measures: list[Measure]) -> list[Measure]:
    """Number the rows in order (measure_id) and point each repeated pair at its first
    statement in another place (prose vs table, or another page of the same kind)."""
    for i, m in enumerate(measures):
        m.measure_id = i
        m.duplicate_of = None
    for i, later in enumerate(measures):
        for earlier in measures[:i]:
            if earlier.duplicate_of is None and (earlier.origin != later.origin or earlier.page != later.page) \
                    and same_pair(earlier, later):
                later.duplicate_of = earlier.measure_id
                break
    return measures


def simhash(text: str) -> int:
    """64-bit simhash of the text's character shingles: a few OCR slips move a few bits,
    another report moves about half of them. Bit b of the result is set where more than
    half of the distinct shingles' blake2b hashes have bit b set (counted with numpy: a
    Python loop over 64 bits of every shingle cost more than reading the page)."""
    shingles = {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    if not shingles:
        return 0
    digests = b"".join(hashlib.blake2b(sh.encode("utf-8"), digest_size=8).digest() for sh in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(-1, FINGERPRINT_BITS)
    ones = bits.sum(axis=0, dtype=np.int64)[::-1]  # big-endian digests: column 0 is bit 63
    return sum(1 << b for b in range(FINGERPRINT_BITS) if 2 * int(ones[b]) > len(shingles))


def fingerprint(report: Report) -> str | None:
    """The report's text fingerprint (16 hex digits) from its Han characters only, so layout,
    punctuation, digits' formatting and file names do not matter; None with too little text."""
    parts = [f"{s.heading}\n{s.text}" for s in report.sections]
    parts += [c for t in report.tables for row in t.rows for c in row if c]  # a table-only 自评表
    text = "".join(HAN.findall("\n".join(parts)))
    if len(text) < MIN_HAN:
        return None
    return f"{simhash(text):016x}"


def distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def same_report(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and distance(a, b) <= SAME_REPORT_BITS
