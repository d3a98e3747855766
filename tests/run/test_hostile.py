"""Hostile files and faults: every input gets exactly one documents row, nothing blocks,
nothing takes the machine. Every input is built here, at test time; every run is bounded
by a subprocess timeout or a small --timeout."""
import errno
import os
import resource
import shutil
import subprocess
import sys
import time
import zlib

import pytest

from reportparse import cli, load, parse_pdf

from reportparse.run import batch
from reportparse.run import files

from reportparse.store import write
from reportparse.store import layout
from reportparse.read.glyphs import strip_controls
from conftest import ROOT, SAMPLES

CLI = [sys.executable, "-m", "reportparse"]
GOOD = SAMPLES / "wenlv-2024.pdf"


def run(*args, timeout=120, cwd=ROOT, **kw):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, **kw)


def pdf(objs, extra_trailer=b""):
    """A PDF with a correct xref from object bodies 1..n (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, extra_trailer, x)
    return bytes(out)


def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


TEXT = "BT /F1 12 Tf 72 700 Td (Annual performance report 2023 of the district) Tj ET".encode()


def one_page(content=TEXT, mediabox=b"[0 0 595 842]", xobject=None, content_extra=b""):
    res = b"<< /Font << /F1 4 0 R >> " + (b"/XObject << /Im1 6 0 R >> " if xobject else b"") + b">>"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox " + mediabox + b" /Contents 5 0 R /Resources " + res + b" >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", stream(content, content_extra)]
    if xobject:
        objs.append(xobject)
    return objs


def gray_image(px):
    """A blank px×px gray image, deflated (a few KB however large it inflates)."""
    c = zlib.compressobj(9)
    data = b"".join(c.compress(b"\xff" * px) for _ in range(px)) + c.flush()
    return stream(data, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                        b"/BitsPerComponent 8 /Filter /FlateDecode " % (px, px))


def docs_of(out):
    return load(out)["documents"]


# ---------------------------------------------------------------- not regular files, names, paths

def test_fifo_folder_named_pdf_and_dangling_link_get_failed_rows_without_blocking(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(GOOD, src / "good.pdf")
    os.mkfifo(src / "pipe.pdf")  # nobody ever writes to it: opening it for reading would block
    (src / "folder.pdf").mkdir()
    os.symlink(src / "nowhere.pdf", src / "dangling.pdf")
    r = run("ingest", src, "--out", out, "--no-ocr", "--jobs", "1", "--timeout", "30", timeout=90)
    assert r.returncode == 1, r.stderr  # it ran; some files failed
    docs = docs_of(out).set_index("source")
    assert len(docs) == 4 and docs.index.is_unique
    assert docs.loc[str(src / "good.pdf"), "status"] == "ok"
    assert "命名管道（FIFO）" in docs.loc[str(src / "pipe.pdf"), "error"]
    assert "该路径是文件夹" in docs.loc[str(src / "folder.pdf"), "error"]
    assert "无法读取该文件" in docs.loc[str(src / "dangling.pdf"), "error"]
    assert docs.loc[str(src / "pipe.pdf"), "failure"] == "permanent"
    assert docs.loc[str(src / "dangling.pdf"), "failure"] == "transient"


def test_file_hash_refuses_special_files_without_opening_them(tmp_path):
    os.mkfifo(tmp_path / "p")
    with pytest.raises(files.NotRegular, match="命名管道"):
        files.file_hash(str(tmp_path / "p"))
    if os.path.exists("/dev/zero"):  # reading it would never end
        with pytest.raises(files.NotRegular, match="字符设备"):
            files.file_hash("/dev/zero")


def test_gbk_file_name_is_parsed_shown_readably_and_found_again(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    name = "2024年度绩效自评报告.pdf".encode("gbk")  # as unzipped from a Windows archive
    with pytest.raises(UnicodeDecodeError):
        name.decode("utf-8")
    raw = os.fsencode(src) + b"/" + name
    with open(raw, "wb") as f:
        f.write(GOOD.read_bytes())
    odd = os.fsencode(src) + b"/bad-\xff\xfe.pdf"  # neither UTF-8 nor GBK
    with open(odd, "wb") as f:
        f.write(b"<html>not a pdf</html>")
    r = run("ingest", src, "--out", out, "--no-ocr", "--jobs", "1")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    docs = docs_of(out).set_index("source")
    assert docs.loc[f"{src}/2024年度绩效自评报告.pdf", "status"] == "ok"
    assert docs.loc[f"{src}/2024年度绩效自评报告.pdf", "path_bytes"] == raw  # open() finds it by these
    assert f"{src}/bad-\\xff\\xfe.pdf" in docs.index and "bad-\\xff\\xfe.pdf" in r.stdout
    again = run("ingest", src, "--out", out, "--no-ocr", "--jobs", "1")
    assert "解析 0 个，跳过 2 个" in again.stdout


def test_one_file_one_row_however_spelled_and_copies_recorded(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(GOOD, src / "a.pdf")
    shutil.copy(GOOD, src / "b.pdf")  # same content, two names: parsed once
    r = run("ingest", "in/a.pdf", f"{src}/./a.pdf", src, "--out", out, "--no-ocr", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "解析 1 个，跳过 1 个" in r.stdout
    docs = docs_of(out)
    assert len(docs) == 1 and docs.paths[0].split("\n") == [str(src / "a.pdf"), str(src / "b.pdf")]
    shutil.copy(GOOD, src / "c.pdf")  # a copy after the fact: no parse, but its path is recorded
    r = run("ingest", src / "c.pdf", "--out", out, "--no-ocr")
    assert "解析 0 个，跳过 1 个" in r.stdout
    docs = docs_of(out)
    assert len(docs) == 1 and docs.paths[0].split("\n")[-1] == str(src / "c.pdf")


def test_path_longer_than_path_max_gets_a_row(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(GOOD, src / "good.pdf")
    fd = os.open(src, os.O_RDONLY)
    try:  # build it relative to a descriptor: no single call sees the whole path
        for _ in range(24):
            os.mkdir("d" * 200, dir_fd=fd)
            nxt = os.open("d" * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        with open(os.open("deep.pdf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
            f.write(b"%PDF-1.4\n")
    finally:
        os.close(fd)
    s = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    docs = docs_of(out)
    assert len(docs) == 2 and s.parsed == 2
    long_row = docs[docs.source != str(src / "good.pdf")].iloc[0]
    assert long_row.status == "failed" and "路径超过系统允许的长度" in long_row.error


# ---------------------------------------------------------------- memory

@pytest.fixture
def fake_tesseract(tmp_path):
    """A stand-in for tesseract, so the render caps are tested without it installed: the
    caps refuse a page before anything is rendered or OCR'd."""
    return {"tesseract": "/bin/true"}


