"""louyu.importer: a Word document saved by a real office suite becomes an item's draft."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import markdown
import pytest
from html import unescape
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from louyu.importer import BundleExists, DocxError, convert, item_name, item_text, write_bundle
from louyu.render.content import sanitize
from office import NS, PHOTOS, docx, image_rel, para, picture, png

NOTICE_TABLE = """<table>
<tr><th>站点</th><th>日期</th><th>内容</th></tr>
<tr><td rowspan="2">金融城站</td><td>10月15日</td><td>专题党课</td></tr>
<tr><td>11月12日</td><td>红色观影</td></tr>
<tr><td>科创园站</td><td colspan="2">12月全月：志愿服务</td></tr>
</table>"""


@pytest.fixture(scope="module")
def notice(office_docs: dict[str, bytes]):  # type: ignore[no-untyped-def]
    return convert(office_docs["notice"], "通知.docx")


def test_title_date_and_summary_come_from_the_document(notice) -> None:  # type: ignore[no-untyped-def]
    assert notice.title == "关于开展2026年第四季度主题党日活动的通知"
    assert notice.date == dt.date(2026, 9, 28)  # the 落款 line
    # the salutation (各楼宇党支部：) is not the gist; the footnote mark is not part of it
    assert notice.summary == "为深入学习贯彻党的二十届四中全会精神，经研究，决定在各楼宇党群服务站开展主题党日活动，现将有关事项通知如下。"
    assert notice.notes == []
    assert "关于开展" not in notice.body  # the title is front matter, not repeated


def test_headings_keep_their_levels_and_the_chinese_numbering_becomes_headings(notice) -> None:  # type: ignore[no-untyped-def]
    headings = re.findall(r"^(#+) (.+)$", notice.body, re.M)
    assert headings == [
        ("##", "一、活动主题"), ("##", "二、活动安排"), ("###", "（一）时间地点"), ("###", "（二）参加人员"),
        ("##", "活动照片"), ("###", "工作要求"),  # Word's Heading 1 and 2, moved under the page's title
    ]


def test_table_with_merged_cells_stays_html_that_the_sanitiser_keeps(notice) -> None:  # type: ignore[no-untyped-def]
    assert NOTICE_TABLE in notice.body
    html = sanitize(markdown.markdown(notice.body, extensions=["tables", "attr_list"]), {})
    assert '<td rowspan="2">金融城站</td>' in html
    assert '<td colspan="2">12月全月：志愿服务</td>' in html
    assert "<th>站点</th>" in html


def test_pictures_in_order_with_their_alt_text_and_bytes(notice) -> None:  # type: ignore[no-untyped-def]
    assert re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", notice.body) == [("党员参观红色展馆", "image-1.png"), ("志愿服务现场", "image-2.png")]
    assert notice.files == {"image-1.png": PHOTOS["photo1"], "image-2.png": PHOTOS["photo2"]}


def test_lists_emphasis_links_and_footnotes(notice) -> None:  # type: ignore[no-untyped-def]
    body = notice.body
    assert "-   楼宇内全体党员；\n    -   含流动党员\n-   入党积极分子。" in body
    assert "1.  高度重视，精心组织；\n2.  活动结束后一周内报送**活动总结**。" in body
    assert "开展**主题党日**活动" in body and "*如遇调整另行通知*" in body
    assert "[共产党员网](https://www.12371.cn/)" in body
    assert '精神<sup id="fnref-1"><a href="#fn-1">[1]</a></sup>，' in body
    assert body.endswith('1. <span id="fn-1"></span>党的二十届四中全会于2025年10月在北京召开。 [↩](#fnref-1)\n')
    html = sanitize(markdown.markdown(body, extensions=["tables"]), {})
    # nested under 4 spaces, as Python-Markdown wants
    assert "<li>楼宇内全体党员；<ul>\n<li>含流动党员</li>\n</ul>\n</li>\n<li>入党积极分子。</li>" in html
    assert '<sup id="fnref-1"><a href="#fn-1" rel="noopener noreferrer">[1]</a></sup>' in html
    assert '<span id="fn-1"></span>' in html


def test_a_footnote_mark_in_a_merged_table_is_a_link_too() -> None:
    note = '<w:r><w:footnoteReference w:id="1"/></w:r>'
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合计</w:t></w:r>' + note + "</w:p></w:tc>"
    row = "".join(f"<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>" for t in ("甲", "乙"))
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {NS}><w:footnote w:id="1"><w:p><w:r><w:t>含补缴。</w:t></w:r></w:p></w:footnote></w:footnotes>'
    )
    rels = '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
    draft = convert(docx(para("表") + f"<w:tbl><w:tr>{row}</w:tr><w:tr>{cell}</w:tr></w:tbl>", doc_rels=rels, extra={"word/footnotes.xml": footnotes}), "x.docx")
    assert '<td colspan="2">合计<sup id="fnref-1"><a href="#fn-1">[1]</a></sup></td>' in draft.body
    assert draft.body.endswith('1. <span id="fn-1"></span>含补缴。 [↩](#fnref-1)\n')


def test_a_simple_table_is_a_markdown_table() -> None:
    cells = "".join(f"<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>" for t in ("月份", "党费（元）"))
    row2 = "".join(f"<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>" for t in ("1月", "1|200"))
    draft = convert(docx(para("党费收缴情况") + f"<w:tbl><w:tr>{cells}</w:tr><w:tr>{row2}</w:tr></w:tbl>"), "x.docx")
    assert draft.title == "党费收缴情况"
    assert draft.body == "| 月份 | 党费（元） |\n| --- | --- |\n| 1月 | 1\\|200 |\n"


RISKY = ["1. 不是列表", "2026) 也不是", "# 不是标题", "- 不是列表", "+ 不是", "* 不是", "---", "***", "> 不是引用", "~~~",
         "!!! note 不是提示框", "??? 不是折叠", "| a | b |", ": 不是定义", "    四个空格不是代码", "结尾 {: .cls}", "`反引号`",
         "<script>alert(1)</script> 和 [链接](javascript:x) *星号* a_b &amp; \\"]


def test_text_that_looks_like_markup_stays_text() -> None:
    broken = '<w:p><w:r><w:t>第一行</w:t><w:br/><w:t xml:space="preserve">- 第二行不是列表</w:t></w:r></w:p>'
    draft = convert(docx(para("标题") + "".join(para(t) for t in RISKY) + broken), "x.docx")
    extensions = ["tables", "attr_list", "admonition", "pymdownx.details", "pymdownx.superfences", "def_list"]
    html = sanitize(markdown.markdown(draft.body, extensions=extensions), {})
    paragraphs = re.findall(r"<p>(.*?)</p>", html, re.S)
    assert [unescape(p) for p in paragraphs[: len(RISKY)]] == [t.strip() for t in RISKY]
    assert unescape(paragraphs[-1]) == "第一行<br>\n- 第二行不是列表"
    assert re.findall(r"<(\w+)", html) == ["p"] * (len(RISKY) + 1) + ["br"]


def test_numbering_paragraphs_that_carry_text_stay_paragraphs() -> None:
    body = para("通知") + para("一、总体要求") + para("（一）加强组织领导。各党支部要高度重视，把活动列入年度计划。")
    draft = convert(docx(body), "x.docx")
    assert draft.body == "## 一、总体要求\n\n（一）加强组织领导。各党支部要高度重视，把活动列入年度计划。\n"


@pytest.mark.parametrize(
    "lines, stated",
    [
        (["2026年11月20日"], dt.date(2026, 11, 20)),
        (["二〇二六年十一月二十日"], dt.date(2026, 11, 20)),
        (["二〇二六年三月五日"], dt.date(2026, 3, 5)),
        (["2026年11月20日", "2026年11月21日"], None),  # two dates: ambiguous
        (["会议于2026年11月20日召开。"], None),  # a date inside a sentence is not the 落款
        (["2026年2月30日"], None),
    ],
)
def test_the_stated_date_is_taken_only_when_unambiguous(lines: list[str], stated: dt.date | None) -> None:
    draft = convert(docx(para("通知") + para("正文。") + "".join(para(x) for x in lines)), "x.docx")
    assert draft.date == stated


def test_what_does_not_survive_is_said_once_per_kind() -> None:
    body = (
        para("标题")
        + '<w:p><w:r><w:t>保留</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>插入的</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>删除的</w:delText></w:r></w:del>'
        '<w:del w:id="3" w:author="a"><w:r><w:delText>又删</w:delText></w:r></w:del></w:p>'
        '<w:p><w:r><w:t>有批注</w:t></w:r><w:r><w:commentReference w:id="0"/></w:r></w:p>'
        '<w:p><m:oMath><m:r><m:t>x=1</m:t></m:r></m:oMath></w:p>'
    )
    draft = convert(docx(body), "x.docx")
    assert "保留插入的" in draft.body and "删除的" not in draft.body and "又删" not in draft.body
    assert draft.notes == [
        "批注 1 条未导入（批注不属于正文）",
        "修订 3 处按“全部接受”导入：插入的文字保留、删除的文字已去掉，请核对是否为定稿",
        "公式 1 个未导入：请改写为文字或截图插入",
    ]


def test_an_external_picture_is_left_out_with_a_note_and_an_embedded_one_kept() -> None:
    body = para("标题") + picture("rId7", "外部图片", link=True) + picture("rId8", "合影")
    rels = image_rel("rId7", "file:///C:/Users/x/secret.png", external=True) + image_rel("rId8", "media/a.png")
    draft = convert(docx(body, doc_rels=rels, extra={"word/media/a.png": png(4, 4, (0, 0, 0))}), "x.docx")
    assert draft.body == "![合影](image-1.png)\n"
    assert list(draft.files) == ["image-1.png"]
    assert draft.notes == ["链接到外部文件的图片 1 张未导入（图片不在文档里）：请在 Word 中“插入→图片”嵌入后再导入"]


def test_the_same_picture_twice_is_one_file() -> None:
    body = para("标题") + picture("rId8", "一") + picture("rId9", "二")
    rels = image_rel("rId8", "media/a.png") + image_rel("rId9", "media/b.png")
    same = png(4, 4, (1, 2, 3))
    draft = convert(docx(body + picture("rId9", ""), doc_rels=rels, extra={"word/media/a.png": same, "word/media/b.png": same}), "x.docx")
    assert draft.body == "![一](image-1.png)\n\n![二](image-1.png)\n\n![](image-1.png)\n"
    assert draft.notes == ["1 张图片没有替代文字：请在 Markdown 的 ![] 方括号中写上图片内容（读屏软件和图片打不开时显示）"]


def test_title_falls_back_to_the_hint_then_the_file_name() -> None:
    assert convert(docx(para("很长的第一段不是标题，因为它以句号结束。")), "会议纪要.docx").title == "会议纪要"
    hinted = convert(docx(para("手写标题") + para("正文。")), "x.docx", title_hint="手写标题")
    assert hinted.title == "手写标题" and hinted.body == "正文。\n"


@pytest.mark.parametrize(
    "title, filename, existing, expected",
    [
        ("关于开展2026年第四季度主题党日活动的通知", "a.docx", set(), "guanyu-kaizhan-2026-nian-disijidu-zhuti-dangri"),
        ("重庆银行党支部", "a.docx", set(), "chongqing-yinhang-dangzhibu"),
        ("Meeting report: Q4", "a.docx", set(), "meeting-report-q4"),
        ("！！！", "活动总结.docx", set(), "huodong-zongjie"),
        ("！！！", "？.docx", set(), "item"),
        ("党费", "a.docx", {"dangfei", "dangfei-2"}, "dangfei-3"),
    ],
)
def test_item_names(title: str, filename: str, existing: set[str], expected: str) -> None:
    name = item_name(title, filename, existing)
    assert name == expected
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name) and name not in existing
    assert item_name(title, filename, existing) == name  # stable


def test_write_bundle_is_all_or_nothing_and_never_overwrites(tmp_path: Path, notice) -> None:  # type: ignore[no-untyped-def]
    section = tmp_path / "content" / "a" / "news"
    text = item_text(notice, date=dt.date(2026, 9, 28), author="a-admin", scope="members")
    assert text.startswith(
        "---\ntitle: 关于开展2026年第四季度主题党日活动的通知\ndate: 2026-09-28\nauthor: a-admin\nscope: members\nsummary: 为深入"
    )
    folder = write_bundle(section, "tongzhi", text, notice.files)
    assert sorted(p.name for p in folder.iterdir()) == ["image-1.png", "image-2.png", "index.md"]
    assert (folder / "index.md").read_text("utf-8") == text
    with pytest.raises(BundleExists):
        write_bundle(section, "tongzhi", "other", {})
    (section / "single.md").write_text("x", "utf-8")
    with pytest.raises(BundleExists):
        write_bundle(section, "single", "other", {})
    with pytest.raises(DocxError):
        write_bundle(section, "bad", text, {"../escape.png": b"x"})
    assert sorted(p.name for p in section.iterdir()) == ["single.md", "tongzhi"]  # no temp folder left
    assert (folder / "index.md").read_text("utf-8") == text


STARTS = st.sampled_from(["", "# ", "- ", "1. ", "12) ", "---", "> ", "!!! ", "??? ", "~~~", "```", "| ", ": ", "    ", "* ", "+ ", "==="])
MARKUP = st.sampled_from(list("#>-+*~!?=|:`[]{}()<>&;\\_ .1234567890aZ一、（）：\u3000"))


@settings(max_examples=int(os.environ.get("IMPORT_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.builds(str.__add__, STARTS, st.text(alphabet=MARKUP | st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40)), min_size=1, max_size=4))
def test_any_text_comes_out_as_the_same_text_and_never_as_markup(texts: list[str]) -> None:
    texts = [" ".join(t.split()) for t in texts]
    assume(all(texts))  # an empty paragraph is dropped
    draft = convert(docx(para("标题") + "".join(para(t) for t in texts) + para("结尾。")), "x.docx")
    html = sanitize(markdown.markdown(draft.body, extensions=["tables"]), {})
    assert not re.search(r"<(?!/?(p|h2|h3)>)", html), html  # paragraphs and the numbering's headings, nothing else
    shown = [" ".join(unescape(re.sub(r"<[^>]+>", "", x)).split()) for x in re.findall(r"<(?:p|h2|h3)>(.*?)</(?:p|h2|h3)>", html, re.S)]
    assert shown == texts + ["结尾。"]


def test_a_table_of_contents_and_links_to_bookmarks_are_taken_out() -> None:
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:styles {NS}>'
        '<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>'
    )
    rels = '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    toc = '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:hyperlink w:anchor="_Toc1"><w:r><w:t>一、总体要求 1</w:t></w:r></w:hyperlink></w:p>'
    heading = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:bookmarkStart w:id="0" w:name="_Toc1"/><w:r><w:t>一、总体要求</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>'
    see = '<w:p><w:hyperlink w:anchor="_Toc1"><w:r><w:t>见上文</w:t></w:r></w:hyperlink><w:r><w:t>。</w:t></w:r></w:p>'
    draft = convert(docx(para("工作方案") + toc + heading + para("正文。") + see, doc_rels=rels, extra={"word/styles.xml": styles}), "x.docx")
    assert draft.body == "## 一、总体要求\n\n正文。\n\n见上文。\n"
    assert draft.notes == ["自动生成的目录已去掉（网页有自己的目录，页码在网页上没有意义）"]


@pytest.mark.parametrize("body", [para("只有标题"), "", '<w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p>'])
def test_a_document_without_a_body_is_refused(body: str) -> None:
    with pytest.raises(DocxError, match="文档没有正文"):
        convert(docx(body), "x.docx")


def _styled(style_id: str, text: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'


def test_where_the_title_comes_from() -> None:
    names = {"H1": "heading 1", "H2": "heading 2", "W1": "标题 1", "W2": "标题 2"}
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:styles {NS}>'
        + "".join(f'<w:style w:type="paragraph" w:styleId="{k}"><w:name w:val="{v}"/></w:style>' for k, v in names.items())
        + "</w:styles>"
    )
    rels = '<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    extra = {"word/styles.xml": styles}
    # a first heading (Word's name, then WPS's Chinese name) is the title; the next level becomes ##
    for h1, h2 in (("H1", "H2"), ("W1", "W2")):
        draft = convert(docx(_styled(h1, "年度工作总结") + _styled(h2, "主要成绩") + para("正文。"), doc_rels=rels, extra=extra), "x.docx")
        assert (draft.title, draft.body) == ("年度工作总结", "## 主要成绩\n\n正文。\n")
    # the document's title property, when the body does not open with a title
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>党支部会议记录</dc:title></cp:coreProperties>')
    draft = convert(docx(para("时间：11月20日下午。") + para("地点：党群服务站。"), extra={"docProps/core.xml": core}), "x.docx")
    assert draft.title == "党支部会议记录" and draft.body.startswith("时间：11月20日下午。")
