"""Imports a step does not need, refused where a library would pay for them only to look.

pyarrow imports pandas (0.2 s) the first time it converts a Python list, only to ask whether
the list is a pandas object; jieba imports setuptools' pkg_resources (0.08 s, and a
deprecation warning) only to open its own data files, with a plain ``open`` as its fallback.
Inside ``refused(...)`` importing those names raises ImportError, so the library takes its
fallback; modules already imported are not affected.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Iterator


class _Refuse:
    """A meta-path finder that refuses the named top-level packages."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, name: str, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ImportError(f"{name} is not imported here: reportparse does not need it for this step")
        return None


@contextlib.contextmanager
def refused(*names: str) -> Iterator[None]:
    finder = _Refuse(frozenset(names))
    sys.meta_path.insert(0, finder)  # type: ignore[arg-type]
    try:
        yield
    finally:
        sys.meta_path.remove(finder)  # type: ignore[arg-type]