def test_huge_page_is_too_large_and_the_batch_goes_on(tmp_path, fake_tesseract):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    # a 200-inch page with a tiny image and no text: OCR at 300 dpi would be 60000×60000 px
    (src / "huge.pdf").write_bytes(pdf(one_page(b"q 10 0 0 10 0 0 cm /Im1 Do Q", b"[0 0 14400 14400]",
                                                gray_image(10))))
    shutil.copy(GOOD, src / "good.pdf")
    s = batch.ingest([str(src)], str(out), {**fake_tesseract, "timeout": 60}, jobs=1, progress=False)
    docs = docs_of(out).set_index("source")
    row = docs.loc[str(src / "huge.pdf")]
    assert row.status == "failed" and "页面过大" in row.error and "Mpx" in row.error
    assert row.failure == "permanent"
    assert docs.loc[str(src / "good.pdf"), "status"] == "ok" and s.parsed == 2


def test_image_over_the_pixel_cap_is_refused_before_decoding(tmp_path, fake_tesseract):
    f = tmp_path / "bigimage.pdf"
    f.write_bytes(pdf(one_page(b"q 595 0 0 842 0 0 cm /Im1 Do Q", xobject=gray_image(2000))))
    r = parse_pdf(f, {**fake_tesseract, "max_pixels": 1_000_000})
    assert r.status == "failed" and "2000×2000 像素的图片" in r.error


