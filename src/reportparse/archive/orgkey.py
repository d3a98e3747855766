"""Unit identity across documents: the names an archive writes for one unit joined under one
``org_key``, with the rule that joined them kept beside it.

A 自评报告, its 自评表, the 部门决算 and the next 部门预算 rarely write the unit's name the same
way: a seal mark or a unit code on a cover, 人民政府 for 政府, full-width letters, the city or
district in front or left out. Wording lives in ``patterns/archive.json``; names no rule can
join come from an aliases file (two columns: the name as written, the unit it is).
"""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportparse import patterns
from reportparse.messages import say

# how a key was decided, from the most to the least direct (a name takes its first rule)
RULES = {
    "exact": "原文即单位名",
    "normalized": "去掉盖章、编码、空格，全角转半角，人民政府作政府",
    "alias": "按别名表（--aliases）",
    "prefix": "补全或去掉市、区、县前缀后与同一档案中的全称一致",
}


class AliasError(ValueError):
    """The aliases file cannot be used; the message says why."""


def normalize(name: str) -> str:
    """The name without what is not part of it (patterns/archive.json), half-width."""
    rules = patterns.archive_words()
    n = unicodedata.normalize("NFKC", name)
    for rx in rules.drop:
        n = rx.sub("", n)
    for old, new in rules.replace:
        n = n.replace(old, new)
    return n.strip()


def read_aliases(path: str | Path) -> dict[str, str]:
    """name (normalized) -> the unit it is (normalized), from a CSV of two columns; a first
    row whose second cell is not a unit name (e.g. ``name,org``) is a header."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise AliasError(say("aliases_unreadable", path=path, cause=e.strerror or e)) from None
    except UnicodeDecodeError:
        raise AliasError(say("aliases_not_utf8", path=path)) from None
    out: dict[str, str] = {}
    for i, row in enumerate(csv.reader(text.splitlines()), 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise AliasError(say("aliases_columns", path=path, line=i))
        if i == 1 and all(c.isascii() for c in cells[:2]):
            continue  # a header such as name,org_key
        out[normalize(cells[0])] = normalize(cells[1])
    return out


@dataclass
class OrgKeys:
    """name as written -> (org_key, rule: a RULES key, or two joined by +); ``names`` lists every
    written name per key."""
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)

    def key(self, name: str | None) -> str | None:
        return self.keys[name][0] if isinstance(name, str) and name in self.keys else None

    def rule(self, name: str | None) -> str | None:
        return self.keys[name][1] if isinstance(name, str) and name in self.keys else None


def decide(written: list[str], aliases: dict[str, str] | None = None) -> OrgKeys:
    """Keys for every name of one archive. A name joins a longer one when the longer is it with
    a city/district run in front and no other longer name fits it too (the archive decides:
    财政局 alone is 青石区财政局 only where no other district's 财政局 is in the archive)."""
    aliases = aliases or {}
    prefix = patterns.archive_words().admin_prefix
    norm: dict[str, tuple[str, str]] = {}
    for w in set(written):
        n = normalize(w)
        if not n:
            continue
        rule = "exact" if n == w else "normalized"
        if n in aliases:
            n, rule = aliases[n], "alias"
        norm[w] = (n, rule)
    names = sorted({n for n, _ in norm.values()}, key=lambda s: (-len(s), s))
    by_tail: dict[str, list[str]] = {}
    for n in names:
        by_tail.setdefault(n[-2:], []).append(n)
    root: dict[str, str] = {}
    for n in names:  # longest first: a longer name's root is known when a shorter one asks
        fits = {root[m] for m in by_tail.get(n[-2:], []) if len(m) > len(n) and m.endswith(n)
                and prefix.fullmatch(m[:-len(n)])}
        root[n] = fits.pop() if len(fits) == 1 and len(n) >= 3 else n
    out = OrgKeys()
    for w, (n, rule) in norm.items():
        key = root[n]
        if key != n and rule != "alias":
            rule = "normalized+prefix" if rule == "normalized" else "prefix"
        out.keys[w] = (key, rule)
        out.names.setdefault(key, []).append(w)
    for v in out.names.values():
        v.sort()
    return out


@lru_cache(maxsize=None)
def district(key: str) -> str | None:
    """The city/district run at the front of a key (青石区 of 青石区财政局), for comparing units of
    one district; None when the key starts with none."""
    prefix = patterns.archive_words().admin_prefix
    runs = [key[:end] for end in range(2, len(key) - 1) if prefix.fullmatch(key[:end])]
    return next((r for r in runs if r[-1] in "区县旗"), runs[0] if runs else None)
