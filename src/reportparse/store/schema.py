"""The output tables' columns: type and a description in Chinese and English.

One place for the data dictionary, so the Parquet field metadata (key ``description``),
``reportparse schema`` and the docs say the same thing. Columns of the output contract come
first in each table; the ones after them are reportparse's own extras.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

# column types by their data-dictionary names; Arrow types only where a schema is built, so
# the batch's parent, ``--help`` and ``schema`` do not import pyarrow (and numpy) for a name
S, I, D, B, BIN = "string", "int64", "double", "bool", "binary"

# (name, type, 中文说明, English description)
_BOX = [
    ("x0", D, "数值在页面上的框：左边界（PDF 点，自页面左上角起）", "box of the figure on its page: left edge, in PDF points from the top-left corner"),
    ("top", D, "框的上边界（PDF 点，自页面顶端起）", "box top, in PDF points from the top of the page"),
    ("x1", D, "框的右边界（PDF 点）", "box right edge, in PDF points"),
    ("bottom", D, "框的下边界（PDF 点，自页面顶端起）", "box bottom, in PDF points from the top of the page"),
]
_DOC = ("doc_id", S, "文件内容的 SHA-256（十六进制），各表以此关联", "sha256 hex of the file's bytes; every table joins on it")
_SEC = ("section_id", I, "所在章节的编号（文档内从 0 起）", "section_id of the section the row was found in")
_PAGE = ("page", I, "所在页码（从 1 起）", "1-based page where the row was found")

COLUMNS: dict[str, list[tuple[str, str, str, str]]] = {
    "documents": [
        _DOC,
        ("source", S, "输入文件的路径（按给出的写法）", "path of the input file as given"),
        ("status", S, "解析状态：ok（完整）、partial（有页或部分内容丢失）、failed（无可用内容）",
         "ok, partial (parsed with pages or parts lost) or failed (nothing usable)"),
        ("error", S, "失败或部分失败的原因，可据此处理", "why it failed or is partial, in words a person can act on"),
        ("title", S, "报告标题", "report title"),
        ("organization", S, "报告单位全称（实施单位或部门名称）", "full name of the reporting unit"),
        ("fiscal_year", I, "评价的年度（2023年度 → 2023）", "the year the report evaluates (2023 for 2023年度)"),
        ("page_count", I, "PDF 页数", "pages in the PDF"),
        ("ocr_pages", I, "文字来自 OCR 的页数", "pages whose text came from OCR"),
        ("format", S, "按内容识别的文件格式：pdf、docx、xlsx、html、mht，或经 LibreOffice 转换的 doc、xls、rtf、odt、ods；无法识别时为空",
         "what the file was read as, judged by its content: pdf, docx, xlsx, html, mht, or doc, xls, rtf, odt, ods "
         "(converted by LibreOffice); null when not known"),
        ("self_score", D, "自评得分（如 97.46）", "the self-evaluation score, e.g. 97.46"),
        ("budget_initial", D, "年初预算（元）", "年初预算 in yuan"),
        ("budget_adjusted", D, "调整后预算 / 全年预算（元）", "the final/adjusted budget (年度预算, 调整后预算, 全年预算) in yuan"),
        ("expenditure", D, "实际支出 / 执行数（元）", "actual spending (实际支出, 决算数, 执行数) in yuan"),
        ("execution_rate", D, "报告所写的预算执行率（百分数，如 75.97）", "预算执行率 as reported, in percent (75.97)"),
        ("parser_version", S, "写入该行的 reportparse 版本", "version of reportparse that wrote the row"),
        ("doc_type", S, "文件类型：dept_report 部门整体支出绩效自评报告、project_report 项目支出绩效自评报告、"
         "self_eval_table 绩效自评表、target_table 绩效目标表、final_accounts 部门决算、budget 部门预算、other 其他",
         "dept_report, project_report, self_eval_table, target_table, final_accounts, budget or other"),
        ("project", S, "项目名称（项目报告和自评表）", "项目名称, for project reports and tables"),
        ("supervisor", S, "主管部门", "主管部门, where the document names one"),
        ("notes", S, "不影响内容的提示（如跳过了图表页的表格查找），以分号分隔",
         "remarks that lost no content (e.g. a chart page skipped by table search), separated by semicolons"),
        ("paths", S, "找到该内容的全部路径，每行一个（绝对路径，source 在先；控制字符和非 UTF-8/GBK 文件名的字节写成 \\xNN）",
         "every absolute path this content was found at, one per line, source first (control characters and "
         "bytes of names that are neither UTF-8 nor GBK as \\xNN)"),
        ("path_bytes", BIN, "paths 各行对应的原始路径字节，以 NUL 分隔，用于打开文件名不是 UTF-8 的文件",
         "the exact bytes of each path in paths, NUL-separated, to open a file whose name is not UTF-8"),
        ("failure", S, "失败类别：transient（超时、进程被杀、内存不足、内部错误；下次运行会重试）或 permanent（非 PDF、加密、空文件、过大）",
         "for failed rows: transient (timeout, worker killed, out of memory, internal error; the next run retries it) "
         "or permanent (not a PDF, encrypted, empty, too large; kept until --retry-failed)"),
        ("attempts", I, "解析该内容的运行次数（含本次）", "how many runs have parsed this content, this one included"),
        ("checks_failed", I, "结果为 fail（不一致）的检查项数；解析失败的文件为空",
         "number of checks with status fail; null for a file that failed to parse"),
        ("fingerprint", S, "正文的文字指纹（16 位十六进制 simhash，只取汉字）：同一报告的扫描件与电子版、改名副本指纹相同或相近；文字太少时为空",
         "text fingerprint (16-hex-digit simhash of the Han characters): a scan and its digital original or a renamed "
         "copy get equal or near values; null when there is too little text"),
    ],
    "sections": [
        _DOC,
        ("section_id", I, "章节在文档中的顺序（从 0 起）", "0-based order in the document"),
        ("parent_id", I, "上级章节的 section_id", "section_id of the enclosing section"),
        ("level", I, "层级：1 为 一、，2 为（一），3 为 1.，4 为（1）", "1 for 一、, 2 for （一）, 3 for 1./1、, 4 for （1）"),
        ("number", S, "原文的编号（一、（二）3.（1））", "the numbering as written"),
        ("heading", S, "标题（不含编号）", "heading text without its number"),
        ("kind", S, "章节类别：functions 职能、targets 绩效目标、finance 资金、problems 问题、improvements 改进、"
         "conclusion、management、overview、tasks、other",
         "functions, targets, finance, problems, improvements, conclusion, management, overview, tasks or other"),
        ("page_start", I, "起始页", "first page (1-based)"),
        ("page_end", I, "结束页", "last page (1-based)"),
        ("text", S, "本章节自身的正文（规范化后）", "the section's own normalized body text"),
    ],
    "measures": [
        _DOC, _SEC, _PAGE,
        ("indicator", S, "指标名称", "what is measured, e.g. 通过认定高新技术企业"),
        ("unit", S, "单位：CNY、USD、%、‰ 或原文量词（家、个、项…）；目标与实际共用",
         "CNY, USD, %, ‰, or the measure word as written; target and actual share it"),
        ("target_op", S, "目标比较符：>=、>、<=、<、=、~（约）、range（区间）", ">=, >, <=, <, =, ~ or range"),
        ("target_value", D, "目标值（按单位的基本单位：元、个…）", "target in the unit's base terms (yuan for money)"),
        ("target_value_max", D, "区间目标的上限", "upper bound of a range target"),
        ("actual_op", S, "实际值比较符", "op of the actual, same vocabulary"),
        ("actual_value", D, "实际完成值；定性指标为空", "actual value; null for a qualitative row"),
        ("met", B, "是否达到目标", "whether the actual reaches the target"),
        ("quote", S, "来源原文（规范化后）", "the normalized source text of the pair"),
        ("measure_id", I, "该行在文档内的顺序（从 0 起）", "0-based order of the row within its document"),
        ("origin", S, "来源：text 正文 或 table 表格", "text or table"),
        ("level1", S, "一级指标（表格行）", "一级指标 of a table row, null in prose"),
        ("level2", S, "二级指标（表格行）", "二级指标 of a table row, null in prose"),
        ("target_text", S, "原文的目标值（≥95%）", "target as written"),
        ("actual_text", S, "原文的实际完成值（较有效）", "actual as written"),
        ("weight", D, "分值或权重", "the row's 分值 or 权重"),
        ("score", D, "得分", "the row's 得分"),
        ("duplicate_of", I, "同一文档中较早陈述同一对目标/实际的行的 measure_id", "measure_id of an earlier row of the same document that states the same pair"),
        *_BOX,
    ],
    "amounts": [
        _DOC, _SEC, _PAGE,
        ("label", S, "金额所指（年初预算、规上工业总产值…）", "what the money is"),
        ("value", D, "原文数值（103683.93）", "the number as written"),
        ("unit_text", S, "原文单位（万元、亿元、万美元、元）", "the unit as written"),
        ("currency", S, "币种：CNY、USD…", "CNY, USD, …"),
        ("amount", D, "折算为基本单位的金额（元、美元）", "in base units of the currency (yuan, dollars)"),
        ("quote", S, "来源原文", "the normalized source text"),
        ("origin", S, "来源：text 正文 或 table 表格", "text or table"),
        ("malformed", B, "数字分组有误（如 69,420,92），按版式意图读出", "the digit grouping is malformed (69,420,92) and was read by the layout's intent"),
        *_BOX,
    ],
    "items": [
        _DOC,
        ("section_id", I, "所在章节", "section_id of the problems or improvements section"),
        ("kind", S, "problem 问题 或 improvement 改进措施", "problem or improvement"),
        ("ordinal", I, "序号（从 1 起）", "1-based"),
        ("text", S, "该条的完整文字", "the point's full normalized text"),
        _PAGE,
        *_BOX,
    ],
    "checks": [
        _DOC,
        ("check", S, "检查项：execution_rate、share、number_format、target_met、score_range、score_sum、item_rate、restated、unit_mismatch",
         "id of the check"),
        ("status", S, "pass 通过、fail 不一致、warn 需人工复核", "pass, fail or warn"),
        ("page", I, "证据所在页", "where the evidence is"),
        ("message", S, "发现的情况（中文，数字按原文写法）", "what was found, with the numbers as the document writes them"),
        ("expected", D, "重新计算的值", "the recomputed value"),
        ("reported", D, "报告所写的值", "the value the report states"),
        *_BOX,
    ],
}


# Tables of the archive, written by ``reportparse audit`` beside the six above (not by ingest,
# and not per document: one part per fiscal year, replaced by each audit).
ARCHIVE_COLUMNS: dict[str, list[tuple[str, str, str, str]]] = {
    "findings": [
        ("finding_id", I, "发现的序号（从 0 起，不一致在前）", "0-based order of the finding, failures first"),
        ("kind", S, "类别：figure_mismatch 同一数字在两份文件中不一致、item_repeated 问题或改进措施与上年基本相同、"
         "target_below_last_actual 目标不高于上年实际、target_kept_exceeded 目标连年不变而实际远超、"
         "score_high_unmet 自评高分但目标未完成或执行率低、text_copied 不同单位报告中段落相同",
         "figure_mismatch, item_repeated, target_below_last_actual, target_kept_exceeded, score_high_unmet or text_copied"),
        ("severity", S, "严重程度：fail 不一致、warn 需复核", "fail or warn"),
        ("org_key", S, "单位标识：同一单位各种写法归并后的名称", "the unit's key: its names in the archive joined into one"),
        ("org_rule", S, "单位标识的判定方式：exact 原文、normalized 去盖章编码全半角等、alias 别名表、prefix 补全或去掉市区县前缀",
         "how the key was decided: exact, normalized (seal, code, width, 人民政府), alias (--aliases) or prefix (city/district)"),
        ("org_names", S, "该单位在档案中的全部写法，每行一个", "every name the archive writes for the unit, one per line"),
        ("fiscal_year", I, "发现所在年度（跨年比较时为较晚一年）", "the year of the finding (the later one across years)"),
        ("other_year", I, "比较的另一年度", "the year compared with"),
        ("doc_id", S, "第一份文件的 doc_id", "doc_id of the first document"),
        ("page", I, "第一份文件中的页码", "page in the first document"),
        ("other_doc_id", S, "比较的另一份文件的 doc_id", "doc_id of the document compared with"),
        ("other_page", I, "另一份文件中的页码", "page in the other document"),
        ("doc_ids", S, "涉及的全部文件的 doc_id，每行一个", "doc_id of every document involved, one per line"),
        ("pages", S, "与 doc_ids 逐行对应的页码（不明为空行）", "the page in each of doc_ids, line by line (empty when unknown)"),
        ("subject", S, "比较的对象：实际支出、年初预算、自评得分、指标名称、问题或改进措施等", "what is compared"),
        ("value", D, "第一份文件中的数值（金额为元）", "the figure in the first document (money in yuan)"),
        ("other_value", D, "另一份文件中的数值", "the figure in the other document"),
        ("value_text", S, "第一份文件中的原文写法", "the figure as the first document writes it"),
        ("other_value_text", S, "另一份文件中的原文写法", "the figure as the other document writes it"),
        ("similarity", D, "文字相似度（0–1）：问题或改进措施为字符三元组 Jaccard；不同单位的相同段落（去掉单位名称和数字后一致）为 1",
         "text similarity (0-1): Jaccard of character 3-grams for items; 1 for a paragraph shared by units once names and figures are removed"),
        ("message", S, "发现的说明（中文，写明两份文件、页码和原文数字）",
         "the finding in Chinese, naming both documents, pages and figures as written"),
        ("quote", S, "第一份文件的原文", "the quote from the first document"),
        ("other_quote", S, "另一份文件的原文", "the quote from the other document"),
    ],
}


# Short Chinese column labels (spreadsheet headers) where the head of the description is not
# one; keys are "table.column" or "column" for every table. Others: the description's head.
LABELS: dict[str, str] = {
    "doc_id": "文件ID", "source": "文件路径", "section_id": "章节序号", "page": "页码", "quote": "原文",
    "x0": "框左", "top": "框上", "x1": "框右", "bottom": "框下", "origin": "来源",
    "documents.status": "解析状态", "documents.error": "原因", "documents.fiscal_year": "年度",
    "documents.page_count": "页数", "documents.ocr_pages": "OCR页数", "documents.budget_initial": "年初预算",
    "documents.budget_adjusted": "调整后预算", "documents.expenditure": "实际支出",
    "documents.execution_rate": "预算执行率（%）", "documents.parser_version": "解析程序版本",
    "documents.notes": "提示", "documents.checks_failed": "不一致检查项数", "documents.fingerprint": "文字指纹",
    "documents.duplicate_of": "同一报告的首份文件ID", "documents.paths": "全部路径", "documents.path_bytes": "路径原始字节",
    "documents.failure": "失败类别", "documents.attempts": "解析次数",
    "sections.parent_id": "上级章节序号", "sections.number": "编号", "sections.text": "正文",
    "measures.unit": "单位", "measures.target_op": "目标比较符", "measures.target_value": "目标值",
    "measures.target_value_max": "目标上限", "measures.actual_value": "实际完成值", "measures.met": "是否达标",
    "measures.measure_id": "指标行序号", "measures.target_text": "目标值原文", "measures.actual_text": "实际值原文",
    "measures.duplicate_of": "重复于指标行", "measures.weight": "分值", "measures.score": "得分",
    "amounts.label": "金额项目", "amounts.value": "原文数值", "amounts.amount": "金额", "amounts.malformed": "数字分组有误",
    "items.section_id": "章节序号", "items.kind": "类别", "items.ordinal": "序号", "items.text": "内容",
    "checks.check": "检查项", "checks.status": "检查结果", "checks.page": "证据页码", "checks.message": "说明",
    "checks.expected": "重新计算值", "checks.reported": "报告值",
}

# Columns that ``reportparse.load`` adds from the whole output (they depend on other files,
# so they are not in any one part file).
LOAD_COLUMNS: dict[str, list[tuple[str, str, str, str]]] = {
    "documents": [
        ("duplicate_of", S, "由 load() 计算：同一报告（指纹相近、年度相同）中最先一份的 doc_id；优先取 OCR 页最少的电子版",
         "computed by load(): doc_id of the first file of the same report (near fingerprint, same year), the one "
         "with the fewest OCR pages first; null for that first file and for unique ones"),
    ],
}

# numpy_type per Arrow type in the pandas metadata: nullable ints and bools read back as
# Int64 / boolean in plain ``pd.read_parquet`` instead of float64 / object
_PANDAS = {I: ("int64", "Int64"), B: ("bool", "boolean"), D: ("float64", "float64"), S: ("unicode", "object"),
           BIN: ("bytes", "object")}


def _pandas_metadata(table: str) -> bytes:
    cols = [{"name": name, "field_name": name, "pandas_type": _PANDAS[typ][0], "numpy_type": _PANDAS[typ][1],
             "metadata": None} for name, typ, _, _ in DESCRIBED[table]]
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": cols, "creator": {"library": "reportparse"},
                       "pandas_version": "2.0.0"}).encode("utf-8")


def arrow_schema(table: str) -> "pa.Schema":
    """The table's schema with each column's description in its field metadata, and pandas
    metadata so nullable integers come back as Int64 without reportparse installed."""
    import pyarrow as pa
    arrow = {S: pa.string(), I: pa.int64(), D: pa.float64(), B: pa.bool_(), BIN: pa.binary()}
    return pa.schema([pa.field(name, arrow[typ], metadata={"description": f"{zh} / {en}", "description_zh": zh,
                                                    "description_en": en})
                      for name, typ, zh, en in DESCRIBED[table]],
                     metadata={b"pandas": _pandas_metadata(table), b"reportparse_table": table.encode()})


def type_name(typ: str) -> str:
    """The type's name in the data dictionary."""
    if typ not in _PANDAS:
        raise KeyError(typ)
    return typ


