"""Archive-scale guarantees: skip what is done, survive SIGKILL, replace changed files,
fail a hanging file without stopping the batch."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from reportparse import load

from reportparse.run import batch
from reportparse.run import onefile
from reportparse.run import files

from reportparse.store import write
from reportparse.store import layout
from conftest import ROOT, SAMPLES

TEXT_PDFS = [SAMPLES / "seed-panyu-2023.pdf", SAMPLES / "wenlv-2024.pdf", SAMPLES / "weijian-project-2023.pdf",
             SAMPLES / "damaged" / "wenlv-2024-damaged.pdf"]


def corpus(tmp_path, copies=3):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(copies):
        for p in TEXT_PDFS:
            # one changed byte in the metadata gives each copy its own content hash
            data = p.read_bytes().replace(b"reportparse samples", f"reportparse copy {i:02d}".encode()[:19], 1)
            (d / f"{i}-{p.name}").write_bytes(data)
    return d


def tables(out):
    t = load(out)
    res = {}
    for k, v in t.items():
        v = v.drop(columns=[c for c in ("source", "paths", "path_bytes") if c in v])  # the two runs read the same files by one path
        res[k] = v.sort_values(list(v.columns)).reset_index(drop=True)
    return res


def test_second_run_changes_nothing_and_parses_nothing(tmp_path):
    src, out = corpus(tmp_path, 1), tmp_path / "out"
    s1 = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=2, progress=False)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")}
    s2 = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=2, progress=False)
    assert s1.parsed == 4 and s2.parsed == 0 and s2.skipped == 4
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet")} == before


def test_changed_file_replaces_its_rows(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    target = src / "report.pdf"
    shutil.copy(SAMPLES / "wenlv-2024.pdf", target)
    batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    shutil.copy(SAMPLES / "weijian-project-2023.pdf", target)
    s = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    docs = load(out)["documents"]
    assert s.parsed == 1 and len(docs) == 1 and docs.organization[0] == "广州市白云区卫生健康局"
    assert set(load(out)["measures"].doc_id) == {docs.doc_id[0]}


def test_sigkill_then_rerun_equals_uninterrupted_run(tmp_path):
    src = corpus(tmp_path, 3)
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    batch.ingest([str(src)], str(clean), {"ocr": False}, jobs=2, progress=False)
    cmd = [sys.executable, "-m", "reportparse", "ingest", str(src), "--out", str(killed), "--jobs", "2", "--no-ocr", "--quiet"]
    p = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and len(layout.committed(killed)) < 3:
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGKILL)  # the parent and its workers, mid-run
    p.wait()
    mid = load(killed)  # readable and consistent while half done
    assert 0 < len(mid["documents"]) < 12
    assert set(mid["measures"].doc_id) <= set(mid["documents"].doc_id)
    s = batch.ingest([str(src)], str(killed), {"ocr": False}, jobs=2, progress=False)
    assert s.skipped >= len(mid["documents"]) - 2
    a, b = tables(clean), tables(killed)
    for name in write.TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=True)


def test_a_file_over_the_time_limit_fails_alone(tmp_path):
    src, out = corpus(tmp_path, 1), tmp_path / "out"
    s = batch.ingest([str(src)], str(out), {"ocr": False, "timeout": 0.001}, jobs=2, progress=False)
    docs = load(out)["documents"]
    assert len(docs) == 4 and (docs.status == "failed").all()
    assert docs.error.str.contains("超时：0.001 秒内没有一页解析完成").all()
    assert len(s.failures) == 4


def test_folders_are_walked_for_pdfs_in_any_case(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "X.PDF").write_bytes(b"%PDF-1.4")
    (tmp_path / "a" / "notes.txt").write_text("x")
    assert files.collect([str(tmp_path)]) == [str(tmp_path / "a" / "b" / "X.PDF")]
    with pytest.raises(FileNotFoundError):
        files.collect([str(tmp_path / "missing")])


def test_unreadable_file_gets_a_failed_row_and_the_batch_goes_on(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(SAMPLES / "wenlv-2024.pdf", src / "good.pdf")
    (src / "locked.pdf").write_bytes(b"%PDF-1.4")
    os.chmod(src / "locked.pdf", 0)
    if os.access(src / "locked.pdf", os.R_OK):  # root reads anything: use a dangling link instead
        os.remove(src / "locked.pdf")
        os.symlink(src / "missing-target.pdf", src / "locked.pdf")
    s = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    docs = load(out)["documents"].set_index("source")
    assert s.parsed == 2 and docs.loc[str(src / "good.pdf"), "status"] == "ok"
    assert "无法读取该文件" in docs.loc[str(src / "locked.pdf"), "error"]


def _workers_of(pid):
    """Worker processes (multiprocessing spawn children) whose parent is ``pid``."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open(f"/proc/{d}/stat").read()
            cmd = open(f"/proc/{d}/cmdline", "rb").read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmd:
            found.append(int(d))
    return found


