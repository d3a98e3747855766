"""Outside programs started through ``children.run`` do not outlive what started them: not when
the starter is SIGKILLed (as the batch kills a worker past ``--timeout``), not on a time limit
(whatever the program itself started goes too), and not in a real batch running Tesseract."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLES, has_tesseract
from reportparse import children

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kill on the parent's death is Linux's")


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (a killed orphan may wait for init to reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat.rsplit(b")", 1)[1].split()[0] != b"Z"


def gone_within(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after waiting up to ``seconds`` for them to go."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def pids_in(f: Path, n: int, seconds: float = 20.0) -> list[int]:
    """The ``n`` pids the started program wrote to ``f`` (one a line), once it has written them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if f.exists():
            lines = f.read_text().split()
            if len(lines) >= n:
                return [int(x) for x in lines[:n]]
        time.sleep(0.05)
    raise AssertionError(f"the program did not write {n} pids to {f}")


# a shell that writes its own pid and its background child's, then waits: a program that forks
FORKS = 'echo $$ >> "$1"; sleep 60 & echo $! >> "$1"; wait'


def starter(tmp_path: Path, call: str) -> subprocess.Popen:
    """A Python process that runs ``call`` (through children.run) and would wait a minute for it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = f"import subprocess, sys\nfrom reportparse import children\n{call}\n"
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tmp_path)


# ---------------------------------------------------------------- the normal path

@pytest.mark.parametrize("tree", [False, True])
def test_output_and_exit_code_come_back_as_subprocess_run_gives_them(tree):
    prog = [sys.executable, "-c", "import sys; print('一行'); sys.stderr.write('warn'); sys.exit(3)"]
    r = children.run(prog, timeout=30, text=True, tree=tree)
    assert (r.returncode, r.stdout, r.stderr) == (3, "一行\n", "warn")
    assert r.args == prog  # the program's own arguments, not the keeper's
    b = children.run(["printf", "a\\0b"], timeout=30, tree=tree)
    assert b.stdout == b"a\0b" and b.returncode == 0


def test_the_environment_is_the_one_given():
    r = children.run(["sh", "-c", 'echo "$OMP_THREAD_LIMIT"'], timeout=30, text=True,
                     env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    assert r.stdout == "1\n"


@pytest.mark.parametrize("tree", [False, True])
def test_a_missing_program_raises_file_not_found(tree, tmp_path):
    with pytest.raises(FileNotFoundError):
        children.run([str(tmp_path / "no-such-program")], timeout=5, tree=tree)


# ---------------------------------------------------------------- a time limit

@pytest.mark.parametrize("tree", [False, True])
def test_a_time_limit_kills_the_program_and_what_it_started_before_raising(tmp_path, tree):
    f = tmp_path / "pids"
    t0 = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired) as e:
        children.run(["sh", "-c", FORKS, "sh", str(f)], timeout=1.0, tree=tree)
    assert time.monotonic() - t0 < 10  # the limit, not the program's 60 s
    assert e.value.cmd[0] == "sh" and e.value.timeout == 1.0
    pids = pids_in(f, 2, seconds=1)
    # both gone already when the error came (subprocess.run kills the shell and leaves the sleep)
    assert [p for p in pids if alive(p)] == []


def test_a_time_limit_does_not_remove_the_leftovers_the_caller_still_owns(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    with pytest.raises(subprocess.TimeoutExpired):
        children.run(["sleep", "30"], timeout=0.5, tree=True, leftovers=str(keep))
    assert keep.is_dir()


# ---------------------------------------------------------------- the starter is killed

@linux
def test_a_killed_starter_takes_its_program_along(tmp_path):
    f = tmp_path / "pids"
    p = starter(tmp_path, f"children.run(['sh', '-c', 'echo $$ > {f}; exec sleep 60'], timeout=120)")
    try:
        (pid,) = pids_in(f, 1)
        assert alive(pid)
        p.kill()
        p.wait()
        assert gone_within([pid], 2.0) == []  # subprocess.run leaves it running for its 60 s
    finally:
        p.kill()


@linux
def test_a_killed_starter_takes_the_whole_tree_along_and_removes_the_leftovers(tmp_path):
    f, scratch = tmp_path / "pids", tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "copy-of-the-document").write_text("x")
    p = starter(tmp_path, f"children.run(['sh', '-c', {FORKS!r}, 'sh', {str(f)!r}], timeout=120, tree=True, "
                          f"leftovers={str(scratch)!r})")
    try:
        pids = pids_in(f, 2)
        assert all(alive(x) for x in pids)
        p.kill()
        p.wait()
        assert gone_within(pids, 2.0) == []
        deadline = time.monotonic() + 2
        while scratch.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not scratch.exists()
    finally:
        p.kill()


@linux
def test_a_starter_stopped_by_an_exception_takes_its_program_along(tmp_path):
    """KeyboardInterrupt (or any exception) inside run: the program is killed before it propagates."""
    f = tmp_path / "pids"
    call = (f"try:\n    children.run(['sh', '-c', {FORKS!r}, 'sh', {str(f)!r}], timeout=120)\n"
            f"except KeyboardInterrupt:\n    import time; time.sleep(30)\n")
    p = starter(tmp_path, call)
    try:
        pids = pids_in(f, 2)
        p.send_signal(signal.SIGINT)
        assert gone_within(pids, 2.0) == []  # gone while the starter still lives
        assert p.poll() is None
    finally:
        p.kill()
        p.wait()


# ---------------------------------------------------------------- a real batch

def tesseract_processes(marker: str) -> list[int]:
    """Live tesseract processes whose command line names ``marker`` (the test's own temp folder)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and cmd[0].endswith(b"tesseract") and any(marker.encode() in a for a in cmd) and alive(int(d.name)):
            out.append(int(d.name))
    return out


def four_scans_on_one_page(path: Path) -> None:
    """A scanned page tiled 2×2 onto one sheet: one tesseract call on it takes several seconds
    (about 10 s here), so the batch's 5 s time limit falls while tesseract runs."""
    import pypdfium2 as pdfium
    from PIL import Image
    page = pdfium.PdfDocument(str(SAMPLES / "scanned" / "wenlv-2024-scanned-p1.pdf"))[0]
    img = page.render(scale=150 / 72).to_pil().convert("L")
    big = Image.new("L", (img.width * 2, img.height * 2), 255)
    for x in (0, img.width):
        for y in (0, img.height):
            big.paste(img, (x, y))
    big.save(path, resolution=150)


@linux
@pytest.mark.ocr
@pytest.mark.skipif(not has_tesseract(), reason="tesseract is not installed")
def test_a_worker_killed_by_the_batch_timeout_leaves_no_tesseract_behind(tmp_path, monkeypatch):
    from reportparse import load
    from reportparse.run import batch
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the workers' temp folders and page images, so
    monkeypatch.setenv("TMPDIR", str(scratch))                # the tesseracts naming them are this test's
    src = tmp_path / "in"
    src.mkdir()
    four_scans_on_one_page(src / "scan.pdf")
    seen: set[int] = set()
    done = threading.Event()

    def ingest() -> None:
        try:
            batch.ingest([str(src)], str(tmp_path / "out"), {"ocr_engine": "tesseract", "timeout": 5}, jobs=1,
                         progress=False)
        finally:
            done.set()
    t = threading.Thread(target=ingest)
    t.start()
    while not done.wait(0.05):
        seen.update(tesseract_processes(str(scratch)))
    t.join()
    doc = load(tmp_path / "out")["documents"].iloc[0]
    assert doc.status == "failed" and "超时" in doc.error  # the worker was killed at the limit
    assert seen, "no tesseract was seen running while the batch ran"
    assert gone_within(sorted(seen), 2.0) == []  # subprocess.run left it to finish its page (~8 s more)
    assert tesseract_processes(str(scratch)) == []
    assert list(scratch.rglob("*")) == []  # nor the page image it was reading (the worker's temp folder goes)


def processes_naming(marker: str) -> dict[int, str]:
    """Live processes whose command line names ``marker``, with their command names."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and alive(int(d.name)):
            try:
                if marker.encode() in (d / "cmdline").read_bytes():
                    out[int(d.name)] = (d / "comm").read_text().strip()
            except OSError:
                continue
    return out


@linux
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_worker_killed_while_libreoffice_converts_leaves_no_soffice_and_no_profile_folder(tmp_path):
    """soffice starts soffice.bin, which a kill of soffice alone would leave running; the folder
    holds the profile and a copy of the document."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    doc = tmp_path / "old.rtf"
    doc.write_text(r"{\rtf1\ansi " + r"\par ".join(f"line {i}" for i in range(2000)) + "}")
    env = dict(os.environ, TMPDIR=str(scratch),
               PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = ("import time\nfrom reportparse.read import convert\nfrom reportparse.settings import Settings\n"
            f"with convert.converted({str(doc)!r}, 'docx', Settings()):\n    time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline, seen = time.monotonic() + 60, {}
        while time.monotonic() < deadline and "soffice.bin" not in seen.values():
            seen.update(processes_naming(str(scratch)))
            time.sleep(0.02)
        assert "soffice.bin" in seen.values(), seen
        p.kill()
        p.wait()
        assert gone_within(sorted(seen), 2.0) == [], processes_naming(str(scratch))
        deadline = time.monotonic() + 3
        while any(scratch.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(scratch.iterdir()) == []  # profile and copy of the document removed
    finally:
        p.kill()
        p.wait()


@linux
@pytest.mark.ocr
@pytest.mark.skipif(not __import__("reportparse.ocr.engines", fromlist=["x"]).rapidocr_importable(),
                    reason="rapidocr-onnxruntime not installed")
def test_rapidocr_reads_a_page_without_starting_any_process():
    """PP-OCR through ONNX Runtime runs in the worker's own threads: nothing to outlive it. A
    later version that starts helpers would need children.run's care; this says when."""
    from reportparse import parse_pdf
    me, kids, stop = os.getpid(), set(), threading.Event()

    def children_now() -> set[int]:
        out = set()
        for d in Path("/proc").iterdir():
            try:
                if d.name.isdigit() and int((d / "stat").read_bytes().rsplit(b")", 1)[1].split()[1]) == me:
                    out.add(int(d.name))
            except (OSError, IndexError):
                continue
        return out
    before = children_now()  # earlier tests' helpers (multiprocessing's resource tracker)

    def watch() -> None:
        while not stop.is_set():
            kids.update(children_now() - before)
            time.sleep(0.005)
    t = threading.Thread(target=watch)
    t.start()
    try:
        r = parse_pdf(SAMPLES / "scanned" / "wenlv-2024-scanned-p1.pdf", {"ocr_engine": "rapidocr"})
    finally:
        stop.set()
        t.join()
    assert r.status == "ok" and r.ocr_pages >= 1
    assert kids == set()
