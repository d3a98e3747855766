"""Settings for extraction and ingestion, validated once, like pdfplumber's TableSettings."""
from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Settings:
    ocr: bool = True                 # OCR image-only and garbled pages when an OCR engine exists
    ocr_lang: str = "chi_sim"
    ocr_dpi: int = 300
    tesseract: str | None = None     # path; None = look it up on PATH
    min_page_chars: int = 20         # fewer text chars than this on a page with an image -> OCR
    garbled_ratio: float = 0.3       # share of (cid:N)/private-use chars that makes a page garbage
    dedupe_tolerance: float = 1.0    # pt; overprinted fake-bold copies closer than this are one char
    band: float = 0.1                # top/bottom share of a page where running headers/footers live
    timeout: float = 120.0           # seconds a file may go without finishing a page (batch)
    ocr_threads: int = 1             # threads per OCR call (tesseract's OMP_THREAD_LIMIT, ONNX Runtime's
                                     # for RapidOCR; 0 = their default). One is faster with a worker per
                                     # core: tesseract's OpenMP costs more than it gives
    password: str = ""
    time_limit: float | None = None  # seconds for one whole parse_pdf call (library callers); None = none.
                                     # SIGALRM in the main thread, checked after each page elsewhere
    memory_limit_mb: int = 4096      # address space of one batch worker (RLIMIT_AS); 0 = no limit. ONNX
                                     # Runtime (RapidOCR) reserves more than 2 GB of address space
    max_pixels: int = 100_000_000    # a page rendered for OCR, or an image in it, above this is too large
    max_stream_bytes: int = 64 << 20  # one decompressed PDF stream above this is too large (deflate bombs)
    max_content_bytes: int = 4 << 20  # a page's content streams above this are too large (each drawn
                                      # glyph costs ~150 bytes of parser objects per byte of stream)
    ocr_engine: str = "auto"         # auto (RapidOCR PP-OCRv4 when installed, else Tesseract), rapidocr, tesseract
    ocr_gpu: bool = False            # RapidOCR on onnxruntime's CUDA provider when onnxruntime-gpu has one
    engine: str = "pdfium"           # who reads a page's characters: "pdfium" (fast; pdfplumber
                                     # still reads pages PDFium would read differently) or "pdfplumber"

    def __post_init__(self) -> None:
        if not 72 <= self.ocr_dpi <= 600:
            raise ValueError(f"ocr_dpi must be between 72 and 600, got {self.ocr_dpi}")
        if self.min_page_chars < 0:
            raise ValueError("min_page_chars must be >= 0")
        if not 0 < self.garbled_ratio <= 1:
            raise ValueError("garbled_ratio must be in (0, 1]")
        if not 0 <= self.dedupe_tolerance <= 5:
            raise ValueError("dedupe_tolerance must be in [0, 5] pt")
        if not 0 < self.band < 0.5:
            raise ValueError("band must be in (0, 0.5)")
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"timeout must be a positive finite number of seconds, got {self.timeout!r}")
        if self.time_limit is not None and not (math.isfinite(self.time_limit) and self.time_limit > 0):
            raise ValueError(f"time_limit must be a positive finite number of seconds or None, got {self.time_limit!r}")
        if self.memory_limit_mb != 0 and self.memory_limit_mb < 256:
            raise ValueError(f"memory_limit_mb must be 0 (no limit) or at least 256, got {self.memory_limit_mb}")
        for name in ("max_pixels", "max_stream_bytes", "max_content_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.ocr_threads < 0:
            raise ValueError("ocr_threads must be >= 0")
        if self.ocr_engine not in ("auto", "rapidocr", "tesseract"):
            raise ValueError(f"ocr_engine must be auto, rapidocr or tesseract, got {self.ocr_engine!r}")
        if self.engine not in ("pdfium", "pdfplumber"):
            raise ValueError(f"engine must be 'pdfium' or 'pdfplumber', got {self.engine!r}")

    @classmethod
    def resolve(cls, value: "Settings | dict[str, Any] | None" = None) -> "Settings":
        """Accept Settings, a dict of overrides (unknown keys are errors) or None."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            known = {f.name for f in fields(cls)}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown settings: {sorted(unknown)}")
            return replace(cls(), **value)
        raise TypeError(f"cannot make Settings from {type(value).__name__}")

    def tesseract_path(self) -> str | None:
        if self.tesseract:
            return self.tesseract if os.path.exists(self.tesseract) else None
        return shutil.which("tesseract")
