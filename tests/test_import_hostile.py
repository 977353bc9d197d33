"""louyu.importer against files that are not what they claim: each a clear Chinese error,
in bounded time and memory, and nothing written."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from conftest import stopwatch
from louyu.importer import DocxError, Limits, convert
from office import docx, image_rel, para, picture, png, with_declared_size

MB = 1024 * 1024


def refused(data: bytes, filename: str = "通知.docx", limits: Limits | None = None) -> str:
    with pytest.raises(DocxError) as info:
        convert(data, filename, **({"limits": limits} if limits else {}))
    assert info.value.filename == filename and str(info.value).startswith(f"{filename}: ")
    return info.value.message


@pytest.mark.parametrize(
    "data, words",
    [
        (b"%PDF-1.7\n...", "这是 PDF 文件，不是 Word 文档"),
        (png(2, 2, (0, 0, 0)), "这是 PNG 图片"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "另存为” Word 文档（.docx）"),  # a .doc renamed .docx
        (b"{\\rtf1\\ansi hello}", "这是 RTF 格式的文件"),
        ("会议纪要：今天开会。".encode(), "可能是改了扩展名的其他文件"),
        (b"", "文件是空的"),
    ],
)
def test_a_renamed_file_that_is_not_word(data: bytes, words: str) -> None:
    assert words in refused(data)


def test_other_zips_say_what_they_are() -> None:
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("readme.txt", "hello")
    assert refused(plain.getvalue()) == "不是 Word 文档（.docx）：这是一个普通的 zip 压缩包"
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    assert "OpenDocument（.odt" in refused(odt.getvalue())
    sheet = docx(para("x"), main="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    assert "Excel 表格" in refused(sheet)


@pytest.mark.parametrize("name", ["通知.doc", "通知.wps", "通知.DOC"])
def test_doc_and_wps_files_are_asked_to_be_saved_as_docx(name: str) -> None:
    assert "另存为” Word 文档（.docx）再导入" in refused(docx(para("x")), name)


def test_macros_are_refused_by_name_and_by_content() -> None:
    assert "含有宏（.docm）" in refused(docx(para("x")), "宏.docm")
    macro_main = "application/vnd.ms-word.document.macroEnabled.main+xml"
    assert "含有宏（.docm）" in refused(docx(para("x"), main=macro_main), "renamed.docx")
    assert "含有宏（.docm）" in refused(docx(para("x"), extra={"word/vbaProject.bin": b"\x00" * 100}), "renamed.docx")


def test_truncated_and_corrupt_documents(office_docs: dict[str, bytes]) -> None:
    whole = office_docs["notice"]
    for cut in (len(whole) // 2, len(whole) - 30, 100):
        assert "文件已损坏或不完整" in refused(whole[:cut])
    # a flipped byte inside word/document.xml's compressed data: the CRC check catches it
    z = zipfile.ZipFile(io.BytesIO(whole))
    info = z.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 50
    broken = bytearray(whole)
    broken[start] ^= 0xFF
    assert "文件已损坏或不完整" in refused(bytes(broken))


def test_xml_that_is_not_wordprocessingml_is_refused() -> None:
    assert "文档内容已损坏" in refused(docx("<w:p><w:r><w:t>未闭合"))


def test_an_entity_declaration_is_refused_before_any_xml_is_parsed() -> None:
    bomb_xml = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><x>&lol2;</x>'
    data = docx(para("x"), extra={"word/styles.xml": bomb_xml})
    assert refused(data) == "文档的 word/styles.xml 含有 DOCTYPE 声明，不是 Word 保存的文件，拒绝导入"


def _bounded(run) -> str:  # type: ignore[no-untyped-def]
    """The refusal's message; it came within 2 seconds and 30 MB of Python memory."""
    tracemalloc.start()
    elapsed = stopwatch()
    try:
        message = run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert elapsed() < 2.0
    assert peak < 30 * MB, f"peak {peak / MB:.0f} MB"
    return message


