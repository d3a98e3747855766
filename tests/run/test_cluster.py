"""The same ingest on a Dask cluster: a real two-worker cluster on loopback writes the tables the
local pool writes, skips what is done, and loses nothing when a worker or a parse child is
SIGKILLed mid-file; a file that kills its workers gets a failed row."""
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

from reportparse import load

from reportparse.run import batch

from reportparse.run import cluster

from reportparse.store import write# noqa: E402

TEXT_PDFS = [SAMPLES / "seed-panyu-2023.pdf", SAMPLES / "wenlv-2024.pdf", SAMPLES / "weijian-project-2023.pdf",
             SAMPLES / "damaged" / "wenlv-2024-damaged.pdf"]
OFF = {"ocr": False}


@pytest.fixture(scope="module")
def dask_cluster():
    """Two single-threaded worker processes behind nannies (which restart a killed worker)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.CRITICAL) as c, \
            distributed.Client(c, set_as_default=False) as client:
        yield c, client


def copies(d, n):
    """``n`` copies of the text samples, each with its own content hash."""
    d.mkdir(exist_ok=True)
    for i in range(n):
        for p in TEXT_PDFS:
            data = p.read_bytes().replace(b"reportparse samples", f"reportparse copy {i:02d}".encode()[:19], 1)
            (d / f"{i}-{p.name}").write_bytes(data)
    return d


def long_report(path, pages=30, tag="a"):
    """A report of about ``pages`` pages (~0.1 s a page here): long enough to be killed mid-file."""
    sys.path.insert(0, str(SAMPLES))
    import build
    src = (SAMPLES / "src" / "weijian-project-2023.txt").read_text(encoding="utf-8")
    body = src.split("\n", 2)[2]
    txt = path.with_suffix(".txt")
    txt.write_text(src + f"\n备注{tag}\n" + "\n".join([body] * int(pages / 1.6)),
                   encoding="utf-8")
    path.write_bytes(build.build_pdf(txt))
    txt.unlink()
    return path


def tables(out):
    res = {}
    for k, v in load(out).items():
        v = v.drop(columns=[c for c in ("source",) if c in v])  # the only path-dependent column: the cluster records absolute paths
        res[k] = v.sort_values(list(v.columns)).reset_index(drop=True)
    return res


def assert_same_tables(a, b):
    ta, tb = tables(a), tables(b)
    for name in write.TABLES:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_like=True)


def in_background(fn, *args, **kw):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("summary", fn(*args, **kw)), daemon=True)
    t.start()
    return t, box


def reading(client, path, timeout=90):
    """(worker pid, parse child) once a worker's parse child has ``path`` open: mid-file."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for pid in client.run(os.getpid).values():
            for child in psutil.Process(pid).children():
                try:
                    if any(f.path == str(path) for f in child.open_files()):
                        return pid, child
                except psutil.Error:  # a child that just left
                    pass
        time.sleep(0.1)
    raise AssertionError(f"no parse child opened {path}")


def test_cluster_writes_the_tables_of_the_local_pool_and_skips_what_is_done(dask_cluster, tmp_path):
    c, client = dask_cluster
    src = copies(tmp_path / "in", 1)
    for p in ("empty.pdf", "html-saved-as.pdf", "truncated-tail.pdf"):
        (src / p).write_bytes((SAMPLES / "broken" / p).read_bytes())
    local = batch.ingest([str(src)], str(tmp_path / "local"), OFF, jobs=2, progress=False)
    dist = batch.ingest([str(src)], str(tmp_path / "dist"), OFF, progress=False, scheduler=c.scheduler_address)
    assert (dist.parsed, dist.pages, dist.rows) == (local.parsed, local.pages, local.rows) and dist.parsed == 7
    assert sorted(os.path.basename(p) for p, _ in dist.failures) == ["empty.pdf", "html-saved-as.pdf"]
    assert_same_tables(tmp_path / "local", tmp_path / "dist")
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "dist").rglob("*.parquet")}
    again = batch.ingest([str(src)], str(tmp_path / "dist"), OFF, progress=False, scheduler=client)
    assert again.parsed == 0 and again.skipped == 7
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "dist").rglob("*.parquet")} == before


def test_a_worker_killed_mid_file_costs_nothing(dask_cluster, tmp_path):
    c, client = dask_cluster
    src = copies(tmp_path / "in", 1)
    victim = long_report(src / "0-long-a.pdf", pages=20, tag="a")
    long_report(src / "0-long-b.pdf", pages=20, tag="b")
    batch.ingest([str(src)], str(tmp_path / "local"), OFF, jobs=2, progress=False)
    out = tmp_path / "dist"
    t, box = in_background(batch.ingest, [str(src)], str(out), OFF, progress=False, scheduler=c.scheduler_address)
    pid, child = reading(client, victim)
    os.kill(pid, signal.SIGKILL)
    t.join(180)
    assert not t.is_alive()
    s = box["summary"]
    assert s.parsed == 6 and not s.failures
    assert_same_tables(tmp_path / "local", out)
    # the orphaned child left with its worker instead of committing late
    assert not (child.is_running() and child.status() != psutil.STATUS_ZOMBIE)
    client.wait_for_workers(2, timeout=60)  # the nanny brought a new worker up
    assert pid not in client.run(os.getpid).values()


