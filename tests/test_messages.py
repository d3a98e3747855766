"""Failure reasons (messages.py): one Chinese table, every entry used, none missing."""
from __future__ import annotations

import re

import pytest

from conftest import ROOT
from reportparse import messages

HAN = re.compile(r"[\u4e00-\u9fff]")
SRC = ROOT / "src" / "reportparse"


def _asked_and_named() -> tuple[set[str], set[str]]:
    """Keys passed to say() directly, and every message key named as a literal anywhere in a
    module that imports messages (a key chosen first, then said: say(kind))."""
    asked, named = set(), set()
    for f in SRC.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        if f.name == "messages.py" or "reportparse.messages import" not in text:
            continue
        asked |= set(re.findall(r"\bsay\(\s*\"(\w+)\"", text))
        named |= set(re.findall(r"\"(\w+)\"", text)) & set(messages.TEXT)
    return asked, named


def test_every_reason_is_chinese():
    english = {k: v for k, v in messages.TEXT.items() if not HAN.search(v)}
    assert english == {}


def test_every_key_the_code_asks_for_exists_and_every_entry_is_used():
    asked, named = _asked_and_named()
    assert asked and asked - set(messages.TEXT) == set()
    assert set(messages.TEXT) - named == set()


def test_a_missing_value_is_an_error_not_a_half_filled_sentence():
    with pytest.raises(KeyError):
        messages.say("cannot_write", out="/x")
    assert messages.say("cannot_write", out="/x", why="No space left on device") == \
        "无法写入 /x：No space left on device"


def test_the_technical_cause_keeps_type_and_message():
    assert messages.cause(ValueError("bad xref")) == "ValueError: bad xref"
    assert messages.cause(MemoryError()) == "MemoryError"
    assert messages.say("internal_error", cause=messages.cause(KeyError("x"))).endswith("（KeyError: 'x'）")


def test_an_export_refusal_is_worded_in_chinese(tmp_path):
    from reportparse.store import export
    (tmp_path / "f").write_text("")
    with pytest.raises(export.ExportError, match="：是一个文件；--csv 需要一个文件夹$"):
        export.to_csv({}, tmp_path / "f")
