"""Build the sample PDFs in samples/ from the text sources in samples/src/.

Every kind of damage real archives show is reproduced on purpose, from the same text, so
each repair has a sample and a test: Kangxi radicals, fake bold (headings drawn twice
0.3 pt apart), letter-spaced titles, a diagonal watermark, running headers and GB/T 9704
page numbers, image-only (scanned) pages, encryption, and files that are not PDFs.

    python samples/build.py            # rebuild everything into samples/

Scanned twins (``TWINS``, samples/scanned/*-scan.pdf): every text sample with a golden is
also scanned the way clerks' scanners leave archives (turned -2..+2°, grey paper noise, blur
on five, JPEG q50-75, 150/200/300 dpi, a red seal over the 自评表 figures; the table beside
``TWINS`` says which twin gets what and why), and tests/ocr/test_scanned_twins.py asserts each
reads like its original. Dense CJK text costs ~230 KB a page as a 150 dpi JPEG even without
noise, so the long prose reports are 150 dpi and the twins take 9.8 MB in all.

Source markup, one paragraph per line: ``# title``, ``## heading``, ``@left text``,
``| a | b |`` table rows (first row is the header, repeated on a new page), plain lines
are body paragraphs with a first-line indent.
"""
from __future__ import annotations

import argparse
import io
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.lib.enums import TA_CENTER

HERE = Path(__file__).resolve().parent
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
# The built-in CID font maps text through GB1 CIDs, which turns a Kangxi radical back into
# an ideograph; an embedded TrueType font keeps the code points, as WPS/Word exports do.
TTF_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"  # Debian package fonts-wqy-zenhei
KANGXI = {"工": "⼯", "一": "⼀", "方": "⽅", "行": "⾏", "长": "⾧", "人": "⼈", "大": "⼤", "目": "⽬", "用": "⽤", "小": "⼩"}



def styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=26, firstLineIndent=28, wordWrap="CJK")
    return {"body": body, "head": ParagraphStyle("head", parent=body, firstLineIndent=28),
            "left": ParagraphStyle("left", parent=body, firstLineIndent=0),
            "title": ParagraphStyle("title", fontName=font, fontSize=20, leading=32, alignment=TA_CENTER, wordWrap="CJK"),
            "cell": ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=12, wordWrap="CJK")}


