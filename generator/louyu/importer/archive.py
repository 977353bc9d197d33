"""A Word file's bytes opened as a zip of parts, safely: what it is, and nothing read past a limit.

A .docx is a zip. Strangers' zips can claim small sizes and expand to gigabytes, carry
macros, or not be zips at all. Everything the converter reads goes through `open_docx`,
which sniffs the format, checks every member's declared size, then decompresses each one
as a stream that stops at the limit (a member whose header lies is caught there), and
hands back the parts as bytes. Nothing else opens the file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass

from .errors import DocxError

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much one Word file may hold. A notice with a dozen photos taken by a phone is
    far inside them; a zip bomb or an uncompressed scan is not."""

    file_bytes: int = 60 * MB  # the .docx itself
    part_bytes: int = 8 * MB  # one XML part: ~45 s and ~430 MiB to convert (docs/import.md); 300 pages are ~3 MB
    image_bytes: int = 20 * MB  # one picture, as stored
    total_bytes: int = 200 * MB  # everything, expanded
    members: int = 5000
    ratio: int = 200  # expanded : compressed, for members over 1 MB (text XML compresses ~10:1)
    image_pixels: int = 60_000_000  # width x height (a 60-megapixel photo; a decompression bomb is more)


LIMITS = Limits()

_MAIN_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_MAIN_DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"

_SIGNATURES = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "这是旧版 Word（.doc）或 WPS（.wps）格式的文件，或是设了打开密码的文档：请在 Word 或 WPS 中“另存为” Word 文档（.docx）、不设密码，再导入"),
    (b"{\\rtf", "这是 RTF 格式的文件：请在 Word 或 WPS 中“另存为” Word 文档（.docx）再导入"),
    (b"%PDF", "这是 PDF 文件，不是 Word 文档：请导入原始的 .docx，或把 PDF 作为附件上传"),
    (b"\x89PNG", "这是 PNG 图片，不是 Word 文档"),
    (b"\xff\xd8\xff", "这是 JPEG 图片，不是 Word 文档"),
    (b"GIF8", "这是 GIF 图片，不是 Word 文档"),
    (b"Rar!", "这是 RAR 压缩包，不是 Word 文档"),
    (b"7z\xbc\xaf", "这是 7z 压缩包，不是 Word 文档"),
]


