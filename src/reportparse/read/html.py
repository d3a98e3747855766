"""A saved web page (.html, .htm, and the .xls that is really an HTML table) -> ``Extracted``.

Government sites publish the 自评报告 as the text of the article page. The site around it is
left out by structure, not by wording: scripts, forms, navigation, header, footer and aside
elements and those whose class or id says so (nav, menu, footer, breadcrumb, share, related);
then the article is found by descending from <body> into the child that holds most of the
text that is not link text, as long as one does. A table whose cells are mostly labels ending
in a colon (索引号： 发布日期：) is page metadata and left out; a table holding other tables is
layout and read as blocks; any other <table> is read as a table, colspan and rowspan giving
None in the slots a merged cell covers, as pdfplumber reports them. The page's <h1> or its
<title> (without the site's name) is the title hint when the article's own heading sits
outside it. Nothing is ever fetched: images, scripts and links stay unread addresses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

from reportparse.errors import ExtractError, TooLarge
from reportparse.messages import say
from reportparse.model import Extracted, Line, Table
from reportparse.read.docx import assemble
from reportparse.settings import Settings

VOID = {"br", "img", "meta", "link", "hr", "input", "col", "area", "base", "wbr", "source", "embed", "param", "track"}
DROP = {"script", "style", "noscript", "template", "iframe", "nav", "header", "footer", "aside", "form", "select",
        "button", "head", "svg", "object", "textarea", "title", "map"}
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "blockquote", "pre",
         "dd", "dt", "dl", "center", "main", "address", "figure", "figcaption", "caption", "tr", "table", "tbody",
         "thead", "tfoot", "td", "th", "body", "html", "font-block"}
# class or id words of a site's furniture (structure a page template names, not report wording)
FURNITURE = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|header|topbar|breadcrumb|crumbs?|position|"
                       r"location|share|sidebar|side|related|relate|copyright|toolbar|banner|login|search|pager?|"
                       r"pagination|comment|print|qrcode|ewm)(?:$|[\s_-])", re.I)
CLOSES = {"p": {"p"}, "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "tr": {"tr", "td", "th"},
          "td": {"td", "th"}, "th": {"td", "th"}}
SCOPE = {"table", "tbody", "thead", "tfoot", "ul", "ol", "dl", "div", "body"}
_SPACE = re.compile(r"[\s\u00a0\u3000]+")
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
MIN_HAN = 20  # fewer Han characters than this in the whole page: an error page, not a report


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: "Node | None" = None
    children: list["Node | str"] = field(default_factory=list)


class _Tree(HTMLParser):
    """A forgiving tree: unclosed <p>, <li>, <td> and <tr> close as browsers close them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.cur = self.root

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in CLOSES:
            n = self.cur
            while n is not self.root and n.tag not in SCOPE:
                if n.tag in CLOSES[tag]:
                    self.cur = n.parent or self.root
                    break
                n = n.parent or self.root
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, self.cur))

    def handle_endtag(self, tag: str) -> None:
        n = self.cur
        while n is not self.root:
            if n.tag == tag:
                self.cur = n.parent or self.root
                return
            n = n.parent or self.root

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    m = _CHARSET.search(raw[:4096])
    declared = m.group(1).decode("ascii").lower() if m else None
    if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        declared = "gb18030"
    for enc in ([declared] if declared else []) + ["utf-8", "gb18030"]:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _mht_html(raw: bytes) -> str:
    """The HTML part of a MIME web archive (.mht), decoded; its images and styles are not read."""
    import email
    from email import policy
    msg = email.message_from_bytes(raw, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            try:
                return part.get_content()
            except (LookupError, UnicodeDecodeError):
                return _decode(part.get_payload(decode=True) or b"")
    raise ExtractError(say("mht_no_html"))


def _furniture(n: Node) -> bool:
    if n.tag in DROP:
        return True
    words = f"{n.attrs.get('class', '')} {n.attrs.get('id', '')}"
    style = n.attrs.get("style", "").replace(" ", "").lower()
    return bool(FURNITURE.search(words)) or "display:none" in style or "hidden" in n.attrs


def _prune(n: Node, total: int) -> None:
    """Furniture removed; never a node that holds most of the page's text (a site that calls
    its whole page wrapper "header-wrap")."""
    n.children = [c for c in n.children if isinstance(c, str) or not _furniture(c)
                  or c.tag not in DROP and _text_len(c) > 0.5 * total]
    for c in n.children:
        if isinstance(c, Node):
            _prune(c, total)


def _text_len(n: Node | str, in_link: bool = False) -> int:
    if isinstance(n, str):
        return 0 if in_link else len(_SPACE.sub("", n))
    return sum(_text_len(c, in_link or n.tag == "a") for c in n.children)


def _tables_in(n: Node) -> bool:
    return any(isinstance(c, Node) and (c.tag == "table" or _tables_in(c)) for c in n.children)


def _layout_table(n: Node) -> bool:
    return n.tag == "table" and _tables_in(n)


def _article(body: Node) -> Node:
    """Down from <body> while one child holds most of the text that is not link text."""
    node = body
    while True:
        total = _text_len(node)
        kids = [c for c in node.children if isinstance(c, Node) and (c.tag != "table" or _layout_table(c))
                and c.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6")]
        best = max(kids, key=_text_len, default=None)
        if best is None or total == 0 or _text_len(best) < 0.6 * total:
            return node
        node = best


def _flat(n: Node | str) -> str:
    if isinstance(n, str):
        return n
    if n.tag == "br":
        return " "
    return "".join(_flat(c) for c in n.children)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _grid(table: Node) -> list[list[str | None]]:
    """Rows of a data table; a cell spanning columns or rows has None in the slots it covers."""
    rows: list[list[str | None]] = []
    pending: dict[tuple[int, int], bool] = {}

    def trs(n: Node):
        for c in n.children:
            if isinstance(c, Node):
                if c.tag == "tr":
                    yield c
                elif c.tag in ("tbody", "thead", "tfoot"):
                    yield from trs(c)
    for r, tr in enumerate(trs(table)):
        row: list[str | None] = []
        col = 0
        for td in (c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")):
            while pending.pop((r, col), False):
                row.append(None)
                col += 1
            span = _int(td.attrs.get("colspan"))
            down = _int(td.attrs.get("rowspan"))
            row.append(_clean(_flat(td)))
            row += [None] * (span - 1)
            for dr in range(1, down):
                for dc in range(span):
                    pending[(r + dr, col + dc)] = True
            col += span
        while pending.pop((r, col), False):
            row.append(None)
            col += 1
        if row:
            rows.append(row)
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _int(v: str | None) -> int:
    try:
        return max(1, min(int(v or 1), 1000))
    except ValueError:
        return 1


def _metadata(rows: list[list[str | None]]) -> bool:
    """Page metadata (索引号：… 发布日期：…): most non-empty cells are labels ending in a colon."""
    cells = [c for r in rows for c in r if c]
    return bool(cells) and sum(c.endswith(("：", ":")) for c in cells) >= 0.4 * len(cells)


class _Blocks:
    """The article's paragraphs (block elements and <br> end one) and data tables, in order."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.tables: list[Table] = []
        self.buf: list[str] = []
        self.index = 0

    def end(self) -> None:
        text = _clean("".join(self.buf))
        self.buf.clear()
        if text:
            self.lines.append(Line(1, text, 72.0, 523.0, 0.0, 0.0, 12.0, paragraph=self.index))
            self.index += 1

    def walk(self, n: Node | str) -> None:
        if isinstance(n, str):
            self.buf.append(n)
            return
        if n.tag == "br":
            self.end()
            return
        if n.tag == "table" and not _layout_table(n):
            self.end()
            rows = [r for r in _grid(n) if any(r)]
            if _metadata(rows):
                return
            while len(rows) > 2 and sum(1 for c in rows[0] if c) == 1:  # a title row above the grid is a line
                self.buf.append(next(c for c in rows.pop(0) if c))
                self.end()
            if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                self.tables.append(Table(1, rows, float(self.index), float(self.index)))
                self.index += 1
            else:
                for r in rows:
                    self.buf.append(" ".join(c for c in r if c))
                    self.end()
            return
        block = n.tag in BLOCK
        if block:
            self.end()
        for c in n.children:
            self.walk(c)
        if block:
            self.end()


def _find(n: Node, tags: set[str]) -> list[Node]:
    out = []
    for c in n.children:
        if isinstance(c, Node):
            if c.tag in tags:
                out.append(c)
            out += _find(c, tags)
    return out


def _title(root: Node) -> str | None:
    """The <title> without the site's name after a separator (报告名_政务公开_某某政府)."""
    t = _find(root, {"title"})
    if not t:
        return None
    parts = [p.strip() for p in re.split(r"\s*[_|｜—–-]{1,2}\s*", _clean(_flat(t[0]))) if p.strip()]
    han = [p for p in parts if re.search(r"[\u4e00-\u9fff]", p)]
    return max(han, key=len) if han else None


def extract(path: str | Path, settings: Settings, progress: Callable[[int], None] | None = None,
            pdf_named: bool = False, mht: bool = False) -> Extracted:
    """Read a saved web page's article into one page of lines and tables (``mht``: a page
    saved as a single MIME file, .mht/.mhtml, whose HTML part is read)."""
    p = Path(path)
    if p.stat().st_size > settings.max_stream_bytes:
        raise TooLarge(say("file_cap", what=say("web_page"), mb=p.stat().st_size >> 20,
                           cap=settings.max_stream_bytes >> 20))
    raw = p.read_bytes()
    tree = _Tree()
    tree.feed(_mht_html(raw) if mht else _decode(raw))
    tree.close()
    title = _title(tree.root)
    _prune(tree.root, _text_len(tree.root))
    body = next(iter(_find(tree.root, {"body"})), tree.root)
    article = _article(body)
    blocks = _Blocks()
    heads = _find(article, {"h1", "h2"})
    if not heads:  # the article's heading sits above its text, outside the container
        before = _before(body, article)
        if before is not None:
            blocks.walk(before)
    blocks.walk(article)
    blocks.end()
    han = sum(len(re.findall(r"[\u4e00-\u9fff]", ln.text)) for ln in blocks.lines)
    han += sum(len(re.findall(r"[\u4e00-\u9fff]", c or "")) for t in blocks.tables for r in t.rows for c in r)
    if han < MIN_HAN:
        # an error page saved as .pdf says what it said before the web reader existed
        raise ExtractError(say("html" if pdf_named else "html_no_text"))
    if progress is not None:
        progress(1)
    return assemble({1: blocks.lines}, {1: blocks.tables}, title)


TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|bt|biaoti|headline)(?:$|[\s_-])", re.I)  # a template's names


def _before(body: Node, article: Node) -> Node | None:
    """The last <h1>/<h2>, or element a template names as the title, before the article in
    document order."""
    last = None

    def walk(n: Node) -> bool:
        nonlocal last
        for c in n.children:
            if isinstance(c, Node):
                if c is article:
                    return True
                words = f"{c.attrs.get('class', '')} {c.attrs.get('id', '')}"
                if c.tag in ("h1", "h2") or TITLE_CLASS.search(words) and 0 < _text_len(c) <= 200:
                    last = c
                if walk(c):
                    return True
        return False
    walk(body)
    return last
