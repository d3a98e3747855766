"""The review site shows document text as text: markup in a title, an item, a check message or
a figure's label is escaped, never run (README, "What it promises"). Built from a report made
here; no browser needed."""
from __future__ import annotations

import json
import re

from reportparse import parse_text, review
from reportparse.model import Check
from reportparse.store import write

IMG = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>alert(2)</script>"
BREAKOUT = "<!--<script>"  # in a script block this would swallow the page's own closing tag


def _hostile_out(tmp_path):
    r = parse_text("\n".join(["某县某局2024年度部门整体支出绩效自评报告", "一、部门基本情况",
                              f"本局负责全县某项示例工作{IMG}{SCRIPT}。", "二、存在的问题",
                              f"（一）资金拨付偏慢{SCRIPT}。", "三、年度预算",
                              "年初预算100万元，全年支出80万元。"]), source="hostile.pdf")
    r.document.title = f"{IMG}某县某局自评报告{SCRIPT}"
    r.document.organization = f"某县某局{SCRIPT}{IMG}"
    for a in r.amounts:
        a.label = f"{BREAKOUT}{IMG}"
    r.checks.append(Check("score_sum", "fail", 1, f"得分合计不符{IMG}{SCRIPT}", 100.0, 90.0))
    out = tmp_path / "out"
    write.write_report(r, out)
    return out, r


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, flags=re.S)


def test_markup_in_document_text_is_escaped_everywhere(tmp_path, monkeypatch):
    out, r = _hostile_out(tmp_path)
    assert r.amounts and any(it.kind == "problem" for it in r.items)
    # a page image for every page, as if the PDF were there, so figure labels reach the viewer's data
    monkeypatch.setattr(review.Renderer, "page", lambda self, n: (f"p{n}.png", 600.0, 800.0))
    dest = tmp_path / "site"
    review.build(out, dest)
    pages = [dest / "index.html", *sorted((dest / "docs").glob("*.html"))]
    assert len(pages) == 2
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert "<img src=x" not in html and "<script>alert" not in html and "<!--" not in html
        assert len(_scripts(html)) == 1  # the site's own, and nothing closed or opened it early
    doc = pages[1].read_text(encoding="utf-8")
    assert html_escaped(SCRIPT) in doc and html_escaped(IMG) in doc
    assert "得分合计不符" in doc and "资金拨付偏慢" in doc
    data = _scripts(doc)[0]
    figs = json.loads(data[len("const FIGS="):data.index(";" + review.VIEW_JS)])
    assert any(f["label"] == f"{BREAKOUT}{IMG}" for f in figs)  # the label survives as data


def html_escaped(s: str) -> str:
    import html
    return html.escape(s)
