"""Undo OCR look-alike confusions (支→文, 覆→履) using word frequencies.

Only OCR'd text is touched, and a character changes only when its look-alike forms a far
more frequent word with the same neighbours, so real words (文件, 文化) stay.
"""
from __future__ import annotations

from functools import lru_cache

import regex

from reportparse import patterns
from reportparse.patterns import PatternError
from reportparse.understand import names as indicators


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list[str]], float, int, dict[str, str], dict[str, str]]:
    data = patterns.ocr_confusions()
    alts: dict[str, list[str]] = {}
    for a, b in data.pairs:
        alts.setdefault(a, []).append(b)
        alts.setdefault(b, []).append(a)
    always = data.always
    table = alts, data.min_ratio, data.min_freq, data.before_digit, always
    for wrong, right in data.examples:  # checked on load, like the other pattern files
        if _fix(wrong, table) != right:
            raise PatternError(f"ocr_confusions.json: example {wrong!r} gives {_fix(wrong, table)!r}, not {right!r}")
    for text in data.counterexamples:
        if _fix(text, table) != text:
            raise PatternError(f"ocr_confusions.json: counterexample {text!r} is changed to {_fix(text, table)!r}")
    return table


def cases() -> dict:
    data = patterns.ocr_confusions()
    return {"examples": [list(e) for e in data.examples], "counterexamples": list(data.counterexamples)}


def _best(text: str, i: int, ch: str, freq: dict[str, int]) -> int:
    """The highest frequency of a 2-3 character word through position i with ``ch`` there."""
    best = 0
    for lo in range(max(0, i - 2), i + 1):
        for hi in range(i + 1, min(len(text), lo + 3) + 1):
            if hi - lo < 2:
                continue
            word = text[lo:i] + ch + text[i + 1:hi]
            best = max(best, freq.get(word, 0))
    return best


def fix(text: str) -> str:
    """OCR'd text with look-alike characters put back where the neighbours say so."""
    return _fix(text, _table())


def _fix(text: str, table: tuple) -> str:
    alts, ratio, floor, signs, always = table
    if always:
        text = text.translate({ord(k): v for k, v in always.items()})
    if signs:
        text = regex.sub("[" + "".join(signs) + r"](?=\s*\d)", lambda m: signs[m.group()], text)
    freq = indicators.tokenizer().FREQ
    chars = list(text)
    for i, c in enumerate(chars):
        if c not in alts:
            continue
        here = _best("".join(chars), i, c, freq)
        there, alt = max((_best("".join(chars), i, a, freq), a) for a in alts[c])  # 內: 门 or 内, whichever fits
        if there >= floor and there > ratio * max(here, 1):
            chars[i] = alt
    return "".join(chars)


# "2.600.00" / "5.987.21": OCR reads the thousands comma as a point; a point followed by three
# digits and another separator cannot be a decimal point
OCR_GROUP_POINT = regex.compile(r"(?<=\d)\.(?=\d{3}(?:[.,]\d{3})*\.\d)")


def fix_numbers(text: str) -> str:
    """Thousands points read for commas put back as commas."""
    return OCR_GROUP_POINT.sub(",", text)