def _alive(pid):
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def twelve(tmp_path_factory):
    """Twelve files and their uninterrupted ingest, shared by the kill tests."""
    tmp = tmp_path_factory.mktemp("twelve")
    src = corpus(tmp, 3)
    clean = tmp / "clean"
    batch.ingest([str(src)], str(clean), {"ocr": False}, jobs=2, progress=False)
    return src, clean


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("after", [1, 5, 9])
def test_kill_9_of_the_parent_alone_kills_its_workers_and_the_rerun_equals_an_uninterrupted_run(tmp_path, twelve, after):
    src, clean = twelve
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "reportparse", "ingest", str(src), "--out", str(killed), "--jobs", "2", "--no-ocr", "--quiet"]
    p = subprocess.Popen(cmd, cwd=ROOT)
    deadline = time.time() + 90
    workers = []
    while time.time() < deadline and len(layout.committed(killed)) < after:
        workers = _workers_of(p.pid) or workers
        time.sleep(0.02)
    workers = _workers_of(p.pid) or workers
    assert workers, "no worker seen"
    p.kill()  # SIGKILL to the parent only: nobody closes the workers' pipes politely
    p.wait()
    t0 = time.time()
    while any(_alive(w) for w in workers) and time.time() - t0 < 10:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers), "a worker outlived its parent"
    mid = load(killed)
    assert not mid["documents"].error.fillna("").str.contains("内部错误|超时|退出").any()
    s = batch.ingest([str(src)], str(killed), {"ocr": False}, jobs=2, progress=False)
    assert s.retried == 0 and s.skipped == len(mid["documents"])
    a, b = tables(clean), tables(killed)
    for name in write.TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_gives_a_transient_row_that_the_next_run_redoes(tmp_path):
    src, out = corpus(tmp_path, 1), tmp_path / "out"
    cmd = [sys.executable, "-m", "reportparse", "ingest", str(src), "--out", str(out), "--jobs", "1", "--no-ocr", "--quiet"]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not layout.committed(out):
        time.sleep(0.02)
    victims = _workers_of(p.pid)
    assert victims
    os.kill(victims[0], signal.SIGKILL)
    stdout, _ = p.communicate(timeout=120)
    docs = load(out)["documents"]
    if (docs.status == "failed").any():  # the kill landed while a file was being parsed
        row = docs[docs.status == "failed"].iloc[0]
        assert "被信号 SIGKILL 终止" in row.error and row.failure == "transient" and "None" not in row.error
        assert p.returncode == 1
    s = batch.ingest([str(src)], str(out), {"ocr": False}, jobs=1, progress=False)
    docs = load(out)["documents"]
    assert len(docs) == 4 and (docs.status != "failed").all() and docs.doc_id.is_unique


# --- start-up: what a process imports ---

def _imports_after(code: str) -> set[str]:
    """Top-level modules imported by a fresh interpreter running ``code``."""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    return set(out.split())


def test_refused_import_fails_inside_and_works_after():
    from reportparse._imports import refused
    sys.modules.pop("this", None)
    with refused("this"):
        with pytest.raises(ImportError, match="not imported here"):
            import this  # noqa: F401
    import importlib
    assert importlib.util.find_spec("this") is not None  # the finder is gone again


def test_batch_parent_does_not_import_the_parser():
    mods = _imports_after("from reportparse import cli; from reportparse.run import batch; from reportparse.store import write; cli._parser()")
    assert not {"reportparse.run.pipeline", "reportparse.read.pages", "pdfplumber", "pdfminer", "pandas",
                "pyarrow.dataset"} & mods


def test_worker_pyarrow_skips_pandas_and_jieba_skips_pkg_resources():
    code = ("from reportparse.run import onefile, pipeline; from reportparse.store import write; from reportparse.understand import names as indicators\n"
            "onefile._no_pandas_in_pyarrow()\n"
            "r = pipeline.parse_pdf(%r, {'ocr': False})\n"
            "import tempfile; write.write_report(r, tempfile.mkdtemp())\n"
            "assert indicators.clean('推动年度绩效目标完成率') == '绩效目标完成率'\n") % str(TEXT_PDFS[1])
    mods = _imports_after(code)
    assert "reportparse.run.pipeline" in mods and "jieba" in mods
    assert "pandas" not in mods and "pkg_resources" not in mods
    # pandas still works when asked for explicitly: pyarrow tries the import again then
    mods = _imports_after("from reportparse.run import onefile\nonefile._no_pandas_in_pyarrow()\n"
                          "import pyarrow as pa\nassert len(pa.table({'a': [1, 2]}).to_pandas()) == 2")
    assert "pandas" in mods


def test_worker_setup_imports_the_pdf_reader_before_the_memory_limit():
    """The readers are imported on first use (read/formats.py), but a worker must not pay for
    pdfplumber, PIL and their kin on its first file, under its memory limit."""
    mods = _imports_after("from reportparse.run import onefile\nonefile.worker_setup()")
    assert {"reportparse.read.pages", "pdfplumber", "reportparse.run.pipeline", "pyarrow"} <= mods