def font_for(damage: set[str]) -> str:
    if "kangxi" not in damage:
        return FONT
    if "WQY" not in pdfmetrics.getRegisteredFontNames():
        if not Path(TTF_PATH).exists():
            raise SystemExit(f"the kangxi damage needs {TTF_PATH}: apt-get install fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont("WQY", TTF_PATH, subfontIndex=0))
    return "WQY"


class Drawn(Flowable):
    """A line drawn by hand: letter-spaced (Tc) and/or overprinted for fake bold."""

    def __init__(self, text: str, size: float, char_space: float = 0.0, bold_twice: bool = False,
                 indent: float = 0.0, center: bool = False, font: str = FONT):
        super().__init__()
        self.font = font
        self.text, self.size, self.cs, self.twice, self.indent, self.center = text, size, char_space, bold_twice, indent, center

    def wrap(self, aw, ah):
        self.aw = aw
        return aw, self.size * 1.9

    def draw(self):
        width = pdfmetrics.stringWidth(self.text, self.font, self.size) + self.cs * len(self.text)
        x = (self.aw - width) / 2 if self.center else self.indent
        for dx in ((0.0, 0.3) if self.twice else (0.0,)):
            t = self.canv.beginText(x + dx, self.size * 0.5)
            t.setFont(self.font, self.size)
            t.setCharSpace(self.cs)
            t.textOut(self.text)
            t.setCharSpace(0)  # Tc leaks across BT/ET otherwise
            self.canv.drawText(t)


def parse(src: Path) -> list[tuple[str, object]]:
    """The markup of samples/src/*.txt: # title, ## heading, @left, | table |, body (build_office.py reads it too)."""
    blocks: list[tuple[str, object]] = []
    for line in src.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("|"):
            row = [c.strip() for c in line.strip().strip("|").split("|")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(row)
            else:
                blocks.append(("table", [row]))
        elif line.startswith("# "):
            blocks.append(("title", line[2:].strip()))
        elif line.startswith("## "):
            blocks.append(("head", line[3:].strip()))
        elif line.startswith("@left "):
            blocks.append(("left", line[6:].strip()))
        else:
            blocks.append(("body", line.strip()))
    return blocks


def story(blocks, damage: set[str]):
    out = []
    font = font_for(damage)
    st = styles(font)
    kx = (lambda s: "".join(KANGXI.get(c, c) for c in s)) if "kangxi" in damage else (lambda s: s)
    for kind, val in blocks:
        if kind == "title":
            if "letterspace" in damage:
                text = kx(val)
                for i in range(0, len(text), 12):
                    out.append(Drawn(text[i:i + 12], 18, char_space=8, bold_twice="fakebold" in damage, center=True, font=font))
            else:
                out.append(Paragraph(kx(val), st["title"]))
            out.append(Spacer(1, 8))
        elif kind == "head":
            if "fakebold" in damage:
                out.append(Drawn(kx(val), 14, bold_twice=True, indent=28, font=font))
            else:
                out.append(Paragraph(kx(val), st["head"]))
        elif kind == "left":
            out.append(Paragraph(kx(val), st["left"]))
        elif kind == "body":
            out.append(Paragraph(kx(val), st["body"]))
        elif kind == "table":
            rows = [[Paragraph(kx(c), st["cell"]) for c in r] for r in val]
            widths = [58, 64, 120, 70, 70, 40, 40, 58] if len(val[0]) > 7 else [58, 64, 120, 70, 70, 40, 40]
            t = Table(rows, repeatRows=1, colWidths=widths[:len(val[0])])
            rules = [] if "unruled" in damage else [("GRID", (0, 0), (-1, -1), 0.6, Color(0, 0, 0))]
            t.setStyle(TableStyle(rules + [("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            out.append(t)
    return out


def page_furniture(damage: set[str], header: str):
    def on_page(c: rl_canvas.Canvas, doc):
        w, h = A4
        n = c.getPageNumber()
        c.saveState()
        if "header" in damage:
            c.setFont(FONT, 9)
            c.drawCentredString(w / 2, h - 12 * mm, header)
        if "pagenum" in damage:
            c.setFont(FONT, 12)
            label = f"— {n} —"
            (c.drawRightString(w - 25 * mm, 12 * mm, label) if n % 2 else c.drawString(25 * mm, 12 * mm, label))
        if "watermark" in damage:
            c.setFillColor(Color(0.6, 0.6, 0.6))
            c.setFont(FONT, 56)
            c.translate(w / 2, h / 2)
            c.rotate(35)
            c.drawCentredString(0, 0, "内部资料 注意保存")
        c.restoreState()
    return on_page


def build_pdf(src: Path, damage: set[str] = frozenset()) -> bytes:
    """The PDF of one source text with the given damage kinds. ``cid`` writes the fonts'
    CIDSystemInfo through reportlab's RC4 encryption, which pdfminer cannot decode: every
    character then extracts as (cid:N), the garbled-text-layer case that needs OCR."""
    blocks = parse(src)
    title = next((v for k, v in blocks if k == "title"), src.stem)
    buf = io.BytesIO()
    enc = None
    if "cid" in damage:
        from reportlab.lib.pdfencrypt import StandardEncryption
        enc = StandardEncryption("", ownerPassword="owner-secret")
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=28 * mm, topMargin=30 * mm,
                            bottomMargin=28 * mm, title=title, author="reportparse samples", encrypt=enc,
                            rotation=90 if "turned" in damage else 0,  # shown turned; text upright in the file
                            invariant=1)
    fn = page_furniture(set(damage), title)
    doc.build(story(blocks, set(damage)), onFirstPage=fn, onLaterPages=fn)
    return buf.getvalue()


def landscape_table(src: Path) -> bytes:
    """A report whose 自评表 page is landscape the way some exporters make it: a portrait page
    shown with /Rotate 90, its text and table drawn turned by 90 degrees (characters not
    upright in the PDF's own coordinates)."""
    blocks = parse(src)
    st = styles(FONT)
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, invariant=1)
    w, h = A4
    frame_w = w - 56 * mm
    y = h - 30 * mm
    for kind, val in blocks:  # page 1: the text before the table, upright
        if kind == "table":
            break
        para = Paragraph(val, st["title"] if kind == "title" else st["body"])
        _, ph = para.wrap(frame_w, h)
        y -= ph
        para.drawOn(c, 28 * mm, y)
    c.showPage()
    rows = next(v for k, v in blocks if k == "table")
    table = Table([[Paragraph(x, st["cell"]) for x in r] for r in rows], colWidths=[70, 80, 170, 95, 95, 50, 50])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, Color(0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    tw, th = table.wrap(h - 40 * mm, w)
    c.setPageRotation(90)
    c.saveState()
    c.translate(w, 0)
    c.rotate(90)  # x now runs up the portrait page, y to its left: a landscape frame
    table.drawOn(c, 20 * mm, w - 25 * mm - th)
    c.restoreState()
    c.showPage()
    c.save()
    return buf.getvalue()


def encrypt(pdf_bytes: bytes, user: str, owner: str) -> bytes:
    """AES-256 with qpdf (Debian package qpdf): reportlab's own encryption leaves the CID
    font's CIDSystemInfo strings in a form pdfminer cannot read, which is a different damage."""
    import shutil
    import subprocess
    import tempfile
    if not shutil.which("qpdf"):
        raise SystemExit("encrypted samples need qpdf: apt-get install qpdf")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(pdf_bytes)
        subprocess.run(["qpdf", "--encrypt", user, owner, "256", "--", str(src), str(dst)], check=True)
        return dst.read_bytes()


def scanner(img, turn: float = 0.0, noise: float = 0.0, jpeg: int | None = None, seal: tuple[float, float] | None = None,
            seed: int = 0, blur: float = 0.0):
    """A page image as a clerk's scanner and stamp leave it: a red seal (公章: ring, star and
    arc of text-like strokes, 4 cm across) stamped with its centre at ``seal`` (fractions of
    the width and height) over whatever is there, the sheet turned ``turn`` degrees on the
    glass (counter-clockwise positive), the optics' ``blur`` (Gaussian radius in pixels), grey
    paper with Gaussian ``noise`` (standard deviation in grey levels), and JPEG compression at
    quality ``jpeg``. Returns a PIL image (RGB when sealed, else grey)."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter
    rng = np.random.default_rng(seed)
    img = img.convert("RGB") if seal else img.convert("L")
    if seal:
        stamp = Image.new("L", img.size, 0)  # how much red ink, 0..255
        d = ImageDraw.Draw(stamp)
        r = int(img.width * 40 / 210 / 2)  # 4 cm across on an A4 page
        cx, cy = int(seal[0] * img.width), int(seal[1] * img.height)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=230, width=max(3, r // 14))
        star = [(cx + r * 0.28 * np.cos(np.pi / 2 + k * 4 * np.pi / 5), cy - r * 0.28 * np.sin(np.pi / 2 + k * 4 * np.pi / 5))
                for k in range(5)]
        d.polygon(star, fill=200)
        for k in range(12):  # the arc of the unit's name, as short strokes
            a = np.pi * (0.15 + 0.7 * k / 11)
            x, y = cx - r * 0.75 * np.cos(a), cy - r * 0.75 * np.sin(a)
            d.rectangle((x - r * 0.06, y - r * 0.06, x + r * 0.06, y + r * 0.06), fill=180)
        ink = np.asarray(stamp, dtype=np.float32)[..., None] / 255
        red = np.array([205, 30, 40], dtype=np.float32)
        # ink multiplies what is under it (print stays dark, paper turns red)
        rgb = np.asarray(img, dtype=np.float32)
        img = Image.fromarray(np.clip(rgb * (1 - ink) + np.minimum(rgb, red) * ink, 0, 255).astype(np.uint8))
    if turn:
        fill = (255, 255, 255) if img.mode == "RGB" else 255
        img = img.rotate(turn, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        a = np.asarray(img, dtype=np.float32) * 0.96  # grey paper
        grain = rng.normal(0, noise, a.shape[:2]).astype(np.float32)
        a = a + (grain[..., None] if a.ndim == 3 else grain)
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if jpeg:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=jpeg)
        img = Image.open(io.BytesIO(buf.getvalue()))
        img.load()
    return img


def scan(pdf_bytes: bytes, dpi: int = 150, pages: int | None = None, header: str | None = None,
         first: int = 0, seals: dict[int, tuple[float, float]] | None = None, seed: int = 0, **damage) -> bytes:
    """Image-only copy of a PDF: every page (from ``first``) rendered and placed as a picture,
    no text layer; ``damage`` (turn, noise, blur, jpeg, seal) goes to ``scanner``, ``seals``
    stamps a seal on the pages it names only (page index: centre). A JPEG-compressed page is
    embedded as the JPEG itself (as scanners write it), so a page costs ~100-300 KB, not the
    megabytes its decoded noise would take as PNG. A landscape page stays landscape."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    src = pdfium.PdfDocument(pdf_bytes)
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, invariant=1)
    for i in range(first, len(src) if pages is None else min(first + pages, len(src))):
        img = src[i].render(scale=dpi / 72).to_pil().convert("L")
        size = A4 if img.height >= img.width else (A4[1], A4[0])
        stamp = dict(damage, seal=(seals or {}).get(i, damage.get("seal")))
        if not stamp["seal"]:
            stamp.pop("seal")
        quality = stamp.pop("jpeg", None)
        if stamp:
            img = scanner(img, seed=seed * 1000 + i, **stamp)
        data = io.BytesIO()
        if quality:  # compressed once, here: the pixels scanner(jpeg=quality) would give
            img.save(data, format="JPEG", quality=quality, optimize=True)
        else:
            img.save(data, format="PNG")
        data.seek(0)
        c.setPageSize(size)
        c.drawImage(ImageReader(data), 0, 0, width=size[0], height=size[1])
        if header:  # a digital line stamped over the scan, as archive systems do
            c.setFont(FONT, 9)
            c.drawString(20 * mm, size[1] - 10 * mm, header)
        c.showPage()
    c.save()
    return buf.getvalue()


SAMPLES = {
    # name: (source, damage)
    "seed-panyu-2023.pdf": ("seed-panyu-2023.txt", set()),
    "wenlv-2024.pdf": ("wenlv-2024.txt", set()),
    "jiaoyu-project-2024.pdf": ("jiaoyu-project-2024.txt", {"pagenum"}),
    "weijian-project-2023.pdf": ("weijian-project-2023.txt", {"header", "pagenum"}),
    "damaged/wenlv-2024-damaged.pdf": ("wenlv-2024.txt", {"kangxi", "fakebold", "letterspace", "watermark", "header", "pagenum"}),
    "damaged/wenlv-2024-cid-garbled.pdf": ("wenlv-2024.txt", {"cid"}),
    "damaged/wenlv-2024-turned.pdf": ("wenlv-2024.txt", {"turned"}),
    "damaged/unruled-table-2022.pdf": ("unruled-table-2022.txt", {"unruled"}),
}


# --- Neighbouring document kinds (issue 9, part B) ---------------------------------------
# An archive of self-evaluations also holds 部门决算, 部门预算 and 绩效目标表. Their covers put
# the unit on one line and the kind on the next; they state budgets and targets, no actuals.
NEIGHBOURS = {
    "neighbours/yunshan-final-accounts-2024.pdf": "yunshan-final-accounts-2024.txt",
    "neighbours/yunshan-budget-2025.pdf": "yunshan-budget-2025.txt",
    "neighbours/yunshan-targets-2025.pdf": "yunshan-targets-2025.txt",
}


def unmapped_headings(src: Path) -> bytes:
    """Headings set in an embedded font whose ToUnicode map is removed, the body in a font
    that reads fine: the headings extract as (cid:N) while the page is mostly good text, as
    in reports whose heading font was embedded without a Unicode map. The map's reference is
    blanked in place (same length), so the file's offsets stay valid."""
    import re
    if "WQYHEAD" not in pdfmetrics.getRegisteredFontNames():
        if not Path(TTF_PATH).exists():
            raise SystemExit(f"the unmapped-headings sample needs {TTF_PATH}: apt-get install fonts-wqy-zenhei")
        pdfmetrics.registerFont(TTFont("WQYHEAD", TTF_PATH, subfontIndex=0))
    head = ParagraphStyle("unmapped-head", parent=styles(FONT)["head"], fontName="WQYHEAD")
    blocks = parse(src)
    flow = []
    for block in blocks:
        flow += [Paragraph(block[1], head)] if block[0] == "head" else story([block], set())
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=28 * mm, topMargin=30 * mm,
                      bottomMargin=28 * mm, title=next((v for k, v in blocks if k == "title"), src.stem),
                      author="reportparse samples", invariant=1).build(flow)
    return re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group()), buf.getvalue())


def build_neighbours(out: Path) -> None:
    for name, src in NEIGHBOURS.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_pdf(HERE / "src" / src))
    (out / "damaged").mkdir(exist_ok=True)
    (out / "damaged" / "wenlv-2024-unmapped-headings.pdf").write_bytes(unmapped_headings(HERE / "src" / "wenlv-2024.txt"))