def test_a_zip_bomb_is_refused_by_its_declared_size() -> None:
    # 60 MB of one character in document.xml: a ~60 KB file, 1000:1
    body = para("x" * (60 * MB))
    data = docx(body)
    assert len(data) < 200_000
    assert _bounded(lambda: refused(data)) == "文档部件 word/document.xml 有 60 MB，超过上限 8 MB：拒绝导入"
    # within the size limit but compressed 1000:1
    small = docx(para("x" * (7 * MB)))
    assert "疑似“压缩炸弹”" in _bounded(lambda: refused(small))
    # a header claiming gigabytes
    huge = with_declared_size(docx(para("x")), "word/document.xml", 3 * 1024 * MB)
    assert "超过上限" in _bounded(lambda: refused(huge))


def test_a_header_that_understates_a_member_is_caught_while_streaming() -> None:
    # declared 500 KB (plausible, under every limit), holding 20 MB: reading stops at the
    # declared size and the check of the data fails; nothing near 20 MB is ever held
    data = with_declared_size(docx(para("x" * (20 * MB))), "word/document.xml", 500 * 1024)
    assert "文件已损坏或不完整" in _bounded(lambda: refused(data))


def test_huge_pictures_are_refused_by_size_and_by_pixels() -> None:
    body = para("标题") + picture("rId8", "大图")
    rels = image_rel("rId8", "media/big.png")
    big = docx(body, doc_rels=rels, extra={"word/media/big.png": png(8, 8, (1, 1, 1)) + os.urandom(3 * MB)})
    message = refused(big, limits=Limits(image_bytes=2 * MB))
    assert message == "文中图片 big.png 有 3 MB，超过每张 2 MB 的上限：请在 Word 中压缩图片（文件→压缩图片，选“网页/屏幕”）后再导入"
    # 100 MB of a picture (of zeros: a small file): refused by its declared size, fast
    hundred = docx(body, doc_rels=rels, extra={"word/media/big.png": bytes(100 * MB)})
    assert "文中图片 big.png 有 100 MB，超过每张 20 MB 的上限" in _bounded(lambda: refused(hundred))
    # a small PNG whose header says 100,000 x 100,000 pixels
    header = bytearray(png(1, 1, (0, 0, 0)))
    struct.pack_into(">II", header, 16, 100_000, 100_000)
    pixels = docx(body, doc_rels=rels, extra={"word/media/big.png": bytes(header)})
    assert "100000×100000 像素，超过 60 百万像素的上限" in refused(pixels)


def test_too_many_parts_and_too_large_a_file() -> None:
    many = docx(para("x"), extra={f"customXml/item{n}.xml": "<a/>" for n in range(60)})
    assert "超过上限 50" in refused(many, limits=Limits(members=50))
    assert "超过导入上限 1 MB" in refused(docx(para("x"), extra={"word/media/a.png": os.urandom(2 * MB)}), limits=Limits(file_bytes=MB))


def test_nothing_is_written_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for data in (b"%PDF", docx(para("x" * (60 * MB)))):
        with pytest.raises(DocxError):
            convert(data, "x.docx")
    assert list(tmp_path.iterdir()) == []


def test_tables_nested_hundreds_deep_are_refused_not_a_crash() -> None:
    inner = para("深")
    for _ in range(400):
        inner = "<w:tbl><w:tr><w:tc>" + inner + "</w:tc></w:tr></w:tbl>" + para("x")
    assert refused(docx(para("标题") + inner)) == "文档嵌套层数太多（表格或列表一层套一层）：请简化后再导入"
    # a table in a table, as people do make them, is fine
    two = "<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc>" + para("内") + "</w:tc></w:tr></w:tbl>" + para("外") + "</w:tc></w:tr></w:tbl>"
    assert "<table><tr><td><p>内</p></td></tr></table><p>外</p>" in convert(docx(para("标题") + two), "x.docx").body
