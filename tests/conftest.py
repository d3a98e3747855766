import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def pytest_configure(config):
    config.addinivalue_line("markers", "ocr: needs an OCR engine (RapidOCR, or the tesseract command with chi_sim)")


def has_tesseract() -> bool:
    return shutil.which("tesseract") is not None


@pytest.fixture(scope="session")
def samples_out(tmp_path_factory):
    """One ingest of samples/ shared by the golden and CLI tests; OCR off so the goldens do
    not depend on the tesseract build (OCR has its own tests)."""
    from reportparse.run.batch import ingest
    out = tmp_path_factory.mktemp("samples_out")
    ingest([str(SAMPLES)], str(out), {"ocr": False}, jobs=2, progress=False)
    return out