# --- end of neighbouring document kinds --------------------------------------------------


# --- 自评表 template families -------------------------------------------------------------
# Real 绩效自评表 are spreadsheets or Word tables exported to PDF: ruled cells, merged cells,
# header words wrapped inside narrow cells. A template source (samples/src/tpl-*.txt) is a
# grid, one row a line:
#   | a | b | > | ^ |   a row; ">" merges the cell into the one on its left, "^" into the one
#                       above, "<br/>" wraps inside a cell
#   @cols 60 80 …       column widths (points) of the tables that follow
#   @table              the rows that follow are a new table
#   @pagebreak          the rest goes on the next page
#   # title / @center text / @left text   lines outside the tables

def parse_template(src: Path) -> list[tuple[str, object]]:
    blocks: list[tuple[str, object]] = []
    widths: list[float] = []
    for line in src.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("|"):
            row = [c.strip() for c in line.strip()[1:-1].split("|")]
            if blocks and blocks[-1][0] == "grid":
                blocks[-1][1][1].append(row)
            else:
                blocks.append(("grid", (widths, [row])))
        elif line.startswith("@cols "):
            widths = [float(x) for x in line.split()[1:]]
        elif line.startswith("@table"):
            blocks.append(("gap", None))
        elif line.startswith("@pagebreak"):
            blocks.append(("pagebreak", None))
        elif line.startswith("# "):
            blocks.append(("title", line[2:].strip()))
        elif line.startswith("@center "):
            blocks.append(("center", line[8:].strip()))
        elif line.startswith("@left "):
            blocks.append(("left", line[6:].strip()))
    return blocks