def test_deflate_bomb_is_capped_and_peak_memory_stays_low(tmp_path):
    c = zlib.compressobj(9)
    zeros = b" " * (1 << 24)
    body = c.compress(TEXT + b"\n") + b"".join(c.compress(zeros) for _ in range(64)) + c.flush()  # 1 GB inflated
    f = tmp_path / "in" / "bomb.pdf"
    f.parent.mkdir()
    objs = one_page(content_extra=b"/Filter /FlateDecode ")
    objs[4] = stream(body, b"/Filter /FlateDecode ")
    f.write_bytes(pdf(objs))
    assert f.stat().st_size < 2 << 20
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = run("ingest", f.parent, "--out", tmp_path / "out", "--no-ocr", "--jobs", "1", "--timeout", "60")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    docs = docs_of(tmp_path / "out")
    assert r.returncode == 1 and docs.status[0] == "failed" and "解压后超过 64 MB" in docs.error[0]
    if before < (2 << 20):  # kB; an earlier child of this test process may have been bigger
        assert peak_mb < 2048


def test_huge_content_stream_is_too_large(tmp_path):
    f = tmp_path / "big.pdf"
    f.write_bytes(pdf(one_page(TEXT + b"\n" + TEXT * 300)))
    r = parse_pdf(f, {"max_content_bytes": 10_000})
    assert r.status == "failed" and "内容流共" in r.error and "页面过大" in r.error
    assert parse_pdf(f).status == "ok"  # under the default cap it is just text


def test_worker_over_its_memory_limit_fails_the_file_and_the_next_run_retries(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(GOOD, src / "r.pdf")
    r = run("ingest", src, "--out", out, "--no-ocr", "--jobs", "1", "--memory-limit", "300", "--timeout", "60")
    assert r.returncode in (1, 2), r.stderr  # the file failed, or no worker could even start
    if r.returncode == 1:
        row = docs_of(out).iloc[0]
        assert row.status == "failed" and row.failure == "transient"
        assert "300 MB 的 --memory-limit" in row.error or "内存不足" in row.error
    else:
        assert r.stderr.startswith("reportparse: ") and "--memory-limit" in r.stderr
    r = run("ingest", src, "--out", out, "--no-ocr", "--jobs", "1")
    docs = docs_of(out)
    assert r.returncode == 0 and len(docs) == 1 and docs.status[0] == "ok"


# ---------------------------------------------------------------- failures: transient, permanent, one row

def test_transient_failure_is_retried_and_force_keeps_one_row(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(GOOD, src / "r.pdf")
    s = batch.ingest([str(src)], str(out), {"ocr": False, "timeout": 0.001}, jobs=1, progress=False)
    docs = docs_of(out)
    assert s.failures and docs.failure[0] == "transient" and docs.fiscal_year.isna()[0]
    r = run("ingest", src, "--out", out, "--no-ocr")
    assert r.returncode == 0 and "重试了 1 个" in r.stdout
    docs = docs_of(out)
    assert len(docs) == 1 and docs.status[0] == "ok" and docs.attempts[0] == 2
    assert docs.fiscal_year[0] == 2024  # moved partition: the year=0 row is gone
    run("ingest", src, "--out", out, "--no-ocr", "--force")
    assert len(layout.parts(out, "documents")) == 1 and len(docs_of(out)) == 1


def test_permanent_failure_is_kept_until_retry_failed(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "page.pdf").write_bytes(b"<!doctype html><html>404</html>")
    assert run("ingest", src, "--out", out).returncode == 1
    r = run("ingest", src, "--out", out)
    assert r.returncode == 0 and "解析 0 个，跳过 1 个" in r.stdout
    r = run("ingest", src, "--out", out, "--retry-failed")
    docs = docs_of(out)
    assert r.returncode == 1 and "解析 1 个" in r.stdout and len(docs) == 1 and docs.attempts[0] == 2


def test_one_documents_row_per_doc_id_across_partitions(tmp_path):
    out = tmp_path / "out"
    write.write_report(parse_pdf(GOOD, {"ocr": False}), out)
    failed = parse_pdf(GOOD, {"ocr": False})
    failed.status, failed.document.fiscal_year = "failed", None
    write.write_report(failed, out)
    assert len(layout.parts(out, "documents")) == 1 and len(layout.parts(out, "sections")) == 1


# ---------------------------------------------------------------- command line: one line, exit codes

@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "abc"])
def test_bad_timeout_is_one_line_and_exit_2(tmp_path, value):
    r = run("ingest", GOOD, "--out", tmp_path / "out", "--timeout", value, timeout=30)
    assert r.returncode == 2 and r.stderr.startswith("reportparse: --timeout") and r.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_missing_path_and_no_pdfs_are_one_line_and_exit_2(tmp_path):
    r = run("ingest", GOOD, tmp_path / "missing.pdf", "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr == f"reportparse: 没有这个文件或文件夹：{tmp_path / 'missing.pdf'}\n"
    (tmp_path / "empty").mkdir()
    r = run("ingest", tmp_path / "empty", "--out", tmp_path / "out")
    assert r.returncode == 2 and r.stderr.startswith("reportparse: 没有找到可读取的文件")


def test_unwritable_output_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "file").write_text("x")
    r = run("ingest", GOOD, "--out", tmp_path / "file" / "out", "--no-ocr")
    assert r.returncode == 2 and r.stderr.startswith("reportparse: 无法写入") and r.stderr.count("\n") == 1


