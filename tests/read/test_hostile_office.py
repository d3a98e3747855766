"""Hostile office files and web pages (issue 24): a zip bomb renamed .docx/.xlsx, billion laughs
and a DOCTYPE hidden behind a comment or in UTF-16, a workbook of thousands of parts, a
workbook part openpyxl would parse with entities, a web page naming remote resources, a
document whose macro is bound to its open event. Each gives a clear failed row (or its text,
read safely); nothing is expanded, fetched or executed, memory stays under the caps. Every
input is built here, at test time."""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES
from reportparse import parse_pdf
from reportparse.errors import ExtractError, TooLarge
from reportparse.read import docx as wdocx
from reportparse.read import safexml
from reportparse.settings import Settings

HAN = re.compile(r"[\u4e00-\u9fff]")
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def _document(text: str = "一、项目基本情况") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{NS_W}"><w:body>'
            f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")


def _laughs(root: str, uses: str, encoding: str = "UTF-8") -> str:
    """A billion laughs: &lol9; is 10^9 'lol's once expanded."""
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE {root} [{ents}]>' + uses


def _docx(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name, data in {"word/document.xml": _document(), **parts}.items():
            z.writestr(name, data)
    return path


def _xlsx(path: Path, replace: dict[str, str | bytes] | None = None, rename: dict[str, str] | None = None,
          extra: int = 0) -> Path:
    """A real workbook from openpyxl, then some parts replaced, renamed (with the workbook's
    relationship following) or ``extra`` empty parts added."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    for r, row in enumerate([["一级指标", "三级指标", "指标值"], ["产出指标", "完成数量", "12"],
                             ["效益指标", "满意度", "95%"]], start=1):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    replace, rename = replace or {}, rename or {}
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = replace.get(info.filename, src.read(info.filename))
            if info.filename == "xl/_rels/workbook.xml.rels":
                for old, new in rename.items():
                    data = data.replace(old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode())
            out.writestr(rename.get(info.filename, info.filename), data)
        for i in range(extra):
            out.writestr(f"xl/media/pad{i}.bin", b"")
    plain.unlink()
    return path


def _sheet(cells: str, head: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    return (f'{head}<worksheet xmlns="{NS_S}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{cells}</t></is>'
            '</c></row></sheetData></worksheet>')


# ---------------------------------------------------------------- zip bombs

BOMB_CHILD = r"""
import json, resource, sys, time
import openpyxl  # loaded before the baseline: the reader imports it for a workbook
from reportparse import parse_pdf
from reportparse.read import docx, xlsx, html  # noqa: F401
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
r = parse_pdf(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"status": r.status, "format": r.format, "error": r.error, "grew_mb": (after - before) / 1024,
                  "seconds": time.perf_counter() - t0}))
