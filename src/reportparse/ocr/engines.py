"""The OCR engines behind ``ocr.py``: PP-OCRv4 through RapidOCR (ONNX Runtime) and Tesseract.

Both answer the same two questions — the text lines of a page image, and the text of one
table cell — so ``ocr.py`` does not care which one read the page. Boxes are in the image's
pixels; ``ocr.py`` scales them to PDF points.

Why two: on scanned 绩效自评表 pages PP-OCRv4 reads comparison signs, percent signs and
digit groups that Tesseract's chi_sim model turns into 之 and 0 (see bench/ocr_bench.py),
and it reads place names such as 番禺 that Tesseract does not know. Tesseract stays as the
fallback where the wheel cannot be installed, and for comparison. The RapidOCR wheel ships
its ONNX models inside the package: nothing is downloaded at run time.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import regex

from reportparse import children
from reportparse.messages import say
from reportparse.ocr import signs
from reportparse.ocr.grid import INK
from reportparse.settings import Settings

# OCR engines put spaces between CJK glyphs and before punctuation; only spaces inside
# Latin/digit runs are real
CJK_SPACE = regex.compile(r"(?<=[\p{Han}\p{P}])\s+(?=[\p{Han}\p{P}\d])|(?<=[\p{Han}\p{P}\d])\s+(?=[\p{Han}\p{P}])")

ENGINES = ("auto", "rapidocr", "tesseract")
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


@dataclass
class TextBox:
    """One line of text read from an image, its box in the image's pixels."""
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float = 1.0  # the engine's confidence, 0..1 (Tesseract's line mean)


class Engine(Protocol):
    name: str
    whole_page: bool  # its page boxes are good enough to fill table cells from (one pass per page)

    def boxes(self, image, dpi: int | None = None) -> list[TextBox]:
        """Text boxes as the engine finds them (a line may come in pieces), any order;
        ``dpi`` is the image's resolution, where the engine can use it to work faster."""
        ...

    def lines(self, image, dpi: int | None = None) -> list[TextBox]:
        """Text lines of a page image (PIL, grayscale), top to bottom."""
        ...

    def cell(self, image) -> str:
        """The text of one table cell image, its lines joined."""
        ...

    def upright(self, image, dpi: int | None = None) -> int:
        """Degrees to turn the page clockwise so it reads upright (0 where the engine cannot tell)."""
        ...


def join_words(words: list[TextBox]) -> str:
    """Words of one line, left to right, with the spaces OCR puts between CJK glyphs removed."""
    return CJK_SPACE.sub("", " ".join(w.text.strip() for w in sorted(words, key=lambda w: w.x0))).strip()


def merge_lines(boxes: list[TextBox]) -> list[TextBox]:
    """Boxes that overlap vertically by half the smaller height are one visual line (a
    detector cuts a line at wide gaps; the reflow stage wants whole lines, as Tesseract gives)."""
    rows: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: ((b.top + b.bottom) / 2, b.x0)):
        if rows:
            top, bottom = min(r.top for r in rows[-1]), max(r.bottom for r in rows[-1])
            overlap = min(bottom, b.bottom) - max(top, b.top)
            if overlap >= 0.5 * min(bottom - top, b.bottom - b.top):
                rows[-1].append(b)
                continue
        rows.append([b])
    out = []
    for row in rows:
        text = join_words(row)
        if text:
            out.append(TextBox(text, min(b.x0 for b in row), min(b.top for b in row), max(b.x1 for b in row),
                               max(b.bottom for b in row), min(b.score for b in row)))
    return out


def providers(gpu: bool, available: list[str] | None = None) -> list[str]:
    """ONNX Runtime execution providers, in order: CUDA first only when asked for and present
    (``onnxruntime-gpu`` installed with a usable CUDA), CPU always as the fallback."""
    if available is None:
        import onnxruntime
        available = onnxruntime.get_available_providers()
    return [CUDA, CPU] if gpu and CUDA in available else [CPU]


