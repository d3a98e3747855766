"""Build hook: the wheel carries the top-level ``patterns/`` as ``reportparse/patterns``.

Patterns stay at the top of the repository, where people edit them (and editable installs
read them there); a built package has no repository around it, so ``build_py`` copies them
into the package, where ``patterns.patterns_dir`` looks first.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PATTERNS = Path(__file__).resolve().parent / "patterns"


class BuildWithPatterns(build_py):
    def run(self) -> None:
        super().run()
        if not PATTERNS.is_dir():  # building from an sdist that already moved them into the package
            return
        dst = Path(self.build_lib) / "reportparse" / "patterns"
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted(PATTERNS.iterdir()):
            if f.is_file() and f.suffix in (".json", ".txt"):
                shutil.copy2(f, dst / f.name)


setup(cmdclass={"build_py": BuildWithPatterns})