def grid_table(widths: list[float], rows: list[list[str]], cell: ParagraphStyle) -> Table:
    """A ruled table whose ">" / "^" cells are merged into their left / upper neighbour, as
    a spreadsheet's merged ranges print."""
    spans, data = [], []
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        out = []
        for c, text in enumerate(row):
            if text == ">":
                owner[(r, c)] = owner.get((r, c - 1), (r, c - 1))
                out.append("")
            elif text == "^":
                owner[(r, c)] = owner.get((r - 1, c), (r - 1, c))
                out.append("")
            else:
                out.append(Paragraph(text, cell))
        data.append(out)
    extent: dict[tuple[int, int], tuple[int, int]] = {}
    for (r, c), o in owner.items():
        er, ec = extent.get(o, o)
        extent[o] = (max(er, r), max(ec, c))
    for (r0, c0), (r1, c1) in extent.items():
        spans.append(("SPAN", (c0, r0), (c1, r1)))
    t = Table(data, colWidths=widths[:len(rows[0])] or None)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, Color(0, 0, 0)), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
                          + spans))
    return t


def template_pdf(src: Path) -> bytes:
    """One template-family 自评表 as its exporter prints it (A4, small cell font)."""
    from reportlab.platypus import PageBreak
    st = styles(FONT)
    cell = ParagraphStyle("tcell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")
    center = ParagraphStyle("tcenter", parent=st["left"], alignment=TA_CENTER)
    blocks = parse_template(src)
    title = next((v for k, v in blocks if k == "title"), src.stem)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title, author="reportparse samples", invariant=1)
    story_: list = []
    for kind, val in blocks:
        if kind == "title":
            story_ += [Paragraph(val, st["title"]), Spacer(1, 4)]
        elif kind == "center":
            story_.append(Paragraph(val, center))
        elif kind == "left":
            story_.append(Paragraph(val, st["left"]))
        elif kind == "grid":
            story_.append(grid_table(val[0], val[1], cell))
        elif kind == "gap":
            story_.append(Spacer(1, 10))
        elif kind == "pagebreak":
            story_.append(PageBreak())
    doc.build(story_)
    return buf.getvalue()


