"""Runs of Han characters that our tracked files (patterns, tests, samples, src) share with the
shared corpora's source texts: a rule or test written from a corpus file instead of in our
own wording. Document-type names (部门整体支出绩效自评报告 …) are shared by nature; anything
else listed here should be reworded.

    python scripts/corpus_overlap.py [--min 10] [--corpus ../shared/corpus/real-dev/src]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HAN = re.compile(r"[\u4e00-\u9fff]+")


def shared_runs(text: str, corpus: str, n: int) -> set[str]:
    """Han runs of ``text`` that contain a stretch of ``n`` characters found in ``corpus``."""
    return {run for run in HAN.findall(text) if len(run) >= n
            and any(run[i:i + n] in corpus for i in range(len(run) - n + 1))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min", type=int, default=10, help="shortest shared run of Han characters reported")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real-dev" / "src")
    a = ap.parse_args()
    if not a.corpus.is_dir():
        print(f"{a.corpus}: no such folder (the shared corpora are not here)", file=sys.stderr)
        return 2
    corpus = re.sub(r"\s+", "", "".join(p.read_text(encoding="utf-8", errors="ignore") for p in a.corpus.glob("*.txt")))
    files = subprocess.run(["git", "ls-files", "patterns", "tests", "samples", "src"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        p = ROOT / f
        if p.suffix in (".py", ".json", ".md", ".txt") and (hits := shared_runs(p.read_text(encoding="utf-8"), corpus, a.min)):
            print(f"{f}: {' / '.join(sorted(hits))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
