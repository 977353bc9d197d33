"""What a Word document holds that its item will not: one Chinese line per kind.

The converter (mammoth) reads a document the way a reader sees it with every tracked change
accepted: inserted text kept, deleted text dropped; it reads the text of text boxes and the
preview picture of an embedded object into the flow, and leaves out comments and equations.
This module counts those things in the document's XML, so the admin is told what to look at
instead of finding out from a reader.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
V = "{urn:schemas-microsoft-com:vml}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"

_KINDS = {
    W + "commentReference": "comments",
    W + "ins": "tracked",
    W + "del": "tracked",
    W + "moveFrom": "tracked",
    W + "moveTo": "tracked",
    W + "txbxContent": "textboxes",
    M + "oMath": "equations",
    W + "object": "objects",
    C + "chart": "charts",
    DGM + "relIds": "charts",
}

_LINES = {
    "comments": "批注 {n} 条未导入（批注不属于正文）",
    "tracked": "修订 {n} 处按“全部接受”导入：插入的文字保留、删除的文字已去掉，请核对是否为定稿",
    "textboxes": "文本框 {n} 个：其中文字已放入正文，文本框的位置和边框未保留",
    "equations": "公式 {n} 个未导入：请改写为文字或截图插入",
    "objects": "嵌入对象 {n} 个（如嵌入的 Excel 表格）：内容未导入，只保留了其预览图（如有）；请改为表格或附件",
    "charts": "图表或 SmartArt {n} 个未导入：请截图插入",
    "external_images": "链接到外部文件的图片 {n} 张未导入（图片不在文档里）：请在 Word 中“插入→图片”嵌入后再导入",
    "toc": "自动生成的目录已去掉（网页有自己的目录，页码在网页上没有意义）",
    "without_alt": "{n} 张图片没有替代文字：请在 Markdown 的 ![] 方括号中写上图片内容（读屏软件和图片打不开时显示）",
    "unreadable_images": "{n} 张图片的格式无法在网页上显示（如 EMF/WMF），未导入：请另存为 PNG 或 JPEG 后插入",
}


def count_lost(document_xml: bytes, rels_xml: bytes | None) -> Counter[str]:
    """How many of each kind the document's body holds."""
    found: Counter[str] = Counter()
    external = _external_targets(rels_xml)
    try:
        for _, element in ET.iterparse(_Reader(document_xml), events=("end",)):
            kind = _KINDS.get(element.tag)
            if kind is not None:
                found[kind] += 1
            elif element.tag == A + "blip" and element.get(R + "link") and not element.get(R + "embed"):
                found["external_images"] += 1
            elif element.tag == V + "imagedata" and element.get(R + "id") in external:
                found["external_images"] += 1
    except ET.ParseError:
        pass  # mammoth reads the same XML and says it is damaged
    return found


def notes_for(counts: Counter[str]) -> list[str]:
    return [_LINES[kind].format(n=counts[kind]) for kind in _LINES if counts.get(kind)]


def _external_targets(rels_xml: bytes | None) -> set[str]:
    if not rels_xml:
        return set()
    try:
        root = ET.fromstring(rels_xml)
    except ET.ParseError:
        return set()
    return {r.get("Id", "") for r in root if r.get("TargetMode") == "External"}


class _Reader:
    """Bytes as a file for iterparse (a BytesIO would do; this keeps the one copy)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = memoryview(data), 0

    def read(self, n: int = -1) -> bytes:
        n = len(self.data) - self.at if n < 0 else n
        chunk = self.data[self.at : self.at + n]
        self.at += len(chunk)
        return bytes(chunk)