TEMPLATES = {
    # name: source — invented content in the layouts of widespread 自评表 families
    "templates/cq-style-2022.pdf": "tpl-cq-style-2022.txt",
    "templates/mof-style-2024.pdf": "tpl-mof-style-2024.txt",
    "templates/sc-style-2024.pdf": "tpl-sc-style-2024.txt",
    "templates/word-repeat-2023.pdf": "tpl-word-repeat-2023.txt",
}


# Real offices' shapes, invented text: a fund report titled <unit><year>年度<fund>支出绩效自评报告
# whose money is written 资金总额X万元…拨付使用Y万元，执行率Z%, with its 自评表 continued on the
# next page without a repeated header, a target whose unit is on one side only (≥800米 | 850)
# and the template's instruction text left in the 存在问题 cell.
OFFICES = {
    "offices/fund-report-2023.pdf": "office-fund-report-2023.txt",
}


def build_templates(out: Path) -> None:
    for name, src in {**TEMPLATES, **OFFICES}.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template_pdf(HERE / "src" / src))


# --- A small archive for the archive audit (issue 22) ------------------------------------
# Two units of one district (枫桥区园林绿化局, 枫桥区水务局) and one of another district with a
# similar name (柳塘区园林绿化局), 2023-2024, all invented. Planted findings and the near-misses
# that must not fire are listed in tests/archive/test_sample_archive.py.
ARCHIVE = {
    # name: (source, builder) — "report" is build_pdf, "table" is template_pdf
    "archive/fengqiao-garden-2023.pdf": ("archive-fengqiao-garden-2023.txt", "report"),
    "archive/fengqiao-garden-2023-accounts.pdf": ("archive-fengqiao-garden-2023-accounts.txt", "report"),
    "archive/fengqiao-garden-2024.pdf": ("archive-fengqiao-garden-2024.txt", "report"),
    "archive/fengqiao-garden-2024-table.pdf": ("archive-fengqiao-garden-2024-table.txt", "table"),
    "archive/fengqiao-water-2024.pdf": ("archive-fengqiao-water-2024.txt", "report"),
    "archive/liutang-garden-2024.pdf": ("archive-liutang-garden-2024.txt", "report"),
}


