"""reportparse: Chinese performance self-evaluation reports (绩效自评报告) from PDF to Parquet."""
__version__ = "0.1.0"

from .pipeline import parse_pdf, parse_text  # noqa: E402
from .write import load  # noqa: E402
from .model import Report  # noqa: E402

__all__ = ["parse_pdf", "parse_text", "load", "Report", "__version__"]
