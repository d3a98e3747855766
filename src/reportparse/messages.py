"""Every failure reason a person reads — ``documents.error`` and its page notes, the CLI's
``FAILED``/``PARTIAL`` lines, summary and one-line errors, the check report — in one place,
in Chinese: what happened and what to do, the technical cause (exception type and message,
as the library gave it, in English) in brackets after it. Our users are Chinese archivists
and auditors; an English reason inside a Chinese report is one they cannot act on.

At the shared base so read/, ocr/, run/, store/ and the CLI all word their failures here.
"""
from __future__ import annotations

TEXT: dict[str, str] = {
    # a file refused before it is read (read/formats.py, read/guard.py)
    "empty": "空文件（0 字节）：下载或复制没有完成，请重新获取该文件",
    "html": "不是 PDF 文件：该文件是一个 HTML 网页（可能是把错误页面存成了 .pdf），请重新下载报告原件",
    "not_pdf": "不是 PDF 文件：文件开头不是 %PDF-，它是{what}；请确认是否选对了文件（开头为 {head}）",
    "encrypted": "PDF 已加密：需要密码才能打开，请向发布单位索取未加密的版本，或用 --password 提供密码",
    "damaged_lost": "PDF 文件已损坏（{cause}）：文件被截断或损坏，没有一页能恢复；请重新下载，"
                    "或用 `qpdf` 或 Ghostscript 修复",
    "damaged_unrebuilt": "PDF 文件已损坏（{cause}）：重建交叉引用表也失败了（{rebuild}），请重新下载",
    "damaged_rebuilt": "PDF 文件已损坏（{cause}）：{how}，已重建交叉引用表并恢复 {found} 页，内容被截断的页为空；"
                       "其余内容请重新下载文件获取",
    "xref_damaged": "交叉引用表损坏",
    "truncated": "文件被截断",
    "stream_cap": "一个压缩数据流解压后超过 {mb} MB 上限（max_stream_bytes），可能是解压炸弹或超大对象",
    "content_cap": "页面内容流共 {mb} MB，超过 {cap} MB 上限（max_content_bytes）",
    "time_limit": "超时：解析时间超过了时间上限（{seconds} 秒）",
    # Word, Excel, web pages and the formats LibreOffice converts (read/formats.py, docx, xlsx, xls, html,
    # ooxml, safexml, convert); "empty", "html" and "not_pdf" above are said for them too
    "what_program": "一个可执行程序",
    "what_image": "一张图片",
    "what_archive": "一个压缩包（请先解压）",
    "what_unknown": "内容无法识别的文件",
    "not_a_document": "不是 reportparse 能读取的文件：它是{what}；reportparse 读取 PDF、Word（.docx、.doc、.wps）、"
                      "Excel（.xlsx、.xls、.et）、RTF 和保存的网页（.html、.mht）（开头为 {head}）",
    "zip_not_office": "不是 reportparse 能读取的文件：它是一个 zip 压缩包，但不是 Word 或 Excel 文件；"
                      "请解压后对解压出的文件夹运行 ingest",
    "office_file": "Office 文件",
    "word_file": "Word（.docx）文件",
    "xlsx_file": "Excel（.xlsx）文件",
    "xls_file": "Excel（.xls）文件",
    "part_of": "{what}中的 {name} 部件",
    "zip_damaged": "{what}已损坏（{cause}）：zip 压缩包无法打开，文件被截断或损坏；请重新下载，或用 Word、Excel 重新保存",
    "office_encrypted": "{what}已加密：需要密码才能打开；请向发布单位索取未加密的版本，或去掉密码后重新保存",
    "too_many_parts": "{what}有 {n} 个部件，超过一份文档可有的 {cap} 个上限；可能是恶意构造的文件",
    "part_damaged": "{what}已损坏：其中的 {name} 部件无法读取（{cause}）；请重新保存该文件",
    "part_cap": "{what}中的 {name} 部件解压后超过 {mb} MB 上限（max_stream_bytes），可能是解压炸弹或超大文档",
    "xml_dtd": "{what}声明了 DTD 或实体，Office 文件从不这样做：按恶意文件拒绝读取（实体扩展、外部实体）",
    "xml_damaged": "{what}已损坏（{cause}）；请重新保存该文件",
    "no_document_xml": "Word（.docx）文件已损坏：其中没有正文部件 word/document.xml；请用 Word 重新保存",
    "excel_damaged": "{what}已损坏（{cause}）；请用 Excel 重新保存",
    "sheet_too_large": "工作表“{sheet}”有 {rows} 行 {cols} 列，超过一张报表工作表可有的 {cap} 个单元格上限",
    "no_visible_sheet": "Excel 工作簿中没有可见的工作表；请在 Excel 中取消隐藏报表所在的工作表后重新保存",
    "sheets_as_pages": "每张可见工作表读作一页：{sheets}",
    "sheet_as_page": "第{page}页“{sheet}”",
    "file_cap": "{what}有 {mb} MB，超过 {cap} MB 上限（max_stream_bytes）",
    "workbook": "Excel 工作簿",
    "web_page": "网页",
    "mht_no_html": "网页存档（.mht）中没有 HTML 页面：请重新保存报告所在的网页",
    "html_no_text": "网页中几乎没有文字（可能是错误页面或目录页）：请保存报告正文所在的网页，或下载其附件",
    "needs_libreoffice": "该文件（{kind}）需要 LibreOffice 才能读取，但本机没有安装：请安装（Debian/Ubuntu："
                         "apt-get install libreoffice-writer libreoffice-calc），或把文件另存为 .{target} 或 PDF",
    "no_extension": "无扩展名",
    "convert_timed_out": "LibreOffice 没有在 {seconds} 秒内把该文件（{kind}）转换为 .{target}：请手动转换后解析转换结果",
    "convert_failed": "LibreOffice 无法把该文件（{kind}）转换为 .{target}（{why}）：文件已损坏，或不是其名称所示的格式",
    # page notes (read/pages.py, ocr/)
    "page": "第{page}页：{text}",
    "scan_seal_removed": "第{page}页：扫描件上的红色印章（占页面 {share}）已在 OCR 前去除",
    "scan_straightened": "第{page}页：扫描件倾斜 {angle}°，已在 OCR 前扶正",
    "scan_turned": "第{page}页：扫描件方向不正（需顺时针转 {turn}°），已在 OCR 前转正",
    "page_too_large": "第{page}页：页面过大，未读取（{why}）",
    "page_unreadable": "第{page}页：无法读取（{cause}）",
    "page_out_of_memory": "第{page}页：内存不足（{cause}）",
    "garbled": "文字层乱码",
    "image_only": "纯图片页",
    "scan_under_text": "扫描页上只有几行文字",
    "ocr_off": "第{page}页：{why}，OCR 已关闭，未读取（去掉 --no-ocr 重新解析可读取）",
    "ocr_no_text": "第{page}页：OCR 没有识别出文字（{why}）",
    "ocr_missing": "第{page}页：{why}，需要 OCR，但{missing}",
    "unmapped_unread": "第{page}页：{n} 行文字所用字体没有 Unicode 映射，{why}，这些行未读取",
    "unmapped_ocr": "第{page}页：{n} 行文字所用字体没有 Unicode 映射，已用 OCR 读取",
    "ocr_turned_off": "OCR 已关闭（去掉 --no-ocr 重新解析可读取）",
    "no_ocr_engine": "未安装 OCR 引擎",
    "ocr_failed": "对这些行的 OCR 失败（{cause}）",
    "table_search_skipped": "第{page}页：跳过表格查找，文字按行读取（{why}）",
    "too_many_edges": "{lines} 条线和 {rects} 个矩形（图表或地图？）超过了表格查找的上限（{edges} 条边）",
    "table_failed": "第{page}页：表格识别失败，表格按文字读取（{cause}）",
    "blank_render": "页面渲染结果为空白，但文字层有 {n} 个字符（字体 {fonts}）：字体可能没有嵌入，且系统没有中文字体；"
                    "请安装一种（`apt-get install fonts-noto-cjk`）后重新解析",
    "image_over_cap": "页面中有一张 {w}×{h} 像素的图片，超过 {cap} Mpx 上限",
    "render_over_cap": "按 {dpi} dpi 渲染做 OCR 需要 {mpx} Mpx（{w}×{h} 英寸），超过 {cap} Mpx 上限",
    "tesseract_missing": "未安装 tesseract；请用 `apt-get install tesseract-ocr tesseract-ocr-chi-sim` 安装",
    "rapidocr_missing": "无法加载 rapidocr-onnxruntime；请用 `pip install rapidocr-onnxruntime` 安装",
    "ocr_engine_missing": "未安装 OCR 引擎；请用 `pip install rapidocr-onnxruntime` 或 "
                          "`apt-get install tesseract-ocr tesseract-ocr-chi-sim` 安装",
    "tesseract_failed": "tesseract 运行失败（{stderr}）",
    # one file's result (run/)
    "more": "；另有 {n} 条",
    "nothing_left": "{error}；没有留下可读的内容",
    "no_text": "没有在任何一页上找到文字",
    "out_of_memory": "内存不足：该文件需要超过 {mb} MB 的内存上限；请调高 --memory-limit（下次运行会重试）",
    "internal_error": "解析时发生内部错误，请连同该文件一起报告（{cause}）",
    "worker_died": "解析进程在读取该文件时退出（{why}）；可能超过了{limit}，或在格式有误的文件上遇到了程序缺陷"
                   "（下次运行会重试）",
    "memory_limit": " {mb} MB 的 --memory-limit 内存上限",
    "memory": "可用内存",
    "stopped_answering": "不再响应",
    "killed": "被信号 {signal} 终止",
    "killed_oom": "被信号 {signal} 终止，可能是内核因内存不足所为",
    "exit_code": "退出码 {code}",
    "timed_out": "超时：{seconds} 秒内没有一页解析完成（该文件使 PDF 解析器卡住）；下次运行会重试；"
                 "可调高 --timeout，或用 qpdf 修复该文件",
    "child_died": "解析进程在读取该文件时退出（退出码 {code}）；文件可能过大或格式有误（下次运行会重试）",
    "cluster_gave_up": "已放弃：解析该文件的 worker 崩溃了 {n} 次（内存不足或库崩溃；"
                       "distributed.scheduler.allowed-failures 为 {allowed}）",
    "cluster_task_failed": "集群任务失败，重新运行可重试该文件（{cause}）",
    "not_regular": "不是普通文件：该路径是{kind}；只读取普通文件（PDF、Word、Excel、网页）",
    "kind_folder": "文件夹",
    "kind_fifo": "命名管道（FIFO）",
    "kind_socket": "套接字",
    "kind_char": "字符设备",
    "kind_block": "块设备",
    "kind_other": "特殊文件",
    "path_too_long": "路径超过系统允许的长度；请把文件移到较短的路径下",
    "cannot_read_file": "无法读取该文件；请检查文件是否存在、是否可读（{why}）",
    # the batch cannot run at all (one line on stderr)
    "no_such_path": "没有这个文件或文件夹：{path}",
    "no_pdfs": "没有找到可读取的文件（PDF、Word、Excel、WPS 或网页）：{paths}",
    "cannot_write": "无法写入 {out}：{why}",
    "batch_stopped": "批处理中止：{why}",
    "locked": "另一个 ingest（pid {pid}）正在写入 {out}；请等它结束，或换一个 --out",
    "workers_cannot_start": "工作进程无法启动（{why}）；--memory-limit 是否设得太低？",
    "workers_start_slow": "工作进程在 {seconds} 秒内没有启动",
    "cluster_out": "--out {out}：只支持每个 worker 都挂载的文件系统路径（提交协议需要原子重命名，对象存储没有）",
    "cluster_child_start": "解析进程没有在该 worker 上启动；那里是否安装了 reportparse？",
    "cluster_version": "运行的是 reportparse {version}，客户端是 {client}：请在所有机器上安装同一版本",
    "cluster_cannot_write": "无法写入 {out}：请在每个 worker 上把输出文件夹挂载到同一路径",
    "cluster_cannot_read": "无法读取 {path}：请在每个 worker 上把输入文件挂载到同一路径",
    "cluster_worker": "在 worker {worker} 上：{problem}",
    "cluster_needs_dask": "--scheduler 需要 Dask distributed：pip install 'reportparse[dask]'",
    "cluster_unreachable": "无法连接 {scheduler} 上的 Dask 调度器（{cause}）",
    "cluster_tls_scheme": "--scheduler {address}：--tls-* 选项需要 tls:// 地址",
    "cluster_tls_incomplete": "TLS 需要 --tls-ca-file（签发集群证书的 CA）和 --tls-cert（本客户端的证书；密钥在其中或用 --tls-key 给出）",
    "cluster_tls_unreadable": "--{option} {path}：无法读取该文件",
    "cluster_plain_remote": "--scheduler {address}：拒绝连接不在本机回环地址上的明文 {scheme}:// 调度器（not on loopback）："
                            "Dask 调度器会执行客户端发来的任何代码，能连上它的人就能在每个 worker 上运行代码。"
                            "请使用带证书的 tls://（--tls-ca-file、--tls-cert、--tls-key）；若该网络只属于你，可加 --insecure-cluster",
    "cluster_unknown_scheme": "--scheduler {address}：未知协议 {scheme}://；请使用 tls://HOST:PORT",
    "cluster_no_workers": "{seconds} 秒内没有 Dask worker 加入 {address} 上的调度器；请用 `dask worker {address}` 启动",
    # reading an output folder (store/dataset.py, cli.py)
    "no_such_folder": "{out}：没有这个文件夹；请先运行 `reportparse ingest PDFs --out {out}`",
    "is_a_file": "{out}：是一个文件，不是 reportparse 的输出文件夹",
    "not_output": "{out}：不是 reportparse 的输出（没有 documents/ 文件夹）；请先运行 `reportparse ingest`",
    "cannot_read_output": "{out}：无法读取输出（{cause}）",
    "aliases_unreadable": "{path}：无法读取别名文件（{cause}）",
    "aliases_not_utf8": "{path}：别名文件不是 UTF-8 文本，请另存为 UTF-8",
    "aliases_columns": "{path}：第{line}行：应为两列，即写法与所指单位",
    "export_needs_openpyxl": "--xlsx 需要 openpyxl：pip install 'reportparse[excel]'",
    "export_too_many_rows": "{table} 表有 {rows} 行，超过一个 Excel 工作表能容纳的行数；请改用 --csv",
    "export_csv_is_file": "{folder}：是一个文件；--csv 需要一个文件夹",
    "cannot_read_or_write": "无法读写文件，请检查路径和权限（{why}）",
    # the CLI's summary of a batch
    "summary": "文件 {files} 个：解析 {parsed} 个，跳过 {skipped} 个（已在 {out} 中）；共 {pages} 页；用时 {seconds} 秒",
    "retried": "重试了 {n} 个之前失败的文件（超时、工作进程被终止、内存不足、内部错误{forced}）",
    "rows": "行数：{counts}",
}

SEP = "；"  # between two reasons of one file (page notes, several causes)


def say(key: str, **values: object) -> str:
    """The message ``key`` with its ``{placeholders}`` filled; a missing value is a KeyError,
    so a caller cannot print a half-filled template."""
    return TEXT[key].format(**values)


def cause(e: BaseException) -> str:
    """The technical cause as it goes in brackets: the exception's type and message."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text}" if text else type(e).__name__