"""


def _bomb(path: Path, member: str, head: bytes, base: Path | None = None, inflated: int = 1 << 30) -> Path:
    """A zip whose ``member`` inflates to ``inflated`` bytes (a 1 GB part from about 1 MB), the
    other parts taken from ``base`` when given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        if base is not None:
            with zipfile.ZipFile(base) as b:
                for info in b.infolist():
                    if info.filename != member:
                        z.writestr(info.filename, b.read(info.filename))
        else:
            z.writestr("[Content_Types].xml", CONTENT_TYPES)
        with z.open(member, "w", force_zip64=True) as f:
            f.write(head)
            chunk = b" " * (16 << 20)
            for _ in range(inflated // len(chunk)):
                f.write(chunk)
    return path


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_zip_bomb_renamed_docx_or_xlsx_is_a_failed_row_and_memory_stays_bounded(tmp_path, kind):
    if kind == "docx":
        p = _bomb(tmp_path / "bomb.docx", "word/document.xml",
                  f'<?xml version="1.0"?><w:document xmlns:w="{NS_W}"><w:body>'.encode())
    else:
        p = _bomb(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml",
                  f'<?xml version="1.0"?><worksheet xmlns="{NS_S}"><sheetData>'.encode(),
                  base=_xlsx(tmp_path / "base.xlsx"))
    assert p.stat().st_size < 4 << 20  # a few MB on disk ...
    with zipfile.ZipFile(p) as z:  # ... and a 1 GB part once inflated: 16x the 64 MB cap
        assert max(i.file_size for i in z.infolist()) >= 1 << 30
    run = subprocess.run([sys.executable, "-c", BOMB_CHILD, str(p)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["status"] == "failed" and got["format"] == kind
    assert "解压后超过 64 MB 上限" in got["error"] and HAN.search(got["error"])
    assert got["grew_mb"] < 200, got  # the cap (64 MB of one part), not the 1 GB it inflates to
    with pytest.raises(TooLarge, match="解压后超过 1 MB"):  # the same as an exception, with a smaller cap
        from reportparse.read import formats
        formats.extract(p, Settings(max_stream_bytes=1 << 20))


# ---------------------------------------------------------------- entities and DTDs

@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_docx_is_refused_before_expansion(tmp_path, encoding):
    text = _laughs("w:document", f'<w:document xmlns:w="{NS_W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
                   "</w:body></w:document>", encoding.upper())
    p = _docx(tmp_path / "laughs.docx", {"word/document.xml": text.encode(encoding)})
    t0 = time.perf_counter()
    r = parse_pdf(p)
    assert time.perf_counter() - t0 < 5.0  # 10^9 'lol's never built
    assert r.status == "failed" and r.format == "docx"
    assert "声明了 DTD 或实体" in r.error and "word/document.xml" in r.error and r.error.startswith("Word（.docx）")


def test_billion_laughs_xlsx_is_refused_before_expansion(tmp_path):
    p = _xlsx(tmp_path / "laughs.xlsx", replace={"xl/worksheets/sheet1.xml": _laughs(
        "worksheet", f'<worksheet xmlns="{NS_S}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t>'
        "</is></c></row></sheetData></worksheet>")})
    t0 = time.perf_counter()
    r = parse_pdf(p)
    assert time.perf_counter() - t0 < 5.0
    assert r.status == "failed" and r.format == "xlsx" and "声明了 DTD 或实体" in r.error
    assert "xl/worksheets/sheet1.xml" in r.error and r.error.startswith("Excel（.xlsx）")


def test_openpyxl_alone_would_expand_an_entity_so_every_part_is_checked_first(tmp_path):
    """The reason for the check before openpyxl: without defusedxml, openpyxl parses with the
    standard library, which expands a document's own entities. A sheet part renamed .png (the
    workbook's relationship follows it) is still found and parsed by openpyxl, so parts are
    checked whatever their names."""
    openpyxl = pytest.importorskip("openpyxl")
    entity = _sheet("&x;", '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x "实体被展开了">]>')
    plain = _xlsx(tmp_path / "entity.xlsx", replace={"xl/worksheets/sheet1.xml": entity})
    hidden = _xlsx(tmp_path / "hidden.xlsx", replace={"xl/worksheets/sheet1.xml": entity},
                   rename={"xl/worksheets/sheet1.xml": "xl/media/image1.png"})
    benign = _xlsx(tmp_path / "benign.xlsx", replace={"xl/worksheets/sheet1.xml": _sheet("改名后的表格照样读取")},
                   rename={"xl/worksheets/sheet1.xml": "xl/media/image1.png"})
    if not openpyxl.DEFUSEDXML:  # what openpyxl does on its own
        for p in (plain, hidden):
            assert openpyxl.load_workbook(p).active["A1"].value == "实体被展开了"
    for p in (plain, hidden):
        r = parse_pdf(p)
        assert r.status == "failed" and "声明了 DTD 或实体" in r.error, p.name
    from reportparse.read import xlsx as wxlsx
    ex = wxlsx.extract(benign, Settings())  # a part not named .xml that is XML without a DTD reads
    assert [ln.text for ln in ex.pages[0].lines] == ["改名后的表格照样读取"]


@pytest.mark.parametrize("data", [
    '<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE w [<!ENTITY a "x">]><w>&a;</w>'.encode("utf-32"),
    '<?xml version="1.0" encoding="UTF-32BE"?><!DOCTYPE w [<!ENTITY a "x">]><w>&a;</w>'.encode("utf-32-be"),
    b'<?xml version="1.0" encoding="x-no-such-codec"?><!DOCTYPE w [<!ENTITY a "x">]><w>&a;</w>'],
    ids=["utf-32", "utf-32 without bom", "unknown codec"])
def test_xml_in_an_encoding_expat_cannot_read_is_refused_even_when_named_like_an_image(data):
    with pytest.raises(ExtractError, match="已损坏"):
        safexml.check(data, "xl/media/image1.png", binary_ok=True)
    safexml.check(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "xl/media/image1.png", binary_ok=True)  # an image
    with pytest.raises(ExtractError):  # ... which is no XML part
        safexml.check(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "xl/styles.xml")


@pytest.mark.parametrize("part", ["word/document.xml", "word/styles.xml", "word/numbering.xml", "docProps/core.xml"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_doctype_behind_a_5kb_comment_in_any_docx_part_is_refused(tmp_path, part, encoding):
    roots = {"word/document.xml": f'<w:document xmlns:w="{NS_W}"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p>'
                                  "</w:body></w:document>",
             "word/styles.xml": f'<w:styles xmlns:w="{NS_W}"><w:style w:type="paragraph" w:styleId="A">'
                                '<w:name w:val="&a;"/></w:style></w:styles>',
             "word/numbering.xml": f'<w:numbering xmlns:w="{NS_W}"/>',
             "docProps/core.xml": '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                                  'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                                  "<dc:title>&a;</dc:title></cp:coreProperties>"}
    text = (f'<?xml version="1.0" encoding="{encoding.upper()}"?><!--' + "注释" * 2560 + '--><!DOCTYPE x '
            '[<!ENTITY a "被展开的实体">]>' + roots[part])
    data = text.encode(encoding)
    assert data.find("<!DOCTYPE".encode(encoding).lstrip(b"\xff\xfe")) > 5000  # behind 5 KB of comment
    p = _docx(tmp_path / "hidden.docx", {part: data})
    r = parse_pdf(p)
    assert r.status == "failed" and "声明了 DTD 或实体" in r.error and part in r.error
    with pytest.raises(safexml.HostileXML):
        wdocx.extract(p, Settings())


def test_an_xlsx_of_thousands_of_parts_is_refused_without_reading_them(tmp_path):
    p = _xlsx(tmp_path / "many.xlsx", extra=6000)
    t0 = time.perf_counter()
    r = parse_pdf(p)
    assert time.perf_counter() - t0 < 5.0
    assert r.status == "failed" and r.format == "xlsx" and "个部件，超过" in r.error and "5000" in r.error
    ok = parse_pdf(_xlsx(tmp_path / "some.xlsx", extra=2000))  # under the cap: empty parts cost nothing
    assert ok.status == "ok", ok.error


# ---------------------------------------------------------------- web pages

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>2024年度某某区文化服务项目支出绩效自评报告</title>
<link rel="stylesheet" href="http://203.0.113.7/site.css">
<link rel="preload" as="font" href="https://fonts.example.invalid/a.woff2">
<script src="http://203.0.113.7/track.js"></script>
<style>@import url("http://203.0.113.7/more.css"); body {{ background: url(http://203.0.113.7/bg.png) }}</style>
<meta http-equiv="refresh" content="0; url=http://203.0.113.7/elsewhere">
</head><body>
<iframe src="http://203.0.113.7/frame.html"></iframe>
<img src="http://203.0.113.7/logo.png" srcset="http://203.0.113.7/logo2x.png 2x">
<object data="http://203.0.113.7/x.swf"></object><video poster="http://203.0.113.7/p.jpg"></video>
<div class="article"><h1>2024年度某某区文化服务项目支出绩效自评报告</h1>
<p>一、项目概况</p><p>本项目年初预算数为120.5万元，全年执行数为118.2万元，预算执行率为98.09%。</p>
<p>二、绩效目标完成情况</p><p>全年开展公益演出24场，群众满意度达到96%，达到年初设定的目标。</p>
<table><tr><td>一级指标</td><td>三级指标</td><td>年度指标值</td><td>实际完成值</td></tr>
<tr><td>产出指标</td><td>演出场次</td><td>≥20场</td><td>24场</td></tr>
<tr><td>效益指标</td><td>群众满意度</td><td>≥90%</td><td>96%</td></tr></table>
<p>三、存在的问题</p><p>部分场次观众组织不够充分，宣传覆盖面有待扩大。</p>
<img src="//cdn.example.invalid/photo.jpg"><script>fetch("http://203.0.113.7/beacon")</script>
</div></body></html>"""


def test_a_web_page_naming_remote_resources_is_read_with_sockets_blocked(tmp_path, monkeypatch):
    tried: list[object] = []

    def refuse(*args, **kw):
        tried.append(args)
        raise OSError("network blocked by the test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    p = tmp_path / "page.html"
    p.write_text(PAGE, encoding="utf-8")
    from reportparse.read import formats
    ex = formats.extract(p, Settings())
    r = parse_pdf(p)
    assert tried == []  # nothing looked up, nothing fetched
    text = "\n".join(ln.text for page in ex.pages for ln in page.lines)
    assert "观众组织不够充分" in text and "项目概况" in text and ex.pages[0].tables[0].rows[2][1] == "群众满意度"
    assert "203.0.113" not in text and "beacon" not in text  # script text and addresses are not read as text
    assert r.status == "ok" and r.format == "html", r.error
    assert r.document.budget_initial and abs(r.document.budget_initial - 1_205_000) < 1


# ---------------------------------------------------------------- LibreOffice and macros

def _macro_odt(path: Path, marker: Path) -> Path:
    """An .odt whose Basic macro, bound to the document-open event (dom:load), writes ``marker``."""
    module = ('<?xml version="1.0" encoding="UTF-8"?><script:module xmlns:script="http://openoffice.org/2000/script" '
              f'script:name="Module1" script:language="StarBasic">Sub Main\n  Open &quot;{marker}&quot; For Output '
              'As #1\n  Print #1, &quot;macro ran&quot;\n  Close #1\nEnd Sub\n</script:module>')
    library = ('<?xml version="1.0" encoding="UTF-8"?><library:library xmlns:library="http://openoffice.org/2000/'
               'library" library:name="Standard" library:readonly="false" library:passwordprotected="false">'
               '<library:element library:name="Module1"/></library:library>')
    libraries = ('<?xml version="1.0" encoding="UTF-8"?><library:libraries xmlns:library="http://openoffice.org/2000/'
                 'library" xmlns:xlink="http://www.w3.org/1999/xlink"><library:library library:name="Standard" '
                 'library:link="false"/></library:libraries>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
               'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ooo="http://openoffice.org/2004/office" '
               'xmlns:dom="http://www.w3.org/2001/xml-events" office:version="1.3"><office:scripts>'
               '<office:event-listeners><script:event-listener script:language="ooo:script" '
               'script:event-name="dom:load" xlink:type="simple" xlink:href="vnd.sun.star.script:Standard.Module1.Main'
               '?language=Basic&amp;location=document"/></office:event-listeners></office:scripts>'
               "<office:body><office:text><text:p>2024年度某某项目支出绩效自评报告</text:p><text:p>一、项目概况</text:p>"
               "<text:p>本项目年初预算数为80万元，全年执行数为76万元。</text:p></office:text></office:body>"
               "</office:document-content>")
    entries = {"content.xml": content, "Basic/script-lc.xml": libraries, "Basic/Standard/script-lb.xml": library,
               "Basic/Standard/Module1.xml": module}
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                + "".join(f'<manifest:file-entry manifest:full-path="{n}" manifest:media-type="text/xml"/>'
                          for n in entries) + "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")  # stored, first, as ODF wants
        for name, data in {**entries, "META-INF/manifest.xml": manifest}.items():
            z.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_macro_bound_to_document_open_does_not_run_when_converted(tmp_path):
    marker = tmp_path / "macro-ran.txt"
    p = _macro_odt(tmp_path / "macro.odt", marker)
    r = parse_pdf(p)
    assert r.format == "odt" and r.status == "ok", r.error  # converted and read ...
    assert any("项目概况" in s.heading for s in r.sections) or "项目概况" in (r.document.title or "")
    assert not marker.exists()  # ... and the macro never ran


def test_libreoffice_runs_with_its_own_profile_with_macros_disabled_and_a_time_limit(tmp_path, monkeypatch):
    """A stand-in soffice records the profile and arguments it was given: no LibreOffice needed."""
    from reportparse.read import convert
    record = tmp_path / "record.json"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!{sys.executable}\n" + f"""
import json, shutil, sys
from pathlib import Path
args = sys.argv[1:]
profile = Path(next(a for a in args if a.startswith("-env:UserInstallation=file://")).split("file://", 1)[1])
out = Path(args[args.index("--outdir") + 1])
xcu = (profile / "user" / "registrymodifications.xcu").read_text()
Path({str(record)!r}).write_text(json.dumps({{"args": args, "xcu": xcu, "profile": str(profile)}}))
out.mkdir(parents=True, exist_ok=True)
shutil.copyfile({str(SAMPLES / "office" / "wenlv-2024.docx")!r}, out / "in.docx")
""")
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(fake))
    seen = {}
    real_run = convert.children.run

    def spy(cmd, **kw):
        seen.update(kw)
        return real_run(cmd, **kw)
    monkeypatch.setattr(convert.children, "run", spy)
    doc = tmp_path / "old.odt"
    doc.write_bytes(b"not read by the stand-in")
    with convert.converted(doc, "docx", Settings(time_limit=30)) as out:
        assert out.exists() and out.stat().st_size > 0
    got = json.loads(record.read_text())
    assert "--headless" in got["args"] and "--convert-to" in got["args"]
    assert '"MacroSecurityLevel" oor:op="fuse"><value>3<' in got["xcu"]
    assert '"DisableMacrosExecution" oor:op="fuse"><value>true<' in got["xcu"]
    assert not Path(got["profile"]).exists()  # a fresh profile, removed afterwards
    assert seen["timeout"] == 30
    assert seen["tree"] and seen["leftovers"] == str(Path(got["profile"]).parent)  # soffice.bin and the folder go too


# ---------------------------------------------------------------- a batch

@pytest.mark.slow
def test_a_folder_of_hostile_office_files_gives_failed_rows_in_chinese_and_the_rest_written(tmp_path):
    from reportparse import load
    from reportparse.run import batch
    src = tmp_path / "in"
    src.mkdir()
    _docx(src / "laughs.docx", {"word/document.xml": _laughs(
        "w:document", f'<w:document xmlns:w="{NS_W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>'
        "</w:document>")})
    _xlsx(src / "many.xlsx", extra=6000)
    _bomb(src / "bomb.docx", "word/document.xml", f'<?xml version="1.0"?><w:document xmlns:w="{NS_W}">'.encode(),
          inflated=256 << 20)
    shutil.copyfile(SAMPLES / "office" / "wenlv-2024.docx", src / "good.docx")
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    out = tmp_path / "out"
    s = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    docs = load(out)["documents"]
    by_name = {Path(row.source).name: row for row in docs.itertuples()}
    assert s.parsed == 5 and set(by_name) == {"laughs.docx", "many.xlsx", "bomb.docx", "good.docx", "page.html"}
    for bad, words in (("laughs.docx", "声明了 DTD 或实体"), ("many.xlsx", "个部件，超过"), ("bomb.docx", "解压后超过")):
        row = by_name[bad]
        assert row.status == "failed" and words in row.error and HAN.search(row.error), (bad, row.error)
    assert by_name["good.docx"].status == "ok" and by_name["good.docx"].fiscal_year == 2024
    assert by_name["page.html"].status == "ok"


def test_a_mimetype_member_that_inflates_to_a_gigabyte_is_sniffed_from_its_first_bytes(tmp_path):
    """Format sniffing reads the first bytes of an ODF package's ``mimetype`` member, never the
    whole of it: a bomb there must not cost what it inflates to."""
    p = _bomb(tmp_path / "odt-bomb.docx", "mimetype", b"application/vnd.oasis.opendocument.text")
    code = ("import resource, sys\nfrom pathlib import Path\nfrom reportparse.read import formats\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "kind = formats._zip_kind(Path(sys.argv[1]))\n"
            "print(kind, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) >> 10)\n")
    run = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    kind, grew_mb = run.stdout.split()
    assert kind == "odt" and int(grew_mb) < 100, run.stdout
