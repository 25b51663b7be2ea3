"""The browser's words in Chinese: every label, heading, hint and short message it shows.

`L` switches the summaries and these together. The table maps the English text, as the code
writes it, to its Chinese; a text with `{names}` is a template filled by `tr`. A test reads every
`tr("…")` in the browser's code and fails on one missing here, so a new label cannot be left
English. Record text (titles, names, tags), paths and the words of a system error are never
translated, nor the help screen and the command palette, which mirror the README's key table.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

ZH: dict[str, str] = {
    # The main screen: the search, the list's header, the header's subtitle.
    "/ search: words, 'exact, ^prefix, !not, cat: tag: year: is:starred": "/ 搜索:词、'精确、^开头、!排除、cat: tag: year: is:starred",
    "/ search: words 'exact ^prefix !not cat: tag: (? help)": "/ 搜索:词 '精确 ^开头 !排除 cat: tag:(? 帮助)",
    "/ search (? help)": "/ 搜索(? 帮助)",
    "{shown} of {total} papers": "{shown} / {total} 篇论文",
    "  A: search all papers": "  A:搜索全部论文",
    " · by {order}": " · 按{order}",
    "searching… (loading the word index)": "搜索中…(正在载入词索引)",
    "{collection} · {count} papers": "{collection} · {count} 篇论文",
    # The sort orders (core.search.sort_orders.LABELS).
    "relevance": "相关度",
    "date, newest first": "日期,新的在前",
    "title, A to Z": "标题,A 到 Z",
    "starred first, in star order": "星标在前,按加星顺序",
    "date added, newest first": "加入日期,新的在前",
    "last opened first": "最近打开的在前",
    "Sorted by {order}": "按{order}排序",
    "date": "日期",
    "title": "标题",
    "starred first": "星标在前",
    "date added": "加入日期",
    "last opened": "最近打开",
    # The tree.
    "All papers": "全部论文",
    "Starred": "星标",
    "Reading": "在读",
    "Unread": "未读",
    "With notes": "有笔记",
    "Categories": "分类",
    "Tags": "标签",
    "Saved searches": "已存搜索",
    # The details.
    "No paper matches.": "没有匹配的论文。",
    "★ starred": "★ 已加星",
    "☆ not starred": "☆ 未加星",
    "unread": "未读",
    "reading": "在读",
    "read": "已读",
    "In PDF": "PDF 中",
    "Authors": "作者",
    "Orgs": "机构",
    "Date": "日期",
    "Type": "类型",
    "In": "收录于",
    "Editors": "编者",
    "Imprint": "出版",
    "Year": "年份",
    "Issued": "发布",
    "DOI": "DOI",
    "ISBN": "ISBN",
    "ISSN": "ISSN",
    "Eprint": "电子预印本",
    "Category": "分类",
    "arXiv": "arXiv",
    "Link": "链接",
    "PDF": "PDF",
    "PDF here": "本地 PDF",
    "Code": "代码",
    "Aliases": "别名",
    "My tags": "我的标签",
    "Note": "笔记",
    "Why it matters": "为何重要",
    "Summary": "摘要",
    "⚠ Unverified": "⚠ 未经证实",
    "Sources": "来源",
    "Related": "相关论文",
    "Builds on": "基于",
    "Built on by": "后续工作",
    "could not find them: ": "未能找到相关论文:",
    "press R to find related papers": "按 R 查找相关论文",
    "finding related papers…": "正在查找相关论文…",
    "… and {count} more": "… 另有 {count} 项",
    "… ({count} more characters)": "…(另有 {count} 个字符)",
    "… ({count} more characters; n opens all of it)": "…(另有 {count} 个字符;按 n 打开全文)",
    # The footer's keys (tui.keys' labels of the keys shown there) and Textual's palette key.
    "Search": "搜索",
    "Star": "星标",
    "Status": "状态",
    "Open": "打开",
    "Export": "导出",
    "Help": "帮助",
    "Quit": "退出",
    "palette": "命令",
    # Messages of the main screen's keys.
    "Summaries: English": "摘要:英文",
    "Summaries: Chinese": "摘要:中文",
    "Nothing to go back to.": "没有可以返回的位置。",
    "Nothing to go forward to.": "没有可以前进的位置。",
    "Nothing to undo.": "没有可以撤销的更改。",
    "Nothing to redo.": "没有可以重做的更改。",
    "Undid: {change}": "已撤销:{change}",
    "Redid: {change}": "已重做:{change}",
    "{fields} of {paper}": "{paper}的{fields}",
    "saved search {names}": "已存搜索 {names}",
    "star": "星标",
    "status": "状态",
    "tags": "标签",
    "note": "笔记",
    "No paper selected.": "没有选中的论文。",
    "No more unread papers in this list.": "此列表中没有更多未读论文。",
    "No link {number} in the details of this paper.": "这篇论文的详情中没有链接 {number}。",
    "Exported {count} papers to {path}": "已将 {count} 篇论文导出到 {path}",
    "Exported 1 paper to {path}": "已将 1 篇论文导出到 {path}",
    "{path} exists. Overwrite it?": "{path} 已存在。要覆盖吗?",
    "{count} problems in the data; bad records were skipped. Press ! for the list.": (
        "数据中有 {count} 个问题;有问题的记录已跳过。按 ! 查看列表。"
    ),
    "Data problems": "数据问题",
    "This paper has no http(s) link to open.": "这篇论文没有可以打开的 http(s) 链接。",
    "No http(s) source to open there.": "那里没有可以打开的 http(s) 来源。",
    "Finding related papers among {count}…": "正在 {count} 篇论文中查找相关论文…",
    "Asking {service} about {paper}…": "正在向 {service} 查询 {paper}…",
    "Add paper · escape stops": "添加论文 · escape 停止",
    "The data changed on disk: reloaded {count} papers.": "磁盘上的数据已更改:已重新载入 {count} 篇论文。",
    "The data changed on disk: reloaded {count} papers; {errors} problems, press ! for the list.": (
        "磁盘上的数据已更改:已重新载入 {count} 篇论文;有 {errors} 个问题,按 ! 查看列表。"
    ),
    "Opened {target}": "已打开 {target}",
    "Not opened": "未能打开",
    "A PDF is downloading already; wait for it to finish.": "已有 PDF 正在下载,请等它完成。",
    "{paper} has no arXiv PDF to download; P attaches a file.": "{paper} 没有可下载的 arXiv PDF;按 P 附加文件。",
    # Dialogs: titles, fields, buttons, hints.
    "Yes": "是",
    "No": "否",
    "Overwrite": "覆盖",
    "Cancel": "取消",
    "Discard": "放弃",
    "Keep editing": "继续编辑",
    "Discard the changes to this note?": "放弃对这条笔记的修改?",
    "{answer} (y)": "{answer} (y)",
    "{answer} (n)": "{answer} (n)",
    "Export the starred list ({count} papers)": "导出星标列表({count} 篇论文)",
    "Export the starred list (1 paper)": "导出星标列表(1 篇论文)",
    "enter export · escape cancel": "enter 导出 · escape 取消",
    "enter export · tab: what and format · escape cancel": "enter 导出 · tab 选择内容与格式 · escape 取消",
    "the marked papers ({count})": "已标记的论文({count})",
    "the starred list ({count})": "星标列表({count})",
    # Marks (space, v, *) and what a change to many papers says.
    "1 paper": "1 篇论文",
    "{count} papers": "{count} 篇论文",
    "{count} marked": "已标记 {count}",
    " ({count} hidden)": "({count} 篇未显示)",
    "Marked {papers}.": "已标记 {papers}。",
    "Unmarked {papers}.": "已取消标记 {papers}。",
    "Cleared the marks of {papers}.": "已清除 {papers}的标记。",
    "Starred {papers}.": "已为 {papers}加星标。",
    "Unstarred {papers}.": "已取消 {papers}的星标。",
    "Set {papers} to {status}.": "已将 {papers}设为{status}。",
    "Tags of {papers}: {changes}": "{papers}的标签:{changes}",
    "{papers} marked": "已标记的 {papers}",
    "shown: the tags any of them has · one you add goes on all {papers}, one you remove comes off all": "显示:其中任一篇带有的标签 · 添加的标签加到全部 {papers},删除的标签从全部移除",
    # A search answered by a scan while the word indexes are built (tui/refine.py).
    "searching…": "搜索中…",
    " · refining…": " · 完善中…",
    "{found} found in the first {scanned} of {total} papers · searching…": "前 {scanned} / {total} 篇中找到 {found} 篇 · 搜索中…",
    # Saving a search (ctrl+s).
    "Save this search as": "将此搜索保存为",
    "Query: {query}": "查询:{query}",
    "a name for this search": "给这个搜索起个名字",
    "enter save · escape cancel": "enter 保存 · escape 取消",
    "Your tags · {title}": "我的标签 · {title}",
    "The record's own: ": "记录自带:",
    "to-read, machine learning, thesis": "待读, 机器学习, 论文",
    "enter save · escape cancel · separate tags with commas": "enter 保存 · escape 取消 · 标签以逗号分隔",
    "Note · {title}": "笔记 · {title}",
    "ctrl+s save · escape cancel · Markdown": "ctrl+s 保存 · escape 取消 · Markdown",
    "Add a paper": "添加论文",
    "arXiv/DOI": "arXiv/DOI",
    "2302.13971, an arXiv link, or a DOI 10.…": "2302.13971、arXiv 链接或 DOI 10.…",
    "or by hand:": "或手动填写:",
    "Title": "标题",
    "the paper's title": "论文标题",
    "Ada Lovelace, Alan Turing": "Ada Lovelace, Alan Turing",
    "Add": "添加",
    "enter add · tab next field · escape cancel": "enter 添加 · tab 下一栏 · escape 取消",
    "Not an arXiv id or link, nor a DOI (like 2302.13971 or 10.1145/3292500.3330701).": (
        "不是 arXiv 编号、链接或 DOI(例如 2302.13971 或 10.1145/3292500.3330701)。"
    ),
    "Give an arXiv id or a DOI, or at least a title, authors and a year.": (
        "请给出 arXiv 编号或 DOI,或至少填写标题、作者和年份。"
    ),
    "Name at least one author.": "请至少填写一位作者。",
    "The year must have four digits.": "年份须为四位数字。",
    "Attach a PDF to: {title}": "为此论文附加 PDF:{title}",
    "link it where it is (instead of copying it into pdfs/)": "链接到原位置(而不是复制到 pdfs/)",
    "enter attach · escape cancel": "enter 附加 · escape 取消",
    "Problems in the data · errors: {errors}, warnings: {warnings}": "数据中的问题 · 错误:{errors},警告:{warnings}",
    "No problems: every record loaded.": "没有问题:所有记录都已载入。",
    "Bad records are skipped; fix the file and it is read again within seconds. escape to close": (
        "有问题的记录已跳过;修好文件后几秒内会重新读取。escape 关闭"
    ),
}


def tr(text: str, language: str, /, **values: object) -> str:
    """`text`, an English label or template of the table, in `language`, filled with `values`.

    A text missing from the table stays English (the test of the table catches it first)."""
    template = ZH.get(text, text) if language == "zh" else text
    return template.format(**values) if values else template


def to_translate(text: str) -> str:
    """`text` unchanged: marks an English text that is given to `tr` later (the table's test
    reads these marks as it reads `tr("…")`)."""
    return text


def language_of(widget: object) -> str:
    """The language the app shows its labels in: the app's `language` ("en" before it is set)."""
    language = getattr(getattr(widget, "app", None), "language", "en")
    return language if language in LANGUAGES else "en"
