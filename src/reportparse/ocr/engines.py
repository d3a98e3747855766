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
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np
import regex

from reportparse import children
from reportparse.messages import say
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

    def boxes(self, image) -> list[TextBox]:
        """Text boxes as the engine finds them (a line may come in pieces), any order."""
        ...

    def lines(self, image) -> list[TextBox]:
        """Text lines of a page image (PIL, grayscale), top to bottom."""
        ...

    def cell(self, image) -> str:
        """The text of one table cell image, its lines joined."""
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


class RapidEngine:
    """PP-OCRv4 (detection, direction, recognition) through ``rapidocr_onnxruntime``."""
    name = "rapidocr"
    whole_page = True  # its detector stops at table rules: one page pass gives every cell's boxes

    def __init__(self, threads: int = 1, gpu: bool = False) -> None:
        from rapidocr_onnxruntime import RapidOCR
        self.providers = providers(gpu)
        cuda = self.providers[0] == CUDA
        n = threads if threads > 0 else -1
        # max_side_len: the default 2000 shrinks an A4 page at 200 dpi (2339 px) before reading;
        # above ~2500 px the detector's memory grows past 2 GB (a 300-dpi A4 render is 3508 px)
        self._ocr = RapidOCR(intra_op_num_threads=n, inter_op_num_threads=n, max_side_len=2500,
                             det_use_cuda=cuda, cls_use_cuda=cuda, rec_use_cuda=cuda)

    def session_providers(self) -> list[str]:
        """The providers ONNX Runtime really runs the detector on (what a GPU run should check)."""
        return list(self._ocr.text_det.infer.session.get_providers())

    def boxes(self, image) -> list[TextBox]:
        return self._boxes(np.array(image.convert("RGB")))

    def _boxes(self, array: np.ndarray) -> list[TextBox]:
        # no per-line angle classifier: pages reach OCR upright (turned pages are read in their own
        # frame, a scan's small turn is straightened first), and on a straightened scan it judged a
        # bold title upside down, which then read as nothing; it also costs time on every line
        result, _ = self._ocr(array, use_cls=False)
        out = []
        for quad, text, score in result or []:
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            out.append(TextBox(str(text), float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)), float(score)))
        return out

    def lines(self, image) -> list[TextBox]:
        return merge_lines(self._boxes(np.array(image.convert("RGB"))))

    def cell(self, image) -> str:
        # a white margin: the detector misses glyphs that touch the crop's edge
        a = np.array(image.convert("RGB"))
        a = np.pad(a, ((12, 12), (12, 12), (0, 0)), constant_values=255)
        return "".join(line.text for line in merge_lines(self._boxes(a)))


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

    def boxes(self, image) -> list[TextBox]:
        return self.lines(image)

    def lines(self, image) -> list[TextBox]:
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