def test_disk_full_in_a_worker_stops_the_batch_with_exit_2(tmp_path):
    # a file-size limit makes every write of a part fail as a full disk would (EFBIG, not ENOSPC)
    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
    r = run("ingest", GOOD, "--out", tmp_path / "out", "--no-ocr", "--jobs", "1", preexec_fn=small_files)
    assert r.returncode == 2 and r.stderr.startswith("reportparse: 无法写入")
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_disk_full_in_the_parent_is_exit_2(tmp_path, monkeypatch, capsys):
    os.mkfifo(tmp_path / "pipe.pdf")  # its failed row is written by the parent itself

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    import pyarrow.parquet
    monkeypatch.setattr(pyarrow.parquet, "write_table", full)
    rc = cli.main(["ingest", str(tmp_path / "pipe.pdf"), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err == f"reportparse: 无法写入 {tmp_path / 'out'}：No space left on device\n"


def test_second_writer_is_refused_and_never_sweeps_the_first(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    inflight = out / "sections" / "year=2024" / ".part-x.parquet.123.tmp"
    inflight.parent.mkdir(parents=True)
    inflight.write_bytes(b"being written")
    with write.lock(out):
        t0 = time.time()
        r = run("ingest", GOOD, "--out", out, "--no-ocr")
        assert r.returncode == 2 and "另一个 ingest（pid" in r.stderr and time.time() - t0 < 60
        assert inflight.exists()
    assert run("ingest", GOOD, "--out", out, "--no-ocr").returncode == 0
    assert not inflight.exists()  # swept by the run that holds the lock, once the other is gone


# ---------------------------------------------------------------- text from the PDF, messages

def test_control_characters_never_leave_the_pdf(tmp_path):
    title = "2023年度\x1b]0;PWNED\x07\x1b[2J卫生健康局绩效自评报告\x85"
    lit = b"".join(b"\\%03o" % c for c in b"\xfe\xff" + title.encode("utf-16-be"))
    text = b"BT /F1 12 Tf 72 700 Td (Annual\x1b[2J report\x07 2023) Tj ET"
    f = tmp_path / "esc.pdf"
    f.write_bytes(pdf(one_page(text) + [b"<< /Title (" + lit + b") >>"], extra_trailer=b"/Info 6 0 R "))
    rep = parse_pdf(f, {"ocr": False})
    everything = " ".join(str(v) for v in [rep.document.title, rep.document.organization, rep.error]
                          + [s.text for s in rep.sections] + [s.heading for s in rep.sections])
    assert rep.status == "ok" and not any(ord(c) < 0x20 and c not in "\t\n" or 0x7f <= ord(c) < 0xa0
                                          for c in everything)
    assert "PWNED" not in (rep.document.title or "")
    assert strip_controls("a\x1b[31mb\x9bc\x00d") == "abcd"


def test_messages_escape_control_characters_in_names(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "evil\x1b[2J.pdf").write_bytes(b"")
    r = run("ingest", src, "--out", tmp_path / "out")
    assert "\x1b" not in r.stdout + r.stderr and "evil\\x1b[2J.pdf" in r.stdout
    assert docs_of(tmp_path / "out").source[0].endswith("evil\\x1b[2J.pdf")


def test_damaged_xref_with_its_end_intact_is_not_called_truncated(tmp_path):
    data = pdf(one_page())
    data = data.replace(b"startxref\n", b"startxref\n9").replace(b"/Root 1 0 R", b"/Root 9 0 R")
    f = tmp_path / "xref.pdf"
    f.write_bytes(data)
    rep = parse_pdf(f, {"ocr": False})
    assert rep.status in ("partial", "ok")
    if rep.error:
        assert "文件被截断" not in rep.error


# ---------------------------------------------------------------- time limits

def test_parse_pdf_time_limit(tmp_path):
    n = 3000
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
            stream(TEXT), b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 3 0 R "
             b"/Resources << /Font << /F1 4 0 R >> >> >>"] * n
    f = tmp_path / "many.pdf"
    f.write_bytes(pdf(objs))
    t0 = time.time()
    rep = parse_pdf(f, {"ocr": False, "time_limit": 0.5})
    assert rep.status == "failed" and "时间上限（0.5 秒）" in rep.error and time.time() - t0 < 30


def test_timeout_counts_from_the_worker_being_ready(tmp_path):
    f = tmp_path / "small.pdf"
    f.write_bytes(pdf(one_page()))
    # a worker takes well over a second to start (imports); the file itself needs milliseconds
    s = batch.ingest([str(f)], str(tmp_path / "out"), {"ocr": False, "timeout": 1.0}, jobs=1, progress=False)
    assert not s.failures and docs_of(tmp_path / "out").status[0] == "ok"


def test_settings_refuse_nonsense_limits():
    from reportparse.settings import Settings
    for bad in (float("nan"), float("inf"), 0, -1):
        with pytest.raises(ValueError, match="timeout"):
            Settings(timeout=bad)
    with pytest.raises(ValueError, match="memory_limit_mb"):
        Settings(memory_limit_mb=10)


def test_nothing_is_committed_once_the_batch_is_gone(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(write.ParentGone):
        write.write_report(parse_pdf(GOOD, {"ocr": False}), out, may_commit=lambda: False)
    assert layout.committed(out) == set() and layout.parts(out, "sections")  # orphans only
    write.sweep(out)
    assert not layout.parts(out, "sections")


def test_display_names():
    assert files.display(b"/a/\xc4\xea\xb6\xc8.pdf") == "/a/年度.pdf"  # GBK
    assert files.display(b"/a/\xff\xfe.pdf") == "/a/\\xff\\xfe.pdf"
    assert files.display("/a/x\x1b[2J\ny.pdf") == "/a/x\\x1b[2J\\x0ay.pdf"
    assert files.clean_message("bad \udcff name\x07") == "bad \\udcff name\\x07"
