"""An output folder -> a static review site: every figure shown where it stands on its page.

``index.html`` lists the documents (filterable and paged by a little inline script, so a
large archive's index stays light); ``docs/<doc_id>.html`` shows one document, its failed
and warned checks first, each with its page image and the disputed figure boxed, then its
measures, amounts and items, which open their page in a side viewer. Page images are
rendered once with pypdfium2 (``pages/<doc_id>/<n>.png``) and reused on the next run. The
site opens from disk: no server, no network, no external assets.
"""
from __future__ import annotations

import html
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

SCALE = 1.5  # image pixels per PDF point (108 dpi): digits stay legible, a page ~150 KB
FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", ' \
        '"PingFang SC", sans-serif'
PAGE_ROWS = 100  # index rows shown per page


@dataclass
class Summary:
    documents: int
    pages_rendered: int
    pages_reused: int


def _e(v) -> str:
    """HTML-escaped text of a cell; missing values are empty."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    try:
        import pandas as pd
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float):
        return html.escape(f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) >= 1000 else f"{v:g}")
    return html.escape(str(v))


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _box(r) -> tuple[float, float, float, float] | None:
    b = tuple(_num(getattr(r, k, None)) for k in ("x0", "top", "x1", "bottom"))
    return None if any(v is None for v in b) else b  # type: ignore[return-value]


def _source(src: str, out: Path) -> Path | None:
    """The document's PDF: its path as ingested, relative to here or to the output folder."""
    for p in (Path(src), out / src, out.parent / src):
        if p.is_file():
            return p
    return None


class Renderer:
    """Page images of one source PDF, rendered on first use and reused when present."""

    def __init__(self, pdf: Path | None, folder: Path):
        self.pdf, self.folder, self._doc = pdf, folder, None
        self.sizes: dict[int, tuple[float, float]] = {}  # page -> (width, height) in points
        self.rendered = self.reused = 0
        self.turned: set[int] = set()  # pages whose boxes would not match the image

    def page(self, n: int) -> tuple[str, float, float] | None:
        """(image file name, page width, page height in points) or None when it cannot be shown."""
        path = self.folder / f"{n}.png"
        if n not in self.sizes:
            if self._turned(n):
                self.turned.add(n)
            if path.is_file():
                from PIL import Image
                with Image.open(path) as im:
                    self.sizes[n] = (im.width / SCALE, im.height / SCALE)
                self.reused += 1
            else:
                size = self._render(n, path)
                if size is None:
                    return None
                self.sizes[n] = size
                self.rendered += 1
        w, h = self.sizes[n]
        return path.name, w, h

    def _open(self):
        if self._doc is None and self.pdf is not None:
            import pypdfium2 as pdfium
            self._doc = pdfium.PdfDocument(str(self.pdf))
        return self._doc

    def _turned(self, n: int) -> bool:
        """A page turned by /Rotate whose text is drawn turned too (most characters not
        upright): pdfminer places such characters off the rendered page's frame, so their
        boxes are not drawn rather than drawn in the wrong place. A /Rotate page with upright
        text (a landscape table) is drawn: its characters and the image agree."""
        try:
            doc = self._open()
            if doc is None or not 1 <= n <= len(doc) or doc[n - 1].get_rotation() == 0:
                return False
            import pdfplumber
            with pdfplumber.open(str(self.pdf)) as pdf:
                chars = pdf.pages[n - 1].chars
            return sum(not c.get("upright", True) for c in chars) > 0.5 * len(chars)
        except Exception:
            return True  # cannot tell: better no box than a misplaced one

    def _render(self, n: int, path: Path) -> tuple[float, float] | None:
        if self.pdf is None:
            return None
        try:
            doc = self._open()
            if not 1 <= n <= len(doc):
                return None
            img = doc[n - 1].render(scale=SCALE).to_pil()
        except Exception:  # an encrypted or damaged source: the rows are still listed, without image
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        img.save(tmp, format="PNG")
        os.replace(tmp, path)
        return img.width / SCALE, img.height / SCALE

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()


