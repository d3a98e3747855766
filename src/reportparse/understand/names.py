"""Indicator names cleaned to the measured thing, trimming whole jieba tokens.

A character-level trim would cut 完成率 to 率 or 目标值 out of a name; trimming tokens from
a segmenter that knows the domain words (patterns/domain_dict.txt) only removes scaffolding
such as 推动, 年初目标为, 年度指标值为.

jieba's dictionary costs 0.6 s of CPU per process to load (a 500 000-entry prefix table,
even from jieba's own cache), more than parsing a small report. So jieba is imported only
when a name is first cleaned, and its table is read from an indexed on-disk copy (SQLite,
built once per machine from jieba's own dictionary, same words and frequencies) only for
the words a sentence asks about; without a writable cache the table is loaded as before.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from reportparse import patterns
from reportparse.patterns import patterns_dir

if TYPE_CHECKING:
    import jieba

OUTLINE = regex.compile(r"^\s*(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|\d{1,2}\s*[.．、](?!\d)|[一二三四五六七八九十]{1,3}\s*[、.．])\s*")


class DiskFreq:
    """jieba's prefix-frequency table (word -> count, 0 for a mere prefix) read from SQLite
    one word at a time, with words added in this process (the domain dictionary) on top.
    Answers ``in``, ``[]``, ``get`` and item assignment, all jieba's Tokenizer uses."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self.total = int(self._db.execute("SELECT v FROM meta WHERE k = 'total'").fetchone()[0])
        self._known: dict[str, int | None] = {}

    def _count(self, word: str) -> int | None:
        try:
            return self._known[word]
        except KeyError:
            row = self._db.execute("SELECT f FROM freq WHERE w = ?", (word,)).fetchone()
            n = self._known[word] = None if row is None else int(row[0])
            return n

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._count(word) is not None

    def __getitem__(self, word: str) -> int:
        n = self._count(word)
        if n is None:
            raise KeyError(word)
        return n

    def get(self, word: str, default: Any = None) -> Any:
        n = self._count(word)
        return default if n is None else n

    def __setitem__(self, word: str, count: int) -> None:
        self._known[word] = count


def cache_dir() -> Path:
    """Where the dictionary index lives: $REPORTPARSE_CACHE, else $XDG_CACHE_HOME/reportparse
    or ~/.cache/reportparse."""
    if os.environ.get("REPORTPARSE_CACHE"):
        return Path(os.environ["REPORTPARSE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reportparse"


def _dict_index(jieba_mod: Any) -> Path:
    """The SQLite copy of jieba's default dictionary, built on first use (atomically, so
    workers that race both succeed). Named after the dictionary file's identity."""
    src = os.path.join(os.path.dirname(jieba_mod.__file__), jieba_mod.DEFAULT_DICT_NAME)
    st = os.stat(src)
    key = hashlib.sha1(f"{jieba_mod.__version__}|{src}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    path = cache_dir() / f"jieba-freq-{key}.sqlite"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    base = jieba_mod.Tokenizer()
    freq, total = base.gen_pfdict(base.get_dict_file())
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE freq (w TEXT PRIMARY KEY, f INTEGER NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        db.executemany("INSERT INTO freq VALUES (?, ?)", freq.items())
        db.execute("INSERT INTO meta VALUES ('total', ?)", (str(total),))
        db.commit()
        db.close()
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from other users of a shared cache
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _tokenizer() -> "jieba.Tokenizer":
    """jieba's tokenizer on its default dictionary, the table read from disk when it can be."""
    from reportparse._imports import refused
    with refused("pkg_resources"):  # jieba then opens its data files with open(): 0.08 s less per process
        import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    try:
        freq = DiskFreq(_dict_index(jieba))
    except (OSError, sqlite3.Error) as e:  # no writable cache: jieba loads its table itself
        logging.getLogger(__name__).info("jieba dictionary index unavailable (%s); loading it whole", e)
    else:
        tok.FREQ, tok.total, tok.initialized = freq, freq.total, True
    return tok


@lru_cache(maxsize=1)
def _setup() -> tuple["jieba.Tokenizer", frozenset[str], frozenset[str], "regex.Pattern"]:
    tok = _tokenizer()
    tok.load_userdict(str(patterns_dir() / "domain_dict.txt"))
    words = patterns.indicator_words()
    phrases = regex.compile("(?:" + "|".join(map(regex.escape, words.trail_phrases)) + ")+$")
    return tok, words.lead, words.trail, phrases


def examples() -> list[dict]:
    return list(patterns.indicator_words().examples)


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


def tokenizer() -> "jieba.Tokenizer":
    """The shared jieba tokenizer, initialized (its FREQ table is used by ocrfix)."""
    tok = _setup()[0]
    tok.check_initialized()
    return tok
