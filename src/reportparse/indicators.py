"""Indicator names cleaned to the measured thing, trimming whole jieba tokens.

A character-level trim would cut 完成率 to 率 or 目标值 out of a name; trimming tokens from
a segmenter that knows the domain words (patterns/domain_dict.txt) only removes scaffolding
such as 推动, 年初目标为, 年度指标值为.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache

import jieba
import regex

from .patterns import PatternError, patterns_dir

OUTLINE = regex.compile(r"^\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}\s*[.．、](?!\d)|[一二三四五六七八九十]{1,3}\s*[、.．])\s*")


@lru_cache(maxsize=1)
def _setup() -> tuple[jieba.Tokenizer, frozenset[str], frozenset[str], "regex.Pattern"]:
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(patterns_dir() / "domain_dict.txt"))
    data = json.loads((patterns_dir() / "indicators.json").read_text(encoding="utf-8"))
    unknown = set(data) - {"description", "lead", "trail", "trail_phrases", "examples"}
    if unknown:
        raise PatternError(f"indicators.json: unknown keys {sorted(unknown)}")
    phrases = regex.compile("(?:" + "|".join(map(regex.escape, data.get("trail_phrases", []))) + ")+$")
    return tok, frozenset(data["lead"]), frozenset(data["trail"]), phrases


def examples() -> list[dict]:
    return json.loads((patterns_dir() / "indicators.json").read_text(encoding="utf-8"))["examples"]


def clean(raw: str) -> str:
    """The measured thing in ``raw``; never empty when ``raw`` has words."""
    text = OUTLINE.sub("", raw or "").strip()
    if not text:
        return ""
    tok, lead, trail, phrases = _setup()
    text = phrases.sub("", text) or text
    words = [w for w in tok.cut(text, HMM=False) if w.strip()]
    while len(words) > 1 and words[0] in lead:
        words.pop(0)
    while len(words) > 1 and words[-1] in trail:
        words.pop()
    return "".join(words).strip()


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer, initialized (its FREQ table is used by ocrfix)."""
    tok = _setup()[0]
    tok.check_initialized()
    return tok