def dictionary_markdown(tables: list[str] | None = None) -> str:
    """docs/DATA_DICTIONARY.md: every table's columns with type and both descriptions."""
    out = ["# Data dictionary / 数据字典", "",
           "Generated from `src/reportparse/store/schema.py` by `reportparse schema --format markdown`; a test keeps it",
           "in step. The same descriptions are in each Parquet file's field metadata (key `description`,",
           "`description_zh`, `description_en`). Every table is partitioned by `year` (the fiscal year, 0 when",
           "unknown) and joins on `doc_id`.", ""]
    for table in tables or DESCRIBED:
        out += [f"## {table}", ""] + ([ARCHIVE_NOTE, ""] if table in ARCHIVE_COLUMNS else [])
        out += ["| column | type | 说明 | description |", "|---|---|---|---|"]
        for name, typ, zh, en in DESCRIBED[table]:
            out.append(f"| `{name}` | {type_name(typ)} | {zh} | {en} |")
        for name, typ, zh, en in LOAD_COLUMNS.get(table, []):
            out.append(f"| `{name}` (load) | {type_name(typ)} | {zh} | {en} |")
        out.append("")
    return "\n".join(out)


def dictionary_text(tables: list[str] | None = None) -> str:
    """The data dictionary for a terminal: table, column, type, then 中文 and English lines."""
    out = []
    for table in tables or DESCRIBED:
        out.append(f"{table}")
        for name, typ, zh, en in DESCRIBED[table] + [(n, t, z, e + " [load()]") for n, t, z, e in LOAD_COLUMNS.get(table, [])]:
            out += [f"  {name} ({type_name(typ)})", f"      {zh}", f"      {en}"]
        out.append("")
    return "\n".join(out)


TABLES = list(COLUMNS)  # the tables ingest writes per document
DESCRIBED = {**COLUMNS, **ARCHIVE_COLUMNS}  # every table of an output folder, for the dictionary
ARCHIVE_NOTE = ("Written by `reportparse audit OUT` (not by `ingest`): one part per fiscal year, "
                "`findings/year=<fiscal_year>/part-audit.parquet`, replaced by each audit.")
_SCHEMAS: dict[str, "pa.Schema"] = {}


def __getattr__(name: str) -> Any:
    """``SCHEMAS`` (each table's Arrow schema), built on first use (PEP 562)."""
    if name == "SCHEMAS":
        if not _SCHEMAS:
            _SCHEMAS.update((t, arrow_schema(t)) for t in COLUMNS)
        return _SCHEMAS
    if name == "ARCHIVE_SCHEMAS":
        return {t: arrow_schema(t) for t in ARCHIVE_COLUMNS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