CSS = """
body{font-family:%s;margin:0;color:#1d232a;background:#f6f7f9;font-size:14px}
header{background:#24384f;color:#fff;padding:10px 18px}header h1{font-size:18px;margin:0 0 4px}
header a{color:#cfe0ff}.meta span{margin-right:14px;opacity:.9}
main{padding:12px 18px}table{border-collapse:collapse;background:#fff;width:100%%}
th,td{border-bottom:1px solid #e3e6ea;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f4;position:sticky;top:0}tr.sel td{background:#fff4c2}
.fail,.failed{color:#b3121b;font-weight:bold}.partial{color:#a15c00}.warn{color:#a15c00;font-weight:bold}.pass{color:#2d7a2d}
.split{display:flex;gap:16px;align-items:flex-start}.list{flex:1 1 55%%;min-width:0}
.viewer{flex:1 1 45%%;position:sticky;top:8px;max-height:98vh;overflow:auto}
.pg{position:relative;display:block;margin:6px 0;border:1px solid #c9ced6;background:#fff;line-height:0}
.pg img{width:100%%;display:block}
.hl{position:absolute;border:3px solid rgb(255,0,200);background:rgba(255,0,200,.18);box-sizing:border-box;
    margin:-3px;padding:3px;min-width:6px;min-height:6px}
.card{color:#1d232a;font-weight:normal;background:#fff;border:1px solid #e3e6ea;border-left:5px solid #b3121b;margin:8px 0;padding:8px}
.card.warn{border-left-color:#d08a00;font-weight:normal}.card .pg{max-width:720px}
a.go{cursor:pointer}.nobox{color:#777;font-size:12px}
.controls{margin:8px 0}.controls input,.controls select{font:inherit;padding:3px}
""" % FONTS


def _overlay(box, w: float, h: float) -> str:
    """The highlight: the box in percent of the page, so it scales with the image."""
    x0, top, x1, bottom = box
    return (f'left:{100 * x0 / w:.3f}%;top:{100 * top / h:.3f}%;'
            f'width:{100 * max(x1 - x0, 1) / w:.3f}%;height:{100 * max(bottom - top, 1) / h:.3f}%')