def build_archive(out: Path) -> None:
    for name, (src, kind) in ARCHIVE.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template_pdf(HERE / "src" / src) if kind == "table" else build_pdf(HERE / "src" / src))


# --- Scanned twins (issue 21) -----------------------------------------------------------
# Every text sample that has a golden in tests/golden, scanned the way clerks' scanners leave
# archives: each twin must read like its original (tests/ocr/test_scanned_twins.py). The
# damage is spread so that each kind meets several layouts and no two twins are alike:
#   turn     -2.0° .. +2.0°, both signs (the glass; skew.py must find and undo it);
#   noise    grey paper (x0.96) and grain of 3-6 grey levels (mottled paper, sensor noise);
#   blur     0.6-0.8 px on five twins (a worn or fast scanner's optics);
#   jpeg     quality 50-75 (what document scanners default to);
#   dpi      200 mostly; 150 for long prose reports (bulk archive scans) where the 14 pt
#            body stays readable; 300 for one 1-page 自评表 in 8 pt cell type (a careful scan);
#   seal     a red 公章 over the figures of the 自评表 on every table-type page (seal.py must
#            lift it off before OCR);
#   jiaoyu   page 1 is prose, a ruled 自评表, prose: the table inside a prose page.
# Each twin's damage and the reason for it are stated beside it. Seeds are fixed (the twin's own
# number), so a rebuild gives the same pixels.
TWINS = {
    # original (under samples/): (seed, dpi, turn, noise, blur, jpeg, pages sealed) — why
    "seed-panyu-2023.pdf": (1, 150, +0.7, 3, 0, 55, ()),           # 10 prose pages: a bulk 150 dpi archive run
    "wenlv-2024.pdf": (2, 150, -1.2, 4, 0, 60, ()),                # dept report, figures in prose, turned clockwise
    "jiaoyu-project-2024.pdf": (3, 200, +1.3, 5, 0, 50, (0,)),     # ruled 自评表 between paragraphs, sealed, q50
    "weijian-project-2023.pdf": (4, 200, -0.5, 3, 0.7, 60, (0,)),  # table over a page break, blurred, sealed
    "templates/cq-style-2022.pdf": (5, 300, -1.8, 3, 0, 55, (0,)),     # 8 pt cells: the one 300 dpi page
    "templates/mof-style-2024.pdf": (6, 200, +2.0, 4, 0.6, 55, (0,)),  # the steepest turn, blurred
    "templates/sc-style-2024.pdf": (7, 200, -0.8, 6, 0, 50, (0,)),     # the noisiest, lowest quality
    "templates/word-repeat-2023.pdf": (8, 200, +0.4, 3, 0, 70, (0,)),  # header repeated on page 2; small turn
    "offices/fund-report-2023.pdf": (9, 200, -1.5, 3, 0, 55, (1,)),    # 自评表 continued on the next page
    "neighbours/yunshan-budget-2025.pdf": (10, 200, +1.0, 4, 0.8, 65, ()),  # the most blur, on a small table
    "neighbours/yunshan-final-accounts-2024.pdf": (11, 150, -2.0, 5, 0, 60, ()),  # 150 dpi and -2°
    "neighbours/yunshan-targets-2025.pdf": (12, 200, +1.6, 4, 0, 55, (0,)),     # 目标表, sealed
    "archive/fengqiao-garden-2023.pdf": (13, 150, -0.3, 3, 0, 75, ()),          # the best quality, barely turned
    "archive/fengqiao-garden-2023-accounts.pdf": (14, 200, +0.9, 5, 0, 60, ()),  # 决算 cover lines, a plain mid scan
    "archive/fengqiao-garden-2024.pdf": (15, 150, -1.0, 4, 0.6, 60, ()),         # blur at 150 dpi: thinnest strokes
    "archive/fengqiao-garden-2024-table.pdf": (16, 200, +1.4, 5, 0, 55, (0,)),  # two tables on one page, sealed
    "archive/fengqiao-water-2024.pdf": (17, 150, -0.7, 6, 0, 65, ()),           # the noisiest 150 dpi page
    "archive/liutang-garden-2024.pdf": (18, 200, +0.6, 4, 0.6, 70, ()),         # a one-page report, lightly blurred
}


