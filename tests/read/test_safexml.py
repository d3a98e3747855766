"""XML from office files is parsed without a DTD (read/safexml.py): billion laughs, external
entities and a DOCTYPE hidden behind a long comment or in UTF-16 are refused before anything
is expanded or fetched; ordinary OOXML parts parse. Every input is built here."""
from __future__ import annotations

import socket
import time

import pytest

from reportparse.errors import ExtractError
from reportparse.read import safexml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PART = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body><w:p><w:r>'
        "<w:t>一、部门基本情况 &amp; 职能</w:t></w:r></w:p></w:body></w:document>")

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + f']><w:document xmlns:w="{W}"><w:t>&lol9;</w:t></w:document>')
EXTERNAL_FILE = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 f'<w:document xmlns:w="{W}"><w:t>&x;</w:t></w:document>')
EXTERNAL_URL = ('<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.invalid/evil.dtd">'
                f'<w:document xmlns:w="{W}"><w:t>text</w:t></w:document>')
PARAMETER = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>'
             f'<w:document xmlns:w="{W}"/>')
BEHIND_COMMENT = ('<?xml version="1.0"?><!--' + "x" * 10_000 + '--><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                  f'<w:document xmlns:w="{W}"><w:t>&a;</w:t></w:document>')


@pytest.fixture
def no_network(monkeypatch):
    """Any socket opened during the test fails it: nothing may be fetched."""
    def refuse(*a, **k):
        raise AssertionError("the XML parser tried to open a socket")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_ordinary_part_parses_in_any_encoding(encoding):
    data = PART.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    root = safexml.parse(data, "word/document.xml")
    assert root.tag == f"{{{W}}}document"
    assert root.find(f".//{{{W}}}t").text == "一、部门基本情况 & 职能"


@pytest.mark.parametrize("name, text", [("laughs", LAUGHS), ("external file", EXTERNAL_FILE),
                                        ("external url", EXTERNAL_URL), ("parameter entity", PARAMETER),
                                        ("doctype behind a comment", BEHIND_COMMENT)])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_dtds_and_entities_are_refused_before_expansion(name, text, encoding, no_network):
    data = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding.upper()}"?>')
    data = data.encode(encoding)
    if encoding == "utf-16":  # the byte-level check ('<!doctype' in the head) cannot see these
        assert b"<!doctype" not in data.lower() and b"<!entity" not in data.lower()
    t0 = time.perf_counter()
    with pytest.raises(safexml.HostileXML, match="声明了 DTD 或实体"):
        safexml.parse(data, "word/document.xml")
    assert time.perf_counter() - t0 < 1.0  # refused at the declaration, nothing expanded
    assert issubclass(safexml.HostileXML, ExtractError)  # a reader's usual failed row


def test_damaged_xml_is_an_extract_error_that_says_so():
    with pytest.raises(ExtractError, match="^word/document.xml已损坏（unclosed token, line 1）") as e:
        safexml.parse(PART[:-20].encode(), "word/document.xml")
    assert not isinstance(e.value, safexml.HostileXML)