def _doc_page(d, checks, measures, amounts, items, render: Renderer, img_dir: str) -> str:
    name = d.organization if isinstance(d.organization, str) else Path(str(d.source)).name
    figs: list[dict] = []  # what the viewer can show: image, page, box in percent

    def ref(r, label: str) -> str:
        page = _num(getattr(r, "page", None))
        if page is None:
            return '<span class="nobox">no page</span>'
        shown = render.page(int(page))
        if shown is None:
            return f'p.{int(page)} <span class="nobox">(no image)</span>'
        img, w, h = shown
        box = _box(r) if int(page) not in render.turned else None
        figs.append({"img": f"{img_dir}/{img}", "page": int(page), "box": _overlay(box, w, h) if box else None,
                     "label": label})
        note = "" if box else ' <span class="nobox">(not located)</span>'
        return f'<a class="go" data-fig="{len(figs) - 1}" href="#fig-{len(figs) - 1}">p.{int(page)}</a>{note}'

    def inline(r) -> str:
        page = _num(getattr(r, "page", None))
        shown = render.page(int(page)) if page is not None else None
        if shown is None:
            return ""
        img, w, h = shown
        box = _box(r) if int(page) not in render.turned else None
        hl = f'<div class="hl" style="{_overlay(box, w, h)}"></div>' if box else ""
        return f'<div class="pg"><img loading="lazy" src="{img_dir}/{img}" alt="page {int(page)}">{hl}</div>'

    order = {"fail": 0, "warn": 1, "pass": 2}
    attention = sorted((c for c in checks.itertuples(index=False) if c.status != "pass"),
                       key=lambda c: order.get(c.status, 3))
    out = [f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{_e(name)}</title>"
           f"<style>{CSS}</style></head><body><header><h1>{_e(name)}</h1><div class=meta>"
           f'<a href="../index.html">← all documents</a> '
           f"<span>{_e(Path(str(d.source)).name)}</span><span>status <b>{_e(d.status)}</b></span>"
           f"<span>{_e(d.doc_type)}</span><span>year {_e(d.fiscal_year)}</span>"
           f"<span>self score {_e(d.self_score)}</span></div>"
           + (f"<div>{_e(d.error)}</div>" if isinstance(d.error, str) else "") + "</header>"
           '<main class=split><section class=list>']
    out.append(f"<h2>Checks needing attention ({len(attention)})</h2>")
    for i, c in enumerate(attention):
        out.append(f'<div class="card {_e(c.status)}" id="check-{i}"><span class="{_e(c.status)}">'
                   f"{_e(c.status).upper()}</span> <b>{_e(c.check)}</b> — {ref(c, c.check)}<div>{_e(c.message)}</div>"
                   f"{inline(c)}</div>")
    if not attention:
        out.append("<p>None.</p>")
    out.append(f"<h2>Measures ({len(measures)})</h2><table><tr><th>indicator</th><th>target</th><th>actual</th>"
               "<th>unit</th><th>met</th><th>page</th></tr>")
    for m in measures.itertuples(index=False):
        met = "" if _e(m.met) == "" else ("yes" if bool(m.met) else '<span class="fail">no</span>')
        target = f"{_e(m.target_op)} {_e(m.target_value)}" + (f"–{_e(m.target_value_max)}" if _num(m.target_value_max) is not None else "")
        out.append(f"<tr><td>{_e(m.indicator)}</td><td>{target}</td><td>{_e(m.actual_op)} {_e(m.actual_value)}</td>"
                   f"<td>{_e(m.unit)}</td><td>{met}</td><td>{ref(m, str(m.indicator))}</td></tr>")
    out.append(f"</table><h2>Amounts ({len(amounts)})</h2><table><tr><th>label</th><th>as written</th>"
               "<th>amount</th><th>page</th></tr>")
    for a in amounts.itertuples(index=False):
        bad = ' <span class="fail">malformed</span>' if bool(a.malformed) else ""
        out.append(f"<tr><td>{_e(a.label)}</td><td>{_e(a.value)}{_e(a.unit_text)}{bad}</td>"
                   f"<td>{_e(a.amount)} {_e(a.currency)}</td><td>{ref(a, str(a.label or ''))}</td></tr>")
    out.append(f"</table><h2>Problems and improvements ({len(items)})</h2><table><tr><th>kind</th><th>#</th>"
               "<th>text</th><th>page</th></tr>")
    for it in items.itertuples(index=False):
        text = str(it.text)
        out.append(f"<tr><td>{_e(it.kind)}</td><td>{_e(it.ordinal)}</td><td>{_e(text[:160])}{'…' if len(text) > 160 else ''}"
                   f"</td><td>{ref(it, f'{it.kind} {it.ordinal}')}</td></tr>")
    passing = [c for c in checks.itertuples(index=False) if c.status == "pass"]
    out.append(f"</table><details><summary>Passing checks ({len(passing)})</summary><ul>")
    out += [f"<li><b>{_e(c.check)}</b> {ref(c, c.check)} {_e(c.message)}</li>" for c in passing]
    out.append('</ul></details></section><aside class=viewer><div id=cap class=nobox>click a page link to see '
               'the figure on its page</div><div class=pg id=view><img id=vimg alt=""><div class=hl id=vhl '
               'style="display:none"></div></div></aside></main>')
    out.append("<script>const FIGS=" + _script_json(figs) + ";" + VIEW_JS + "</script></body></html>")
    return "".join(out)