def twin_name(original: str) -> str:
    """scanned/<folder>__<name>-scan.pdf for samples/<folder>/<name>.pdf (scanned/<name>-scan.pdf at the top)."""
    return "scanned/" + original.replace("/", "__").removesuffix(".pdf") + "-scan.pdf"


def seal_spot(pdf_bytes: bytes, page: int) -> tuple[float, float] | None:
    """Where a clerk stamps the 自评表: over the figures (two thirds across, half way down) of
    the page's largest ruled table, as fractions of the page; None when it has no table."""
    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        p = pdf.pages[page]
        boxes = [t.bbox for t in p.find_tables()]
        if not boxes:
            return None
        x0, top, x1, bottom = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        return (x0 + 0.65 * (x1 - x0)) / float(p.width), (top + 0.5 * (bottom - top)) / float(p.height)


def build_twins(out: Path) -> None:
    (out / "scanned").mkdir(parents=True, exist_ok=True)
    for original, (seed, dpi, turn, noise, blur, jpeg, sealed) in TWINS.items():
        pdf = (out / original).read_bytes()
        seals = {i: spot for i in sealed if (spot := seal_spot(pdf, i))}
        (out / twin_name(original)).write_bytes(scan(pdf, dpi=dpi, seed=seed, turn=turn, noise=noise, blur=blur,
                                                     jpeg=jpeg, seals=seals))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE), help="folder to write into (default: samples/)")
    out = Path(ap.parse_args().out)
    for name, (src, damage) in SAMPLES.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_pdf(HERE / "src" / src, damage))
    (out / "damaged" / "rotated-table-2023.pdf").write_bytes(landscape_table(HERE / "src" / "rotated-table-2023.txt"))
    clean = build_pdf(HERE / "src" / "wenlv-2024.txt")
    (out / "scanned").mkdir(exist_ok=True)
    (out / "scanned" / "wenlv-2024-scanned-p1.pdf").write_bytes(scan(clean, dpi=200, pages=1))
    (out / "scanned" / "wenlv-2024-mixed-p1.pdf").write_bytes(
        scan(clean, dpi=200, pages=1, header="档案编号 SD-2025-0137 已归档"))
    (out / "encrypted").mkdir(exist_ok=True)
    for name, user in (("owner-password-only.pdf", ""), ("user-password.pdf", "user-secret")):
        (out / "encrypted" / name).write_bytes(encrypt(clean, user, "owner-secret"))
    (out / "broken").mkdir(exist_ok=True)
    (out / "broken" / "html-saved-as.pdf").write_bytes(
        "<!DOCTYPE html><html><head><title>404</title></head><body>页面不存在</body></html>".encode())
    (out / "broken" / "empty.pdf").write_bytes(b"")
    (out / "broken" / "truncated.pdf").write_bytes(clean[: len(clean) // 3])
    # cut just before the cross-reference table: every object survives, the index does not
    (out / "broken" / "truncated-tail.pdf").write_bytes(clean[: clean.rfind(b"endobj") + len(b"endobj")])
    build_neighbours(out)
    build_templates(out)
    build_archive(out)
    build_twins(out)
    print(f"samples written to {out}")


if __name__ == "__main__":
    main()
