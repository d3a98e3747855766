"""How well the figures' boxes point at the figures: the issue-12 acceptance numbers.

    python bench/box_accuracy.py                      # samples/ (and the dev corpus if present)
    python bench/box_accuracy.py OUT                  # an existing output folder

For each output: the share of measures, amounts, items and non-passing checks rows that
have a box, and, for amounts on text pages (pages with a usable text layer), the share whose
box cropped from the source page with pdfplumber gives text containing the figure's digits.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pdfplumber
import regex
import unicodedata

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def _digits(s: str) -> str:
    return regex.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", s))


def _value_digits(v: float) -> str:
    """The digits of a number as written, without trailing decimal zeros (1,350.00 -> 1350)."""
    s = f"{v:.6f}".rstrip("0").rstrip(".")
    return _digits(s)


def _text_page(page) -> bool:
    """A page read from its text layer: enough clean characters and no scan under them (a
    scanned page with a digital stamp line is read by OCR, and its crop has no text)."""
    from reportparse.read.glyphs import garbage_share
    from reportparse.ocr.page import scan_dpi
    chars = page.chars
    return len(chars) >= 20 and garbage_share(chars) < 0.3 and scan_dpi(page) is None


def _crop_text(page, bbox: tuple[float, float, float, float]) -> str:
    """``page.crop(bbox).extract_text()``; on a page turned by /Rotate 90/270 pdfplumber's chars
    are in the displayed frame but crop checks the box against the unturned one, so there
    the chars are filtered by the box directly."""
    if (page.rotation or 0) % 180 == 0:
        x0, top, x1, bottom = bbox
        bbox = (max(0.0, x0), max(0.0, top), min(float(page.width), x1), min(float(page.height), bottom))
        return page.crop(bbox).extract_text() or ""
    inside = [c for c in page.chars if bbox[0] - 0.5 <= (c["x0"] + c["x1"]) / 2 <= bbox[2] + 0.5
              and bbox[1] - 0.5 <= (c["top"] + c["bottom"]) / 2 <= bbox[3] + 0.5]
    return "".join(c["text"] for c in sorted(inside, key=lambda c: (round(c["top"]), c["x0"])))


def _measure_ok(page, r, numbers, canon) -> bool:
    """A measure's box shows its target and its actual as written in its quote (those of
    them that stand on the measure's page: a pair may straddle a page break)."""
    if r.x0 is None or r.x0 != r.x0:
        return False
    flat = canon(_crop_text(page, (r.x0, r.top, r.x1, r.bottom)))
    on_page = canon(page.extract_text() or "")
    qs = numbers.find(str(r.quote), with_bare=True)
    need = []
    for v in (r.target_value, r.actual_value):
        q = next((q for q in qs if v == v and v is not None and abs(float(q.base) - v) <= 1e-9 * max(1.0, abs(v))), None)
        if q is not None and canon(q.number_text) in on_page:
            need.append(canon(q.number_text))
    return bool(need) and all(n in flat for n in need)


def measure(out: str | Path) -> dict[str, float | int]:
    """Coverage of boxes per table and the crop accuracy of amounts on text pages."""
    import reportparse
    from reportparse.understand import numbers
    from reportparse.understand.locate import canon
    t = reportparse.load(out)
    if "format" in t["documents"]:  # boxes are on printed pages: Word, Excel and web pages have none
        pdfs = set(t["documents"].doc_id[t["documents"].format.isna() | (t["documents"].format == "pdf")])
        t = {k: v[v.doc_id.isin(pdfs)] for k, v in t.items()}
    res: dict[str, float | int] = {}
    for name in ("measures", "amounts", "items", "checks"):
        df = t[name]
        if name == "checks":
            df = df[df.status != "pass"]
        res[f"{name}_rows"] = len(df)
        res[f"{name}_boxed"] = round(float(df.x0.notna().mean()), 4) if len(df) else 1.0
    sources = dict(zip(t["documents"].doc_id, t["documents"].source))
    by_doc: dict[str, list] = defaultdict(list)
    for r in t["amounts"].itertuples(index=False):
        by_doc[r.doc_id].append(("amount", r))
    for r in t["measures"].itertuples(index=False):
        by_doc[r.doc_id].append(("measure", r))
    checked = ok = m_checked = m_ok = 0
    misses: list[str] = []
    for doc_id, rows in by_doc.items():
        try:
            pdf = pdfplumber.open(sources[doc_id])
        except Exception:  # an encrypted or broken source: nothing was read from it either
            continue
        with pdf:
            for kind, r in rows:
                page = pdf.pages[int(r.page) - 1] if 0 < int(r.page) <= len(pdf.pages) else None
                if page is None or not _text_page(page):
                    continue
                if kind == "measure":
                    m_checked += 1
                    if _measure_ok(page, r, numbers, canon):
                        m_ok += 1
                    else:
                        misses.append(f"{Path(sources[doc_id]).name} p.{r.page}: measure {r.indicator} "
                                      f"{r.target_value}/{r.actual_value} box {r.x0, r.top, r.x1, r.bottom}")
                    continue
                checked += 1
                if r.x0 is None or r.x0 != r.x0:  # no box counts as a miss
                    misses.append(f"{Path(sources[doc_id]).name} p.{r.page}: {r.value} no box")
                    continue
                text = _crop_text(page, (r.x0, r.top, r.x1, r.bottom))
                bbox = tuple(round(v, 1) for v in (r.x0, r.top, r.x1, r.bottom))
                flat = canon(text)
                if _value_digits(r.value) in _digits(text) or any(  # digits, or a Chinese numeral as written
                        abs(float(q.value) - r.value) < 1e-9 and canon(q.number_text) in flat
                        for q in numbers.find(str(r.quote), with_bare=True)):
                    ok += 1
                else:
                    misses.append(f"{Path(sources[doc_id]).name} p.{r.page}: {r.value} box {bbox} has {text!r}")
    res["amounts_text_pages"] = checked
    res["amounts_crop_ok"] = round(ok / checked, 4) if checked else 1.0
    res["measures_text_pages"] = m_checked
    res["measures_crop_ok"] = round(m_ok / m_checked, 4) if m_checked else 1.0
    res["misses"] = misses  # type: ignore[assignment]
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outs", nargs="*", help="output folders to measure (default: ingest samples/ and the dev corpus)")
    ap.add_argument("--no-ocr", action="store_true")
    ap.add_argument("--show", type=int, default=10, help="misses to print")
    a = ap.parse_args(argv)
    targets = [(o, Path(o)) for o in a.outs]
    tmp = None
    if not targets:
        from reportparse.run.batch import ingest
        tmp = tempfile.TemporaryDirectory()
        for name, src in (("samples", ROOT / "samples"), ("dev", DEV)):
            if src.is_dir():
                out = Path(tmp.name) / name
                ingest([str(src)], str(out), {"ocr": not a.no_ocr}, progress=False)
                targets.append((name, out))
    for name, out in targets:
        r = measure(out)
        misses = r.pop("misses")
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in r.items()))
        for m in misses[:a.show]:  # type: ignore[index]
            print("   miss", m)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
