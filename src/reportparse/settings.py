"""Settings for extraction and ingestion, validated once, like pdfplumber's TableSettings."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Settings:
    ocr: bool = True                 # OCR image-only and garbled pages when tesseract exists
    ocr_lang: str = "chi_sim"
    ocr_dpi: int = 300
    tesseract: str | None = None     # path; None = look it up on PATH
    min_page_chars: int = 20         # fewer text chars than this on a page with an image -> OCR
    garbled_ratio: float = 0.3       # share of (cid:N)/private-use chars that makes a page garbage
    dedupe_tolerance: float = 1.0    # pt; overprinted fake-bold copies closer than this are one char
    band: float = 0.1                # top/bottom share of a page where running headers/footers live
    timeout: float = 120.0           # seconds a file may go without finishing a page (batch)
    ocr_threads: int = 1             # OMP_THREAD_LIMIT for tesseract (0 = its default). One thread
                                     # is ~4x faster here: its OpenMP costs more than it gives
    password: str = ""
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
        if self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if self.ocr_threads < 0:
            raise ValueError("ocr_threads must be >= 0")
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
