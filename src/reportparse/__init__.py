"""reportparse: Chinese performance self-evaluation reports (绩效自评报告) from PDF to Parquet."""
__version__ = "0.1.0"

__all__ = ["parse_pdf", "parse_text", "load", "audit", "Report", "__version__"]

_LAZY = {"parse_pdf": "run.pipeline", "parse_text": "run.pipeline", "load": "store.dataset", "audit": "archive",
         "Report": "model"}


def __getattr__(name: str):
    """The public names, imported on first use (PEP 562): the batch's parent process and
    ``reportparse --help`` do not pay for the parser's imports (PDF libraries, patterns),
    which only the worker processes need."""
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
