"""The review site (review.py): built from samples/ output and rendered by headless Chromium."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportparse import review

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of the last run, ignored by git
MAGENTA = (255, 0, 200)  # the highlight's border colour in review.CSS


def _chromium() -> str | None:
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


def _browse(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium with a profile of its own (parallel runs must not share one)."""
    cmd = [_chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(samples_out, tmp_path_factory):
    dest = tmp_path_factory.mktemp("site")
    first = review.build(samples_out, dest)
    return dest, first, samples_out


def _failed_doc(dest: Path) -> Path:
    pages = [p for p in sorted((dest / "docs").glob("*.html")) if 'class="card fail"' in p.read_text(encoding="utf-8")]
    assert pages, "samples/ have failed checks; their documents must show them"
    return pages[0]


def test_site_has_an_index_and_a_page_per_document(site):
    import reportparse
    dest, first, out = site
    docs = reportparse.load(out)["documents"]
    index = (dest / "index.html").read_text(encoding="utf-8")
    assert first.documents == len(docs) and first.pages_rendered > 0
    for doc_id in docs.doc_id:
        assert f'href="docs/{doc_id}.html"' in index
        assert (dest / "docs" / f"{doc_id}.html").is_file()
    assert "Noto Sans CJK SC" in index  # Chinese renders with the CJK font setup.sh installs


def test_failed_check_card_boxes_its_figure_on_a_page_image(site):
    dest, _, _ = site
    html = _failed_doc(dest).read_text(encoding="utf-8")
    card = html[html.index('class="card fail"'):]
    card = card[:card.index("</div></div>") + 12]
    img = re.search(r'<img loading="lazy" src="([^"]+)"', card)
    assert img and (dest / "docs" / img.group(1)).is_file()
    hl = re.search(r'class="hl" style="left:([\d.]+)%;top:([\d.]+)%;width:([\d.]+)%;height:([\d.]+)%"', card)
    assert hl, card
    left, top, width, height = map(float, hl.groups())
    assert 0 <= left < 100 and 0 <= top < 100 and 0 < width < 60 and 0 < height < 20


def test_images_are_reused_on_the_next_build(site):
    dest, first, out = site
    again = review.build(out, dest)
    assert again.pages_rendered == 0 and again.pages_reused == first.pages_rendered


def test_document_whose_source_is_gone_is_still_listed(samples_out, tmp_path):
    import reportparse
    from reportparse.review import _doc_page, Renderer
    t = reportparse.load(samples_out)
    d = next(t["documents"][t["documents"].status == "ok"].itertuples(index=False))
    part = {n: t[n][t[n].doc_id == d.doc_id] for n in ("checks", "measures", "amounts", "items")}
    page = _doc_page(d, part["checks"], part["measures"], part["amounts"], part["items"],
                     Renderer(None, tmp_path / "pages"), "pages")
    assert "(no image)" in page and f"Measures ({len(part['measures'])})" in page


def test_readme_shows_review_help():
    env = dict(os.environ, COLUMNS="100")
    r = subprocess.run([sys.executable, "-m", "reportparse", "review", "--help"], capture_output=True, text=True,
                       env=env, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(_chromium() is None, reason="chromium not installed (apt-get install chromium)")
def test_chromium_renders_the_index_and_a_failed_checks_highlight(site, tmp_path):
    import numpy as np
    from PIL import Image
    dest, first, _ = site
    dom = _browse(tmp_path, (dest / "index.html").as_uri(), "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-500:]
    n = first.documents
    assert f"{n} of {n} documents" in dom.stdout  # the inline script ran over every row
    assert dom.stdout.count('href="docs/') == n

    doc = _failed_doc(dest)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "review-failed-check.png"
    r = _browse(tmp_path, doc.as_uri(), f"--screenshot={shot}", "--window-size=1300,1600",
                "--virtual-time-budget=5000")
    assert r.returncode == 0 and shot.is_file(), r.stderr[-500:]
    print(f"screenshot: {shot}")
    px = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    pink = int(((abs(px[..., 0] - MAGENTA[0]) < 40) & (px[..., 1] < 80) & (abs(px[..., 2] - MAGENTA[2]) < 40)).sum())
    assert pink > 40, "no highlight drawn over the page image"


def _figs(page: Path) -> list[dict]:
    import json
    return json.loads(re.search(r"const FIGS=(\[.*?\]);", page.read_text(encoding="utf-8"), re.S).group(1))


def test_turned_text_gets_no_box_but_a_landscape_table_does(site):
    """/Rotate pages: upright text (a landscape table) agrees with the image and is boxed; text
    drawn turned is placed off the image's frame by pdfminer, so it is shown without a box."""
    import reportparse
    dest, _, out = site
    docs = reportparse.load(out)["documents"]
    by_name = {Path(s).name: i for i, s in zip(docs.doc_id, docs.source)}
    turned = _figs(dest / "docs" / f"{by_name['wenlv-2024-turned.pdf']}.html")
    table = _figs(dest / "docs" / f"{by_name['rotated-table-2023.pdf']}.html")
    assert turned and all(f["box"] is None for f in turned)
    assert [f for f in table if f["page"] == 2] and all(f["box"] for f in table if f["page"] == 2)


def test_review_command_writes_the_site_and_refuses_a_folder_without_output(samples_out, tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "reportparse", "review", *a], capture_output=True,
                                    text=True, cwd=ROOT)
    r = run(str(samples_out), "--out", str(tmp_path / "site"))
    assert r.returncode == 0 and "documents; page images" in r.stdout
    assert (tmp_path / "site" / "index.html").is_file()
    r = run(str(tmp_path / "nothing"), "--out", str(tmp_path / "site2"))
    assert r.returncode == 2 and "请先运行 `reportparse ingest" in r.stderr and r.stderr.startswith("reportparse: ")
    assert not (tmp_path / "site2").exists()