@dataclass
class Package:
    """The parts of a checked .docx, by name, and how they relate."""

    parts: dict[str, bytes]
    content_types: bytes

    def rebuilt(self) -> bytes:
        """The checked parts as a fresh zip (stored, not compressed): what the converter
        library reads, so that it never decompresses anything this module did not measure."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            z.writestr("[Content_Types].xml", self.content_types)
            for name, data in self.parts.items():
                z.writestr(name, data)
        return out.getvalue()


def open_docx(data: bytes, filename: str, limits: Limits = LIMITS) -> Package:
    """The checked parts of a .docx; DocxError (Chinese) for anything that is not one."""
    _refuse_by_name(filename)
    if len(data) > limits.file_bytes:
        raise DocxError(f"文件有 {len(data) / MB:.0f} MB，超过导入上限 {limits.file_bytes // MB} MB：请压缩文中图片（Word：文件→压缩图片）后再导入")
    if not data:
        raise DocxError("文件是空的（0 字节）")
    for magic, message in _SIGNATURES:
        if data.startswith(magic):
            raise DocxError(message)
    if not data.startswith(b"PK"):
        raise DocxError("不是 Word 文档（.docx）：文件内容不是 Word 格式，可能是改了扩展名的其他文件")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocxError("文件已损坏或不完整（可能没有下载或复制完）：请重新保存或重新获取后再导入") from None
    with z:
        _check_declared(infos, limits)
        content_types = _read(z, _find(infos, "[Content_Types].xml"), limits.part_bytes)
        _check_kind(content_types, {i.filename for i in infos})
        parts = {}
        total = len(content_types)
        for info in infos:
            if info.is_dir() or info.filename == "[Content_Types].xml":
                continue
            cap = limits.image_bytes if _is_media(info.filename) else limits.part_bytes
            parts[info.filename] = _read(z, info, min(cap, limits.total_bytes - total))
            total += len(parts[info.filename])
    if "word/document.xml" not in parts:
        raise DocxError("文件是 Office 压缩包，但其中没有 Word 正文（word/document.xml）：请在 Word 或 WPS 中另存为 .docx 再导入")
    for name, part in parts.items():
        if name.endswith((".xml", ".rels")) and b"<!DOCTYPE" in part[:4096].upper():
            # Word never writes one; an entity declaration is how XML expands itself.
            raise DocxError(f"文档的 {name} 含有 DOCTYPE 声明，不是 Word 保存的文件，拒绝导入")
    return Package(parts, content_types)


def _refuse_by_name(filename: str) -> None:
    lower = filename.lower()
    if lower.endswith((".doc", ".wps", ".dot", ".wpt")):
        raise DocxError("旧版 Word（.doc）或 WPS（.wps）文件不能直接导入：请在 Word 或 WPS 中“另存为” Word 文档（.docx）再导入")
    if lower.endswith((".docm", ".dotm")):
        raise DocxError(_MACROS)


_MACROS = "文档含有宏（.docm）：为安全起见不导入。请在 Word 中“另存为” Word 文档（.docx，不含宏）再导入"


def _check_declared(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.members:
        raise DocxError(f"文件中有 {len(infos)} 个部件，超过上限 {limits.members}：不像 Word 保存的文档，拒绝导入")
    total = 0
    for info in infos:
        cap = limits.image_bytes if _is_media(info.filename) else limits.part_bytes
        if info.file_size > cap:
            raise DocxError(_too_big(info.filename, info.file_size, cap))
        if info.file_size > MB and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise DocxError(_BOMB)
        total += info.file_size
    if total > limits.total_bytes:
        raise DocxError(f"文件解压后有 {total / MB:.0f} MB，超过上限 {limits.total_bytes // MB} MB：请压缩文中图片后再导入")


_BOMB = "文件解压后会膨胀到远超正常文档的大小（疑似“压缩炸弹”），拒绝导入"


def _too_big(name: str, size: int, cap: int) -> str:
    if _is_media(name):
        return (f"文中图片 {name.rsplit('/', 1)[-1]} 有 {size / MB:.0f} MB，超过每张 {cap // MB} MB 的上限："
                "请在 Word 中压缩图片（文件→压缩图片，选“网页/屏幕”）后再导入")
    return f"文档部件 {name} 有 {size / MB:.0f} MB，超过上限 {cap // MB} MB：拒绝导入"


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The member's bytes, decompressed a chunk at a time and stopped past its declared
    size or the cap, whichever is smaller (a header may lie about the size)."""
    limit = min(info.file_size, cap)
    chunks, n = [], 0
    try:
        with z.open(info) as stream:
            while chunk := stream.read(min(1 << 20, limit - n + 1)):
                n += len(chunk)
                if n > limit:
                    if n > info.file_size:
                        raise DocxError(_BOMB)
                    raise DocxError(_too_big(info.filename, n, cap))
                chunks.append(chunk)
    except DocxError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        # CRC mismatch, truncated data, unknown compression, an encrypted member
        raise DocxError(f"文件已损坏或不完整（部件 {info.filename} 读不出来）：请重新保存后再导入") from None
    return b"".join(chunks)


def _find(infos: list[zipfile.ZipInfo], name: str) -> zipfile.ZipInfo:
    for info in infos:
        if info.filename == name:
            return info
    if any(i.filename == "mimetype" for i in infos):
        raise DocxError("这是 OpenDocument（.odt，WPS/LibreOffice）文件：请“另存为” Word 文档（.docx）再导入")
    raise DocxError("不是 Word 文档（.docx）：这是一个普通的 zip 压缩包")


def _check_kind(content_types: bytes, names: set[str]) -> None:
    if _MAIN_DOCM.encode() in content_types or "word/vbaProject.bin" in names:
        raise DocxError(_MACROS)
    if _MAIN_DOCX.encode() in content_types or _TEMPLATE.encode() in content_types:
        return
    if b"spreadsheetml" in content_types:
        raise DocxError("这是 Excel 表格（.xlsx），不是 Word 文档：请把表格复制到 Word 文档中再导入，或作为附件上传")
    if b"presentationml" in content_types:
        raise DocxError("这是 PowerPoint 演示文稿（.pptx），不是 Word 文档：可作为附件上传")
    raise DocxError("不是 Word 文档（.docx）：文件中没有 Word 正文")


def _is_media(name: str) -> bool:
    return name.startswith("word/media/") or name.startswith("word/embeddings/")