# Detection finds where text is, not what it says: a line of 10.5 pt text is still 16 px
# high at 110 dpi, well inside what the DB detector finds, and its cost grows with the
# pixels it sees (an A4 page at 200 dpi: 1.8 s; at 110 dpi: 0.35 s). Recognition reads each
# line from the full-resolution image, so no detail is lost where it matters.
DET_DPI = 110
# The recognizer pads every crop to at least this width at 48 px high, as PP-OCR was trained:
# padding short crops less saves time on table pages but loses a last glyph (≤260元 read
# as ≤260 in 6 of 9 crops of one cell, against 2 of 9 padded to 320).
REC_MIN_WIDTH = 320
# Recognition cost grows with the area it reads (a line's width scales with its height). A
# long line of prose is read at 36 px high, 0.6 of the 48 px PP-OCR was trained on: on the
# bench's damaged scans (bench/ocr_bench.py --damage) it read every ≥ ≤ % that 48 px did,
# with a character error rate of 0.029 against 0.030, and prose is most of a scan's cost.
# Short crops — table cells, figures, headings — are read at 48 px: at 36 px the table bench
# (bench/table_bench.py) lost 10 of 182 rows to digits and signs (6,150,000.00 read as
# 6,150,00.00, ≥92% as 92%), and short crops cost little; one read with less than ``SURE``
# confidence is read at 36 px too and the surer reading kept.
REC_HEIGHT = 36
REC_HEIGHT_SHORT = 48
SURE = 0.9  # a short crop read with less confidence than this is read again at the other height
SHORT_LINE = 16  # a crop at most this many times as wide as it is high is short (8 glyphs or so)