def _script_json(data) -> str:
    """JSON to put inside a <script> block: document text (a figure's label) may hold "</script>"
    or "<!--<script>", which would end the block early or make the parser swallow the page's own
    closing tag; with < > & as \\u escapes neither can happen, and the data is the same."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


VIEW_JS = """
function show(i){const f=FIGS[i];if(!f)return;document.getElementById('vimg').src=f.img;
const hl=document.getElementById('vhl');if(f.box){hl.style.cssText=f.box;hl.style.display='block'}else{hl.style.display='none'}
document.getElementById('cap').textContent='p.'+f.page+(f.label?' — '+f.label:'')+(f.box?'':' (figure not located)');
document.querySelectorAll('tr.sel').forEach(r=>r.classList.remove('sel'));
const a=document.querySelector('a[data-fig="'+i+'"]');if(a&&a.closest('tr'))a.closest('tr').classList.add('sel');}
document.addEventListener('click',e=>{const a=e.target.closest('a.go');if(a){e.preventDefault();show(+a.dataset.fig);
history.replaceState(null,'','#fig-'+a.dataset.fig)}});
const m=location.hash.match(/^#fig-(\\d+)$/);show(m?+m[1]:FIGS.findIndex(f=>f.box));
"""


INDEX_JS = """
const rows=[...document.querySelectorAll('#docs tbody tr')];let page=0;const N=%d;
function apply(){const q=document.getElementById('q').value.toLowerCase(),s=document.getElementById('st').value,
f=document.getElementById('failed').checked;const hit=rows.filter(r=>(!q||r.dataset.text.includes(q))&&
(!s||r.dataset.status===s)&&(!f||+r.dataset.failed>0));const pages=Math.max(1,Math.ceil(hit.length/N));
page=Math.min(page,pages-1);rows.forEach(r=>r.style.display='none');hit.slice(page*N,page*N+N).forEach(r=>r.style.display='');
document.getElementById('count').textContent=hit.length+' of '+rows.length+' documents, page '+(page+1)+' of '+pages;}
['q','st','failed'].forEach(id=>document.getElementById(id).addEventListener('input',()=>{page=0;apply()}));
document.getElementById('prev').onclick=()=>{page=Math.max(0,page-1);apply()};
document.getElementById('next').onclick=()=>{page++;apply()};apply();
""" % PAGE_ROWS


def _index(docs, counts: dict[str, dict[str, int]]) -> str:
    out = [f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>reportparse review</title>"
           f"<style>{CSS}</style></head><body><header><h1>reportparse review — {len(docs)} documents</h1></header>"
           "<main><div class=controls><input id=q placeholder='filter: organization, file, type…' size=40> "
           "<select id=st><option value=''>any status</option><option>ok</option><option>partial</option>"
           "<option>failed</option></select> <label><input type=checkbox id=failed> with failed checks</label> "
           "<button id=prev>‹</button> <button id=next>›</button> <span id=count></span></div>"
           "<table id=docs><thead><tr><th>document</th><th>file</th><th>status</th><th>type</th><th>year</th>"
           "<th>self score</th><th>checks failed</th><th>warned</th><th>measures</th><th>amounts</th></tr></thead><tbody>"]
    for d in docs.itertuples(index=False):
        c = counts.get(d.doc_id, {})
        name = d.organization if isinstance(d.organization, str) else ""
        file = Path(str(d.source)).name
        text = " ".join(str(x) for x in (name, file, d.doc_type, d.fiscal_year, d.status, d.title) if isinstance(x, (str, int)))
        failed = c.get("fail", 0)
        out.append(f'<tr data-status="{_e(d.status)}" data-failed="{failed}" data-text="{_e(text.lower())}">'
                   f'<td><a href="docs/{_e(d.doc_id)}.html">{_e(name or file)}</a></td><td>{_e(file)}</td>'
                   f'<td class="{_e(d.status) if d.status != "ok" else "pass"}">{_e(d.status)}</td><td>{_e(d.doc_type)}</td>'
                   f"<td>{_e(d.fiscal_year)}</td><td>{_e(d.self_score)}</td>"
                   f'<td class="{"fail" if failed else ""}">{failed}</td><td>{c.get("warn", 0)}</td>'
                   f'<td>{c.get("measures", 0)}</td><td>{c.get("amounts", 0)}</td></tr>')
    out.append("</tbody></table></main><script>" + INDEX_JS + "</script></body></html>")
    return "".join(out)


def build(out: str | Path, dest: str | Path) -> Summary:
    """Write the review site for the output folder ``out`` into ``dest``; page images
    already in ``dest`` are reused."""
    from reportparse.store.dataset import load
    out, dest = Path(out), Path(dest)
    t = load(out)
    docs = t["documents"].sort_values(["status", "organization", "source"], na_position="last")
    (dest / "docs").mkdir(parents=True, exist_ok=True)
    by_doc = {name: dict(tuple(t[name].groupby("doc_id", sort=False))) for name in ("checks", "measures", "amounts", "items")}
    empty = {name: t[name].iloc[0:0] for name in by_doc}
    counts: dict[str, dict[str, int]] = {}
    rendered = reused = 0
    for d in docs.itertuples(index=False):
        part = {name: by_doc[name].get(d.doc_id, empty[name]) for name in by_doc}
        c = part["checks"].status.value_counts().to_dict()
        counts[d.doc_id] = {"fail": int(c.get("fail", 0)), "warn": int(c.get("warn", 0)),
                            "measures": len(part["measures"]), "amounts": len(part["amounts"])}
        render = Renderer(_source(str(d.source), out), dest / "pages" / d.doc_id)
        try:
            page = _doc_page(d, part["checks"], part["measures"], part["amounts"], part["items"], render,
                             f"../pages/{d.doc_id}")
        finally:
            render.close()
        rendered, reused = rendered + render.rendered, reused + render.reused
        (dest / "docs" / f"{d.doc_id}.html").write_text(page, encoding="utf-8")
    (dest / "index.html").write_text(_index(docs, counts), encoding="utf-8")
    return Summary(len(docs), rendered, reused)
