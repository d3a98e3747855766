import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def pytest_configure(config):
    config.addinivalue_line("markers", "ocr: needs an OCR engine (RapidOCR, or the tesseract command with chi_sim)")


# Tests are arranged like the package (tests/read, tests/understand, ...). The ones that run a
# whole batch (worker processes), OCR a page, build a wheel or ingest samples/ are `slow`, so
# a stage's own tests run in seconds: `pytest -m "not slow" tests/understand`.
SLOW_FOLDERS = {"run"}
SLOW_FILES = {"test_cli.py", "test_review.py", "test_golden.py"}
SLOW_MARKS = {"ocr", "wheel", "notebook"}
SLOW_FIXTURES = {"samples_out", "dask_cluster"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath))
        if (path.parent.name in SLOW_FOLDERS or path.name in SLOW_FILES
                or SLOW_MARKS & {m.name for m in item.iter_markers()}
                or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.slow)


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