def test_a_file_that_kills_its_worker_gets_a_failed_row(dask_cluster, tmp_path):
    c, client = dask_cluster
    src = tmp_path / "in"
    src.mkdir()
    victim = long_report(src / "long.pdf")
    allowed = c.scheduler.allowed_failures
    c.scheduler.allowed_failures = 0  # as `distributed.scheduler.allowed-failures: 0`: the first death gives up
    try:
        t, box = in_background(batch.ingest, [str(src)], str(tmp_path / "out"), OFF, progress=False,
                               scheduler=c.scheduler_address)
        pid, _ = reading(client, victim)
        os.kill(pid, signal.SIGKILL)
        t.join(120)
        assert not t.is_alive()
    finally:
        c.scheduler.allowed_failures = allowed
    docs = load(tmp_path / "out")["documents"]
    assert len(docs) == 1 and docs.status[0] == "failed"
    assert docs.error[0].startswith("已放弃：解析该文件的 worker 崩溃了 1 次")
    assert box["summary"].failures and len(load(tmp_path / "out")["sections"]) == 0
    client.wait_for_workers(2, timeout=60)


def test_a_parse_child_killed_mid_file_fails_only_that_file(dask_cluster, tmp_path):
    c, client = dask_cluster
    src = copies(tmp_path / "in", 1)
    victim = long_report(src / "0-long.pdf")
    t, box = in_background(batch.ingest, [str(src)], str(tmp_path / "out"), OFF, progress=False,
                           scheduler=c.scheduler_address)
    _, child = reading(client, victim)
    child.kill()  # as the kernel's OOM killer would
    t.join(120)
    docs = load(tmp_path / "out")["documents"].set_index("source")
    assert len(docs) == 5
    assert docs.loc[str(victim), "status"] == "failed"
    assert "解析进程在读取该文件时退出" in docs.loc[str(victim), "error"]
    assert (docs.drop(index=str(victim)).status == "ok").all()


def test_the_per_page_time_limit_holds_on_the_cluster(dask_cluster, tmp_path):
    c, _ = dask_cluster
    src = copies(tmp_path / "in", 1)
    s = batch.ingest([str(src)], str(tmp_path / "out"), {"ocr": False, "timeout": 0.001}, progress=False,
                     scheduler=c.scheduler_address)
    docs = load(tmp_path / "out")["documents"]
    assert len(docs) == 4 and (docs.status == "failed").all() and len(s.failures) == 4
    assert docs.error.str.contains("超时：0.001 秒内没有一页解析完成").all()


def test_cli_scheduler_option(dask_cluster, tmp_path):
    c, _ = dask_cluster
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportparse", "ingest", str(SAMPLES / "wenlv-2024.pdf"), "--out", str(out),
           "--no-ocr", "--scheduler", c.scheduler_address]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "文件 1 个：解析 1 个，跳过 0 个" in r.stdout and "pages/s" in r.stderr
    assert load(out)["documents"].status.tolist() == ["ok"]


def test_workers_that_cannot_see_the_output_are_refused_before_anything_runs(tmp_path):
    import reportparse
    assert "无法写入" in cluster._check_worker(str(tmp_path / "missing"), None, reportparse.__version__)
    assert "无法读取" in cluster._check_worker(str(tmp_path), str(tmp_path / "x.pdf"), reportparse.__version__)
    assert "请在所有机器上安装同一版本" in cluster._check_worker(str(tmp_path), None, "0.0.0-other")
    assert cluster._check_worker(str(tmp_path), None, reportparse.__version__) is None
    with pytest.raises(cluster.ClusterError, match="原子重命名"):
        cluster.prepare(["x.pdf"], "s3://bucket/out")


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads the child's environment from /proc")
def test_parse_child_drops_dasks_malloc_trim_threshold(monkeypatch):
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 on its workers; under it OCR ran 2.8
    times slower, so the parse child runs with glibc's default (its memory has its own cap)."""
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    child = cluster._Child(0)
    try:
        assert child.ready(120)
        env = dict(kv.split(b"=", 1) for kv in open(f"/proc/{child.proc.pid}/environ", "rb").read().split(b"\0") if kv)
        assert b"MALLOC_TRIM_THRESHOLD_" not in env
        assert env[b"OMP_NUM_THREADS"] == b"1"  # the rest of the worker's environment is kept
    finally:
        child.kill()
