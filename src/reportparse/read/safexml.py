"""XML from an untrusted file parsed without a DTD: no entity is ever declared, expanded or
fetched (billion laughs, quadratic blow-up, external entities that read a local file or a URL).

For the office readers (a .docx or .xlsx is a zip of XML parts; OOXML never declares a DTD).
A check on the raw bytes misses a DOCTYPE behind a long comment or in a UTF-16 part; here
expat itself, which decodes the part as the parser will, refuses the first DOCTYPE or entity
declaration it meets, before anything in it is expanded, and only then does ElementTree
build the tree. Nothing here opens a socket or a file: external references are refused,
never resolved. Standard library only, as ``defusedxml`` does it, without the dependency.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.parsers import expat

from reportparse.errors import ExtractError
from reportparse.messages import cause, say


class HostileXML(ExtractError):
    """The XML declares a DTD or an entity: refused before anything is expanded or fetched."""


def _refuse(what: str):
    def handler(*_args) -> None:
        raise HostileXML(say("xml_dtd", what=what))
    return handler


# how XML in UTF-32 or EBCDIC begins (XML 1.0, appendix F): expat reads neither, another parser might
_UNREAD_SIGNATURES = (b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x4c\x6f\xa7\x94")
_ENCODING_ERRORS = {expat.errors.codes[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
                    expat.errors.codes[expat.errors.XML_ERROR_INCORRECT_ENCODING]}


def check(data: bytes, what: str = "XML", binary_ok: bool = False) -> None:
    """Raise ``HostileXML`` when ``data`` declares a DTD, an entity or an external reference,
    ``ExtractError`` when it is not well-formed XML. With ``binary_ok`` (a part that may be an
    image or other binary data) data that is not XML at all passes, but XML in an encoding
    expat cannot read does not: another parser might read it, DTD and all."""
    if data.startswith(_UNREAD_SIGNATURES):
        raise ExtractError(say("xml_damaged", what=what, cause="XML in UTF-32 or EBCDIC, which expat does not read"))
    p = expat.ParserCreate()
    refuse = _refuse(what)
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.UnparsedEntityDeclHandler = refuse
    p.NotationDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(data, True)
    except expat.ExpatError as e:
        if binary_ok and e.code not in _ENCODING_ERRORS:
            return
        raise ExtractError(say("xml_damaged", what=what,
                               cause=f"{expat.ErrorString(e.code)}, line {e.lineno}")) from e
    except (LookupError, UnicodeError) as e:  # an encoding Python has no codec for, or bytes not in it
        raise ExtractError(say("xml_damaged", what=what, cause=cause(e))) from e


def parse(data: bytes, what: str = "XML") -> ET.Element:
    """The root element of ``data``, after ``check`` has refused any DTD or entity."""
    check(data, what)
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:  # check() parsed it already; kept for an expat/ElementTree difference
        raise ExtractError(say("xml_damaged", what=what, cause=cause(e))) from e
