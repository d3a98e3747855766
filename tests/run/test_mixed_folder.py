"""A folder of downloaded disclosures is mixed: PDFs, Word, Excel, saved web pages, files named
for what they are not. One row per file, each with the right status and format, and the same
report in two formats linked by duplicate_of."""
import shutil
import subprocess

import pytest

from conftest import SAMPLES
from reportparse import load
from reportparse.run import batch, files

OFFICE = SAMPLES / "office"


def test_a_mixed_folder_gives_one_row_per_file_with_the_right_status(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SAMPLES / "wenlv-2024.pdf", d / "wenlv.pdf")
    shutil.copy(OFFICE / "wenlv-2024.docx", d / "wenlv.docx")
    shutil.copy(OFFICE / "yunshan-targets-2025.xlsx", d / "targets.xlsx")
    shutil.copy(OFFICE / "weijian-project-2023.html", d / "weijian.htm")
    shutil.copy(OFFICE / "jiaoyu-project-2024.docx", d / "jiaoyu.pdf")        # a .pdf that is a .docx
    page = (OFFICE / "weijian-project-2023.html").read_bytes()
    (d / "weijian-table.xls").write_bytes(page.replace(b"1024", b"2048"))  # a .xls that is a web page (saved later)
    (d / "report.doc").write_bytes(b"MZ\x90\x00\x03" + b"\0" * 500)           # a renamed .exe
    (d / "readme.txt").write_text("not picked up: no reader for .txt", encoding="utf-8")
    want = {"wenlv.pdf": ("ok", "pdf"), "wenlv.docx": ("ok", "docx"), "targets.xlsx": ("ok", "xlsx"),
            "weijian.htm": ("ok", "html"), "jiaoyu.pdf": ("ok", "docx"), "weijian-table.xls": ("ok", "html"),
            "report.doc": ("failed", None)}
    if shutil.which("soffice"):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                        "xls", "--outdir", str(d), str(OFFICE / "yunshan-targets-2025.xlsx")], check=True,
                       capture_output=True, timeout=180)
        (d / "yunshan-targets-2025.xls").rename(d / "targets-old.xls")
        want["targets-old.xls"] = ("ok", "xls")
    assert sorted(p.rsplit("/", 1)[1] for p in files.collect([str(d)])) == sorted(want)
    out = tmp_path / "out"
    batch.ingest([str(d)], str(out), {"ocr": False}, jobs=2, progress=False)
    docs = load(out)["documents"]
    docs["name"] = docs.source.str.rsplit("/", n=1).str[1]
    got = {r.name: (r.status, r.format if isinstance(r.format, str) else None) for r in docs.itertuples()}
    assert got == want
    bad = docs[docs.name == "report.doc"].iloc[0]
    assert bad.error.startswith("不是 reportparse 能读取的文件：它是一个可执行程序") and bad.failure == "permanent"
    by = docs.set_index("name")
    # the Word original and its PDF export are one report: the later file points at the first
    for a, b in (("wenlv.pdf", "wenlv.docx"), ("weijian.htm", "weijian-table.xls")):
        pair = by.loc[[a, b]]
        assert pair.duplicate_of.notna().sum() == 1 and set(pair.duplicate_of.dropna()) <= set(pair.doc_id), (a, b)
    assert by.loc[["targets.xlsx", "jiaoyu.pdf"]].duplicate_of.isna().all()


@pytest.mark.parametrize("name", ["a.DOCX", "b.xlsx", "c.Html", "d.htm", "e.wps", "f.et", "g.xls", "h.doc"])
def test_a_batch_picks_up_office_and_web_files(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    assert [p.rsplit("/", 1)[1] for p in files.collect([str(tmp_path)])] == [name]