class RapidEngine:
    """PP-OCRv4 detection and recognition through ``rapidocr_onnxruntime``, driven here:
    detection on a reduced copy of the page, each box fitted to its line's ink and read from
    the full image (long lines at 36 px, short ones at 48), a cell read alone detected at its
    own size, a lone sign read by its shape, and the page's orientation judged once."""
    name = "rapidocr"
    whole_page = True  # its detector stops at table rules: one page pass gives every cell's boxes

    def __init__(self, threads: int = 1, gpu: bool = False, det_dpi: int | None = None,
                 rec_height: int | None = None) -> None:
        from rapidocr_onnxruntime import RapidOCR
        self.det_dpi = det_dpi or DET_DPI  # 0 or None: the module's settings (a bench varies them)
        self.rec_height = rec_height or REC_HEIGHT
        self.providers = providers(gpu)
        cuda = self.providers[0] == CUDA
        n = threads if threads > 0 else -1
        self._ocr = RapidOCR(intra_op_num_threads=n, inter_op_num_threads=n,
                             det_use_cuda=cuda, cls_use_cuda=cuda, rec_use_cuda=cuda)
        self._det = self._ocr.text_det
        # detect at the size it is given (the page is reduced to DET_DPI here; a cell is read at
        # its own size): RapidOCR's default upscales anything under 736 px on its short side
        self._det.limit_type, self._det.limit_side_len = "max", 8192
        self._rec = self._ocr.text_rec
        self._last: tuple | None = None  # the last page's detection: (image, dpi, quads)

    def session_providers(self) -> list[str]:
        """The providers ONNX Runtime really runs the detector on (what a GPU run should check)."""
        return list(self._det.infer.session.get_providers())

    def boxes(self, image, dpi: int | None = None) -> list[TextBox]:
        """Text boxes of a page image; ``dpi`` (the image's resolution) lets detection run at
        ``DET_DPI`` instead of every pixel."""
        array = np.array(image.convert("RGB"))
        return self._boxes(array, self._factor(dpi), self._detected(image, array, dpi))

    def _factor(self, dpi: int | None) -> float:
        return min(1.0, self.det_dpi / dpi) if dpi else 1.0

    def _detected(self, image, array: np.ndarray, dpi: int | None) -> np.ndarray:
        """The page's text quads in the image's pixels; the last page's are kept, so ``upright``
        and ``boxes`` on the same image detect once."""
        # the image itself is held (not its id, which a later page's image could reuse)
        if self._last is not None and self._last[0] is image and self._last[1] == dpi:
            return self._last[2]
        quads = self._detect(array, self._factor(dpi))
        self._last = (image, dpi, quads)
        return quads

    def _detect(self, array: np.ndarray, factor: float) -> np.ndarray:
        import cv2
        small = array if factor >= 1.0 else cv2.resize(array, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
        quads, _ = self._det(small)
        if quads is None or len(quads) == 0:
            return np.zeros((0, 4, 2), np.float32)
        h, w = array.shape[:2]
        quads = np.asarray(quads, dtype=np.float32) / min(factor, 1.0)
        quads[..., 0] = quads[..., 0].clip(0, w - 1)
        quads[..., 1] = quads[..., 1].clip(0, h - 1)
        return quads

    def upright(self, image, dpi: int | None = None) -> int:
        """Degrees to turn the page clockwise so its text reads upright: 0, 90, 180 or 270.
        A page fed the wrong way round reads as nothing, or as noise; the per-line angle
        classifier is run on a dozen of the page's longest lines only, and only here, not on
        every line of every page. Sideways pages are told by their boxes (most of them
        taller than wide), then classified once turned."""
        array = np.array(image.convert("RGB"))
        quads = self._detected(image, array, dpi)
        if len(quads) < MIN_LINES_TO_TURN:
            return 0
        if tall_share(quads) > 0.6:
            turned = np.ascontiguousarray(np.rot90(array, k=-1))  # a quarter turn clockwise
            again = self._detect(turned, self._factor(dpi))
            if len(again) < MIN_LINES_TO_TURN or tall_share(again) > 0.3:
                return 0  # turned, the lines are no more level: stacked labels, not a sideways page
            return 270 if self._upside_down(turned, again) else 90
        return 180 if self._upside_down(array, quads) else 0

    def _upside_down(self, array: np.ndarray, quads: np.ndarray) -> bool:
        """Most of the page's longest lines read upside down, with the classifier sure of it."""
        if len(quads) < MIN_LINES_TO_TURN:
            return False
        width = quads[:, :, 0].max(axis=1) - quads[:, :, 0].min(axis=1)
        longest = [quads[i] for i in np.argsort(-width)[:12]]
        _, votes, _ = self._ocr.text_cls(self._ocr.get_crop_img_list(array, longest))
        flipped = sum(1 for label, score in votes if "180" in label and score >= 0.9)
        return flipped >= max(MIN_LINES_TO_TURN, 2 * len(votes) / 3)

    def _boxes(self, array: np.ndarray, factor: float = 1.0, quads: np.ndarray | None = None) -> list[TextBox]:
        if quads is None:
            quads = self._detect(array, factor)
        if len(quads) == 0:
            return []
        if factor < 1.0:
            gray = array[..., 0]
            quads = np.stack([fit_to_ink(gray, q) for q in quads])
        quads = self._ocr.sorted_boxes(quads)
        # no per-line angle classifier: pages reach OCR upright (turned pages are read in their own
        # frame, a scan's small turn is straightened first), and on a straightened scan it judged a
        # bold title upside down, which then read as nothing; it also costs time on every line
        read = self._read(self._ocr.get_crop_img_list(array, quads))
        out = []
        for quad, (text, score, *_rest) in zip(quads, read):
            if float(score) >= TEXT_SCORE and str(text).strip():
                xs, ys = quad[:, 0], quad[:, 1]
                out.append(TextBox(str(text), float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()),
                                   float(score)))
        return out

    def _read(self, crops: list[np.ndarray]) -> list[tuple]:
        """Each crop's (text, score, …): long lines at ``rec_height``; short ones at 48 px and,
        where that reading is unsure, again at ``rec_height``, the surer reading kept (one
        resampling reads ≥5公里 as 25公里 where the other reads it right, and the wrong
        reading is the less confident one)."""
        out: list[tuple] = [("", 0.0)] * len(crops)
        short = [i for i, c in enumerate(crops) if c.shape[1] <= SHORT_LINE * c.shape[0]]
        long = [i for i, c in enumerate(crops) if c.shape[1] > SHORT_LINE * c.shape[0]]
        high = max(self.rec_height, REC_HEIGHT_SHORT)
        for i, res in zip(short, self._rec_at(high, [crops[i] for i in short])):
            out[i] = res
        again = [i for i in short if float(out[i][1]) < SURE] if high != self.rec_height else []
        first = set(long)  # read once, at rec_height
        for i, res in zip(again + long, self._rec_at(self.rec_height, [crops[i] for i in again + long])):
            if i in first or float(res[1]) > float(out[i][1]):
                out[i] = res
        return out

    def _rec_at(self, height: int, crops: list[np.ndarray]) -> list[tuple]:
        if not crops:
            return []
        self._rec.rec_image_shape = [3, height, REC_MIN_WIDTH * height // 48]
        return self._rec(crops)[0]

    def lines(self, image, dpi: int | None = None) -> list[TextBox]:
        return merge_lines(self.boxes(image, dpi))

    def cell(self, image) -> str:
        """A table cell's text, read on its own: a lone comparison sign by its shape
        (``signs``); else the cell's lines as the detector finds them at the crop's own
        resolution (RapidOCR's default first upscales a small crop to 736 px, which cost more
        than the whole page's detection); where it finds none — a lone glyph, which it
        passes over — the cell's ink read as one line."""
        gray = without_rules(np.asarray(image.convert("L")))
        sign = signs.lone_sign(gray)
        if sign:  # ≥ alone reads as V, ≤ as Λ or nothing: the shape says which it is
            return sign
        if not (gray < INK).any():
            return ""
        paper = int(np.median(gray))
        padded = np.pad(gray, 12, constant_values=paper)  # the detector misses glyphs touching the edge
        array = np.ascontiguousarray(np.stack([padded] * 3, axis=-1))
        quads = self._detect(array, 1.0)
        if len(quads):
            return "".join(line.text for line in merge_lines(self._boxes(array, 1.0, quads)))
        rows, cols = np.nonzero((padded < INK).any(axis=1))[0], np.nonzero((padded < INK).any(axis=0))[0]
        line = padded[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        # paper around the glyphs, near what the detector's boxes leave (its unclip ratio of
        # 1.6 grows a long box by 0.8 of its height): tight, the recognizer drops a last glyph
        h = line.shape[0]
        line = np.pad(line, ((max(3, round(0.3 * h)),) * 2, (max(6, round(0.7 * h)),) * 2), constant_values=paper)
        (text, score, *_rest), = self._read([np.stack([line] * 3, axis=-1)])
        return CJK_SPACE.sub("", str(text).strip()) if float(score) >= TEXT_SCORE else ""


def fit_to_ink(gray: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """A detected box narrowed, top and bottom, to the ink of its line in the full image.
    Detection on a reduced page returns boxes with wider margins (a 9.5 pt cell's box 52 px
    high at 110 dpi against 32 px at 200 dpi): the recognizer then sees the glyphs smaller
    and drops small signs (≥90% read as 90%). The line is the band of rows holding most
    ink; a box is only ever narrowed, and one that is not level is left as it is."""
    xs, ys = quad[:, 0], quad[:, 1]
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    if abs(float(quad[0, 1] - quad[1, 1])) > 0.2 * (y1 - y0):
        return quad
    ink = (gray[y0:y1, x0:x1] < INK).sum(axis=1)
    rows = np.nonzero(ink >= 2)[0]
    if rows.size == 0:
        return quad
    gap = max(2, round(0.15 * (y1 - y0)))
    bands = np.split(rows, np.nonzero(np.diff(rows) > gap)[0] + 1)
    band = max(bands, key=lambda b: int(ink[b[0]:b[-1] + 1].sum()))
    top, bottom = int(band[0]), int(band[-1]) + 1
    if bottom - top < 0.3 * (y1 - y0):  # a dash or a dot alone: nothing to fit
        return quad
    pad = max(2, round(0.15 * (bottom - top)))
    t, b = max(y0, y0 + top - pad), min(y1, y0 + bottom + pad)
    return np.array([[x0, t], [x1, t], [x1, b], [x0, b]], dtype=np.float32)


def tall_share(quads: np.ndarray) -> float:
    """The share of detected boxes at least 1.5 times as high as wide: most of a page's
    lines, when the sheet lies sideways."""
    w = quads[:, :, 0].max(axis=1) - quads[:, :, 0].min(axis=1)
    h = quads[:, :, 1].max(axis=1) - quads[:, :, 1].min(axis=1)
    return float((h >= 1.5 * w).mean()) if len(quads) else 0.0


MIN_LINES_TO_TURN = 3  # fewer lines than this and a page is read as it is: too little to judge
TEXT_SCORE = 0.5  # RapidOCR's own cut: a line read with less confidence is noise, not text


def without_rules(gray: np.ndarray) -> np.ndarray:
    """A cell image with what is left of its table rules made paper: a row or column that is
    ink across nearly all the cell is a rule caught by the crop (a straightened scan keeps a
    pixel or two of tilt), and it would join every line into one band."""
    ink = gray < INK
    rule_rows = ink.mean(axis=1) > 0.8
    rule_cols = ink.mean(axis=0) > 0.8
    if not rule_rows.any() and not rule_cols.any():
        return gray
    out = gray.copy()
    out[rule_rows, :] = 255
    out[:, rule_cols] = 255
    return out


class TesseractEngine:
    """Tesseract's command line with ``settings.ocr_lang`` (chi_sim): no compiled binding, and
    a hung OCR dies with its subprocess time limit."""
    name = "tesseract"
    whole_page = False  # its page segmentation runs across table rules: cells are read one by one

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _run(self, image, psm: str, tsv: bool) -> str:
        s = self.settings
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "page.png")
            image.save(png)
            args = [s.tesseract_path(), png, "stdout", "-l", s.ocr_lang, "--psm", psm,
                    "-c", "preserve_interword_spaces=1"] + (["tsv"] if tsv else [])
            env = dict(os.environ, OMP_THREAD_LIMIT=str(s.ocr_threads)) if s.ocr_threads else None
            proc = children.run(args, text=True, timeout=max(30.0, s.timeout / 2), env=env)  # dies with this worker
        if proc.returncode != 0:
            raise RuntimeError(say("tesseract_failed", stderr=proc.stderr.strip()[:200] or f"exit code {proc.returncode}"))
        return proc.stdout

    def boxes(self, image, dpi: int | None = None) -> list[TextBox]:
        return self.lines(image)

    def upright(self, image, dpi: int | None = None) -> int:
        return 0  # its orientation model (osd) is not installed with chi_sim

    def lines(self, image, dpi: int | None = None) -> list[TextBox]:
        return lines_from_tsv(self._run(image, "6", True))

    def cell(self, image) -> str:
        crop = image.resize((image.width * 2, image.height * 2))  # small cell text reads better doubled
        return CJK_SPACE.sub("", " ".join(self._run(crop, "6", False).split()))

    def line(self, image) -> str:
        """One text line (a heading's region): raw-line mode, no layout guess."""
        return CJK_SPACE.sub("", " ".join(self._run(image, "13", False).split()))


def lines_from_tsv(tsv: str) -> list[TextBox]:
    """Tesseract's TSV word rows grouped into its lines (block, paragraph, line ids)."""
    groups: dict[tuple[int, int, int], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        groups.setdefault(key, []).append(row)
    out = []
    for words in groups.values():
        boxes = [TextBox(w["text"], int(w["left"]), int(w["top"]), int(w["left"]) + int(w["width"]),
                         int(w["top"]) + int(w["height"]), max(0.0, float(w.get("conf") or 0)) / 100) for w in words]
        out.append(TextBox(join_words(boxes), min(b.x0 for b in boxes), min(b.top for b in boxes),
                           max(b.x1 for b in boxes), max(b.bottom for b in boxes),
                           sum(b.score for b in boxes) / len(boxes)))
    out.sort(key=lambda b: (b.top, b.x0))
    return out


def rapidocr_importable() -> bool:
    """RapidOCR and its native libraries load (opencv needs libGL.so.1)."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except Exception:  # ImportError, or OSError from a missing shared library
        return False
    return True


def choose(settings: Settings) -> str | None:
    """The engine ``settings`` asks for that can run here; None when none can. ``auto``
    prefers RapidOCR, then Tesseract."""
    want = settings.ocr_engine
    if want in ("auto", "rapidocr") and rapidocr_importable():
        return "rapidocr"
    if want in ("auto", "tesseract") and settings.tesseract_path():
        return "tesseract"
    return None


def missing_message(settings: Settings) -> str:
    """What to install when ``choose`` finds nothing."""
    if settings.ocr_engine == "tesseract":
        return say("tesseract_missing")
    if settings.ocr_engine == "rapidocr":
        return say("rapidocr_missing")
    return say("ocr_engine_missing")


@lru_cache(maxsize=4)
def _rapid(threads: int, gpu: bool) -> RapidEngine:
    return RapidEngine(threads, gpu)


def get(settings: Settings) -> Engine:
    """The engine for ``settings``; RapidOCR's sessions are loaded once per process (about
    a second) and reused for every page a worker reads."""
    name = choose(settings)
    if name is None:
        raise RuntimeError(missing_message(settings))
    if name == "rapidocr":
        return _rapid(settings.ocr_threads, settings.ocr_gpu)
    return TesseractEngine(settings)
